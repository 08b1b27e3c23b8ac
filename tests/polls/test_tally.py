"""The poll rules and counts on profiles worked out by hand: answer problems of every kind,
counting, instant runoff (the Tennessee capital example, each tie-break deciding, exhausted
ballots, a first-round majority) and Borda. No database."""

from __future__ import annotations

import pytest

from hamkke.polls.tally import (
    BordaScore,
    OptionCount,
    Problem,
    QuestionSpec,
    Round,
    age_band,
    answer_problems,
    ballot_problems,
    borda,
    borda_winner,
    count,
    instant_runoff,
    result_from_totals,
    suppress_small,
)

SINGLE = QuestionSpec(1, "single", (11, 12, 13))
MULTIPLE = QuestionSpec(2, "multiple", (21, 22, 23, 24), max_choices=2)
ANY_NUMBER = QuestionSpec(3, "multiple", (31, 32, 33))
RANKING = QuestionSpec(4, "ranking", (41, 42, 43))
SCALE = QuestionSpec(5, "scale", (51, 52, 53, 54, 55), required=False)


def repeat(profile):
    """[(ranking, how many ballots)] -> the list of ballots."""
    return [list(ranking) for ranking, n in profile for _ in range(n)]


# Answer rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [SINGLE, MULTIPLE, ANY_NUMBER, RANKING])
def test_a_required_question_left_empty(question):
    assert answer_problems(question, []) == [Problem("empty")]


def test_an_optional_question_may_be_skipped():
    assert answer_problems(SCALE, []) == []
    assert answer_problems(QuestionSpec(9, "ranking", (1, 2), required=False), []) == []


@pytest.mark.parametrize(
    ("question", "chosen"),
    [
        (SINGLE, [12]),
        (MULTIPLE, [24, 21]),
        (MULTIPLE, [22]),
        (ANY_NUMBER, [31, 32, 33]),
        (RANKING, [43]),
        (RANKING, [43, 41]),
        (RANKING, [42, 43, 41]),
        (SCALE, [55]),
    ],
)
def test_valid_answers(question, chosen):
    assert answer_problems(question, chosen) == []


@pytest.mark.parametrize(
    ("question", "chosen", "unknown"),
    [
        (SINGLE, [14], (14,)),
        (MULTIPLE, [21, 99], (99,)),
        (RANKING, [41, 7, 5], (5, 7)),
        (SCALE, [56], (56,)),
    ],
)
def test_unknown_options(question, chosen, unknown):
    assert answer_problems(question, chosen) == [Problem("unknown", options=unknown)]


@pytest.mark.parametrize(
    ("question", "chosen", "repeated"),
    [
        (SINGLE, [11, 11], (11,)),
        (MULTIPLE, [21, 21], (21,)),
        (ANY_NUMBER, [33, 31, 33, 31], (31, 33)),
        (RANKING, [42, 41, 42], (42,)),
        (SCALE, [53, 53], (53,)),
    ],
)
def test_repeated_options(question, chosen, repeated):
    # Counted once for too_many: [11, 11] names one option, however often.
    assert answer_problems(question, chosen) == [Problem("repeated", options=repeated)]


@pytest.mark.parametrize(
    ("question", "chosen", "amount", "limit"),
    [
        (SINGLE, [11, 13], 2, 1),
        (SCALE, [51, 52, 53], 3, 1),
        (MULTIPLE, [21, 22, 23], 3, 2),
    ],
)
def test_too_many(question, chosen, amount, limit):
    assert answer_problems(question, chosen) == [Problem("too_many", amount=amount, limit=limit)]


def test_a_multiple_without_limit_and_a_full_ranking_are_never_too_many():
    assert answer_problems(ANY_NUMBER, [33, 32, 31]) == []
    assert answer_problems(RANKING, [43, 42, 41]) == []


