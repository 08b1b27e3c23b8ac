"""Bulk import of documents from a document management system (DMS): a CSV file of metadata
plus a folder of the files it names, each row registered through `services.register_document`
in a transaction of its own (`hamkke plaza import METADATA.csv --files DIR`).

The CSV file: UTF-8 (with or without a byte-order mark) or CP949 (what Korean Excel saves), a
header row naming the columns in any order (case and surrounding spaces ignored; columns not
listed here are ignored, so the report of rejected rows can be fixed and imported again):

    number          the DMS registration number (required; at most 64 characters)
    doc_type        approval, finance, budget, meeting, contract, statistics, public_data,
                    announcement or decision (required)
    department      the code of a department of the city, e.g. budget or gu-11110 (required)
    approver_level  team_leader, division_head, director, director_general, deputy_mayor or
                    mayor (required)
    approver_title  the approver's title as printed, e.g. 예산담당관
    category        a category code of the profile's [[plaza.categories]]
    title           required, at most 300 characters
    summary         at most 2,000 characters
    body            the text; passages marked [[withheld:GROUND]]…[[/withheld]] (or
                    [[비공개:GROUND]]…[[/비공개]]) are kept from the public
    disclosure      open (default), partial or closed
    legal_ground    a code of the profile's [[plaza.legal_grounds]]: required for partial and
                    closed documents, and the ground of their withheld attachments
    produced_on     YYYY-MM-DD (required)
    approved_at     ISO 8601, e.g. 2026-03-02T14:30:00+09:00 (without an offset: the city's
                    time); empty: registered, not approved (nor published)
    tags            tag names separated by |
    related         registration numbers of related documents, separated by |: already
                    registered, or rows of the same file (linked once both are in)
    attachments     file names relative to --files, separated by |; a name prefixed with ! is
                    withheld (listed with the row's legal ground, never served)

A row whose number is registered already for the same document (same type, department,
production date and title) is skipped, so a run can be repeated; a number registered for a
different document is a rejected row. A rejected row (a missing file, an unknown department, no
type, a bad date, a file named .pdf that is not a PDF, …) leaves nothing behind: no rows, no
stored files. Its reason goes to the report. A dry run checks every row the same way (files
by their content, fields by `services.check_fields`) and stores nothing."""

from __future__ import annotations

import csv
import io
import logging
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import Conflict, DomainError, InvalidInput
from hamkke.core.models import Department
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import day_in_range, moment_in_range
from hamkke.plaza import attachments, masking, services
from hamkke.plaza.models import Category, Disclosure, Document, DocumentType
from hamkke.plaza.profile import LEVELS

log = logging.getLogger(__name__)

COLUMNS = (
    "number",
    "doc_type",
    "department",
    "approver_level",
    "approver_title",
    "category",
    "title",
    "summary",
    "body",
    "disclosure",
    "legal_ground",
    "produced_on",
    "approved_at",
    "tags",
    "related",
    "attachments",
)
REQUIRED = ("number", "doc_type", "department", "approver_level", "title", "produced_on")
SEPARATOR = "|"
WITHHELD_PREFIX = "!"
# The report of rejected rows: these first, then the row as it was read.
REPORT_COLUMNS = ("reason", "line")

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class Outcome(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file where the row starts (the header is line 1)
    cells: dict[str, str]
    error: str = ""  # why the row cannot be read as cells

    @property
    def number(self) -> str:
        return clean_text(self.cells.get("number", ""))


@dataclass
class Metadata:
    columns: list[str]  # as in the file, for the report
    rows: list[Row]
    encoding: str


@dataclass(frozen=True)
class RowResult:
    row: Row
    outcome: Outcome
    reason: str = ""


@dataclass
class ImportReport:
    rows: int = 0  # rows gone through so far
    imported: int = 0
    skipped: int = 0
    rejected: list[RowResult] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False
    # Links to related rows of the file that were rejected, left out: the rejected number and
    # the numbers that asked for it (the report adds them to its row's `related`).
    left_out: dict[str, set[str]] = field(default_factory=dict)

    def add(self, result: RowResult) -> None:
        self.rows += 1
        if result.outcome is Outcome.IMPORTED:
            self.imported += 1
        elif result.outcome is Outcome.SKIPPED:
            self.skipped += 1
        else:
            self.rejected.append(result)

    @property
    def rate(self) -> float:
        """Documents imported per second."""
        return self.imported / self.seconds if self.seconds > 0 else 0.0


class RowRejected(Exception):
    """A row that cannot be imported, and why (for the person fixing the file)."""


# --- reading the file ----------------------------------------------------------------------------


# How each encoding tried is named to people.
ENCODINGS = {"utf-8-sig": "UTF-8", "cp949": "CP949"}


def decode(data: bytes) -> tuple[str, str]:
    """The text of a metadata file and its encoding: UTF-8 (a byte-order mark is dropped), else
    CP949. InvalidInput when it is neither."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InvalidInput(_("The metadata file is neither UTF-8 nor CP949 text."), field="file")


def read_metadata(path: Path) -> Metadata:
    """The header and rows of a metadata file; InvalidInput when it cannot be read or lacks a
    required column."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror or exc}", field="file") from exc
    text, encoding = decode(data)
    return parse_metadata(text, encoding=encoding)


