"""Finding a place by its name or address: a gazetteer of the city profile's named places (the
default; it needs no network) or a Nominatim-compatible service. Pure Python, except that
`get_geocoder` and the backends' `for_city` read Django's settings and the city's rows.

A backend is a class with `for_city(city)` returning an object whose `search(query, *, limit)`
answers a list of `Place`s; HAMKKE_GEOCODER names the class by its dotted path.
"""

from __future__ import annotations

import json
import logging
import math
import unicodedata
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shapely.geometry import Point, shape
from shapely.prepared import prep

if TYPE_CHECKING:
    from hamkke.core.models import City

logger = logging.getLogger(__name__)

DISTRICT, OFFICE, LANDMARK = "district", "office", "landmark"
# Nominatim's own usage policy asks for a User-Agent naming the application.
USER_AGENT = "Hamkke geocoder (+{site})"
TIMEOUT_SECONDS = 3.0
# A search answer is a few kilobytes; more is a misbehaving server, not a bigger answer.
MAX_RESPONSE_BYTES = 1_000_000


@dataclass(frozen=True)
class Place:
    """A named point: `kind` says what it is (district, office, station, park, …)."""

    name: str
    name_en: str
    latitude: float
    longitude: float
    kind: str


class Geocoder(Protocol):
    def search(self, query: str, *, limit: int) -> list[Place]: ...


def normalise(text: str) -> str:
    """The form names are compared in: case, full-width forms, spaces and punctuation do not
    count, so "N Seoul Tower", "n-seoul tower" and "ＮＳｅｏｕｌ　Ｔｏｗｅｒ" are one name."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def representative_point(geometry: Mapping[str, Any]) -> tuple[float, float]:
    """(latitude, longitude) of a point surely inside an outline: a centroid can fall outside
    a crescent-shaped district, a representative point cannot."""
    point = shape(geometry).representative_point()
    return point.y, point.x


# --- the gazetteer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    place: Place
    names: tuple[str, ...]  # normalised: the name, the English name and the aliases


class GazetteerGeocoder:
    """Searches a fixed list of named places, in Korean and English alike. A name that starts
    with the query ranks before one that only contains it; among those, the name with the
    fewest extra characters first, then the list's own order."""

    def __init__(self, places: Iterable[tuple[Place, Sequence[str]]]):
        entries: list[_Entry] = []
        seen: set[str] = set()
        for place, aliases in places:
            key = normalise(place.name)
            # The first place of a name wins: the list puts exact profile places before the
            # points derived from district outlines (a gu office listed in the profile).
            if not key or key in seen:
                continue
            seen.add(key)
            names = (normalise(n) for n in (place.name, place.name_en, *aliases))
            entries.append(_Entry(place, tuple(dict.fromkeys(n for n in names if n))))
        self._entries = entries

    @classmethod
    def for_city(cls, city: City) -> GazetteerGeocoder:
        """The city's profile places, its districts and its district offices; kept per process
        until the profile is loaded again."""
        key = (city.pk, city.loaded_at.isoformat())
        gazetteer = _gazetteers.get(key)
        if gazetteer is None:
            gazetteer = cls(city_places(city))
            _gazetteers.clear()
            _gazetteers[key] = gazetteer
        return gazetteer

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, *, limit: int) -> list[Place]:
        wanted = normalise(query)
        if not wanted or limit < 1:
            return []
        ranked = []
        for order, entry in enumerate(self._entries):
            best = None
            for name in entry.names:
                if name.startswith(wanted):
                    score = (0, len(name) - len(wanted))
                elif wanted in name:
                    score = (1, len(name) - len(wanted))
                else:
                    continue
                best = score if best is None else min(best, score)
            if best is not None:
                ranked.append((best, order, entry.place))
        ranked.sort(key=lambda row: (row[0], row[1]))
        return [place for _score, _order, place in ranked[:limit]]


_gazetteers: dict[tuple[int, str], GazetteerGeocoder] = {}


def gazetteer_places(
    *,
    places: Iterable[Mapping[str, Any]],
    districts: Iterable[tuple[str, str, str, Mapping[str, Any]]],
    offices: Iterable[tuple[str, str, str]],
) -> list[tuple[Place, Sequence[str]]]:
    """The gazetteer's list, in the order that settles ties: the profile's `[[landmarks]]`
    (dicts as the profile holds them), then the districts as (code, name, name_en, outline),
    then the district offices as (name, name_en, district code), placed at their district's
    representative point: not the building, but surely in the district the office serves."""
    listed: list[tuple[Place, Sequence[str]]] = []
    for place in places:
        listed.append(
            (
                Place(
                    name=place["name"],
                    name_en=place.get("name_en", ""),
                    latitude=float(place["latitude"]),
                    longitude=float(place["longitude"]),
                    kind=place.get("kind", LANDMARK),
                ),
                tuple(place.get("aliases", ())),
            )
        )
    points: dict[str, tuple[float, float]] = {}
    for code, name, name_en, outline in districts:
        points[code] = representative_point(outline)
        listed.append((Place(name, name_en, *points[code], kind=DISTRICT), ()))
    for name, name_en, district_code in offices:
        if district_code in points:
            listed.append((Place(name, name_en, *points[district_code], kind=OFFICE), ()))
    return listed


