"""The officials' desk for disclosure requests: the departments' queue (overdue first, then by
last day) and one request with its answer, its one extension and the answer by publishing.
Handlers of the request's department, with the second factor; the policies say what to offer
and the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import seat_at
from hamkke.core.web import responses
from hamkke.plaza import policies
from hamkke.plaza import services as plaza_services
from hamkke.plaza.disclosure import selectors, services
from hamkke.plaza.disclosure.forms import AnswerForm, ExtendForm, PublishForm, QueueForm
from hamkke.plaza.models import DisclosureRequest

PAGE_SIZE = 50


@official_required(role=Role.HANDLER)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    departments = selectors.desk_departments(request.user)
    form = QueueForm(request.GET or None, departments=departments)
    department_ids, done = form.chosen(departments)
    found = selectors.desk_queue(department_ids, waiting=not done)
    page, query = responses.page_of(request, found, PAGE_SIZE)
    context = {"form": form, "page": page, "query": query, "done": done}
    return render(request, "plaza/requests/desk_queue.html", context)


def _request_for(request: HttpRequest, code: str):
    """The request and the official's seat at its department (handlers; others 403)."""
    found = responses.found_or_404(selectors.desk_request, code)
    seat = seat_at(request.actor, found.department)
    policies.may_read_request(seat).enforce()
    return found, seat


def _form(name: str, found: DisclosureRequest, data=None):
    """The desk's form `name` for the request, bound to `data` when sent."""
    grounds = list(plaza_services.plaza_settings().legal_grounds)
    auto_id = f"{name}-%s"
    if name == "answer":
        return AnswerForm(data, request=found, grounds=grounds, auto_id=auto_id)
    if name == "extend":
        return ExtendForm(data, auto_id=auto_id)
    initial = {"document": found.document.number if found.document else ""}
    return PublishForm(data, grounds=grounds, initial=initial, auto_id=auto_id)


def _page(request: HttpRequest, found: DisclosureRequest, seat, failed=None, *, status=200):
    """The request at the desk with the forms its state offers; `failed` is (name, form) of a
    form sent with a mistake, shown with its input and errors."""
    extension_days = plaza_services.plaza_settings().request_extension_days
    offers = {
        "answer": policies.may_answer_request(seat, found),
        "extend": policies.may_extend_request(
            seat, found, extension_days=extension_days, today=selectors.today()
        ),
        "publish": policies.may_answer_by_publishing(seat, found),
    }
    forms = {name: _form(name, found) for name, offered in offers.items() if offered}
    if failed is not None:
        name, form = failed
        forms[name] = form
    document = found.document
    context = {
        "item": found,
        "events": list(found.events.all()),
        "offers": offers,
        "forms": forms,
        "extension_days": extension_days,
        "document": document,
        "document_public": document is not None and policies.is_public(document),
        "document_url": document.get_absolute_url() if document else "",
    }
    return render(request, "plaza/requests/desk_request.html", context, status=status)


@official_required(role=Role.HANDLER)
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    found, seat = _request_for(request, code)
    return _page(request, found, seat)


def _act(request: HttpRequest, code: str, name: str, act, success: str) -> HttpResponse:
    """Send the desk's form `name` to the service `act` (found, cleaned data); on success back
    to the request with `success`, else its page with the form's errors."""
    found, seat = _request_for(request, code)
    form = _form(name, found, request.POST)
    if not form.submit(lambda: act(found, form.cleaned_data)):
        return _page(request, found, seat, (name, form), status=form.status_code)
    messages.success(request, success % {"code": found.code})
    return redirect("plaza:requests-desk-request", found.code)


@official_required(role=Role.HANDLER)
@require_POST
def answer(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        "answer",
        lambda found, data: services.answer_request(
            actor=request.actor,
            request=found,
            status=data["status"],
            answer=data["answer"],
            legal_ground=data["legal_ground"],
        ),
        _("Request %(code)s is answered; the requester is told."),
    )


@official_required(role=Role.HANDLER)
@require_POST
def extend(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        "extend",
        lambda found, data: services.extend_request(
            actor=request.actor, request=found, reason=data["reason"]
        ),
        _("The deadline of request %(code)s is extended."),
    )


@official_required(role=Role.HANDLER)
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    return _act(
        request,
        code,
        "publish",
        lambda found, data: services.answer_by_publishing(
            actor=request.actor,
            request=found,
            document_number=data["document"],
            disclosure=data["disclosure"],
            legal_ground=data["legal_ground"],
            answer=data["answer"],
        ),
        _("The document is published and request %(code)s answered with it."),
    )
