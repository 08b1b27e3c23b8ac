"""The shape of every policy answer: "may this person do this to that object now". Each app's
`policies.py` holds functions that return a Decision; services call `.enforce()` before they
act, and views, the API, templates and the admin ask the same function to offer an action (a
Decision is truthy when allowed), so the offer and the refusal can never disagree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hamkke.core.errors import DomainError, NotAllowed


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""  # for people: why not, and what to do about it
    code: str = ""  # for API clients: stable
    error: type[DomainError] = NotAllowed  # what enforcing a refusal raises (403, 409, 400…)

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise the refusal as a domain error; do nothing when allowed."""
        if not self.allowed:
            raise self.error(self.reason, code=self.code or None)


ALLOW = Decision(allowed=True)


def deny(reason: str, *, code: str = "", error: type[DomainError] = NotAllowed) -> Decision:
    return Decision(allowed=False, reason=str(reason), code=code, error=error)


def first_refusal(*decisions: Decision) -> Decision:
    """The first refusal among `decisions`, or ALLOW: rules that must all hold, checked in the
    order a person would fix them."""
    return next((decision for decision in decisions if not decision), ALLOW)


def second_factor_confirmed(actor) -> Decision:
    """An official's action in a web session needs the session confirmed with the second
    factor (accounts' middleware tells the Actor: False in a session without it, None outside
    a request, where a command or a task acts)."""
    if getattr(actor, "second_factor", None) is False:
        return deny(
            _(
                "City officials must be logged in with their authenticator code: log out and "
                "log in again with your password and code."
            ),
            code="second_factor_required",
        )
    return ALLOW
