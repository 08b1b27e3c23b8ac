"""Reads of the Smart Complaint Report: public lists and maps, nearby open reports, the
officials' queues and the statistics, the filters all of them share, and the lookups the pages,
the APIs and Open311 make. Public reads never carry personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.complaints.models import (
    ApiClient,
    Category,
    Complaint,
    ComplaintEvent,
    ResponseTemplate,
    Status,
    hash_api_key,
)
from hamkke.core.days import day_end, day_start
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.geo import cells_within, distance_m
from hamkke.core.models import City, Department, Media


def active_categories(city: City) -> list[Category]:
    return list(
        Category.objects.filter(city=city, active=True)
        .select_related("group", "department")
        .order_by("group__order", "order")
    )


def category_by_code(city: City, code: str) -> Category:
    try:
        category = Category.objects.select_related("group").get(city=city, code=code, active=True)
    except Category.DoesNotExist as exc:
        raise NotFound(_("No category with code %(code)s.") % {"code": code}) from exc
    category.city = city  # the caller's city: filing a report needs it, without a query
    return category


def _public(city: City) -> QuerySet[Complaint]:
    return Complaint.objects.filter(city=city, hidden=False)


# A report sent again from the same device with the same text this close, this soon, is the
# same report (a phone app retrying after a lost answer): the API offers the first instead.
REPEAT_WINDOW = timedelta(minutes=5)
REPEAT_RADIUS_M = 30.0


def repeated_report(
    city: City,
    *,
    device_id: str,
    description: str,
    latitude: float,
    longitude: float,
    now: datetime,
) -> Complaint | None:
    """The public report `device_id` filed within REPEAT_WINDOW before `now` with the same text
    (spacing aside) within REPEAT_RADIUS_M of the point, the latest if several; None without a
    device id."""
    if not device_id:
        return None
    text = " ".join(description.split())
    recent = (
        _public(city)
        .filter(device_id=device_id, created_at__gte=now - REPEAT_WINDOW, created_at__lte=now)
        .select_related("location")
        .order_by("-created_at", "-id")[:20]
    )
    for complaint in recent:
        where = complaint.location
        if (
            " ".join(complaint.description.split()) == text
            and distance_m(latitude, longitude, where.latitude, where.longitude) <= REPEAT_RADIUS_M
        ):
            return complaint
    return None


def public_complaint(city: City, tracking_number: str) -> Complaint:
    """One report as the public sees it, with its history and visible photos."""
    try:
        return (
            _public(city)
            .select_related("category", "district", "department", "location", "duplicate_of")
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=ComplaintEvent.objects.select_related("department").order_by(
                        "created_at", "id"
                    ),
                )
            )
            .get(tracking_number=tracking_number)
        )
    except Complaint.DoesNotExist as exc:
        raise NotFound(
            _("No report with number %(number)s.") % {"number": tracking_number}
        ) from exc


def media_of(target, *, include_hidden: bool = False) -> list[Media]:
    media = Media.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).order_by("created_at", "id")
    if not include_hidden:
        media = media.filter(hidden=False)
    return list(media)


def media_by_target(model, ids: list[int], *, include_hidden: bool = False) -> dict[int, list]:
    """Media of many objects of one model in one query, keyed by object id."""
    media = Media.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=[str(i) for i in ids]
    ).order_by("created_at", "id")
    if not include_hidden:
        media = media.filter(hidden=False)
    grouped: dict[int, list] = {}
    for item in media:
        grouped.setdefault(int(item.target_id), []).append(item)
    return grouped


@dataclass(frozen=True)
class Nearby:
    complaint: Complaint
    distance_m: float


def open_nearby(
    category: Category, latitude: float, longitude: float, *, limit: int = 10
) -> list[Nearby]:
    """Open reports of the same category within the category's radius, nearest first: shown
    before filing so that the reporter can follow one instead of filing a duplicate."""
    radius = category.duplicate_radius_m
    candidates = (
        _public(category.city)
        .filter(
            category=category,
            is_open=True,
            location__h3_cell__in=cells_within(latitude, longitude, radius),
        )
        .select_related("location", "district")
    )
    found = []
    for complaint in candidates[:500]:
        d = distance_m(
            latitude, longitude, complaint.location.latitude, complaint.location.longitude
        )
        if d <= radius:
            found.append(Nearby(complaint, round(d, 1)))
    found.sort(key=lambda n: n.distance_m)
    return found[:limit]


@dataclass(frozen=True)
class Filters:
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    open_only: bool | None = None


def public_filters(
    *,
    categories: Sequence[str] = (),
    statuses: Sequence[str] = (),
    districts: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    open_only: bool | None = None,
) -> Filters:
    """The public list's and map's filters as the API reads them; unknown statuses are refused
    by name."""
    unknown = sorted(set(statuses) - set(Status.values))
    if unknown:
        raise InvalidInput(
            _("Unknown status %(statuses)s; use one of: %(known)s.")
            % {"statuses": ", ".join(unknown), "known": ", ".join(Status.values)},
            field="status",
        )
    return Filters(
        categories=tuple(categories),
        statuses=tuple(statuses),
        districts=tuple(districts),
        start=day_start(start),
        end=day_end(end),
        open_only=open_only,
    )


# The desk queue's status choice: empty for every open status, "any" for all of them.
QUEUE_OPEN = ""
QUEUE_ANY_STATUS = "any"


def queue_filters(
    *,
    status: str = QUEUE_OPEN,
    category: str = "",
    district: str = "",
    start: date | None = None,
    end: date | None = None,
) -> Filters:
    """The desk queue's filters as the page and the desk API read them. An unknown status is
    refused (the page's form offers only known ones)."""
    if status not in (QUEUE_OPEN, QUEUE_ANY_STATUS) and status not in Status.values:
        raise InvalidInput(_("Unknown status %(s)s.") % {"s": status}, field="status")
    return Filters(
        categories=(category,) if category else (),
        districts=(district,) if district else (),
        statuses=(status,) if status not in (QUEUE_OPEN, QUEUE_ANY_STATUS) else (),
        # department_queue shows open reports unless a status is chosen or this is False.
        open_only=False if status == QUEUE_ANY_STATUS else None,
        start=day_start(start),
        end=day_end(end),
    )


def period_filters(
    *, category: str = "", district: str = "", start: date | None = None, end: date | None = None
) -> Filters:
    """The statistics' filters (a period, a district, a category), for the page and the API."""
    return Filters(
        categories=(category,) if category else (),
        districts=(district,) if district else (),
        start=day_start(start),
        end=day_end(end),
    )


def filtered(city: City, filters: Filters, *, public: bool = True) -> QuerySet[Complaint]:
    complaints = _public(city) if public else Complaint.objects.filter(city=city)
    if filters.categories:
        complaints = complaints.filter(category__code__in=filters.categories)
    if filters.statuses:
        complaints = complaints.filter(status__in=filters.statuses)
    if filters.districts:
        complaints = complaints.filter(district__code__in=filters.districts)
    if filters.start:
        complaints = complaints.filter(created_at__gte=filters.start)
    if filters.end:
        complaints = complaints.filter(created_at__lte=filters.end)
    if filters.open_only is not None:
        complaints = complaints.filter(is_open=filters.open_only)
    return complaints


def public_list(city: City, filters: Filters) -> QuerySet[Complaint]:
    """The public list, newest first (the id keeps reports filed at the same moment in one
    order from page to page)."""
    return (
        filtered(city, filters)
        .select_related("category", "district", "location", "department", "duplicate_of")
        .order_by("-created_at", "-id")
    )


def geojson(city: City, filters: Filters, *, limit: int = 5000) -> dict:
    """The public map's data: a FeatureCollection of points, newest first."""
    rows = (
        filtered(city, filters)
        .order_by("-created_at")
        .values_list(
            "tracking_number",
            "status",
            "category__code",
            "category__name",
            "category__name_en",
            "location__latitude",
            "location__longitude",
            "created_at",
        )[:limit]
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": number,
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {
                    "tracking_number": number,
                    "status": status,
                    "category": code,
                    "category_name": name,
                    "category_name_en": name_en,
                    "created_at": created.isoformat(),
                    "url": f"/complaints/{number}/",
                },
            }
            for number, status, code, name, name_en, lat, lon, created in rows
        ],
    }


