"""The desk's one step from what an official sends to the registries' services, shared by its
pages and its JSON API: which service saves each layer, a row's values as the services read
them (where an edit starts, and what it keeps of the fields a form does not show), a route's
stops resolved (a place in service by its id, or a named point), taking a row off the map and
putting it back, and a lending record with its district named by its code. Each entry point
only parses its format and words its errors; the services check and write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.core.actors import Actor
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, InvalidInput, NotFound
from hamkke.places import selectors as places_selectors
from hamkke.places import services
from hamkke.places.desk.selectors import PLACE_LAYER_VALUES
from hamkke.places.models import AccessPoint, Event, Layer, Lending, Place, Route, Status

# What the services compute or set themselves (a point's cell and district, a route's length)
# or take in another form (an access point's site, by its number).
NOT_SENT = frozenset(
    {"id", "city", "layer", "cell", "district", "updated_at", "site", "distance_m", "minutes"}
)


def _sent(model) -> tuple[str, ...]:
    """The fields of a registry's rows its service reads, as the model names them."""
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in NOT_SENT)


ActorLike = Actor | User | None


def values_of(row: Place | AccessPoint | Event | Route) -> dict[str, Any]:
    """A row's values as its service takes them (an access point's site by its number)."""
    values = {name: getattr(row, name) for name in _sent(type(row))}
    if isinstance(row, AccessPoint):
        values["site_ref"] = row.site.ref
    return values


@dataclass(frozen=True)
class StopSpec:
    """A stop as sent: a place of the registry by its id, or a name and a point."""

    name: str = ""
    latitude: Any = None
    longitude: Any = None
    place: int | None = None


def stop_drafts(specs: Sequence[StopSpec]) -> list[services.StopDraft]:
    """The stops for services.save_route, in order: a place's name and point read from the
    registry (it must be in service), a named point checked as every point is. A refusal names
    the stop by its number, on the field `stops`."""
    city = city_selectors.current_city()
    ids = [spec.place for spec in specs if spec.place is not None]
    found = {place.pk: place for place in places_selectors.public_places(ids)}
    drafts = []
    for number, spec in enumerate(specs, start=1):
        if spec.place is not None:
            place = found.get(spec.place)
            if place is None:
                raise InvalidInput(
                    _("Stop %(n)s: there is no place %(id)s in service.")
                    % {"n": number, "id": spec.place},
                    field="stops",
                )
            drafts.append(
                services.StopDraft(place.name, place.latitude, place.longitude, place=place)
            )
            continue
        if not (spec.name or "").strip():
            raise InvalidInput(
                _("Stop %(n)s: give its name, or a place of the registry.") % {"n": number},
                field="stops",
            )
        try:
            lat, lon, _district = services.located(city, spec.latitude, spec.longitude)
        except DomainError as exc:
            raise InvalidInput(
                _("Stop %(n)s: %(reason)s") % {"n": number, "reason": exc.message},
                field="stops",
                code=exc.code,
            ) from exc
        drafts.append(services.StopDraft(spec.name, lat, lon))
    return drafts


def save(
    *,
    actor: ActorLike,
    layer: str,
    values: Mapping[str, Any],
    stops: Sequence[StopSpec] | None = None,
    current: Place | AccessPoint | Event | Route | None = None,
) -> tuple[Any, bool]:
    """Insert or update a row of `layer` through its service. Editing `current`, the values not
    sent are the row's own and its number stays (a new number would make a new row). A route
    takes its `stops` whole, every time. Returns the row and whether it is new."""
    merged = dict(values)
    if current is not None:
        merged = {**values_of(current), **values, "ref": current.ref}
    if layer in PLACE_LAYER_VALUES:
        return services.save_place(actor=actor, layer=layer, values=merged)
    if layer == Layer.WIFI_APS:
        return services.save_access_point(actor=actor, values=merged)
    if layer == Layer.EVENTS:
        return services.save_event(actor=actor, values=merged)
    if layer == Layer.ROUTES:
        return services.save_route(actor=actor, values=merged, stops=stop_drafts(stops or ()))
    raise InvalidInput(_("Choose one of the layers."), field="layer")


def take_off_map(*, actor: ActorLike, layer: str, row: Place | AccessPoint) -> Any:
    """Out of service: off the public map, kept in the registry."""
    if isinstance(row, Place):
        return services.retire(actor=actor, place=row)
    return save(actor=actor, layer=layer, values={"status": Status.CLOSED}, current=row)[0]


def put_back(*, actor: ActorLike, layer: str, row: Place | AccessPoint) -> Any:
    """In service again, on the public map."""
    if isinstance(row, Place):
        return services.reinstate(actor=actor, place=row)
    return save(actor=actor, layer=layer, values={"status": Status.ACTIVE}, current=row)[0]


def record_lending(*, actor: ActorLike, district: str = "", **values: Any) -> Lending:
    """services.record_lending (event_name, held_on, chargers_lent, citizens_served, venue)
    with the district named by its code (none when empty)."""
    chosen = None
    if district:
        try:
            chosen = city_selectors.district_by_code(city_selectors.current_city(), district)
        except NotFound as exc:
            raise InvalidInput(_("Choose one of the city's districts."), field="district") from exc
    return services.record_lending(actor=actor, district=chosen, **values)
