"""The selection rules against pabutools' outcomes on real Pabulib elections, and on small
elections worked out by hand."""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import pytest

from hamkke.budget import pabulib, rules
from hamkke.budget.rules import Election, select_projects

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["instances"]
FULL_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pabulib"

# Our rule -> the key of pabutools' outcome in expected.json (see its "_about").
APPROVAL_KEYS = {
    "greedy": "greedy_cost",
    "greedy-threshold": "greedy_threshold",
    "greedy-no-skip": "own_greedy_no_skip (not pabutools)",
    "knapsack": "max_welfare_cost",
    "mes": "mes_cost",
    "mes-add1": "mes_cost_add1_only",
    "mes-add1-greedy": "mes_cost_add1_greedy",
}


def expected_cases(expected: dict) -> list[tuple[str, str, list[str]]]:
    cases = []
    for name, about in expected.items():
        outcomes = about["rules"]
        for rule, key in APPROVAL_KEYS.items():
            # Cumulative and ordinal files: greedy orders by points, as "greedy_score" does.
            if rule == "greedy" and "greedy_score" in outcomes:
                key = "greedy_score"
            if key in outcomes:
                cases.append((name, rule, outcomes[key]))
    return cases


CASES = expected_cases(EXPECTED)


def test_every_rule_is_checked_on_the_shipped_files():
    checked = {rule for _name, rule, _outcome in CASES}
    assert checked == set(rules.RULES) - {"greedy-no-skip"}  # no shipped file uses no-skip
    assert len(CASES) == 52  # 10 files × 5 rules, and greedy-threshold on 2 of them


@pytest.fixture(scope="module")
def elections():
    cache: dict[str, Election] = {}

    def load(folder: Path, name: str) -> Election:
        if name not in cache:
            cache[name] = Election.from_instance(pabulib.read(folder / name))
        return cache[name]

    return load


@pytest.mark.parametrize(("name", "rule", "outcome"), CASES, ids=lambda v: str(v)[:40])
def test_rules_give_pabutools_outcomes_on_real_elections(elections, name, rule, outcome):
    assert select_projects(elections(DATA, name), rule) == sorted(outcome)


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("HAMKKE_FULL_PABULIB") != "1" or not FULL_DATA.is_dir(),
    reason="set HAMKKE_FULL_PABULIB=1 (with ../shared/data/pabulib) for all 19 elections",
)
def test_rules_give_pabutools_outcomes_on_all_nineteen_elections(elections):
    expected = json.loads((FULL_DATA / "expected.json").read_text(encoding="utf-8"))
    cases = expected_cases(expected["instances"])
    assert len(cases) == 99  # 19 × 5 rules (no Add1 for Budapest), 5 thresholds, 1 no-skip
    wrong = [
        (name, rule)
        for name, rule, outcome in cases
        if select_projects(elections(FULL_DATA, name), rule) != sorted(outcome)
    ]
    assert wrong == []


# --- small elections worked out by hand --------------------------------------------------------


def election(budget, costs, ballots, **kwargs) -> Election:
    return Election.from_approvals(budget, costs, ballots, **kwargs)


def test_greedy_skips_what_does_not_fit_and_no_skip_stops_there():
    # a: 3 votes, b: 2, c: 1. a fits (4 left), b does not, c does.
    example = election(10, {"a": 6, "b": 5, "c": 4}, [{"a", "b"}, {"a", "b"}, {"a", "c"}])
    assert rules.greedy(example) == ["a", "c"]
    assert rules.greedy_no_skip(example) == ["a"]
    assert rules.greedy(example, threshold=2) == ["a"]
    assert rules.greedy_no_skip(election(10, {"a": 6, "b": 4}, [{"a", "b"}, {"b"}])) == ["b", "a"]


def test_the_threshold_comes_from_the_election_for_the_named_rules():
    costs = {"a": 6, "b": 5, "c": 4}
    ballots = [{"a", "b"}, {"a", "b"}, {"a", "c"}]
    assert select_projects(election(10, costs, ballots, score_threshold=2), "greedy") == ["a", "c"]
    with_threshold = election(10, costs, ballots, score_threshold=2)
    assert select_projects(with_threshold, "greedy-threshold") == ["a"]
    assert select_projects(election(10, costs, ballots), "greedy-threshold") == ["a", "c"]
    # No skip: a (3 votes) and c (1 vote) fit; the threshold 2 leaves c out before counting.
    no_skip = {"costs": {"a": 6, "c": 4}, "ballots": [{"a", "c"}, {"a"}, {"a"}]}
    assert select_projects(election(10, **no_skip), "greedy-no-skip") == ["a", "c"]
    with_threshold = election(10, **no_skip, score_threshold=2)
    assert select_projects(with_threshold, "greedy-no-skip") == ["a"]


