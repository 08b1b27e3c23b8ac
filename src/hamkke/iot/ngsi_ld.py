"""The NGSI-LD read API under /ngsi-ld/v1/: assets as FIWARE Smart Data Models entities
(`ParkingSpot` with `status`, `WasteContainer` with `fillingLevel`, `NoParkingZone`), each
with its `location` GeoProperty and its measured attributes' `observedAt`, in the normalized
form (places.fiware.normalized), with the @context in the body and the `Link` header.

- `GET entities?type=&q=&georel=near;maxDistance==N&geometry=Point&coordinates=[lon,lat]
  &limit=&offset=`: `q` is `attr==value`, `attr!=value`, `attr>n`, `attr>=n`, `attr<n`,
  `attr<=n`, joined by `;` (all must hold); `limit` up to 1000 (20 by default).
- `GET entities/{id}`.
Errors answer in NGSI-LD's ProblemDetails JSON (`type`, `title`, `detail`), 400 BadRequestData
or 404 ResourceNotFound, whatever goes wrong under this path."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.urls import path

from hamkke.core.city.selectors import current_city
from hamkke.core.geo import cells_within, distance_m
from hamkke.core.web.hostile import answers_errors_with
from hamkke.iot.models import Asset, AssetKind
from hamkke.iot.parking.selectors import spot_numbers
from hamkke.places.fiware import normalized

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
CONTEXT = [
    CORE_CONTEXT,
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.WasteManagement/master/"
    "context.jsonld",
]
LINK = f'<{CONTEXT[1]}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
CONTENT_TYPE = "application/ld+json"
MEASURED = ("status", "fillingLevel", "temperature", "batteryLevel")
# A lot's numbers, counted from its spots' states (parking.selectors.spot_numbers).
COUNTED = ("availableSpotNumber", "totalSpotNumber")
MAX_LIMIT, MAX_DISTANCE_M = 1000, 5000
ERRORS = {
    400: ("https://uri.etsi.org/ngsi-ld/errors/BadRequestData", "Bad request data"),
    404: ("https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound", "Resource not found"),
}
_Q = re.compile(r"([A-Za-z][A-Za-z0-9_]{0,40})(==|!=|>=|<=|>|<)(.{1,100})")


class Problem(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def problem(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    kind, title = ERRORS.get(status, ("https://uri.etsi.org/ngsi-ld/errors/InternalError", "Error"))
    body = {"type": kind, "title": title, "detail": detail}
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def parse_q(text: str) -> list[tuple[str, str, object]]:
    """`status==free;fillingLevel>0.8` as (attribute, operator, value) terms."""
    terms = []
    for part in filter(None, text.split(";")):
        match = _Q.fullmatch(part)
        if match is None:
            raise Problem(400, f"q: cannot read {part[:60]!r}; write attr==value or attr>number")
        name, operator, raw = match.groups()
        raw = raw.strip('"')
        if operator in ("==", "!="):
            value: object = raw
            with contextlib.suppress(ValueError):
                value = float(raw) if raw.isascii() else raw
        else:
            try:
                value = float(raw) if raw.isascii() else None
            except ValueError:
                value = None
            if value is None:
                raise Problem(400, f"q: {name}{operator} needs a number")
        terms.append((name, operator, value))
    return terms


def holds(attributes: dict, terms) -> bool:
    for name, operator, value in terms:
        have = attributes.get(name)
        if have is None:
            return False
        if operator == "==" and have != value:
            return False
        if operator == "!=" and have == value:
            return False
        if operator in (">", ">=", "<", "<=") and (
            not isinstance(have, int | float)
            or not {">": have > value, ">=": have >= value, "<": have < value, "<=": have <= value}[
                operator
            ]  # type: ignore[operator]
        ):
            return False
    return True


def _attributes(asset: Asset) -> dict:
    state = getattr(asset, "state", None)
    return {**(state.attributes if state else {}), **getattr(asset, "spot_numbers", {})}


def _counted(assets, lots) -> Iterator[Asset]:
    """The assets, each lot among them with its `spot_numbers` (counted once, up front)."""
    numbers = spot_numbers(
        lots.filter(kind=AssetKind.OFF_STREET_PARKING).values_list("pk", flat=True)
    )
    for asset in assets:
        if asset.pk in numbers:
            asset.spot_numbers = numbers[asset.pk]
        yield asset


def entity(asset: Asset) -> dict:
    state = getattr(asset, "state", None)
    attributes = _attributes(asset)
    keyed = {
        "id": asset.entity_id,
        "type": asset.kind,
        "location": {
            "type": "Point",
            "coordinates": [round(asset.longitude, 6), round(asset.latitude, 6)],
        },
    }
    if asset.name:
        keyed["name"] = asset.name
    if asset.lot_id and asset.kind == AssetKind.PARKING_SPOT:
        keyed["refParkingSite"] = asset.lot.entity_id
    keyed.update({k: attributes[k] for k in MEASURED + COUNTED if k in attributes})
    keyed["@context"] = CONTEXT
    out = normalized(keyed)
    if state:
        for name in MEASURED:
            if name in out:
                out[name]["observedAt"] = state.observed_at.isoformat().replace("+00:00", "Z")
    if "refParkingSite" in out:
        out["refParkingSite"] = {"type": "Relationship", "object": keyed["refParkingSite"]}
    return out


def _answer(body) -> HttpResponse:
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=CONTENT_TYPE)
    response["Link"] = LINK
    return response


def _whole(request: HttpRequest, name: str, default: int, high: int) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= high:
        raise Problem(400, f"{name}: a whole number from 0 to {high}")
    return int(raw)


def _near(request: HttpRequest):
    georel = request.GET.get("georel", "")
    if not georel:
        return None
    match = re.fullmatch(r"near;maxDistance==([0-9]{1,6}(?:\.[0-9]+)?)", georel, re.ASCII)
    if match is None or request.GET.get("geometry") != "Point":
        raise Problem(400, "georel: only near;maxDistance==N with geometry=Point")
    try:
        lon, lat = (float(x) for x in json.loads(request.GET.get("coordinates", "")))
    except (ValueError, TypeError) as error:
        raise Problem(400, "coordinates: give [longitude,latitude]") from error
    radius = float(match[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or radius > MAX_DISTANCE_M:
        raise Problem(400, f"coordinates out of range, or maxDistance over {MAX_DISTANCE_M} m")
    return lat, lon, radius


def _guarded(view):
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Problem as refusal:
            return problem(request, refusal.status, refusal.detail)

    wrapper.__name__ = view.__name__
    return answers_errors_with(problem)(wrapper)


@_guarded
def entities(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise Problem(400, "This API only reads: use GET.")
    kind = request.GET.get("type", "")
    if kind and kind not in AssetKind.values:
        raise Problem(400, "type: one of " + ", ".join(AssetKind.values))
    terms = parse_q(request.GET.get("q", ""))
    limit, offset = _whole(request, "limit", 20, MAX_LIMIT), _whole(request, "offset", 0, 10**6)
    assets = Asset.objects.filter(city=current_city()).select_related("state", "lot")
    if kind:
        assets = assets.filter(kind=kind)
    near = _near(request)
    found = []
    if near:
        lat, lon, radius = near
        assets = assets.filter(cell__in=cells_within(lat, lon, radius))
    for asset in _counted(assets.order_by("pk").iterator(2000), assets):
        if near and distance_m(lat, lon, asset.latitude, asset.longitude) > radius:
            continue
        if terms and not holds(_attributes(asset), terms):
            continue
        found.append(asset)
    if near:
        found.sort(key=lambda a: distance_m(lat, lon, a.latitude, a.longitude))
    return _answer([entity(asset) for asset in found[offset : offset + limit]])


@_guarded
def one(request: HttpRequest, entity_id: str) -> HttpResponse:
    asset = (
        Asset.objects.filter(city=current_city(), entity_id=entity_id)
        .select_related("state", "lot")
        .first()
    )
    if asset is None:
        raise Problem(404, f"No entity {entity_id[:200]}")
    return _answer(entity(next(_counted([asset], Asset.objects.filter(pk=asset.pk)))))


urlpatterns = [
    path("entities", entities, name="ngsi-ld-entities"),
    path("entities/<path:entity_id>", one, name="ngsi-ld-entity"),
]
