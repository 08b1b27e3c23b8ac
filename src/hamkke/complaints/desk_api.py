"""The officials' JSON API (/api/v1/complaints/desk): queues, one report with its private
fields, the workflow, assignment, bulk actions, moderation and statistics. Session
authentication with CSRF on writes; roles and the second factor as on the desk pages."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from datetime import date, datetime
from typing import Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.accounts.permissions import official_api, require_role
from hamkke.complaints import selectors, services, workflow
from hamkke.complaints.desk_forms import day_end, day_start
from hamkke.complaints.models import Complaint, ComplaintEvent, Status
from hamkke.complaints.selectors import Assignee, DeskStatistics, Filters, Tally
from hamkke.complaints.services import BULK_LIMIT, BulkAction
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput, NotAllowed

router = Router(tags=["complaints desk"], auth=django_auth)


# --- schemas -----------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: int
    email: str
    display_name: str


class ReporterOut(PersonOut):
    banned: bool
    ban_reason: str


class QueueItemOut(Schema):
    tracking_number: str
    status: str
    status_label: str
    is_open: bool
    overdue: bool
    hidden: bool
    category: Ref
    district: Ref
    department: Ref
    handler: PersonOut | None
    created_at: datetime
    expected_at: datetime
    updated_at: datetime
    escalated_at: datetime | None


class QueuePageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[QueueItemOut]


class EventOut(Schema):
    id: int
    status: str
    previous_status: str
    public_note: str
    internal_note: str
    actor: PersonOut | None
    department: str | None
    created_at: datetime


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    hidden: bool


class TemplateOut(Schema):
    id: int
    title: str
    body: str
    status: str


class ReportOut(QueueItemOut):
    """A report as officials see it: contact details and the reporter included."""

    description: str
    answers: dict
    address: str
    latitude: float
    longitude: float
    channel: str
    reporter: ReporterOut | None
    contact_name: str
    contact_email: str
    contact_phone: str
    duplicate_of: str | None
    public_answer: str
    resolved_at: datetime | None
    rating: int | None
    allowed_moves: list[str]
    photos: list[PhotoOut]
    events: list[EventOut]
    templates: list[TemplateOut]


class QueueQuery(Schema):
    department: str = Field("all", description="A department code, or all my departments")
    status: str = Field("", description="A status, 'any', or empty for every open status")
    category: str = ""
    district: str = ""
    start: date | None = Field(None, description="Filed on or after this day")
    end: date | None = Field(None, description="Filed on or before this day")
    overdue: bool = False
    assignee: Literal["", "me", "none"] = ""
    sort: Literal["sla", "age", "newest", "updated"] = "sla"
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class StatusIn(Schema):
    status: str
    public_note: str = Field("", max_length=4000)
    internal_note: str = Field("", max_length=4000)
    duplicate_of: str | None = Field(None, description="Tracking number of the original")
    department: str | None = Field(None, description="Code of the department to transfer to")


class AssignIn(Schema):
    handler_id: int | None = Field(description="The handler's account id; null unassigns")


class BulkIn(Schema):
    action: BulkAction
    tracking_numbers: list[str] = Field(min_length=1, max_length=BULK_LIMIT)
    handler_id: int | None = None
    department: str | None = None
    public_note: str = Field("", max_length=4000)
    internal_note: str = Field("", max_length=4000)


class BulkFailure(Schema):
    tracking_number: str
    detail: str


class BulkOut(Schema):
    succeeded: list[str]
    failed: list[BulkFailure]


class ModerateIn(Schema):
    action: Literal["edit", "hide", "unhide", "hide_photo", "show_photo", "ban", "unban"]
    reason: str = Field("", max_length=300)
    description: str | None = Field(None, description="The new text, for 'edit'")
    media_id: int | None = Field(None, description="The photo, for 'hide_photo'/'show_photo'")


class StatsQuery(Schema):
    start: date | None = None
    end: date | None = None
    district: str = ""
    category: str = ""


class TallyOut(Schema):
    key: str
    label: str
    total: int
    open: int
    overdue: int
    resolved: int
    within_sla: int
    share_within_sla: float | None


class StatsOut(Schema):
    overall: TallyOut
    median_days_to_resolve: float | None
    by_category: list[TallyOut]
    by_district: list[TallyOut]
    by_status: list[TallyOut]
    by_month: list[TallyOut]


# --- conversions -------------------------------------------------------------------------------


def _ref(item) -> Ref:
    return Ref(code=item.code, name=item.display_name)


def _person(user: User | None) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(id=user.pk, email=user.email, display_name=user.display_name)


def _queue_item(complaint: Complaint) -> dict:
    return {
        "tracking_number": complaint.tracking_number,
        "status": complaint.status,
        "status_label": str(Status(complaint.status).label),
        "is_open": complaint.is_open,
        "overdue": complaint.is_overdue,
        "hidden": complaint.hidden,
        "category": _ref(complaint.category),
        "district": _ref(complaint.district),
        "department": _ref(complaint.department),
        "handler": _person(complaint.handler),
        "created_at": complaint.created_at,
        "expected_at": complaint.expected_at,
        "updated_at": complaint.updated_at,
        "escalated_at": complaint.escalated_at,
    }


def _event(event: ComplaintEvent) -> EventOut:
    return EventOut(
        id=event.pk,
        status=event.status,
        previous_status=event.previous_status,
        public_note=event.public_note,
        internal_note=event.internal_note,
        actor=_person(event.actor),
        department=event.department.code if event.department else None,
        created_at=event.created_at,
    )


def _report(complaint: Complaint) -> ReportOut:
    reporter = complaint.reporter
    return ReportOut(
        **_queue_item(complaint),
        description=complaint.description,
        answers=complaint.answers,
        address=complaint.location.address,
        latitude=complaint.location.latitude,
        longitude=complaint.location.longitude,
        channel=complaint.channel,
        reporter=None
        if reporter is None
        else ReporterOut(
            id=reporter.pk,
            email=reporter.email,
            display_name=reporter.display_name,
            banned=reporter.banned_at is not None,
            ban_reason=reporter.ban_reason,
        ),
        contact_name=complaint.contact_name,
        contact_email=complaint.contact_email,
        contact_phone=complaint.contact_phone,
        duplicate_of=complaint.duplicate_of.tracking_number if complaint.duplicate_of else None,
        public_answer=complaint.public_answer,
        resolved_at=complaint.resolved_at,
        rating=complaint.rating,
        allowed_moves=sorted(move.value for move in workflow.allowed_moves(complaint.status)),
        photos=[
            PhotoOut(id=m.pk, url=m.url, thumbnail_url=m.thumbnail_url, hidden=m.hidden)
            for m in selectors.media_of(complaint, include_hidden=True)
        ],
        events=[_event(event) for event in complaint.events.all()],
        templates=[
            TemplateOut(id=t.pk, title=t.title, body=t.body, status=t.status)
            for t in selectors.templates_for(complaint)
        ],
    )


def _tally(tally: Tally) -> TallyOut:
    return TallyOut(
        key=tally.key,
        label=tally.label,
        total=tally.total,
        open=tally.open,
        overdue=tally.overdue,
        resolved=tally.resolved,
        within_sla=tally.within_sla,
        share_within_sla=tally.share_within_sla,
    )


def _complaint_for(request: HttpRequest, tracking_number: str) -> Complaint:
    """The report, for an official of its department; NotAllowed (403) for anyone else."""
    complaint = selectors.official_complaint(tracking_number)
    require_role(request.user, role=Role.VIEWER, department=complaint.department)
    return complaint


def _fresh(complaint: Complaint) -> ReportOut:
    return _report(selectors.official_complaint(complaint.tracking_number))


# --- endpoints ---------------------------------------------------------------------------------


@router.get("/queue", response=QueuePageOut, summary="My departments' reports, filtered")
@official_api(role=Role.VIEWER)
def get_queue(request: HttpRequest, query: Query[QueueQuery]):
    city = city_selectors.current_city()
    places = selectors.desk_places(request.user, city)
    if query.department != "all":
        places = [p for p in places if p.department.code == query.department]
        if not places:
            raise NotAllowed(
                _("You do not work in the department %(code)s.") % {"code": query.department},
                code="role_required",
            )
    if query.status not in ("", "any") and query.status not in Status.values:
        raise InvalidInput(_("Unknown status %(s)s.") % {"s": query.status}, field="status")
    filters = Filters(
        categories=(query.category,) if query.category else (),
        districts=(query.district,) if query.district else (),
        statuses=(query.status,) if query.status not in ("", "any") else (),
        open_only=False if query.status == "any" else None,
        start=day_start(query.start),
        end=day_end(query.end),
    )
    complaints = selectors.desk_queue(
        [p.department.pk for p in places],
        filters,
        user=request.user,
        sort=query.sort,
        overdue_only=query.overdue,
        assignee=Assignee(query.assignee),
    )
    page = Paginator(complaints, query.page_size).get_page(query.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [_queue_item(c) for c in page.object_list],
    }


@router.get("/reports/{tracking_number}", response=ReportOut, summary="One report, all of it")
@official_api(role=Role.VIEWER)
def get_report(request: HttpRequest, tracking_number: str):
    return _report(_complaint_for(request, tracking_number))


@router.post(
    "/reports/{tracking_number}/status", response=ReportOut, summary="Move the report's status"
)
@official_api(role=Role.HANDLER)
def post_status(request: HttpRequest, tracking_number: str, payload: StatusIn):
    complaint = _complaint_for(request, tracking_number)
    if payload.status not in Status.values:
        raise InvalidInput(_("Unknown status %(s)s.") % {"s": payload.status}, field="status")
    duplicate_of = (
        selectors.complaint_by_number(payload.duplicate_of)
        if payload.status == Status.DUPLICATE and payload.duplicate_of
        else None
    )
    department = (
        account_selectors.department_by_code(payload.department)
        if payload.status == Status.TRANSFERRED and payload.department
        else None
    )
    services.change_status(
        complaint=complaint,
        actor=request.user,
        status=payload.status,
        public_note=payload.public_note,
        internal_note=payload.internal_note,
        duplicate_of=duplicate_of,
        department=department,
        request=request,
    )
    return _fresh(complaint)


@router.post("/reports/{tracking_number}/assign", response=ReportOut, summary="Assign to a handler")
@official_api(role=Role.MANAGER)
def post_assign(request: HttpRequest, tracking_number: str, payload: AssignIn):
    complaint = _complaint_for(request, tracking_number)
    handler = None if payload.handler_id is None else selectors.official_by_id(payload.handler_id)
    services.assign_handler(
        complaint=complaint, actor=request.user, handler=handler, request=request
    )
    return _fresh(complaint)


@router.post("/bulk", response=BulkOut, summary="One action on many reports, each on its own")
@official_api(role=Role.HANDLER)
def post_bulk(request: HttpRequest, payload: BulkIn):
    handler = None if payload.handler_id is None else selectors.official_by_id(payload.handler_id)
    department = (
        account_selectors.department_by_code(payload.department) if payload.department else None
    )
    result = services.act_in_bulk(
        actor=request.user,
        tracking_numbers=payload.tracking_numbers,
        action=payload.action,
        handler=handler,
        department=department,
        public_note=payload.public_note,
        internal_note=payload.internal_note,
        request=request,
    )
    return {
        "succeeded": result.succeeded,
        "failed": [{"tracking_number": n, "detail": why} for n, why in result.failed],
    }


@router.post(
    "/reports/{tracking_number}/moderate",
    response=ReportOut,
    summary="Edit or hide the report, hide or show a photo, ban or unban the reporter",
)
@official_api(role=Role.MANAGER)
def post_moderate(request: HttpRequest, tracking_number: str, payload: ModerateIn):
    complaint = _complaint_for(request, tracking_number)
    actor, reason, action = request.user, payload.reason, payload.action
    if action == "edit":
        if payload.description is None:
            raise InvalidInput(_("Send the new description."), field="description")
        services.moderate_complaint(
            complaint=complaint,
            actor=actor,
            description=payload.description,
            reason=reason,
            request=request,
        )
    elif action in ("hide", "unhide"):
        services.moderate_complaint(
            complaint=complaint,
            actor=actor,
            hidden=action == "hide",
            reason=reason,
            request=request,
        )
    elif action in ("hide_photo", "show_photo"):
        if payload.media_id is None:
            raise InvalidInput(_("Name the photo (media_id)."), field="media_id")
        media = selectors.complaint_photo(complaint, payload.media_id)
        services.set_photo_hidden(
            complaint=complaint,
            media=media,
            actor=actor,
            hidden=action == "hide_photo",
            reason=reason,
            request=request,
        )
    elif action == "ban":
        services.ban_reporter(complaint=complaint, actor=actor, reason=reason, request=request)
    else:
        services.unban_reporter(complaint=complaint, actor=actor, request=request)
    return _fresh(complaint)


@router.get("/stats", response=StatsOut, summary="Statistics of the city's reports")
@official_api(role=Role.VIEWER)
def get_stats(request: HttpRequest, query: Query[StatsQuery]):
    city = city_selectors.current_city()
    filters = Filters(
        categories=(query.category,) if query.category else (),
        districts=(query.district,) if query.district else (),
        start=day_start(query.start),
        end=day_end(query.end),
    )
    numbers: DeskStatistics = selectors.desk_statistics(city, filters, now=timezone.now())
    return StatsOut(
        overall=_tally(numbers.overall),
        median_days_to_resolve=numbers.median_days_to_resolve,
        by_category=[_tally(t) for t in numbers.by_category],
        by_district=[_tally(t) for t in numbers.by_district],
        by_status=[_tally(t) for t in numbers.by_status],
        by_month=[_tally(t) for t in numbers.by_month],
    )
