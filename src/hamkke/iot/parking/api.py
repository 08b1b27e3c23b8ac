"""The parking sharing API (/api/v1/iot/parking): the lots with their free and total spots, the
shared windows with the times taken, reserving (Idempotency-Key), cancelling, one's own
reservations, and a holder's sharing of their spot. Refusals answer {detail, code}: 400 for a
time in the past, a reversed or too long span, a time outside the window; 401 anonymous; 403
without a verified identity; 404 an unknown window or reservation; 409 `overlap` for a time
reserved already (or a window overlapping another)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from hamkke.core import idempotency
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotFound
from hamkke.core.web.api import SessionWithCsrf
from hamkke.iot.parking import selectors, services
from hamkke.iot.parking.models import Reservation
from hamkke.iot.parking.schemas import (
    LotOut,
    ReservationOut,
    ReserveIn,
    ShareIn,
    WindowOut,
)

router = Router(tags=["iot"])
session_auth = SessionWithCsrf()


def _user_client(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


def reservation_out(reservation: Reservation) -> dict:
    return {
        "id": reservation.pk,
        "code": reservation.code,
        "status": reservation.status,
        "spot": reservation.spot.entity_id,
        "spot_name": str(reservation.spot),
        "start": reservation.start,
        "end": reservation.end,
        "arrived_at": reservation.arrived_at,
    }


@router.get("/lots", response=list[LotOut], summary="Parking lots with their free spots")
def list_lots(request: HttpRequest):
    """Each lot's `availableSpotNumber` counts its spots whose sensor last said `free`."""
    return [
        {
            "id": lot.asset.pk,
            "entity": lot.asset.entity_id,
            "name": str(lot.asset),
            "latitude": lot.asset.latitude,
            "longitude": lot.asset.longitude,
            "availableSpotNumber": lot.available,
            "totalSpotNumber": lot.total,
        }
        for lot in selectors.lots(current_city())
    ]


@router.get("/windows", response=list[WindowOut], summary="Shared windows not over yet")
def list_windows(request: HttpRequest):
    return [
        {
            "id": row.pk,
            "spot": row.spot.entity_id,
            "spot_name": str(row.spot),
            "lot": row.spot.lot.entity_id if row.spot.lot else None,
            "latitude": row.spot.latitude,
            "longitude": row.spot.longitude,
            "start": row.start,
            "end": row.end,
            "taken": [{"start": r.start, "end": r.end} for r in row.taken],
        }
        for row in selectors.open_windows(current_city())[:500]
    ]


@router.post(
    "/windows",
    response={201: WindowOut},
    auth=session_auth,
    summary="Share my spot for a time window (its holder)",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("iot.parking.share", client=_user_client))
def share(request: HttpRequest, payload: ShareIn):
    """403 `not_holder` for anyone but the spot's confirmed holder; 409 `overlap` for a
    window overlapping another of the spot's."""
    city = current_city()
    spot = selectors.spot_by_ref(city, payload.spot) or selectors.spot_by_entity(city, payload.spot)
    if spot is None:
        raise NotFound(f"No parking spot {payload.spot[:100]}")
    row = services.share_window(
        spot=spot, start=payload.start, end=payload.end, actor=request.actor
    )
    return Status(
        201,
        {
            "id": row.pk,
            "spot": spot.entity_id,
            "spot_name": str(spot),
            "lot": spot.lot.entity_id if spot.lot else None,
            "latitude": spot.latitude,
            "longitude": spot.longitude,
            "start": row.start,
            "end": row.end,
            "taken": [],
        },
    )


@router.post(
    "/reservations",
    response={201: ReservationOut},
    auth=session_auth,
    summary="Reserve a shared window or part of it",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("iot.parking.reserve", client=_user_client))
def reserve(request: HttpRequest, payload: ReserveIn):
    """A verified citizen reserves [start, end) within window `window`. 409 `overlap` when
    another reservation holds any of that time; 400 `outside_window`, `in_the_past`,
    `too_long` (over 24 hours). The confirmation (with the code) comes in the site and by
    email. Send an `Idempotency-Key`: a retry answers the first reservation again."""
    row = selectors.window(current_city(), payload.window)
    if row is None:
        raise NotFound(f"No shared window {payload.window}")
    reservation = services.reserve(
        window=row, start=payload.start, end=payload.end, actor=request.actor
    )
    return Status(201, reservation_out(reservation))


@router.get(
    "/reservations/mine",
    response=list[ReservationOut],
    auth=session_auth,
    summary="My reservations, the latest first",
)
def my_reservations(request: HttpRequest):
    return [reservation_out(r) for r in selectors.reservations_of(request.user)]


@router.post(
    "/reservations/{code}/cancel",
    response={200: ReservationOut},
    auth=session_auth,
    summary="Cancel my reservation before arriving",
)
def cancel(request: HttpRequest, code: str):
    """404 for a code that is not the caller's; 409 `not_cancellable` once arrived or closed."""
    reservation = selectors.reservation_of(request.user, code[:20])
    if reservation is None:
        raise NotFound(f"No reservation {code[:20]} of yours")
    reservation = services.cancel_reservation(reservation=reservation, actor=request.actor)
    return Status(200, reservation_out(reservation))
