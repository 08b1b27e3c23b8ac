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
    # Whether this web session was confirmed with the person's second factor (officials'
    # authenticator code): True or False for a request, None outside a request (a command, a
    # task), where no session exists to confirm. Filled by accounts' middleware.
    second_factor: bool | None = None

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
            second_factor=False,
        )

    @property
    def label(self) -> str:
        return self.user.email if self.user is not None else "system"


def client_address(request) -> str | None:
    """The client's address by the one trust rule of the site (rate limits and the audit log
    alike). REMOTE_ADDR is the peer; only when the peer is one of settings.HAMKKE_TRUSTED_PROXIES
    (set behind the documented TLS proxy) is X-Forwarded-For read, from the right: each hop a
    trusted proxy added is skipped and the first untrusted one is the client. A client can put
    anything at the left of the header; it never gets past the hops our proxies appended. None
    when the peer's address is not an address (a Unix socket)."""
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    trusted = _trusted_networks()
    if not _within(peer, trusted):
        return str(peer)
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage a trusted proxy passed on: keep the last hop we could believe
        client = address
        if not _within(address, trusted):
            break
    return str(client)


def rate_limit_address(request) -> str:
    """For django-ratelimit (settings.RATELIMIT_IP_META_KEY): the same rule, and one shared
    bucket for requests whose peer has no address."""
    return client_address(request) or "0.0.0.0"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header value: spaces, an IPv6 address in brackets and a port are
    allowed around it."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]  # IPv4 with a port
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted_networks() -> tuple:
    configured = tuple(getattr(settings, "HAMKKE_TRUSTED_PROXIES", ()))
    cached = _networks_memo.get(configured)
    if cached is None:
        cached = tuple(ipaddress.ip_network(item, strict=False) for item in configured)
        _networks_memo[configured] = cached
    return cached


_networks_memo: dict[tuple, tuple] = {}


def _within(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


class ActorMiddleware:
    """Sets `request.actor`, after authentication; built on first use, once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: Actor.from_request(request))
        return self.get_response(request)
