"""The places' public pages: one map of WiFi, chargers, facilities, events and routes (drawn from
the API's GeoJSON layers) with lists of each layer, filtered and paged, that serve without
JavaScript; "near me" (the nearest places of a layer to a point, with distances, walking time
and whether they are open now); a place, an event and a route; the walk planner (the shortest
order of up to 12 chosen places); and the WiFi coverage with the registry's figures."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import (
    get_language,
    get_language_info,
    ngettext,
    pgettext,
    pgettext_lazy,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hamkke.core import ratelimit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.models import City
from hamkke.core.web import responses
from hamkke.places import geojson, selectors, services
from hamkke.places.forms import MapFilterForm, MapFilters, NearForm, PlanForm
from hamkke.places.hours import describe, is_open, next_change
from hamkke.places.models import PLACE_LAYERS, AccessPoint, Event, Layer, Place, Route
from hamkke.places.routing import MAX_EXACT, walking_minutes

LIST_SIZE = 10
PLAN_CHOICES = 20
# Where the found places of "near me" may be added to a walk: the registry's places.
PLANNABLE = tuple(layer.value for layer in PLACE_LAYERS)
# The access points are thousands: the map clusters them.
CLUSTERED = (Layer.WIFI_APS.value,)
DAY_NAMES = {
    "Mo": pgettext_lazy("day of the week, short", "Mon"),
    "Tu": pgettext_lazy("day of the week, short", "Tue"),
    "We": pgettext_lazy("day of the week, short", "Wed"),
    "Th": pgettext_lazy("day of the week, short", "Thu"),
    "Fr": pgettext_lazy("day of the week, short", "Fri"),
    "Sa": pgettext_lazy("day of the week, short", "Sat"),
    "Su": pgettext_lazy("day of the week, short", "Sun"),
}
_DAY_CODE = re.compile("|".join(DAY_NAMES))


# --- what the lists show ---------------------------------------------------------------------


def _english() -> bool:
    return (get_language() or "").startswith("en")


def shown_name(name: str, name_en: str) -> str:
    return name_en if _english() and name_en else name


def kind_names(city: City) -> dict[str, str]:
    """The profile's facility kinds and WiFi install types by code, in the page's language."""
    section = services.places_settings(city)
    return {
        kind.code: shown_name(kind.name, kind.name_en)
        for kind in [*section.install_types, *section.facility_kinds]
    }


def metres_text(metres: float) -> str:
    if metres < 1000:
        return _("%(m)s m") % {"m": round(metres)}
    return _("%(km)s km") % {"km": f"{metres / 1000:.1f}".removesuffix(".0")}


def _share_decimals(share: float) -> int:
    # Enough decimals that a share of a few access points is not shown as nothing.
    percent = share * 100
    return 1 if percent >= 10 or percent == 0 else 2 if percent >= 0.1 else 3


def percent_text(share: float) -> str:
    return _("%(percent)s%%") % {"percent": number_format(share * 100, _share_decimals(share))}


@dataclass(frozen=True)
class HoursShown:
    """Opening hours as a page shows them: the rules (days, times), whether open at the city's
    local time now, and the next opening or closing (a naive local time; None: never)."""

    lines: list[tuple[str, str]]
    open_now: bool
    next_change: datetime | None
    always_open: bool


def _days(text: str) -> str:
    return _DAY_CODE.sub(lambda match: str(DAY_NAMES[match[0]]), text).replace("-", "–")


def hours_shown(text: str, local: datetime) -> HoursShown | None:
    """None when the hours are unknown."""
    parsed = geojson.parsed_hours(text)
    if parsed is None:
        return None
    lines = [
        (_days(days), pgettext_lazy("opening hours", "closed") if times == "closed" else times)
        for days, times in describe(parsed)
    ]
    return HoursShown(
        lines=lines,
        open_now=is_open(parsed, local),
        next_change=next_change(parsed, local),
        always_open=parsed.always_open,
    )


@dataclass
class Card:
    """One line of a list: the row's name and page, a few facts, and what depends on the
    moment or the point asked about."""

    name: str
    url: str
    facts: list[str] = field(default_factory=list)
    # None: unknown (no hours), else open at this moment.
    open_now: bool | None = None
    on_now: bool = False
    distance: str = ""
    minutes: int | None = None
    # A registry place, which the planner can add to a walk.
    place_id: int | None = None
    district: str = ""


def _place_card(place: Place, kinds: dict[str, str], local: datetime) -> Card:
    facts = []
    if place.kind:
        facts.append(kinds.get(place.kind, place.kind))
    if place.layer == Layer.CHARGERS and place.charger_count:
        count = place.charger_count
        facts.append(ngettext("%(n)s charger", "%(n)s chargers", count) % {"n": count})
    if place.layer == Layer.WIFI_SITES:
        count = getattr(place, "access_point_count", None)
        if count is not None:
            facts.append(
                ngettext("%(n)s access point", "%(n)s access points", count) % {"n": count}
            )
        if place.network:
            facts.append(place.network)
    if place.address:
        facts.append(place.address)
    return Card(
        name=shown_name(place.name, place.name_en),
        url=reverse("places:place", args=[place.pk]),
        facts=facts,
        open_now=geojson.open_now(place.hours, local),
        place_id=place.pk,
        district=place.district.display_name if place.district else "",
    )


def _access_point_card(point: AccessPoint, kinds: dict[str, str], site_name: str) -> Card:
    facts = [text for text in (point.ssid, point.provider) if text]
    if point.install_type:
        facts.insert(0, kinds.get(point.install_type, point.install_type))
    return Card(
        name=site_name,
        url=reverse("places:place", args=[point.site_id]),
        facts=[*facts, _("No. %(ref)s") % {"ref": point.ref}],
        district=point.district.display_name if point.district else "",
    )


def _event_card(event: Event, local: datetime) -> Card:
    now = timezone.now()
    starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    when = _("%(start)s to %(end)s") % {
        "start": starts.strftime("%Y-%m-%d %H:%M"),
        "end": ends.strftime("%Y-%m-%d %H:%M" if ends.date() != starts.date() else "%H:%M"),
    }
    on_now = event.starts_at <= now <= event.ends_at
    open_now = geojson.open_now(event.hours, local) if on_now else None
    return Card(
        name=shown_name(event.title, event.title_en),
        url=reverse("places:event", args=[event.pk]),
        facts=[text for text in (when, event.venue) if text],
        on_now=on_now and open_now is not False,
        district=event.district.display_name if event.district else "",
    )


def _route_card(route: Route, stops: int | None = None) -> Card:
    count = stops if stops is not None else getattr(route, "stop_count", 0)
    return Card(
        name=shown_name(route.name, route.name_en),
        url=reverse("places:route", args=[route.pk]),
        facts=[
            ngettext("%(n)s stop", "%(n)s stops", count) % {"n": count},
            metres_text(route.distance_m),
            ngettext("%(n)s minute on foot", "%(n)s minutes on foot", route.minutes)
            % {"n": route.minutes},
        ],
    )


def cards_of(layer: str, rows: Iterable[Any], city: City, local: datetime) -> list[Card]:
    """Each row of `layer` as a list's line (one query more for access points: their sites'
    names, already read with them)."""
    kinds = kind_names(city)
    if layer in PLANNABLE:
        return [_place_card(row, kinds, local) for row in rows]
    if layer == Layer.WIFI_APS:
        return [
            _access_point_card(row, kinds, shown_name(row.site.name, row.site.name_en))
            for row in rows
        ]
    if layer == Layer.EVENTS:
        return [_event_card(row, local) for row in rows]
    return [_route_card(row) for row in rows]


@dataclass(frozen=True)
class Section:
    """One layer's list on the map page, with its own page number (`<layer>-page`)."""

    layer: str
    label: str
    page: Page
    cards: list[Card]
    page_param: str
    query: str