# --- officials -------------------------------------------------------------------------------


QUEUE_SORTS = {
    "age": ("created_at",),
    "newest": ("-created_at",),
    "sla": ("expected_at",),
    "updated": ("-updated_at",),
}


def department_queue(
    department_ids: list[int],
    filters: Filters,
    *,
    sort: str = "sla",
    overdue_only: bool = False,
    handler_id: int | None = None,
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(department_id__in=department_ids)
    if filters.categories:
        complaints = complaints.filter(category__code__in=filters.categories)
    if filters.statuses:
        complaints = complaints.filter(status__in=filters.statuses)
    elif filters.open_only is not False:
        complaints = complaints.filter(is_open=True)
    if filters.districts:
        complaints = complaints.filter(district__code__in=filters.districts)
    if filters.start:
        complaints = complaints.filter(created_at__gte=filters.start)
    if filters.end:
        complaints = complaints.filter(created_at__lte=filters.end)
    if overdue_only:
        complaints = complaints.filter(is_open=True, expected_at__lt=timezone.now())
    if handler_id is not None:
        complaints = complaints.filter(handler_id=handler_id)
    return complaints.select_related(
        "category", "district", "department", "handler", "location"
    ).order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["sla"]))


def official_complaint(tracking_number: str) -> Complaint:
    try:
        return (
            Complaint.objects.select_related(
                "category",
                "district",
                "department",
                "handler",
                "location",
                "reporter",
                "duplicate_of",
                "api_client",
            )
            .prefetch_related(
                Prefetch(
                    "events",
                    queryset=ComplaintEvent.objects.select_related("actor", "department").order_by(
                        "created_at", "id"
                    ),
                )
            )
            .get(tracking_number=tracking_number)
        )
    except Complaint.DoesNotExist as exc:
        raise NotFound(
            _("No report with number %(number)s.") % {"number": tracking_number}
        ) from exc


