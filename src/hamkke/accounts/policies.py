"""Officials' roles, verified identities and departments' members: one answer for the services
that enforce it, the pages that offer it and the back office, in the words every app uses.
Pure: the caller passes the roles and identities it read."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from hamkke.accounts.models import Role, VerificationMethod
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


def role_suffices(held: Role | None, needed: Role, *, department=None) -> Decision:
    """Whether the role held (in `department`, or anywhere when None) is `needed` or higher."""
    if held is not None and held >= needed:
        return ALLOW
    label = Role(needed).label
    if department is None:
        message = _("This needs the role “%(role)s” in a department; you do not hold it.") % {
            "role": label
        }
    else:
        message = _("This needs the role “%(role)s” in %(department)s; you do not hold it.") % {
            "role": label,
            "department": department.display_name,
        }
    return deny(message, code="role_required")


def verified(identity, *, methods: list[VerificationMethod], signed_in: bool) -> Decision:
    """Whether the person has a verified identity (by one of `methods`); the refusal says how
    to get one."""
    if identity is not None:
        return ALLOW
    how = _(" or ").join(str(method.label) for method in methods)
    url = verification_page(methods)
    if not signed_in:
        message = _("Log in and verify your identity (%(how)s) first, at %(url)s.")
    else:
        message = _("This needs a verified identity. Verify yourself (%(how)s) at %(url)s.")
    return deny(message % {"how": how, "url": url}, code="verification_required")


def verification_page(methods: list[VerificationMethod]) -> str:
    if methods == [VerificationMethod.PHONE]:
        return reverse("accounts:verify-phone")
    if methods == [VerificationMethod.CENSUS]:
        return reverse("accounts:verify-census")
    return reverse("accounts:profile")


def may_take_office(*, email: str, email_verified: bool) -> Decision:
    """A department role, staff or administrator status goes only to an account whose owner
    confirmed its email address: nobody can sign up with a future official's address first and
    inherit the role given to it."""
    if email_verified:
        return ALLOW
    return deny(
        _(
            "%(email)s has not confirmed that email address yet. Roles and staff status go only "
            "to confirmed accounts: ask the person to follow the link in the email they got when "
            "they signed up, then try again."
        )
        % {"email": email},
        code="email_unverified",
    )
