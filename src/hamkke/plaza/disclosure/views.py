"""The public's and the requester's pages of disclosure requests: the list of every request and
each one's public page (never who asked, never their text), the request form (also the target of
a document's "ask about this document" button), the requester's own requests and withdrawing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hamkke.core.errors import NotFound
from hamkke.core.ratelimit import throttled
from hamkke.core.web import bounds, responses
from hamkke.plaza import policies
from hamkke.plaza.disclosure import filing, selectors, services
from hamkke.plaza.disclosure.forms import FilterForm, RequestForm
from hamkke.plaza.models import RequestKind

PAGE_SIZE = 30


def index(request: HttpRequest) -> HttpResponse:
    """Every request: code, subject, department, status, last day, overdue; filtered."""
    departments = selectors.departments()
    form = FilterForm(request.GET or None, departments=departments)
    found = selectors.public_requests(selectors.RequestFilters(**form.chosen()))
    page, query = responses.page_of(request, found, PAGE_SIZE)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {"form": form, "page": page, "query": query}
    return render(request, "plaza/requests/index.html", context, status=status)


def detail(request: HttpRequest, code: str) -> HttpResponse:
    """A request's public page: its subject, department, history and answer, and the document
    it published while that is public."""
    found = responses.found_or_404(selectors.public_request, code)
    document = selectors.public_document_of(found)
    context = {
        "item": found,
        "events": list(found.events.all()),
        "document": document,
        "document_url": document.get_absolute_url() if document else "",
    }
    return render(request, "plaza/requests/detail.html", context)


# --- filing --------------------------------------------------------------------------------------


def _asked_about(request: HttpRequest) -> dict:
    """What the "ask about this document" button prefills: the kind, and the number and
    department of the public document named by `document` (a 404 for any other, alike)."""
    initial = {}
    kind = request.GET.get("kind", "")
    if kind in RequestKind.values:
        initial["kind"] = kind
    raw = request.GET.get("document")
    if raw is not None:
        # Not a number, no document, or one that is not public: the same NotFound.
        document = selectors.public_document_by_id(bounds.whole_number(raw.strip()) or 0)
        initial.update(document=document.number, department=document.department.code)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@throttled(filing.FILING)
def new(request: HttpRequest) -> HttpResponse:
    departments = selectors.departments()
    if request.method == "GET":
        try:
            initial = _asked_about(request)
        except NotFound as exc:
            return responses.render_domain_error(request, exc)
        form = RequestForm(initial=initial, departments=departments)
        return render(request, "plaza/requests/new.html", {"form": form})
    form = RequestForm(request.POST, departments=departments)

    def file():
        data = form.cleaned_data
        return filing.file_request(
            actor=request.actor,
            kind=data["kind"],
            department=data["department"],
            document=data["document"],
            subject=data["subject"],
            description=data["description"],
        )

    if not form.submit(file):
        return render(request, "plaza/requests/new.html", {"form": form}, status=form.status_code)
    messages.success(
        request,
        _("Your request is filed as %(code)s. The department answers by %(date)s.")
        % {"code": form.result.code, "date": form.result.due_on.isoformat()},
    )
    return redirect("plaza:my-requests")


# --- the requester -------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page, query = responses.page_of(request, selectors.requests_of(request.user), PAGE_SIZE)
    rows = [(item, policies.may_withdraw_request(request.user, item)) for item in page.object_list]
    context = {"page": page, "rows": rows, "query": query}
    return render(request, "plaza/requests/mine.html", context)


@require_POST
@login_required
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    found = responses.found_or_404(selectors.public_request, code)
    responses.carry_out(
        request,
        lambda: services.withdraw_request(actor=request.actor, request=found),
        _("Your request %(code)s is withdrawn.") % {"code": found.code},
    )
    return redirect("plaza:my-requests")
