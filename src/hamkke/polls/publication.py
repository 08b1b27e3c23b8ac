"""The ballot list of a closed poll, published so anyone can recount it, and its results. Pure
Python: nothing from Django. `recount.py` checks the files; the API pages through the same rows
(`ballot_rows`).

A closed poll publishes three UTF-8 files in one folder:

- `ballots.jsonl`: one JSON object per line (compact, keys in this order), sorted by ballot id
  ascending, which is the order of the receipt codes:
  `{"receipt":"XXXX-XXXX-XXXXX","answers":[{"question":3,"options":[7,5]},…],"hash":"…"}`.
  answers are sorted by question id; a skipped optional question is left out. options are in
  the ballot's order of preference for a ranking question, ascending ids for the other kinds.
- `results.json`: `{"poll": slug, "ballots": n, "questions": [...]}`, one entry per question in
  the order listed, as `tally.QuestionResult.as_dict` gives it (votes, shares, a scale's mean, a
  ranking's instant-runoff rounds, Borda points and winners; the rules: tally.py).
- `poll.json`: city, poll (slug), title, opens_at, closes_at (ISO 8601), the questions
  (`{"id","kind","max_choices","required","text","options":[{"id","text"}]}` in listed order),
  ballots (how many), chain_start, chain_head, and files: the SHA-256 of the UTF-8 bytes of
  `ballots.jsonl` and `results.json`.

The hash chain, to re-implement exactly (sha256 is the lowercase hex SHA-256 digest of the UTF-8
bytes of the string; `|`, `;`, `:` and `,` are literal; numbers in decimal):

    chain_start = sha256("hamkke-poll|" + city + "|" + poll)
    h_0 = chain_start
    cell_i = ";".join(str(q) + ":" + ",".join(str(o) for o in options_q)
                      for each answer {"question": q, "options": options_q} of row i, in order)
    h_i = sha256(h_(i-1) + "|" + receipt_i + "|" + cell_i)

over the rows i = 1…n of ballots.jsonl in file order; row i's "hash" is h_i and poll.json's
chain_head is h_n (chain_start when there are no ballots). For example a row answering question
1 with option 4 and ranking options 9, 7 on question 2 has the cell "1:4;2:9,7". A chain head
announced when the poll closed pins every ballot, its answers and their order.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from hamkke.core import receipts
from hamkke.core.receipts import receipt_of
from hamkke.polls.tally import QuestionSpec, answer_problems, count_grouped

POLL = "poll.json"
BALLOTS = "ballots.jsonl"
RESULTS = "results.json"
CHAIN_PREFIX = "hamkke-poll"


@dataclass(frozen=True)
class PublishedQuestion:
    spec: QuestionSpec
    text: str
    option_texts: Mapping[int, str]  # option id -> its text, for every option of spec


@dataclass(frozen=True)
class PublishedPoll:
    """A closed poll and its ballots: (ballot id, {question id: option ids}); the receipt of a
    ballot is receipt_of(id). Ballots may come in any order; they are published by id."""

    city: str
    slug: str
    title: str
    opens_at: str  # ISO 8601
    closes_at: str
    questions: Sequence[PublishedQuestion]
    ballots: Sequence[tuple[int, Mapping[int, Sequence[int]]]]


def chain_start(city: str, slug: str) -> str:
    return receipts.chain_start(CHAIN_PREFIX, city, slug)


def cell_of(answers: Mapping[int, Sequence[int]]) -> str:
    """The chain cell of a ballot's answers as published (options already in published order):
    "q:o,o;q:o" over the answered questions by id."""
    return ";".join(
        f"{question}:{','.join(str(option) for option in options)}"
        for question, options in sorted(answers.items())
        if options
    )


def published_options(question: QuestionSpec, chosen: Sequence[int]) -> tuple[int, ...]:
    """An answer's options in published order: a ranking's as ranked, the others ascending."""
    return tuple(chosen) if question.kind == "ranking" else tuple(sorted(chosen))


class _Answers:
    """Checks and writes answers, remembering each distinct (question, options) seen: a million
    ballots give few distinct answers, so each is validated and formatted once."""

    def __init__(self, questions: Sequence[QuestionSpec]):
        self.questions = {question.id: question for question in questions}
        self.required = {question.id for question in questions if question.required}
        # (question id, options as given) -> (options published, cell part, JSON part)
        self.seen: dict[tuple[int, tuple[int, ...]], tuple[tuple[int, ...], str, str]] = {}

    def written(self, receipt: str, answers: Mapping[int, Sequence[int]]) -> list:
        """[(question id, published options, cell part, JSON part)] by question id; ValueError
        (naming the receipt) when the ballot breaks a rule."""
        parts = []
        for question_id, chosen in answers.items():
            if not chosen:
                continue  # a skipped question; required ones are checked below
            key = (question_id, tuple(chosen))
            part = self.seen.get(key)
            if part is None:
                part = self.seen[key] = self._check(receipt, *key)
            parts.append((question_id, *part))
        missing = sorted(self.required.difference(part[0] for part in parts))
        if missing:
            raise ValueError(f"ballot {receipt}: required questions {missing} not answered")
        parts.sort(key=itemgetter(0))
        return parts

    def _check(
        self, receipt: str, question_id: int, chosen: tuple[int, ...]
    ) -> tuple[tuple[int, ...], str, str]:
        question = self.questions.get(question_id)
        if question is None:
            raise ValueError(f"ballot {receipt}: question {question_id} is not in the poll")
        problems = answer_problems(question, chosen)
        if problems:
            # The services refuse such answers: publishing one would hide a fault.
            codes = ", ".join(problem.code for problem in problems)
            raise ValueError(f"ballot {receipt}: question {question_id}: {codes}")
        options = published_options(question, chosen)
        listed = ",".join(str(option) for option in options)
        return (
            options,
            f"{question_id}:{listed}",
            f'{{"question":{question_id},"options":[{listed}]}}',
        )


def _rows(poll: PublishedPoll) -> Iterator[tuple[str, list, str]]:
    """(receipt, written answers, h_i) of each ballot by id, checking every ballot."""
    checker = _Answers([question.spec for question in poll.questions])
    link = chain_start(poll.city, poll.slug)
    previous = None
    for ballot_id, answers in sorted(poll.ballots, key=itemgetter(0)):
        receipt = receipt_of(ballot_id)
        if ballot_id == previous:
            raise ValueError(f"ballot {receipt} is listed twice")
        previous = ballot_id
        parts = checker.written(receipt, answers)
        link = receipts.chain_link(link, receipt, ";".join(part[2] for part in parts))
        yield receipt, parts, link


def ballot_rows(poll: PublishedPoll) -> Iterator[dict[str, Any]]:
    """The rows of ballots.jsonl, in order, each with its hash (see the module docstring)."""
    for receipt, parts, link in _rows(poll):
        yield {
            "receipt": receipt,
            "answers": [{"question": q, "options": list(options)} for q, options, *_ in parts],
            "hash": link,
        }


def _write(poll: PublishedPoll, write: Callable[[str], Any]) -> dict[str, str]:
    """Write ballots.jsonl line by line through `write` (nothing held in memory but the tallies)
    and return the text of results.json and poll.json."""
    digest = hashlib.sha256()
    specs = [question.spec for question in poll.questions]
    grouped: dict[int, Counter] = {spec.id: Counter() for spec in specs}
    ballots = 0
    head = start = chain_start(poll.city, poll.slug)
    for receipt, parts, head in _rows(poll):  # after the loop, head is h_n
        answers = ",".join(part[3] for part in parts)
        # Exactly json.dumps(row, separators=(",", ":")): every value is a number or plain ASCII.
        line = f'{{"receipt":"{receipt}","answers":[{answers}],"hash":"{head}"}}\n'
        write(line)
        digest.update(line.encode("ascii"))
        for question_id, options, *_ in parts:
            grouped[question_id][options] += 1
        ballots += 1
    results = _json(
        {
            "poll": poll.slug,
            "ballots": ballots,
            "questions": [count_grouped(spec, grouped[spec.id]).as_dict() for spec in specs],
        }
    )
    document = {
        "city": poll.city,
        "poll": poll.slug,
        "title": poll.title,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "questions": [_question(question) for question in poll.questions],
        "ballots": ballots,
        "chain_start": start,
        "chain_head": head,
        "files": {BALLOTS: digest.hexdigest(), RESULTS: receipts.sha256(results)},
    }
    return {RESULTS: results, POLL: _json(document)}


def _question(question: PublishedQuestion) -> dict[str, Any]:
    spec = question.spec
    if set(question.option_texts) != set(spec.options):
        raise ValueError(f"question {spec.id}: the option texts do not match its options")
    return {
        "id": spec.id,
        "kind": spec.kind,
        "max_choices": spec.max_choices,
        "required": spec.required,
        "text": question.text,
        "options": [
            {"id": option, "text": question.option_texts[option]} for option in spec.options
        ],
    }


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def publish(poll: PublishedPoll) -> dict[str, str]:
    """The text of the three published files by name (see the module docstring). ValueError
    when a ballot breaks the poll's rules or is listed twice."""
    ballots = io.StringIO()
    files = _write(poll, ballots.write)
    return {POLL: files[POLL], BALLOTS: ballots.getvalue(), RESULTS: files[RESULTS]}


def write(poll: PublishedPoll, directory: Path) -> None:
    """Publish straight into `directory`, streaming the ballot list to disk (for large polls).
    On a ValueError nothing is left there but a partial ballots file, removed."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BALLOTS
    try:
        with path.open("w", encoding="utf-8", newline="") as ballots:
            files = _write(poll, ballots.write)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    save(files, directory)


def save(files: Mapping[str, str], directory: Path) -> None:
    """Write the published files into `directory` as UTF-8 bytes, exactly as hashed."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_bytes(text.encode("utf-8"))
