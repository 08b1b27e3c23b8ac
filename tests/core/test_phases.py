"""The shared phase model (hamkke.core.phases): which phase holds at a moment, when the next one
starts, what a phase allows, the timeline's states; on generated schedules too. No database."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from hamkke.core import phases
from hamkke.core.phases import ENDED, UPCOMING, PhaseSpec, Schedule, Step

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
DAY = timedelta(days=1)
IDEAS = PhaseSpec("ideas", allows={"propose", "comment"})
VOTING = PhaseSpec("voting", allows={"vote", "comment"})
RESULTS = PhaseSpec("results", allows={"publish"})


def contest(*, ends: datetime | None = None, **options) -> Schedule:
    return Schedule.of(
        [(IDEAS, T0), (VOTING, T0 + 10 * DAY), (RESULTS, T0 + 20 * DAY)], ends=ends, **options
    )


def test_the_phase_at_a_moment_and_its_boundaries():
    schedule = contest()
    assert schedule.current(T0 - DAY) is UPCOMING
    assert schedule.current(T0) == IDEAS  # a start belongs to the phase it starts
    assert schedule.current(T0 + 10 * DAY - timedelta(microseconds=1)) == IDEAS
    assert schedule.current(T0 + 10 * DAY) == VOTING
    assert schedule.current(T0 + 400 * DAY) == RESULTS  # no end: the last phase lasts
    assert schedule.step_at(T0 - DAY) is None


def test_a_schedule_with_an_end_closes():
    schedule = contest(ends=T0 + 30 * DAY)
    assert schedule.current(T0 + 29 * DAY) == RESULTS
    assert schedule.current(T0 + 30 * DAY) is ENDED
    assert schedule.step_at(T0 + 30 * DAY) is None
    assert not schedule.allows("publish", T0 + 31 * DAY)


def test_what_a_moment_allows():
    schedule = contest()
    assert schedule.allows("propose", T0 + DAY)
    assert not schedule.allows("vote", T0 + DAY)
    assert schedule.allows("vote", T0 + 11 * DAY)
    assert schedule.allows("comment", T0 + 11 * DAY)
    assert not schedule.allows("propose", T0 - DAY)


def test_before_and_after_may_allow_actions_too():
    setting_up = PhaseSpec("upcoming", allows={"configure"})
    schedule = contest(before=setting_up, ends=T0 + 30 * DAY)
    assert schedule.allows("configure", T0 - DAY)
    assert not schedule.allows("configure", T0)
    assert schedule.specs_allowing("configure") == [setting_up]


def test_when_the_next_phase_starts():
    schedule = contest(ends=T0 + 30 * DAY)
    assert schedule.next_start(T0 - DAY) == T0
    assert schedule.next_start(T0) == T0 + 10 * DAY
    assert schedule.next_start(T0 + 25 * DAY) == T0 + 30 * DAY
    assert schedule.next_start(T0 + 30 * DAY) is None
    assert contest().next_start(T0 + 25 * DAY) is None


def test_the_phases_that_allow_an_action_in_order_each_once():
    again = PhaseSpec("voting", allows={"vote", "comment"})
    schedule = Schedule.of([(IDEAS, T0), (VOTING, T0 + DAY), (again, T0 + 2 * DAY)])
    assert schedule.specs_allowing("comment") == [IDEAS, VOTING]
    assert schedule.specs_allowing("publish") == []


def test_the_timeline_says_past_now_and_next():
    schedule = contest()
    entries = schedule.timeline(T0 + 12 * DAY)
    assert [(e.spec.code, e.state) for e in entries] == [
        ("ideas", "past"),
        ("voting", "now"),
        ("results", "next"),
    ]
    assert entries[0].ends == T0 + 10 * DAY and entries[-1].ends is None
    assert {e.state for e in schedule.timeline(T0 - DAY)} == {"next"}


def test_specs_take_any_iterable_of_actions_and_hash():
    spec = PhaseSpec("review", allows=["review", "review"])
    assert spec.allows == frozenset({"review"})
    assert {spec, PhaseSpec("review", allows={"review"})} == {spec}


def test_order_is_checked_not_assumed():
    assert contest().in_order
    assert not Schedule.of([(IDEAS, T0), (VOTING, T0)]).in_order
    assert not contest(ends=T0).in_order
    # Out of order, the last step in the declared order whose start has come holds.
    muddled = Schedule.of([(IDEAS, T0 + 5 * DAY), (VOTING, T0)])
    assert muddled.current(T0 + 6 * DAY) == VOTING


def test_the_module_imports_no_django():
    """core.phases is a pure module: importing it must not need Django."""
    tree = ast.parse(Path(phases.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.split(".")[0] in ("django", "hamkke")]


# --- properties --------------------------------------------------------------------------------

SPECS = [PhaseSpec(f"p{n}", allows={f"a{n}", "shared"}) for n in range(6)]


@st.composite
def schedules(draw) -> Schedule:
    """A schedule of 1–6 steps in order, each 1 to 100 hours long, perhaps with an end."""
    count = draw(st.integers(1, len(SPECS)))
    gaps = draw(st.lists(st.integers(1, 100), min_size=count, max_size=count))
    moment, steps = T0, []
    for spec, gap in zip(SPECS[:count], gaps, strict=True):
        steps.append(Step(spec, moment))
        moment += timedelta(hours=gap)
    return Schedule(steps=tuple(steps), ends=moment if draw(st.booleans()) else None)


moments = st.integers(-200, 800).map(lambda hours: T0 + timedelta(hours=hours))


@given(schedules(), moments)
def test_the_current_phase_is_the_last_that_has_started(schedule, moment):
    started = [step for step in schedule.steps if step.starts <= moment]
    ended = schedule.ends is not None and moment >= schedule.ends
    expected = ENDED if ended else (started[-1].spec if started else UPCOMING)
    assert schedule.current(moment) == expected
    assert schedule.in_order


@given(schedules(), moments)
def test_an_action_is_allowed_exactly_in_the_phases_that_allow_it(schedule, moment):
    for number in range(len(SPECS)):
        action = f"a{number}"
        allowed = schedule.allows(action, moment)
        assert allowed == (schedule.current(moment) in schedule.specs_allowing(action))


@given(schedules(), moments)
def test_nothing_changes_before_the_next_start(schedule, moment):
    upcoming = schedule.next_start(moment)
    if upcoming is None:
        assert schedule.current(moment + timedelta(days=1000)) == schedule.current(moment)
        return
    assert upcoming > moment
    just_before = upcoming - timedelta(microseconds=1)
    assert schedule.current(just_before) == schedule.current(moment)
    assert schedule.current(upcoming) != schedule.current(moment)


@given(schedules(), moments)
def test_the_timeline_has_one_now_at_most_with_the_past_before_it(schedule, moment):
    states = [entry.state for entry in schedule.timeline(moment)]
    assert states.count("now") <= 1
    assert states == sorted(states, key=["past", "now", "next"].index)
    assert ("now" in states) == (schedule.step_at(moment) is not None)
