"""Bulk imports of a registry from a file, the same for every app that declares an importer on
its ServiceAppConfig (`importers`): Places' WiFi, chargers and facilities now, Operations'
network and CCTV registries next.

A job goes: submitted (the file stored on the job) → checked → confirmed → imported.

- **Check.** Every row is saved exactly as the import would save it, inside one transaction
  that is then rolled back, each row in a savepoint of its own. So the check refuses what the
  import would refuse, in the same words, with rows of the same file seeing each other (an
  access point after its site), and stores nothing. It counts the rows it would add and
  update, and keeps each rejected row with its cells and the reason.
- **Confirm.** An official confirms, the app's policy deciding who may (a file with rejected
  rows may need a manager). A job is confirmed once: the row lock makes a double submit
  start one import.
- **Import.** Batches of `BATCH` rows, each committed with the job's progress, so a page can
  draw a progress bar while a worker imports. A rejected row leaves nothing behind (its
  savepoint is rolled back) and goes to the report. Importing the same file again updates the
  rows it names (the importers save by the registry's own number). A worker that dies leaves
  the committed batches in place; the job can be confirmed again once it has not moved for
  `STALE_AFTER`, and the rows already in are updated, not added twice.

The importer's own class (the `RowImporter` protocol) reads the file into rows, saves one
row through the app's services, and says who may import and confirm."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core import service_app
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import Conflict, DomainError, InvalidInput, NotFound
from hamkke.core.models import City, ImportJob, ImportStatus
from hamkke.core.policies import Decision, second_factor_confirmed

logger = logging.getLogger(__name__)

BATCH = 200
# The rejected rows a job keeps for its report (the counts stay exact beyond it).
MAX_KEPT_PROBLEMS = 5_000
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class FileRow:
    """One row of a file as the importer read it: where it is, its own number for the report,
    its cells as the file had them, and what the importer made of them."""

    line: int
    ref: str
    cells: dict[str, str]
    values: Any = None


@dataclass(frozen=True)
class Problem:
    line: int
    ref: str
    field: str
    message: str
    cells: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "ref": self.ref,
            "field": self.field,
            "message": self.message,
            "cells": self.cells,
        }


@dataclass
class Reading:
    rows: list[FileRow]
    problems: list[Problem]
    columns: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Option:
    """A choice the importer needs with the file (which layer a file of plain rows is)."""

    name: str
    label: Any
    choices: Sequence[tuple[str, Any]]
    help_text: Any = ""


class RowImporter(Protocol):
    label: Any  # what the registry is called on pages ("Places")
    options: Sequence[Option]
    formats: Any  # a sentence naming the files it reads, for the upload page

    def clean_options(self, raw: Mapping[str, Any], *, city: City) -> dict: ...

    def read(self, data: bytes, *, file_name: str, options: dict, city: City) -> Reading: ...

    def save(self, row: FileRow, *, options: dict, city: City) -> bool:
        """Save one row through the app's services (True: added, False: updated); a refusal is
        a DomainError."""

    def finished(self, *, city: City) -> None:
        """After an import that changed rows (recompute what depends on the registry)."""

    def may_import(self, actor: Actor, *, city: City) -> Decision: ...

    def may_confirm(self, actor: Actor, job: ImportJob) -> Decision: ...


def max_bytes() -> int:
    return settings.HAMKKE_IMPORT_MAX_BYTES


def check_size(size: int) -> None:
    if not size:
        raise InvalidInput(_("The file is empty."), field="file")
    if size > max_bytes():
        raise InvalidInput(
            _("The file is larger than %(limit)s MB.") % {"limit": max_bytes() // 1_000_000},
            field="file",
            code="too_large",
        )


def may_import(importer: RowImporter, actor: Actor, *, city: City) -> Decision:
    """Send files to the importer and see its jobs: the importer's rule, then (importing is an
    official's action) the second factor in a web session."""
    return importer.may_import(actor, city=city) and second_factor_confirmed(actor)


def may_confirm(importer: RowImporter, actor: Actor, job: ImportJob) -> Decision:
    return importer.may_confirm(actor, job) and second_factor_confirmed(actor)


