"""A person at one department's desk: who they are and the role they hold there, read once and
then asked about every action the desk offers. Every app's policies weigh officials with it,
so the rule and its words are the same wherever an official acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.core.actors import Actor
from hamkke.core.models import Department
from hamkke.core.policies import ALLOW, Decision, deny


@dataclass(frozen=True)
class Seat:
    """Who (None for nobody signed in) and the role they hold in `department` (None for none)."""

    user: Any
    role: Role | None
    department: Department


def seat_at(actor: Actor | Any | None, department: Department) -> Seat:
    """The actor's role in `department` (one query; superusers are administrators)."""
    user = Actor.of(actor).user
    role = None if user is None else account_selectors.highest_role(user, department=department)
    return Seat(user=user, role=role, department=department)


def holds(seat: Seat, role: Role) -> Decision:
    """Whether the seat holds `role` or higher: the rule and the words of
    accounts.permissions.require_role, decided from the role read once, so that a page can ask
    about every action without a query each."""
    if seat.user is None:
        return deny(_("Log in as a city official to do this."), code="not_official")
    if seat.role is not None and seat.role >= role:
        return ALLOW
    return deny(
        _("This needs the role “%(role)s” in %(department)s; you do not hold it.")
        % {"role": Role(role).label, "department": seat.department.display_name},
        code="role_required",
    )
