"""Reads of disclosure requests."""

from __future__ import annotations

from hamkke.accounts.models import User


def personal_data_of(user: User) -> dict:
    from hamkke.plaza.models import DisclosureRequest

    return {
        "requests": [
            {"code": r.code, "subject": r.subject, "description": r.description}
            for r in DisclosureRequest.objects.filter(requester=user)
        ]
    }
