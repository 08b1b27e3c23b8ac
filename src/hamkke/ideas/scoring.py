"""Scores, pure: the experts' rubric (feasibility, effect, cost, originality, 1 to 5 each) and
a contest's ranking, where jury scores and public votes are combined by the contest's weights.
No Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RUBRIC = ("feasibility", "effect", "cost", "originality")
LOWEST, HIGHEST = 1, 5
JURY_HIGHEST = 100


@dataclass(frozen=True)
class RubricScore:
    feasibility: int
    effect: int
    cost: int
    originality: int

    def total(self) -> int:
        return self.feasibility + self.effect + self.cost + self.originality


def rubric_problems(values: Mapping[str, object]) -> dict[str, str]:
    """Field → what is wrong, for a reviewer's scores (each a whole number 1 to 5)."""
    problems = {}
    for item in RUBRIC:
        value = values.get(item)
        if isinstance(value, bool) or not isinstance(value, int):
            problems[item] = "missing"
        elif not LOWEST <= value <= HIGHEST:
            problems[item] = "range"
    return problems


def rubric_means(scores: Sequence[RubricScore]) -> dict[str, Decimal] | None:
    """Each item's mean over the reviewers and the overall mean (key "overall"), to two
    places; None before anyone scored."""
    if not scores:
        return None
    means = {
        item: _two_places(Decimal(sum(getattr(s, item) for s in scores)) / len(scores))
        for item in RUBRIC
    }
    means["overall"] = _two_places(
        Decimal(sum(s.total() for s in scores)) / (len(scores) * len(RUBRIC))
    )
    return means


@dataclass(frozen=True)
class EntryTally:
    entry: int
    jury_scores: tuple[int, ...]  # each 0..JURY_HIGHEST
    votes: int


@dataclass(frozen=True)
class RankedEntry:
    entry: int
    jury: Decimal  # the mean jury score, 0..100
    public: Decimal  # votes as a share of the most-voted entry's, 0..100
    score: Decimal  # weighted, 0..100
    rank: int


def rank_entries(
    tallies: Sequence[EntryTally], *, jury_weight: int, public_weight: int
) -> list[RankedEntry]:
    """Entries ranked by `jury_weight`% of the mean jury score plus `public_weight`% of the
    public vote, the votes scaled so the most-voted entry has 100. Ties share the better rank
    order by jury score, then votes, then the earlier entry (the lower id)."""
    if jury_weight < 0 or public_weight < 0 or jury_weight + public_weight != 100:
        raise ValueError("the jury and public weights are whole percentages adding up to 100")
    most_votes = max((t.votes for t in tallies), default=0)
    rows = []
    for tally in tallies:
        jury = (
            Decimal(sum(tally.jury_scores)) / len(tally.jury_scores)
            if tally.jury_scores
            else Decimal(0)
        )
        public = Decimal(tally.votes * 100) / most_votes if most_votes else Decimal(0)
        score = (jury * jury_weight + public * public_weight) / 100
        rows.append((tally, _two_places(jury), _two_places(public), _two_places(score)))
    rows.sort(key=lambda row: (-row[3], -row[1], -row[0].votes, row[0].entry))
    return [
        RankedEntry(entry=tally.entry, jury=jury, public=public, score=score, rank=place)
        for place, (tally, jury, public, score) in enumerate(rows, start=1)
    ]


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
