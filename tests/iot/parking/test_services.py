"""Parking sharing's services: windows never overlap on a spot, reservations never overlap
while they hold the spot, times are bounded, only verified people and the spot's confirmed
holder act, and the confirmation goes out through notifications and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotSignedIn
from hamkke.core.models import Notification, OutboxMessage
from hamkke.iot.parking import services
from hamkke.iot.parking.models import Reservation, ReservationStatus, SpotHolder
from tests.iot.parking.conftest import minute, unverified
from tests.polls.conftest import phone_voter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]
H = timedelta(hours=1)


def test_windows_of_one_spot_never_overlap_but_may_touch(spot, resident, window):
    with pytest.raises(Conflict) as refused:
        services.share_window(spot=spot, start=window.end - H, end=window.end + H, actor=resident)
    assert refused.value.code == "overlap"
    inside = dict(start=window.start + H, end=window.start + 2 * H)
    with pytest.raises(Conflict):
        services.share_window(spot=spot, **inside, actor=resident)
    after = services.share_window(spot=spot, start=window.end, end=window.end + H, actor=resident)
    assert after.start == window.end


@pytest.mark.parametrize(
    "start, end, code",
    [
        (-2 * H, H, "in_the_past"),
        (H, H, "invalid"),  # the end not after the start
        (H, H + timedelta(minutes=5), "invalid"),  # shorter than 15 minutes
        (H, H + timedelta(days=15), "too_long"),
        (timedelta(days=91), timedelta(days=91, hours=1), "invalid"),  # too far ahead
    ],
)
def test_a_window_out_of_bounds_is_refused(spot, resident, start, end, code):
    now = minute()
    with pytest.raises(InvalidInput) as refused:
        services.share_window(spot=spot, start=now + start, end=now + end, actor=resident)
    assert refused.value.code == code


def test_moments_outside_1900_to_2999_are_refused(spot, resident):
    far = datetime(3000, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="1900"):
        services.share_window(spot=spot, start=far, end=far + H, actor=resident)
    with pytest.raises(InvalidInput):
        services.share_window(spot=spot, start="tomorrow", end=None, actor=resident)


def test_only_the_confirmed_holder_shares(spot, spots, resident, citizen):
    now = minute()
    with pytest.raises(NotAllowed) as refused:
        services.share_window(spot=spot, start=now, end=now + H, actor=citizen)
    assert refused.value.code == "not_holder"
    other = spots[1].device.asset
    claimant = phone_voter()
    holder = services.claim_spot(spot=other, actor=claimant)
    assert not holder.is_confirmed
    with pytest.raises(Conflict) as waiting:
        services.share_window(spot=other, start=now, end=now + H, actor=claimant)
    assert waiting.value.code == "holder_unconfirmed"
    services.register_holder(spot=other, user=claimant)
    assert SpotHolder.objects.get(spot=other).is_confirmed
    assert services.share_window(spot=other, start=now, end=now + H, actor=claimant).pk


def test_claiming_needs_a_verified_identity_and_a_free_spot(spot, spots, resident):
    with pytest.raises(NotAllowed) as refused:
        services.claim_spot(spot=spots[1].device.asset, actor=unverified())
    assert refused.value.code == "verification_required"
    with pytest.raises(NotSignedIn):
        services.claim_spot(spot=spots[1].device.asset, actor=None)
    with pytest.raises(Conflict):
        services.claim_spot(spot=spot, actor=phone_voter())


def test_a_reservation_is_confirmed_in_the_site_and_by_email(window, citizen):
    made = services.reserve(
        window=window, start=window.start, end=window.start + 2 * H, actor=citizen
    )
    assert made.status == ReservationStatus.RESERVED and len(made.code) == 8
    note = Notification.objects.get(recipient=citizen, kind="iot.parking")
    assert made.code in note.body and made.code in note.url
    assert OutboxMessage.objects.filter(notification=note).exists()


def test_reservations_never_overlap_while_they_hold_the_spot(window, citizen):
    first = services.reserve(
        window=window, start=window.start, end=window.start + 2 * H, actor=citizen
    )
    other = phone_voter()
    for start, end in [(0, 2), (1, 3), (0, 1), (-0.0, 8)]:
        with pytest.raises(Conflict) as refused:
            services.reserve(
                window=window,
                start=window.start + start * H,
                end=window.start + end * H,
                actor=other,
            )
        assert refused.value.code == "overlap"
    touching = services.reserve(
        window=window, start=window.start + 2 * H, end=window.start + 3 * H, actor=other
    )
    assert touching.pk
    services.cancel_reservation(reservation=first, actor=citizen)
    again = services.reserve(window=window, start=window.start, end=window.start + H, actor=other)
    assert again.status == ReservationStatus.RESERVED
    holding = Reservation.objects.filter(status__in=["reserved", "arrived"]).order_by("start")
    assert [(r.start, r.end) for r in holding] == [
        (window.start, window.start + H),
        (window.start + 2 * H, window.start + 3 * H),
    ]


def test_a_reservation_stays_inside_its_window_and_is_not_ones_own(window, citizen, resident):
    with pytest.raises(InvalidInput) as outside:
        services.reserve(window=window, start=window.end - H, end=window.end + H, actor=citizen)
    assert outside.value.code == "outside_window"
    with pytest.raises(InvalidInput) as own:
        services.reserve(window=window, start=window.start, end=window.start + H, actor=resident)
    assert own.value.code == "own_spot"
    with pytest.raises(InvalidInput) as long:
        services.reserve(
            window=window, start=window.start, end=window.start + timedelta(hours=25), actor=citizen
        )
    assert long.value.code == "too_long"


def test_reserving_needs_a_verified_identity(window):
    with pytest.raises(NotAllowed) as refused:
        services.reserve(
            window=window, start=window.start, end=window.start + H, actor=unverified()
        )
    assert refused.value.code == "verification_required"
    assert not Reservation.objects.exists()


def test_only_the_citizen_cancels_and_only_before_arriving(window, citizen):
    made = services.reserve(window=window, start=window.start, end=window.start + H, actor=citizen)
    with pytest.raises(NotAllowed):
        services.cancel_reservation(reservation=made, actor=phone_voter())
    services.cancel_reservation(reservation=made, actor=citizen)
    with pytest.raises(Conflict) as again:
        services.cancel_reservation(reservation=made, actor=citizen)
    assert again.value.code == "not_cancellable"


def test_a_window_with_a_reservation_cannot_be_withdrawn(window, citizen, resident):
    services.reserve(window=window, start=window.start, end=window.start + H, actor=citizen)
    with pytest.raises(Conflict):
        services.withdraw_window(window=window, actor=resident)
