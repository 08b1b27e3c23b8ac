"""Selection rules of participatory budgeting: which projects a budget buys, given the votes.

Pure Python (nothing from Django), integer money, exact outcomes. On approval elections each rule
gives exactly the outcome of its counterpart in pabutools 1.2.3, the reference implementation (GPL;
used by the tests and benchmarks only, never at run time).

Input: an `Election` (`Election.from_instance` reads a Pabulib instance): the budget, each
project's cost, each ballot's *support set* and each project's *score*:

- approval and choose-1 ballots: the support set is the ballot; the score is the number of
  approvals;
- cumulative and scoring ballots: the support set is the projects given positive points; the
  score is the sum of the points;
- ordinal ballots: the support set is the ranked projects; a project ranked at position i (0 for
  the first) scores `max_length - i` on that ballot (META `max_length`, else the longest ballot),
  which is how Pabulib's ordinal files compute their `score` column.

The greedy rules order projects by score. The knapsack and equal-shares rules read the support
sets as approval ballots with cost utilities: a voter's satisfaction with a project they support
is its cost (pabutools' `Cost_Sat`), so a project's welfare is supporters × cost.

Ties: whenever a rule finds two projects equal, the one with the smaller *tie key* wins. A
project's key is `(tie_break(id), id)`; by default `tie_break` is the id itself, so ties go to the
id first in string order ("10" before "9"), as pabutools' default `lexico_tie_breaking` does.

The rules (`select_projects(election, rule)` runs one by name and sorts the ids; the functions
return them in the order chosen):

- `greedy` (`greedy`): projects by score, highest first, ties by tie key; each is selected if its
  cost fits in what is left of the budget, else skipped — even a project nobody voted for, last.
  Seoul's rule and most cities'; pabutools' `greedy_utilitarian_welfare` with `Cost_Sat`.
- `greedy-no-skip` (`greedy_no_skip`): the same order, but selection stops at the first project
  that does not fit; projects scoring below the election's `min_project_score_threshold`, if it
  has one, are left out first. pabutools has no such rule; Pabulib names it `greedy-no-skip`.
- `greedy-threshold` (`greedy`, with a threshold): greedy among the projects scoring at least
  META `min_project_score_threshold` (plain greedy when the file sets none).
- `knapsack` (`max_utilitarian_welfare`): a set of projects within the budget of greatest
  welfare, by branch and bound on integers (exact). Among sets of equal welfare it takes the first
  in the greedy order by supporters: it includes that order's first project if some optimal set
  does, then the second, and so on. pabutools (`max_additive_utilitarian_welfare`) asks an ILP
  solver, which may return any optimal set; the two agree wherever the optimum is unique.
- `mes` (`equal_shares`): the Method of Equal Shares (equalshares.net) with cost utilities, as
  pabutools' `method_of_equal_shares(sat_class=Cost_Sat)`. Every voter starts with budget ÷
  voters (empty ballots count). Each round selects the project with the least ρ — the least factor
  such that its supporters, each paying min(their money, ρ·cost), pay its cost — ties by tie key;
  its supporters pay; a project they can no longer pay for drops out; the rule stops when none is
  left. A project that costs nothing satisfies nobody under cost utilities, so MES (like
  pabutools) never selects it. The arithmetic is exact: floats carrying rigorous error bounds,
  and exact fractions whenever a decision is too close for them.
- `mes-add1` (`equal_shares(completion="add1")`): MES rerun with every voter's starting money
  raised by 1 (one unit of money), 2, 3, … until the outcome is exhaustive (no other project MES
  could buy fits in the unspent budget) — that outcome — or costs more than the budget — the one
  before. pabutools with `voter_budget_increment=1`, to the letter; the reruns whose outcome
  provably cannot differ are skipped (see `_equal_shares_add1`).
- `mes-add1-greedy` (`equal_shares(completion="add1-greedy")`): `mes-add1`, then greedy by number
  of supporters over the remaining projects and money: pabutools' `completion_by_rule_combination`
  of MES with `voter_budget_increment=1` and `greedy_utilitarian_welfare`.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate, chain, repeat
from operator import add, ge, itemgetter, lt, mul, sub
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hamkke.budget.pabulib import Instance

RULES = (
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "knapsack",
    "mes",
    "mes-add1",
    "mes-add1-greedy",
)

TieBreak = Callable[[str], Any]


def by_project_id(project_id: str) -> str:
    """The default tie-break (pabutools' lexicographic one): the project id, as a string."""
    return project_id


@dataclass(frozen=True)
class Election:
    """What the rules read: integer budget and costs, the support sets of the ballots (each with the
    number of voters who cast it; empty ones count as voters), each project's score, and the
    minimum score of the greedy-threshold rule (None: no threshold)."""

    budget: int
    costs: dict[str, int]
    supports: dict[frozenset[str], int]
    scores: dict[str, int] = field(default_factory=dict)
    score_threshold: int | None = None

    @classmethod
    def from_approvals(
        cls,
        budget: int,
        costs: Mapping[str, int],
        ballots: Iterable[Iterable[str]],
        *,
        score_threshold: int | None = None,
    ) -> Election:
        """An approval election: each ballot is the set of projects a voter approves."""
        sets = [frozenset(ballot) for ballot in ballots]
        supporters = Counter(chain.from_iterable(sets))
        return cls._checked(budget, costs, Counter(sets), supporters, supporters, score_threshold)

    @classmethod
    def from_instance(cls, instance: Instance) -> Election:
        """The election of a Pabulib instance (any vote type; see the module docstring)."""
        costs = {project_id: project.cost for project_id, project in instance.projects.items()}
        votes = instance.votes
        if instance.vote_type in ("approval", "choose-1"):
            sets = [frozenset(ballot.vote) for ballot in votes]
            scores = Counter(chain.from_iterable(sets))
        elif instance.vote_type in ("cumulative", "scoring"):
            sets = []
            scores = Counter()
            for ballot in votes:
                pairs = list(zip(ballot.vote, ballot.points or (), strict=True))
                sets.append(frozenset(project_id for project_id, point in pairs if point > 0))
                for project_id, point in pairs:
                    scores[project_id] += point
        else:  # ordinal
            sets = [frozenset(ballot.vote) for ballot in votes]
            longest = max((len(ballot.vote) for ballot in votes), default=0)
            max_length = _meta_int(instance.meta.get("max_length")) or longest
            rankings = [ballot.vote for ballot in votes]
            scores = Counter()
            for position in range(longest):
                if position:
                    rankings = [ranking for ranking in rankings if len(ranking) > position]
                ranked_here = Counter(map(itemgetter(position), rankings))
                for project_id, count in ranked_here.items():
                    scores[project_id] += (max_length - position) * count
        supporters = Counter(chain.from_iterable(sets))
        threshold = instance.min_project_score_threshold
        return cls._checked(instance.budget, costs, Counter(sets), supporters, scores, threshold)

    @classmethod
    def _checked(cls, budget, costs, supports, supporters, scores, score_threshold) -> Election:
        if budget < 0:
            raise ValueError(f"the budget {budget} is negative")
        costs = dict(costs)
        for project_id, cost in costs.items():
            if not isinstance(cost, int) or cost < 0:
                raise ValueError(f"the cost of {project_id!r} must be a whole number >= 0")
        unknown = supporters.keys() - costs.keys()
        if unknown:
            raise ValueError(f"ballots support unknown projects {sorted(unknown)}")
        election = cls(
            budget=budget,
            costs=costs,
            supports=dict(supports),
            scores={project_id: scores.get(project_id, 0) for project_id in costs},
            score_threshold=score_threshold,
        )
        # Counted once here, in C, rather than from the grouped ballots by every rule.
        counts = {project_id: supporters.get(project_id, 0) for project_id in costs}
        object.__setattr__(election, "_supporter_counts", counts)
        return election

    @property
    def voters(self) -> int:
        return sum(self.supports.values())

    def supporters(self) -> dict[str, int]:
        """The number of voters supporting each project (its approval score)."""
        counts = self.__dict__.get("_supporter_counts")
        if counts is None:
            counts = dict.fromkeys(self.costs, 0)
            for support, voters in self.supports.items():
                for project_id in support:
                    counts[project_id] += voters
            object.__setattr__(self, "_supporter_counts", counts)
        return dict(counts)


def _meta_int(text: str | None) -> int | None:
    if text is None or not text.strip().isdigit():
        return None
    return int(text)


def select_projects(
    source: Election | Instance, rule: str, *, tie_break: TieBreak = by_project_id
) -> list[str]:
    """The ids selected by `rule` (one of `RULES`) on an election or Pabulib instance, sorted as
    strings."""
    election = source if isinstance(source, Election) else Election.from_instance(source)
    if rule == "greedy":
        selected = greedy(election, tie_break=tie_break)
    elif rule == "greedy-no-skip":
        selected = greedy_no_skip(election, threshold=election.score_threshold, tie_break=tie_break)
    elif rule == "greedy-threshold":
        selected = greedy(election, threshold=election.score_threshold, tie_break=tie_break)
    elif rule == "knapsack":
        selected = max_utilitarian_welfare(election, tie_break=tie_break)
    elif rule == "mes":
        selected = equal_shares(election, tie_break=tie_break)
    elif rule == "mes-add1":
        selected = equal_shares(election, completion="add1", tie_break=tie_break)
    elif rule == "mes-add1-greedy":
        selected = equal_shares(election, completion="add1-greedy", tie_break=tie_break)
    else:
        raise ValueError(f"unknown rule {rule!r} (known: {', '.join(RULES)})")
    return sorted(selected)


def _tie_keys(project_ids: Iterable[str], tie_break: TieBreak) -> dict[str, tuple]:
    return {project_id: (tie_break(project_id), project_id) for project_id in project_ids}


def _greedy_order(scores: Mapping[str, int], tie_break: TieBreak) -> list[str]:
    keys = _tie_keys(scores, tie_break)
    return sorted(scores, key=lambda project_id: (-scores[project_id], keys[project_id]))


# --- greedy -------------------------------------------------------------------------------------


def greedy(
    election: Election,
    *,
    threshold: int | None = None,
    tie_break: TieBreak = by_project_id,
    scores: Mapping[str, int] | None = None,
    selected: Iterable[str] = (),
) -> list[str]:
    """Greedy by score within the budget, skipping projects that do not fit; with `threshold`,
    only projects scoring at least that. `scores` replaces the election's; `selected` are projects
    already bought (the greedy completion of another rule): they stay, and their cost is spent."""
    scores = election.scores if scores is None else scores
    chosen = list(selected)
    left = election.budget - sum(election.costs[p] for p in chosen)
    taken = set(chosen)
    for project_id in _greedy_order(scores, tie_break):
        if project_id in taken or (threshold is not None and scores[project_id] < threshold):
            continue
        cost = election.costs[project_id]
        if cost <= left:
            chosen.append(project_id)
            left -= cost
    return chosen


def greedy_no_skip(
    election: Election, *, threshold: int | None = None, tie_break: TieBreak = by_project_id
) -> list[str]:
    """Greedy by score that stops at the first project that does not fit (after leaving out the
    projects scoring below `threshold`, if given)."""
    chosen = []
    left = election.budget
    for project_id in _greedy_order(election.scores, tie_break):
        if threshold is not None and election.scores[project_id] < threshold:
            continue
        cost = election.costs[project_id]
        if cost > left:
            break
        chosen.append(project_id)
        left -= cost
    return chosen


# --- exact utilitarian welfare (knapsack) -------------------------------------------------------


def max_utilitarian_welfare(
    election: Election, *, tie_break: TieBreak = by_project_id
) -> list[str]:
    """A set within the budget of greatest welfare Σ supporters(p)·cost(p); among the optimal sets,
    the first in the greedy order (see the module docstring). Branch and bound, exact."""
    supporters = election.supporters()
    order = [
        p for p in _greedy_order(supporters, tie_break) if election.costs[p] <= election.budget
    ]
    # Value per unit of cost is the number of supporters, so the greedy order is also the order of
    # the fractional-knapsack bound, which is then an integer: the whole search is integer.
    density = [supporters[p] for p in order]
    cost = [election.costs[p] for p in order]
    value = [d * c for d, c in zip(density, cost, strict=True)]
    count = len(order)
    cost_before = [0, *accumulate(cost)]
    value_before = [0, *accumulate(value)]

    def bound(index: int, room: int) -> int:
        """The fractional-knapsack bound of items index.. with `room` left."""
        end = bisect_right(cost_before, cost_before[index] + room, lo=index) - 1
        best = value_before[end] - value_before[index]
        if end < count:
            best += (room - (cost_before[end] - cost_before[index])) * density[end]
        return best

    # Depth-first, "take it" before "leave it", keeping only strictly better sets: the first
    # optimum found is the first in the greedy order. A stack instead of recursion, so that the
    # number of projects is not bounded by Python's recursion limit.
    best_value = -1
    best: list[bool] = []
    taken = [False] * count
    decisions: list[tuple[int, int, int]] = []  # (project, room, gained) where it was taken
    index, room, gained = 0, election.budget, 0
    while True:
        if index == count or gained + bound(index, room) <= best_value:
            if index == count and gained > best_value:
                best_value, best = gained, taken.copy()
            if not decisions:
                break
            index, room, gained = decisions.pop()
            taken[index] = False
            index += 1  # now leave it
            continue
        if cost[index] <= room:
            decisions.append((index, room, gained))
            taken[index] = True
            room -= cost[index]
            gained += value[index]
        index += 1
    return [project_id for project_id, chosen in zip(order, best, strict=True) if chosen]


# --- the Method of Equal Shares -------------------------------------------------------------------

# Twice the unit roundoff of a double: a safe bound on the relative error of one float operation.
# The fast MES engine carries, next to every float, a bound on its distance to the exact value, and
# gives up (`_Undecided`) whenever a decision is not certain with those bounds; the run is then
# redone in exact fractions. So the outcome is always the exact one.
_ULP = 2.0**-52

# A project's ρ in one round: (value, error bound, payers). payers > 0 says the value is exactly
# 1/payers (everyone with money left pays the same share), so two such levels compare exactly —
# which settles the frequent exact ties between projects with as many supporters.
Level = tuple[float, float, int]


# What `_float_rho` finds for a project: its level, the payment ρ·cost with its error bound, and
# its living classes sorted by money (and that money), the first `low` of which pay all they have.
_Quote = tuple[Level, float, float, int, tuple, tuple]


class _Undecided(Exception):
    """Floating point cannot settle a comparison; the caller redoes the work exactly."""


@dataclass
class _Point:
    """A run of MES at one starting amount, kept to certify the ranges that start there: the
    order, each selection's ρ, and — unless the run had to be exact — for each round the classes
    of the winner's supporters that paid all they had, and every class's money (a class's money
    is set once, when the class first exists, so these dicts answer for any round)."""

    order: list[int]
    levels: list[Level]
    poor: list[frozenset[int]] | None = None
    money: dict[int, float] | None = None
    error: dict[int, float] | None = None


def equal_shares(
    election: Election,
    *,
    completion: str | None = None,
    tie_break: TieBreak = by_project_id,
) -> list[str]:
    """The Method of Equal Shares with cost utilities; `completion` is None, "add1" or
    "add1-greedy" (see the module docstring)."""
    if completion not in (None, "add1", "add1-greedy"):
        raise ValueError(f"unknown completion {completion!r}")
    profile = _MesProfile(election, tie_break)
    if profile.voters == 0:
        selected: list[str] = []  # as pabutools: no ballots, no money, nothing bought
    elif completion is None:
        selected = profile.outcome(profile.run(Fraction(election.budget, profile.voters)).order)
    else:
        selected = profile.outcome(_equal_shares_add1(profile))
    if completion == "add1-greedy":
        selected = greedy(
            election, scores=election.supporters(), tie_break=tie_break, selected=selected
        )
    return selected


class _MesProfile:
    """An election prepared for MES: the projects MES can buy (supported, costing something:
    with cost utilities a free project satisfies nobody, so pabutools never selects it), numbered
    in tie order, and the voters grouped by support set restricted to those projects.

    During a run a voter's money depends only on which of the already selected projects they
    support, so a project's supporters fall into classes keyed by that set (a bitmask over project
    numbers). `histogram(selected, p)` counts p's supporters per class; it does not depend on the
    voters' starting money, so the reruns of Add1 share it (a cache)."""

    def __init__(self, election: Election, tie_break: TieBreak):
        self.election = election
        keys = _tie_keys(election.costs, tie_break)
        supporters = election.supporters()
        buyable = [p for p in election.costs if supporters[p] and election.costs[p] > 0]
        self.ids = sorted(buyable, key=keys.__getitem__)
        number = {project_id: index for index, project_id in enumerate(self.ids)}
        self.costs = [election.costs[p] for p in self.ids]
        self.supporters = [supporters[p] for p in self.ids]
        self.voters = election.voters
        groups: Counter[int] = Counter()
        for support, voters in election.supports.items():
            mask = 0
            for project_id in support:
                index = number.get(project_id)
                if index is not None:
                    mask |= 1 << index
            if mask:
                groups[mask] += voters
        # Each project's supporters' masks in lists by group size: a histogram is then a few
        # Counter passes in C rather than a Python loop over voters.
        self.masks: list[dict[int, list[int]]] = [{} for _ in self.ids]
        # A project's histogram depends only on the selected projects its supporters also support
        # (its neighbours): keyed by those alone, it is shared by all runs that differ elsewhere.
        self.neighbours = [0] * len(self.ids)
        for mask, voters in groups.items():
            rest = mask
            while rest:
                low = rest & -rest
                index = low.bit_length() - 1
                self.masks[index].setdefault(voters, []).append(mask)
                self.neighbours[index] |= mask
                rest ^= low
        self._histograms: dict[tuple[int, int], list[tuple[int, ...]]] = {}
        # After a failed `certify`: the fraction of the range the first argument might have
        # reached, judging by the project that failed it (a guess, used to choose the next try).
        self.hint: float | None = None

    def outcome(self, order: list[int]) -> list[str]:
        return [self.ids[index] for index in order]

    def spent(self, order: list[int]) -> int:
        return sum(self.costs[index] for index in order)

    def histogram(self, selected: int, project: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Supporters of `project` per class (the set of `selected` projects they support), as
        parallel tuples of classes and counts."""
        selected &= self.neighbours[project]
        key = (selected, project)
        found = self._histograms.get(key)
        if found is not None:
            return found
        counts: Counter[int] = Counter()
        for voters, masks in self.masks[project].items():
            part = Counter(map(selected.__and__, masks))
            if voters == 1:
                counts.update(part)
            else:
                for cls, count in part.items():
                    counts[cls] += voters * count
        if len(self._histograms) > 100_000:
            self._histograms.clear()  # only a cache: bounded memory
        found = self._histograms[key] = [tuple(counts), tuple(counts.values())]
        return found

    def run(self, start: Fraction) -> _Point:
        """One run of MES with `start` money per voter: the selected project numbers in order and
        the ρ of each selection (and what `certify` needs)."""
        try:
            return self._run_float(start)
        except _Undecided:
            order, rhos = self._run_exact(start)
            return _Point(order, [_level_of(rho) for rho in rhos])

    # -- exact -------------------------------------------------------------------------------

    def _run_exact(self, start: Fraction) -> tuple[list[int], list[Fraction]]:
        """The reference run, in fractions (used when floats cannot decide, and by the tests)."""
        costs = self.costs
        money: dict[int, Fraction] = {0: start}
        selected = 0
        order: list[int] = []
        rhos: list[Fraction] = []
        # A project's ρ only grows as voters spend, so the last value computed (at first
        # 1/supporters: everyone pays the same) is a lower bound: a lazy priority queue.
        heap = [(Fraction(1, n), index) for index, n in enumerate(self.supporters)]
        heapq.heapify(heap)
        fresh: dict[int, int] = {}
        while heap:
            rho, index = heapq.heappop(heap)
            if fresh.get(index) != len(order):
                rho = _exact_rho(self.histogram(selected, index), money, costs[index])
                if rho is not None:
                    fresh[index] = len(order)
                    heapq.heappush(heap, (rho, index))
                continue
            payment = rho * costs[index]
            bit = 1 << index
            for cls in self.histogram(selected, index)[0]:
                left = money[cls] - payment
                money[cls | bit] = left if left > 0 else Fraction(0)
            selected |= bit
            order.append(index)
            rhos.append(rho)
        return order, rhos

    # -- fast --------------------------------------------------------------------------------

    def _float_rho(
        self, index: int, selected: int, money: dict[int, float], error: dict[int, float]
    ) -> _Quote | None:
        """ρ of project `index` now, or None if its supporters certainly cannot pay for it; raises
        _Undecided when floats cannot tell.

        Classes missing from `money` have certainly spent everything (the dead): they sort first
        and pay nothing. The histogram is kept in the order found, so that the next run, with a
        little more money, finds it almost sorted, which Python's sort does in linear time."""
        histogram = self.histogram(selected, index)
        classes, counts = histogram
        size = len(classes)
        keys = list(map(money.get, classes, repeat(-1.0)))
        pick = itemgetter(*sorted(range(size), key=keys.__getitem__)) if size > 1 else None
        if pick is not None:
            classes, counts, keys = pick(classes), pick(counts), pick(keys)
            histogram[0], histogram[1] = classes, counts
        first = bisect_right(keys, -0.5)  # the dead come first
        if first == size:
            return None
        if first:
            classes, counts, values = classes[first:], counts[first:], keys[first:]
            size -= first
        else:
            values = keys
        cost = self.costs[index]
        paid = list(accumulate(map(mul, values, counts), initial=0.0))
        payers = list(accumulate(counts, initial=0))
        everyone = payers[-1]
        widest = max(map(error.__getitem__, classes))
        rounding = (size + 2) * _ULP
        # Σ count × error ≤ widest × payers: coarser than the sum, but free.
        slack = widest * everyone + rounding * paid[-1]
        if paid[-1] + slack < cost:
            return None
        if paid[-1] - slack < cost:
            raise _Undecided
        # The first class (by money) that can pay an equal share of what the poorer classes,
        # paying all they have, leave: that share is the payment.
        low, high = 0, size - 1
        while low < high:
            middle = (low + high) // 2
            if cost - paid[middle] <= values[middle] * (everyone - payers[middle]):
                high = middle
            else:
                low = middle + 1
        rest = everyone - payers[low]
        payment = (cost - paid[low]) / rest
        payment_error = (widest * payers[low] + rounding * paid[low] + _ULP * cost) / rest
        payment_error += _ULP * payment
        # The payment is right if the classes before `low` certainly have less than it (they pay
        # all) and the others certainly at least it (they pay it). The float order of the classes
        # may be wrong only within their errors, hence the widest error for all of them first.
        if low and values[low - 1] + widest >= payment - payment_error:
            errors = list(map(error.__getitem__, classes[:low]))
            if not all(map(lt, map(add, values[:low], errors), repeat(payment - payment_error))):
                raise _Undecided
        if values[low] - widest < payment + payment_error:
            errors = list(map(error.__getitem__, classes[low:]))
            if not all(map(ge, map(sub, values[low:], errors), repeat(payment + payment_error))):
                raise _Undecided
        rho = payment / cost
        # With no living class paying less than the share, the share is exactly cost / payers.
        level = (rho, payment_error / cost + _ULP * rho, 0 if low else rest)
        return level, payment, payment_error, low, classes, values

    def _pay(self, index: int, quote: _Quote, money: dict[int, float], error: dict[int, float]):
        """Supporters pay for project `index`: the poorer classes spend all (they die: no entry),
        the others the payment; each class moves to the key that includes the project."""
        _level, payment, payment_error, low, classes, values = quote
        rich, values = classes[low:], values[low:]
        moved = list(map((1 << index).__or__, rich))
        left = map(max, map(sub, values, repeat(payment)), repeat(0.0))
        money.update(zip(moved, left, strict=True))
        # Error of what is left: the class's, the payment's, and the subtraction's rounding.
        wrong = map(add, map(error.__getitem__, rich), repeat(payment_error))
        error.update(zip(moved, map(add, wrong, map(mul, values, repeat(_ULP))), strict=True))

    def _before(self, a: int, b: int, levels: dict[int, Level], selected: int) -> bool:
        """Whether project a certainly comes before b in this round: (ρ, number) order."""
        level_a, level_b = levels[a], levels[b]
        if level_a[2] and level_b[2]:
            return (-level_a[2], a) < (-level_b[2], b)
        if level_a[0] + level_a[1] < level_b[0] - level_b[1]:
            return True
        if level_b[0] + level_b[1] < level_a[0] - level_a[1]:
            return False
        if self.costs[a] == self.costs[b]:
            hist_a, hist_b = self.histogram(selected, a), self.histogram(selected, b)
            if dict(zip(*hist_a, strict=True)) == dict(zip(*hist_b, strict=True)):
                return a < b  # the same supporters with the same money: an exact tie
        raise _Undecided

    def _quote(self, index, selected, money, error, computed) -> _Quote | None:
        """The quote of project `index` now: the one computed before if none of its neighbours
        has been selected since (its supporters' money is then unchanged), else a new one."""
        state = selected & self.neighbours[index]
        known = computed.get(index)
        if known is not None and known[0] == state:
            return known[1]
        quote = self._float_rho(index, selected, money, error)
        if quote is not None:
            computed[index] = (state, quote)
        return quote

    def _run_float(self, start: Fraction) -> _Point:
        initial = float(start)
        money = {0: initial}
        error = {0: _ULP * initial}
        selected = 0
        order: list[int] = []
        levels: list[Level] = []
        poor: list[frozenset[int]] = []
        # Heap of (lower bound of ρ, project); the bound 1/supporters holds before anyone pays.
        heap = [((1 - 2 * _ULP) / n, index) for index, n in enumerate(self.supporters)]
        heapq.heapify(heap)
        neighbours = self.neighbours
        computed: dict[int, tuple[int, _Quote]] = {}  # project -> (neighbours selected, quote)
        while heap:
            _bound, index = heapq.heappop(heap)
            known = computed.get(index)
            if known is None or known[0] != selected & neighbours[index]:
                quote = self._quote(index, selected, money, error, computed)
                if quote is not None:
                    heapq.heappush(heap, (quote[0][0] - quote[0][1], index))
                continue
            # `index` is up to date and has the least lower bound; projects whose bound does not
            # exceed its value might still be smaller: bring them up to date and compare.
            quote = known[1]
            reach = quote[0][0] + quote[0][1]
            if heap and heap[0][0] <= reach:
                index = self._settle(index, reach, heap, computed, selected, money, error)
                quote = computed[index][1]
            self._pay(index, quote, money, error)
            selected |= 1 << index
            order.append(index)
            levels.append(quote[0])
            poor.append(frozenset(quote[4][: quote[3]]))
        return _Point(order, levels, poor, money, error)

    def _settle(self, index, reach, heap, computed, selected, money, error) -> int:
        contenders = [index]
        while heap and heap[0][0] <= reach:
            _bound, rival = heapq.heappop(heap)
            if self._quote(rival, selected, money, error, computed) is not None:
                contenders.append(rival)
            # else: can no longer be paid for: gone for the rest of the run
        levels = {c: computed[c][1][0] for c in contenders}
        winner = index
        for rival in contenders[1:]:
            if self._before(rival, winner, levels, selected):
                winner = rival
        for rival in contenders:
            if rival != winner:
                heapq.heappush(heap, (levels[rival][0] - levels[rival][1], rival))
        return winner

    def certify(self, earlier: _Point, start: Fraction) -> _Point | None:
        """If MES certainly selects `earlier.order` with every starting money from the one of
        `earlier` to `start`, the run at `start`; otherwise None.

        Follows the order with `start` money per voter and checks, round by round, that every
        other project is certainly behind the one selected, all along the range, by one of two
        arguments. Along a fixed order, voters' money only grows and every ρ only falls as the
        starting money grows; so (1) a project whose ρ at `start` is above the selected one's ρ
        of the earlier run stays behind throughout. And a class of voters, once rich enough to pay
        a share, stays so; so if the same classes pay all they have at both ends, for this round's
        and every earlier winner and for the project, they do so all along, every amount involved
        is affine in the starting money, and (2) a project behind at both ends is behind in
        between. (2) settles the close calls near a change of order that (1) cannot."""
        self.hint = None
        initial = float(start)
        money = {0: initial}
        error = {0: _ULP * initial}
        selected = 0
        levels: list[Level] = []
        poor: list[frozenset[int]] = []
        heap = [((1 - 2 * _ULP) / n, index) for index, n in enumerate(self.supporters)]
        heapq.heapify(heap)
        computed: dict[int, tuple[int, _Quote]] = {}
        done: set[int] = set()
        same_poor = earlier.poor is not None and earlier.money is not None
        try:
            for round_, (winner, threshold) in enumerate(
                zip(earlier.order, earlier.levels, strict=True)
            ):
                chosen = self._quote(winner, selected, money, error, computed)
                if chosen is None:
                    return None
                chosen_poor = frozenset(chosen[4][: chosen[3]])
                same_poor = same_poor and chosen_poor == earlier.poor[round_]
                limit = threshold[0] + threshold[1]
                checked = []
                while heap and heap[0][0] <= limit:
                    _bound, index = heapq.heappop(heap)
                    if index in done or index == winner:
                        continue
                    quote = self._quote(index, selected, money, error, computed)
                    if quote is None:
                        continue  # certainly unaffordable from now on
                    checked.append((quote[0][0] - quote[0][1], index))
                    if _behind(quote[0], index, threshold, winner):
                        continue  # argument (1)
                    before = None
                    if earlier.money is not None:
                        before = self._float_rho(index, selected, earlier.money, earlier.error)
                    if (
                        not same_poor
                        or before is None
                        or frozenset(before[4][: before[3]]) != frozenset(quote[4][: quote[3]])
                        or not _behind(before[0], index, threshold, winner)
                        or not _behind(quote[0], index, chosen[0], winner)
                    ):
                        # Neither argument: guess how far (1) would reach, were ρ linear.
                        if before is not None and before[0][0] > quote[0][0]:
                            share = (before[0][0] - threshold[0]) / (before[0][0] - quote[0][0])
                            self.hint = max(0.0, min(1.0, share))
                        return None
                for item in checked:
                    heapq.heappush(heap, item)
                self._pay(winner, chosen, money, error)
                selected |= 1 << winner
                done.add(winner)
                levels.append(chosen[0])
                poor.append(chosen_poor)
            # The run must end here too: whatever is left, its supporters cannot pay for.
            for _bound, index in heap:
                if index in done:
                    continue
                if self._quote(index, selected, money, error, computed) is not None:
                    return None
        except _Undecided:
            return None
        return _Point(list(earlier.order), levels, poor, money, error)


def _behind(level: Level, index: int, leader: Level, winner: int) -> bool:
    """Whether project `index` at `level` certainly comes after project `winner` at `leader` in
    the (ρ, number) order."""
    if level[2] and leader[2]:
        return (-level[2], index) > (-leader[2], winner)
    low, high = level[0] - level[1], leader[0] + leader[1]
    return low >= high if index > winner else low > high


def _level_of(rho: Fraction) -> Level:
    value = float(rho)
    return (value, _ULP * value, rho.denominator if rho.numerator == 1 else 0)


def _exact_rho(
    histogram: tuple[tuple[int, ...], tuple[int, ...]], money: dict[int, Fraction], cost: int
) -> Fraction | None:
    """The least ρ with Σ count·min(money, ρ·cost) = cost over the classes, or None if the
    supporters cannot pay `cost` together."""
    classes, counts = histogram
    pairs = sorted(zip(map(money.__getitem__, classes), counts, strict=True))
    if sum(amount * count for amount, count in pairs) < cost:
        return None
    paid = Fraction(0)  # a Fraction from the start: int / int would be a float
    payers = sum(counts)
    for amount, count in pairs:
        share = (cost - paid) / payers
        if share <= amount:
            return share / cost
        paid += amount * count
        payers -= count
    raise AssertionError("unreachable: the supporters can pay")


def _equal_shares_add1(profile: _MesProfile) -> list[int]:
    """pabutools' Add1 loop: rerun MES with 1, 2, 3, … more units of money per voter until the
    outcome is exhaustive (return it) or costs more than the budget (return the one before).

    Runs at nearby increments mostly give the same outcome, so instead of rerunning at each, the
    loop certifies whole ranges (`_MesProfile.certify`): a certified range has one outcome, the
    one at its start, which is neither exhaustive nor over budget, so the loop goes on from its
    end. The range it tries doubles after a success and halves after a failure, and it never
    reaches again past an end that failed (nearer starts certify further, so that end is
    approached in a few steps); at length zero the loop reruns MES at the next increment, where
    the outcome may change. Where the order changes at almost every increment, certifying is
    wasted work: the loop then reruns at each increment, and tries again after more and more
    unchanged reruns."""
    election = profile.election
    budget = election.budget
    costs = profile.costs
    start = Fraction(election.budget, profile.voters)
    point = profile.run(start)
    previous: list[int] = []
    increment = 0
    stride = 1
    ceiling = None  # the end of the last range that could not be certified
    longest = 0  # the longest range certified since the order last changed
    patience = waited = 0
    while True:
        order = point.order
        spent = profile.spent(order)
        if spent > budget:
            return previous
        chosen = set(order)
        if all(index in chosen or spent + costs[index] > budget for index in range(len(costs))):
            return order
        previous = order
        if stride and waited >= patience:
            target = increment + stride
            if ceiling is not None and ceiling <= increment + 1:
                ceiling = None  # reached: from here on, nothing is known to fail
            if ceiling is not None:
                target = min(target, ceiling - 1)
            certified = profile.certify(point, start + target)
            if certified is None:
                ceiling = target
                stride = (target - increment) // 2
                if profile.hint is not None:  # where ρ was heading, from the failed attempt
                    stride = min(stride, int(profile.hint * (target - increment)))
                if not stride:
                    patience, waited = 2 * patience + 1, 0
                continue
            stride = 2 * (target - increment)
            longest = max(longest, target - increment)
            increment, point = target, certified
            patience //= 2
            continue
        increment += 1
        following = profile.run(start + increment)
        if following.order != order:
            # A new order: its range is likely as long as the last ones; start at a fraction.
            waited, ceiling, stride, longest = 0, None, max(1, longest // 4), 0
        else:
            waited += 1
            stride = max(stride, 1)
        point = following
