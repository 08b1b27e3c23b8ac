"""The import rules of ARCHITECTURE.md, checked on the source itself (no database, no Django):
core imports no app that plugs into it; APIs import no views or forms; pure modules import
nothing from Django; no two modules import each other, directly or round a loop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "src" / "hamkke"
# The apps that plug into core (through core/service_app.py); core may name none of them.
SERVICE_APPS = (
    "accounts",
    "complaints",
    "budget",
    "ideas",
    "polls",
    "plaza",
    "places",
    "iot",
    "website",
    "wego",
    "ops",
)
# Computation kept free of Django so it is fast, testable with hypothesis, reusable.
PURE_MODULES = (
    "hamkke.budget.ballots",
    "hamkke.budget.rules",
    "hamkke.budget.pabulib",
    "hamkke.budget.recount",
    "hamkke.core.codes",
    "hamkke.core.receipts",
    "hamkke.core.geo",
    "hamkke.plaza.search_terms",
    "hamkke.plaza.masking",
    "hamkke.core.phases",
    "hamkke.polls.tally",
    "hamkke.polls.publication",
    "hamkke.polls.recount",
    "hamkke.ideas.pipeline",
    "hamkke.ideas.similarity",
    "hamkke.ideas.scoring",
    "hamkke.places.nearby",
    "hamkke.places.coverage",
    "hamkke.places.hours",
    "hamkke.places.routing",
    "hamkke.iot.bins.routing",
    "hamkke.places.wifi_layout",
    "hamkke.core.imports.tabular",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(every module the file imports anywhere, the ones it imports at module level)."""
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level_nodes = set()
    for node in tree.body:
        # `if TYPE_CHECKING:` blocks are for the type checker only: no import at run time.
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        top_level_nodes.add(id(node))
    everything, top_level = set(), set()
    type_only = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names = {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node, path.name == "__init__.py")
            names = {source} | {f"{source}.{alias.name}" for alias in node.names}
        else:
            continue
        everything |= names
        if id(node) in top_level_nodes:
            top_level |= names
    return everything, top_level


def _source_files() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PACKAGE_DIR.rglob("*.py")
        if "migrations" not in path.parts
    }


MODULES = _source_files()
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_core_imports_no_service_app():
    offences = [
        f"{module} imports {imported}"
        for module, (everything, _top) in IMPORTS.items()
        if _within(module, "hamkke.core")
        for imported in sorted(everything)
        if any(_within(imported, f"hamkke.{app}") for app in SERVICE_APPS)
    ]
    assert offences == []


def test_the_root_urls_and_api_name_no_app():
    for module in ("hamkke.urls", "hamkke.api"):
        everything, _top = IMPORTS[module]
        named = [i for i in everything if any(_within(i, f"hamkke.{a}") for a in SERVICE_APPS)]
        assert named == [], f"{module} imports {named}"


def _is_api(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "api" or last.endswith("_api") or ".api." in module + "."


def _is_page_layer(name: str) -> bool:
    parts = name.split(".")
    return any(part in ("views", "forms") or part.endswith(("_views", "_forms")) for part in parts)


def test_apis_import_no_views_or_forms():
    offences = [
        f"{module} imports {imported}"
        for module, (everything, _top) in IMPORTS.items()
        if _is_api(module)
        for imported in sorted(everything)
        if imported.startswith("hamkke.") and _is_page_layer(imported)
    ]
    assert offences == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_modules_import_nothing_from_django(module):
    if module not in IMPORTS:
        pytest.fail(f"{module} is listed as pure but does not exist")
    everything, _top = IMPORTS[module]
    assert [name for name in everything if _within(name, "django")] == []
    assert [name for name in everything if _within(name, "ninja")] == []


def _module_graph() -> dict[str, set[str]]:
    """Module-level imports between the project's modules (an import of a name inside a
    module counts as an import of that module)."""
    graph: dict[str, set[str]] = {}
    for module, (_everything, top_level) in IMPORTS.items():
        targets = set()
        for imported in top_level:
            while imported and imported not in MODULES:
                imported = imported.rpartition(".")[0]
            # A package's __init__ importing its own submodules is not a cycle of meaning.
            if imported and imported != module and not _within(imported, module):
                targets.add(imported)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles(_module_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
