"""Properties of the poll counts on random questions and ballots: the count equals a naive
recount, instant runoff keeps its invariants and agrees with a naive ballot-by-ballot runoff,
and a GROUP BY's totals give the same result as the ballots. No database."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from hamkke.polls.tally import (
    QuestionSpec,
    answer_problems,
    borda,
    count,
    instant_runoff,
    result_from_totals,
)


@st.composite
def questions(draw, kinds=("single", "multiple", "ranking", "scale")):
    kind = draw(st.sampled_from(kinds))
    size = 5 if kind == "scale" else draw(st.integers(1, 6))
    options = tuple(draw(st.lists(st.integers(1, 99), min_size=size, max_size=size, unique=True)))
    limit = draw(st.none() | st.integers(1, size)) if kind == "multiple" else None
    return QuestionSpec(1, kind, options, max_choices=limit, required=draw(st.booleans()))


def answers(question: QuestionSpec):
    """Valid answers to `question`, empty ones only when it is optional."""
    options = list(question.options)
    if question.kind in ("single", "scale"):
        answer = st.sampled_from(options).map(lambda option: [option])
    elif question.kind == "multiple":
        most = question.max_choices or len(options)
        answer = st.lists(st.sampled_from(options), min_size=1, max_size=most, unique=True)
    else:
        answer = st.permutations(options).flatmap(
            lambda ranking: st.integers(1, len(ranking)).map(lambda k: list(ranking[:k]))
        )
    return answer if question.required else answer | st.just([])


@st.composite
def counted(draw, kinds=("single", "multiple", "ranking", "scale")):
    question = draw(questions(kinds))
    return question, draw(st.lists(answers(question), max_size=40))


rankings = counted(kinds=("ranking",))


def naive_runoff(options, ballots):
    """Instant runoff ballot by ballot, written from the rules without tally.py's grouping."""
    ballots = [b for b in ballots if b]
    n = len(options)
    points = {o: sum(n - 1 - b.index(o) for b in ballots if o in b) for o in options}
    continuing, history, eliminated = list(options), [], []
    while ballots:
        tallies = {o: 0 for o in continuing}
        for ballot in ballots:
            ranked = [o for o in ballot if o in continuing]
            if ranked:
                tallies[ranked[0]] += 1
        active = sum(tallies.values())
        history.append(tallies)
        for option in continuing:
            if tallies[option] * 2 > active or len(continuing) == 1:
                return option, eliminated
        tied = [o for o in continuing if tallies[o] == min(tallies.values())]
        for earlier in reversed(history[:-1]):
            tied = [o for o in tied if earlier[o] == min(earlier[t] for t in tied)]
        tied = [o for o in tied if points[o] == min(points[t] for t in tied)]
        eliminated.append(tied[-1])
        continuing.remove(tied[-1])
    return None, eliminated


@given(counted())
def test_count_equals_a_naive_recount(case):
    question, ballots = case
    result = count(question, ballots)
    given_ = [ballot for ballot in ballots if ballot]
    assert result.respondents == len(given_)
    for position, option in enumerate(question.options):
        if question.kind == "ranking":
            votes = sum(1 for ballot in given_ if ballot[0] == option)
        else:
            votes = sum(1 for ballot in given_ if option in ballot)
        counted_option = result.options[position]
        assert (counted_option.id, counted_option.votes) == (option, votes)
        assert counted_option.share == (round(votes / len(given_), 4) if given_ else 0)
    if question.kind == "scale":
        values = [question.options.index(ballot[0]) + 1 for ballot in given_]
        assert result.mean == (round(sum(values) / len(values), 4) if values else None)


@given(counted())
def test_generated_answers_are_valid(case):
    # Keeps the strategies honest: the properties above are about valid ballots.
    question, ballots = case
    assert all(answer_problems(question, ballot) == [] for ballot in ballots)


@given(rankings)
def test_instant_runoff_invariants(case):
    question, ballots = case
    runoff = instant_runoff(question.options, ballots)
    given_ = [ballot for ballot in ballots if ballot]
    if not given_:
        assert (runoff.rounds, runoff.winner) == ((), None)
        return
    assert runoff.winner in question.options
    continuing = list(question.options)
    for number, round_ in enumerate(runoff.rounds, 1):
        assert round_.number == number
        assert list(round_.tallies) == continuing
        assert sum(round_.tallies.values()) + round_.exhausted == len(given_)
        if round_ is runoff.rounds[-1]:
            assert (round_.eliminated, round_.winner) == (None, runoff.winner)
            active = len(given_) - round_.exhausted
            assert 2 * round_.tallies[runoff.winner] > active or len(continuing) == 1
        else:
            assert round_.winner is None
            assert round_.tallies[round_.eliminated] == min(round_.tallies.values())
            assert (round_.tie_broken_by is None) == (
                list(round_.tallies.values()).count(min(round_.tallies.values())) == 1
            )
            continuing.remove(round_.eliminated)


@given(rankings)
def test_instant_runoff_agrees_with_a_naive_runoff(case):
    question, ballots = case
    runoff = instant_runoff(question.options, ballots)
    winner, eliminated = naive_runoff(list(question.options), ballots)
    assert runoff.winner == winner
    assert [r.eliminated for r in runoff.rounds[:-1]] == eliminated


@given(rankings, st.data())
def test_an_option_everyone_ranks_first_wins_round_one(case, data):
    question, ballots = case
    favourite = data.draw(st.sampled_from(question.options))
    ballots = [[favourite] + [o for o in ballot if o != favourite] for ballot in ballots]
    runoff = instant_runoff(question.options, ballots)
    if ballots:
        assert runoff.winner == favourite
        assert len(runoff.rounds) == 1


@given(rankings)
def test_borda_hands_out_every_point(case):
    question, ballots = case
    n = len(question.options)
    scores = borda(question.options, ballots)
    expected = sum(n - 1 - i for ballot in ballots for i in range(len(ballot)))
    assert sum(score.points for score in scores) == expected
    assert sorted(score.id for score in scores) == sorted(question.options)
    assert [s.points for s in scores] == sorted((s.points for s in scores), reverse=True)


@given(counted(kinds=("single", "multiple", "scale")))
def test_totals_give_the_same_result_as_the_ballots(case):
    question, ballots = case
    totals = Counter(option for ballot in ballots for option in ballot)
    respondents = sum(1 for ballot in ballots if ballot)
    assert result_from_totals(question, totals, respondents) == count(question, ballots)