def city_places(city: City) -> list[tuple[Place, Sequence[str]]]:
    """The gazetteer's list for a loaded city, read from its profile and rows."""
    from hamkke.core.city import selectors as city_selectors

    return gazetteer_places(
        places=city.profile.get("landmarks", []),
        districts=[
            (district.code, district.name, district.name_en, outline)
            for district, outline in city_selectors.district_outlines(city)
        ],
        offices=[
            (department.name, department.name_en, department.district.code)
            for department in city_selectors.departments_of(city)
            if department.district is not None
        ],
    )


# --- a Nominatim-compatible service ------------------------------------------------------------


class NominatimGeocoder:
    """Asks a Nominatim-compatible /search endpoint, bounded to the city's bounding box, and
    keeps only the answers inside the city's outline. Any failure (network, status, timeout,
    malformed answer) is logged and answers no places: the form then asks for a pin instead."""

    def __init__(
        self,
        *,
        url: str,
        area: Mapping[str, Any],
        user_agent: str,
        language: str = "",
        timeout: float = TIMEOUT_SECONDS,
    ):
        self.url = url
        self.user_agent = user_agent
        self.language = language
        self.timeout = timeout
        outline = shape(area)
        self._inside = prep(outline)
        west, south, east, north = outline.bounds
        # Nominatim reads the box as two corners, longitude first: left,top,right,bottom.
        self.viewbox = f"{west:.6f},{north:.6f},{east:.6f},{south:.6f}"

    @classmethod
    def for_city(cls, city: City) -> NominatimGeocoder:
        from django.conf import settings

        return cls(
            url=settings.HAMKKE_GEOCODER_URL,
            area=city.boundary,
            user_agent=USER_AGENT.format(site=settings.HAMKKE_SITE_URL),
            language=f"{city.default_language},en;q=0.5",
        )

    def search(self, query: str, *, limit: int) -> list[Place]:
        query = query.strip()
        if not query or limit < 1:
            return []
        params = {
            "q": query,
            "format": "jsonv2",
            "limit": limit,
            "viewbox": self.viewbox,
            "bounded": 1,
            "namedetails": 1,
        }
        separator = "&" if "?" in self.url else "?"
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        if self.language:
            headers["Accept-Language"] = self.language
        request = urllib.request.Request(
            self.url + separator + urllib.parse.urlencode(params), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_RESPONSE_BYTES + 1)
            if len(body) > MAX_RESPONSE_BYTES:
                raise ValueError(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
            answer = json.loads(body)
            if not isinstance(answer, list):
                raise ValueError("answer is not a JSON list")
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts; bad JSON
            # The query is left out of the log: a person may have typed their home address.
            logger.warning("Geocoder %s failed: %s: %s", self.url, type(exc).__name__, exc)
            return []
        places = []
        for item in answer:
            place = _nominatim_place(item)
            if place is not None and self._inside.covers(Point(place.longitude, place.latitude)):
                places.append(place)
        return places[:limit]


def _nominatim_place(item: Any) -> Place | None:
    """One result of Nominatim's jsonv2 format, or None when it lacks a usable point."""
    if not isinstance(item, dict):
        return None
    try:
        latitude, longitude = float(item["lat"]), float(item["lon"])
    except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: a 400-digit int
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    names = item.get("namedetails") if isinstance(item.get("namedetails"), dict) else {}
    display = str(item.get("display_name") or "")
    name = str(names.get("name") or item.get("name") or display.split(",")[0]).strip()
    if not name:
        return None
    kind = str(item.get("type") or item.get("category") or item.get("class") or LANDMARK)
    return Place(
        name=name,
        name_en=str(names.get("name:en") or ""),
        latitude=latitude,
        longitude=longitude,
        kind=kind,
    )


# --- choosing the backend ----------------------------------------------------------------------


def get_geocoder(city: City | None = None) -> Geocoder:
    """The backend HAMKKE_GEOCODER names, for the given city (by default the site's)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from hamkke.core.city import selectors as city_selectors

    backend = import_string(settings.HAMKKE_GEOCODER)
    return backend.for_city(city or city_selectors.current_city())