def test_every_problem_of_one_answer():
    assert answer_problems(SINGLE, [11, 11, 99]) == [
        Problem("repeated", options=(11,)),
        Problem("unknown", options=(99,)),
        Problem("too_many", amount=2, limit=1),
    ]


def test_ballot_problems_per_question_and_unknown_questions():
    questions = [SINGLE, MULTIPLE, SCALE]
    assert ballot_problems(questions, {1: [12], 2: [21, 22]}) == {}
    assert ballot_problems(questions, {1: [12], 2: [21, 22], 5: []}) == {}
    assert ballot_problems(questions, {2: [21, 22, 23], 5: [50], 8: [1], 7: []}) == {
        1: [Problem("empty")],
        2: [Problem("too_many", amount=3, limit=2)],
        5: [Problem("unknown", options=(50,))],
        7: [Problem("unknown_question")],
        8: [Problem("unknown_question")],
    }


@pytest.mark.parametrize(
    ("kind", "options", "max_choices"),
    [
        ("poll", (1, 2), None),
        ("single", (), None),
        ("single", (1, 2, 1), None),
        ("scale", (1, 2, 3, 4), None),
        ("multiple", (1, 2), 0),
    ],
)
def test_impossible_questions_are_refused(kind, options, max_choices):
    with pytest.raises(ValueError):
        QuestionSpec(1, kind, options, max_choices=max_choices)


# Counting ---------------------------------------------------------------------------------------


def test_count_single():
    result = count(SINGLE, [[12], [11], [12], [12], [11], [12]])
    assert result.respondents == 6
    # 4/6 = 0.66666… and 2/6 = 0.33333…, rounded to 4 places
    assert result.options == (
        OptionCount(11, 2, 0.3333),
        OptionCount(12, 4, 0.6667),
        OptionCount(13, 0, 0.0),
    )
    assert result.as_dict() == {
        "id": 1,
        "kind": "single",
        "respondents": 6,
        "options": [
            {"id": 11, "votes": 2, "share": 0.3333},
            {"id": 12, "votes": 4, "share": 0.6667},
            {"id": 13, "votes": 0, "share": 0.0},
        ],
    }


def test_count_multiple_shares_are_of_ballots_not_of_choices():
    result = count(MULTIPLE, [[21, 22], [22], [24, 22], [21, 24]])
    assert [(o.id, o.votes, o.share) for o in result.options] == [
        (21, 2, 0.5),
        (22, 3, 0.75),
        (23, 0, 0.0),
        (24, 2, 0.5),
    ]


def test_count_scale_mean_and_skipped_ballots():
    # Values 1, 1, 2 and two ballots skipping the optional question: mean 4/3.
    result = count(SCALE, [[51], [], [51], [52], []])
    assert result.respondents == 3
    assert result.mean == 1.3333
    assert [o.votes for o in result.options] == [2, 1, 0, 0, 0]
    assert result.as_dict()["mean"] == 1.3333
    assert set(result.as_dict()) == {"id", "kind", "respondents", "options", "mean"}


def test_no_respondents():
    result = count(SCALE, [[], []])
    assert (result.respondents, result.mean) == (0, None)
    assert [(o.votes, o.share) for o in result.options] == [(0, 0.0)] * 5
    ranking = count(RANKING, [])
    assert (ranking.winner, ranking.borda_winner, ranking.borda_tied, ranking.rounds) == (
        None,
        None,
        (),
        (),
    )


def test_count_refuses_an_invalid_answer():
    with pytest.raises(ValueError, match="question 1"):
        count(SINGLE, [[11], [11, 12]])


def test_result_from_totals_matches_the_hand_count():
    result = result_from_totals(SCALE, {53: 1, 55: 3}, respondents=4)
    # (3 + 5 + 5 + 5) / 4
    assert result.mean == 4.5
    assert [(o.id, o.votes, o.share) for o in result.options] == [
        (51, 0, 0.0),
        (52, 0, 0.0),
        (53, 1, 0.25),
        (54, 0, 0.0),
        (55, 3, 0.75),
    ]
    assert result == count(SCALE, [[55], [53], [55], [55], []])


