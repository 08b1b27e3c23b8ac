"""Reading the files officials import (core/imports): text in whatever encoding Korean
spreadsheets save, CSV with a header row, and GeoJSON feature collections, each turned into
rows of named cells with the line (or feature number) they came from, so a report can point at
them. Problems of a row are reported, not raised: one bad row costs one row. Imports nothing
from Django."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

# A spreadsheet cell can hold a whole paragraph; the csv module's default limit (128 KiB) is
# kept, and a row beyond it stops the reading with a clear problem.
MAX_ROWS = 500_000


@dataclass(frozen=True)
class TableRow:
    line: int  # where the row starts in the file (1 is the header), or the feature's number
    cells: dict[str, str]  # column (as the header names it, stripped) → value (stripped)
    geometry: dict | None = None  # a GeoJSON feature's geometry


@dataclass(frozen=True)
class TableProblem:
    line: int
    field: str
    message: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    columns: list[str]
    rows: list[TableRow]
    problems: list[TableProblem]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark is dropped) or else CP949; UTF-16 when it
    starts with its byte-order mark (spreadsheets' "Unicode text"). Raises UnicodeDecodeError
    when it is none of these."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # CP949 is EUC-KR with the rest of Hangul: every EUC-KR file reads the same in it.
        return data.decode("cp949")


def dialect_of(text: str) -> type[csv.Dialect]:
    first = text.split("\n", 1)[0]
    # Open-data portals publish comma-separated files; a tab-separated export reads the same.
    return csv.excel_tab if first.count("\t") > first.count(",") else csv.excel


def _failed(message: str) -> Table:
    return Table(columns=[], rows=[], problems=[TableProblem(1, "file", message)])


def read_csv(data: bytes) -> Table:
    """The rows of a CSV file under its header. Cells holding a NUL character make a problem
    of their row; blank lines are skipped; a repeated column name counts once (the first)."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return _failed("The file is neither UTF-8 nor CP949 (EUC-KR) text.")
    reader = csv.reader(io.StringIO(text, newline=""), dialect_of(text))
    try:
        header = next(reader, None)
    except csv.Error as error:
        return _failed(f"The header cannot be read: {error}.")
    if not header or not any(cell.strip() for cell in header):
        return _failed("The file is empty: no header row.")
    names = [cell.strip().strip("\ufeff").strip() for cell in header]
    if any("\x00" in name for name in names):
        return _failed("The header contains a NUL character.")
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        if name:
            positions.setdefault(name, index)
    table = Table(columns=list(positions), rows=[], problems=[])
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            table.problems.append(
                TableProblem(line, "file", f"This line cannot be read ({error}); reading stopped.")
            )
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(table.rows) >= MAX_ROWS:
            table.problems.append(
                TableProblem(start, "file", f"More than {MAX_ROWS:,} rows: reading stopped.")
            )
            break
        row = {
            name: cells[index].strip() if index < len(cells) else ""
            for name, index in positions.items()
        }
        nul = [name for name, value in row.items() if "\x00" in value]
        if nul:
            clean = {name: value.replace("\x00", "") for name, value in row.items()}
            table.problems.append(TableProblem(start, nul[0], "Contains a NUL character.", clean))
            continue
        table.rows.append(TableRow(start, row))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value).strip()
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return "|".join(str(item).strip() for item in value)
    return json.dumps(value, ensure_ascii=False)


def read_geojson(data: bytes) -> Table:
    """The features of a GeoJSON FeatureCollection (or one Feature) as rows: their properties
    as cells, a Point's coordinates as `longitude` and `latitude` cells (GeoJSON's order is
    longitude first), any other geometry kept for the importer. `line` is the feature's
    number, from 1."""
    try:
        document = json.loads(decode(data))
    except (UnicodeDecodeError, ValueError) as error:
        return _failed(f"The file is not GeoJSON (JSON text): {error}.")
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return _failed("The file is not a GeoJSON FeatureCollection.")
    features = document.get("features")
    if not isinstance(features, list):
        return _failed("The FeatureCollection has no list of features.")
    if len(features) > MAX_ROWS:
        return _failed(f"More than {MAX_ROWS:,} features.")
    table = Table(columns=[], rows=[], problems=[])
    seen: dict[str, None] = {}
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            table.problems.append(TableProblem(number, "feature", "This is not a Feature."))
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            table.problems.append(
                TableProblem(number, "properties", "Properties must be an object.")
            )
            continue
        cells = {str(key).strip(): _cell(value) for key, value in properties.items()}
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            geometry = None
        elif geometry.get("type") == "Point":
            point = geometry.get("coordinates")
            if (
                isinstance(point, list)
                and len(point) >= 2
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in point[:2])
            ):
                cells["longitude"], cells["latitude"] = str(point[0]), str(point[1])
                geometry = None
            else:
                table.problems.append(
                    TableProblem(number, "geometry", "A Point needs [longitude, latitude].", cells)
                )
                continue
        if any("\x00" in key or "\x00" in value for key, value in cells.items()):
            clean = {k.replace("\x00", ""): v.replace("\x00", "") for k, v in cells.items()}
            table.problems.append(
                TableProblem(number, "properties", "Contains a NUL character.", clean)
            )
            continue
        seen.update(dict.fromkeys(cells))
        table.rows.append(TableRow(number, cells, geometry))
    table.columns = list(seen)
    return table


def looks_like_json(data: bytes) -> bool:
    """Whether the file's first non-blank character opens a JSON object."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")
