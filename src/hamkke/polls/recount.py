"""Recount a published poll from its files alone:

    python -m hamkke.polls.recount DIRECTORY [--receipt CODE]

DIRECTORY holds poll.json, ballots.jsonl and results.json (format and hash chain: see
publication.py). This checks each file's SHA-256 against poll.json, re-walks the hash chain (each
row's hash and the head), checks the receipts are receipt codes, each once and in ascending
order, checks every ballot against the question rules in poll.json (a published ballot breaking
them is a finding, and is not counted), recounts every question with tally.py (votes, shares,
means, instant-runoff rounds, Borda points and winners) and compares all of it with results.json.
Compare chain_head with the one the city announced when the poll closed. `--receipt CODE` also
prints that ballot's answers. Exit status: 0 when everything agrees, 1 when something differs (or
the receipt is not there), 2 when a file cannot be read. Pure Python: no Django.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hamkke.core import codes
from hamkke.core.receipts import ballot_id_of, chain_link, receipt_of, sha256
from hamkke.polls import publication
from hamkke.polls.tally import QuestionResult, QuestionSpec, answer_problems, count_grouped

# How the lists of results.json name their entries in a finding.
_ENTRIES = {"options": "option", "tallies": "option", "borda": "Borda points of option"}


class UnreadableInput(Exception):
    """A file that cannot be read as a published poll; the message names it (and the line)."""


@dataclass
class RecountReport:
    """Every difference found (each naming its question, option, round or receipt), the number
    of ballot rows, the recounted results, and the row of the receipt asked for (if found)."""

    findings: list[str] = field(default_factory=list)
    ballots: int = 0
    results: list[QuestionResult] = field(default_factory=list)
    receipt_row: dict[str, Any] | None = None

    @property
    def agrees(self) -> bool:
        return not self.findings


def _unreadable(path: Path, line: int | None, exc: Exception) -> UnreadableInput:
    """What makes `path` unreadable, as an UnreadableInput naming it and the line."""
    where = f"{path}:{line}" if line is not None else str(path)
    if isinstance(exc, json.JSONDecodeError):
        return UnreadableInput(
            f"{path}:{exc.lineno if line is None else line}: not JSON ({exc.msg})"
        )
    if isinstance(exc, UnicodeDecodeError):
        return UnreadableInput(f"{where}: not UTF-8 ({exc.reason})")
    if isinstance(exc, OSError):
        return UnreadableInput(f"{path}: {exc.strerror or exc}")
    if isinstance(exc, KeyError):
        return UnreadableInput(f"{where}: {exc.args[0]!r} is missing")
    return UnreadableInput(f"{where}: {exc}")


_READ_ERRORS = (OSError, KeyError, ValueError, TypeError)  # JSON and UTF-8 errors are ValueErrors


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    try:
        yield
    except _READ_ERRORS as exc:
        raise _unreadable(path, None, exc) from exc


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(f"expected {what}")


def _read_json(path: Path) -> tuple[bytes, Any]:
    with _reading(path):
        data = path.read_bytes()
        return data, json.loads(data.decode("utf-8"))


def _read_poll(directory: Path) -> tuple[dict[str, Any], list[QuestionSpec]]:
    path = directory / publication.POLL
    _data, poll = _read_json(path)
    with _reading(path):
        _expect(isinstance(poll, dict), "an object")
        for key in ("city", "poll", "chain_start", "chain_head"):
            _expect(isinstance(poll[key], str), f"{key} to be a string")
        files = poll["files"]
        _expect(isinstance(files, dict), "files to be an object")
        for name in (publication.BALLOTS, publication.RESULTS):
            _expect(isinstance(files[name], str), f"the SHA-256 of {name}")
        _expect(isinstance(poll["questions"], list), "a list of questions")
        specs = []
        for question in poll["questions"]:
            _expect(isinstance(question, dict), "each question to be an object")
            options = question["options"]
            _expect(
                isinstance(options, list)
                and all(isinstance(o, dict) and _is_int(o.get("id")) for o in options),
                f"question {question.get('id')}: options with number ids",
            )
            limit, required = question["max_choices"], question["required"]
            _expect(_is_int(question["id"]), "question ids to be numbers")
            _expect(limit is None or _is_int(limit), "max_choices to be a number or null")
            _expect(isinstance(required, bool), "required to be true or false")
            specs.append(
                QuestionSpec(
                    id=question["id"],
                    kind=question["kind"],
                    options=tuple(option["id"] for option in options),
                    max_choices=limit,
                    required=required,
                )
            )
        _expect(len({spec.id for spec in specs}) == len(specs), "each question once")
    return poll, specs


def _row(path: Path, number: int, raw: bytes) -> dict[str, Any]:
    """One line of ballots.jsonl, its shape checked (a bad shape makes the file unreadable)."""
    # No context manager here: this runs a million times.
    try:
        row = json.loads(raw.decode("utf-8"))
        _expect(type(row) is dict, "an object")
        _expect(type(row["receipt"]) is str, "the receipt to be a string")
        _expect(type(row["hash"]) is str, "the hash to be a string")
        answers = row["answers"]
        _expect(type(answers) is list, "a list of answers")
        for answer in answers:
            _expect(type(answer) is dict, "each answer to be an object")
            _expect(type(answer["question"]) is int, "question ids to be numbers")
            options = answer["options"]
            # type() rather than isinstance: true is not the number 1 here.
            _expect(
                type(options) is list and set(map(type, options)) <= {int},
                "options to be a list of numbers",
            )
    except _READ_ERRORS as exc:
        raise _unreadable(path, number, exc) from exc
    return row


# Receipts as publication writes them (receipts.receipt_of: 13 Crockford base32 digits grouped
# 4-4-5, an id below 2**62), read with a pattern and int(…, 32): core.codes.decode forgives
# case and dashes, and is too slow for a million rows. tests/polls checks the two agree.
_DIGIT = f"[{codes.ALPHABET}]"
_RECEIPT = re.compile(f"{_DIGIT}{{4}}-{_DIGIT}{{4}}-{_DIGIT}{{5}}")
_AS_INT_DIGITS = str.maketrans(codes.ALPHABET, "0123456789abcdefghijklmnopqrstuv", "-")


def published_ballot_id(receipt: str) -> int | None:
    """The ballot id of a receipt exactly as published; None for anything else."""
    if not _RECEIPT.fullmatch(receipt):
        return None
    ballot_id = int(receipt.translate(_AS_INT_DIGITS), 32)
    return ballot_id if 0 < ballot_id < 1 << 62 else None


class _BallotCheck:
    """Walks ballots.jsonl row by row: the chain, the receipts, the rules; groups the valid
    answers of each question for the count."""

    def __init__(self, poll: dict[str, Any], specs: list[QuestionSpec], wanted: str | None):
        self.specs = {spec.id: spec for spec in specs}
        self.required = [spec.id for spec in specs if spec.required]
        self.grouped: dict[int, Counter] = {spec.id: Counter() for spec in specs}
        self.start = publication.chain_start(poll["city"], poll["poll"])
        self.stated = self.head = self.start  # the previous row's hash as stated, and as recounted
        self.last_id = 0
        self.rows = 0
        self.wanted = wanted
        self.found: dict[str, Any] | None = None
        self.findings: list[str] = []
        # (question id, options) -> (its problems, its part of the chain cell), worked out once:
        # a million ballots give few distinct answers.
        self.answers: dict[tuple[int, tuple[int, ...]], tuple[list[str], str]] = {}

    def check(self, number: int, row: dict[str, Any]) -> None:
        self.rows += 1
        receipt = row["receipt"]
        answers = []
        for answer in row["answers"]:
            key = (answer["question"], tuple(answer["options"]))
            known = self.answers.get(key)
            if known is None:
                known = self.answers[key] = self._answer(*key)
            answers.append((key, known))
        # Each row is checked against the row before it as stated, so a finding names the row
        # changed rather than every row after it.
        self.head = chain_link(self.stated, receipt, ";".join(cell for _, (_, cell) in answers))
        self.stated = row["hash"]
        about = f"ballot {receipt} (line {number})"
        if self.stated != self.head:
            self.findings.append(f"{about}: the hash chain breaks (recomputed {self.head})")
        self._check_receipt(about, receipt)
        if receipt == self.wanted:
            self.found = row
        self._check_answers(about, answers)

    def _check_receipt(self, about: str, receipt: str) -> None:
        ballot_id = published_ballot_id(receipt)
        if ballot_id is None:
            self.findings.append(f"{about}: not a receipt code")
            return
        if ballot_id == self.last_id:
            self.findings.append(f"{about}: the receipt is listed twice")
        elif ballot_id < self.last_id:
            self.findings.append(f"{about}: out of the order of the receipts")
        self.last_id = max(self.last_id, ballot_id)

    def _check_answers(self, about: str, answers: list) -> None:
        questions = [question_id for (question_id, _), _ in answers]
        if questions != sorted(set(questions)):
            self.findings.append(f"{about}: answers not in ascending question order, or repeated")
        for question_id in self.required:
            if question_id not in questions:
                self.findings.append(f"{about}: required question {question_id} not answered")
        for (question_id, options), (problems, _cell) in answers:
            if problems:
                self.findings.append(f"{about}: question {question_id}: {', '.join(problems)}")
            elif options:
                self.grouped[question_id][options] += 1

    def _answer(self, question_id: int, options: tuple[int, ...]) -> tuple[list[str], str]:
        cell = f"{question_id}:{','.join(str(option) for option in options)}"
        spec = self.specs.get(question_id)
        if spec is None:
            return ["not a question of this poll"], cell
        found = [
            f"{p.code} {list(p.options)}" if p.options else p.code
            for p in answer_problems(spec, options)
        ]
        if not found and publication.published_options(spec, options) != options:
            found.append("options not in ascending order")
        return found, cell


def recount(directory: Path, *, receipt: str | None = None) -> RecountReport:
    """Check and recount the poll published in `directory` (and look up `receipt`, forgiving
    case and dashes); raises UnreadableInput."""
    poll, specs = _read_poll(directory)
    ballot_id = ballot_id_of(receipt) if receipt else None
    walk = _BallotCheck(poll, specs, receipt_of(ballot_id) if ballot_id else None)
    path = directory / publication.BALLOTS
    digest = hashlib.sha256()
    with _reading(path), path.open("rb") as ballots:
        for number, raw in enumerate(ballots, 1):
            digest.update(raw)
            walk.check(number, _row(path, number, raw))
    results_data, results = _read_json(directory / publication.RESULTS)
    with _reading(directory / publication.RESULTS):
        _expect(isinstance(results, dict), "an object")
        _expect(isinstance(results["questions"], list), "a list of questions")

    report = RecountReport(findings=walk.findings, ballots=walk.rows, receipt_row=walk.found)
    found = report.findings
    files = poll["files"]
    checks = [
        (
            f"poll.json's sha256 of {publication.BALLOTS}",
            files[publication.BALLOTS],
            digest.hexdigest(),
        ),
        (
            f"poll.json's sha256 of {publication.RESULTS}",
            files[publication.RESULTS],
            sha256(results_data),
        ),
        ("poll.json's chain_start", poll["chain_start"], walk.start),
        ("poll.json's chain_head", poll["chain_head"], walk.head),
        ("poll.json's ballots", poll.get("ballots"), walk.rows),
        ("results.json's poll", results.get("poll"), poll["poll"]),
        ("results.json's ballots", results.get("ballots"), walk.rows),
    ]
    found += [
        f"{what} is {stated!r}, the recount gives {value!r}"
        for what, stated, value in checks
        if stated != value
    ]
    report.results = [count_grouped(spec, walk.grouped[spec.id]) for spec in specs]
    stated_questions = results["questions"]
    if len(stated_questions) != len(specs):
        found.append(
            f"results.json lists {len(stated_questions)} questions, poll.json {len(specs)}"
        )
    for stated, result in zip(stated_questions, report.results, strict=False):
        found += _differences(f"question {result.question}", stated, result.as_dict())
    return report


def _differences(where: str, stated: Any, recounted: Any) -> Iterator[str]:
    """Every difference between a stated JSON value and the recounted one, each naming where."""
    if isinstance(recounted, dict):
        if not isinstance(stated, dict):
            yield f"{where} is {stated!r}, the recount gives {recounted!r}"
            return
        for key, value in recounted.items():
            if key not in stated:
                yield f"{where}: {key} is missing, the recount gives {value!r}"
            elif isinstance(value, list) and key in (*_ENTRIES, "rounds"):
                yield from _list_differences(where, key, stated[key], value)
            else:
                yield from _differences(f"{where}: {key}", stated[key], value)
        for key in stated.keys() - recounted.keys():
            yield f"{where}: {key} is not part of the result"
    elif stated != recounted or isinstance(stated, bool) != isinstance(recounted, bool):
        yield f"{where} is {stated!r}, the recount gives {recounted!r}"


def _list_differences(where: str, key: str, stated: Any, recounted: list) -> Iterator[str]:
    if not isinstance(stated, list) or len(stated) != len(recounted):
        size = len(stated) if isinstance(stated, list) else stated
        yield f"{where}: {key} has {size!r} entries, the recount {len(recounted)}"
    if isinstance(stated, list):
        for stated_entry, entry in zip(stated, recounted, strict=False):
            name = (
                f"round {entry['round']}" if key == "rounds" else f"{_ENTRIES[key]} {entry['id']}"
            )
            yield from _differences(f"{where}, {name}", stated_entry, entry)


def summary(result: QuestionResult) -> str:
    """One line saying what a question's recount decided."""
    line = f"question {result.question} ({result.kind}): {result.respondents} answered"
    if not result.respondents:
        return line
    if result.kind == "ranking":
        borda = (
            f"option {result.borda_winner}"
            if result.borda_winner is not None
            else "tied between options " + ", ".join(str(o) for o in result.borda_tied)
        )
        rounds = len(result.rounds)
        return (
            f"{line}; instant runoff elects option {result.winner} after {rounds} "
            f"round{'s' if rounds != 1 else ''}; Borda: {borda}"
        )
    most = max(option.votes for option in result.options)
    top = ", ".join(str(option.id) for option in result.options if option.votes == most)
    line = f"{line}; most votes ({most}): option {top}"
    return f"{line}; mean {result.mean}" if result.kind == "scale" else line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hamkke.polls.recount",
        description="Recount a published poll from its files alone.",
    )
    parser.add_argument(
        "directory", type=Path, help="holds poll.json, ballots.jsonl and results.json"
    )
    parser.add_argument("--receipt", help="also show the ballot with this receipt code")
    args = parser.parse_args(argv)
    try:
        report = recount(args.directory, receipt=args.receipt)
    except UnreadableInput as exc:
        print(f"cannot read the published poll: {exc}", file=sys.stderr)
        return 2
    print(f"{report.ballots} ballots")
    for result in report.results:
        print(summary(result))
    print("".join(f"DIFFERS: {finding}\n" for finding in report.findings), end="")
    differ = f"does NOT agree: {len(report.findings)} differences"
    print(f"The recount {'agrees with the published result' if report.agrees else differ}.")
    if args.receipt is None:
        return 0 if report.agrees else 1
    row = report.receipt_row
    if row is None:
        print(f"receipt {args.receipt}: no ballot has this receipt")
        return 1
    answers = "; ".join(
        f"question {answer['question']}: {', '.join(str(o) for o in answer['options'])}"
        for answer in row["answers"]
    )
    print(f"receipt {row['receipt']}: {answers or 'no answers'}")
    return 0 if report.agrees else 1


if __name__ == "__main__":
    sys.exit(main())
