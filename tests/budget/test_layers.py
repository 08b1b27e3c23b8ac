"""The layers of the budget app, read from its source: the API shares nothing with the pages'
forms and views, pages and the API build no querysets (selectors do), accounts' tables are read
through accounts.selectors, and the desk's templates take offers from the policies instead of
comparing phases themselves."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hamkke.budget

BUDGET = Path(hamkke.budget.__file__).parent
THIN = ("views.py", "desk/views.py", "api.py")
ACCOUNTS_TABLES = re.compile(
    r"\b(User|Membership|VerifiedIdentity|CensusRecord|PhoneChallenge|VerificationLock)\.objects"
)
QUERYSET_BUILDING = re.compile(r"\.objects\b|\.(filter|exclude|annotate|order_by|values_list)\(")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_api_imports_no_forms_or_views():
    imported = imported_modules(BUDGET / "api.py")
    banned = ("hamkke.budget.forms", "hamkke.budget.views", "hamkke.budget.desk")
    assert not [name for name in imported if name.startswith(banned)]


def test_pages_and_the_api_build_no_querysets():
    for name in THIN:
        source = (BUDGET / name).read_text()
        assert not QUERYSET_BUILDING.findall(source), name


def test_accounts_tables_are_read_through_accounts_selectors():
    # demo.py seeds accounts' demo people; accounts offers no service for that yet.
    readers = [
        path.relative_to(BUDGET)
        for path in BUDGET.rglob("*.py")
        if path.name != "demo.py" and ACCOUNTS_TABLES.search(path.read_text())
    ]
    assert readers == []


def test_desk_templates_take_their_offers_from_the_policies():
    for template in (BUDGET / "templates" / "budget" / "desk").glob("*.html"):
        source = template.read_text()
        assert not re.search(r"phase\s*[!=]=\s*Phase\.", source), template.name
        assert "is_manager" not in source and "role >=" not in source, template.name
