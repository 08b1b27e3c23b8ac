"""The poll recount, run as its command on published files: untouched files agree, and each kind
of tampering is found and named (exit 1), unreadable files say where (exit 2), a receipt finds
its ballot. No database."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.core.receipts import ballot_id_of, receipt_of
from hamkke.polls import publication, recount
from tests.polls.test_publication import hand_chain, park_poll, sha

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def published(tmp_path) -> Path:
    publication.save(publication.publish(park_poll()), tmp_path)
    return tmp_path


def run(directory: Path, *args: str, capsys) -> tuple[int, str, str]:
    status = recount.main([str(directory), *args])
    out, err = capsys.readouterr()
    return status, out, err


def differences(out: str) -> list[str]:
    return [
        line.removeprefix("DIFFERS: ") for line in out.splitlines() if line.startswith("DIFFERS")
    ]


def rows(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / publication.BALLOTS).read_text().splitlines()]


def rewrite(directory: Path, new_rows: list[dict], *, rechain: bool) -> None:
    """Write `new_rows` as the ballot list; with `rechain`, recompute every hash (hashlib, from
    the docstring) and update poll.json's head and file hash, as a careful forger would."""
    if rechain:
        link = sha("hamkke-poll|seoul|park-2025")
        for row in new_rows:
            cell = ";".join(
                f"{a['question']}:{','.join(str(o) for o in a['options'])}" for a in row["answers"]
            )
            link = row["hash"] = sha(f"{link}|{row['receipt']}|{cell}")
    text = "".join(json.dumps(row, separators=(",", ":")) + "\n" for row in new_rows)
    (directory / publication.BALLOTS).write_text(text)
    if rechain:
        poll = json.loads((directory / publication.POLL).read_text())
        poll["chain_head"] = link if new_rows else poll["chain_start"]
        poll["files"][publication.BALLOTS] = sha(text)
        (directory / publication.POLL).write_text(json.dumps(poll))


def edit_results(directory: Path, change, *, update_hash: bool) -> None:
    results = json.loads((directory / publication.RESULTS).read_text())
    change(results)
    text = json.dumps(results, indent=2)
    (directory / publication.RESULTS).write_text(text)
    if update_hash:
        poll = json.loads((directory / publication.POLL).read_text())
        poll["files"][publication.RESULTS] = sha(text)
        (directory / publication.POLL).write_text(json.dumps(poll))


def test_untouched_files_agree(published, capsys):
    status, out, err = run(published, capsys=capsys)
    assert (status, err, differences(out)) == (0, "", [])
    assert out.splitlines() == [
        "4 ballots",
        "question 1 (single): 4 answered; most votes (3): option 12",
        "question 2 (multiple): 4 answered; most votes (3): option 21",
        "question 3 (ranking): 4 answered; instant runoff elects option 33 after 3 rounds; "
        "Borda: tied between options 32, 33",
        "question 4 (scale): 2 answered; most votes (1): option 44, 45; mean 4.5",
        "The recount agrees with the published result.",
    ]


