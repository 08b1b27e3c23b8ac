"""Whose eyes an idea's photos are for (core/media/access.py asks): everyone while the idea is
shown; a hidden idea's photos only the Oasis office's officials, with the second factor."""

from __future__ import annotations

from django.http import HttpRequest

from hamkke.accounts.models import Role
from hamkke.accounts.seats import holds, seat_at
from hamkke.ideas import policies, services
from hamkke.ideas.models import Idea


def idea_is_public(idea: Idea) -> bool:
    return policies.is_visible(idea)


def may_see_hidden_of_idea(request: HttpRequest, idea: Idea) -> bool:
    office = services.office_of(idea.city)
    if office is None or not request.actor.second_factor:
        return False
    return bool(holds(seat_at(request.actor, office), Role.VIEWER))
