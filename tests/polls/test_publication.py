"""The published ballot list of a poll: the rows, the hash chain computed here with hashlib from
the module docstring, and the three files, on a tiny poll counted by hand. No database."""

from __future__ import annotations

import hashlib
import json

import pytest

from hamkke.polls import publication
from hamkke.polls.publication import PublishedPoll, PublishedQuestion
from hamkke.polls.tally import QuestionSpec


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def park_poll(ballots=None) -> PublishedPoll:
    """Four questions, one of each kind, and four ballots given out of order; ballot 3 skips
    the optional scale, ballot 5 leaves it empty."""
    questions = [
        PublishedQuestion(
            QuestionSpec(1, "single", (11, 12, 13)), "어느 공원?", {11: "A", 12: "B", 13: "C"}
        ),
        PublishedQuestion(
            QuestionSpec(2, "multiple", (21, 22, 23), max_choices=2),
            "Which two facilities?",
            {21: "Benches", 22: "Trees", 23: "Toilets"},
        ),
        PublishedQuestion(
            QuestionSpec(3, "ranking", (31, 32, 33)),
            "Rank the designs",
            {31: "Green", 32: "Water", 33: "Play"},
        ),
        PublishedQuestion(
            QuestionSpec(4, "scale", (41, 42, 43, 44, 45), required=False),
            "How much do you need it?",
            {41: "1", 42: "2", 43: "3", 44: "4", 45: "5"},
        ),
    ]
    if ballots is None:
        ballots = [
            (40, {1: [12], 2: [23, 21], 3: [33, 31], 4: [44]}),
            (3, {1: [11], 2: [22], 3: [31, 32, 33]}),
            (900, {1: [12], 2: [21], 3: [32], 4: [45]}),
            (5, {1: [12], 2: [21, 22], 3: [33, 32, 31], 4: []}),
        ]
    return PublishedPoll(
        city="seoul",
        slug="park-2025",
        title="Our new park",
        opens_at="2025-05-01T09:00:00+09:00",
        closes_at="2025-05-15T18:00:00+09:00",
        questions=questions,
        ballots=ballots,
    )


# Receipts in Crockford base32 by hand: 3, 5, 40 = 1*32 + 8, 900 = 28*32 + 4 (28 is W).
ROWS = [
    ("0000-0000-00003", [(1, [11]), (2, [22]), (3, [31, 32, 33])], "1:11;2:22;3:31,32,33"),
    ("0000-0000-00005", [(1, [12]), (2, [21, 22]), (3, [33, 32, 31])], "1:12;2:21,22;3:33,32,31"),
    (
        "0000-0000-00018",
        [(1, [12]), (2, [21, 23]), (3, [33, 31]), (4, [44])],
        "1:12;2:21,23;3:33,31;4:44",
    ),
    ("0000-0000-000W4", [(1, [12]), (2, [21]), (3, [32]), (4, [45])], "1:12;2:21;3:32;4:45"),
]


def hand_chain() -> list[str]:
    link = sha("hamkke-poll|seoul|park-2025")
    hashes = []
    for receipt, _answers, cell in ROWS:
        link = sha(f"{link}|{receipt}|{cell}")
        hashes.append(link)
    return hashes


def counted(question, kind, respondents, options, **more):
    """A question of results.json: options as (id, votes, share)."""
    listed = [{"id": i, "votes": votes, "share": share} for i, votes, share in options]
    return {"id": question, "kind": kind, "respondents": respondents, "options": listed, **more}


def runoff_round(number, tallies, exhausted, eliminated, winner, tie_broken_by):
    listed = [{"id": i, "votes": votes} for i, votes in tallies]
    return {
        "round": number,
        "tallies": listed,
        "exhausted": exhausted,
        "eliminated": eliminated,
        "winner": winner,
        "tie_broken_by": tie_broken_by,
    }


# Counted by hand from the four ballots above.
RESULTS = {
    "poll": "park-2025",
    "ballots": 4,
    "questions": [
        counted(1, "single", 4, [(11, 1, 0.25), (12, 3, 0.75), (13, 0, 0.0)]),
        counted(2, "multiple", 4, [(21, 3, 0.75), (22, 2, 0.5), (23, 1, 0.25)]),
        counted(
            3,
            "ranking",
            4,
            [(31, 1, 0.25), (32, 1, 0.25), (33, 2, 0.5)],
            rounds=[
                # 31 and 32 tie at 1 in the first round: 31 has fewer Borda points.
                runoff_round(1, [(31, 1), (32, 1), (33, 2)], 0, 31, None, "borda"),
                # Ballot 3 moves to 32, ballot 40 (33, 31) stays: 2 each; 32 had fewer in
                # round 1.
                runoff_round(2, [(32, 2), (33, 2)], 0, 32, None, "earlier_round"),
                # Ballot 3 moves to 33; ballot 900 ranked only 32: exhausted. 3 of 3.
                runoff_round(3, [(33, 3)], 1, None, 33, None),
            ],
            # Borda (3 options: 2, 1, 0 points): 31 = 2 + 1 = 3; 32 = 1 + 1 + 2 = 4;
            # 33 = 2 + 2 = 4 (and 0 on ballot 3).
            borda=[{"id": 32, "points": 4}, {"id": 33, "points": 4}, {"id": 31, "points": 3}],
            winner=33,
            borda_winner=None,
        ),
        # (4 + 5) / 2
        counted(
            4,
            "scale",
            2,
            [(40 + v, 0, 0.0) for v in (1, 2, 3)] + [(44, 1, 0.5), (45, 1, 0.5)],
            mean=4.5,
        ),
    ],
}