def test_the_command_runs_as_a_module(published):
    completed = subprocess.run(
        [sys.executable, "-m", "hamkke.polls.recount", str(published)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "The recount agrees" in completed.stdout


def test_a_changed_option_is_found(published, capsys):
    changed = rows(published)
    changed[1]["answers"][0]["options"] = [11]  # ballot 5 chose 12
    rewrite(published, changed, rechain=False)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    found = differences(out)
    assert any(
        f.startswith("ballot 0000-0000-00005 (line 2): the hash chain breaks") for f in found
    )
    assert "question 1, option 11: votes is 1, the recount gives 2" in found
    assert "question 1, option 12: votes is 3, the recount gives 2" in found
    assert any(f.startswith("poll.json's sha256 of ballots.jsonl") for f in found)


def test_a_changed_byte_is_found(published, capsys):
    path = published / publication.BALLOTS
    data = path.read_bytes()
    at = data.index(b'"options":[33,31]')
    # "33,31" -> "33,32": still valid JSON and a valid ranking, but not what was published
    path.write_bytes(data[: at + 15] + b"2" + data[at + 16 :])
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    found = differences(out)
    assert any(
        f.startswith("ballot 0000-0000-00018 (line 3): the hash chain breaks") for f in found
    )
    assert any("sha256 of ballots.jsonl" in f for f in found)


@pytest.mark.parametrize(
    ("rechain", "expected"),
    [
        # Without a new chain, the row after the one removed no longer follows its predecessor.
        (False, ["ballot 0000-0000-00018 (line 2): the hash chain breaks"]),
        # With one, the counts still tell (and the head differs from the one announced).
        (
            True,
            [
                "poll.json's ballots is 4, the recount gives 3",
                "results.json's ballots is 4, the recount gives 3",
                "question 1, option 12: votes is 3, the recount gives 2",
            ],
        ),
    ],
)
def test_a_removed_ballot_is_found(published, capsys, rechain, expected):
    remaining = rows(published)
    del remaining[1]  # ballot 5
    rewrite(published, remaining, rechain=rechain)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    found = differences(out)
    for finding in expected:
        assert any(f.startswith(finding) for f in found), finding


@pytest.mark.parametrize("rechain", [False, True])
def test_reordered_rows_are_found(published, capsys, rechain):
    swapped = rows(published)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    rewrite(published, swapped, rechain=rechain)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    found = differences(out)
    assert "ballot 0000-0000-00003 (line 2): out of the order of the receipts" in found
    breaks = [f for f in found if "the hash chain breaks" in f]
    if rechain:  # a forger who recomputed the chain has changed the head the city announced
        assert breaks == []
        head = json.loads((published / publication.POLL).read_text())["chain_head"]
        assert head != hand_chain()[-1]
    else:
        # Each row follows the hash stated on the row before: the two swapped rows break, and
        # so does line 3, whose predecessor now states h_1 instead of h_2.
        assert [f.split(":")[0] for f in breaks] == [
            "ballot 0000-0000-00005 (line 1)",
            "ballot 0000-0000-00003 (line 2)",
            "ballot 0000-0000-00018 (line 3)",
        ]


def test_a_changed_result_count_is_found(published, capsys):
    def change(results):
        results["questions"][1]["options"][2]["votes"] = 2

    edit_results(published, change, update_hash=True)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    assert differences(out) == ["question 2, option 23: votes is 2, the recount gives 1"]


def test_a_changed_runoff_round_is_found(published, capsys):
    def change(results):
        ranking = results["questions"][2]
        ranking["rounds"][1]["tie_broken_by"] = "order"
        ranking["borda"][2]["points"] = 5
        ranking["borda_winner"] = 32

    edit_results(published, change, update_hash=False)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    found = differences(out)
    assert (
        "question 3, round 2: tie_broken_by is 'order', the recount gives 'earlier_round'" in found
    )
    assert "question 3, Borda points of option 31: points is 5, the recount gives 3" in found
    assert "question 3: borda_winner is 32, the recount gives None" in found
    assert any(f.startswith("poll.json's sha256 of results.json") for f in found)
    assert len(found) == 4


def too_many(changed):
    changed[0]["answers"][1]["options"] = [21, 22, 23]  # at most 2


def required_missing(changed):
    del changed[2]["answers"][0]


def not_as_published(changed):
    changed[3]["receipt"] = "0000-0000-000w4"  # decodes, but is not how receipts are written


def unsorted_options(changed):
    changed[1]["answers"][1]["options"] = [22, 21]


def unknown_question(changed):
    changed[0]["answers"].append({"question": 7, "options": [1]})


def listed_twice(changed):
    changed.insert(1, dict(changed[0]))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (too_many, "ballot 0000-0000-00003 (line 1): question 2: too_many"),
        (required_missing, "ballot 0000-0000-00018 (line 3): required question 1 not answered"),
        (not_as_published, "ballot 0000-0000-000w4 (line 4): not a receipt code"),
        (listed_twice, "ballot 0000-0000-00003 (line 2): the receipt is listed twice"),
        (
            unsorted_options,
            "ballot 0000-0000-00005 (line 2): question 2: options not in ascending order",
        ),
        (
            unknown_question,
            "ballot 0000-0000-00003 (line 1): question 7: not a question of this poll",
        ),
    ],
)
def test_a_bad_ballot_is_found_even_when_rechained(published, capsys, change, expected):
    changed = rows(published)
    change(changed)
    rewrite(published, changed, rechain=True)
    status, out, _err = run(published, capsys=capsys)
    assert status == 1
    assert expected in differences(out)