def templates_for(complaint: Complaint) -> list[ResponseTemplate]:
    return list(
        ResponseTemplate.objects.filter(city_id=complaint.city_id)
        .filter(Q(category=complaint.category) | Q(category__isnull=True))
        .order_by("category", "title")
    )


def _local_name(row: dict, prefix: str) -> str:
    """The English name when the page is in English and one exists, else the local name."""
    if (get_language() or "").startswith("en") and row[f"{prefix}__name_en"]:
        return row[f"{prefix}__name_en"]
    return row[f"{prefix}__name"]


# --- Open311 ---------------------------------------------------------------------------------


def open311_requests(
    city: City,
    *,
    ids: tuple[str, ...] = (),
    service_codes: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    window: tuple[datetime, datetime] | None = None,
) -> QuerySet[Complaint]:
    """Public requests, newest first. Ids, when given, override the other filters (as the
    specification says)."""
    complaints = _public(city).select_related(
        "category", "department", "location", "district", "duplicate_of"
    )
    if ids:
        return complaints.filter(tracking_number__in=ids).order_by("-created_at")
    if service_codes:
        # By id, not through a join on the code, so the planner keeps to the
        # (city, category, created_at) index at any table size.
        categories = Category.objects.filter(city=city, code__in=service_codes)
        category_ids = list(categories.values_list("pk", flat=True))
        complaints = complaints.filter(category_id__in=category_ids)
    if statuses and set(statuses) != {"open", "closed"}:
        complaints = complaints.filter(is_open=statuses[0] == "open")
    if window:
        complaints = complaints.filter(created_at__gte=window[0], created_at__lte=window[1])
    return complaints.order_by("-created_at")


def complaint_by_token(city: City, token: str) -> Complaint | None:
    """A public report by the token Open311 handed the app that filed it."""
    return Complaint.objects.filter(city=city, token=token, hidden=False).first()


def api_client_by_key(key: str) -> ApiClient | None:
    """The active app whose key this is (compared by its hash); None for a wrong or revoked
    key."""
    return ApiClient.objects.filter(key_hash=hash_api_key(key), active=True).first()


def api_client_by_name(name: str) -> ApiClient | None:
    return ApiClient.objects.filter(name=name).first()


def api_clients() -> list[ApiClient]:
    return list(ApiClient.objects.order_by("name"))


