"""The status rules on their own: every official move, the SLA date, the reopening window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hamkke.complaints.models import Status
from hamkke.complaints.workflow import (
    Move,
    allowed_moves,
    can_move,
    expected_by,
    reporter_may_reopen,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_workflow_statuses_are_the_model_statuses():
    assert {m.value for m in Move} == set(Status.values)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("received", "accepted", True),
        ("received", "resolved", True),
        ("accepted", "accepted", False),
        ("in_progress", "accepted", False),
        ("in_progress", "resolved", True),
        ("resolved", "in_progress", False),
        ("resolved", "closed", True),
        ("closed", "reopened", False),
        ("closed", "in_progress", False),
        ("transferred", "accepted", True),
        ("reopened", "resolved", True),
        ("received", "received", False),
    ],
)
def test_moves(current, target, allowed):
    assert can_move(current, target) is allowed


def test_closed_is_final():
    assert allowed_moves("closed") == frozenset()


def test_sla_counts_calendar_days():
    assert expected_by(NOW, 7) == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("status", "days_after", "allowed"),
    [
        ("resolved", 13, True),
        ("resolved", 15, False),
        ("rejected", 1, True),
        ("in_progress", 1, False),
        ("closed", 1, False),
    ],
)
def test_reporter_reopens_only_within_the_window(status, days_after, allowed):
    resolved = NOW - timedelta(days=days_after)
    assert reporter_may_reopen(status, resolved, NOW, 14) is allowed
