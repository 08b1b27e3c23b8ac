"""Hamkke's own JSON API for reports (/api/v1/complaints): public reads and citizens' actions.
Apps that only file and follow reports can use the standard Open311 API at /open311/v2/."""

from ninja import Router

router = Router(tags=["complaints"])
