"""Dated phases and what each allows: the calendar of every participation process (a budget
cycle, an ideas contest, a poll). Pure Python, no Django, so any app's policies can ask it and
hypothesis can test it.

A process declares its phases once, as adhocracy4's modules do: each `PhaseSpec` has a code and
the actions it allows (plain strings the app names, e.g. "propose", "review", "vote", "score",
"publish"). A `Schedule` dates them: each phase starts at its `Step`'s moment and lasts until the
next one starts; the last lasts until `ends`, or for ever when `ends` is None. Before the first
phase the schedule is in its `before` phase, after `ends` in its `after` phase; both are specs
like any other, so a process may allow set-up before it opens ("upcoming" allowing "configure")
or nothing at all once it has closed. A start belongs to the phase it starts.

    PROPOSE, VOTE = "propose", "vote"
    schedule = Schedule(
        steps=(
            Step(PhaseSpec("ideas", allows={PROPOSE}), starts=june),
            Step(PhaseSpec("voting", allows={VOTE}), starts=september),
        ),
        ends=october,
    )
    schedule.current(moment).code      # "ideas", "voting", "upcoming" or "ended"
    schedule.allows(VOTE, moment)       # may people vote at that moment?
    schedule.next_start(moment)         # when the phase after the current one begins
    schedule.specs_allowing(VOTE)       # the phases to name in a refusal ("needs: voting")

Steps are expected in order of their starts (`in_order` says whether they are; an app validates
its dates before saving them). Out of order, a schedule still answers: the current phase is then
the last step, in the declared order, whose start has come."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# The states of a step on a timeline (see Schedule.timeline).
PAST, NOW, NEXT = "past", "now", "next"


@dataclass(frozen=True)
class PhaseSpec:
    """A kind of phase: its code and the actions it allows."""

    code: str
    allows: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # Callers may hand any iterable of action names; kept as a frozenset so specs hash.
        object.__setattr__(self, "allows", frozenset(self.allows))

    def allowing(self, action: str) -> bool:
        return action in self.allows


UPCOMING = PhaseSpec("upcoming")
ENDED = PhaseSpec("ended")


@dataclass(frozen=True)
class Step:
    """A phase of one schedule and the moment it starts."""

    spec: PhaseSpec
    starts: datetime


@dataclass(frozen=True)
class TimelineEntry:
    """A step as a timeline shows it: when it starts and ends, and whether it is past, now or
    next."""

    spec: PhaseSpec
    starts: datetime
    ends: datetime | None
    state: str  # PAST, NOW or NEXT


@dataclass(frozen=True)
class Schedule:
    """Dated phases: each step lasts until the next starts, the last until `ends` (None: for
    ever). `before` holds until the first step starts, `after` from `ends` on."""

    steps: tuple[Step, ...]
    ends: datetime | None = None
    before: PhaseSpec = UPCOMING
    after: PhaseSpec = ENDED

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))

    @classmethod
    def of(cls, dated: Iterable[tuple[PhaseSpec, datetime]], **options: object) -> Schedule:
        """A schedule from (spec, start) pairs in order; `options` as the constructor's."""
        return cls(steps=tuple(Step(spec, starts) for spec, starts in dated), **options)

    @property
    def in_order(self) -> bool:
        """Whether every step starts after the one before, and `ends` after the last."""
        moments = [step.starts for step in self.steps]
        if self.ends is not None:
            moments.append(self.ends)
        return all(earlier < later for earlier, later in itertools.pairwise(moments))

    def step_at(self, moment: datetime) -> Step | None:
        """The step under way at `moment`; None before the first and after `ends`."""
        if self.ends is not None and moment >= self.ends:
            return None
        current = None
        for step in self.steps:
            if moment >= step.starts:
                current = step
        return current

    def current(self, moment: datetime) -> PhaseSpec:
        """The phase at `moment`: a step's, or `before` or `after`."""
        step = self.step_at(moment)
        if step is not None:
            return step.spec
        if self.ends is not None and moment >= self.ends:
            return self.after
        return self.before

    def allows(self, action: str, moment: datetime) -> bool:
        """Whether the phase at `moment` allows `action`."""
        return self.current(moment).allowing(action)

    def next_start(self, moment: datetime) -> datetime | None:
        """When the phase after the one at `moment` begins: the next step's start, or `ends`;
        None when nothing follows."""
        later = [step.starts for step in self.steps if step.starts > moment]
        if self.ends is not None and self.ends > moment:
            later.append(self.ends)
        return min(later, default=None)

    def specs_allowing(self, action: str) -> list[PhaseSpec]:
        """Every phase of the schedule that allows `action`, in the schedule's order (`before`
        first, `after` last), each once: what a refusal names as the phases it needs."""
        found: list[PhaseSpec] = []
        for spec in (self.before, *(step.spec for step in self.steps), self.after):
            if spec.allowing(action) and spec not in found:
                found.append(spec)
        return found

    def timeline(self, moment: datetime) -> list[TimelineEntry]:
        """The steps with their ends and whether each is past, now or next at `moment`."""
        current = self.step_at(moment)
        entries = []
        for index, step in enumerate(self.steps):
            ends = self.steps[index + 1].starts if index + 1 < len(self.steps) else self.ends
            if step is current:
                state = NOW
            elif moment >= step.starts:
                state = PAST
            else:
                state = NEXT
            entries.append(
                TimelineEntry(spec=step.spec, starts=step.starts, ends=ends, state=state)
            )
        return entries
