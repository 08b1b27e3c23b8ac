"""Who takes part and who moderates what people post (comments, photos): the rules core's
rooms share. Core cannot import accounts, so it reads the membership relation by its name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.core.actors import Actor
from hamkke.core.errors import NotAllowed
from hamkke.core.policies import Decision, deny, second_factor_confirmed

# An official of this role or higher in any department moderates (accounts.Role.MANAGER).
MODERATOR_ROLE = 30


def is_official(person) -> bool:
    """Staff, or anyone holding a role in a department: they see the officials' desks."""
    if person is None or not person.is_authenticated:
        return False
    return person.is_staff or person.memberships.exists()


def can_moderate(person) -> bool:
    """Staff, or an official with the manager role (or higher) in any department."""
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    if person.is_staff:
        return True
    return person.memberships.filter(role__gte=MODERATOR_ROLE).exists()


def require_participant(person) -> None:
    if person is None or not person.is_authenticated or not person.is_active:
        raise NotAllowed(_("Log in to take part."), code="not_authenticated")
    if getattr(person, "banned_at", None):
        raise NotAllowed(
            _("Your account is suspended: you cannot take part until the suspension ends."),
            code="banned",
        )


def may_moderate(who) -> Decision:
    """Moderation is an official's action: the moderator's role, and in a web session the
    second factor, like every other official action (accounts' middleware tells the Actor)."""
    actor = Actor.of(who)
    if not can_moderate(actor.user):
        return deny(
            _("Only moderators (staff, or officials with the manager role) may do this."),
            code="not_moderator",
        )
    return second_factor_confirmed(actor)


def require_moderator(who) -> None:
    may_moderate(who).enforce()
