"""Fixtures of the Places tests: the department that keeps the registries (Seoul's information
planning office) and its handler, and points inside Seoul's districts."""

from __future__ import annotations

import pytest

from tests import factories

KEEPER = "information-planning"
# Points inside Seoul (latitude, longitude): Gyeongbokgung in Jongno, City Hall in Jung,
# Bukchon Hanok Village in Jongno, Yeouido park in Yeongdeungpo.
PALACE = (37.5796, 126.9770)
CITY_HALL = (37.5663, 126.9779)
BUKCHON = (37.5826, 126.9831)
YEOUIDO = (37.5256, 126.9227)


@pytest.fixture
def keeper(city):
    from hamkke.core.models import Department

    return Department.objects.get(city=city, code=KEEPER)


@pytest.fixture
def editor(keeper):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.HANDLER, department=keeper)


def site(editor, ref="WF-1", point=CITY_HALL, **values):
    from hamkke.places.services import save_place

    lat, lon = point
    fields = {
        "ref": ref,
        "name": f"와이파이 {ref}",
        "latitude": lat,
        "longitude": lon,
        "kind": "1. 주요거리",
        "network": "KT",
    }
    fields.update(values)
    return save_place(actor=editor, layer="wifi-sites", values=fields)[0]


def charger(editor, ref="CH-1", point=CITY_HALL, **values):
    from hamkke.places.services import save_place

    lat, lon = point
    fields = {
        "ref": ref,
        "name": f"충전기 {ref}",
        "latitude": lat,
        "longitude": lon,
        "charger_count": 12,
        "charger_kinds": "USB-C, Lightning",
    }
    fields.update(values)
    return save_place(actor=editor, layer="chargers", values=fields)[0]