def importer_for(key: str) -> RowImporter:
    entry = service_app.importers().get(key)
    if entry is None:
        raise NotFound(_("There is no such importer."), code="no_importer")
    return service_app.resolve(entry.path)()


def job_of(job_id: int, *, importer: str | None = None) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or (importer is not None and job.importer != importer):
        raise NotFound(_("There is no such import."), code="no_import")
    return job


def recent_jobs(importer: str, *, city: City | None = None, limit: int = 20) -> list[ImportJob]:
    city = city or city_selectors.current_city()
    return list(
        ImportJob.objects.filter(city=city, importer=importer)
        .defer("data", "problems")
        .select_related("created_by", "confirmed_by")[:limit]
    )


# --- submit, check, confirm, import ----------------------------------------------------------


def submit(
    key: str,
    *,
    actor: Actor | Any,
    data: bytes,
    file_name: str,
    options: Mapping[str, Any] | None = None,
    city: City | None = None,
    queue: bool = True,
) -> ImportJob:
    """Store the file on a new job and check it (after the commit, by a worker or inline
    without a broker; `queue=False`: the caller checks it, as the command does)."""
    from hamkke.core import tasks

    city = city or city_selectors.current_city()
    importer = importer_for(key)
    if actor is not None:  # None: the site's operator, from a command
        may_import(importer, Actor.of(actor), city=city).enforce()
    check_size(len(data))
    cleaned = importer.clean_options(options or {}, city=city)
    name = (file_name or "upload").replace("\x00", "")[-200:]
    with transaction.atomic():
        job = ImportJob.objects.create(
            city=city,
            importer=key,
            options=cleaned,
            file_name=name,
            data=data,
            created_by=Actor.of(actor).user,
        )
        record_audit(actor=Actor.of(actor), action="imports.submitted", target=job)
        if queue:
            transaction.on_commit(lambda: tasks.check_import_job.delay(job.pk))
    return job


class _DryRun(Exception):
    """Rolls the check's transaction back."""


def _problem(row: FileRow, error: DomainError) -> Problem:
    return Problem(row.line, row.ref, error.field or "", error.message, row.cells)


def _read(job: ImportJob, importer: RowImporter) -> Reading:
    return importer.read(
        bytes(job.data or b""), file_name=job.file_name, options=job.options, city=job.city
    )


def _kept(problems: list[Problem]) -> list[dict]:
    return [problem.as_json() for problem in problems[:MAX_KEPT_PROBLEMS]]


def _save_rows(
    importer: RowImporter,
    job: ImportJob,
    rows: Sequence[FileRow],
    counts: dict[str, int],
    problems: list[Problem],
) -> None:
    """Save each row in a savepoint of its own: a refused row leaves nothing and joins
    `problems`; `counts` ("processed", "created", "updated") move on."""
    for row in rows:
        try:
            with transaction.atomic():
                created = importer.save(row, options=job.options, city=job.city)
        except DomainError as error:
            problems.append(_problem(row, error))
        else:
            counts["created" if created else "updated"] += 1
        counts["processed"] += 1


def check(job_id: int) -> ImportJob:
    """Check a submitted job's rows without storing any."""
    job = job_of(job_id)
    if job.status != ImportStatus.CHECKING:
        return job
    importer = importer_for(job.importer)
    try:
        reading = _read(job, importer)
    except DomainError as error:
        return _fail(job, error.message)
    problems = list(reading.problems)
    counts = {"processed": 0, "created": 0, "updated": 0}
    try:
        with transaction.atomic():
            _save_rows(importer, job, reading.rows, counts, problems)
            raise _DryRun
    except _DryRun:
        pass
    total = len(reading.rows) + len(reading.problems)
    if not reading.rows and problems and all(problem.line <= 1 for problem in problems):
        return _fail(job, problems[0].message, reading=reading)  # the file itself is unreadable
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKED,
        total=total,
        processed=total,
        created=counts["created"],
        updated=counts["updated"],
        rejected=len(problems),
        problems=_kept(sorted(problems, key=lambda p: p.line)),
        columns=reading.columns,
        notes=reading.notes,
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str, *, reading: Reading | None = None) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED,
        error=message[:500],
        data=None,
        columns=reading.columns if reading else [],
        notes=reading.notes if reading else [],
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _stale(job: ImportJob) -> bool:
    return job.status == ImportStatus.RUNNING and job.updated_at < timezone.now() - STALE_AFTER


