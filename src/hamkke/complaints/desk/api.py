"""The officials' JSON API (/api/v1/complaints/desk): queues, one report with its private
fields, the workflow, assignment, bulk actions, moderation and statistics. Session
authentication with CSRF on writes; roles and the second factor as on the desk pages, and the
same policies and services."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.security import django_auth

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.accounts.permissions import official_api
from hamkke.complaints import policies, selectors, services, workflow
from hamkke.complaints.desk.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    EventOut,
    ModerateIn,
    PersonOut,
    PhotoOut,
    QueuePageOut,
    QueueQuery,
    Ref,
    ReporterOut,
    ReportOut,
    StatsOut,
    StatsQuery,
    StatusIn,
    TallyOut,
    TemplateOut,
)
from hamkke.complaints.models import Complaint, ComplaintEvent, Status
from hamkke.complaints.selectors import Assignee, DeskStatistics, Tally
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput

router = Router(tags=["complaints desk"], auth=django_auth)


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
    policies.may_read(policies.seat_at(request.actor, complaint.department)).enforce()
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
        policies.may_see_queue(places, query.department).enforce()
        places = [p for p in places if p.department.code == query.department]
    filters = selectors.queue_filters(
        status=query.status,
        category=query.category,
        district=query.district,
        start=query.start,
        end=query.end,
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
        actor=request.actor,
        status=payload.status,
        public_note=payload.public_note,
        internal_note=payload.internal_note,
        duplicate_of=duplicate_of,
        department=department,
    )
    return _fresh(complaint)


@router.post("/reports/{tracking_number}/assign", response=ReportOut, summary="Assign to a handler")
@official_api(role=Role.MANAGER)
def post_assign(request: HttpRequest, tracking_number: str, payload: AssignIn):
    complaint = _complaint_for(request, tracking_number)
    handler = None if payload.handler_id is None else selectors.official_by_id(payload.handler_id)
    services.assign_handler(complaint=complaint, actor=request.actor, handler=handler)
    return _fresh(complaint)


@router.post("/bulk", response=BulkOut, summary="One action on many reports, each on its own")
@official_api(role=Role.HANDLER)
def post_bulk(request: HttpRequest, payload: BulkIn):
    handler = None if payload.handler_id is None else selectors.official_by_id(payload.handler_id)
    department = (
        account_selectors.department_by_code(payload.department) if payload.department else None
    )
    result = services.act_in_bulk(
        actor=request.actor,
        tracking_numbers=payload.tracking_numbers,
        action=payload.action,
        handler=handler,
        department=department,
        public_note=payload.public_note,
        internal_note=payload.internal_note,
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
    actor, reason, action = request.actor, payload.reason, payload.action
    if action == "edit":
        if payload.description is None:
            raise InvalidInput(_("Send the new description."), field="description")
        services.moderate_complaint(
            complaint=complaint, actor=actor, description=payload.description, reason=reason
        )
    elif action in ("hide", "unhide"):
        services.moderate_complaint(
            complaint=complaint, actor=actor, hidden=action == "hide", reason=reason
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
        )
    elif action == "ban":
        services.ban_reporter(complaint=complaint, actor=actor, reason=reason)
    else:
        services.unban_reporter(complaint=complaint, actor=actor)
    return _fresh(complaint)


@router.get("/stats", response=StatsOut, summary="Statistics of the city's reports")
@official_api(role=Role.VIEWER)
def get_stats(request: HttpRequest, query: Query[StatsQuery]):
    city = city_selectors.current_city()
    filters = selectors.period_filters(
        category=query.category, district=query.district, start=query.start, end=query.end
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
