"""The benchmark registry, the result of one run, and how results are printed (table, JSON)."""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

# Each name is a module in bench/ exposing `run(quick: bool) -> Result`. Add new ones here.
BENCHMARKS: tuple[str, ...] = (
    "home_page",
    "open311_post",
    "open311_get",
    "pabulib_rules",
    "budget_ballots",
    "budget_tally",
    "plaza_search",
    "plaza_import",
    "polls_ballots",
    "polls_tally",
    "ideas_list",
    "places_nearest",
    "places_coverage",
    "places_import",
    "iot_ingest",
    "iot_state",
    "faults",
)
# Run only when named: the fault drill kills servers and restarts the machine's PostgreSQL, which
# nobody should get from a plain `python -m bench`.
ONLY_WHEN_NAMED: frozenset[str] = frozenset({"faults"})

TABLE_COLUMNS = ("name", "figure", "baseline", "ratio", "unit")


@dataclass(frozen=True)
class Result:
    """One benchmark's figure and the baseline measured beside it in the same run."""

    name: str
    value: float
    baseline: float
    unit: str
    notes: str = ""

    @property
    def ratio(self) -> float:
        if not self.baseline:
            return math.nan
        return self.value / self.baseline

    def as_dict(self) -> dict:
        data = asdict(self)
        ratio = self.ratio
        data["ratio"] = None if math.isnan(ratio) else round(ratio, 4)
        return {key: data[key] for key in ("name", "value", "baseline", "ratio", "unit", "notes")}


class UnknownBenchmark(LookupError):
    pass


class BenchmarkSkipped(Exception):
    """Raised by a benchmark whose data is absent. Its message says what is missing, where to
    get it and which option or variable points to it; the run reports the benchmark as skipped,
    not failed, and the others still run."""


def benchmark_names() -> tuple[str, ...]:
    return BENCHMARKS


def default_names() -> tuple[str, ...]:
    """What `python -m bench` runs without names: every benchmark but the drills."""
    return tuple(name for name in BENCHMARKS if name not in ONLY_WHEN_NAMED)


def run_benchmark(name: str, *, quick: bool) -> Result:
    """Import bench/<name>.py and run it."""
    if name not in BENCHMARKS:
        raise UnknownBenchmark(f"no benchmark named {name!r} (known: {', '.join(BENCHMARKS)})")
    module = importlib.import_module(f"bench.{name}")
    result = module.run(quick)
    if not isinstance(result, Result):
        raise TypeError(f"bench.{name}.run returned {type(result).__name__}, not Result")
    return result


def format_number(value: float | None) -> str:
    """Figures as a reader wants them: thousands separated, about three significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def format_ratio(ratio: float) -> str:
    return "-" if math.isnan(ratio) else f"{ratio:.3f}"


def format_table(
    results: Iterable[Result],
    failures: Iterable[tuple[str, str]] = (),
    skipped: Iterable[tuple[str, str]] = (),
) -> str:
    """A plain-text table, one row per benchmark; failed and skipped ones are listed too."""
    rows = [
        (r.name, format_number(r.value), format_number(r.baseline), format_ratio(r.ratio), r.unit)
        for r in results
    ]
    rows += [(name, "failed", "-", "-", "-") for name, _error in failures]
    rows += [(name, "skipped", "-", "-", "-") for name, _reason in skipped]
    widths = [max(len(row[i]) for row in [TABLE_COLUMNS, *rows]) for i in range(len(TABLE_COLUMNS))]
    numeric = {1, 2, 3}

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            cell.rjust(width) if index in numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    out = [line(TABLE_COLUMNS), "  ".join("-" * width for width in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)


def format_notes(
    results: Iterable[Result],
    failures: Iterable[tuple[str, str]] = (),
    skipped: Iterable[tuple[str, str]] = (),
) -> str:
    lines = [f"{r.name}: {r.notes}" for r in results if r.notes]
    lines += [f"{name}: FAILED: {error}" for name, error in failures]
    lines += [f"{name}: SKIPPED: {reason}" for name, reason in skipped]
    return "\n".join(lines)


def to_json(result: Result) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False)