def test_ties_go_to_the_project_id_first_as_a_string_unless_told_otherwise():
    tied = election(5, {"9": 5, "10": 5}, [{"9", "10"}])
    assert select_projects(tied, "greedy") == ["10"]  # "10" < "9" as strings
    assert select_projects(tied, "mes") == ["10"]
    assert select_projects(tied, "knapsack") == ["10"]
    as_numbers = {"tie_break": int}
    assert select_projects(tied, "greedy", **as_numbers) == ["9"]
    assert select_projects(tied, "mes", **as_numbers) == ["9"]
    assert select_projects(tied, "knapsack", **as_numbers) == ["9"]


def test_knapsack_beats_greedy_where_greedy_wastes_money():
    # Welfare = votes × cost: a alone 3×6 = 18; b and c together 2×5 + 2×5 = 20.
    example = election(10, {"a": 6, "b": 5, "c": 5}, [{"a", "b", "c"}, {"a", "b", "c"}, {"a"}])
    assert rules.greedy(example) == ["a"]
    assert sorted(rules.max_utilitarian_welfare(example)) == ["b", "c"]


def test_knapsack_takes_the_first_optimum_in_the_greedy_order():
    # {x} and {y} both have welfare 10: x comes first (same votes, smaller id).
    assert rules.max_utilitarian_welfare(election(5, {"x": 5, "y": 5}, [{"x", "y"}] * 2)) == ["x"]
    # {a, b} and {c} both weigh 2×4 + 1×2 = 10 = 2×5: a is first in the greedy order.
    tie = election(6, {"a": 4, "b": 2, "c": 5}, [{"a", "b", "c"}, {"a", "c"}])
    assert sorted(rules.max_utilitarian_welfare(tie)) == ["a", "b"]


# Three voters with 10 each. C (12, all three) has ρ = 4/12 = 1/3, A (20, two) 10/20 = 1/2, B (9,
# one) 9/9 = 1. C is bought (4 each); then A's supporters have 12 < 20 and B's 6 < 9: MES stops.
# Add1: with 13 each, after C everyone has 9 and B (9) is paid for; A still cannot be (18 < 20);
# C + B = 21 leave 9 < 20 for A: exhaustive, so Add1 stops there.
HAND = election(30, {"A": 20, "B": 9, "C": 12}, [{"A", "C"}, {"A", "C"}, {"B", "C"}])


def test_mes_and_add1_on_an_election_worked_out_by_hand():
    assert select_projects(HAND, "mes") == ["C"]
    assert rules.equal_shares(HAND, completion="add1") == ["C", "B"]
    assert select_projects(HAND, "mes-add1-greedy") == ["B", "C"]
    assert select_projects(HAND, "greedy") == ["B", "C"]  # C (3 votes), A does not fit, B
    assert select_projects(HAND, "knapsack") == ["A", "B"]  # 2×20 + 9 = 49 > 3×12 + 9 = 45


def test_the_exact_payments_of_mes_worked_out_by_hand():
    profile = rules._MesProfile(HAND, rules.by_project_id)
    order, rhos = profile._run_exact(Fraction(10))
    assert [profile.ids[i] for i in order] == ["C"]
    assert rhos == [Fraction(1, 3)]
    order, rhos = profile._run_exact(Fraction(13))
    assert [profile.ids[i] for i in order] == ["C", "B"]
    assert rhos == [Fraction(1, 3), Fraction(1)]
    levels = profile.run(Fraction(13)).levels
    assert levels[0] == (1 / 3, levels[0][1], 3)  # exactly 1/3: all three pay the same
    assert levels[0][1] < 1e-12


def test_add1_returns_the_outcome_before_one_that_costs_too_much():
    # Two voters with 5; A (6) and B (6) each have one supporter. With 5 nobody can pay; with 6
    # both are bought, 12 > 10: Add1 returns the outcome with 5, which is empty.
    example = election(10, {"A": 6, "B": 6}, [{"A"}, {"B"}])
    assert select_projects(example, "mes-add1") == []
    assert select_projects(example, "mes-add1-greedy") == ["A"]


def run_exact(example: Election, start: Fraction) -> tuple[list[str], list[Fraction]]:
    profile = rules._MesProfile(example, rules.by_project_id)
    order, rhos = profile._run_exact(start)
    return [profile.ids[i] for i in order], rhos


