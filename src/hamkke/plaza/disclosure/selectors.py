"""Reads of disclosure requests: the public list and page (never who asked, never their text),
the requester's own, the desk's queue, the deadlines' work lists, and a person's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.core import codes
from hamkke.core.city.selectors import current_city, departments_of
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import Department
from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza.models import (
    OPEN_REQUEST_STATUSES,
    DisclosureRequest,
    Document,
    RequestEvent,
    RequestStatus,
)


def city_day(moment: datetime) -> date:
    """The day it is at `moment` on the city's clock: deadlines are counted in city days."""
    return timezone.localtime(moment, ZoneInfo(current_city().time_zone)).date()


def today() -> date:
    return city_day(timezone.now())


def _with_overdue(requests: QuerySet[DisclosureRequest], day: date) -> QuerySet:
    """Each request with `overdue`: still open after its last day (policies.request_is_overdue
    as a query)."""
    return requests.annotate(
        overdue=ExpressionWrapper(
            Q(status__in=OPEN_REQUEST_STATUSES, due_on__lt=day), output_field=BooleanField()
        )
    )


# --- documents a request names -------------------------------------------------------------------


def public_document_numbered(number: str) -> Document:
    """The public document a question is about, by its number; the same refusal for a number
    nobody registered and for a document that is not public."""
    if not number:
        raise InvalidInput(
            _("Give the number of the public document you ask about."), field="document"
        )
    document = (
        plaza_selectors.public_documents()
        .select_related("department")
        .filter(number=number)
        .first()
    )
    if document is None:
        raise InvalidInput(
            _("There is no public document numbered “%(number)s”.") % {"number": number},
            field="document",
        )
    return document


def public_document_by_id(pk: int) -> Document:
    """A public document named by its id (the "ask about this document" button); NotFound for
    any other, alike."""
    document = plaza_selectors.public_documents().select_related("department").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("There is no public document here."), code="not_found")
    return document


def public_document_of(request: DisclosureRequest) -> Document | None:
    """The document a request links to, when (and only while) it is public."""
    if request.document_id is None:
        return None
    return plaza_selectors.public_documents().filter(pk=request.document_id).first()


def public_url(request: DisclosureRequest) -> str:
    return reverse("plaza:request", args=[request.code])


def desk_url(request: DisclosureRequest) -> str:
    return reverse("plaza:requests-desk-request", args=[request.code])


# --- the public ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""  # a RequestStatus value
    department: str = ""  # a department code


def departments() -> list[Department]:
    """The departments a request may go to: the city's."""
    return departments_of(current_city())


def check_filters(*, status: str = "", department: str = "") -> RequestFilters:
    """Filters as a person or a program named them; InvalidInput naming the one unknown."""
    status, department = status.strip(), department.strip()
    if status and status not in RequestStatus.values:
        raise InvalidInput(
            _("Unknown status “%(status)s”; use one of: %(known)s.")
            % {"status": status, "known": ", ".join(RequestStatus.values)},
            field="status",
        )
    if department:
        department_named(department)
    return RequestFilters(status=status, department=department)


def department_named(code: str) -> Department:
    """The city's department with this code; InvalidInput on "department" for an unknown one."""
    try:
        return account_selectors.department_by_code(code.strip()[:64])
    except NotFound as exc:
        raise InvalidInput(exc.message, field="department") from exc


def public_requests(filters: RequestFilters = RequestFilters()) -> QuerySet[DisclosureRequest]:
    """Every request of the city, newest first, with `overdue`; only the public columns are
    read, so who asked and their text cannot reach a page by mistake."""
    requests = DisclosureRequest.objects.filter(department__city=current_city())
    if filters.status:
        requests = requests.filter(status=filters.status)
    if filters.department:
        requests = requests.filter(department__code=filters.department)
    return (
        _with_overdue(requests, today())
        .select_related("department")
        .only(*PUBLIC_FIELDS)
        .order_by("-received_at", "-id")
    )