def first_photos(complaints) -> dict[int, str]:
    """The first visible photo's URL of each complaint, in one query."""
    ids = [c.pk for c in complaints]
    return {
        pk: items[0].file.url
        for pk, items in media_by_target(Complaint, ids).items()
        if items and items[0].kind == "photo"
    }


def public_notes(complaints) -> dict[int, list[ComplaintEvent]]:
    grouped: dict[int, list[ComplaintEvent]] = {}
    events = ComplaintEvent.objects.filter(complaint__in=[c.pk for c in complaints])
    for event in events.select_related("department").order_by("created_at", "id"):
        grouped.setdefault(event.complaint_id, []).append(event)
    return grouped


def open311_updates(city: City, *, start: datetime, end: datetime) -> QuerySet[ComplaintEvent]:
    return (
        ComplaintEvent.objects.filter(
            complaint__city=city,
            complaint__hidden=False,
            created_at__gte=start,
            created_at__lte=end,
        )
        .select_related("complaint")
        .order_by("created_at", "id")
    )


# --- personal data ---------------------------------------------------------------------------


def personal_data_of(user) -> dict:
    """What the complaints service holds about a person: their reports and what they follow."""
    reports = Complaint.objects.filter(reporter=user).select_related("category", "district")
    return {
        "reports": [
            {
                "tracking_number": c.tracking_number,
                "category": c.category.code,
                "district": c.district.name,
                "description": c.description,
                "status": c.status,
                "filed_at": c.created_at.isoformat(),
                "rating": c.rating,
                "rating_comment": c.rating_comment,
            }
            for c in reports.order_by("created_at")
        ],
        "following": list(
            Complaint.objects.filter(follows__user=user).values_list("tracking_number", flat=True)
        ),
    }


# --- officials' desk ---


@dataclass(frozen=True)
class DeskPlace:
    """A department whose queue an official works in, and the role they hold there."""

    department: Department
    role: int


def desk_places(user, city: City) -> list[DeskPlace]:
    """The departments on an official's desk: their memberships, or every department of the
    city for a superuser (an administrator everywhere)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return [
            DeskPlace(department, Role.ADMINISTRATOR)
            for department in Department.objects.filter(city=city).order_by("name")
        ]
    return [
        DeskPlace(membership.department, membership.role)
        for membership in account_selectors.memberships_in_city(user, city)
    ]


class Assignee(StrEnum):
    ANYONE = ""
    ME = "me"
    NOBODY = "none"


def desk_queue(
    department_ids: list[int],
    filters: Filters,
    *,
    user,
    sort: str = "sla",
    overdue_only: bool = False,
    assignee: str = Assignee.ANYONE,
) -> QuerySet[Complaint]:
    """A department queue with the desk's extra filter (mine / unassigned) and an order that
    pages stably: reports with the same date keep one order from page to page."""
    complaints = department_queue(
        department_ids,
        filters,
        sort=sort,
        overdue_only=overdue_only,
        handler_id=user.pk if assignee == Assignee.ME else None,
    )
    if assignee == Assignee.NOBODY:
        complaints = complaints.filter(handler__isnull=True)
    return complaints.order_by(*QUEUE_SORTS.get(sort, QUEUE_SORTS["sla"]), "pk")


def transfer_departments(complaint: Complaint) -> QuerySet[Department]:
    """Where a report may be transferred: the city's other departments."""
    return Department.objects.filter(city_id=complaint.city_id).exclude(pk=complaint.department_id)


def city_departments(city: City) -> QuerySet[Department]:
    """The city's departments by name, as choices (bulk transfers)."""
    return Department.objects.filter(city=city).order_by("name")


def categories_of(city: City) -> list[Category]:
    """Every category of the city, inactive ones too (old reports keep them), in the profile's
    order: the desk's filters."""
    return list(Category.objects.filter(city=city).order_by("group__order", "order", "code"))


def handler_accounts(department_ids: list[int]) -> QuerySet[User]:
    """Who reports can be assigned to: handlers (and above) of these departments."""
    return account_selectors.officials_of(department_ids, least=Role.HANDLER)


def result_photos(complaint: Complaint) -> dict[int, list[Media]]:
    """Photos officials attached to the report's events, by event id, hidden ones included."""
    return media_by_target(
        ComplaintEvent, [event.pk for event in complaint.events.all()], include_hidden=True
    )


