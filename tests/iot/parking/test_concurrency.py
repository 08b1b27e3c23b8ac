"""Eight citizens reserve the same time of one spot at once: exactly one gets it, the others
are refused as overlapping, and one reservation row holds the spot. On PostgreSQL the attempts
really overlap (the spot's row lock makes them take turns and re-check); SQLite's test database
takes writers in turn."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from hamkke.core.errors import Conflict
from hamkke.iot.parking.models import Reservation
from tests.ideas.test_concurrency import ATTEMPTS, _at_once
from tests.polls.conftest import phone_voter

H = timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_eight_reservations_of_one_slot_at_once_leave_exactly_one(window):
    from hamkke.iot.parking.services import reserve

    people = [phone_voter() for _ in range(ATTEMPTS)]
    outcomes = _at_once(
        [
            lambda p=p: reserve(
                window=window, start=window.start + H, end=window.start + 3 * H, actor=p
            )
            for p in people
        ]
    )
    made = [o for o in outcomes if isinstance(o, Reservation)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(made) == 1, outcomes
    assert len(refused) == ATTEMPTS - 1 and {r.code for r in refused} == {"overlap"}
    assert list(Reservation.objects.values_list("pk", flat=True)) == [made[0].pk]


@pytest.mark.django_db(transaction=True)
def test_overlapping_slots_at_once_never_double_book(window):
    """Eight different but pairwise overlapping times (each shifted by 15 minutes): one wins."""
    from hamkke.iot.parking.services import reserve

    people = [phone_voter() for _ in range(ATTEMPTS)]
    step = timedelta(minutes=15)
    outcomes = _at_once(
        [
            lambda p=p, i=i: reserve(
                window=window,
                start=window.start + i * step,
                end=window.start + i * step + 3 * H,
                actor=p,
            )
            for i, p in enumerate(people)
        ]
    )
    assert sum(isinstance(o, Reservation) for o in outcomes) == 1, outcomes
    rows = list(Reservation.objects.order_by("start"))
    assert all(a.end <= b.start for a, b in itertools.pairwise(rows))
