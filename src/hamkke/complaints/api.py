"""Hamkke's own JSON API for reports (/api/v1/complaints): public reads and citizens' actions.
Apps that only file and follow reports can use the standard Open311 API at /open311/v2/.

Filing is open to anyone (anonymous reports are allowed), limited per address and per account
as on the report form; a signed-in browser session must send its CSRF token, so another site
cannot file in a person's name."""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.security import django_auth

from hamkke.complaints import filing, selectors, services
from hamkke.complaints.models import Complaint
from hamkke.complaints.models import Status as ComplaintStatus
from hamkke.complaints.schemas import (
    CategoryOut,
    ComplaintDetailOut,
    ComplaintIn,
    ComplaintPageOut,
    EventOut,
    FiledOut,
    FiltersIn,
    FollowOut,
    MediaOut,
    NearbyOut,
    RateIn,
    ReopenIn,
)
from hamkke.core import idempotency, ratelimit
from hamkke.core.city.selectors import current_city, district_at
from hamkke.core.errors import InvalidInput
from hamkke.core.models import Media
from hamkke.core.web import bounds
from hamkke.core.web.api import one_page, session_user

router = Router(tags=["complaints"])


def _absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url) if url else ""


def _media_out(request: HttpRequest, media: Media) -> MediaOut:
    return MediaOut(
        kind=media.kind,
        url=_absolute(request, media.url),
        thumbnail_url=_absolute(request, media.thumbnail_url),
        content_type=media.content_type,
        width=media.width,
        height=media.height,
    )


def _detail_out(
    request: HttpRequest,
    complaint: Complaint,
    *,
    schema: type[ComplaintDetailOut] = ComplaintDetailOut,
) -> ComplaintDetailOut:
    """A report with its photos and public history; `complaint` comes from
    selectors.public_complaint (events prefetched)."""
    result_photos = selectors.public_result_photos(complaint)
    history = [
        EventOut(
            status=event.status,
            status_label=str(ComplaintStatus(event.status).label),
            note=event.public_note,
            department=event.department.display_name if event.department else None,
            created_at=event.created_at,
            photos=[_media_out(request, m) for m in result_photos.get(event.pk, [])],
        )
        for event in complaint.events.all()
    ]
    complaint.public_photos = [_media_out(request, m) for m in selectors.media_of(complaint)]
    complaint.public_history = history
    return schema.from_orm(complaint)


def _filed_out(request: HttpRequest, complaint: Complaint, *, likely_duplicate: bool) -> FiledOut:
    public = _public(complaint.tracking_number)
    public.likely_duplicate = likely_duplicate
    return _detail_out(request, public, schema=FiledOut)


def _public(tracking_number: str) -> Complaint:
    return selectors.public_complaint(current_city(), tracking_number.strip().upper())


def _filters(filters: FiltersIn) -> selectors.Filters:
    for name, day in (("from", filters.start), ("to", filters.end)):
        if day is not None and not bounds.day_in_range(day):
            raise InvalidInput(
                _("%(name)s must be a day between %(range)s.")
                % {"name": name, "range": bounds.DAYS_TEXT},
                field=name,
            )
    return selectors.public_filters(
        categories=filters.category,
        statuses=filters.status,
        districts=filters.district,
        start=filters.start,
        end=filters.end,
        open_only=filters.open,
    )


# --- reads -----------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], summary="What can be reported")
def list_categories(request: HttpRequest):
    """Active categories in the profile's order, with their groups and extra questions."""
    return [
        CategoryOut(
            code=c.code,
            name=c.name,
            name_en=c.name_en,
            description=c.description,
            description_en=c.description_en,
            group={"code": c.group.code, "name": c.group.name, "name_en": c.group.name_en},
            sla_days=c.sla_days,
            duplicate_radius_m=c.duplicate_radius_m,
            questions=c.questions,
        )
        for c in selectors.active_categories(current_city())
    ]


@router.get("", response=ComplaintPageOut, summary="Reports, newest first, with filters")
def list_complaints(
    request: HttpRequest,
    filters: Query[FiltersIn],
    page: int = 1,
    page_size: int = 20,
):
    """Public reports only; `page_size` is at most 100."""
    complaints = selectors.public_list(current_city(), _filters(filters))
    return ComplaintPageOut(**one_page(complaints, page, page_size))


@router.get("/nearby", response=list[NearbyOut], summary="Open reports near a point")
def nearby(request: HttpRequest, category: str, latitude: float, longitude: float):
    """Open reports of the category within its radius, nearest first: before filing, follow
    one of these instead of sending the same report again. A point outside the city answers
    400 `outside_city`."""
    city = current_city()
    found = selectors.category_by_code(city, category)
    district_at(city, latitude, longitude)
    return [
        NearbyOut(
            tracking_number=n.complaint.tracking_number,
            category=found.code,
            status=n.complaint.status,
            status_label=str(ComplaintStatus(n.complaint.status).label),
            distance_m=n.distance_m,
            description=n.complaint.description,
            created_at=n.complaint.created_at,
            followers_count=n.complaint.followers_count,
            url=f"/complaints/{n.complaint.tracking_number}/",
        )
        for n in selectors.open_nearby(found, latitude, longitude)
    ]