# A cell may hold a long report's body: far above csv's default of 128 KiB.
MAX_CELL_CHARS = 32 * 1024 * 1024


def parse_metadata(text: str, *, encoding: str = "utf-8-sig") -> Metadata:
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(_("The metadata file is empty."), field="file") from None
    except csv.Error as exc:
        raise InvalidInput(_("The header row cannot be read: %s") % exc, field="file") from exc
    names = [name.replace("\x00", "").strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise InvalidInput(
            _("The metadata file has no column %(columns)s (its header: %(header)s).")
            % {"columns": ", ".join(missing), "header": ", ".join(names)[:300]},
            field="file",
        )
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # A broken quote swallows the rest of the file: say where it began.
            rows.append(Row(start, {}, error=str(exc)))
            break
        if any(cell.strip() for cell in cells):
            row = {name: cell for name, cell in zip(names, cells, strict=False) if name}
            error = ""
            if any(cell.strip() for cell in cells[len(names) :]):
                error = _("the row has %(cells)d cells, the header %(names)d") % {
                    "cells": len(cells),
                    "names": len(names),
                }
            rows.append(Row(start, row, error))
        start = reader.line_num + 1
    return Metadata(columns=header, rows=rows, encoding=encoding)


# --- a row as a document ------------------------------------------------------------------------


@dataclass
class ParsedRow:
    fields: services.DocumentFields
    files: list[tuple[Path, str, bool]]  # (path, name as written, withheld)
    related: list[str]


class Context:
    """What every row is checked against, looked up once per run."""

    def __init__(self, files: Path) -> None:
        city = current_city()
        self.files = files.resolve()
        self.departments = {d.code: d for d in Department.objects.filter(city=city)}
        self.categories = set(Category.objects.filter(city=city).values_list("code", flat=True))
        self.zone = ZoneInfo(city.time_zone)
        self.section = services.plaza_settings(city)


def _cell(row: Row, name: str) -> str:
    return row.cells.get(name, "")


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(SEPARATOR) if part.strip()]


