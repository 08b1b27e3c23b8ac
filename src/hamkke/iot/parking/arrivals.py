"""A spot's sensor confirms a reservation: `occupied` during the reservation's time marks it
arrived, and `free` after that marks it left (released), so the rest of its time may be
reserved again. Called by iot.services.ingest once its batch has committed: one call, no
signals. Imports no IoT service (ingestion imports this)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from hamkke.iot.models import Kind
from hamkke.iot.parking.models import Reservation, ReservationStatus

OCCUPIED, FREE = "occupied", "free"


def note_readings(fresh: Iterable) -> int:
    """`fresh`: the batch's accepted (device, reading, received) triples. Returns how many
    reservations changed."""
    events: list[tuple[int, datetime, str]] = [
        (device.asset_id, reading.time, reading.attributes["status"])
        for device, reading, _received in fresh
        if device.kind == Kind.PARKING and reading.attributes.get("status") in (OCCUPIED, FREE)
    ]
    if not events:
        return 0
    changed = 0
    with transaction.atomic():
        spots = {spot for spot, _time, _status in events}
        first = min(time for _spot, time, _status in events)
        candidates = list(
            Reservation.objects.select_for_update()
            .filter(
                spot_id__in=spots,
                status__in=(ReservationStatus.RESERVED, ReservationStatus.ARRIVED),
                end__gt=first,
            )
            .order_by("pk")
        )
        for reservation in candidates:
            if _apply(reservation, sorted(e for e in events if e[0] == reservation.spot_id)):
                changed += 1
    return changed


def _apply(reservation: Reservation, events: list[tuple[int, datetime, str]]) -> bool:
    before = reservation.status
    for _spot, time, status in events:
        inside = reservation.start <= time < reservation.end
        if status == OCCUPIED and inside and reservation.status == ReservationStatus.RESERVED:
            reservation.status, reservation.arrived_at = ReservationStatus.ARRIVED, time
        elif (
            status == FREE
            and reservation.status == ReservationStatus.ARRIVED
            and time > reservation.arrived_at
            and time < reservation.end
        ):
            reservation.status, reservation.closed_at = ReservationStatus.RELEASED, time
    if reservation.status == before:
        return False
    reservation.save(update_fields=["status", "arrived_at", "closed_at"])
    return True
