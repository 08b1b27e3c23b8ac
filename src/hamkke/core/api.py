"""Open API of core: the city, its districts and departments, locating a point, finding places
by name or address, comments and their moderation, and the signed-in person's notifications; and
the session sign-in with its CSRF check that the apps' APIs share."""

from __future__ import annotations

import math
from datetime import datetime

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth, django_auth
from ninja.utils import check_csrf

from hamkke.core import selectors, services
from hamkke.core.errors import NotAllowed, TooManyAttempts
from hamkke.core.geo import cell_for
from hamkke.core.registries import resolve_comment_target
from hamkke.core.views import place_search_rate_exceeded, rate_limit_message

router = Router(tags=["city"])

# Session sign-in (with its CSRF check on writes); token schemes are added here when they exist.
SIGNED_IN = [django_auth]
MAX_PAGE_SIZE = 100


def one_page(items, page: int, page_size: int) -> dict:
    """A list's page as the list endpoints answer it (count, page, page_size, pages, items):
    `page_size` kept between 1 and MAX_PAGE_SIZE, a page past the last answered with the last."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    paginator = Paginator(items, page_size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "page_size": page_size,
        "pages": max(1, math.ceil(paginator.count / page_size)),
        "items": list(current.object_list),
    }


def session_user(request: HttpRequest):
    """The signed-in person, once their session's CSRF token is checked (another site must not
    act in their name): 403 `csrf_failed` without it. None when anonymous."""
    if not request.user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise NotAllowed(
            _("Send the CSRF token (X-CSRFToken header) with a signed-in session."),
            code="csrf_failed",
        )
    return request.user


class SessionWithCsrf(SessionAuth):
    """Session sign-in refusing a write without the CSRF token as 403 `csrf_failed` (django-ninja's
    own answers 403 without a code). Anonymous requests answer 401, whatever their token."""

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        return session_user(request)


class CityOut(Schema):
    slug: str
    name: str
    name_en: str
    default_language: str
    time_zone: str
    center: tuple[float, float]
    zoom: int
    area_km2: float


class DistrictOut(Schema):
    code: str
    name: str
    name_en: str
    area_km2: float


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    district: str | None


class LocateIn(Schema):
    latitude: float
    longitude: float


class LocateOut(Schema):
    latitude: float
    longitude: float
    district: DistrictOut
    h3_cell: str


@router.get("/city", response=CityOut, summary="The city this site serves")
def get_city(request: HttpRequest):
    city = selectors.current_city()
    return CityOut(
        slug=city.slug,
        name=city.name,
        name_en=city.name_en,
        default_language=city.default_language,
        time_zone=city.time_zone,
        center=(city.center_lat, city.center_lon),
        zoom=city.zoom,
        area_km2=city.area_km2,
    )


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def list_districts(request: HttpRequest):
    return selectors.districts_of(selectors.current_city())


@router.get("/districts.geojson", summary="District boundaries as a GeoJSON FeatureCollection")
def districts_geojson(request: HttpRequest):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "properties": {"code": d.code, "name": d.name, "name_en": d.name_en},
                "geometry": geometry,
            }
            for d, geometry in selectors.district_outlines(selectors.current_city())
        ],
    }


@router.get("/departments", response=list[DepartmentOut], summary="The city's departments")
def list_departments(request: HttpRequest):
    return [
        DepartmentOut(
            code=d.code,
            name=d.name,
            name_en=d.name_en,
            district=d.district.code if d.district else None,
        )
        for d in selectors.departments_of(selectors.current_city())
    ]


@router.get("/locate", response=LocateOut, summary="Which district a point is in")
def locate_point(request: HttpRequest, latitude: float, longitude: float):
    """Answers 400 `outside_city` for a point outside the city. Nothing is stored."""
    district = selectors.district_at(selectors.current_city(), latitude, longitude)
    return LocateOut(
        latitude=latitude,
        longitude=longitude,
        district=district,
        h3_cell=cell_for(latitude, longitude),
    )


class PlaceOut(Schema):
    name: str
    name_en: str
    latitude: float
    longitude: float
    kind: str = Field(..., description="district, office, station, park, landmark, …")
    district: DistrictOut


@router.get("/geocode", response=list[PlaceOut], summary="Find places by name or address")
def geocode(request: HttpRequest, q: str = "", limit: int = 5):
    """Places in the city matching `q` (Korean or English; spaces and punctuation do not
    matter), best first, each with its district; at most `limit` (1 to 20). An empty `q` or
    one over 200 characters answers 400; more than 60 searches a minute from one address, 429.
    Which geocoder answers is the deployment's choice (HAMKKE_GEOCODER)."""
    if place_search_rate_exceeded(request):
        raise TooManyAttempts(rate_limit_message(), code="rate_limited", retry_after=60)
    found = selectors.find_places(selectors.current_city(), q, limit=limit)
    return [
        PlaceOut(
            name=f.place.name,
            name_en=f.place.name_en,
            latitude=f.place.latitude,
            longitude=f.place.longitude,
            kind=f.place.kind,
            district=f.district,
        )
        for f in found
    ]