def _section(
    request: HttpRequest, layer: str, chosen: MapFilters, city: City, local: datetime
) -> Section:
    rows = selectors.listed(
        layer,
        kind=chosen.kind_of(layer),
        district=chosen.district,
        query=chosen.q,
        now=timezone.now(),
    )
    param = f"{layer}-page"
    page = Paginator(rows, LIST_SIZE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return Section(
        layer=layer,
        label=str(Layer(layer).label),
        page=page,
        cards=cards_of(layer, page.object_list, city, local),
        page_param=param,
        query=query.urlencode(),
    )


def _map_layers(chosen: MapFilters) -> list[dict[str, Any]]:
    """What the map's script draws: each layer's GeoJSON address (with the filters the API
    reads) and whether it is shown at first."""
    layers = []
    for layer in Layer.values:
        params = {"kind": chosen.kind_of(layer), "district": chosen.district}
        query = urlencode({key: value for key, value in params.items() if value})
        url = reverse("api:layer_geojson", kwargs={"layer": layer})
        layers.append(
            {
                "layer": layer,
                "label": str(Layer(layer).label),
                "url": f"{url}?{query}" if query else url,
                "shown": layer in chosen.layers,
                "cluster": layer in CLUSTERED,
            }
        )
    return layers


def script_messages() -> dict[str, str]:
    """What the pages' script says, translated here: it has no catalogue of its own."""
    return {
        "openNow": pgettext("opening hours", "Open now"),
        "closedNow": pgettext("opening hours", "Closed now"),
        "locating": _("Finding your location…"),
        "located": _("Location found: searching near it…"),
        "locationFailed": _(
            "Your location could not be found. Type an address, a landmark or the coordinates "
            "instead."
        ),
        "layerFailed": _("This layer could not be loaded."),
        "stop": _("Stop %(n)s"),
    }


# --- the map ---------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The map, its filters and each chosen layer's list (paged), and "near me"."""
    city = city_selectors.current_city()
    form = MapFilterForm(request.GET or None, city=city)
    chosen = form.chosen()
    local = geojson.local_now(city)
    context = {
        "form": form,
        "chosen": chosen,
        "sections": [_section(request, layer, chosen, city, local) for layer in chosen.layers],
        "map_layers": _map_layers(chosen),
        "script_messages": script_messages(),
        "near_form": NearForm(),
        "filtered": bool(chosen.kind or chosen.install_type or chosen.district or chosen.q),
    }
    return render(request, "places/index.html", context)


def _place_finder(request: HttpRequest, city: City):
    """The near-me form's search for an address, drawing on the allowance the API and the
    report form share."""

    def find(query: str) -> list[city_selectors.FoundPlace]:
        ratelimit.check(request, ratelimit.PLACE_SEARCH)
        return city_selectors.find_places(city, query, limit=5)

    return find


def _near_cards(layer: str, found: list[selectors.Near], city: City) -> list[Card]:
    rows = [near.row for near in found]
    if layer == Layer.ROUTES:
        # Their stops came with them.
        cards = [_route_card(row, stops=len(row.stops.all())) for row in rows]
    else:
        # The districts (and an access point's site) of all the rows in one query each.
        prefetch_related_objects(rows, "district", *(["site"] if layer == Layer.WIFI_APS else []))
        cards = cards_of(layer, rows, city, geojson.local_now(city))
    for card, near in zip(cards, found, strict=True):
        card.distance = metres_text(near.distance_m)
        card.minutes = walking_minutes(near.distance_m)
    return cards


@require_GET
def near(request: HttpRequest) -> HttpResponse:
    """The nearest places of a layer to a point (typed, located by the browser, or found by an
    address), nearest first, with their distance, walking time and whether they are open."""
    city = city_selectors.current_city()
    if not request.GET:
        return render(request, "places/near.html", {"form": NearForm(), **_near_context()})
    form = NearForm(request.GET, find_places=_place_finder(request, city))

    def search() -> list[selectors.Near]:
        data = form.cleaned_data
        return selectors.nearest(
            data["layer"],
            data["latitude"],
            data["longitude"],
            n=data["n"],
            radius_m=data["radius"],
        )

    context: dict[str, Any] = {"form": form, **_near_context()}
    if form.submit(search):
        layer = form.cleaned_data["layer"]
        context.update(
            searched=True,
            cards=_near_cards(layer, form.result, city),
            other_places=[
                (other.display_name, _near_url(form.cleaned_data, other.place))
                for other in form.other_places
            ],
            layer_label=Layer(layer).label,
            plannable=layer in PLANNABLE,
            radius=metres_text(form.cleaned_data["radius"]),
        )
        return render(request, "places/near.html", context)
    return render(request, "places/near.html", context, status=form.status_code)


def _near_url(data: dict[str, Any], point: Any) -> str:
    """The same search around another point (a place the address also matched)."""
    query = {
        "layer": data["layer"],
        "latitude": f"{point.latitude:.6f}",
        "longitude": f"{point.longitude:.6f}",
        "n": data["n"],
        "radius": data["radius"],
    }
    return f"{reverse('places:near')}?{urlencode(query)}#found"


def _near_context() -> dict[str, Any]:
    return {"script_messages": script_messages(), "max_plan": MAX_EXACT}


# --- one place, event or route ---------------------------------------------------------------


@require_GET
def place(request: HttpRequest, place_id: int) -> HttpResponse:
    """A WiFi site, charger site or facility: what it is, where, its hours (open now, in the
    city's time, and when that changes), who runs it, a site's access points; retired: 404."""
    found = responses.found_or_404(selectors.public_place, place_id)
    city = city_selectors.current_city()
    kinds = kind_names(city)
    points = []
    if found.layer == Layer.WIFI_SITES:
        points = list(selectors.layer_rows(Layer.WIFI_APS).filter(site=found).order_by("ref"))
    context = {
        "place": found,
        "name": shown_name(found.name, found.name_en),
        "layer_label": Layer(found.layer).label,
        "kind": kinds.get(found.kind, found.kind),
        "hours": hours_shown(found.hours, geojson.local_now(city)),
        "charger_kinds": geojson.words(found.charger_kinds),
        "access_points": [(point, kinds.get(point.install_type, "")) for point in points],
        "is_wifi": found.layer == Layer.WIFI_SITES,
        "is_chargers": found.layer == Layer.CHARGERS,
    }
    return render(request, "places/place.html", context)


@require_GET
def event(request: HttpRequest, event_id: int) -> HttpResponse:
    found = selectors.event_by_id(event_id)
    if found is None:
        raise Http404(_("There is no such event."))
    city = city_selectors.current_city()
    now = timezone.now()
    context = {
        "event": found,
        "title": shown_name(found.title, found.title_en),
        "hours": hours_shown(found.hours, geojson.local_now(city)),
        "over": found.ends_at < now,
        "on_now": found.starts_at <= now <= found.ends_at,
        "event_languages": [language_name(code) for code in found.languages.split(",") if code],
    }
    return render(request, "places/event.html", context)


def language_name(code: str) -> str:
    """A language's name in the page's language ("en" → "English"); the code when Django does
    not know it."""
    # Django knows Chinese by its scripts only ("zh-hans"); a plain "zh" is read as the one.
    for known in (code, f"{code}-hans"):
        try:
            return str(get_language_info(known)["name_translated"])
        except KeyError:
            continue
    return code


def _line(points: Iterable[tuple[str, float, float]]) -> dict[str, Any]:
    """A walk for the map's script: its stops' names and points, in order."""
    return {
        "stops": [
            {"name": name, "lat": round(lat, 6), "lon": round(lon, 6)} for name, lat, lon in points
        ]
    }


@require_GET
def route(request: HttpRequest, route_id: int) -> HttpResponse:
    """A visiting route: its stops in order (linked to their places while in service), its
    walking distance and time, and its line on the map."""
    found = selectors.route_by_id(route_id)
    if found is None:
        raise Http404(_("There is no such route."))
    stops = list(found.stops.all())
    # A stop keeps its place when that place retires; the page links it only while public.
    public = selectors.public_place_ids([stop.place_id for stop in stops if stop.place_id])
    context = {
        "route": found,
        "name": shown_name(found.name, found.name_en),
        "stops": [(stop, stop.place_id if stop.place_id in public else None) for stop in stops],
        "distance": metres_text(found.distance_m),
        "line": _line((stop.name, stop.latitude, stop.longitude) for stop in stops),
        "script_messages": script_messages(),
    }
    return render(request, "places/route.html", context)


# --- the walk planner ------------------------------------------------------------------------


@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    """Choose 2 to 12 places (from a search, or from the places found near a point) and get the
    shortest order to visit them on foot, as a list and on the map."""
    city = city_selectors.current_city()
    form = PlanForm(request.GET or None, city=city)
    local = geojson.local_now(city)
    chosen: list[Place] = []
    status = 200
    result = None
    if form.is_bound and form.is_valid():
        chosen = selectors.public_places(form.cleaned_data["place"])
        if "plan" in request.GET:
            if form.submit(form.plan):
                result = form.result
            else:
                status = form.status_code
    elif form.is_bound:
        status = 400
    data = form.cleaned_data if form.is_bound else {}
    choices = selectors.places_to_choose(
        layer=data.get("layer") or "",
        kind=data.get("kind") or "",
        district=data.get("district") or "",
        query=data.get("q") or "",
    ).exclude(pk__in=[p.pk for p in chosen])
    page, query = responses.page_of(request, choices, PLAN_CHOICES)
    kinds = kind_names(city)
    context = {
        "form": form,
        "chosen": [_place_card(p, kinds, local) for p in chosen],
        "choices": [_place_card(p, kinds, local) for p in page.object_list],
        "page": page,
        "query": query,
        "max_plan": MAX_EXACT,
        "script_messages": script_messages(),
    }
    if result is not None:
        context.update(_plan_context(result, kinds, local))
    return render(request, "places/plan.html", context, status=status)


def _plan_context(result: selectors.Plan, kinds: dict[str, str], local: datetime) -> dict:
    visits = [(_place_card(v.place, kinds, local), metres_text(v.leg_m)) for v in result.visits]
    points = [
        (card.name, visit.place.latitude, visit.place.longitude)
        for (card, _leg), visit in zip(visits, result.visits, strict=True)
    ]
    if result.round_trip:
        points.append(points[0])
    return {
        "plan": result,
        "visits": visits,
        "total": metres_text(result.total_m),
        "back": metres_text(result.back_m),
        "line": _line(points),
    }


# --- coverage and figures --------------------------------------------------------------------


@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """The WiFi coverage as last computed (the city's share and each district's, the covered
    area on the map), how it is computed, and the registry's and the lending's figures."""
    city = city_selectors.current_city()
    snapshot = selectors.coverage_of()
    section = services.places_settings(city)
    context: dict[str, Any] = {
        "snapshot": snapshot,
        "counts": _counts(),
        "lending": selectors.lending_figures(),
        "crs": snapshot.crs if snapshot is not None else section.crs,
        "radii": _radii(city, snapshot),
    }
    if snapshot is not None:
        names = {d.code: d.display_name for d in city.districts.all()}
        context["districts"] = sorted(
            (
                {
                    **figures,
                    "name": names.get(figures["code"], figures["code"]),
                    "percent": percent_text(figures["share"]),
                }
                for figures in snapshot.districts
            ),
            key=lambda row: row["name"],
        )
        context.update(
            coverage_url=reverse("api:coverage_geojson"),
            share_percent=percent_text(snapshot.share),
            share_number=number_format(snapshot.share, _share_decimals(snapshot.share) + 2),
        )
    return render(request, "places/coverage.html", context)


def _radii(city: City, snapshot: Any) -> list[tuple[str, float]]:
    """Each install type's radius of reach, as the coverage shown was computed with (the
    profile's until it is), then the radius of any other place."""
    section = services.places_settings(city)
    table = snapshot.radius_m if snapshot is not None else services.radius_table(city)
    rows = [
        (shown_name(kind.name, kind.name_en), table[kind.code])
        for kind in section.install_types
        if kind.code in table
    ]
    rows.append((_("Anywhere else"), table.get("default", section.default_radius_m)))
    return rows


def _counts() -> list[tuple[str, int]]:
    counts = selectors.registry_counts()
    rows = [(str(Layer(layer).label), counts.get(layer, 0)) for layer in Layer.values]
    # The chargers at the charger sites, beside the sites.
    units = counts.get("charger_units", 0)
    rows.insert(Layer.values.index(Layer.CHARGERS) + 1, (_("Chargers at those sites"), units))
    return rows
