"""Who may do what to departments' members: one answer for the services that enforce it, the
members page that offers it and the back office. Pure: the caller passes the roles."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.accounts.models import Role
from hamkke.core.errors import InvalidInput
from hamkke.core.policies import ALLOW, Decision, deny


def role_from(value) -> Role | None:
    """A role from a form or API value; None when it is none of the roles."""
    try:
        return Role(int(value))
    except (TypeError, ValueError):
        return None


def may_grant(role, *, acting: Role) -> Decision:
    """Nobody gives a role above their own."""
    chosen = role_from(role)
    if chosen is None:
        return deny(_("Choose one of the roles."), code="invalid", error=InvalidInput)
    if chosen > acting:
        return deny(
            _("You can give roles up to “%(role)s”.") % {"role": acting.label},
            code="role_too_high",
        )
    return ALLOW


def may_change_member(current_role: int, *, acting: Role) -> Decision:
    """Nobody changes the role of someone above them (an administrator's, for a manager)."""
    if current_role > acting:
        return deny(
            _("Only an administrator can change an administrator's role."), code="role_too_high"
        )
    return ALLOW


def may_remove_member(current_role: int, *, acting: Role) -> Decision:
    if current_role > acting:
        return deny(_("Only an administrator can remove an administrator."), code="role_too_high")
    return ALLOW


def grantable_roles(acting: Role) -> list[tuple[int, str]]:
    """The roles the acting official may give, as form choices."""
    return [(value, label) for value, label in Role.choices if may_grant(value, acting=acting)]
