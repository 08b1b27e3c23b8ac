"""Reads shared by every service: the city this site serves, its districts and departments,
places found by name, comment threads and the moderation queue, notifications and the audit
trail."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.core import geocoding
from hamkke.core.errors import InvalidInput, NotFound, OutsideCity
from hamkke.core.geo import DistrictIndex
from hamkke.core.models import (
    AuditEntry,
    City,
    Comment,
    CommentReport,
    CommentStatus,
    Department,
    District,
    DistrictBoundary,
    Notification,
    NotificationPreference,
)
from hamkke.core.registries import commentable_for, notification_kinds, target_key

# An official of this role or higher in any department moderates (accounts.Role.MANAGER).
MODERATOR_ROLE = 30

# Per process: rebuilt when the profile is loaded again (the key carries loaded_at).
_district_indexes: dict[tuple[int, str], DistrictIndex] = {}


# The city row is read on every page. Each process keeps it for a short while: a profile
# reloaded by `hamkke city load` reaches the other processes within CITY_MEMO_SECONDS, and
# the process that loaded it forgets at once.
CITY_MEMO_SECONDS = 30.0
_city_memo: dict[str, tuple[float, City]] = {}


def current_city() -> City:
    """The city named by HAMKKE_CITY."""
    slug = settings.HAMKKE_CITY
    memo = _city_memo.get(slug)
    now = time.monotonic()
    if memo is not None and now - memo[0] < CITY_MEMO_SECONDS:
        return memo[1]
    city = City.objects.filter(slug=slug).first()
    if city is None:
        raise NotFound(
            f"The city profile {slug!r} is not loaded: run `hamkke city load {slug}`.",
            code="city_not_loaded",
        )
    _city_memo[slug] = (now, city)
    return city


def forget_current_city() -> None:
    _city_memo.clear()


def district_index(city: City) -> DistrictIndex:
    key = (city.pk, city.loaded_at.isoformat())
    index = _district_indexes.get(key)
    if index is None:
        outlines = DistrictBoundary.objects.filter(district__city_id=city.pk).values_list(
            "district__code", "geometry"
        )
        index = DistrictIndex(dict(outlines))
        _district_indexes.clear()
        _district_indexes[key] = index
    return index


def district_by_code(city: City, code: str) -> District:
    try:
        return city.districts.get(code=code)
    except District.DoesNotExist as exc:
        raise NotFound(f"No district with code {code!r}.") from exc


def district_outlines(city: City) -> list[tuple[District, dict]]:
    """Each district with its GeoJSON outline, for maps."""
    outlines = DistrictBoundary.objects.filter(district__city=city).select_related("district")
    return [(o.district, o.geometry) for o in outlines.order_by("district__name")]


def districts_of(city: City) -> list[District]:
    return list(city.districts.order_by("name"))


def departments_of(city: City) -> list[Department]:
    return list(city.departments.select_related("district").order_by("name"))


def district_at(city: City, latitude: float, longitude: float) -> District:
    """The district a point is in. Raises InvalidInput for a malformed point and OutsideCity
    for a point outside every district."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Latitude and longitude must be numbers."), field="location") from exc
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(
            _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field="location",
        )
    code = district_index(city).district_of(latitude, longitude)
    if code is None:
        raise OutsideCity(
            _("That place (%(lat).5f, %(lon).5f) is outside %(city)s. Choose a point in the city.")
            % {"lat": latitude, "lon": longitude, "city": city.display_name},
            field="location",
        )
    return city.districts.get(code=code)


# --- finding places by name or address --------------------------------------------------------

MAX_PLACE_QUERY = 200
MAX_PLACES = 20


@dataclass(frozen=True)
class FoundPlace:
    """A place the geocoder found, with the district it lies in."""

    place: geocoding.Place
    district: District

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.place.name_en:
            return self.place.name_en
        return self.place.name


def find_places(city: City, query: str, *, limit: int = 5) -> list[FoundPlace]:
    """Places matching a name or an address, best first, each with its district, through the
    backend HAMKKE_GEOCODER names. Raises InvalidInput for an empty or over-long query; a
    place outside every district is left out, since no report could be filed there."""
    text = (query or "").strip()
    if not text:
        raise InvalidInput(
            _("Type an address or the name of a place to search for."), field="q", code="empty"
        )
    if len(text) > MAX_PLACE_QUERY:
        raise InvalidInput(
            _("Search for at most %(max)s characters (this has %(count)s).")
            % {"max": MAX_PLACE_QUERY, "count": len(text)},
            field="q",
            code="too_long",
        )
    limit = max(1, min(limit, MAX_PLACES))
    places = geocoding.get_geocoder(city).search(text, limit=limit)
    # district_at for each place, with one query for all the districts instead of one each.
    index = district_index(city)
    codes = [index.district_of(place.latitude, place.longitude) for place in places]
    districts = {d.code: d for d in city.districts.filter(code__in=[c for c in codes if c])}
    return [
        FoundPlace(place, districts[code])
        for place, code in zip(places, codes, strict=True)
        if code in districts
    ]


# --- who may moderate ----------------------------------------------------------------------------


def is_official(person) -> bool:
    """Staff, or anyone holding a role in a department: they see the officials' desks."""
    if person is None or not person.is_authenticated:
        return False
    return person.is_staff or person.memberships.exists()


def can_moderate(person) -> bool:
    """Staff, or an official with the manager role (or higher) in any department."""
    if person is None or not person.is_authenticated or not person.is_active:
        return False
    if person.is_staff:
        return True
    return person.memberships.filter(role__gte=MODERATOR_ROLE).exists()