def duplicates_of(complaint: Complaint) -> list[Complaint]:
    return list(complaint.duplicates.only("tracking_number", "status").order_by("created_at"))


def complaint_by_number(tracking_number: str) -> Complaint:
    """Any report by its number, for officials naming the original of a duplicate."""
    number = (tracking_number or "").strip().upper()
    complaint = Complaint.objects.filter(tracking_number=number).first()
    if complaint is None:
        raise NotFound(_("No report with number %(number)s.") % {"number": number})
    return complaint


def complaint_photo(complaint: Complaint, media_id: int) -> Media:
    """One of the report's own photos (hidden ones too), for moderation."""
    media = Media.objects.filter(
        pk=media_id,
        target_type=ContentType.objects.get_for_model(Complaint),
        target_id=str(complaint.pk),
    ).first()
    if media is None:
        raise NotFound(_("That photo is not part of this report."))
    return media


def official_by_id(user_id: int) -> User:
    """An official (a member of some department) to assign reports to."""
    user = account_selectors.official_by_id(user_id)
    if user is None:
        raise NotFound(_("No official with id %(id)s.") % {"id": user_id}, code="no_official")
    return user


# Statistics at scale: every figure is counted by the database; no report row is read into
# Python.


@dataclass(frozen=True)
class Tally:
    """Counts for one group of reports (a category, a district, a status, a month)."""

    key: str
    label: str
    total: int
    open: int
    overdue: int
    resolved: int
    within_sla: int

    @property
    def share_within_sla(self) -> float | None:
        return round(self.within_sla / self.resolved, 4) if self.resolved else None


@dataclass(frozen=True)
class DeskStatistics:
    overall: Tally
    median_days_to_resolve: float | None
    by_category: list[Tally]
    by_district: list[Tally]
    by_status: list[Tally]
    by_month: list[Tally]


def _tally_counts(now: datetime) -> dict:
    # A report "resolved" is one answered (resolved, rejected or duplicate): the same rows
    # statistics_for counts, those with resolved_at.
    return {
        "total": Count("id"),
        "open": Count("id", filter=Q(is_open=True)),
        "overdue": Count("id", filter=Q(is_open=True, expected_at__lt=now)),
        "resolved": Count("id", filter=Q(resolved_at__isnull=False)),
        "within_sla": Count("id", filter=Q(resolved_at__lte=F("expected_at"))),
    }


def _tally(key: str, label: str, row: dict) -> Tally:
    return Tally(
        key=key,
        label=label,
        total=row["total"],
        open=row["open"],
        overdue=row["overdue"],
        resolved=row["resolved"],
        within_sla=row["within_sla"],
    )


