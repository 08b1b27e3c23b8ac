"""Fixtures of parking sharing's tests: a lot with three sensed spots in Bukchon, a verified
resident holding the first spot, a verified citizen, and a window shared from now on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.iot.conftest import BUKCHON, provision
from tests.polls.conftest import phone_voter


def minute(now=None):
    """Now (or `now`), to the whole minute: the forms' times have no seconds."""
    return (now or timezone.now()).replace(second=0, microsecond=0)


@pytest.fixture
def lot(city):
    from hamkke.iot.parking.services import create_lot

    return create_lot(name="Bukchon public lot", latitude=BUKCHON[0], longitude=BUKCHON[1])


@pytest.fixture
def spots(lot):
    """Three parking sensors in the lot: (device, secret) each."""
    return [provision("parking", ref=f"BK-{n}", name=f"Bukchon {n}", lot=lot) for n in (1, 2, 3)]


@pytest.fixture
def spot(spots):
    return spots[0].device.asset


@pytest.fixture
def resident(spot):
    from hamkke.iot.parking.services import register_holder

    person = phone_voter()
    register_holder(spot=spot, user=person)
    return person


@pytest.fixture
def citizen(city):
    return phone_voter()


@pytest.fixture
def window(spot, resident):
    from hamkke.iot.parking.services import share_window

    start = minute()
    return share_window(spot=spot, start=start, end=start + timedelta(hours=8), actor=resident)


def unverified():
    return factories.make_user()