@router.get("/map.geojson", summary="Reports as a GeoJSON FeatureCollection")
def map_geojson(request: HttpRequest, filters: Query[FiltersIn]):
    """The same filters as the list; at most the 5,000 newest reports. A day in `from` or `to`
    outside 1900-01-01 to 2999-12-31 answers 400."""
    return selectors.geojson(current_city(), _filters(filters))


@router.get("/{tracking_number}", response=ComplaintDetailOut, summary="One report")
def get_complaint(request: HttpRequest, tracking_number: str):
    """Its photos, public history (with result photos) and the city's answer. A report hidden
    by a moderator answers 404 like a missing one."""
    return _detail_out(request, _public(tracking_number))


# --- citizens' actions -----------------------------------------------------------------------


def _answers(text: str) -> dict:
    if not text.strip():
        return {}
    try:
        answers = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(
            _("answers must be a JSON object of question codes and answers."), field="answers"
        ) from exc
    if not isinstance(answers, dict):
        raise InvalidInput(
            _("answers must be a JSON object of question codes and answers."), field="answers"
        )
    return answers


def _filing_client(request: HttpRequest) -> str:
    """Whose idempotency keys these are: the account, or for an app without one its address."""
    user = request.user
    if user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{request.actor.address}"


@router.post(
    "",
    response={201: FiledOut, 200: FiledOut},
    summary="File a report (multipart/form-data, photos and a video as files)",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("complaints.create", client=_filing_client))
def create_complaint(
    request: HttpRequest,
    payload: Form[ComplaintIn],
    photos: File[list[UploadedFile]] = None,
    video: File[UploadedFile] = None,
):
    """Anonymous or signed in. Up to 5 `photos` and one `video`. Refusals answer 4xx with
    {detail, code, field}: 400 outside the city or a file that is not what it claims, 413 a
    file too large, 429 too many reports in a short time. Nothing is kept from a refused
    report.

    Retrying safely: send an `Idempotency-Key` header (any unique string, at most 255
    characters; a UUID is best). A retry with the same key and the same content within 24
    hours answers the first response again (header `Idempotent-Replayed: true`) and files
    nothing; the same key with different content answers 409 `idempotency_key_reused`.
    Without a key, a report from the same `device_id` with the same text within 30 m of the
    same point within 5 minutes is not filed again: the answer is 200 (not 201) with that
    earlier report and `likely_duplicate: true`."""
    # A signed-in session must send its CSRF token; an app without a session files anonymously.
    session_user(request)
    ratelimit.check(request, filing.FILING)
    try:
        complaint = filing.file_report(
            actor=request.actor,
            category=payload.category,
            latitude=payload.latitude,
            longitude=payload.longitude,
            address=payload.address,
            description=payload.description.replace("\r\n", "\n"),
            answers=_answers(payload.answers),
            photos=photos or [],
            videos=[video] if video else [],
            contact=services.Contact(
                name=payload.contact_name.strip(),
                email=payload.contact_email.strip(),
                phone=payload.contact_phone.strip(),
            ),
            device_id=payload.device_id.strip(),
        )
    except services.RepeatedReport as repeat:
        return Status(200, _filed_out(request, repeat.original, likely_duplicate=True))
    return Status(201, _filed_out(request, complaint, likely_duplicate=False))


@router.post(
    "/{tracking_number}/follow",
    response={201: FollowOut},
    auth=django_auth,
    summary='Follow an open report ("me too")',
)
def follow(request: HttpRequest, tracking_number: str):
    """409 when already following or for one's own report; 400 for a closed report."""
    complaint = _public(tracking_number)
    services.follow_complaint(complaint=complaint, actor=request.actor)
    complaint.refresh_from_db(fields=["followers_count"])
    return Status(
        201,
        FollowOut(
            tracking_number=complaint.tracking_number,
            following=True,
            followers_count=complaint.followers_count,
        ),
    )


@router.post(
    "/{tracking_number}/rate",
    response=ComplaintDetailOut,
    auth=django_auth,
    summary="Rate the city's answer (the reporter)",
)
def rate(request: HttpRequest, tracking_number: str, payload: RateIn):
    """403 for anyone but the reporter, 409 before there is an answer."""
    complaint = _public(tracking_number)
    services.rate_answer(
        complaint=complaint, actor=request.actor, rating=payload.rating, comment=payload.comment
    )
    return _detail_out(request, _public(tracking_number))


@router.post(
    "/{tracking_number}/reopen",
    response=ComplaintDetailOut,
    auth=django_auth,
    summary="Reopen, or ask for a further answer (the reporter, within the window)",
)
def reopen(request: HttpRequest, tracking_number: str, payload: ReopenIn):
    """403 for anyone but the reporter; 409 outside the profile's reopen window."""
    complaint = _public(tracking_number)
    services.reopen_by_reporter(complaint=complaint, actor=request.actor, reason=payload.reason)
    return _detail_out(request, _public(tracking_number))
