"""Parking sharing's pages: the map page with the lots' numbers and the shared windows,
reserving (the confirmation page; an overlap answers 409 with the reason beside the form),
my reservations and cancelling, sharing one's spot, and the officials' desk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.iot.parking.models import Reservation, ShareWindow, SpotHolder
from tests import factories
from tests.iot.parking.conftest import unverified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]
H = timedelta(hours=1)
FORMAT = "%Y-%m-%dT%H:%M"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local(moment) -> str:
    return timezone.localtime(moment).strftime(FORMAT)


def test_the_map_page_shows_lots_and_shared_spots(spots, lot, window):
    page = Client().get(reverse("iot:parking-index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-kind="parking"' in text and lot.name in text
    assert reverse("iot:parking-reserve", args=[window.pk]) in text
    points = Client().get(reverse("iot:parking-map")).json()["features"]
    kinds = sorted(p["properties"]["kind"] for p in points)
    assert kinds == ["lot", "spot"]
    (the_lot,) = [p for p in points if p["properties"]["kind"] == "lot"]
    assert the_lot["properties"]["total"] == 3


def test_reserving_in_a_page_leads_to_the_confirmation(window, citizen):
    client = signed_in(citizen)
    url = reverse("iot:parking-reserve", args=[window.pk])
    assert client.get(url).status_code == 200
    done = client.post(url, {"start": local(window.start), "end": local(window.start + H)})
    made = Reservation.objects.get(citizen=citizen)
    assert done.status_code == 302 and done.url == reverse(
        "iot:parking-reservation", args=[made.code]
    )
    confirmation = client.get(done.url).content.decode()
    assert made.code in confirmation
    assert signed_in(unverified()).get(done.url).status_code == 404  # only one's own


def test_an_overlap_in_the_page_answers_409_with_the_reason(window, citizen):
    url = reverse("iot:parking-reserve", args=[window.pk])
    body = {"start": local(window.start), "end": local(window.start + H)}
    assert signed_in(citizen).post(url, body).status_code == 302
    from tests.polls.conftest import phone_voter

    clash = signed_in(phone_voter()).post(url, body)
    assert clash.status_code == 409
    assert "already reserved" in clash.content.decode()
    past = signed_in(citizen).post(url, {"start": "1899-01-01T00:00", "end": "1899-01-01T01:00"})
    assert past.status_code == 400
    assert signed_in(citizen).post(url, {"start": "nonsense"}).status_code == 400
    assert Client().get(url).status_code == 302  # log in first


def test_my_reservations_and_cancelling(window, citizen):
    client = signed_in(citizen)
    client.post(
        reverse("iot:parking-reserve", args=[window.pk]),
        {"start": local(window.start), "end": local(window.start + H)},
    )
    made = Reservation.objects.get()
    assert made.code in client.get(reverse("iot:parking-mine")).content.decode()
    assert (
        signed_in(unverified()).post(reverse("iot:parking-cancel", args=[made.code])).status_code
        == 404
    )
    client.post(reverse("iot:parking-cancel", args=[made.code]))
    made.refresh_from_db()
    assert made.status == "cancelled"


def test_a_holder_shares_and_a_resident_claims_in_the_page(spot, spots, resident, window):
    client = signed_in(resident)
    start = window.end
    shared = client.post(
        reverse("iot:parking-share"),
        {
            "share": "1",
            "holder": SpotHolder.objects.get(user=resident).pk,
            "share-start": local(start),
            "share-end": local(start + H),
        },
    )
    assert shared.status_code == 302
    assert ShareWindow.objects.filter(spot=spot).count() == 2
    clash = client.post(
        reverse("iot:parking-share"),
        {
            "share": "1",
            "holder": SpotHolder.objects.get(user=resident).pk,
            "share-start": local(start),
            "share-end": local(start + H),
        },
    )
    assert clash.status_code == 409
    claimed = client.post(
        reverse("iot:parking-share"), {"claim": "1", "claim-spot": spots[1].device.asset.ref}
    )
    assert claimed.status_code == 302
    assert not SpotHolder.objects.get(spot=spots[1].device.asset).is_confirmed
    unknown = client.post(reverse("iot:parking-share"), {"claim": "1", "claim-spot": "nope"})
    assert unknown.status_code == 400


def test_the_desk_is_for_the_keepers_officials(city, spots, lot):
    from hamkke.core.models import Department

    keeper = Department.objects.get(city=city, code=city.profile["iot"]["department"])
    official = factories.make_official(role=Role.HANDLER, department=keeper)
    client = Client()
    factories.log_in_official(client, official)
    page = client.get(reverse("iot:parking-desk"))
    assert page.status_code == 200 and lot.name in page.content.decode()
    resident = unverified()
    added = client.post(
        reverse("iot:parking-desk"),
        {"holder": "1", "holder-spot": spots[2].device.asset.ref, "holder-email": resident.email},
    )
    assert added.status_code == 302
    assert SpotHolder.objects.get(spot=spots[2].device.asset).user == resident
    other = factories.make_official(role=Role.HANDLER)
    stranger = Client()
    factories.log_in_official(stranger, other)
    assert stranger.get(reverse("iot:parking-desk")).status_code == 403
    assert signed_in(resident).get(reverse("iot:parking-desk")).status_code == 403
