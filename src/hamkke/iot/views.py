"""The IoT pages. Public: the Smart Districts front (`/iot/`: the live map of parking spots,
lots, bins and no-parking zones on the one map component, the figures, and a paged list that
serves without JavaScript, filtered by kind and district) and each asset's status page (what it
is, its latest state, its last readings; nothing personal, nothing of the devices' secrets).
The officials' desk (`/iot/desk/`): the device registry with its filters and the ingest
counters of the last day; a device's page, where the keeping department's handler rotates its
secret (shown once, on the page answering the POST) or revokes it. The role and the second
factor are the decorators'; the department's seat is asked of the policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, NotAllowed
from hamkke.core.web import responses
from hamkke.iot import policies, services
from hamkke.iot.models import Asset, AssetKind, Device, DeviceStatus, Kind
from hamkke.iot.pages import selectors
from hamkke.iot.pages.forms import DeviceFilterForm, MapFilterForm

LIST_SIZE = 25
DESK_SIZE = 50
STATUS = {
    "free": pgettext_lazy("parking spot", "Free"),
    "occupied": pgettext_lazy("parking spot", "Occupied"),
    "closed": pgettext_lazy("parking spot", "Closed"),
    "unknown": pgettext_lazy("parking spot", "Unknown"),
}
ATTRIBUTE = {
    "status": gettext_lazy("Status"),
    "fillingLevel": gettext_lazy("Fill level"),
    "temperature": gettext_lazy("Temperature"),
    "batteryLevel": gettext_lazy("Battery"),
}
# The parts other helpers build (parking sharing, bins and collection, alarms): links only,
# by address, until their pages exist.
ELSEWHERE = (
    ("/iot/parking/", gettext_lazy("Parking sharing")),
    ("/iot/bins/", gettext_lazy("Bins and collection")),
)
DESK_ELSEWHERE = (
    ("/iot/parking/desk/", gettext_lazy("Parking sharing")),
    ("/iot/bins/desk/", gettext_lazy("Collection plans")),
    ("/iot/alarms/", gettext_lazy("Alarms")),
)


def percent(share: float) -> str:
    return _("%(percent)s%%") % {"percent": number_format(share * 100, 0)}


def value_text(name: str, value: Any) -> str:
    if name == "status":
        return str(STATUS.get(value, value))
    if name in ("fillingLevel", "batteryLevel") and isinstance(value, int | float):
        return percent(value)
    if name == "temperature" and isinstance(value, int | float):
        return _("%(degrees)s °C") % {"degrees": number_format(value, 1)}
    return str(value)


def state_text(kind: str, attributes: dict | None, lot: tuple[int, int] | None = None) -> str:
    """An asset's state in a few words: a spot free or taken, a bin's fill, a lot's free spots."""
    if kind == AssetKind.OFF_STREET_PARKING:
        free, total = lot or (0, 0)
        return _("%(free)s of %(total)s spots free") % {"free": free, "total": total}
    if not attributes:
        return _("No reading yet")
    if kind == AssetKind.WASTE_CONTAINER and "fillingLevel" in attributes:
        return _("%(percent)s full") % {"percent": percent(attributes["fillingLevel"])}
    status = attributes.get("status")
    if kind == AssetKind.NO_PARKING_ZONE and status == "occupied":
        return _("A vehicle is parked here")
    if kind == AssetKind.NO_PARKING_ZONE and status == "free":
        return _("Clear")
    return value_text("status", status) if status else _("No reading yet")


def attribute_lines(attributes: dict) -> list[tuple[str, str]]:
    return [
        (str(ATTRIBUTE.get(name, name)), value_text(name, value))
        for name, value in attributes.items()
    ]


@dataclass(frozen=True)
class Line:
    """A line of the public list: the asset's name and page, what it is, its district, its
    state in words, and the moment it is from."""

    name: str
    url: str
    kind: str
    district: str
    state: str
    observed_at: Any


def _lines(assets: list[Asset]) -> list[Line]:
    lots = selectors.lot_figures([a.pk for a in assets if a.kind == AssetKind.OFF_STREET_PARKING])
    lines = []
    for asset in assets:
        state = getattr(asset, "state", None)
        lines.append(
            Line(
                name=asset.name or asset.ref,
                url=reverse("iot:asset", args=[asset.pk]),
                kind=str(AssetKind(asset.kind).label),
                district=asset.district.display_name if asset.district else "",
                state=state_text(
                    asset.kind, state.attributes if state else None, lots.get(asset.pk)
                ),
                observed_at=state.observed_at if state else None,
            )
        )
    return lines


def script_labels() -> dict[str, Any]:
    """What the map's script says, translated here: it has no catalogue of its own."""
    return {
        "kinds": {value: str(label) for value, label in AssetKind.choices},
        "status": {value: str(label) for value, label in STATUS.items()},
        "full": _("%(percent)s full"),
        "lot": _("%(free)s of %(total)s spots free"),
        "parked": _("A vehicle is parked here"),
        "clear": _("Clear"),
        "none": _("No reading yet"),
    }


