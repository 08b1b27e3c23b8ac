"""`{% map_attrs %}`: the data attributes of a map element for the one map component
(core/static/core/map.js). The tile server, its credit, the city's outline and the city's centre
come from here, so that every map of the site is configured in one place."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import NotFound

register = template.Library()

MODES = ("view", "pick")


def _city(context):
    city = context.get("city")
    if city is not None:
        return city
    try:
        return city_selectors.current_city()
    except NotFound:
        return None


@register.simple_tag(takes_context=True)
def map_attrs(
    context,
    mode: str = "view",
    *,
    point: Any = None,
    points: str = "",
    cluster: bool = False,
    kind: str = "",
    messages: str = "",
    locate: str = "",
) -> str:
    """`mode` "view" shows `point` (anything with latitude and longitude, and maybe a district)
    or the GeoJSON points
    at the URL `points` (`cluster`ed, coloured by the script hooks of `kind`); "pick" sets the
    form's `id_latitude` and `id_longitude`, says so in `#place-status` with the texts of the
    JSON island `messages`, and wires the `locate` button."""
    if mode not in MODES:
        raise template.TemplateSyntaxError(f"map_attrs: mode must be one of {MODES}, not {mode!r}")
    attrs: list[tuple[str, Any]] = [
        ("map", mode),
        ("tiles", settings.HAMKKE_MAP_TILES),
        ("attribution", settings.HAMKKE_MAP_ATTRIBUTION),
        ("tiles-label", _("Street map")),
    ]
    city = _city(context)
    if city is not None:
        # The load time in the URL: a browser's cached outline is never an older profile's.
        version = int(city.loaded_at.timestamp() * 1_000_000)
        attrs += [
            ("outline-url", f"{reverse('api:city_outline')}?v={version}"),
            ("center", f"{city.center_lat},{city.center_lon}"),
            ("zoom", city.zoom),
        ]
    if point is not None:
        attrs.append(("point", f"{point.latitude:.6f},{point.longitude:.6f}"))
        # Without tiles the map shows the point's whole district, named.
        district = getattr(point, "district", None)
        if district is not None:
            attrs.append(("district", district.code))
    if points:
        attrs.append(("points-url", points))
    if cluster:
        attrs.append(("cluster", ""))
    if kind:
        attrs.append(("kind", kind))
    if mode == "pick":
        attrs += [
            ("latitude", "id_latitude"),
            ("longitude", "id_longitude"),
            ("status", "place-status"),
        ]
    if messages:
        attrs.append(("messages", messages))
    if locate:
        attrs.append(("locate", locate))
    return format_html_join(" ", 'data-{}="{}"', attrs)