def parse_row(row: Row, context: Context) -> ParsedRow:
    """The row's fields as the service takes them; RowRejected naming what is wrong."""
    if row.error:
        raise RowRejected(_("The row cannot be read: %s.") % row.error)
    for name, value in row.cells.items():
        if "\x00" in value:
            raise RowRejected(_("The column %(column)s holds a NUL byte.") % {"column": name})
    number = row.number
    if not number:
        raise RowRejected(_("The row has no registration number."))
    doc_type = _cell(row, "doc_type").strip().lower()
    if not doc_type:
        raise RowRejected(_("The row has no document type."))
    if doc_type not in DocumentType.values:
        raise RowRejected(
            _("“%(value)s” is not a document type (%(known)s).")
            % {"value": doc_type[:40], "known": ", ".join(DocumentType.values)}
        )
    code = _cell(row, "department").strip()
    if not code:
        raise RowRejected(_("The row has no department."))
    department = context.departments.get(code)
    if department is None:
        raise RowRejected(_("“%(code)s” is not a department of the city.") % {"code": code[:64]})
    level = _cell(row, "approver_level").strip().lower()
    if level not in LEVELS:
        raise RowRejected(
            _("“%(value)s” is not an approver's level (%(known)s).")
            % {"value": level[:40], "known": ", ".join(LEVELS)}
        )
    category = _cell(row, "category").strip()
    if category and category not in context.categories:
        raise RowRejected(
            _("“%(code)s” is not one of the Plaza's categories.") % {"code": category}
        )
    disclosure = _cell(row, "disclosure").strip().lower() or Disclosure.OPEN
    if disclosure not in Disclosure.values:
        raise RowRejected(
            _("“%(value)s” is not a disclosure class (open, partial or closed).")
            % {"value": disclosure[:40]}
        )
    legal_ground = _cell(row, "legal_ground").strip()
    files = [_attachment(name, context) for name in _list(_cell(row, "attachments"))]
    fields = services.DocumentFields(
        number=number,
        doc_type=doc_type,
        department=department,
        approver_level=services.level_from_code(level),
        approver_title=_cell(row, "approver_title"),
        category=category,
        title=_cell(row, "title"),
        summary=_cell(row, "summary"),
        body=_cell(row, "body"),
        disclosure=disclosure,
        legal_ground=legal_ground,
        produced_on=_day(_cell(row, "produced_on"), "produced_on"),
        approved_at=_moment(_cell(row, "approved_at"), context.zone),
        tags=_list(_cell(row, "tags")),
    )
    related = [n for n in _list(_cell(row, "related")) if clean_text(n) != number]
    return ParsedRow(fields=fields, files=files, related=[clean_text(n) for n in related])


def _day(raw: str, column: str) -> date:
    raw = raw.strip()
    if not raw:
        raise RowRejected(_("The column %(column)s is empty.") % {"column": column})
    if not _DAY.fullmatch(raw):
        raise RowRejected(
            _("%(column)s “%(value)s” is not a date written YYYY-MM-DD in digits 0–9.")
            % {"column": column, "value": raw[:40]}
        )
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise RowRejected(
            _("%(column)s “%(value)s” is not a day of the calendar.")
            % {"column": column, "value": raw}
        ) from None
    if not day_in_range(day):
        raise RowRejected(
            _("%(column)s %(value)s is not between 1900 and 2999.")
            % {"column": column, "value": raw}
        )
    return day


