"""An import run from a command (`hamkke places import FILE`): the same job as on the desk,
checked, then (unless a dry run) imported at once by the command itself, with a progress line
on a terminal and the rejected rows listed, or written to a report file to fix and import
again. Exit status 0 when no row was rejected, 1 otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from django.utils.translation import gettext as _

from hamkke.core.errors import DomainError
from hamkke.core.imports import engine
from hamkke.core.models import ImportJob, ImportStatus

SHOWN_REJECTED = 20


def _progress(stream: TextIO):
    def show(job: ImportJob) -> None:
        share = job.processed / job.total if job.total else 1.0
        stream.write(
            f"\r{job.processed:,}/{job.total:,} rows ({share:.0%}) · "
            f"{job.created:,} added · {job.updated:,} updated · {job.rejected:,} rejected"
        )
        stream.flush()

    return show


def summary(job: ImportJob) -> str:
    words = {"added": f"{job.created:,}", "updated": f"{job.updated:,}"}
    words["rejected"] = f"{job.rejected:,}"
    if job.status == ImportStatus.CHECKED:
        return _("Checked: %(added)s to add, %(updated)s to update, %(rejected)s rejected.") % words
    return _("Imported: %(added)s added, %(updated)s updated, %(rejected)s rejected.") % words


def import_file(
    key: str,
    path: Path,
    *,
    options: dict,
    dry_run: bool,
    report: Path | None,
    out: TextIO,
    err: TextIO,
) -> int:
    try:
        data = path.read_bytes()
    except OSError as error:
        err.write(f"{path}: {error.strerror or error}\n")
        return 1
    try:
        job = engine.submit(
            key, actor=None, data=data, file_name=path.name, options=options, queue=False
        )
        job = engine.check(job.pk)
        if job.status == ImportStatus.CHECKED and not dry_run:
            engine.confirm(job.pk, actor=None, queue=False)
            interactive = err.isatty()
            job = engine.run(job.pk, progress=_progress(err) if interactive else None)
            if interactive:
                err.write("\n")
    except DomainError as error:
        err.write(f"{path}: {error.message}\n")
        return 1
    if job.status == ImportStatus.FAILED:
        err.write(f"{path}: {job.error}\n")
        return 1
    for note in job.notes:
        out.write(note + "\n")
    for problem in job.problems[:SHOWN_REJECTED]:
        ref = f" ({problem['ref']})" if problem.get("ref") else ""
        field = f"{problem['field']}: " if problem.get("field") else ""
        err.write(f"line {problem['line']}{ref}: {field}{problem['message']}\n")
    if job.rejected > SHOWN_REJECTED:
        err.write(_("… and %(more)s more.") % {"more": f"{job.rejected - SHOWN_REJECTED:,}"} + "\n")
    if report is not None and job.rejected:
        try:
            report.write_text(engine.rejected_csv(job), encoding="utf-8")
        except OSError as error:
            err.write(f"{report}: {error.strerror or error}\n")
            return 1
        out.write(f"Rejected rows: {job.rejected:,} written to {report}.\n")
    out.write(summary(job) + "\n")
    return 1 if job.rejected else 0
