"""Who does a thing: the person (or nobody, for the system) and the network address they came
from. Built once per request by `ActorMiddleware` as `request.actor`; services take an Actor
instead of an HttpRequest, so every app audits the same way. Commands, tasks and tests may hand
a service a plain user: that is an actor with no address."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import SimpleLazyObject


@dataclass(frozen=True)
class Actor:
    user: Any  # an authenticated User, or None for the system and anonymous visitors
    address: str | None = None

    @classmethod
    def of(cls, who: Actor | Any | None) -> Actor:
        """An Actor from an Actor, a user (authenticated or anonymous) or None."""
        if isinstance(who, Actor):
            return who
        user = who if who is not None and getattr(who, "is_authenticated", False) else None
        return cls(user=user)

    @classmethod
    def from_request(cls, request) -> Actor:
        user = getattr(request, "user", None)
        return cls(
            user=user if user is not None and user.is_authenticated else None,
            address=client_address(request),
        )

    @property
    def label(self) -> str:
        return self.user.email if self.user is not None else "system"


def client_address(request) -> str | None:
    """The client's address by the one trust rule of the site (rate limits and audit alike):
    REMOTE_ADDR, or behind the site's own TLS proxy the last X-Forwarded-For hop (the one that
    proxy added)."""
    if request is None:
        return None
    meta_key = getattr(settings, "RATELIMIT_IP_META_KEY", "REMOTE_ADDR")
    raw = request.META.get(meta_key) or request.META.get("REMOTE_ADDR") or ""
    candidate = raw.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ActorMiddleware:
    """Sets `request.actor`, after authentication; built on first use, once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: Actor.from_request(request))
        return self.get_response(request)