@pytest.mark.parametrize(
    ("question", "totals", "respondents"),
    [
        (SINGLE, {11: 2, 12: 1}, 2),  # three votes from two single answers
        (SINGLE, {99: 1}, 1),  # not an option
        (MULTIPLE, {21: 2, 22: 2, 23: 2}, 2),  # more than 2 choices each
        (MULTIPLE, {21: 3}, 2),  # more votes than ballots for one option
        (ANY_NUMBER, {31: 1}, 2),  # one of two respondents chose nothing
        (RANKING, {41: 1}, 1),  # rankings need the ballots
    ],
)
def test_result_from_totals_refuses_impossible_totals(question, totals, respondents):
    with pytest.raises(ValueError):
        result_from_totals(question, totals, respondents)


# Instant runoff and Borda -----------------------------------------------------------------------

MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE = 1, 2, 3, 4
TENNESSEE = QuestionSpec(7, "ranking", (MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE))
TENNESSEE_BALLOTS = repeat(
    [
        ((MEMPHIS, NASHVILLE, CHATTANOOGA, KNOXVILLE), 42),
        ((NASHVILLE, CHATTANOOGA, KNOXVILLE, MEMPHIS), 26),
        ((CHATTANOOGA, KNOXVILLE, NASHVILLE, MEMPHIS), 15),
        ((KNOXVILLE, CHATTANOOGA, NASHVILLE, MEMPHIS), 17),
    ]
)


def test_tennessee_instant_runoff_elects_knoxville():
    runoff = instant_runoff(TENNESSEE.options, TENNESSEE_BALLOTS)
    assert runoff.winner == KNOXVILLE
    assert runoff.rounds == (
        # Chattanooga has fewest; its 15 go on to Knoxville
        Round(1, {1: 42, 2: 26, 3: 15, 4: 17}, 0, CHATTANOOGA, None, None),
        # Nashville has fewest; its 26 rank Chattanooga (gone), then Knoxville
        Round(2, {1: 42, 2: 26, 4: 32}, 0, NASHVILLE, None, None),
        Round(3, {1: 42, 4: 58}, 0, None, KNOXVILLE, None),
    )


def test_tennessee_borda_elects_nashville():
    # 3, 2, 1, 0 points for first to fourth place:
    # Memphis 42*3; Nashville 42*2 + 26*3 + 15 + 17; Chattanooga 42 + 26*2 + 15*3 + 17*2;
    # Knoxville 26 + 15*2 + 17*3.
    scores = borda(TENNESSEE.options, TENNESSEE_BALLOTS)
    assert scores == (
        BordaScore(NASHVILLE, 194),
        BordaScore(CHATTANOOGA, 173),
        BordaScore(MEMPHIS, 126),
        BordaScore(KNOXVILLE, 107),
    )
    assert borda_winner(scores) == NASHVILLE


def test_tennessee_result_as_dict():
    document = count(TENNESSEE, TENNESSEE_BALLOTS).as_dict()
    assert document["options"] == [
        {"id": 1, "votes": 42, "share": 0.42},
        {"id": 2, "votes": 26, "share": 0.26},
        {"id": 3, "votes": 15, "share": 0.15},
        {"id": 4, "votes": 17, "share": 0.17},
    ]
    assert document["rounds"][1] == {
        "round": 2,
        "tallies": [{"id": 1, "votes": 42}, {"id": 2, "votes": 26}, {"id": 4, "votes": 32}],
        "exhausted": 0,
        "eliminated": 2,
        "winner": None,
        "tie_broken_by": None,
    }
    assert document["borda"] == [
        {"id": 2, "points": 194},
        {"id": 3, "points": 173},
        {"id": 1, "points": 126},
        {"id": 4, "points": 107},
    ]
    assert (document["winner"], document["borda_winner"]) == (4, 2)
    assert list(document) == [
        "id",
        "kind",
        "respondents",
        "options",
        "rounds",
        "borda",
        "winner",
        "borda_winner",
    ]


