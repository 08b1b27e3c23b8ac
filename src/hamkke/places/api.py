"""The places' JSON API (being built)."""

from ninja import Router

router = Router(tags=["places"])
