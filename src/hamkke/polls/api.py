"""The open API of M-Voting (/api/v1/polls)."""

from ninja import Router

router = Router(tags=["polls"])
