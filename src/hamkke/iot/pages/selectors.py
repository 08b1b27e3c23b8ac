"""Reads of the IoT pages: the assets of the public map with their latest state (a parking
lot with its spots' availability), the figures above it, one asset's page (what it is, its
state, its last readings; nothing of the devices' secrets), the officials' device registry with
its filters, and the ingest counters of the last day. Each read takes a constant number of
queries, whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput
from hamkke.core.models import City, District
from hamkke.iot.models import (
    Asset,
    AssetKind,
    Device,
    DeviceStatus,
    IngestCounter,
    Kind,
    Reading,
    Reason,
)
from hamkke.iot.pages.models import IngestTally
from hamkke.iot.services import iot_settings
from hamkke.places import geojson as places_geojson

# A device that sent nothing for this long is "silent" on the desk.
SILENT_AFTER = timedelta(hours=1)
# Below this battery (percent) a device is "low" on the desk.
LOW_BATTERY = 20
LAST_READINGS = 10


@dataclass(frozen=True)
class MapFilters:
    """The map's filters: an asset kind (its Smart Data Model name), a district's code and a
    box (min longitude, min latitude, max longitude, max latitude)."""

    kind: str = ""
    district: str = ""
    bbox: tuple[float, float, float, float] | None = None

    def as_query(self) -> dict[str, str]:
        query = {"kind": self.kind, "district": self.district}
        if self.bbox:
            query["bbox"] = ",".join(f"{value:g}" for value in self.bbox)
        return {key: value for key, value in query.items() if value}


def map_filters(city: City, *, kind: str = "", district: str = "", bbox: str = "") -> MapFilters:
    """The filters as a request gives them, checked as the places' map checks its own
    (InvalidInput naming the parameter)."""
    if kind and kind not in AssetKind.values:
        raise InvalidInput(
            _("kind: one of %(kinds)s.") % {"kinds": ", ".join(AssetKind.values)}, field="kind"
        )
    checked = places_geojson.filters_from(city, district=district, bbox=bbox)
    return MapFilters(kind=kind, district=checked.district, bbox=checked.bbox)


def map_assets(city: City, filters: MapFilters = MapFilters()) -> QuerySet:
    """The assets the map and its list show, with their state and district."""
    assets = Asset.objects.filter(city=city)
    if filters.kind:
        assets = assets.filter(kind=filters.kind)
    if filters.district:
        # By the district's id: a join on its code makes the planner read the whole city.
        district = District.objects.filter(city=city, code=filters.district).values("pk")[:1]
        assets = assets.filter(district_id__in=district)
    if filters.bbox:
        west, south, east, north = filters.bbox
        assets = assets.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    # The district first: ordered by kind, SQLite would read the whole city through the
    # (kind, cell) index instead of one district's rows through its own.
    return assets.select_related("state", "district").order_by("district_id", "kind", "ref")


def lot_figures(lot_ids) -> dict[int, tuple[int, int]]:
    """Each lot's (free spots, spots), in one query."""
    if not lot_ids:
        return {}
    rows = (
        Asset.objects.filter(lot_id__in=lot_ids)
        .values("lot_id")
        .annotate(total=Count("pk"), free=Count("pk", filter=Q(state__attributes__status="free")))
    )
    return {row["lot_id"]: (row["free"], row["total"]) for row in rows}


def map_rows(city: City, filters: MapFilters = MapFilters()) -> list[dict[str, Any]]:
    """What the map's GeoJSON needs of each asset, read as plain values (two queries)."""
    rows = list(
        map_assets(city, filters).values(
            "pk",
            "kind",
            "entity_id",
            "name",
            "ref",
            "latitude",
            "longitude",
            "district__code",
            "state__attributes",
            "state__observed_at",
        )
    )
    lots = lot_figures([row["pk"] for row in rows if row["kind"] == AssetKind.OFF_STREET_PARKING])
    for row in rows:
        row["lot"] = lots.get(row["pk"], (0, 0))
    return rows


@dataclass(frozen=True)
class KindFigures:
    kind: str
    total: int
    free: int
    occupied: int
    full: int
    silent: int


