"""Complaints' answers to core's media route (core/media/access.py): a report's photos and
video, and the result photos officials attach to its steps, are public while the report is;
its hidden files are for the officials of its department (the desk's own rule, with the second
factor the desk asks for) — the same people the desk shows them to."""

from __future__ import annotations

from django.http import HttpRequest

from hamkke.complaints import policies
from hamkke.complaints.models import Complaint, ComplaintEvent


def report_is_public(complaint: Complaint) -> bool:
    """A hidden report hides every file attached to it."""
    return not complaint.hidden


def step_is_public(event: ComplaintEvent) -> bool:
    """A result photo is as public as the report whose step it illustrates."""
    return report_is_public(event.complaint)


def may_see_hidden_of_report(request: HttpRequest, complaint: Complaint) -> bool:
    """Anyone who may open the report at its department's desk, in a session that passed the
    second factor (as the desk requires)."""
    if not request.actor.second_factor:
        return False
    return bool(policies.may_read(policies.seat_at(request.actor, complaint.department)))


def may_see_hidden_of_step(request: HttpRequest, event: ComplaintEvent) -> bool:
    return may_see_hidden_of_report(request, event.complaint)
