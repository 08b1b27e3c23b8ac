"""The Oasis pipeline as a pure state machine: the states an idea passes through, the events
that move it, and which event the scheduled check fires for an idea's facts at a moment.
No Django: services.transition is the one function that applies it, for pages, the API and
the periodic task alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# States, in the order an idea climbs them.
OPEN = "open"  # collecting supports
FORWARDED = "forwarded"  # with its department, which owes a written answer
ANSWERED = "answered"  # answered; collecting supports for a public discussion
DISCUSSION = "discussion"  # discussed in public with officials and experts
REVIEW = "review"  # scored by assigned experts
ADOPTED = "adopted"
PARTLY_ADOPTED = "partly_adopted"
NOT_ADOPTED = "not_adopted"
CLOSED = "closed"  # did not gather the supports in time
WITHDRAWN = "withdrawn"  # taken back by its author while open

STATES = (
    OPEN,
    FORWARDED,
    ANSWERED,
    DISCUSSION,
    REVIEW,
    ADOPTED,
    PARTLY_ADOPTED,
    NOT_ADOPTED,
    CLOSED,
    WITHDRAWN,
)
DECIDED = frozenset({ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED})
# Adopted in whole or in part: the ideas whose implementation is tracked.
TAKEN_UP = frozenset({ADOPTED, PARTLY_ADOPTED})
# States in which an idea still collects supports.
COLLECTING = frozenset({OPEN, FORWARDED, ANSWERED})
FINAL = frozenset({ADOPTED, PARTLY_ADOPTED, NOT_ADOPTED, CLOSED, WITHDRAWN})

# Events.
THRESHOLD = "threshold"  # enough supports within the stage's period
RESCUE = "rescue"  # an expert moves an idea on below the threshold
EXPIRE = "expire"  # the stage's period passed without enough supports
ANSWER = "answer"  # the department's written answer
START_REVIEW = "start_review"  # the office assigns reviewers after the discussion
ADOPT = "adopt"
ADOPT_IN_PART = "adopt_in_part"
REJECT = "reject"
WITHDRAW = "withdraw"
# Not a move: an overdue answer flagged to the managers (logged on the timeline all the same).
ESCALATE = "escalate"

EVENTS = (THRESHOLD, RESCUE, EXPIRE, ANSWER, START_REVIEW, ADOPT, ADOPT_IN_PART, REJECT, WITHDRAW)

# (state, event) → next state. Anything not here is refused: no skipping, no going back.
MOVES: dict[tuple[str, str], str] = {
    (OPEN, THRESHOLD): FORWARDED,
    (OPEN, RESCUE): FORWARDED,
    (OPEN, EXPIRE): CLOSED,
    (OPEN, WITHDRAW): WITHDRAWN,
    (CLOSED, RESCUE): FORWARDED,
    (FORWARDED, ANSWER): ANSWERED,
    (ANSWERED, THRESHOLD): DISCUSSION,
    (ANSWERED, RESCUE): DISCUSSION,
    (ANSWERED, EXPIRE): CLOSED,
    (DISCUSSION, START_REVIEW): REVIEW,
    (REVIEW, ADOPT): ADOPTED,
    (REVIEW, ADOPT_IN_PART): PARTLY_ADOPTED,
    (REVIEW, REJECT): NOT_ADOPTED,
}

# An idea closed for want of supports may be rescued only if it never got past the first stage
# (an answered idea that expired was already heard by its department).
DECISION_EVENTS = {ADOPTED: ADOPT, PARTLY_ADOPTED: ADOPT_IN_PART, NOT_ADOPTED: REJECT}


def next_state(state: str, event: str) -> str | None:
    """The state `event` moves an idea in `state` to, or None when the move is not allowed."""
    return MOVES.get((state, event))


def events_from(state: str) -> tuple[str, ...]:
    """The events allowed from `state`, in the order of EVENTS."""
    return tuple(event for event in EVENTS if (state, event) in MOVES)


@dataclass(frozen=True)
class Stages:
    """The profile's staged thresholds and periods (ideas.profile.IdeasSection)."""

    forward_supports: int
    forward_days: int
    answer_days: int
    escalation_days: int
    discussion_supports: int
    discussion_days: int
    discussion_length_days: int
    review_days: int


@dataclass(frozen=True)
class Facts:
    """What the scheduled check reads about one idea."""

    state: str
    supports: int
    # When the current stage's supports must be in by (open, answered).
    supports_due: datetime | None
    # When the department's answer is due (forwarded) and whether it was already escalated.
    answer_due: datetime | None = None
    escalated: bool = False


def due_event(facts: Facts, stages: Stages, now: datetime) -> str | None:
    """The event the periodic check fires for an idea now, if any: the stage's threshold
    reached (while its period runs), its period run out, or an answer overdue and not yet
    escalated. Supports reached in time win over the deadline."""
    if facts.state == OPEN:
        return _stage(facts, stages.forward_supports, now)
    if facts.state == ANSWERED:
        return _stage(facts, stages.discussion_supports, now)
    if facts.state == FORWARDED and facts.answer_due is not None and not facts.escalated:
        return ESCALATE if now > facts.answer_due else None
    return None


def _stage(facts: Facts, threshold: int, now: datetime) -> str | None:
    if facts.supports >= threshold:
        return THRESHOLD
    if facts.supports_due is not None and now >= facts.supports_due:
        return EXPIRE
    return None


def supports_needed(state: str, stages: Stages) -> int | None:
    """The supports that move an idea in `state` on (None where supports move nothing)."""
    if state == OPEN:
        return stages.forward_supports
    if state == ANSWERED:
        return stages.discussion_supports
    return None


def deadline_after(state: str, moment: datetime, stages: Stages) -> dict[str, datetime | None]:
    """The dated fields an idea entering `state` at `moment` gets: until when supports count,
    when the answer is due, when the discussion ends, when the reviewers' scores are due."""
    dates: dict[str, datetime | None] = {
        "supports_due": None,
        "answer_due": None,
        "discussion_ends": None,
        "review_due": None,
    }
    if state == OPEN:
        dates["supports_due"] = moment + timedelta(days=stages.forward_days)
    elif state == FORWARDED:
        dates["answer_due"] = moment + timedelta(days=stages.answer_days)
    elif state == ANSWERED:
        dates["supports_due"] = moment + timedelta(days=stages.discussion_days)
    elif state == DISCUSSION:
        dates["discussion_ends"] = moment + timedelta(days=stages.discussion_length_days)
    elif state == REVIEW:
        dates["review_due"] = moment + timedelta(days=stages.review_days)
    return dates
