"""The desk pages of bulk imports, the same for every importer: send a file (with the
importer's options), see it checked (counts, rejected rows and why), confirm, follow the
progress bar, download the rejected rows to fix and send again. An app mounts them in its desk
with its importer's key (places/desk/urls.py); the page names its routes by the namespace it
was reached through. Without JavaScript the job page reloads itself while the job moves; with
it, imports.js redraws the bar from the API every second."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.imports import engine
from hamkke.core.models import City, ImportStatus
from hamkke.core.web.forms import DomainErrorsInline
from hamkke.core.web.responses import carry_out, found_or_404, render_domain_error

SHOWN_PROBLEMS = 200
MOVING = (ImportStatus.CHECKING, ImportStatus.RUNNING)


class ImportForm(DomainErrorsInline, forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, importer, **kwargs):
        super().__init__(*args, **kwargs)
        for option in importer.options:
            self.fields[option.name] = forms.ChoiceField(
                label=option.label, choices=option.choices, help_text=option.help_text
            )


def refusals_as_pages(view):
    """A refusal (not this official's registry: 403; no such job: 404 above) as its page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as error:
            return render_domain_error(request, error)

    return wrapper


def _url(request: HttpRequest, name: str, *args) -> str:
    return reverse(f"{request.resolver_match.namespace}:{name}", args=args)


def _importer(request: HttpRequest, importer: str, city: City):
    """The importer of the address (404 for none), when the official may use it (403)."""
    row_importer = found_or_404(engine.importer_for, importer)
    engine.may_import(row_importer, request.actor, city=city).enforce()
    return row_importer


def _job(request: HttpRequest, importer: str, job_id: int):
    job = found_or_404(engine.job_of, job_id, importer=importer)
    return job, _importer(request, importer, job.city)


@refusals_as_pages
@login_required
@require_http_methods(["GET", "POST"])
def imports_page(request: HttpRequest, importer: str) -> HttpResponse:
    city = current_city()
    row_importer = _importer(request, importer, city)
    form = ImportForm(request.POST or None, request.FILES or None, importer=row_importer)
    status = 200
    if request.method == "POST":

        def send():
            upload = form.cleaned_data["file"]
            engine.check_size(upload.size or 0)  # before reading a file too large
            return engine.submit(
                importer,
                actor=request.actor,
                data=upload.read(),
                file_name=upload.name or "",
                options={o.name: form.cleaned_data[o.name] for o in row_importer.options},
            )

        if form.submit(send, reraise=(NotAllowed,)):
            return redirect(_url(request, "desk-import", form.result.pk))
        status = form.status_code
    context = {
        "importer": row_importer,
        "form": form,
        "jobs": engine.recent_jobs(importer, city=city),
        "max_mb": engine.max_bytes() // 1_000_000,
    }
    return render(request, "core/imports/page.html", context, status=status)


@refusals_as_pages
@login_required
def job_page(request: HttpRequest, importer: str, job_id: int) -> HttpResponse:
    job, row_importer = _job(request, importer, job_id)
    context = {
        "importer": row_importer,
        "job": job,
        "percent": engine.percent_done(job),
        "moving": job.status in MOVING,
        "problems": job.problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(job.problems) - SHOWN_PROBLEMS),
        "may_confirm": engine.may_confirm(row_importer, request.actor, job),
        "confirm_url": _url(request, "desk-import-confirm", job.pk),
        "rejected_url": _url(request, "desk-import-rejected", job.pk),
        "imports_url": _url(request, "desk-imports"),
        "status_url": f"/api/v1/imports/{importer}/jobs/{job.pk}",
    }
    return render(request, "core/imports/job.html", context)


@refusals_as_pages
@login_required
@require_POST
def confirm_job(request: HttpRequest, importer: str, job_id: int) -> HttpResponse:
    _job(request, importer, job_id)
    carry_out(
        request,
        lambda: engine.confirm(job_id, actor=request.actor, importer_key=importer),
        _("The import has started."),
        reraise=(NotAllowed,),
    )
    return redirect(_url(request, "desk-import", job_id))


@refusals_as_pages
@login_required
def rejected_csv(request: HttpRequest, importer: str, job_id: int) -> HttpResponse:
    job, _row_importer = _job(request, importer, job_id)
    response = HttpResponse(engine.rejected_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    return response
