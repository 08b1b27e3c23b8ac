"""The officials' API of bulk imports (/api/v1/imports), the same for every importer an app
declares ("places"): send a file, follow its check and import (poll the job for the progress),
confirm it, download the rejected rows. Session sign-in with CSRF on writes; the engine's policy:
the second factor, then the importer's own (who keeps the registry, in which role)."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from hamkke.core.city.selectors import current_city
from hamkke.core.imports import engine
from hamkke.core.models import ImportJob
from hamkke.core.web.api import SessionWithCsrf

router = Router(tags=["imports"], auth=SessionWithCsrf())
SHOWN_PROBLEMS = 100


class ProblemOut(Schema):
    line: int
    ref: str
    field: str
    message: str


class ImportJobOut(Schema):
    id: int
    importer: str
    file_name: str
    options: dict
    status: str  # checking, checked, running, done, failed
    percent: int
    total: int
    processed: int
    # Of the last phase: the check's "would add / update", then the import's "added / updated".
    created: int
    updated: int
    rejected: int
    notes: list[str]
    error: str
    problems: list[ProblemOut]  # the first 100 rejected rows; rejected_url gives them all
    rejected_url: str
    created_at: datetime
    finished_at: datetime | None


class ImportJobsOut(Schema):
    items: list[ImportJobOut]


def job_out(job: ImportJob, *, with_problems: bool = True) -> dict:
    problems = job.problems[:SHOWN_PROBLEMS] if with_problems else []
    return {
        "id": job.pk,
        "importer": job.importer,
        "file_name": job.file_name,
        "options": job.options,
        "status": job.status,
        "percent": engine.percent_done(job),
        "total": job.total,
        "processed": job.processed,
        "created": job.created,
        "updated": job.updated,
        "rejected": job.rejected,
        "notes": job.notes,
        "error": job.error,
        "problems": [{k: p[k] for k in ("line", "ref", "field", "message")} for p in problems],
        "rejected_url": f"/api/v1/imports/{job.importer}/jobs/{job.pk}/rejected.csv",
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


def _visible_job(request: HttpRequest, importer: str, job_id: int) -> ImportJob:
    job = engine.job_of(job_id, importer=importer)
    engine.may_import(engine.importer_for(importer), request.actor, city=job.city).enforce()
    return job


@router.post(
    "/{importer}",
    response={202: ImportJobOut},
    summary="Send a file to import (multipart/form-data); it is checked, nothing stored yet",
)
def submit_import(request: HttpRequest, importer: str, file: File[UploadedFile]):
    """The importer's options are form fields beside the file (Places: `layer`, `auto` by
    default). The answer is the job, being checked (without a broker, already checked): poll
    it until `status` is `checked`, read the counts and rejected rows, then confirm."""
    engine.may_import(engine.importer_for(importer), request.actor, city=current_city()).enforce()
    engine.check_size(file.size or 0)  # before reading a file too large into memory
    data = file.read()
    options = {key: request.POST.get(key) for key in request.POST if key != "file"}
    job = engine.submit(
        importer, actor=request.actor, data=data, file_name=file.name or "", options=options
    )
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get("/{importer}/jobs", response=ImportJobsOut, summary="The latest imports")
def list_imports(request: HttpRequest, importer: str):
    city = current_city()
    engine.may_import(engine.importer_for(importer), request.actor, city=city).enforce()
    jobs = engine.recent_jobs(importer, city=city)
    return {"items": [job_out(job, with_problems=False) for job in jobs]}


@router.get("/{importer}/jobs/{int:job_id}", response=ImportJobOut, summary="An import")
def get_import(request: HttpRequest, importer: str, job_id: int):
    return job_out(_visible_job(request, importer, job_id))


@router.post(
    "/{importer}/jobs/{int:job_id}/confirm",
    response={202: ImportJobOut},
    summary="Import a checked file",
)
def confirm_import(request: HttpRequest, importer: str, job_id: int):
    """Once per job (409 after). A file with rejected rows may need a manager's confirmation
    (Places: yes). Poll the job for the progress until `status` is `done`."""
    _visible_job(request, importer, job_id)
    job = engine.confirm(job_id, actor=request.actor, importer_key=importer)
    job.refresh_from_db()
    return Status(202, job_out(job))


@router.get(
    "/{importer}/jobs/{int:job_id}/rejected.csv",
    response={200: None},
    summary="The rejected rows, as the file had them, with _line and _reason columns",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def rejected_rows(request: HttpRequest, importer: str, job_id: int):
    job = _visible_job(request, importer, job_id)
    response = HttpResponse(engine.rejected_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    return response