def test_a_ballot_breaking_the_rules_is_not_counted(published, capsys):
    changed = rows(published)
    too_many(changed)
    rewrite(published, changed, rechain=True)
    _status, out, _err = run(published, capsys=capsys)
    # question 2 one respondent fewer: ballot 3 chose 22 (now 21, 22, 23, not counted)
    assert "question 2: respondents is 4, the recount gives 3" in differences(out)
    assert "question 2, option 22: votes is 2, the recount gives 1" in differences(out)


def test_unreadable_json_names_the_file_and_line(published, capsys):
    path = published / publication.BALLOTS
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2][:40] + "\n"
    path.write_text("".join(lines))
    status, _out, err = run(published, capsys=capsys)
    assert status == 2
    assert f"{path}:3: not JSON" in err


def test_a_row_of_the_wrong_shape_is_unreadable(published, capsys):
    path = published / publication.BALLOTS
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = '{"receipt": "0000-0000-00005", "answers": [{"question": 1}], "hash": "x"}\n'
    path.write_text("".join(lines))
    status, _out, err = run(published, capsys=capsys)
    assert status == 2
    assert f"{path}:2: 'options' is missing" in err


def test_an_unreadable_poll_file(published, capsys):
    (published / publication.POLL).write_text('{"city": "seoul",\n "poll": }')
    status, _out, err = run(published, capsys=capsys)
    assert status == 2
    assert f"{published / publication.POLL}:2: not JSON" in err


def test_a_missing_file(published, capsys):
    (published / publication.RESULTS).unlink()
    status, _out, err = run(published, capsys=capsys)
    assert status == 2
    assert "results.json" in err


def test_a_receipt_is_found_forgivingly(published, capsys):
    status, out, _err = run(published, "--receipt", "0000 0000 0oo18", capsys=capsys)
    assert status == 0
    assert out.splitlines()[-1] == (
        "receipt 0000-0000-00018: question 1: 12; question 2: 21, 23; question 3: 33, 31; "
        "question 4: 44"
    )


@pytest.mark.parametrize("receipt", ["0000-0000-00004", "not a receipt"])
def test_a_receipt_not_there(published, capsys, receipt):
    status, out, _err = run(published, "--receipt", receipt, capsys=capsys)
    assert status == 1
    assert out.splitlines()[-1] == f"receipt {receipt}: no ballot has this receipt"


def test_the_report(published):
    report = recount.recount(published, receipt="00000000000w4")
    assert report.agrees
    assert report.ballots == 4
    assert report.receipt_row == {
        "receipt": "0000-0000-000W4",
        "answers": [
            {"question": 1, "options": [12]},
            {"question": 2, "options": [21]},
            {"question": 3, "options": [32]},
            {"question": 4, "options": [45]},
        ],
        "hash": hand_chain()[3],
    }
    assert [r.winner for r in report.results] == [None, None, 33, None]
    assert (
        hashlib.sha256((published / publication.BALLOTS).read_bytes()).hexdigest()
        == (json.loads((published / publication.POLL).read_text())["files"]["ballots.jsonl"])
    )


@given(st.integers(1, (1 << 62) - 1))
def test_the_recount_reads_every_receipt_as_published(ballot_id):
    assert recount.published_ballot_id(receipt_of(ballot_id)) == ballot_id


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz- ", max_size=16))
def test_the_recount_takes_only_receipts_exactly_as_published(text):
    ballot_id = ballot_id_of(text)
    canonical = ballot_id is not None and receipt_of(ballot_id) == text
    assert recount.published_ballot_id(text) == (ballot_id if canonical else None)


@pytest.mark.parametrize(
    "text",
    ["0000-0000-00000", "4000-0000-00000", "0000-0000-0001", "0000000000001", "0000-0000-0000i"],
)
def test_not_published_receipts(text):
    # zero; 2**62 (too large); too short; no dashes; a letter codes.decode would forgive
    assert recount.published_ballot_id(text) is None
