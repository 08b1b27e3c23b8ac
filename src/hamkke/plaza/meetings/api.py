"""The Plaza's meetings JSON API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["plaza"])
