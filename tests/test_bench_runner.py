"""The bench runner's pure parts: results, the table, the JSON line and the command line.

No server is started here; a fake benchmark module stands in for the real ones."""

from __future__ import annotations

import importlib
import json
import math
import sys
import types

import pytest
from bench import runner
from bench.__main__ import main
from bench.runner import Result, format_number, format_table


@pytest.fixture
def fake_benchmarks(monkeypatch):
    """Two registered benchmarks: `fake_fast` succeeds, `fake_broken` raises."""

    def fast(quick: bool) -> Result:
        return Result(
            name="fake_fast",
            value=250.0 if quick else 500.0,
            baseline=1000.0,
            unit="req/s",
            notes="quick" if quick else "full",
        )

    def broken(quick: bool) -> Result:
        raise RuntimeError("server did not start")

    for name, run in (("fake_fast", fast), ("fake_broken", broken)):
        module = types.ModuleType(f"bench.{name}")
        module.run = run
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr(runner, "BENCHMARKS", ("fake_fast", "fake_broken"))


def test_ratio_is_figure_over_baseline():
    assert Result(name="x", value=50, baseline=200, unit="req/s").ratio == 0.25
    assert math.isnan(Result(name="x", value=50, baseline=0, unit="req/s").ratio)


def test_as_dict_has_the_documented_keys_in_order():
    data = Result(name="x", value=1.5, baseline=3.0, unit="s", notes="n").as_dict()
    assert list(data) == ["name", "value", "baseline", "ratio", "unit", "notes"]
    assert data["ratio"] == 0.5
    assert Result(name="x", value=1, baseline=0, unit="s").as_dict()["ratio"] is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (12345.6, "12,346"),
        (345.67, "345.7"),
        (3.14159, "3.14"),
        (0.012345, "0.0123"),
        (None, "-"),
        (math.nan, "-"),
    ],
)
def test_format_number(value, shown):
    assert format_number(value) == shown


def test_table_has_a_header_and_aligned_rows():
    table = format_table(
        [
            Result(name="home_page", value=348.2, baseline=2048.7, unit="req/s"),
            Result(name="search", value=0.5, baseline=0.25, unit="s"),
        ],
        failures=[("broken_one", "RuntimeError: boom")],
    )
    lines = table.splitlines()
    assert lines[0].split() == ["name", "figure", "baseline", "ratio", "unit"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["home_page", "348.2", "2,049", "0.170", "req/s"]
    assert lines[3].split() == ["search", "0.5", "0.25", "2.000", "s"]
    assert lines[4].split() == ["broken_one", "failed", "-", "-", "-"]
    # Numbers are right-aligned: every row's ratio ends where the header's "ratio" ends.
    ratio_end = lines[0].index("ratio") + len("ratio")
    for line in lines[2:]:
        assert line[:ratio_end].endswith(line.split()[3])
        assert line[ratio_end] == " "


def test_list_names_every_registered_benchmark(capsys):
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(runner.BENCHMARKS)


def test_every_registered_benchmark_has_a_run_function():
    for name in runner.BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        assert callable(module.run), name


def test_json_prints_one_object_with_the_documented_keys(fake_benchmarks, capsys):
    assert main(["fake_fast", "--json", "--quick"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    data = json.loads(out)
    assert data == {
        "name": "fake_fast",
        "value": 250.0,
        "baseline": 1000.0,
        "ratio": 0.25,
        "unit": "req/s",
        "notes": "quick",
    }


def test_table_run_reports_a_failure_and_exits_non_zero(fake_benchmarks, capsys):
    assert main([]) == 1
    captured = capsys.readouterr()
    assert "fake_fast" in captured.out and "0.500" in captured.out
    assert "fake_broken: FAILED: RuntimeError: server did not start" in captured.out
    assert "server did not start" in captured.err  # the traceback, for whoever debugs it


def test_unknown_name_is_refused(fake_benchmarks, capsys):
    assert main(["no_such_bench"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
