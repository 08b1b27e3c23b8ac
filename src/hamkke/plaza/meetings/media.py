"""Who may see a meeting's uploaded video (core/media/access.py asks these): anyone while the
meeting is public; otherwise the officials of its committee's department, in a session that
passed the second factor (as their desk requires)."""

from __future__ import annotations

from django.http import HttpRequest

from hamkke.accounts.models import Role
from hamkke.accounts.seats import holds, seat_at
from hamkke.plaza import policies
from hamkke.plaza.models import Meeting


def meeting_is_public(meeting: Meeting) -> bool:
    return policies.meeting_is_public(meeting)


def may_see_hidden_of_meeting(request: HttpRequest, meeting: Meeting) -> bool:
    department = meeting.committee.department
    if department is None or not request.actor.second_factor:
        return False
    return bool(holds(seat_at(request.actor, department), Role.VIEWER))