# --- public --------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    city = city_selectors.current_city()
    form = MapFilterForm(request.GET or None, districts=city_selectors.districts_of(city))
    chosen = form.chosen()
    page, query = responses.page_of(request, selectors.map_assets(city, chosen), LIST_SIZE)
    geojson = reverse("api:iot_assets_geojson")
    filters = chosen.as_query()
    context = {
        "form": form,
        "query": query,
        "filtered": bool(filters),
        "page": page,
        "lines": _lines(list(page.object_list)),
        "figures": selectors.figures(city, chosen),
        "kind_labels": dict(AssetKind.choices),
        "geojson_url": f"{geojson}?{urlencode(filters)}" if filters else geojson,
        "labels": script_labels(),
        "elsewhere": ELSEWHERE,
    }
    return render(request, "iot/index.html", context, status=400 if form.errors else 200)


@require_GET
def asset(request: HttpRequest, asset_id: int) -> HttpResponse:
    found = selectors.public_asset(asset_id)
    if found is None:
        raise Http404(_("There is no such place."))
    state = getattr(found, "state", None)
    lot = None
    spots = []
    if found.kind == AssetKind.OFF_STREET_PARKING:
        lot = selectors.lot_figures([found.pk]).get(found.pk, (0, 0))
        spots = _lines(list(selectors.spots_of(found)))
    readings = [
        ((row["device_time"],), attribute_lines(row["attributes"]))
        for row in selectors.last_readings(found)
    ]
    context = {
        "asset": found,
        "kind": AssetKind(found.kind).label,
        "state": state_text(found.kind, state.attributes if state else None, lot),
        "observed_at": state.observed_at if state else None,
        "attributes": attribute_lines(state.attributes) if state else [],
        "sensors": [
            {
                **sensor,
                "kind": Kind(sensor["kind"]).label,
                "in_service": sensor["status"] == DeviceStatus.ACTIVE,
            }
            for sensor in selectors.sensors_of(found)
        ],
        "readings": readings,
        "reading_columns": [_("Time")],
        "spots": spots,
    }
    return render(request, "iot/asset.html", context)


# --- the desk ------------------------------------------------------------------------------------


def _seat(request: HttpRequest) -> Seat:
    """The official's seat at the department that keeps the sensors, where they must hold a
    role (403 for an official of another department)."""
    keeper = services.keeper_of(city_selectors.current_city())
    if keeper is None:
        raise NotAllowed(
            _("No department keeps the sensors: set [iot] department in the profile."),
            code="no_department",
        )
    seat = seat_at(request.actor, keeper)
    policies.may_view_registry(seat, request.actor).enforce()
    return seat


@official_required(role=Role.VIEWER)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    seat = _seat(request)
    city = city_selectors.current_city()
    form = DeviceFilterForm(request.GET or None, districts=city_selectors.districts_of(city))
    page, query = responses.page_of(request, selectors.registry(city, form.chosen()), DESK_SIZE)
    context = {
        "department": seat.department,
        "form": form,
        "page": page,
        "query": query,
        "devices": page.object_list,
        "counts": selectors.last_day_counts(city),
        "elsewhere": DESK_ELSEWHERE,
        "low_battery": selectors.LOW_BATTERY,
    }
    return render(request, "iot/desk.html", context, status=400 if form.errors else 200)


def _device(device_id: int) -> Device:
    found = selectors.device_of(city_selectors.current_city(), device_id)
    if found is None:
        raise Http404(_("There is no such device."))
    return found


def _device_page(
    request: HttpRequest, seat: Seat, device: Device, *, secret: str = ""
) -> HttpResponse:
    state = getattr(device.asset, "state", None)
    context = {
        "device": device,
        "kind": Kind(device.kind).label,
        "asset_kind": AssetKind(device.asset.kind).label,
        "state": state_text(device.asset.kind, state.attributes if state else None),
        "readings": [
            ((row["device_time"], row["received_at"]), attribute_lines(row["attributes"]))
            for row in selectors.device_readings(device)
        ],
        "reading_columns": [_("Device time"), _("Received")],
        "may_rotate": policies.may_rotate(seat, device, request.actor),
        "may_revoke": policies.may_revoke(seat, device, request.actor),
        "revoked": device.status == DeviceStatus.REVOKED,
        "secret": secret,
    }
    response = render(request, "iot/device.html", context)
    if secret:  # never kept by a browser or a proxy
        response["Cache-Control"] = "no-store"
    return response


@official_required(role=Role.VIEWER)
@require_GET
def device(request: HttpRequest, device_id: int) -> HttpResponse:
    seat = _seat(request)
    return _device_page(request, seat, _device(device_id))


@official_required(role=Role.HANDLER)
@require_POST
def rotate(request: HttpRequest, device_id: int) -> HttpResponse:
    """A new secret, shown on this answer only (the page says so); the old one stops at once."""
    seat = _seat(request)
    found = _device(device_id)
    try:
        secret = services.rotate_secret(device=found, actor=request.actor)
    except NotAllowed:
        raise
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect("iot:device", device_id=found.pk)
    return _device_page(request, seat, _device(device_id), secret=secret)


@official_required(role=Role.HANDLER)
@require_POST
def revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    _seat(request)
    found = _device(device_id)
    responses.carry_out(
        request,
        lambda: services.revoke(device=found, actor=request.actor),
        _("The device is revoked: its readings are refused from now on."),
        reraise=(NotAllowed,),
    )
    return redirect("iot:device", device_id=found.pk)