def _moment(raw: str, zone: ZoneInfo) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isascii() or not _DAY.match(raw):
        raise RowRejected(
            _("approved_at “%(value)s” is not an ISO 8601 moment in digits 0–9.")
            % {"value": raw[:40]}
        )
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise RowRejected(
            _("approved_at “%(value)s” is not an ISO 8601 moment, e.g. 2026-03-02T14:30:00+09:00.")
            % {"value": raw[:40]}
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if not moment_in_range(moment):
        raise RowRejected(
            _("approved_at %(value)s is not between 1900 and 2999.") % {"value": raw[:40]}
        )
    return moment


def _attachment(name: str, context: Context) -> tuple[Path, str, bool]:
    withheld = name.startswith(WITHHELD_PREFIX)
    relative = name[1:].strip() if withheld else name
    if not relative:
        raise RowRejected(_("An attachment has no file name."))
    path = (context.files / relative).resolve()
    if not path.is_relative_to(context.files):
        raise RowRejected(
            _("The attachment “%(name)s” is outside the files folder.") % {"name": relative}
        )
    if not path.is_file():
        raise RowRejected(
            _("The attachment “%(name)s” is not in the files folder.") % {"name": relative}
        )
    return path, relative, withheld


# --- the run -------------------------------------------------------------------------------------


def _signature(doc_type: str, department_id: int, produced_on: date, title: str) -> tuple:
    """What makes a row the same document as one registered under its number."""
    return doc_type, department_id, produced_on, title


def _row_signature(fields: services.DocumentFields) -> tuple:
    title = masking.mask(clean_text(fields.title)).text
    return _signature(fields.doc_type, fields.department.pk, fields.produced_on, title)


def _registered_signature(number: str) -> tuple[tuple, str] | None:
    found = (
        Document.objects.filter(number=number)
        .values_list("doc_type", "department_id", "produced_on", "title")
        .first()
    )
    if found is None:
        return None
    return _signature(*found), found[3]


def _check_same(parsed: ParsedRow, registered: tuple[tuple, str]) -> None:
    """A row registered already as the same document is skipped; RowRejected when its number is
    taken by another."""
    signature, title = registered
    if signature != _row_signature(parsed.fields):
        raise RowRejected(
            _("The number %(number)s is registered already for a different document (“%(title)s”).")
            % {"number": parsed.fields.number, "title": title[:80]}
        )


def _opened(stack: ExitStack, parsed: ParsedRow) -> list[services.AttachmentUpload]:
    """The row's files, open for the service (closed when `stack` ends); a withheld one on the
    row's legal ground."""
    uploads = []
    for path, name, withheld in parsed.files:
        try:
            handle = stack.enter_context(path.open("rb"))
        except OSError as exc:
            raise RowRejected(
                _("The attachment “%(name)s” cannot be read: %(error)s")
                % {"name": name, "error": exc.strerror or exc}
            ) from exc
        uploads.append(
            services.AttachmentUpload(
                file=File(handle, name=Path(name).name),
                withheld=withheld,
                legal_ground=parsed.fields.legal_ground if withheld else "",
            )
        )
    return uploads


def _check(parsed: ParsedRow, uploads: list[services.AttachmentUpload], context: Context) -> None:
    """Every check registering makes, without writing: what the dry run does."""
    fields = parsed.fields
    services.check_fields(fields, context.section)
    services.prepare_text(
        title=fields.title,
        summary=fields.summary,
        body=fields.body,
        disclosure=fields.disclosure,
        section=context.section,
    )
    for upload in uploads:
        attachments.check_file(upload.file)


class Importer:
    """One run over the rows of a file: each row imported, skipped or rejected, in order."""

    def __init__(self, metadata: Metadata, *, files: Path, dry_run: bool = False) -> None:
        self.metadata = metadata
        self.context = Context(files)
        self.dry_run = dry_run
        self.in_file = {row.number for row in metadata.rows if row.number}
        # Numbers this run has imported (or would have, in a dry run), with their signature.
        self.done: dict[str, tuple] = {}
        # Links to rows of the file not registered yet: (number, related number).
        self.pending: set[tuple[str, str]] = set()

    def run(self, progress: Callable[[ImportReport], None] | None = None) -> ImportReport:
        report = ImportReport(dry_run=self.dry_run)
        started = time.perf_counter()
        for row in self.metadata.rows:
            report.add(self.one(row))
            report.seconds = time.perf_counter() - started
            if progress is not None:
                progress(report)
        if not self.dry_run:
            report.left_out = self.link_pending()
        report.seconds = time.perf_counter() - started
        return report

    def one(self, row: Row) -> RowResult:
        try:
            return self._one(row)
        except RowRejected as reason:
            return RowResult(row, Outcome.REJECTED, str(reason))
        except DomainError as error:
            return RowResult(row, Outcome.REJECTED, _field_reason(error))
        except Exception as exc:  # one broken row must not stop the thousands after it
            log.exception("plaza import: row at line %s failed", row.line)
            return RowResult(
                row, Outcome.REJECTED, _("Not stored (%(error)s).") % {"error": repr(exc)[:200]}
            )

    def _one(self, row: Row) -> RowResult:
        parsed = parse_row(row, self.context)
        number = parsed.fields.number
        registered = self._registered(number)
        if registered is not None:
            _check_same(parsed, registered)
            self._remember_links(number, parsed.related)
            return RowResult(row, Outcome.SKIPPED, _("already imported"))
        present, later = self._related(parsed.related)
        with ExitStack() as stack:
            uploads = _opened(stack, parsed)
            parsed.fields.attachments = tuple(uploads)
            if self.dry_run:
                _check(parsed, uploads, self.context)
            else:
                parsed.fields.related_numbers = present
                try:
                    services.register_document(actor=None, fields=parsed.fields, by_system=True)
                except Conflict as conflict:
                    if conflict.code != "duplicate_number":
                        raise
                    # Registered meanwhile by another run: as when it was there before.
                    _check_same(parsed, self._registered(number))
                    return RowResult(row, Outcome.SKIPPED, _("already imported"))
        self.done[number] = (_row_signature(parsed.fields), clean_text(parsed.fields.title))
        self.pending.update((number, other) for other in later)
        return RowResult(row, Outcome.IMPORTED)

    def _registered(self, number: str) -> tuple[tuple, str] | None:
        if number in self.done:
            return self.done[number]
        return _registered_signature(number)

    def _related(self, numbers: list[str]) -> tuple[list[str], list[str]]:
        """The related numbers registered now, and those of rows of the file not registered
        yet (linked at the end of the run); RowRejected for a number that is neither."""
        if not numbers:
            return [], []
        registered = set(
            Document.objects.filter(number__in=numbers).values_list("number", flat=True)
        )
        unknown = [n for n in numbers if n not in registered and n not in self.in_file]
        if unknown:
            raise RowRejected(
                _("No document is numbered %(numbers)s (related), here or in the file.")
                % {"numbers": ", ".join(unknown)[:200]}
            )
        present = [n for n in numbers if n in registered]
        return present, [n for n in numbers if n not in registered]

    def _remember_links(self, number: str, related: list[str]) -> None:
        """A skipped row's links to rows of the file: made at the end if a rejected row of an
        earlier run has been imported since."""
        self.pending.update((number, other) for other in related if other in self.in_file)

    def link_pending(self) -> dict[str, set[str]]:
        """Link the documents whose related rows came later in the file (or were imported by
        this run after a rejection in an earlier one). Returns the links left out because a
        row was rejected: {its number: the numbers that asked for it}."""
        numbers = sorted({n for pair in self.pending for n in pair})
        ids: dict[str, int] = {}
        for start in range(0, len(numbers), 500):
            batch = numbers[start : start + 500]
            ids.update(Document.objects.filter(number__in=batch).values_list("number", "pk"))
        through = Document.related.through
        links, left_out = set(), {}
        for number, other in self.pending:
            if number in ids and other in ids:
                links.add((ids[number], ids[other]))
                links.add((ids[other], ids[number]))
            elif number in ids:
                left_out.setdefault(other, set()).add(number)
        through.objects.bulk_create(
            (through(from_document_id=a, to_document_id=b) for a, b in sorted(links)),
            batch_size=500,
            ignore_conflicts=True,  # linked already (a repeated run)
        )
        return left_out


def _field_reason(error: DomainError) -> str:
    if error.field and error.field not in ("file",):
        return f"{error.field}: {error.message}"
    return error.message


def import_metadata(
    metadata: Metadata,
    *,
    files: Path,
    dry_run: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import (or, dry, check) every row of a metadata file; see the module's docstring."""
    if not files.is_dir():
        raise InvalidInput(_("%(path)s is not a folder.") % {"path": files}, field="files")
    return Importer(metadata, files=files, dry_run=dry_run).run(progress)


# --- what the person sees ------------------------------------------------------------------------


def write_report(report: ImportReport, metadata: Metadata, out: TextIO) -> int:
    """The rejected rows as CSV: reason, line, then the row's own columns, so that the file can
    be fixed and imported again. A rejected row's `related` also names the imported rows that
    asked for it, so those links are made when it comes in. Returns how many rows were
    written."""
    columns = [c.replace("\x00", "").strip().lower() for c in metadata.columns]
    columns = [c for c in columns if c and c not in REPORT_COLUMNS]
    writer = csv.writer(out)
    writer.writerow([*REPORT_COLUMNS, *columns])
    for result in report.rejected:
        cells = {name: value.replace("\x00", "") for name, value in result.row.cells.items()}
        asked = report.left_out.get(result.row.number)
        if asked:
            related = _list(cells.get("related", ""))
            cells["related"] = SEPARATOR.join(related + sorted(asked - set(related)))
        writer.writerow([result.reason, result.row.line, *(cells.get(c, "") for c in columns)])
    return len(report.rejected)


def summary(report: ImportReport) -> str:
    if report.dry_run:
        return _(
            "Dry run, nothing stored: %(imported)s rows would be imported, %(skipped)s skipped "
            "(already imported), %(rejected)s rejected; checked in %(seconds).1f s."
        ) % {
            "imported": f"{report.imported:,}",
            "skipped": f"{report.skipped:,}",
            "rejected": f"{len(report.rejected):,}",
            "seconds": report.seconds,
        }
    text = _(
        "Imported %(imported)s, skipped %(skipped)s (already imported), rejected %(rejected)s "
        "in %(seconds).1f s (%(rate).1f documents/s)."
    ) % {
        "imported": f"{report.imported:,}",
        "skipped": f"{report.skipped:,}",
        "rejected": f"{len(report.rejected):,}",
        "seconds": report.seconds,
        "rate": report.rate,
    }
    links = sum(len(asked) for asked in report.left_out.values())
    if links:
        text += " " + ngettext(
            "%(links)s link to a rejected row is left out; the report lists it with that row, "
            "and it is made when the row is imported.",
            "%(links)s links to rejected rows are left out; the report lists them with those "
            "rows, and they are made when the rows are imported.",
            links,
        ) % {"links": f"{links:,}"}
    return text


class ProgressLine:
    """A progress line on a terminal, redrawn in place (carriage return) at most every
    `interval` seconds: rows done of all, share, documents/s, rejected so far."""

    def __init__(
        self,
        total: int,
        stream: TextIO = sys.stderr,
        *,
        interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.stream, self.interval, self.clock = total, stream, interval, clock
        self.shown_at: float | None = None
        self.width = 0

    def __call__(self, report: ImportReport) -> None:
        done = report.rows
        now = self.clock()
        if done < self.total and self.shown_at is not None and now - self.shown_at < self.interval:
            return
        self.shown_at = now
        share = done / self.total if self.total else 1.0
        line = (
            f"{done:,}/{self.total:,} rows ({share:.0%}) · {report.rate:,.1f} documents/s · "
            f"{len(report.rejected):,} rejected"
        )
        self.stream.write("\r" + line.ljust(self.width))
        self.width = len(line)
        self.stream.flush()

    def close(self) -> None:
        if self.shown_at is not None:
            self.stream.write("\n")
            self.stream.flush()


def progress_display(total: int, stream: TextIO) -> tuple[Callable[[ImportReport], None], Callable]:
    """The progress shown on a terminal: tqdm's bar when tqdm is installed, else ProgressLine.
    Returns (update, close)."""
    try:
        from tqdm import tqdm
    except ImportError:
        line = ProgressLine(total, stream)
        return line, line.close
    bar = tqdm(total=total, file=stream, unit="row", dynamic_ncols=True)

    def update(report: ImportReport) -> None:
        bar.update(report.rows - bar.n)
        bar.set_postfix(rejected=len(report.rejected), refresh=False)

    return update, bar.close


def rejected_lines(report: ImportReport, limit: int = 20) -> Iterator[str]:
    rejected = report.rejected
    for result in rejected[:limit]:
        number = result.row.number[:64] or "-"
        yield f"line {result.row.line} ({number}): {result.reason}"
    if len(rejected) > limit:
        yield _("… and %(more)s more.") % {"more": f"{len(rejected) - limit:,}"}
