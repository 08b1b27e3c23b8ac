"""Properties of the selection rules on generated elections: within the budget, optimal where
they claim to be, exact where floats are used — and equal to pabutools, the reference."""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hamkke.budget import rules
from hamkke.budget.rules import Election, select_projects

SETTINGS = hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def elections(draw, *, max_projects: int = 7, max_voters: int = 12, max_cost: int = 60) -> Election:
    count = draw(st.integers(1, max_projects))
    # Ids chosen so that string order and number order differ ("10" < "9"): ties are exercised.
    ids = [
        str(n)
        for n in draw(st.lists(st.integers(1, 30), min_size=count, max_size=count, unique=True))
    ]
    costs = {pid: draw(st.integers(0, max_cost)) for pid in ids}
    ballots = draw(st.lists(st.sets(st.sampled_from(ids)), max_size=max_voters))
    budget = draw(st.integers(0, max_cost * 3))
    threshold = draw(st.none() | st.integers(0, 4))
    return Election.from_approvals(budget, costs, ballots, score_threshold=threshold)


def cost_of(election: Election, selected) -> int:
    return sum(election.costs[p] for p in selected)


def welfare(election: Election, selected) -> int:
    supporters = election.supporters()
    return sum(supporters[p] * election.costs[p] for p in selected)


@SETTINGS
@given(elections(max_projects=12, max_voters=30))
def test_every_rule_stays_within_the_budget(election):
    for rule in rules.RULES:
        selected = select_projects(election, rule)
        assert len(set(selected)) == len(selected)
        assert set(selected) <= election.costs.keys()
        assert cost_of(election, selected) <= election.budget, rule


@SETTINGS
@given(elections(max_projects=10, max_voters=20))
def test_greedy_variants_keep_their_order_and_threshold(election):
    chosen = rules.greedy(election)
    # Greedy skips a project only if it no longer fits.
    order = sorted(election.costs, key=lambda p: (-election.scores[p], p))
    spent = 0
    for project_id in order:
        fits = spent + election.costs[project_id] <= election.budget
        assert (project_id in chosen) == fits
        if fits:
            spent += election.costs[project_id]
    no_skip = rules.greedy_no_skip(election)
    assert no_skip == chosen[: len(no_skip)]  # a prefix of greedy's choices
    threshold = election.score_threshold
    if threshold is not None:
        for project_id in rules.greedy(election, threshold=threshold):
            assert election.scores[project_id] >= threshold


@SETTINGS
@given(elections(max_projects=9))
def test_knapsack_is_the_first_best_set_found_by_brute_force(election):
    chosen = rules.max_utilitarian_welfare(election)
    feasible = [
        set(subset)
        for size in range(len(election.costs) + 1)
        for subset in combinations(election.costs, size)
        if cost_of(election, subset) <= election.budget
    ]
    best = max(welfare(election, subset) for subset in feasible)
    assert welfare(election, chosen) == best
    assert welfare(election, chosen) >= welfare(election, rules.greedy(election))
    # The tie rule: in the greedy order, take a project whenever some optimal set with the
    # choices made so far takes it.
    supporters = election.supporters()
    order = sorted(election.costs, key=lambda p: (-supporters[p], p))
    optimal = [s for s in feasible if welfare(election, s) == best]
    taken: set[str] = set()
    for project_id in order:
        with_it = [s for s in optimal if project_id in s]
        if with_it:
            taken.add(project_id)
            optimal = with_it
        else:
            optimal = [s for s in optimal if project_id not in s]
    assert set(chosen) == taken


@SETTINGS
@given(elections(max_projects=8, max_voters=10, max_cost=40), st.integers(0, 30))
def test_the_fast_mes_run_is_the_exact_one(election, extra):
    profile = rules._MesProfile(election, rules.by_project_id)
    if not profile.voters:
        return
    start = Fraction(election.budget, profile.voters) + extra
    point = profile.run(start)
    order, levels = point.order, point.levels
    exact_order, rhos = profile._run_exact(start)
    assert order == exact_order
    for (value, error, payers), rho in zip(levels, rhos, strict=True):
        assert abs(Fraction(value) - rho) <= Fraction(error)
        if payers:
            assert rho == Fraction(1, payers)
    # Money is never overspent: what the selected projects cost is what voters paid.
    assert sum(profile.costs[i] for i in order) <= start * profile.voters


@SETTINGS
@given(elections(max_projects=8, max_voters=10, max_cost=40), st.integers(0, 12), st.integers(1, 8))
def test_a_certified_range_really_has_the_same_outcome(election, low, width):
    profile = rules._MesProfile(election, rules.by_project_id)
    if not profile.voters:
        return
    start = Fraction(election.budget, profile.voters)
    point = profile.run(start + low)
    order = point.order
    if profile.certify(point, start + low + width) is None:
        return
    for increment in range(low, low + width + 1):
        assert profile._run_exact(start + increment)[0] == order
    # Also between whole increments.
    assert profile._run_exact(start + low + Fraction(width, 3))[0] == order


def add1_step_by_step(profile: rules._MesProfile) -> list[int]:
    """pabutools' Add1 loop to the letter: an exact run at every increment."""
    budget, costs = profile.election.budget, profile.costs
    start = Fraction(budget, profile.voters)
    previous: list[int] = []
    increment = 0
    while True:
        order = profile._run_exact(start + increment)[0]
        spent = sum(costs[i] for i in order)
        if spent > budget:
            return previous
        if all(i in order or spent + costs[i] > budget for i in range(len(costs))):
            return order
        previous, increment = order, increment + 1


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=8, max_voters=12, max_cost=400))
def test_add1_with_its_jumps_equals_a_rerun_at_every_increment(election):
    profile = rules._MesProfile(election, rules.by_project_id)
    if not profile.voters:
        return
    assert rules._equal_shares_add1(profile) == add1_step_by_step(profile)


@SETTINGS
@given(elections(max_projects=10, max_voters=16))
def test_add1_completions_only_add(election):
    plain = set(select_projects(election, "mes"))
    add1 = select_projects(election, "mes-add1")
    completed = select_projects(election, "mes-add1-greedy")
    assert set(add1) <= set(completed)
    assert cost_of(election, completed) <= election.budget
    supported = {p for support in election.supports for p in support}
    assert plain <= supported and set(add1) <= supported


# --- against pabutools, the reference (a test-only dependency) --------------------------------

pabutools = pytest.importorskip("pabutools")


def pabutools_outcomes(election: Election) -> dict[str, list[str]]:
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance, Project
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    projects = {pid: Project(pid, cost) for pid, cost in election.costs.items()}
    instance = Instance(projects.values(), budget_limit=election.budget)
    ballots = [
        ApprovalBallot([projects[p] for p in support])
        for support, voters in election.supports.items()
        for _ in range(voters)
    ]
    profile = ApprovalProfile(ballots)

    def names(allocation) -> list[str]:
        return sorted(project.name for project in allocation)

    return {
        "greedy": names(greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)),
        "mes": names(method_of_equal_shares(instance, profile, sat_class=Cost_Sat)),
        "mes-add1": names(
            method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
        ),
        "mes-add1-greedy": names(
            completion_by_rule_combination(
                instance,
                profile,
                [method_of_equal_shares, greedy_utilitarian_welfare],
                [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
            )
        ),
    }


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(max_projects=7, max_voters=10, max_cost=50))
def test_greedy_and_mes_equal_pabutools_on_random_approval_elections(election):
    expected = pabutools_outcomes(election)
    for rule, outcome in expected.items():
        assert select_projects(election, rule) == outcome, rule
