"""Reads of parking sharing: the lots with their spots counted from the spots' latest states
(one grouped query), the windows still shared with the times already taken, a citizen's
reservations, a holder's spots, and the map's points."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from hamkke.core.models import City
from hamkke.iot.models import Asset, AssetKind
from hamkke.iot.parking.models import HOLDING, Reservation, ShareWindow, SpotHolder

FREE = "free"


def spot_numbers(lot_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Per lot: `totalSpotNumber` (its spots) and `availableSpotNumber` (those whose sensor's
    latest status is free), as NGSI-LD's OffStreetParking names them."""
    lot_ids = list(lot_ids)
    rows = (
        Asset.objects.filter(lot_id__in=lot_ids, kind=AssetKind.PARKING_SPOT)
        .values("lot_id")
        .annotate(
            total=Count("pk"), available=Count("pk", filter=Q(state__attributes__status=FREE))
        )
        .order_by()
    )
    numbers = {row["lot_id"]: row for row in rows}
    return {
        pk: {
            "availableSpotNumber": numbers.get(pk, {}).get("available", 0),
            "totalSpotNumber": numbers.get(pk, {}).get("total", 0),
        }
        for pk in lot_ids
    }


@dataclass(frozen=True)
class Lot:
    asset: Asset
    available: int
    total: int


def lots(city: City) -> list[Lot]:
    found = list(
        Asset.objects.filter(city=city, kind=AssetKind.OFF_STREET_PARKING).order_by("name")
    )
    numbers = spot_numbers([lot.pk for lot in found])
    return [
        Lot(
            lot,
            numbers[lot.pk]["availableSpotNumber"],
            numbers[lot.pk]["totalSpotNumber"],
        )
        for lot in found
    ]


def open_windows(city: City, *, now: datetime | None = None, spot: Asset | None = None):
    """The windows not over yet, soonest first, with their spot (and its lot and state) and the
    reservations that hold part of them (no one's name: only times)."""
    now = now or timezone.now()
    rows = ShareWindow.objects.filter(spot__city=city, end__gt=now)
    if spot is not None:
        rows = rows.filter(spot=spot)
    return rows.select_related("spot", "spot__lot", "spot__state").prefetch_related(
        Prefetch(
            "reservations",
            queryset=Reservation.objects.filter(status__in=HOLDING).order_by("start"),
            to_attr="taken",
        )
    )


def window(city: City, pk: int) -> ShareWindow | None:
    return (
        ShareWindow.objects.filter(spot__city=city, pk=pk).select_related("spot", "holder").first()
    )


def spot_by_ref(city: City, ref: str) -> Asset | None:
    return Asset.objects.filter(city=city, ref=ref, kind=AssetKind.PARKING_SPOT).first()


def spot_by_entity(city: City, entity_id: str) -> Asset | None:
    return Asset.objects.filter(city=city, entity_id=entity_id, kind=AssetKind.PARKING_SPOT).first()


def reservations_of(user) -> list[Reservation]:
    return list(
        Reservation.objects.filter(citizen=user)
        .select_related("spot", "spot__lot")
        .order_by("-start")[:200]
    )


def reservation_of(user, code: str) -> Reservation | None:
    """The citizen's own reservation by its code; None for anyone else's."""
    if not user.is_authenticated:
        return None
    return Reservation.objects.filter(citizen=user, code=code).select_related("spot").first()


def holdings_of(user) -> list[SpotHolder]:
    return list(
        SpotHolder.objects.filter(user=user)
        .select_related("spot", "spot__lot")
        .prefetch_related(
            Prefetch(
                "windows",
                queryset=ShareWindow.objects.filter(end__gt=timezone.now()).prefetch_related(
                    Prefetch(
                        "reservations",
                        queryset=Reservation.objects.filter(status__in=HOLDING),
                        to_attr="taken",
                    )
                ),
                to_attr="open_windows",
            )
        )
    )


def pending_claims(city: City) -> list[SpotHolder]:
    return list(
        SpotHolder.objects.filter(spot__city=city, confirmed_at__isnull=True).select_related(
            "spot", "user"
        )
    )


def map_features(city: City, *, now: datetime | None = None) -> dict:
    """GeoJSON points: each lot with its free and total spots, and each spot shared now or
    later with its sensor's status and how many windows it has open."""
    features = []
    for lot in lots(city):
        features.append(
            _point(
                lot.asset,
                kind="lot",
                available=lot.available,
                total=lot.total,
            )
        )
    shared: dict[int, list[ShareWindow]] = {}
    for row in open_windows(city, now=now):
        shared.setdefault(row.spot_id, []).append(row)
    for windows in shared.values():
        spot = windows[0].spot
        state = getattr(spot, "state", None)
        features.append(
            _point(
                spot,
                kind="spot",
                status=(state.attributes.get("status") if state else None) or "unknown",
                windows=len(windows),
                url=reverse("iot:parking-index") + f"#spot-{spot.pk}",
            )
        )
    return {"type": "FeatureCollection", "features": features}


def _point(asset: Asset, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [asset.longitude, asset.latitude]},
        "properties": {"name": str(asset), "entity": asset.entity_id, **properties},
    }
