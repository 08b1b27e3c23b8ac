"""The acting person's second factor, known once per request: accounts' middleware completes
core's `request.actor` (core/actors.py) with whether this session was confirmed with the
authenticator code. Every official action is then decided on the same fact, by the same
policies, in pages, the API and services alike."""

from __future__ import annotations

from dataclasses import replace

from django.utils.functional import SimpleLazyObject

from hamkke.accounts.permissions import session_has_second_factor
from hamkke.core.actors import Actor


class SecondFactorMiddleware:
    """After core.actors.ActorMiddleware; computed on first use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def actor() -> Actor:
            base = Actor.from_request(request)
            if base.user is None:
                return base
            return replace(base, second_factor=session_has_second_factor(request))

        request.actor = SimpleLazyObject(actor)
        return self.get_response(request)
