"""The life of a report as rules, without Django: which status may follow which, who may make
the move, and how the SLA sets an expected date. Services enforce these; pages use them to
offer only the moves that are allowed."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Move(StrEnum):
    """Statuses, as the workflow knows them (values equal complaints.models.Status)."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    TRANSFERRED = "transferred"
    REOPENED = "reopened"
    CLOSED = "closed"


_WORKING = {
    Move.ACCEPTED,
    Move.IN_PROGRESS,
    Move.RESOLVED,
    Move.REJECTED,
    Move.DUPLICATE,
    Move.TRANSFERRED,
}

# Official moves: from a status, the statuses an official of the handling department may set.
OFFICIAL_TRANSITIONS: dict[Move, frozenset[Move]] = {
    Move.RECEIVED: frozenset(_WORKING),
    Move.TRANSFERRED: frozenset(_WORKING),
    Move.REOPENED: frozenset(_WORKING),
    Move.ACCEPTED: frozenset(_WORKING - {Move.ACCEPTED}),
    Move.IN_PROGRESS: frozenset({Move.RESOLVED, Move.REJECTED, Move.TRANSFERRED, Move.DUPLICATE}),
    Move.RESOLVED: frozenset({Move.CLOSED, Move.REOPENED}),
    Move.REJECTED: frozenset({Move.CLOSED, Move.REOPENED}),
    Move.DUPLICATE: frozenset({Move.CLOSED, Move.REOPENED}),
    Move.CLOSED: frozenset(),
}

# Moves that need something said publicly: a reason for a refusal, an answer for a result.
NEEDS_PUBLIC_NOTE = frozenset({Move.REJECTED, Move.RESOLVED, Move.REOPENED})

# The reporter may reopen (or ask for a further answer) after these, within the reopen window.
REOPENABLE_BY_REPORTER = frozenset({Move.RESOLVED, Move.REJECTED, Move.DUPLICATE})
RATEABLE = frozenset({Move.RESOLVED, Move.REJECTED, Move.DUPLICATE, Move.CLOSED})


def allowed_moves(current: str) -> frozenset[Move]:
    return OFFICIAL_TRANSITIONS.get(Move(current), frozenset())


def can_move(current: str, target: str) -> bool:
    return Move(target) in allowed_moves(current)


def expected_by(created: datetime, sla_days: int) -> datetime:
    """Calendar days from filing: what the city promises and the public sees."""
    return created + timedelta(days=sla_days)


def reporter_may_reopen(
    status: str, resolved_at: datetime | None, now: datetime, reopen_days: int
) -> bool:
    if Move(status) not in REOPENABLE_BY_REPORTER or resolved_at is None:
        return False
    return now <= resolved_at + timedelta(days=reopen_days)
