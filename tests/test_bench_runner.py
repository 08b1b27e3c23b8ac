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


# --- benchmarks whose data is absent ------------------------------------------------------------


def _register(monkeypatch, **runs) -> None:
    """Register fake benchmark modules, in this order, each with its `run`."""
    for name, run in runs.items():
        module = types.ModuleType(f"bench.{name}")
        module.run = run
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr(runner, "BENCHMARKS", tuple(runs))


def _fast(quick: bool) -> Result:
    return Result(name="fake_fast", value=500.0, baseline=1000.0, unit="req/s")


def _no_data(quick: bool) -> Result:
    raise runner.BenchmarkSkipped("no data at /nowhere; get it from example.org; set BENCH_X")


def test_a_benchmark_without_its_data_is_skipped_and_the_others_still_run(monkeypatch, capsys):
    _register(monkeypatch, fake_no_data=_no_data, fake_fast=_fast)
    assert main([]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()]
    assert ["fake_no_data", "skipped", "-", "-", "-"] in rows
    assert ["fake_fast", "500.0", "1,000", "0.500", "req/s"] in rows
    assert "fake_no_data: SKIPPED: no data at /nowhere; get it from example.org; set BENCH_X" in out


def test_a_skipped_benchmark_does_not_hide_a_failed_one(monkeypatch, capsys):
    def broken(quick: bool) -> Result:
        raise RuntimeError("server did not start")

    _register(monkeypatch, fake_no_data=_no_data, fake_broken=broken)
    assert main([]) == 1
    out = capsys.readouterr().out
    assert "fake_broken: FAILED: RuntimeError: server did not start" in out
    assert "fake_no_data: SKIPPED" in out


def test_json_keeps_stdout_for_results_and_says_skipped_on_stderr(monkeypatch, capsys):
    _register(monkeypatch, fake_no_data=_no_data, fake_fast=_fast)
    assert main(["--json"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["name"] for line in captured.out.splitlines()] == ["fake_fast"]
    assert "fake_no_data: SKIPPED: no data at /nowhere" in captured.err


def test_the_fault_drill_runs_only_when_named(monkeypatch, capsys):
    ran: list[str] = []

    def drill(quick: bool) -> Result:
        ran.append("faults")
        return Result(name="faults", value=10.0, baseline=10.0, unit="acked writes/s")

    _register(monkeypatch, fake_fast=_fast, faults=drill)
    assert main([]) == 0
    assert ran == []
    assert main(["faults"]) == 0
    assert ran == ["faults"]
    assert main(["--list"]) == 0
    assert "faults" in capsys.readouterr().out.split()


@pytest.fixture
def no_shared_data(monkeypatch, tmp_path):
    """A clone without ../shared: the default folder does not exist, no variable points
    elsewhere."""
    from bench import pabulib_rules

    absent = tmp_path / "shared" / "data" / "pabulib"
    monkeypatch.setattr(pabulib_rules, "DEFAULT_DATA", absent)
    monkeypatch.delenv("BENCH_PABULIB_DATA", raising=False)
    return absent


def test_pabulib_rules_without_its_data_is_skipped_and_says_where_to_get_it(no_shared_data, capsys):
    assert main(["pabulib_rules", "--quick"]) == 0
    out = capsys.readouterr().out
    assert ["pabulib_rules", "skipped", "-", "-", "-"] in [
        line.split() for line in out.splitlines()
    ]
    reason = next(line for line in out.splitlines() if line.startswith("pabulib_rules: SKIPPED"))
    assert str(no_shared_data) in reason
    assert "https://github.com/pabulib/pabulib_files" in reason
    assert "BENCH_PABULIB_DATA=" in reason


def test_pabulib_data_variable_names_a_folder_and_its_missing_files(monkeypatch, tmp_path):
    from bench import pabulib_rules

    (tmp_path / "expected.json").write_text(
        json.dumps({"instances": {"Here.pb": {}, "Gone.pb": {}}}), encoding="utf-8"
    )
    (tmp_path / "Here.pb").write_text("META\n", encoding="utf-8")
    monkeypatch.setenv("BENCH_PABULIB_DATA", str(tmp_path))
    assert pabulib_rules.data_folder() == tmp_path.resolve()
    with pytest.raises(runner.BenchmarkSkipped) as skipped:
        pabulib_rules.run(quick=True)
    assert "1 of the 2 files" in str(skipped.value)
    assert "Gone.pb" in str(skipped.value) and "Here.pb" not in str(skipped.value)


def test_pabulib_rules_runs_on_the_folder_the_variable_names(monkeypatch, tmp_path):
    """The smallest real election of tests/budget/data, alone in a folder of its own: both
    rules are timed against pabutools and their outcomes agree."""
    import shutil
    from pathlib import Path

    from bench import pabulib_rules

    shipped = Path(__file__).parent / "budget" / "data"
    name = "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"
    shutil.copy(shipped / name, tmp_path / name)
    expected = json.loads((shipped / "expected.json").read_text(encoding="utf-8"))
    (tmp_path / "expected.json").write_text(
        json.dumps({"instances": {name: expected["instances"][name]}}), encoding="utf-8"
    )
    monkeypatch.setenv("BENCH_PABULIB_DATA", str(tmp_path))
    result = pabulib_rules.run(quick=True)
    assert result.name == "pabulib_rules"
    assert result.notes.startswith("2 (file, rule) pairs timed against pabutools")
    assert "Poland_Warszawa_2017_Plac_Wojska_Polskiego greedy" in result.notes
    assert "Poland_Warszawa_2017_Plac_Wojska_Polskiego mes-add1" in result.notes
