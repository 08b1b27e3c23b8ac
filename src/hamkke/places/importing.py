"""The Places importer (core/imports runs it): files of the registries, each row saved by the
registry's own service, so a file and a form refuse the same things in the same words.

It reads three kinds of file:

- **Seoul's open-data WiFi file** (서울시 공공와이파이 서비스 위치 정보, wifi_layout.py),
  found by its `X_SWIFI_MGR_NO` column: one row per access point. Each row saves its site
  (the place named by the district, name and address together; its number `SW-…` is derived
  from them, so the same site gets the same number in every release) and the access point by
  its management number.
- **Hamkke's own CSV**, as the desk exports it (exporting.py): a header naming the fields of
  one layer (`COLUMNS`), and optionally a `layer` column so one file can hold several.
- **GeoJSON**: a FeatureCollection of Points whose properties are the same fields; a route is
  a LineString through its stops, whose names are the `stops` property (a list).

Latitude and longitude the other way round: when most of a file's points lie in the city
only once swapped, the whole file is read swapped and the job says so; a single swapped row
is refused and named as swapped."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hamkke.accounts.models import Role
from hamkke.accounts.seats import holds, seat_at
from hamkke.core.actors import Actor
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput
from hamkke.core.imports.engine import FileRow, Option, Problem, Reading
from hamkke.core.imports.tabular import Table, looks_like_json, read_csv, read_geojson
from hamkke.core.models import City, ImportJob
from hamkke.core.policies import Decision, deny
from hamkke.places import policies, services, wifi_layout
from hamkke.places.models import Layer, Place

AUTO = "auto"
SEOUL_WIFI = "seoul-wifi"

# Each layer's columns, in the order the desk exports them; `ref` is the registry's number.
_POINT = ("latitude", "longitude")
COLUMNS: dict[str, tuple[str, ...]] = {
    Layer.WIFI_SITES: (
        "ref", "name", "name_en", "kind", "address", "network", "operator", "install_year",
        "indoor", "status", "description", *_POINT,
    ),
    Layer.WIFI_APS: (
        "ref", "site_ref", "ssid", "provider", "operator", "install_type", "indoor",
        "install_year", "status", *_POINT,
    ),
    Layer.CHARGERS: (
        "ref", "name", "name_en", "charger_count", "charger_kinds", "operator", "address",
        "hours", "phone", "url", "indoor", "status", "description", *_POINT,
    ),
    Layer.FACILITIES: (
        "ref", "name", "name_en", "kind", "address", "hours", "phone", "url", "operator",
        "indoor", "status", "description", *_POINT,
    ),
    Layer.EVENTS: (
        "ref", "title", "title_en", "kind", "venue", "address", "starts_at", "ends_at", "hours",
        "booking_url", "languages", "description", *_POINT,
    ),
    Layer.ROUTES: ("ref", "name", "name_en", "description", "stops"),
}  # fmt: skip
# A route's stops in a CSV cell: "name @ latitude, longitude" separated by " | ".
STOP_PATTERN = re.compile(r"(?P<name>.+?)\s*@\s*(?P<lat>[^,]+),\s*(?P<lon>.+)", re.DOTALL)
# A single-coordinate check before the city's bounds: ASCII digits, a point, a sign.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def layer_choices() -> list[tuple[str, Any]]:
    return [
        (AUTO, gettext_lazy("Found from the file (Seoul's WiFi file, or a layer column)")),
        *[(layer.value, layer.label) for layer in Layer],
    ]


def site_ref(district: str, name: str, address: str) -> str:
    """The number of the WiFi site an access point of Seoul's file belongs to: the same words
    give the same number in every release of the file."""
    key = "|".join(" ".join(part.split()) for part in (district, name, address))
    return "SW-" + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def _swap_share(points: list[tuple[float, float]], bounds: wifi_layout.Bounds) -> bool:
    turned = sum(wifi_layout.swapped(lat, lon, bounds) for lat, lon in points)
    return 2 * turned > len(points) > 0


def city_bounds(city: City) -> wifi_layout.Bounds:
    return wifi_layout.Bounds(*city_selectors.district_index(city).bounds())


def _swapped_note(count: int) -> str:
    return _(
        "This file gives the longitude where the latitude belongs and the other way round "
        "(most of its points lie in the city only when swapped): all %(count)s rows were read "
        "swapped."
    ) % {"count": f"{count:,}"}


class PlacesImporter:
    """core.imports.engine.RowImporter for the Places registries."""

    label = gettext_lazy("Places")
    formats = gettext_lazy(
        "Seoul's open-data WiFi file (CSV, columns X_SWIFI_…), or a CSV or GeoJSON file of one "
        "layer as the desk exports it."
    )

    def __init__(self) -> None:
        # The WiFi sites this run has saved with an access point that went in: the next access
        # points of the same site do not save it again (one instance reads one job's file).
        self._sites_saved: dict[str, Place] = {}

    @property
    def options(self) -> list[Option]:
        return [
            Option(
                "layer",
                gettext_lazy("Layer"),
                layer_choices(),
                gettext_lazy("Which registry the rows go to, when the file does not say."),
            )
        ]

    def clean_options(self, raw: Mapping[str, Any], *, city: City) -> dict:
        layer = str(raw.get("layer") or AUTO)
        if layer not in {code for code, _label in layer_choices()}:
            raise InvalidInput(_("Choose one of the layers."), field="layer")
        return {"layer": layer}

    # --- reading -------------------------------------------------------------------------

    def read(self, data: bytes, *, file_name: str, options: dict, city: City) -> Reading:
        if looks_like_json(data):
            return self._rows(read_geojson(data), options, city)
        table = read_csv(data)
        if any(name.upper() == "X_SWIFI_MGR_NO" for name in table.columns):
            return self._seoul_wifi(table, city)
        return self._rows(table, options, city)

    def _seoul_wifi(self, table: Table, city: City) -> Reading:
        found, problems = wifi_layout.wifi_rows(table)
        cells_at = {row.line: row.cells for row in table.rows}
        swapped = wifi_layout.detect_swap(found, city_bounds(city))
        rows = []
        for row in found:
            lat, lon = (row.longitude, row.latitude) if swapped else (row.latitude, row.longitude)
            rows.append(
                FileRow(
                    row.line,
                    row.manager_no,
                    cells_at.get(row.line, {}),
                    {"format": SEOUL_WIFI, "row": row, "latitude": lat, "longitude": lon},
                )
            )
        reading = Reading(
            rows=rows,
            problems=[
                Problem(
                    p.line,
                    _manager_no(cells_at.get(p.line, {})),
                    p.field,
                    p.message,
                    cells_at.get(p.line, {}),
                )
                for p in problems
            ],
            columns=table.columns,
        )
        if swapped:
            reading.notes.append(_swapped_note(len(rows)))
        _refuse_repeats(reading, lambda row: row.ref, "X_SWIFI_MGR_NO")
        return reading

    def _rows(self, table: Table, options: dict, city: City) -> Reading:
        chosen = options.get("layer") or AUTO
        problems = [Problem(p.line, "", p.field, p.message, p.cells) for p in table.problems]
        rows: list[FileRow] = []
        for row in table.rows:
            layer = row.cells.get("layer") or chosen
            if layer == AUTO:
                message = _("Say which layer the rows are: choose it, or add a layer column.")
                problems.append(
                    Problem(row.line, row.cells.get("ref", ""), "layer", message, row.cells)
                )
                continue
            if layer not in Layer.values:
                message = _("Choose one of the layers.")
                problems.append(
                    Problem(row.line, row.cells.get("ref", ""), "layer", message, row.cells)
                )
                continue
            rows.append(
                FileRow(
                    row.line,
                    row.cells.get("ref", ""),
                    row.cells,
                    {"layer": layer, "geometry": row.geometry},
                )
            )
        reading = Reading(rows=rows, problems=problems, columns=table.columns)
        points = [
            (float(r.cells["latitude"]), float(r.cells["longitude"]))
            for r in rows
            if _NUMBER.fullmatch(r.cells.get("latitude", ""))
            and _NUMBER.fullmatch(r.cells.get("longitude", ""))
        ]
        if _swap_share(points, city_bounds(city)):
            reading.rows = [
                FileRow(
                    r.line,
                    r.ref,
                    r.cells,
                    {
                        **r.values,
                        "latitude": r.cells.get("longitude"),
                        "longitude": r.cells.get("latitude"),
                    },
                )
                for r in rows
            ]
            reading.notes.append(_swapped_note(len(points)))
        _refuse_repeats(reading, lambda row: (row.values["layer"], row.ref), "ref")
        return reading

    # --- saving --------------------------------------------------------------------------

    def save(self, row: FileRow, *, options: dict, city: City) -> bool:
        values = row.values
        if values.get("format") == SEOUL_WIFI:
            return self._save_seoul_wifi(values, city)
        layer = values["layer"]
        fields = {name: value for name, value in row.cells.items() if name != "layer"}
        if "latitude" in values:
            fields["latitude"], fields["longitude"] = values["latitude"], values["longitude"]
        if layer == Layer.WIFI_APS:
            return services.save_access_point(
                actor=None, values=fields, city=city, recompute=False
            )[1]
        if layer == Layer.EVENTS:
            return services.save_event(actor=None, values=fields, city=city)[1]
        if layer == Layer.ROUTES:
            stops = _stops(fields.get("stops", ""), values.get("geometry"))
            return services.save_route(actor=None, values=fields, stops=stops, city=city)[1]
        return services.save_place(
            actor=None, layer=layer, values=fields, city=city, recompute=False, audit=False
        )[1]

    def _save_seoul_wifi(self, values: dict, city: City) -> bool:
        row: wifi_layout.WifiRow = values["row"]
        point = {"latitude": values["latitude"], "longitude": values["longitude"]}
        if point["latitude"] is None or point["longitude"] is None:
            raise InvalidInput(_("Give the latitude and longitude as numbers."), field="LAT")
        if row.district_name and row.district_name not in district_names(city):
            raise InvalidInput(
                _("“%(name)s” is not a district of the city.") % {"name": row.district_name},
                field="X_SWIFI_WRDOFC",
                code="unknown_district",
            )
        address = " ".join(part for part in (row.address, row.address_detail) if part)
        site = site_ref(row.district_name, row.name, row.address)
        saved = self._sites_saved.get(site)
        if saved is None:
            saved, _new = services.save_place(
                actor=None,
                layer=Layer.WIFI_SITES,
                values={
                    "ref": site,
                    "name": row.name,
                    "kind": row.install_type,
                    "address": address,
                    "network": row.network,
                    "operator": row.installer,
                    "install_year": row.install_year,
                    "indoor": row.indoor,
                    **point,
                },
                city=city,
                recompute=False,
                audit=False,
            )
        created = services.save_access_point(
            actor=None,
            values={
                "ref": row.manager_no,
                "site_ref": site,
                "provider": row.network,
                "operator": row.installer,
                "install_type": row.install_type,
                "indoor": row.indoor,
                "install_year": row.install_year,
                **point,
            },
            city=city,
            recompute=False,
            site=saved,
        )[1]
        # Only once the whole row is in: a refused row's savepoint takes its site back out.
        self._sites_saved[site] = saved
        return created

    def finished(self, *, city: City) -> None:
        services.recompute_coverage(city=city)

    # --- who may ------------------------------------------------------------------------

    def _seat(self, actor: Actor, city: City):
        keeper = services.keeper_of(city)
        if keeper is None:
            return None
        return seat_at(actor, keeper)

    def may_import(self, actor: Actor, *, city: City) -> Decision:
        seat = self._seat(actor, city)
        if seat is None:
            return _no_keeper()
        return policies.may_import(seat)

    def may_confirm(self, actor: Actor, job: ImportJob) -> Decision:
        """A clean file: whoever may import; a file with rejected rows: a manager, who
        accepts that those rows stay out."""
        seat = self._seat(actor, job.city)
        if seat is None:
            return _no_keeper()
        if job.rejected:
            return holds(seat, Role.MANAGER)
        return policies.may_import(seat)


def district_names(city: City) -> set[str]:
    return {
        name
        for district in services.districts_of(city).values()
        for name in (district.name, district.name_en)
        if name
    }


def _refuse_repeats(reading: Reading, key, field: str) -> None:
    """A number a file gives twice: the first row counts, each later one is refused (a second
    row would silently overwrite the first)."""
    first_line: dict = {}
    kept = []
    for row in reading.rows:
        if not row.ref:
            kept.append(row)  # refused by the service, in its words
            continue
        seen = first_line.setdefault(key(row), row.line)
        if seen == row.line:
            kept.append(row)
            continue
        message = _("The number %(ref)s is in the file already, on line %(line)s.") % {
            "ref": row.ref,
            "line": seen,
        }
        reading.problems.append(Problem(row.line, row.ref, field, message, row.cells))
    reading.rows = kept


def _manager_no(cells: dict[str, str]) -> str:
    return next((value for name, value in cells.items() if name.upper() == "X_SWIFI_MGR_NO"), "")


def _no_keeper() -> Decision:
    return deny(
        _("No department keeps the places: set [places] department in the profile."),
        code="no_department",
    )


def _stops(written: str, geometry: dict | None) -> list[services.StopDraft]:
    """A route's stops: from a LineString and the names in `stops`, or from the CSV cell."""
    names = [name.strip() for name in written.split("|")] if written else []
    if geometry is not None:
        coordinates = geometry.get("coordinates") if geometry.get("type") == "LineString" else None
        if not isinstance(coordinates, list) or len(coordinates) != len(names):
            raise InvalidInput(
                _("A route is a LineString with one name in stops for each of its points."),
                field="stops",
            )
        stops = []
        for name, point in zip(names, coordinates, strict=True):
            if not (isinstance(point, list) and len(point) >= 2):
                raise InvalidInput(_("Give the latitude and longitude as numbers."), field="stops")
            stops.append(services.StopDraft(name=name, latitude=point[1], longitude=point[0]))
        return stops
    stops = []
    for part in names:
        match = STOP_PATTERN.fullmatch(part)
        if match is None:
            raise InvalidInput(
                _("Write each stop as “name @ latitude, longitude”, stops separated by |."),
                field="stops",
            )
        stops.append(
            services.StopDraft(
                name=match["name"].strip(),
                latitude=match["lat"].strip(),
                longitude=match["lon"].strip(),
            )
        )
    return stops
