"""The contests' JSON API (being built)."""

from ninja import Router

router = Router(tags=["ideas contests"])