def figures(city: City, filters: MapFilters = MapFilters()) -> list[KindFigures]:
    """Per kind of asset: how many, how many free, occupied, full (a bin) or with no reading
    yet; one query."""
    rows = (
        map_assets(city, filters)
        .order_by()
        .values("kind")
        .annotate(
            total=Count("pk"),
            free=Count("pk", filter=Q(state__attributes__status="free")),
            occupied=Count("pk", filter=Q(state__attributes__status="occupied")),
            # The city's collection threshold ([iot] bin_threshold), as the bins' pages count.
            full=Count(
                "pk",
                filter=Q(
                    state__attributes__fillingLevel__gte=iot_settings(city).bin_threshold
                ),
            ),
            silent=Count("pk", filter=Q(state__isnull=True)),
        )
    )
    found = {row["kind"]: row for row in rows}
    return [
        KindFigures(**found[kind])
        for kind in AssetKind.values
        if kind in found and kind != AssetKind.OFF_STREET_PARKING
    ]


# --- one asset ----------------------------------------------------------------------------------


def public_asset(asset_id: int) -> Asset | None:
    return (
        Asset.objects.filter(city=city_selectors.current_city(), pk=asset_id)
        .select_related("state", "district", "lot")
        .first()
    )


def sensors_of(asset: Asset) -> list[dict[str, Any]]:
    """What the public may know of the sensors watching an asset: kind, model, battery, when
    last heard and whether in service (no ids, no secrets, no department)."""
    return list(
        Device.objects.filter(asset=asset)
        .order_by("pk")
        .values("kind", "model_name", "battery", "last_seen", "status")
    )


def last_readings(asset: Asset, limit: int = LAST_READINGS) -> list[dict[str, Any]]:
    return list(
        Reading.objects.filter(asset=asset)
        .order_by("-device_time")
        .values("device_time", "attributes")[:limit]
    )


def spots_of(lot: Asset) -> QuerySet:
    return Asset.objects.filter(lot=lot).select_related("state").order_by("ref")


# --- the desk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceFilters:
    kind: str = ""
    district: str = ""
    status: str = ""
    # "silent": nothing for an hour; "low": battery under LOW_BATTERY %.
    health: str = ""
    query: str = ""


HEALTH = ("silent", "low")


def registry(city: City, filters: DeviceFilters = DeviceFilters(), *, now: datetime | None = None):
    """The city's devices with their asset, district and department (one query a page)."""
    now = now or timezone.now()
    devices = Device.objects.filter(city=city).select_related("asset", "district", "department")
    if filters.kind in Kind.values:
        devices = devices.filter(kind=filters.kind)
    if filters.district:
        devices = devices.filter(district__code=filters.district)
    if filters.status in DeviceStatus.values:
        devices = devices.filter(status=filters.status)
    if filters.health == "silent":
        devices = devices.filter(
            Q(last_seen__isnull=True) | Q(last_seen__lt=now - SILENT_AFTER),
            status=DeviceStatus.ACTIVE,
        )
    elif filters.health == "low":
        devices = devices.filter(battery__lt=LOW_BATTERY)
    words = filters.query.strip()
    if words:
        match = Q(asset__ref__icontains=words) | Q(asset__name__icontains=words)
        match |= Q(model_name__icontains=words)
        if words.isascii() and words.isdigit() and len(words) < 18:
            match |= Q(pk=int(words))
        devices = devices.filter(match)
    return devices.order_by("pk")


def device_of(city: City, device_id: int) -> Device | None:
    return (
        Device.objects.filter(city=city, pk=device_id)
        .select_related("asset", "asset__state", "district", "department")
        .first()
    )


def device_readings(device: Device, limit: int = LAST_READINGS) -> list[dict[str, Any]]:
    return list(
        Reading.objects.filter(device=device)
        .order_by("-device_time")
        .values("device_time", "received_at", "attributes")[:limit]
    )


def last_day_counts(city: City, *, now: datetime | None = None) -> list[tuple[str, str, int, int]]:
    """Every reason with its label, its messages in the last 24 whole hours and this one, and
    its messages since the start: [(reason, label, last day, since start)]."""
    now = now or timezone.now()
    since = (now - timedelta(hours=24)).replace(minute=0, second=0, microsecond=0)
    day = dict(
        IngestTally.objects.filter(city=city, hour__gte=since)
        .values("reason")
        .annotate(n=Sum("count"))
        .values_list("reason", "n")
    )
    total = dict(IngestCounter.objects.filter(city=city).values_list("reason", "count"))
    return [
        (reason, str(label), day.get(reason, 0), total.get(reason, 0))
        for reason, label in Reason.choices
    ]
