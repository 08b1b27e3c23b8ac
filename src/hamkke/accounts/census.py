"""Reading a residents register CSV (resident_id, name, birth_date, district_code): each row is
checked and either turned into a CensusRow or reported with its line number."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.utils.translation import gettext as _

from hamkke.accounts.identity import normalise_resident_id
from hamkke.core.errors import InvalidInput

COLUMNS = ("resident_id", "name", "birth_date", "district_code")
MAX_NAME_LENGTH = 100
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CensusRow:
    line: int
    resident_id: str
    name: str
    birth_date: date
    district_code: str


@dataclass(frozen=True)
class CensusProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def read_census_csv(
    stream: IO[bytes], *, district_codes: Collection[str], today: date
) -> Iterator[CensusRow | CensusProblem]:
    """Rows and problems in file order. A problem with the header or the encoding ends the file:
    what follows cannot be read reliably."""
    # utf-8-sig: spreadsheet programs put a byte-order mark in front of "CSV UTF-8" files.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        yield from _read(csv.reader(text), district_codes, today)
    finally:
        # Leave the upload open for its owner; closing the wrapper would close it too.
        text.detach()


def _read(
    reader, district_codes: Collection[str], today: date
) -> Iterator[CensusRow | CensusProblem]:
    try:
        header = next(reader, None)
        if header is None:
            yield CensusProblem(1, _("The file is empty."))
            return
        columns = [name.strip().lower() for name in header]
        if sorted(columns) != sorted(COLUMNS):
            yield CensusProblem(
                1,
                _("The first line must name the columns %(expected)s; it reads %(found)s.")
                % {"expected": ", ".join(COLUMNS), "found": ", ".join(header) or "—"},
            )
            return
        position = {name: columns.index(name) for name in COLUMNS}
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            yield _read_row(reader.line_num, values, position, district_codes, today)
    except UnicodeDecodeError:
        yield CensusProblem(
            reader.line_num + 1,
            _("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."),
        )
    except csv.Error as exc:
        yield CensusProblem(
            reader.line_num, _("The line cannot be read as CSV (%(error)s).") % {"error": exc}
        )


def _read_row(
    line: int,
    values: list[str],
    position: dict[str, int],
    district_codes: Collection[str],
    today: date,
) -> CensusRow | CensusProblem:
    if len(values) != len(COLUMNS):
        return CensusProblem(
            line,
            _("expected %(expected)d values, found %(found)d.")
            % {"expected": len(COLUMNS), "found": len(values)},
        )
    field = {name: values[index].strip() for name, index in position.items()}
    problems: list[str] = []
    resident_id = field["resident_id"]
    try:
        resident_id = normalise_resident_id(resident_id)
    except InvalidInput:
        problems.append(_("the resident id is missing or malformed"))
    name = field["name"]
    if not name:
        problems.append(_("the name is missing"))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(_("the name is longer than %(max)d characters") % {"max": MAX_NAME_LENGTH})
    birth_date = _parse_birth_date(field["birth_date"], today)
    if birth_date is None:
        problems.append(
            _("the birth date “%(value)s” is not a past date written YYYY-MM-DD")
            % {"value": field["birth_date"]}
        )
    district_code = field["district_code"]
    if district_code not in district_codes:
        problems.append(
            _("“%(code)s” is not a district code of this city") % {"code": district_code}
        )
    if problems:
        return CensusProblem(line, "; ".join(problems) + ".")
    assert birth_date is not None
    return CensusRow(
        line=line,
        resident_id=resident_id,
        name=name,
        birth_date=birth_date,
        district_code=district_code,
    )


def _parse_birth_date(value: str, today: date) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None
    if parsed > today or parsed.year < 1880:
        return None
    return parsed