class _MedianOf(Aggregate):
    """PostgreSQL's ordered-set aggregate: the exact median, computed in the database."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _resolve_days(vendor: str):
    """Days from filing to answer, as a number the database can sort and average."""
    if vendor == "postgresql":
        return Func(
            ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField()),
            template="EXTRACT(EPOCH FROM %(expressions)s) / 86400.0",
            output_field=FloatField(),
        )
    if vendor == "sqlite":
        # julianday() is built into SQLite; Django's own datetime difference is a Python
        # function called per row, far slower on a million reports.
        return Func(F("resolved_at"), function="julianday", output_field=FloatField()) - Func(
            F("created_at"), function="julianday", output_field=FloatField()
        )
    return ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def median_days_to_resolve(complaints: QuerySet[Complaint]) -> float | None:
    """The median days from filing to answer over `complaints`: percentile_cont on
    PostgreSQL; elsewhere the database sorts and only the middle one or two rows are read."""
    resolved = complaints.filter(resolved_at__isnull=False).order_by()
    vendor = connections[resolved.db].vendor
    days = _resolve_days(vendor)
    if vendor == "postgresql":
        median = resolved.aggregate(median=_MedianOf(days))["median"]
        return None if median is None else round(median, 2)
    count = resolved.count()
    if not count:
        return None
    middle = list(
        resolved.annotate(days=days)
        .order_by("days")
        .values_list("days", flat=True)[(count - 1) // 2 : count // 2 + 1]
    )
    values = [m.total_seconds() / 86400 if isinstance(m, timedelta) else m for m in middle]
    return round(sum(values) / len(values), 2)


def desk_statistics(city: City, filters: Filters, *, now: datetime | None = None) -> DeskStatistics:
    """The statistics page: totals, the median days to an answer and the share answered
    within the SLA, by category, district, status and month. Hidden reports count too."""
    now = now or timezone.now()
    complaints = filtered(city, filters, public=False).order_by()
    counts = _tally_counts(now)
    overall = _tally("total", _("All reports"), complaints.aggregate(**counts))
    by_category = [
        _tally(row["category__code"], _local_name(row, "category"), row)
        for row in complaints.values("category__code", "category__name", "category__name_en")
        .annotate(**counts)
        .order_by("-total", "category__code")
    ]
    by_district = [
        _tally(row["district__code"], _local_name(row, "district"), row)
        for row in complaints.values("district__code", "district__name", "district__name_en")
        .annotate(**counts)
        .order_by("-total", "district__code")
    ]
    by_status = [
        _tally(row["status"], str(Status(row["status"]).label), row)
        for row in complaints.values("status").annotate(**counts).order_by("-total", "status")
    ]
    by_month = [
        _tally(row["month"].strftime("%Y-%m"), row["month"].strftime("%Y-%m"), row)
        for row in complaints.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    ]
    return DeskStatistics(
        overall=overall,
        median_days_to_resolve=median_days_to_resolve(complaints),
        by_category=by_category,
        by_district=by_district,
        by_status=by_status,
        by_month=by_month,
    )


def report_rows(city: City, filters: Filters):
    """One row per report for the per-report CSV, streamed: no contact details, no reporter,
    no text (a hidden report's text may be why it was hidden)."""
    return (
        filtered(city, filters, public=False)
        .order_by("created_at", "pk")
        .values_list(
            "tracking_number",
            "category__code",
            "district__code",
            "department__code",
            "channel",
            "status",
            "created_at",
            "expected_at",
            "resolved_at",
            "hidden",
        )
        .iterator(chunk_size=2000)
    )


# --- citizen pages ---


def category_groups(city: City) -> list[tuple]:
    """Active categories under their groups, in the profile's order: (group, [categories])
    pairs for the report form's <optgroup>s, from one query."""
    groups: dict[int, tuple] = {}
    for category in active_categories(city):
        groups.setdefault(category.group_id, (category.group, []))[1].append(category)
    return list(groups.values())


def first_thumbnails(complaints) -> dict[int, str]:
    """The first visible photo's thumbnail of each complaint, for lists, in one query."""
    found = {}
    for pk, items in media_by_target(Complaint, [c.pk for c in complaints]).items():
        photo = next((m for m in items if m.kind == "photo" and m.thumbnail), None)
        if photo is not None:
            found[pk] = photo.thumbnail_url
    return found


def public_result_photos(complaint: Complaint) -> dict[int, list[Media]]:
    """Visible photos officials attached to a report's steps, by event id; the events must be
    prefetched (public_complaint does)."""
    return media_by_target(ComplaintEvent, [event.pk for event in complaint.events.all()])


def reopen_days(city: City) -> int:
    """How long after an answer its reporter may reopen it (the profile's reopen_days)."""
    return city.profile.get("complaints", {}).get("reopen_days", 14)


def reopen_deadline(complaint: Complaint, city: City) -> datetime | None:
    """Until when the reporter may reopen or ask for a further answer; None when the report
    has no answer yet."""
    if complaint.resolved_at is None:
        return None
    return complaint.resolved_at + timedelta(days=reopen_days(city))


def is_following(complaint: Complaint, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return complaint.follows.filter(user=user).exists()


def reports_by(user) -> QuerySet[Complaint]:
    """The reports a person filed, newest first, hidden ones included (they are theirs)."""
    return (
        Complaint.objects.filter(reporter=user)
        .select_related("category", "district")
        .order_by("-created_at")
    )


def followed_by(user) -> list[Complaint]:
    """The public reports a person follows ("me too"), newest first."""
    return list(
        Complaint.objects.filter(follows__user=user, hidden=False)
        .select_related("category", "district")
        .order_by("-created_at")
    )
