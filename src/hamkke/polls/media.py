"""Whose eyes the images on poll options are for (core/media/access.py asks): everyone while
the poll is public; a rejected proposal's images only its department's officials."""

from __future__ import annotations

from django.http import HttpRequest

from hamkke.accounts.models import Role
from hamkke.accounts.seats import holds, seat_at
from hamkke.polls import policies
from hamkke.polls.models import Option


def option_is_public(option: Option) -> bool:
    return policies.is_visible(option.question.poll)


def may_see_hidden_of_option(request: HttpRequest, option: Option) -> bool:
    department = option.question.poll.department
    if department is None or not request.actor.second_factor:
        return False
    return bool(holds(seat_at(request.actor, department), Role.VIEWER))