def test_mes_payments_worked_out_by_hand():
    # R (14) has 4 supporters: 3.5 each, ρ = 1/4; Q (12) has 2: 6 each, ρ = 1/2. With 10 each,
    # R is bought first, leaving 6.5 each, and Q's supporters still pay 6 each.
    example = election(40, {"Q": 12, "R": 14}, [{"Q", "R"}, {"Q", "R"}, {"R"}, {"R"}])
    assert run_exact(example, Fraction(10)) == (["R", "Q"], [Fraction(1, 4), Fraction(1, 2)])
    # With 9 each, Q's supporters keep 5.5 each after R: 11 < 12, Q cannot be paid.
    assert run_exact(example, Fraction(9)) == (["R"], [Fraction(1, 4)])
    # V (6) by all three: 2 each, ρ = 1/3; U (10) by two: 5 each, ρ = 1/2. After V the two have
    # exactly 5 left: a supporter with just the share pays it all, and U is bought.
    lopsided = election(21, {"U": 10, "V": 6}, [{"V"}, {"U", "V"}, {"U", "V"}])
    assert run_exact(lopsided, Fraction(7)) == (["V", "U"], [Fraction(1, 3), Fraction(1, 2)])
    assert run_exact(lopsided, Fraction(4)) == (["V"], [Fraction(1, 3)])


def test_a_supporter_with_too_little_money_pays_all_and_the_others_the_share():
    # W (9) by voters 1, 3, 4: 3 each, ρ = 1/3, before X (2) by voters 1, 2: 1 each, ρ = 1/2.
    # With 3 each, W takes all of voter 1's money; then X: voter 1 pays 0, voter 2 the rest, 2,
    # so ρ(X) = 2/2 = 1.
    example = election(12, {"X": 2, "W": 9}, [{"X", "W"}, {"X"}, {"W"}, {"W"}])
    assert run_exact(example, Fraction(3)) == (["W", "X"], [Fraction(1, 3), Fraction(1)])
    # With 3.5 each, voter 1 keeps 0.5 after W; X: 0.5 from voter 1 and 1.5 from voter 2 would
    # not be equal shares — the share s solves min(0.5, s) + s = 2, so s = 1.5 and ρ = 3/4.
    assert run_exact(example, Fraction(7, 2)) == (["W", "X"], [Fraction(1, 3), Fraction(3, 4)])
    # With 2 each, W (6 < 9) cannot be paid; X is, 1 each.
    assert run_exact(example, Fraction(2)) == (["X"], [Fraction(1, 2)])


def test_projects_nobody_supports_or_that_cost_nothing():
    example = election(10, {"free": 0, "lonely": 3, "liked": 5}, [{"free", "liked"}, {"liked"}])
    # With cost utilities a free project satisfies nobody: MES leaves it (as pabutools does),
    # greedy and the greedy completion take it, since it always fits.
    assert select_projects(example, "mes") == ["liked"]
    assert select_projects(example, "mes-add1") == ["liked"]
    assert select_projects(example, "mes-add1-greedy") == ["free", "liked", "lonely"]
    assert select_projects(example, "greedy") == ["free", "liked", "lonely"]
    assert select_projects(election(10, {"a": 5}, []), "mes-add1") == []
    assert select_projects(election(10, {"a": 5}, []), "mes-add1-greedy") == ["a"]


def test_elections_from_non_approval_files_use_points_or_positions_for_greedy():
    zurich = Election.from_instance(pabulib.read(DATA / "Switzerland_Zurich_S5R.pb"))
    instance = pabulib.read(DATA / "Switzerland_Zurich_S5R.pb")
    # The file's own score column is max_length − position, summed (one project differs in the
    # file by 4 points).
    differing = [
        project_id
        for project_id, project in instance.projects.items()
        if str(zurich.scores[project_id]) != project.fields["score"]
    ]
    assert differing == ["24"]
    cumulative = Election.from_instance(pabulib.read(DATA / "Poland_Katowice_2024_Bogucice.pb"))
    katowice = pabulib.read(DATA / "Poland_Katowice_2024_Bogucice.pb")
    assert all(
        cumulative.scores[p] == int(project.fields["score"])
        for p, project in katowice.projects.items()
    )
    assert cumulative.score_threshold == 50
    supporters = cumulative.supporters()
    assert all(
        supporters[p] == int(project.fields["votes"]) for p, project in katowice.projects.items()
    )


def test_unknown_rules_and_bad_elections_are_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        select_projects(HAND, "borda")
    with pytest.raises(ValueError, match="unknown completion"):
        rules.equal_shares(HAND, completion="add2")
    with pytest.raises(ValueError, match="support unknown projects"):
        election(10, {"a": 1}, [{"b"}])
    with pytest.raises(ValueError, match="whole number"):
        election(10, {"a": 1.5}, [{"a"}])
