"""The `[places]` table of a city profile: the department that keeps the registries, the metric
projection areas are measured in, the WiFi install types with the radius an access point of
each covers, and the kinds of public facility. Declared on the app's ServiceAppConfig."""

from __future__ import annotations

from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Named, Strict, unique


class InstallType(Named):
    # How far an access point of this type reaches, for the coverage map (open streets and
    # parks farther than indoors).
    radius_m: float = Field(default=50, gt=0, le=1000)
    # The words an open-data file uses for this type ("7-1. 공원(하천)", "공원"), matched after
    # the leading number is cut.
    aliases: list[str] = []


class PlacesSection(Strict):
    department: str = ""
    # A projection in metres for areas (Seoul: Korea 2000 / Central Belt 2010).
    crs: str = Field(default="EPSG:3857", pattern=r"^EPSG:\d{4,6}$")
    default_radius_m: float = Field(default=50, gt=0, le=1000)
    install_types: list[InstallType] = []
    facility_kinds: list[Named] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> PlacesSection:
        unique("places.install_types", [kind.code for kind in self.install_types])
        unique("places.facility_kinds", [kind.code for kind in self.facility_kinds])
        return self


def check_references(section: PlacesSection, profile: CityProfile, district_codes: set[str]):
    """The registries' department is one of the profile's; the projection is one pyproj knows."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    codes = {department.code for department in profile.departments}
    if section.department and section.department not in codes:
        raise ValueError(f"places.department: unknown department {section.department!r}")
    try:
        CRS.from_user_input(section.crs)
    except CRSError as error:
        raise ValueError(f"places.crs: {section.crs!r} is not a known projection") from error