def test_rows_are_in_receipt_order_with_the_hand_computed_chain():
    rows = list(publication.ballot_rows(park_poll()))
    expected = [
        {
            "receipt": receipt,
            "answers": [{"question": q, "options": options} for q, options in answers],
            "hash": link,
        }
        for (receipt, answers, _cell), link in zip(ROWS, hand_chain(), strict=True)
    ]
    assert rows == expected


def test_cell_of():
    assert publication.cell_of({3: [33, 31], 1: [12], 4: [], 2: [21, 23]}) == "1:12;2:21,23;3:33,31"
    assert publication.cell_of({}) == ""


def test_the_ballot_list_file():
    files = publication.publish(park_poll())
    lines = files[publication.BALLOTS].split("\n")
    assert lines[-1] == ""  # every line ends with a newline
    assert [json.loads(line) for line in lines[:-1]] == list(publication.ballot_rows(park_poll()))
    # Compact JSON, keys in the documented order.
    assert lines[2] == (
        '{"receipt":"0000-0000-00018","answers":[{"question":1,"options":[12]},'
        '{"question":2,"options":[21,23]},{"question":3,"options":[33,31]},'
        '{"question":4,"options":[44]}],"hash":"' + hand_chain()[2] + '"}'
    )


def test_the_results_file_holds_the_hand_count():
    files = publication.publish(park_poll())
    assert json.loads(files[publication.RESULTS]) == RESULTS


def listed(question, kind, max_choices, required, text, options):
    """A question of poll.json."""
    return {
        "id": question,
        "kind": kind,
        "max_choices": max_choices,
        "required": required,
        "text": text,
        "options": [{"id": option, "text": label} for option, label in options.items()],
    }


def test_the_poll_file():
    files = publication.publish(park_poll())
    document = json.loads(files[publication.POLL])
    assert document == {
        "city": "seoul",
        "poll": "park-2025",
        "title": "Our new park",
        "opens_at": "2025-05-01T09:00:00+09:00",
        "closes_at": "2025-05-15T18:00:00+09:00",
        "questions": [
            listed(1, "single", None, True, "어느 공원?", {11: "A", 12: "B", 13: "C"}),
            listed(
                2,
                "multiple",
                2,
                True,
                "Which two facilities?",
                {21: "Benches", 22: "Trees", 23: "Toilets"},
            ),
            listed(
                3, "ranking", None, True, "Rank the designs", {31: "Green", 32: "Water", 33: "Play"}
            ),
            listed(
                4,
                "scale",
                None,
                False,
                "How much do you need it?",
                {40 + v: str(v) for v in range(1, 6)},
            ),
        ],
        "ballots": 4,
        "chain_start": sha("hamkke-poll|seoul|park-2025"),
        "chain_head": hand_chain()[-1],
        "files": {
            "ballots.jsonl": sha(files[publication.BALLOTS]),
            "results.json": sha(files[publication.RESULTS]),
        },
    }
    assert "어느 공원?" in files[publication.POLL]  # UTF-8, not \u escapes


def test_no_ballots():
    files = publication.publish(park_poll(ballots=[]))
    document = json.loads(files[publication.POLL])
    assert document["chain_head"] == document["chain_start"] == sha("hamkke-poll|seoul|park-2025")
    assert files[publication.BALLOTS] == ""
    results = json.loads(files[publication.RESULTS])
    assert results["ballots"] == 0
    assert [q["respondents"] for q in results["questions"]] == [0, 0, 0, 0]
    assert results["questions"][2]["rounds"] == []
    assert results["questions"][3]["mean"] is None


def test_write_streams_the_same_bytes_as_publish_and_save(tmp_path):
    publication.write(park_poll(), tmp_path / "streamed")
    publication.save(publication.publish(park_poll()), tmp_path / "saved")
    for name in (publication.POLL, publication.BALLOTS, publication.RESULTS):
        assert (tmp_path / "streamed" / name).read_bytes() == (
            tmp_path / "saved" / name
        ).read_bytes()


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ((7, {1: [11, 12], 2: [21], 3: [31]}), "too_many"),
        ((7, {1: [19], 2: [21], 3: [31]}), "unknown"),
        ((7, {1: [11], 2: [21], 3: [31, 31]}), "repeated"),
        ((7, {1: [11], 3: [31]}), r"required questions \[2\]"),
        ((7, {1: [11], 2: [21], 3: [31], 9: [1]}), "question 9 is not in the poll"),
        ((40, {1: [11], 2: [21], 3: [31]}), "listed twice"),
    ],
)
def test_a_ballot_breaking_the_rules_is_not_published(tmp_path, ballot, message):
    poll = park_poll()
    poll = park_poll(ballots=[*poll.ballots, ballot])
    with pytest.raises(ValueError, match=message):
        publication.publish(poll)
    with pytest.raises(ValueError, match=message):
        publication.write(poll, tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_option_texts_must_match_the_options():
    poll = park_poll()
    question = poll.questions[0]
    broken = PublishedQuestion(question.spec, question.text, {11: "A", 12: "B"})
    poll = PublishedPoll(
        poll.city,
        poll.slug,
        poll.title,
        poll.opens_at,
        poll.closes_at,
        [broken, *poll.questions[1:]],
        poll.ballots,
    )
    with pytest.raises(ValueError, match="question 1"):
        publication.publish(poll)
