"""The final score of a project from three channels — the citizens' vote, a survey and the
committee — and the selection within a pool's budget. Pure Python, exact fractions.

How each channel is normalised (documented on the results page too): a channel's value for a
project is divided by the highest value any project of the same pool has in that channel, so the
leading project of each channel gets the channel's full weight and the others a share in
proportion; a channel where every project has 0 gives everyone 0.

- vote: the number of valid ballots that chose the project;
- survey: the imported score (any non-negative scale, e.g. the share of respondents in favour);
- committee: the mean of the members' scores (0–100); a project nobody scored has 0.

Final score (points out of 100) = w_vote·vote + w_survey·survey + w_committee·committee, with the
weights in percent summing to 100. The score-based rules (greedy, greedy-no-skip,
greedy-threshold) order projects by it; the ballot-based rules (knapsack, MES) read only the
ballots, so a cycle using them must put all the weight on the vote."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from hamkke.budget import rules

SCORE_RULES = ("greedy", "greedy-no-skip", "greedy-threshold")
BALLOT_RULES = ("knapsack", "mes", "mes-add1", "mes-add1-greedy")


@dataclass(frozen=True)
class Weights:
    vote: int = 45
    survey: int = 10
    committee: int = 45

    def problems(self, rule: str) -> list[str]:
        """Why these weights cannot be used with `rule`; empty when they can."""
        found = []
        parts = (self.vote, self.survey, self.committee)
        if any(part < 0 or part > 100 for part in parts):
            found.append("each weight is a percentage from 0 to 100")
        if sum(parts) != 100:
            found.append(f"the weights add up to {sum(parts)}, not 100")
        if rule in BALLOT_RULES and self.vote != 100:
            found.append(f"the rule {rule} reads the ballots only: put all the weight on the vote")
        return found


def normalised(values: Mapping[str, Fraction | int]) -> dict[str, Fraction]:
    """Each value divided by the highest one (all 0 when the highest is 0)."""
    top = max(values.values(), default=0)
    if top <= 0:
        return {key: Fraction(0) for key in values}
    return {key: Fraction(value) / top for key, value in values.items()}


def committee_means(scores: Iterable[tuple[str, int]]) -> dict[str, Fraction]:
    """The mean committee score per project from (project id, score) pairs."""
    totals: dict[str, list[int]] = {}
    for project_id, score in scores:
        entry = totals.setdefault(project_id, [0, 0])
        entry[0] += score
        entry[1] += 1
    return {pid: Fraction(total, count) for pid, (total, count) in totals.items()}


def final_scores(
    project_ids: Iterable[str],
    *,
    votes: Mapping[str, int],
    survey: Mapping[str, Fraction],
    committee: Mapping[str, Fraction],
    weights: Weights,
) -> dict[str, Fraction]:
    """Each project's final score in points out of 100 (exact)."""
    ids = list(project_ids)
    norm_vote = normalised({pid: votes.get(pid, 0) for pid in ids})
    norm_survey = normalised({pid: survey.get(pid, Fraction(0)) for pid in ids})
    norm_committee = normalised({pid: committee.get(pid, Fraction(0)) for pid in ids})
    return {
        pid: weights.vote * norm_vote[pid]
        + weights.survey * norm_survey[pid]
        + weights.committee * norm_committee[pid]
        for pid in ids
    }


def as_integers(scores: Mapping[str, Fraction]) -> tuple[dict[str, int], int]:
    """The scores scaled by the least common denominator, so that the integer rules order them
    exactly as the fractions; returns the integers and the scale."""
    scale = lcm(1, *(Fraction(score).denominator for score in scores.values()))
    return {pid: int(Fraction(score) * scale) for pid, score in scores.items()}, scale


def ranking(scores: Mapping[str, Fraction], tie_break=rules.by_project_id) -> list[str]:
    """Project ids from the highest final score down, ties by the rules' tie key."""
    return sorted(scores, key=lambda pid: (-scores[pid], tie_break(pid), pid))


def select(
    *,
    rule: str,
    budget: int,
    costs: Mapping[str, int],
    scores: Mapping[str, Fraction],
    ballots: Iterable[Iterable[str]] = (),
    min_score: int = 0,
) -> list[str]:
    """The projects `rule` buys with `budget`, sorted as strings. Score rules order by the final
    scores (greedy-threshold keeps those with at least `min_score` points); ballot rules read
    `ballots` (the chosen project ids of each valid ballot)."""
    if rule in SCORE_RULES:
        integers, scale = as_integers(scores)
        threshold = min_score * scale if rule == "greedy-threshold" else None
        election = rules.Election(
            budget=budget,
            costs=dict(costs),
            supports={},
            scores=integers,
            score_threshold=threshold,
        )
        if rule == "greedy-no-skip":
            return sorted(rules.greedy_no_skip(election))
        return sorted(rules.greedy(election, threshold=threshold))
    if rule in BALLOT_RULES:
        election = rules.Election.from_approvals(budget, costs, ballots)
        return rules.select_projects(election, rule)
    raise ValueError(f"unknown rule {rule!r} (known: {', '.join(rules.RULES)})")
