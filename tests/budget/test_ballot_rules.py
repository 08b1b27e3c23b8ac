"""The validity of ballots under each kind, and receipt codes (budget/ballots.py, pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hamkke.budget.ballots import (
    BallotProject,
    BallotRule,
    ballot_id_of,
    ballot_problems,
    receipt_of,
)

PROJECTS = {
    "a": BallotProject(cost=100, area="welfare"),
    "b": BallotProject(cost=250, area="welfare"),
    "c": BallotProject(cost=300, area="safety"),
    "d": BallotProject(cost=400, area="transport"),
}


def codes(choices, rule):
    return [problem.code for problem in ballot_problems(choices, rule=rule, projects=PROJECTS)]


def test_approval_allows_up_to_k_projects():
    rule = BallotRule(kind="approval", budget=1000, max_choices=2)
    assert codes(["a", "c"], rule) == []
    assert codes(["a", "c", "d"], rule) == ["too_many"]
    assert codes(["a", "b", "c", "d"], BallotRule(kind="approval", budget=1000)) == []


def test_quota_ballot_with_two_projects_in_one_area_is_void_naming_both():
    rule = BallotRule(kind="quota", budget=1000)
    assert codes(["a", "c", "d"], rule) == []
    problems = ballot_problems(["a", "b", "c"], rule=rule, projects=PROJECTS)
    assert [(p.code, p.area, p.projects) for p in problems] == [
        ("area_twice", "welfare", ("a", "b"))
    ]


def test_knapsack_spends_at_most_the_budget_and_at_least_the_minimum_share():
    rule = BallotRule(kind="knapsack", budget=700, min_spend_percent=50)
    assert codes(["c", "d"], rule) == []  # 700: exactly the budget
    assert codes(["b", "c", "a", "d"], rule) == ["over_budget"]
    # 50 % of 700 is 350: 300 is short of it, 350 would do.
    assert codes(["c"], rule) == ["under_min_spend"]
    assert BallotRule(kind="knapsack", budget=701, min_spend_percent=50).min_spend == 351


def test_every_kind_refuses_empty_repeated_and_unknown_choices():
    for kind in ("approval", "quota", "knapsack"):
        rule = BallotRule(kind=kind, budget=10_000)
        assert codes([], rule) == ["empty"]
        assert codes(["a", "a"], rule) == ["repeated"]
        assert codes(["a", "zz"], rule) == ["unknown"]


def test_receipt_codes_read_back_forgiving_case_dashes_and_look_alike_letters():
    code = receipt_of(0x2ABCDEF012345678)
    assert len(code.replace("-", "")) == 13
    assert ballot_id_of(code) == 0x2ABCDEF012345678
    assert ballot_id_of(code.lower().replace("-", " ")) == 0x2ABCDEF012345678
    assert ballot_id_of(receipt_of(32).replace("0", "O")) == 32
    assert ballot_id_of("not a receipt") is None
    assert ballot_id_of("") is None


@given(st.integers(min_value=1, max_value=(1 << 62) - 1))
def test_receipts_round_trip_and_sort_like_ids(ballot_id):
    code = receipt_of(ballot_id)
    assert ballot_id_of(code) == ballot_id
    # Fixed width: the published file sorted by receipt is sorted by id, and back.
    assert (code < receipt_of(ballot_id + 1)) is True