def test_a_tie_for_fewest_broken_by_the_earlier_round():
    # Round 2: B and C both have 6; in round 1 B had 5 and C 6, so B goes, though B has more
    # Borda points (20 + 15 + 2 = 37 against C's 18 + 10 + 1 = 29) and C is listed last.
    a, b, c, d = 1, 2, 3, 4
    ballots = repeat([((a, b), 10), ((c,), 6), ((b, c), 5), ((d, b, c), 1)])
    runoff = instant_runoff((a, b, c, d), ballots)
    assert runoff.rounds == (
        Round(1, {a: 10, b: 5, c: 6, d: 1}, 0, d, None, None),
        Round(2, {a: 10, b: 6, c: 6}, 0, b, None, "earlier_round"),
        Round(3, {a: 10, c: 12}, 0, None, c, None),
    )
    assert runoff.winner == c


def test_the_earlier_round_looks_back_from_the_round_before():
    # Round 3: B and C tie at 5. In round 2 B had 4 and C 5; in round 1 B had 4 and C 3. The
    # round before decides: B goes (looking at round 1 first, or by order, C would).
    a, b, c, d, e = 1, 2, 3, 4, 5
    ballots = repeat([((a,), 8), ((b, c), 4), ((c,), 3), ((d, b, c), 1), ((d, a), 2), ((e, c), 2)])
    runoff = instant_runoff((a, b, c, d, e), ballots)
    assert runoff.rounds == (
        Round(1, {a: 8, b: 4, c: 3, d: 3, e: 2}, 0, e, None, None),
        Round(2, {a: 8, b: 4, c: 5, d: 3}, 0, d, None, None),
        Round(3, {a: 10, b: 5, c: 5}, 0, b, None, "earlier_round"),
        # 10 of 20 is not more than half; in round 3 C had fewer
        Round(4, {a: 10, c: 10}, 0, c, None, "earlier_round"),
        Round(5, {a: 10}, 10, None, a, None),
    )


def test_a_tie_for_fewest_broken_by_borda():
    # Round 1: 2 and 3 have 3 each; Borda: 2 has 3*2 = 6, 3 has 3*2 + 5*1 = 11, so 2 goes
    # (though listed first). Its ballots rank nothing else: exhausted.
    ballots = repeat([((1, 3), 5), ((2,), 3), ((3,), 3)])
    runoff = instant_runoff((1, 2, 3), ballots)
    assert runoff.rounds == (
        Round(1, {1: 5, 2: 3, 3: 3}, 0, 2, None, "borda"),
        # 5 of the 8 continuing ballots
        Round(2, {1: 5, 3: 3}, 3, None, 1, None),
    )


def test_a_tie_for_fewest_broken_by_order():
    # 2 and 3: 2 votes and 4 Borda points each; 3 is listed last.
    ballots = repeat([((1,), 4), ((2,), 2), ((3,), 2)])
    runoff = instant_runoff((1, 2, 3), ballots)
    assert runoff.rounds == (
        Round(1, {1: 4, 2: 2, 3: 2}, 0, 3, None, "order"),
        Round(2, {1: 4, 2: 2}, 2, None, 1, None),
    )


def test_a_tie_still_tied_in_every_earlier_round_goes_to_borda():
    # Round 1: 4 goes (1 vote) and its ballot exhausts. Round 2: 2 and 3 tie at 2, as in
    # round 1. Borda (n = 4): 2 has 2*3 = 6, 3 has 2*3 + 3*1 = 9 (the 3 votes for 1 rank it
    # third): 2 goes.
    ballots = repeat([((1, 4, 3), 3), ((2,), 2), ((3,), 2), ((4,), 1)])
    runoff = instant_runoff((1, 2, 3, 4), ballots)
    assert [(r.eliminated, r.tie_broken_by) for r in runoff.rounds] == [
        (4, None),
        (2, "borda"),
        (None, None),
    ]
    assert runoff.rounds[1].tallies == {1: 3, 2: 2, 3: 2}
    assert runoff.rounds[1].exhausted == 1
    assert runoff.winner == 1  # round 3: 1 has 3 of the 5 continuing ballots


