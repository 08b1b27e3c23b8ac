"""City profiles: one folder per city (profile.toml and its districts GeoJSON), read and
validated here. A broken profile is refused with a message naming the file and the field."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    ValidationError,
    field_validator,
    model_validator,
)
from shapely.geometry import Point, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity

from hamkke.core.geo import DistrictIndex, area_km2


class ProfileError(Exception):
    """A profile that cannot be loaded; the message names the file and the field."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(Strict):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)


class MapView(Strict):
    center: tuple[float, float]
    zoom: int = Field(ge=1, le=19)

    @field_validator("center")
    @classmethod
    def _on_earth(cls, value: tuple[float, float]) -> tuple[float, float]:
        lat, lon = value
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError("must be [latitude, longitude] in degrees")
        return value


class CityBasics(Strict):
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    name_en: str = ""
    default_language: Literal["ko", "en"]
    time_zone: str
    open311_jurisdiction: str = Field(min_length=1)
    phone_country_code: str = Field(default="82", pattern=r"^[1-9][0-9]{0,2}$")
    # The number people call when something cannot wait (named when a request is refused).
    help_line: str = Field(default="", max_length=100)
    help_line_en: str = Field(default="", max_length=100)
    map: MapView

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class DistrictsSource(Strict):
    file: str
    code_property: str
    name_property: str
    name_en_property: str = ""
    source: str = Field(min_length=1, description="Where the boundaries come from")
    licence: str = Field(min_length=1)
    approximate: bool = False


class DistrictOffices(Strict):
    """Each district gets an office department (a gu office, a ward office)."""

    name: str = Field(description="Pattern with {district}")
    name_en: str = Field(default="", description="Pattern with {district_en}")


class Department(Named):
    email: str = ""


class NamedPlace(Named):
    """A well-known place people search for by name (a landmark, a station, a market), for
    the gazetteer geocoder. It must lie in one of the city's districts."""

    # Strict: a quoted "37.5" in the profile is a mistake worth naming, not a number.
    latitude: Annotated[StrictFloat, Field(ge=-90, le=90)]
    longitude: Annotated[StrictFloat, Field(ge=-180, le=180)]
    kind: str = Field(default="landmark", pattern=r"^[a-z][a-z0-9_-]*$", max_length=32)
    aliases: list[Annotated[str, Field(min_length=1, max_length=200)]] = []


class CityProfile(Strict):
    """The profile's own tables, which core reads. Each service's table (`[complaints]`,
    `[budget]`, …) is validated by the schema the service declares on its ServiceAppConfig;
    a table no installed service declares is kept as written, for a service this deployment
    does not run (yet)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    city: CityBasics
    districts: DistrictsSource
    district_offices: DistrictOffices | None = None
    departments: list[Department]
    # The gazetteer: well-known places the address search finds by name.
    landmarks: list[NamedPlace] = []

    @model_validator(mode="after")
    def _references_resolve(self) -> CityProfile:
        unique("departments", [d.code for d in self.departments])
        unique("landmarks", [p.code for p in self.landmarks])
        return self

    def section(self, key: str) -> Any:
        """A service's table: its validated model once read_profile has checked it."""
        return (self.model_extra or {}).get(key)


def unique(where: str, codes: list[str]) -> None:
    """Refuse a list whose codes repeat, naming where (schemas' validators call it)."""
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{where}: code {code!r} appears twice")
        seen.add(code)


class LoadedDistrict(BaseModel):
    code: str
    name: str
    name_en: str
    geometry: dict[str, Any]
    area_km2: float


class LoadedProfile(BaseModel):
    """A validated profile with its districts read from their GeoJSON."""

    profile: CityProfile
    districts: list[LoadedDistrict]
    boundary: dict[str, Any]
    area_km2: float
    folder: Path


def read_profile(folder: Path) -> LoadedProfile:
    """Read and validate a city folder. Raises ProfileError naming the file and field."""
    toml_path = folder / "profile.toml"
    try:
        with toml_path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ProfileError(f"{toml_path}: no such file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{toml_path}: not valid TOML: {exc}") from exc
    try:
        profile = CityProfile.model_validate(raw)
    except ValidationError as exc:
        raise ProfileError(f"{toml_path}: {_describe(exc)}") from exc
    if profile.city.slug != folder.name:
        raise ProfileError(f"{toml_path}: city.slug {profile.city.slug!r} must match the folder")
    districts = _read_districts(folder / profile.districts.file, profile.districts)
    profile = _with_sections(profile, raw, {d.code for d in districts}, toml_path)
    index = DistrictIndex({d.code: d.geometry for d in districts})
    for i, place in enumerate(profile.landmarks):
        # The same test as placing a report: a place must resolve to a district.
        if index.district_of(place.latitude, place.longitude) is None:
            raise ProfileError(
                f"{toml_path}: landmarks[{i}]: {place.code!r} at ({place.latitude}, "
                f"{place.longitude}) is not in any of the city's districts"
            )
    union = unary_union([shape(d.geometry) for d in districts])
    lat, lon = profile.city.map.center
    if not union.buffer(0.05).contains(Point(lon, lat)):
        raise ProfileError(f"{toml_path}: city.map.center is not in the city's districts")
    return LoadedProfile(
        profile=profile,
        districts=districts,
        boundary=union.__geo_interface__,
        area_km2=round(area_km2(union), 3),
        folder=folder,
    )


def _with_sections(
    profile: CityProfile, raw: dict, district_codes: set[str], toml_path: Path
) -> CityProfile:
    """The profile with each installed service's table validated by that service's schema and
    cross-checked against the rest of the profile."""
    from hamkke.core.service_app import profile_sections, resolve

    sections = {}
    for declared in profile_sections():
        schema = resolve(declared.schema)
        try:
            section = schema.model_validate(raw.get(declared.key, {}))
        except ValidationError as exc:
            raise ProfileError(f"{toml_path}: {_describe(exc, prefix=declared.key)}") from exc
        if declared.check:
            try:
                resolve(declared.check)(section, profile, district_codes)
            except ValueError as exc:
                raise ProfileError(f"{toml_path}: {exc}") from exc
        sections[declared.key] = section
    return profile.model_copy(update=sections)


def _describe(exc: ValidationError, *, prefix: str = "") -> str:
    parts = []
    for error in exc.errors():
        where = prefix
        for part in error["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _read_districts(path: Path, source: DistrictsSource) -> list[LoadedDistrict]:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}: no such file (named by districts.file)") from exc
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not valid JSON: {exc}") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not features:
        raise ProfileError(f"{path}: a GeoJSON FeatureCollection with districts is expected")
    districts = []
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        where = f"{path}: features[{i}]"
        code = str(props.get(source.code_property, "")).strip()
        name = str(props.get(source.name_property, "")).strip()
        if not code or not name:
            raise ProfileError(
                f"{where}.properties: needs {source.code_property!r} and {source.name_property!r}"
            )
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ProfileError(f"{where}.geometry: a Polygon or MultiPolygon is expected")
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, IndexError) as exc:
            raise ProfileError(f"{where}.geometry: {exc}") from exc
        if not polygon.is_valid:
            raise ProfileError(f"{where}.geometry: invalid polygon ({explain_validity(polygon)})")
        districts.append(
            LoadedDistrict(
                code=code,
                name=name,
                name_en=str(props.get(source.name_en_property, "")).strip()
                if source.name_en_property
                else "",
                geometry=geometry,
                area_km2=round(area_km2(polygon), 3),
            )
        )
    codes = [d.code for d in districts]
    if len(set(codes)) != len(codes):
        raise ProfileError(f"{path}: two districts share a code")
    return districts
