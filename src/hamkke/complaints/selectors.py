"""Reads of the Smart Complaint Report: public lists and maps, nearby open reports, the
officials' queues and the statistics. Public reads never carry personal data."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    ResponseTemplate,
    Status,
)
from hamkke.core.errors import NotFound
from hamkke.core.geo import cells_within, distance_m
from hamkke.core.models import City, Media


def active_categories(city: City) -> list[Category]:
    return list(
        Category.objects.filter(city=city, active=True)
        .select_related("group", "department")
        .order_by("group__order", "order")
    )


def category_by_code(city: City, code: str) -> Category:
    try:
        return Category.objects.select_related("group").get(city=city, code=code, active=True)
    except Category.DoesNotExist as exc:
        raise NotFound(_("No category with code %(code)s.") % {"code": code}) from exc


def _public(city: City) -> QuerySet[Complaint]:
    return Complaint.objects.filter(city=city, hidden=False)


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
    return filtered(city, filters).select_related("category", "district", "location", "department")


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


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statistics:
    total: int
    by_category: list[tuple[str, int]]
    by_district: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    median_days_to_resolve: float | None
    share_within_sla: float | None
    resolved: int


def statistics_for(city: City, filters: Filters) -> Statistics:
    complaints = filtered(city, filters, public=False)
    by_category = [
        (_local_name(row, "category"), row["n"])
        for row in complaints.values("category__name", "category__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    by_district = [
        (_local_name(row, "district"), row["n"])
        for row in complaints.values("district__name", "district__name_en")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]
    by_status = [
        (str(Status(row["status"]).label), row["n"])
        for row in complaints.values("status").annotate(n=Count("id")).order_by("-n")
    ]
    months = [
        (row["month"].strftime("%Y-%m"), row["n"])
        for row in complaints.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    ]
    durations, within = [], 0
    for created, resolved, expected in (
        complaints.filter(resolved_at__isnull=False)
        .values_list("created_at", "resolved_at", "expected_at")
        .iterator(chunk_size=5000)
    ):
        durations.append((resolved - created).total_seconds() / 86400)
        within += resolved <= expected
    return Statistics(
        total=complaints.count(),
        by_category=by_category,
        by_district=by_district,
        by_status=by_status,
        by_month=months,
        median_days_to_resolve=round(statistics.median(durations), 2) if durations else None,
        share_within_sla=round(within / len(durations), 4) if durations else None,
        resolved=len(durations),
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
        complaints = complaints.filter(category__code__in=service_codes)
    if statuses and set(statuses) != {"open", "closed"}:
        complaints = complaints.filter(is_open=statuses[0] == "open")
    if window:
        complaints = complaints.filter(created_at__gte=window[0], created_at__lte=window[1])
    return complaints.order_by("-created_at")


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
