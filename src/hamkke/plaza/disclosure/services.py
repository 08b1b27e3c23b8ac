"""Every write of disclosure requests: filing, extending, answering, withdrawing; deadlines."""

from __future__ import annotations

from hamkke.accounts.models import User


def warn_of_deadlines() -> int:
    return 0


def forget_requester(user: User) -> None:
    """The person's requests stay (their history is public) without who asked."""
    from hamkke.plaza.models import DisclosureRequest

    DisclosureRequest.objects.filter(requester=user).update(requester=None)
