"""Reads of the places desk: the official's seat at the department that keeps the registries,
each registry's rows (out-of-service ones too) narrowed by the list's filters with what a row
of the table shows read in the same query, one row by its id or by the registry's own number,
and the lending records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.actors import Actor
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed, NotFound
from hamkke.places import selectors as places_selectors
from hamkke.places import services
from hamkke.places.models import PLACE_LAYERS, AccessPoint, Event, Layer, Lending, Place, Route

PLACE_LAYER_VALUES = tuple(layer.value for layer in PLACE_LAYERS)
# The layers with a status: their rows may be taken off the map and put back.
RETIRABLE = (*PLACE_LAYER_VALUES, Layer.WIFI_APS.value)
# An event's "status" on the desk: still to come or on, or over.
EVENT_CURRENT, EVENT_OVER = "current", "over"


def desk_seat(actor: Actor) -> Seat:
    """The actor's seat at the keeping department (`[places] department`); NotAllowed when the
    profile names none (no one keeps the registries, so no one works at this desk)."""
    keeper = services.keeper_of(current_city())
    if keeper is None:
        raise NotAllowed(
            _("No department keeps the places: set [places] department in the profile."),
            code="no_department",
        )
    return seat_at(actor, keeper)


@dataclass(frozen=True)
class RegistryFilters:
    """A list's filters: words in the name or number, a district's code, a status (for events:
    current or over) and a kind (a facility's kind, a WiFi install type, an event's kind)."""

    query: str = ""
    district: str = ""
    status: str = ""
    kind: str = ""


def registry_rows(layer: str, filters: RegistryFilters = RegistryFilters()) -> QuerySet:
    """Every row of a registry, whatever its status, narrowed by `filters`; a row's district (an
    access point's site, a route's number of stops) read in the same query, so a page of any
    size takes the same queries."""
    city = current_city()
    words = filters.query.strip()
    if layer in PLACE_LAYER_VALUES:
        rows = Place.objects.filter(city=city, layer=layer).select_related("district")
        if words:
            rows = rows.filter(_containing(words, "name", "name_en", "ref"))
        if layer == Layer.WIFI_SITES:
            rows = rows.annotate(access_point_count=Count("access_points"))
        ordering: tuple[str, ...] = ("name", "id")
    elif layer == Layer.WIFI_APS:
        rows = AccessPoint.objects.filter(city=city).select_related("site", "district")
        if words:
            rows = rows.filter(_containing(words, "ref", "ssid", "site__name", "site__ref"))
        ordering = ("site__name", "ref", "id")
    elif layer == Layer.EVENTS:
        return _events(filters, words)
    elif layer == Layer.ROUTES:
        return _routes(filters, words)
    else:
        raise ValueError(f"unknown layer {layer!r}")
    if filters.kind:
        kind_field = "install_type" if layer == Layer.WIFI_APS else "kind"
        rows = rows.filter(**{kind_field: filters.kind})
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.district:
        rows = rows.filter(district__code=filters.district)
    return rows.order_by(*ordering)


def _containing(words: str, *fields: str) -> Q:
    """Rows with `words` in any of `fields`, whatever the case."""
    found = Q()
    for name in fields:
        found |= Q(**{f"{name}__icontains": words})
    return found


def _events(filters: RegistryFilters, words: str) -> QuerySet:
    rows = Event.objects.filter(city=current_city()).select_related("district")
    if words:
        rows = rows.filter(_containing(words, "title", "title_en", "ref", "venue"))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status == EVENT_CURRENT:
        rows = rows.filter(ends_at__gte=timezone.now())
    elif filters.status == EVENT_OVER:
        rows = rows.filter(ends_at__lt=timezone.now())
    if filters.district:
        rows = rows.filter(district__code=filters.district)
    return rows.order_by("-starts_at", "id")


def _routes(filters: RegistryFilters, words: str) -> QuerySet:
    rows = Route.objects.filter(city=current_city()).annotate(stop_count=Count("stops"))
    if words:
        rows = rows.filter(_containing(words, "name", "name_en", "ref"))
    if filters.district:
        rows = rows.filter(pk__in=places_selectors.routes_starting_in(filters.district))
    return rows.order_by("name", "id")


def _one(layer: str, **lookup: Any):
    """A row of a registry (with what its page shows) or None."""
    city = current_city()
    if layer in PLACE_LAYER_VALUES:
        rows = Place.objects.filter(city=city, layer=layer).select_related("district")
    elif layer == Layer.WIFI_APS:
        rows = AccessPoint.objects.filter(city=city).select_related("site", "district")
    elif layer == Layer.EVENTS:
        rows = Event.objects.filter(city=city).select_related("district")
    elif layer == Layer.ROUTES:
        rows = Route.objects.filter(city=city).prefetch_related("stops")
    else:
        return None
    return rows.filter(**lookup).first()


NOT_FOUND = {
    Layer.WIFI_SITES: gettext_lazy("There is no WiFi site with the number %(ref)s."),
    Layer.WIFI_APS: gettext_lazy("There is no WiFi access point with the number %(ref)s."),
    Layer.CHARGERS: gettext_lazy("There is no charger site with the number %(ref)s."),
    Layer.FACILITIES: gettext_lazy("There is no facility with the number %(ref)s."),
    Layer.EVENTS: gettext_lazy("There is no event with the number %(ref)s."),
    Layer.ROUTES: gettext_lazy("There is no route with the number %(ref)s."),
}


def registry_row(layer: str, pk: int):
    """A row of the registry by its id; NotFound for none in this layer."""
    row = _one(layer, pk=pk)
    if row is None:
        raise NotFound(_("There is no such row in this registry."))
    return row


def row_by_ref(layer: str, ref: str):
    """A row of the registry by its own number, or None."""
    return _one(layer, ref=ref)


def row_by_ref_or_404(layer: str, ref: str):
    row = row_by_ref(layer, ref)
    if row is None:
        raise NotFound(str(NOT_FOUND[layer]) % {"ref": ref[:64]})
    return row


def lendings() -> QuerySet:
    """The chargers lent at city events, latest first, with their district."""
    return Lending.objects.filter(city=current_city()).select_related("district")
