"""What makes a ballot valid under each ballot kind, and the receipt codes voters keep. Pure
Python: the services, the ballot page's script and the recount all follow these rules.

- approval: at most `max_choices` projects (no limit when None);
- quota: at most one project per area (Seoul's ballot); a ballot breaking this is void as a whole;
- knapsack: the chosen projects cost at most the pool's budget and, when the pool sets a minimum
  share, at least that share of it.
Every kind: at least one project, each project at most once, every project from this pool."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Receipt codes are shared with every secret vote (polls too).
from hamkke.core.receipts import RECEIPT_LENGTH, ballot_id_of, receipt_of  # noqa: F401


@dataclass(frozen=True)
class BallotProject:
    cost: int
    area: str


@dataclass(frozen=True)
class BallotRule:
    kind: str  # "approval" | "quota" | "knapsack"
    budget: int
    max_choices: int | None = None
    min_spend_percent: int = 0

    @property
    def min_spend(self) -> int:
        # Rounded up: "at least 80 %" of 1,001 is 801.
        return -(-self.budget * self.min_spend_percent // 100)


@dataclass(frozen=True)
class Problem:
    """Why a ballot is void: a code for programs and the facts a message needs."""

    code: str
    projects: tuple[str, ...] = ()
    area: str = ""
    amount: int = 0
    limit: int = 0


def ballot_problems(
    choices: Iterable[str], *, rule: BallotRule, projects: Mapping[str, BallotProject]
) -> list[Problem]:
    """Every reason the ballot `choices` (project ids) is void; empty when it is valid."""
    chosen = list(choices)
    if not chosen:
        return [Problem("empty")]
    problems: list[Problem] = []
    repeated = sorted(pid for pid, n in Counter(chosen).items() if n > 1)
    if repeated:
        problems.append(Problem("repeated", projects=tuple(repeated)))
    unknown = sorted({pid for pid in chosen if pid not in projects})
    if unknown:
        problems.append(Problem("unknown", projects=tuple(unknown)))
    known = sorted({pid for pid in chosen if pid in projects})
    if rule.kind == "approval":
        if rule.max_choices is not None and len(set(chosen)) > rule.max_choices:
            problems.append(Problem("too_many", amount=len(set(chosen)), limit=rule.max_choices))
    elif rule.kind == "quota":
        by_area: dict[str, list[str]] = {}
        for pid in known:
            by_area.setdefault(projects[pid].area, []).append(pid)
        for area, ids in sorted(by_area.items()):
            if len(ids) > 1:
                problems.append(Problem("area_twice", projects=tuple(ids), area=area, limit=1))
    elif rule.kind == "knapsack":
        spent = sum(projects[pid].cost for pid in known)
        if spent > rule.budget:
            problems.append(Problem("over_budget", amount=spent, limit=rule.budget))
        elif spent < rule.min_spend:
            problems.append(Problem("under_min_spend", amount=spent, limit=rule.min_spend))
    else:
        raise ValueError(f"unknown ballot kind {rule.kind!r}")
    return problems