def confirm(
    job_id: int, *, actor: Actor | Any, importer_key: str | None = None, queue: bool = True
) -> ImportJob:
    """Start the import of a checked job (once: a second confirmation is refused)."""
    from hamkke.core import tasks

    with transaction.atomic():
        job = job_of(job_id, importer=importer_key)
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        importer = importer_for(job.importer)
        if actor is not None:
            may_confirm(importer, Actor.of(actor), job).enforce()
        if job.status != ImportStatus.CHECKED and not _stale(job):
            raise Conflict(
                _("This import has already been started or has ended."), code="not_checked"
            )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING,
            confirmed_by=Actor.of(actor).user,
            total=0,
            processed=0,
            created=0,
            updated=0,
            rejected=0,
            updated_at=timezone.now(),
        )
        record_audit(actor=Actor.of(actor), action="imports.confirmed", target=job)
        if queue:
            transaction.on_commit(lambda: tasks.run_import_job.delay(job.pk))
    job.refresh_from_db()
    return job


def run(job_id: int, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
    """Import a confirmed job's rows in batches, each committed with the job's progress."""
    job = job_of(job_id)
    if job.status != ImportStatus.RUNNING:
        return job
    importer = importer_for(job.importer)
    try:
        reading = _read(job, importer)
    except DomainError as error:
        return _fail(job, error.message)
    problems = list(reading.problems)
    total = len(reading.rows) + len(reading.problems)
    counts = {"processed": len(reading.problems), "created": 0, "updated": 0}
    ImportJob.objects.filter(pk=job.pk).update(
        total=total, processed=counts["processed"], columns=reading.columns, notes=reading.notes
    )
    try:
        for start in range(0, len(reading.rows), BATCH):
            with transaction.atomic():
                _save_rows(importer, job, reading.rows[start : start + BATCH], counts, problems)
                ImportJob.objects.filter(pk=job.pk).update(
                    **counts, rejected=len(problems), updated_at=timezone.now()
                )
            if progress is not None:
                progress(ImportJob(pk=job.pk, total=total, rejected=len(problems), **counts))
    except Exception as error:
        line = reading.rows[
            min(counts["processed"] - len(reading.problems), len(reading.rows) - 1)
        ].line
        logger.exception("import %s stopped at line %s", job.pk, line)
        _fail(
            job,
            _("The import stopped at line %(line)s: %(error)s") % {"line": line, "error": error},
        )
        raise
    if counts["created"] or counts["updated"]:
        importer.finished(city=job.city)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE,
        problems=_kept(sorted(problems, key=lambda p: p.line)),
        rejected=len(problems),
        data=None,
        updated_at=timezone.now(),
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    record_audit(
        actor=Actor.of(job.confirmed_by),
        action="imports.done",
        target=job,
        data={"created": job.created, "updated": job.updated, "rejected": job.rejected},
    )
    return job


# --- what a job shows ----------------------------------------------------------------------


def percent_done(job: ImportJob) -> int:
    if job.status in (ImportStatus.DONE, ImportStatus.CHECKED, ImportStatus.FAILED):
        return 100
    return int(100 * job.processed / job.total) if job.total else 0


def rejected_csv(job: ImportJob) -> str:
    """The rejected rows as the file had them plus `_line` and `_reason` columns: fix the
    cells and import this file again (the importers ignore columns they do not know)."""
    columns = list(job.columns)
    for problem in job.problems:
        columns += [name for name in problem.get("cells", {}) if name not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*columns, "_line", "_reason"])
    for problem in job.problems:
        cells = problem.get("cells") or {}
        where = f"{problem['field']}: " if problem.get("field") else ""
        writer.writerow(
            [
                *(cells.get(name, "") for name in columns),
                problem["line"],
                where + problem["message"],
            ]
        )
    return "\ufeff" + out.getvalue()  # a byte-order mark, so Excel reads the Korean as UTF-8