# --- comments ----------------------------------------------------------------------------------


class CommentOut(Schema):
    """A comment as anyone may see it: the author's public name, never their email; no text
    when hidden (moderators see the text and the open reports)."""

    id: int
    author: str
    body: str | None
    hidden: bool
    created_at: datetime
    hidden_reason: str | None = None
    open_reports: int | None = None


class CommentIn(Schema):
    body: str = Field(..., max_length=20_000, description="At most 4000 characters once trimmed")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2_000, description="At most 300 characters once trimmed")


class ReportOut(Schema):
    comment: int
    detail: str


class DetailOut(Schema):
    detail: str


def _comment_out(view: selectors.CommentView) -> CommentOut:
    return CommentOut(
        id=view.id,
        author=view.author_name,
        body=view.body,
        hidden=view.hidden,
        created_at=view.created_at,
        hidden_reason=view.hidden_reason,
        open_reports=view.open_reports,
    )


def _one_comment(comment, request: HttpRequest) -> CommentOut:
    view = selectors.comment_view(comment, include_hidden=selectors.can_moderate(request.user))
    return _comment_out(view)


@router.get(
    "/threads/{target_type}/{target_id}/comments",
    response=list[CommentOut],
    tags=["comments"],
    summary="Comments on an object",
)
def list_comments(request: HttpRequest, target_type: str, target_id: str):
    """`target_type` is "app_label.model" of a model that takes comments; 404 otherwise."""
    target = resolve_comment_target(target_type, target_id)
    moderates = selectors.can_moderate(request.user)
    return [_comment_out(view) for view in selectors.comments_for(target, include_hidden=moderates)]


@router.post(
    "/threads/{target_type}/{target_id}/comments",
    response={201: CommentOut},
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Comment on an object",
)
def post_comment(request: HttpRequest, target_type: str, target_id: str, payload: CommentIn):
    target = resolve_comment_target(target_type, target_id)
    comment = services.add_comment(author=request.user, target=target, body=payload.body)
    return Status(201, _one_comment(comment, request))


@router.post(
    "/comments/{int:comment_id}/report",
    response={201: ReportOut},
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Report a comment to the moderators (once per person)",
)
def report_comment(request: HttpRequest, comment_id: int, payload: ReasonIn):
    comment = selectors.comment_by_id(comment_id)
    services.report_comment(comment=comment, reporter=request.user, reason=payload.reason)
    return Status(
        201, ReportOut(comment=comment.pk, detail=_("Thank you: the moderators will look at it."))
    )


@router.post(
    "/comments/{int:comment_id}/hide",
    response=CommentOut,
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Hide a comment (moderators)",
)
def hide_comment(request: HttpRequest, comment_id: int, payload: ReasonIn):
    comment = services.hide_comment(
        comment=selectors.comment_by_id(comment_id),
        moderator=request.user,
        reason=payload.reason,
        request=request,
    )
    return _one_comment(comment, request)


@router.post(
    "/comments/{int:comment_id}/unhide",
    response=CommentOut,
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Show a hidden comment again (moderators)",
)
def unhide_comment(request: HttpRequest, comment_id: int):
    comment = services.unhide_comment(
        comment=selectors.comment_by_id(comment_id), moderator=request.user, request=request
    )
    return _one_comment(comment, request)


# --- notifications -----------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(notification) -> bool:
        return notification.read_at is not None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=NotificationsOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="My notifications, newest first",
)
def list_notifications(request: HttpRequest, unread_only: bool = False, limit: int = 50):
    limit = max(1, min(limit, 200))
    return NotificationsOut(
        unread=selectors.unread_notification_count(request.user),
        items=selectors.notifications_for(request.user, unread_only=unread_only, limit=limit),
    )


@router.post(
    "/notifications/{int:notification_id}/read",
    response=NotificationOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="Mark one of my notifications read",
)
def read_notification(request: HttpRequest, notification_id: int):
    notification = selectors.notification_by_id(request.user, notification_id)
    return services.mark_notification_read(notification=notification, user=request.user)


@router.post(
    "/notifications/read-all",
    response=MarkedOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="Mark all my notifications read",
)
def read_all_notifications(request: HttpRequest):
    return MarkedOut(marked=services.mark_all_notifications_read(user=request.user))