# --- comments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    """A comment as it may be shown: the author by public name only (never the email), and no
    text when a moderator hid it unless the viewer moderates."""

    id: int
    author_name: str
    author_id: int | None
    body: str | None
    hidden: bool
    hidden_reason: str | None
    created_at: datetime
    open_reports: int | None


@dataclass(frozen=True)
class CommentThread:
    """What the core/comments.html include needs to show a target's comments and form."""

    target_type: str
    target_id: str
    label: str
    comments: list[CommentView]
    can_comment: bool
    cannot_comment_reason: str
    can_moderate: bool
    viewer_id: int | None
    # Comments the viewer has reported already, so the page does not offer it twice.
    reported_ids: frozenset[int] = frozenset()


def comments_for(target: models.Model, *, include_hidden: bool = False) -> list[CommentView]:
    """A target's comments, oldest first, in one query. Hidden comments keep their place as
    "hidden by a moderator"; their text (and report counts) only with include_hidden."""
    comments = (
        Comment.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
    if include_hidden:
        comments = comments.annotate(
            open_reports=Count("reports", filter=Q(reports__resolved=False))
        )
    return [comment_view(comment, include_hidden=include_hidden) for comment in comments]


def comment_view(comment: Comment, *, include_hidden: bool) -> CommentView:
    """One comment as the public (or, with include_hidden, a moderator) may see it."""
    hidden = comment.status == CommentStatus.HIDDEN
    show_text = include_hidden or not hidden
    return CommentView(
        id=comment.pk,
        author_name=str(comment.author.public_name) if comment.author else _("Deleted account"),
        author_id=comment.author_id,
        body=comment.body if show_text else None,
        hidden=hidden,
        hidden_reason=comment.hidden_reason if (hidden and include_hidden) else None,
        created_at=comment.created_at,
        open_reports=getattr(comment, "open_reports", None) if include_hidden else None,
    )


def comment_thread(target: models.Model, *, viewer) -> CommentThread:
    """The comments on a target and what the viewer may do there."""
    entry = commentable_for(target)
    if entry is None:
        raise NotFound(_("Comments are not open on this kind of item."), code="not_commentable")
    moderates = can_moderate(viewer)
    can_comment, reason = True, ""
    if viewer is None or not viewer.is_authenticated:
        can_comment, reason = False, _("Log in to comment.")
    elif getattr(viewer, "banned_at", None):
        can_comment, reason = False, _("Your account is suspended: you cannot comment.")
    elif entry.is_open is not None and not entry.is_open(target):
        can_comment, reason = False, _("Comments are closed.")
    comments = comments_for(target, include_hidden=moderates)
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    reported: frozenset[int] = frozenset()
    if viewer_id and comments:
        reported = frozenset(
            CommentReport.objects.filter(
                reporter_id=viewer_id, comment_id__in=[c.id for c in comments]
            ).values_list("comment_id", flat=True)
        )
    return CommentThread(
        target_type=target_key(target),
        target_id=str(target.pk),
        label=str(entry.label),
        comments=comments,
        can_comment=can_comment,
        cannot_comment_reason=reason,
        can_moderate=moderates,
        viewer_id=viewer_id,
        reported_ids=reported,
    )


def comment_counts(targets: Iterable[models.Model]) -> dict[str, int]:
    """Visible comments per target's primary key (as text), for lists, in one query per model."""
    by_type: dict[ContentType, list[str]] = {}
    for target in targets:
        by_type.setdefault(ContentType.objects.get_for_model(target), []).append(str(target.pk))
    counts: dict[str, int] = {}
    for target_type, ids in by_type.items():
        rows = (
            Comment.objects.filter(
                target_type=target_type, target_id__in=ids, status=CommentStatus.VISIBLE
            )
            .values("target_id")
            .annotate(count=Count("id"))
        )
        counts.update({row["target_id"]: row["count"] for row in rows})
    return counts


def comment_by_id(comment_id: int) -> Comment:
    try:
        return Comment.objects.select_related("author", "target_type").get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such comment.")) from exc


def moderation_queue() -> models.QuerySet[Comment]:
    """Comments with reports no moderator has dealt with yet, most reported first, with the
    open reports and their reporters prefetched."""
    open_reports = CommentReport.objects.filter(resolved=False).select_related("reporter")
    return (
        Comment.objects.annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .filter(open_reports__gt=0)
        .select_related("author", "target_type")
        .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="pending_reports"))
        .order_by("-open_reports", "created_at", "id")
    )


# --- notifications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    in_site: bool
    email: bool


def notifications_for(person, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The person's in-site notifications, newest first."""
    rows = Notification.objects.filter(recipient=person, in_site=True)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return list(rows.order_by("-created_at", "-id")[:limit])


def unread_notification_count(person) -> int:
    """For the badge on every page; 0 for visitors."""
    if person is None or not person.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=person, in_site=True, read_at__isnull=True).count()


def notification_by_id(person, notification_id: int) -> Notification:
    """One of the person's own notifications; another person's answers 404 like a missing one."""
    try:
        return Notification.objects.get(pk=notification_id, recipient=person)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such notification.")) from exc


def notification_preferences_of(person) -> list[PreferenceRow]:
    """Every registered kind with the person's choice (both on without a saved preference)."""
    saved = {row.kind: row for row in NotificationPreference.objects.filter(user=person)}
    rows = []
    for kind in notification_kinds():
        preference = saved.get(kind.code)
        rows.append(
            PreferenceRow(
                kind=kind.code,
                label=str(kind.label),
                in_site=preference.in_site if preference else True,
                email=preference.email if preference else True,
            )
        )
    return rows


# --- audit -------------------------------------------------------------------------------------


def audit_trail(target: models.Model, *, limit: int = 200) -> list[AuditEntry]:
    """What officials did to one object, newest first."""
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
