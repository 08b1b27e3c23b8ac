"""The Plaza's public JSON API (/api/v1/plaza/…): documents and search here; meetings, open
data and disclosure requests from their packages' routers."""

from __future__ import annotations

from ninja import Router

from hamkke.plaza.disclosure import api as disclosure_api
from hamkke.plaza.meetings import api as meetings_api
from hamkke.plaza.opendata import api as opendata_api

router = Router(tags=["plaza"])
router.add_router("/meetings", meetings_api.router)
router.add_router("/datasets", opendata_api.router)
router.add_router("/requests", disclosure_api.router)
