"""Who may keep a committee's meetings, and what may happen to a meeting now: officials hold
the handler's role in the committee's department (plaza.policies.may_manage_meetings); a
scheduled meeting is marked held once it has begun, or cancelled. The services enforce these
Decisions; the desk offers what they allow."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.actors import Actor
from hamkke.core.errors import Conflict, NotAllowed
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.plaza.models import Committee, Meeting, MeetingStatus
from hamkke.plaza.policies import may_manage_meetings


def seat_for(actor: Actor | object | None, committee: Committee) -> Seat | None:
    """The actor at the desk of the committee's department; None for a committee that belongs
    to no department (nobody keeps its meetings at a desk)."""
    if committee.department is None:
        return None
    return seat_at(actor, committee.department)


def may_keep(seat: Seat | None) -> Decision:
    """Create and edit the committee's meetings: a handler of its department."""
    if seat is None:
        return deny(
            _("This committee belongs to no department, so no desk keeps its meetings."),
            code="no_department",
            error=NotAllowed,
        )
    return may_manage_meetings(seat)


def may_mark_held(seat: Seat | None, meeting: Meeting, *, now: datetime | None = None) -> Decision:
    now = now or timezone.now()
    begun = ALLOW
    if meeting.starts_at > now:
        begun = deny(
            _("A meeting is marked held once it has begun."), code="not_begun", error=Conflict
        )
    return first_refusal(may_keep(seat), _scheduled(meeting), begun)


def may_cancel(seat: Seat | None, meeting: Meeting) -> Decision:
    return first_refusal(may_keep(seat), _scheduled(meeting))


def _scheduled(meeting: Meeting) -> Decision:
    if meeting.status == MeetingStatus.SCHEDULED:
        return ALLOW
    return deny(
        _("Only a scheduled meeting can be marked held or cancelled."),
        code="not_scheduled",
        error=Conflict,
    )
