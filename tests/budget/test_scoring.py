"""Three channels, one score (budget/scoring.py): normalisation, weights, selection."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.budget import scoring


def test_final_score_is_the_weighted_sum_of_max_normalised_channels():
    scores = scoring.final_scores(
        ["a", "b", "c"],
        votes={"a": 200, "b": 100, "c": 0},
        survey={"a": Fraction(3), "b": Fraction(6)},
        committee={"a": Fraction(80), "b": Fraction(40), "c": Fraction(60)},
        weights=scoring.Weights(45, 10, 45),
    )
    # Worked by hand: a = 45·1 + 10·(3/6) + 45·1; b = 45·(1/2) + 10·1 + 45·(1/2);
    # c = 0 + 0 + 45·(60/80).
    assert scores == {"a": Fraction(95), "b": Fraction(55), "c": Fraction(135, 4)}


def test_a_channel_with_nothing_in_it_gives_everyone_zero():
    assert scoring.normalised({"a": 0, "b": 0}) == {"a": 0, "b": 0}


def test_committee_mean_per_project():
    means = scoring.committee_means([("a", 70), ("a", 81), ("b", 50)])
    assert means == {"a": Fraction(151, 2), "b": Fraction(50)}


def test_weights_must_add_up_and_ballot_rules_need_all_weight_on_the_vote():
    assert scoring.Weights(45, 10, 45).problems("greedy") == []
    assert scoring.Weights(50, 10, 45).problems("greedy") == ["the weights add up to 105, not 100"]
    assert scoring.Weights(100, 0, 0).problems("mes-add1") == []
    assert len(scoring.Weights(45, 10, 45).problems("mes")) == 1


def test_greedy_selection_skips_what_does_not_fit_and_takes_the_next():
    selected = scoring.select(
        rule="greedy",
        budget=1000,
        costs={"a": 600, "b": 500, "c": 300},
        scores={"a": Fraction(90), "b": Fraction(80), "c": Fraction(1, 3)},
    )
    assert selected == ["a", "c"]
    no_skip = scoring.select(
        rule="greedy-no-skip",
        budget=1000,
        costs={"a": 600, "b": 500, "c": 300},
        scores={"a": Fraction(90), "b": Fraction(80), "c": Fraction(1, 3)},
    )
    assert no_skip == ["a"]


def test_threshold_leaves_out_projects_below_the_minimum_points():
    selected = scoring.select(
        rule="greedy-threshold",
        budget=1000,
        costs={"a": 100, "b": 100},
        scores={"a": Fraction(61, 2), "b": Fraction(59, 2)},
        min_score=30,
    )
    assert selected == ["a"]


def test_scores_closer_than_any_float_are_ordered_exactly():
    # 1/3 + 1e-30 and 1/3 are equal as floats; the exact order must still put a first.
    a = Fraction(1, 3) + Fraction(1, 10**30)
    selected = scoring.select(
        rule="greedy", budget=100, costs={"a": 100, "b": 100}, scores={"a": a, "b": Fraction(1, 3)}
    )
    assert selected == ["a"]


def test_ballot_rules_read_the_ballots():
    selected = scoring.select(
        rule="mes",
        budget=100,
        costs={"a": 50, "b": 50, "c": 50},
        scores={},
        ballots=[{"a"}, {"a"}, {"b"}, {"c"}],
    )
    # Four voters hold 25 each: a's two supporters pay its 50; b's and c's one supporter each
    # cannot, so MES buys a alone (greedy by votes would have bought a and b).
    assert selected == ["a"]


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError):
        scoring.select(rule="lottery", budget=1, costs={}, scores={})


@given(
    st.dictionaries(
        st.sampled_from("abcdefgh"),
        st.tuples(st.integers(1, 500), st.fractions(min_value=0, max_value=100)),
        min_size=1,
    ),
    st.integers(0, 2000),
    st.sampled_from(scoring.SCORE_RULES),
)
def test_score_rules_never_spend_more_than_the_budget(projects, budget, rule):
    costs = {pid: cost for pid, (cost, _score) in projects.items()}
    scores = {pid: score for pid, (_cost, score) in projects.items()}
    selected = scoring.select(rule=rule, budget=budget, costs=costs, scores=scores, min_score=50)
    assert sum(costs[pid] for pid in selected) <= budget