def test_exhausted_ballots_leave_the_majority_to_the_rest():
    # Round 2: 1 has 4 of 9 ballots, but 4 of the 7 not exhausted.
    ballots = repeat([((1,), 4), ((2,), 3), ((3,), 2)])
    runoff = instant_runoff((1, 2, 3), ballots)
    assert runoff.rounds[-1] == Round(2, {1: 4, 2: 3}, 2, None, 1, None)


def test_a_first_round_majority_ends_the_count():
    runoff = instant_runoff((1, 2, 3), repeat([((1, 2), 3), ((2,), 2)]))
    assert runoff.rounds == (Round(1, {1: 3, 2: 2, 3: 0}, 0, None, 1, None),)


def test_exactly_half_is_not_a_majority():
    # 2 of 4 is not more than half: the option with fewest (3) goes first.
    runoff = instant_runoff((1, 2, 3), repeat([((1,), 2), ((2, 1), 1), ((3, 2), 1)]))
    assert runoff.rounds[0] == Round(1, {1: 2, 2: 1, 3: 1}, 0, 3, None, "borda")
    # Borda (n = 3): 2 has 2 + 1 = 3 points, 3 has 2: 3 goes, then 2 has 2 of 4: still not
    # more than half; 2 goes (fewer in round 1) and 1 wins with 3: the ballot 3, 2 is exhausted.
    assert runoff.rounds[1:] == (
        Round(2, {1: 2, 2: 2}, 0, 2, None, "earlier_round"),
        Round(3, {1: 3}, 1, None, 1, None),
    )


def test_a_single_option_wins():
    runoff = instant_runoff((7,), [[7], [7]])
    assert runoff.rounds == (Round(1, {7: 2}, 0, None, 7, None),)
    assert runoff.winner == 7


def test_no_ballots_no_rounds():
    runoff = instant_runoff((1, 2), [])
    assert (runoff.rounds, runoff.winner) == ((), None)


def test_borda_tie_names_no_winner():
    question = QuestionSpec(8, "ranking", (1, 2, 3))
    # 1: 2 + 1 = 3; 2: 1 + 2 = 3; 3: 0
    result = count(question, [[1, 2], [2, 1]])
    assert result.borda == (BordaScore(1, 3), BordaScore(2, 3), BordaScore(3, 0))
    assert result.borda_winner is None
    assert result.borda_tied == (1, 2)
    assert result.as_dict()["borda_winner"] is None


def test_borda_points_count_the_options_on_the_question_not_on_the_ballot():
    # With 4 options, a ballot ranking only two gives them 3 and 2 points.
    assert borda((1, 2, 3, 4), [[3, 1]]) == (
        BordaScore(3, 3),
        BordaScore(1, 2),
        BordaScore(2, 0),
        BordaScore(4, 0),
    )


# Breakdowns -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-19"),
        (19, "0-19"),
        (20, "20-29"),
        (29, "20-29"),
        (35, "30-39"),
        (40, "40-49"),
        (59, "50-59"),
        (69, "60-69"),
        (70, "70+"),
        (104, "70+"),
    ],
)
def test_age_bands(age, band):
    assert age_band(age) == band


def test_a_negative_age_is_refused():
    with pytest.raises(ValueError):
        age_band(-1)


def test_small_groups_are_suppressed():
    groups = {"11110": 10, "11140": 9, "70+": 0, "20-29": 250}
    assert suppress_small(groups) == {"11110", "20-29"}
    assert suppress_small(groups, minimum=5) == {"11110", "11140", "20-29"}
