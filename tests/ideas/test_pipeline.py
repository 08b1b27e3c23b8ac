"""The pure pipeline: allowed moves only, no skipping or going back, and the event the
scheduled check fires for an idea's facts (threshold before deadline, escalation once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hamkke.ideas import pipeline

STAGES = pipeline.Stages(
    forward_supports=50,
    forward_days=30,
    answer_days=14,
    escalation_days=7,
    discussion_supports=500,
    discussion_days=60,
    discussion_length_days=14,
    review_days=30,
)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ORDER = [
    pipeline.OPEN,
    pipeline.FORWARDED,
    pipeline.ANSWERED,
    pipeline.DISCUSSION,
    pipeline.REVIEW,
    pipeline.ADOPTED,
]


def test_the_main_road_climbs_one_stage_at_a_time():
    road = [
        pipeline.THRESHOLD,
        pipeline.ANSWER,
        pipeline.THRESHOLD,
        pipeline.START_REVIEW,
        pipeline.ADOPT,
    ]
    state = pipeline.OPEN
    seen = [state]
    for event in road:
        state = pipeline.next_state(state, event)
        seen.append(state)
    assert seen == ORDER


@given(st.sampled_from(pipeline.STATES), st.sampled_from(pipeline.EVENTS))
def test_no_move_goes_back_or_skips_a_stage(state, event):
    target = pipeline.next_state(state, event)
    if target is None or state not in ORDER or target not in ORDER:
        return
    # On the main road every move is exactly one stage up.
    assert ORDER.index(target) == ORDER.index(state) + 1


@given(
    st.sampled_from(sorted(pipeline.FINAL - {pipeline.CLOSED})), st.sampled_from(pipeline.EVENTS)
)
def test_decided_and_withdrawn_ideas_never_move(state, event):
    assert pipeline.next_state(state, event) is None


def test_skips_are_refused():
    assert pipeline.next_state(pipeline.OPEN, pipeline.ANSWER) is None
    assert pipeline.next_state(pipeline.OPEN, pipeline.ADOPT) is None
    assert pipeline.next_state(pipeline.FORWARDED, pipeline.THRESHOLD) is None
    assert pipeline.next_state(pipeline.DISCUSSION, pipeline.ADOPT) is None
    assert pipeline.next_state(pipeline.ANSWERED, pipeline.ANSWER) is None


def test_a_rescue_moves_one_stage_and_only_below_a_threshold():
    assert pipeline.next_state(pipeline.OPEN, pipeline.RESCUE) == pipeline.FORWARDED
    assert pipeline.next_state(pipeline.ANSWERED, pipeline.RESCUE) == pipeline.DISCUSSION
    assert pipeline.next_state(pipeline.CLOSED, pipeline.RESCUE) == pipeline.FORWARDED
    assert pipeline.next_state(pipeline.FORWARDED, pipeline.RESCUE) is None
    assert pipeline.next_state(pipeline.REVIEW, pipeline.RESCUE) is None


def facts(state, supports, *, due=None, answer_due=None, escalated=False):
    return pipeline.Facts(
        state=state,
        supports=supports,
        supports_due=due,
        answer_due=answer_due,
        escalated=escalated,
    )


def test_due_event_reads_the_stage_threshold():
    later = NOW + timedelta(days=1)
    assert pipeline.due_event(facts(pipeline.OPEN, 49, due=later), STAGES, NOW) is None
    assert pipeline.due_event(facts(pipeline.OPEN, 50, due=later), STAGES, NOW) == "threshold"
    # 50 is far from the second stage's 500.
    assert pipeline.due_event(facts(pipeline.ANSWERED, 50, due=later), STAGES, NOW) is None
    assert pipeline.due_event(facts(pipeline.ANSWERED, 500, due=later), STAGES, NOW) == "threshold"


def test_the_deadline_closes_and_supports_in_time_win():
    earlier = NOW - timedelta(seconds=1)
    assert pipeline.due_event(facts(pipeline.OPEN, 10, due=earlier), STAGES, NOW) == "expire"
    assert pipeline.due_event(facts(pipeline.OPEN, 60, due=earlier), STAGES, NOW) == "threshold"
    assert pipeline.due_event(facts(pipeline.ANSWERED, 3, due=earlier), STAGES, NOW) == "expire"


def test_an_overdue_answer_escalates_once():
    past = NOW - timedelta(hours=1)
    assert pipeline.due_event(facts(pipeline.FORWARDED, 0, answer_due=past), STAGES, NOW) == (
        "escalate"
    )
    assert (
        pipeline.due_event(
            facts(pipeline.FORWARDED, 0, answer_due=past, escalated=True), STAGES, NOW
        )
        is None
    )
    future = NOW + timedelta(hours=1)
    assert pipeline.due_event(facts(pipeline.FORWARDED, 0, answer_due=future), STAGES, NOW) is None


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=-100, max_value=100))
def test_stages_without_supports_never_move_by_supports(supports, hours):
    due = NOW + timedelta(hours=hours)
    for state in (pipeline.DISCUSSION, pipeline.REVIEW, pipeline.ADOPTED, pipeline.CLOSED):
        assert pipeline.due_event(facts(state, supports, due=due), STAGES, NOW) is None


def test_each_stage_gets_its_own_deadline():
    assert pipeline.deadline_after(pipeline.OPEN, NOW, STAGES)["supports_due"] == NOW + timedelta(
        days=30
    )
    assert pipeline.deadline_after(pipeline.FORWARDED, NOW, STAGES)["answer_due"] == (
        NOW + timedelta(days=14)
    )
    assert pipeline.deadline_after(pipeline.ANSWERED, NOW, STAGES)["supports_due"] == (
        NOW + timedelta(days=60)
    )
    assert pipeline.deadline_after(pipeline.DISCUSSION, NOW, STAGES)["discussion_ends"] == (
        NOW + timedelta(days=14)
    )
    assert pipeline.deadline_after(pipeline.REVIEW, NOW, STAGES)["review_due"] == (
        NOW + timedelta(days=30)
    )
    # A decided idea has no running deadline.
    assert set(pipeline.deadline_after(pipeline.ADOPTED, NOW, STAGES).values()) == {None}
