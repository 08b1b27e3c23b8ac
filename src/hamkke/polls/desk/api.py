"""The officials' API of M-Voting (/api/v1/polls/desk)."""

from ninja import Router

router = Router(tags=["polls desk"])
