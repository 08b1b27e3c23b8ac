"""Fixtures of the IoT tests: points inside Seoul, provisioned devices, a reading's JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

# Bukchon Hanok Village and Gyeongbokgung, in Jongno (latitude, longitude).
BUKCHON = (37.5826, 126.9831)
PALACE = (37.5796, 126.9770)
CITY_HALL = (37.5663, 126.9779)


@pytest.fixture(autouse=True)
def _in_english(english):
    """The refusals are asserted in their English source."""


def provision(kind="parking", point=BUKCHON, **values):
    from hamkke.iot.services import provision_device

    return provision_device(kind=kind, latitude=point[0], longitude=point[1], **values)


def payload(moment: datetime, **attributes) -> bytes:
    return json.dumps({"time": moment.astimezone(UTC).isoformat(), **attributes}).encode()


def counters(city) -> dict[str, int]:
    from hamkke.iot.models import IngestCounter

    return dict(IngestCounter.objects.filter(city=city).values_list("reason", "count"))