# What a public surface may read of a request.
PUBLIC_FIELDS = (
    "code",
    "kind",
    "subject",
    "status",
    "received_at",
    "due_on",
    "extended",
    "answered_at",
    "answer",
    "document",
    "department",
)


def public_request(code: str) -> DisclosureRequest:
    """One request with its public history; NotFound for an unknown code."""
    return _by_code(public_requests(), code)


def _by_code(requests: QuerySet[DisclosureRequest], code: str) -> DisclosureRequest:
    """The request with the code as typed (forgiving case and look-alike letters), with its
    history; NotFound for none."""
    request = (
        requests.prefetch_related(
            Prefetch("events", queryset=RequestEvent.objects.order_by("at", "id"))
        )
        .filter(code=codes.normalise(code)[:16])
        .first()
    )
    if request is None:
        raise NotFound(_("There is no request with this code."), code="not_found")
    return request


# --- the requester -------------------------------------------------------------------------------


def requests_of(user: User) -> QuerySet[DisclosureRequest]:
    """The person's own requests, newest first, with their full text."""
    return (
        _with_overdue(DisclosureRequest.objects.filter(requester=user), today())
        .select_related("department")
        .order_by("-received_at", "-id")
    )


def personal_data_of(user: User) -> dict:
    """The person's requests for their data download: what they asked, and what came of it."""
    return {
        "requests": [
            {
                "code": r.code,
                "kind": r.kind,
                "department": r.department.code,
                "subject": r.subject,
                "description": r.description,
                "status": r.status,
                "received_at": r.received_at.isoformat(),
                "due_on": r.due_on.isoformat(),
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
                "answer": r.answer,
            }
            # Plain rows: the download needs no city clock (the account may outlive the city).
            for r in DisclosureRequest.objects.filter(requester=user)
            .select_related("department")
            .order_by("-received_at", "-id")
        ]
    }


# --- the desk ------------------------------------------------------------------------------------


def desk_departments(user: User) -> list[Department]:
    """The departments where the person answers requests (handlers and above)."""
    roles = account_selectors.roles_by_department(user, city=current_city())
    ids = [pk for pk, role in roles.items() if role >= Role.HANDLER]
    return list(Department.objects.filter(pk__in=ids).order_by("name"))


def desk_queue(department_ids: list[int], *, waiting: bool = True) -> QuerySet[DisclosureRequest]:
    """The departments' requests: those waiting for an answer, overdue first and then by their
    last day; or the others (answered, withdrawn), newest first."""
    requests = DisclosureRequest.objects.filter(department_id__in=department_ids)
    if waiting:
        requests = requests.filter(status__in=OPEN_REQUEST_STATUSES)
        order = ("-overdue", "due_on", "received_at", "id")
    else:
        requests = requests.exclude(status__in=OPEN_REQUEST_STATUSES)
        order = ("-received_at", "-id")
    return (
        _with_overdue(requests, today())
        .select_related("department", "requester", "document")
        .order_by(*order)
    )


def desk_request(code: str) -> DisclosureRequest:
    """One request with everything the desk reads (who asked, their text, the document)."""
    requests = _with_overdue(DisclosureRequest.objects.all(), today())
    return _by_code(requests.select_related("department", "requester", "document"), code)


# --- deadlines -----------------------------------------------------------------------------------


def nearing_deadline(day: date, *, days: int) -> list[DisclosureRequest]:
    """Open requests whose last day is within `days` of `day` (not past it), not yet warned of."""
    return list(
        DisclosureRequest.objects.filter(
            status__in=OPEN_REQUEST_STATUSES,
            due_soon_notified=False,
            due_on__gte=day,
            due_on__lte=day + timedelta(days=days),
        ).select_related("department")
    )


def overdue_unescalated(day: date) -> list[DisclosureRequest]:
    """Open requests past their last day whose managers were not told yet."""
    return list(
        DisclosureRequest.objects.filter(
            status__in=OPEN_REQUEST_STATUSES, overdue_notified=False, due_on__lt=day
        ).select_related("department")
    )
