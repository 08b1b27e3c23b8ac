"""`hamkke budget outcome FILE.pb --rule RULE`: the JSON list of selected projects, and
"FILE:LINE: message" with exit status 1 for a malformed file. No database involved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["instances"]
ASSEN = DATA / "Netherlands_Assen_2024.pb"


def outcome(*args: str) -> list[str]:
    out = StringIO()
    call_command("budget", "outcome", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("rule", "key"),
    [
        ("greedy", "greedy_cost"),
        ("knapsack", "max_welfare_cost"),
        ("mes", "mes_cost"),
        ("mes-add1", "mes_cost_add1_only"),
        ("mes-add1-greedy", "mes_cost_add1_greedy"),
    ],
)
def test_prints_the_projects_each_rule_selects_as_a_sorted_json_list(rule, key):
    assert outcome(str(ASSEN), "--rule", rule) == EXPECTED[ASSEN.name]["rules"][key]


def test_greedy_is_the_default_and_thresholds_come_from_the_file():
    assert outcome(str(ASSEN)) == EXPECTED[ASSEN.name]["rules"]["greedy_cost"]
    katowice = DATA / "Poland_Katowice_2024_Bogucice.pb"
    expected = EXPECTED[katowice.name]["rules"]["greedy_threshold"]
    assert outcome(str(katowice), "--rule", "greedy-threshold") == expected


def test_the_add1_outcome_is_what_assen_really_decided():
    # Assen's file says rule equalshares/add1; its `selected` column is pabutools' Add1 outcome.
    assert outcome(str(ASSEN), "--rule", "mes-add1") == EXPECTED[ASSEN.name]["file_selected"]


def failure(path: Path, capsys) -> str:
    with pytest.raises(SystemExit) as exited:
        call_command("budget", "outcome", str(path), "--rule", "mes")
    assert exited.value.code == 1
    return capsys.readouterr().err.strip()


def test_a_malformed_file_is_named_with_its_line(tmp_path, capsys):
    bad = tmp_path / "bad.pb"
    text = ASSEN.read_text(encoding="utf-8").replace("13;1000;21", "13;one thousand;21")
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("13;"))) + 1
    assert (
        failure(bad, capsys)
        == f"{bad}:{line}: the cost of project 13 'one thousand' is not a number"
    )


def test_unknown_projects_and_missing_sections(tmp_path, capsys):
    text = ASSEN.read_text(encoding="utf-8")
    unknown = tmp_path / "unknown.pb"
    unknown.write_text(text.replace(";1,2,6,9,13\n", ";1,2,6,99\n"), encoding="utf-8")
    assert failure(unknown, capsys) == (
        f"{unknown}:36: voter vote01006bcf-62b6-435d-a0de-2966c3e75249 votes for unknown "
        "project '99'"
    )
    truncated = tmp_path / "truncated.pb"
    truncated.write_text(text.split("VOTES")[0], encoding="utf-8")
    assert failure(truncated, capsys) == f"{truncated}:33: expected a VOTES section after PROJECTS"
    missing = tmp_path / "missing.pb"
    assert failure(missing, capsys) == f"{missing}: No such file or directory"
    binary = tmp_path / "binary.pb"
    binary.write_bytes(b"\xff\xfe\x00META")
    assert failure(binary, capsys).startswith(f"{binary}: not UTF-8 text")


def test_the_hamkke_command_runs_without_a_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "hamkke.cli", "budget", "outcome"]
    done = subprocess.run(
        [*command, str(ASSEN), "--rule", "mes-add1-greedy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED[ASSEN.name]["rules"]["mes_cost_add1_greedy"]
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;10\n", encoding="utf-8")
    done = subprocess.run(
        [*command, str(bad)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr == f"{bad}:1: META has no vote_type\n"
    assert done.stdout == ""
