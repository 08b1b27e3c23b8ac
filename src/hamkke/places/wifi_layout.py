"""The layout of Seoul's open-data file of public WiFi (서울시 공공와이파이 서비스 위치 정보).

One row per access point, columns named as in the Open API:

    X_SWIFI_MGR_NO      management number (the row's own number)
    X_SWIFI_WRDOFC      district name (자치구, e.g. 종로구)
    X_SWIFI_MAIN_NM     place name
    X_SWIFI_ADRES1      address; X_SWIFI_ADRES2 the detail
    X_SWIFI_INSTL_FLOOR floor
    X_SWIFI_INSTL_TY    install type, e.g. "7-1. 공원(하천)", "1. 주요거리"
    X_SWIFI_INSTL_MBY   installing body, e.g. 서울시(AP), 구청
    X_SWIFI_SVC_SE      kind of service
    X_SWIFI_CMCWR       network: 자가망 (the city's own), KT, SKT, LGU+
    X_SWIFI_CNSTC_YEAR  year installed
    X_SWIFI_INOUT_DOOR  실내 (indoor) / 실외 (outdoor)
    X_SWIFI_REMARS3     remarks
    LAT, LNT            latitude, longitude — but some releases carry the longitude in LAT and
                        the latitude in LNT: `detect_swap` tells, the importer swaps back
    WORK_DTTM           when the row was last written

Files come as CSV in UTF-8 (with or without a byte-order mark) or in CP949 (EUC-KR and its
Windows superset); the encoding is detected. Columns are found by name (any letter case, any
order; extra columns are ignored). A row with a problem is left out and each problem reported
with its line, so one bad row costs one row. Whether a management number repeats, or a point
lies in the city, is for the importer to judge. Imports nothing from Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hamkke.core.imports.tabular import Table, read_csv

REQUIRED = (
    "X_SWIFI_MGR_NO",
    "X_SWIFI_WRDOFC",
    "X_SWIFI_MAIN_NM",
    "X_SWIFI_ADRES1",
    "X_SWIFI_INSTL_TY",
    "X_SWIFI_INSTL_MBY",
    "X_SWIFI_CMCWR",
    "X_SWIFI_CNSTC_YEAR",
    "X_SWIFI_INOUT_DOOR",
    "LAT",
    "LNT",
)
OPTIONAL = (
    "X_SWIFI_ADRES2",
    "X_SWIFI_INSTL_FLOOR",
    "X_SWIFI_SVC_SE",
    "X_SWIFI_REMARS3",
    "WORK_DTTM",
)
INDOOR_WORDS = {"실내": True, "indoor": True, "실외": False, "outdoor": False}
# ASCII digits only: Python's float() and int() would read Arabic-Indic or full-width digits.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_YEAR = re.compile(r"([0-9]{4})(?:\.0+)?", re.ASCII)
# "7-1. 공원(하천)" → "7-1" and "공원(하천)"; also "1.주요거리", "10) 기타".
_INSTALL_TYPE = re.compile(r"([0-9]+(?:-[0-9]+)*)\s*[.)]\s*(.*)", re.ASCII | re.DOTALL)
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class WifiRow:
    line: int
    manager_no: str
    district_name: str
    name: str
    address: str
    install_type: str  # as written, e.g. "7-1. 공원(하천)"
    install_type_code: str  # the leading number ("7-1"), or the words when there is none
    installer: str
    network: str
    install_year: int | None
    indoor: bool | None  # None: not said (or said in words not known here)
    latitude: float | None  # as the file has them: see detect_swap
    longitude: float | None
    install_type_label: str = ""  # the words after the number ("공원(하천)")
    address_detail: str = ""
    floor: str = ""
    service: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    def holds(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


def install_type_parts(written: str) -> tuple[str, str]:
    """(code, label) of an install type: "7-1. 공원(하천)" → ("7-1", "공원(하천)"); words without a
    leading number are their own code: "공공기관" → ("공공기관", "공공기관")."""
    text = " ".join(written.split())
    match = _INSTALL_TYPE.fullmatch(text)
    if match:
        return match[1], match[2].strip()
    return text, text


def _decimal(value: str) -> float | None:
    if not value:
        return None
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"{value!r} is not a number (digits 0-9 and a point)")
    number = float(value)
    # Either column may hold either coordinate (swapped files), so each is held to ±180 only.
    if not -180 <= number <= 180:
        raise ValueError(f"{value!r} is no coordinate (beyond ±180)")
    return number


def _year(value: str) -> int | None:
    if not value:
        return None
    match = _YEAR.fullmatch(value)
    if not match or not _FIRST_YEAR <= int(match[1]) <= _LAST_YEAR:
        raise ValueError(f"{value!r} is not a year (four digits 0-9, {_FIRST_YEAR}-{_LAST_YEAR})")
    return int(match[1])


def read_wifi_csv(data: bytes) -> tuple[list[WifiRow], list[RowProblem]]:
    """The rows of a WiFi file and the problems found, each with its line (1 is the header)."""
    return wifi_rows(read_csv(data))


def wifi_rows(table: Table) -> tuple[list[WifiRow], list[RowProblem]]:
    """The WiFi rows of a CSV file already read (tabular.read_csv)."""
    file_problems = [RowProblem(p.line, p.field, p.message) for p in table.problems]
    if not table.columns:
        return [], file_problems
    # Any letter case; a repeated column: the first one counts (as the reader keeps it).
    columns: dict[str, str] = {}
    for name in table.columns:
        columns.setdefault(name.upper(), name)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        names = ", ".join(missing)
        return [], [RowProblem(1, "header", f"Missing column{'s' * (len(missing) > 1)}: {names}.")]
    rows: list[WifiRow] = []
    problems = file_problems
    for found in table.rows:
        cells = {upper: found.cells[name] for upper, name in columns.items()}
        row, row_problems = _row(found.line, cells)
        problems += row_problems
        if row is not None:
            rows.append(row)
    problems.sort(key=lambda problem: problem.line)
    return rows, problems


def _row(line: int, cells: dict[str, str]) -> tuple[WifiRow | None, list[RowProblem]]:
    def cell(name: str) -> str:
        return cells.get(name, "")

    values: dict[str, object] = {}
    problems: list[RowProblem] = []
    if not cell("X_SWIFI_MGR_NO"):
        problems.append(RowProblem(line, "X_SWIFI_MGR_NO", "The management number is empty."))
    for name, key in (("LAT", "latitude"), ("LNT", "longitude")):
        try:
            values[key] = _decimal(cell(name))
        except ValueError as error:
            problems.append(RowProblem(line, name, str(error)))
    try:
        values["install_year"] = _year(cell("X_SWIFI_CNSTC_YEAR"))
    except ValueError as error:
        problems.append(RowProblem(line, "X_SWIFI_CNSTC_YEAR", str(error)))
    if problems:
        return None, problems
    code, label = install_type_parts(cell("X_SWIFI_INSTL_TY"))
    indoor_word = cell("X_SWIFI_INOUT_DOOR")
    return (
        WifiRow(
            line=line,
            manager_no=cell("X_SWIFI_MGR_NO"),
            district_name=cell("X_SWIFI_WRDOFC"),
            name=cell("X_SWIFI_MAIN_NM"),
            address=cell("X_SWIFI_ADRES1"),
            install_type=cell("X_SWIFI_INSTL_TY"),
            install_type_code=code,
            installer=cell("X_SWIFI_INSTL_MBY"),
            network=cell("X_SWIFI_CMCWR"),
            install_year=values["install_year"],  # type: ignore[arg-type]
            indoor=INDOOR_WORDS.get(indoor_word.lower()),
            latitude=values["latitude"],  # type: ignore[arg-type]
            longitude=values["longitude"],  # type: ignore[arg-type]
            install_type_label=label,
            address_detail=cell("X_SWIFI_ADRES2"),
            floor=cell("X_SWIFI_INSTL_FLOOR"),
            service=cell("X_SWIFI_SVC_SE"),
            remarks=cell("X_SWIFI_REMARS3"),
        ),
        [],
    )


def swapped(latitude: float, longitude: float, bounds: Bounds) -> bool:
    """The pair lies outside the bounds, but inside them the other way round."""
    return not bounds.holds(latitude, longitude) and bounds.holds(longitude, latitude)


def detect_swap(rows: Sequence[WifiRow], bounds: Bounds) -> bool:
    """Whether the FILE swaps LAT and LNT: more than half of the rows with both coordinates
    lie in the bounds only the other way round."""
    placed = [
        (row.latitude, row.longitude)
        for row in rows
        if row.latitude is not None and row.longitude is not None
    ]
    turned = sum(swapped(latitude, longitude, bounds) for latitude, longitude in placed)
    return 2 * turned > len(placed)
