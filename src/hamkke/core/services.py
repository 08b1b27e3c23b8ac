"""Writes shared by every service: loading a city profile, placing a point in the city, storing
uploads, comments and their moderation, the audit log and notifications."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core import media as media_checks
from hamkke.core import selectors
from hamkke.core.actors import Actor, client_address
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooManyAttempts
from hamkke.core.geo import cell_for, coarse_cell_for
from hamkke.core.models import (
    AuditEntry,
    City,
    Comment,
    CommentReport,
    CommentStatus,
    Department,
    District,
    DistrictBoundary,
    Location,
    Media,
    MediaKind,
    Notification,
    NotificationPreference,
)
from hamkke.core.profiles import LoadedProfile, ProfileError, read_profile
from hamkke.core.registries import COMMENT_HIDDEN, commentable_for, notification_kind
from hamkke.core.service_app import profile_sections, resolve

if TYPE_CHECKING:
    from hamkke.accounts.models import User


def profile_folder(slug: str) -> Path:
    folder = Path(settings.HAMKKE_CITIES_DIR) / slug
    if not folder.is_dir():
        known = sorted(p.name for p in Path(settings.HAMKKE_CITIES_DIR).iterdir() if p.is_dir())
        raise ProfileError(f"{folder}: no such city profile (known: {', '.join(known)})")
    return folder


@transaction.atomic
def load_city(*, slug: str, folder: Path | None = None) -> City:
    """Load (or reload) a city profile. Idempotent: districts and departments are matched by
    code; each installed service then reads its own lists from the profile."""
    loaded = read_profile(folder or profile_folder(slug))
    basics = loaded.profile.city
    city, _created = City.objects.update_or_create(
        slug=basics.slug,
        defaults={
            "name": basics.name,
            "name_en": basics.name_en,
            "default_language": basics.default_language,
            "time_zone": basics.time_zone,
            "center_lat": basics.map.center[0],
            "center_lon": basics.map.center[1],
            "zoom": basics.map.zoom,
            "boundary": loaded.boundary,
            "area_km2": loaded.area_km2,
            "profile": loaded.profile.model_dump(mode="json"),
            "loaded_at": timezone.now(),
        },
    )
    _sync_districts(city, loaded)
    _sync_departments(city, loaded)
    for loader in _profile_loaders():
        loader(city=city)
    selectors.forget_current_city()
    return city


def _sync_districts(city: City, loaded: LoadedProfile) -> None:
    for district in loaded.districts:
        row, _created = District.objects.update_or_create(
            city=city,
            code=district.code,
            defaults={
                "name": district.name,
                "name_en": district.name_en,
                "area_km2": district.area_km2,
            },
        )
        DistrictBoundary.objects.update_or_create(
            district=row, defaults={"geometry": district.geometry}
        )


def _sync_departments(city: City, loaded: LoadedProfile) -> None:
    for department in loaded.profile.departments:
        Department.objects.update_or_create(
            city=city,
            code=department.code,
            defaults={
                "name": department.name,
                "name_en": department.name_en,
                "email": department.email,
                "district": None,
            },
        )
    offices = loaded.profile.district_offices
    if offices is None:
        return
    for district in city.districts.all():
        Department.objects.update_or_create(
            city=city,
            code=f"office-{district.code}".lower(),
            defaults={
                "name": offices.name.format(district=district.name),
                "name_en": offices.name_en.format(district_en=district.name_en or district.name),
                "district": district,
            },
        )


def _profile_loaders():
    """Each service's `ProfileSection.loader`: the function that turns its table of the profile
    into its own rows (categories, areas, …)."""
    for section in profile_sections():
        if section.loader:
            yield resolve(section.loader)


def locate(
    *, latitude: float, longitude: float, address: str = "", city: City | None = None
) -> Location:
    """Store a point in the city with its district and H3 cells; a point outside the city is
    refused with a message a person understands."""
    city = city or selectors.current_city()
    district = selectors.district_at(city, latitude, longitude)
    latitude, longitude = float(latitude), float(longitude)
    return Location.objects.create(
        latitude=latitude,
        longitude=longitude,
        h3_cell=cell_for(latitude, longitude),
        h3_area=coarse_cell_for(latitude, longitude),
        district=district,
        address=address.strip()[:300],
    )


# --- media -------------------------------------------------------------------------------------


def store_photo(
    *, upload: UploadedFile, uploaded_by: User | None = None, target: models.Model | None = None
) -> Media:
    """Check a photo by its content and keep a cleaned copy (upright, resized, no metadata)
    with a thumbnail. Refusals raise InvalidUpload or UploadTooLarge. The GPS position is not
    kept; a form that wants to suggest the place calls media.photo_gps(upload) first."""
    photo = media_checks.clean_photo(upload)
    return _store_media(
        kind=MediaKind.PHOTO,
        files={"file": photo.content, "thumbnail": photo.thumbnail},
        extension=photo.extension,
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        upload=upload,
        uploaded_by=uploaded_by,
        target=target,
    )


def store_video(
    *, upload: UploadedFile, uploaded_by: User | None = None, target: models.Model | None = None
) -> Media:
    """Check a video by its content and keep a cleaned copy with a poster frame.

    The video must be an MP4, MOV or WebM file whose picture FFmpeg decodes, within
    HAMKKE_MAX_VIDEO_BYTES and HAMKKE_MAX_VIDEO_SECONDS. What is kept is its picture and sound
    stream-copied (not re-encoded) into a new MP4 (WebM stays WebM) with no metadata: no
    creation time, place, device or software names, no other tracks. The poster (the frame at
    one second, at most 640 pixels) is the thumbnail; the displayed size and the length are
    recorded. Refusals raise InvalidUpload or UploadTooLarge and store nothing."""
    with media_checks.clean_video(upload) as video, video.path.open("rb") as content:
        return _store_media(
            kind=MediaKind.VIDEO,
            files={"file": File(content), "thumbnail": video.poster},
            extension=video.extension,
            thumbnail_extension="jpg",
            content_type=video.content_type,
            width=video.width,
            height=video.height,
            duration_seconds=video.duration_seconds,
            upload=upload,
            uploaded_by=uploaded_by,
            target=target,
        )


def _store_media(
    *,
    kind: MediaKind,
    files: dict[str, bytes | File],
    extension: str,
    content_type: str,
    upload: UploadedFile,
    uploaded_by: User | None,
    target: models.Model | None,
    width: int | None = None,
    height: int | None = None,
    duration_seconds: float | None = None,
    thumbnail_extension: str | None = None,
) -> Media:
    """Write the files, then the row, in one transaction. If anything fails after a file was
    written, the written files are deleted, so a failure leaves neither a row nor a file."""
    stem = uuid.uuid4().hex
    media = Media(
        kind=kind,
        content_type=content_type,
        width=width,
        height=height,
        duration_seconds=duration_seconds,
        original_name=_safe_original_name(upload),
        uploaded_by=_person_or_none(uploaded_by),
    )
    written = []
    try:
        with transaction.atomic():
            for field_name, content in files.items():
                field = getattr(media, field_name)
                body = ContentFile(content) if isinstance(content, bytes) else content
                suffix = thumbnail_extension if field_name == "thumbnail" else None
                field.save(f"{stem}.{suffix or extension}", body, save=False)
                written.append((field.storage, field.name))
            main = files["file"]
            media.size = len(main) if isinstance(main, bytes) else main.size
            if target is not None:
                media.target_type = ContentType.objects.get_for_model(target)
                media.target_id = str(target.pk)
            media.save()
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    return media


def _safe_original_name(upload: UploadedFile) -> str:
    # Kept for people's eyes only (the stored name is random): no folders, no control codes.
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if char.isprintable())[:255]


@transaction.atomic
def attach_media(*, media: Media, target: models.Model) -> Media:
    """Attach an upload to the object it illustrates. An upload already attached elsewhere is
    not moved: that would let one person's photo be taken into another's report."""
    target_type = ContentType.objects.get_for_model(target)
    media = Media.objects.select_for_update().get(pk=media.pk)
    if media.target_type_id is not None and (
        media.target_type_id != target_type.pk or media.target_id != str(target.pk)
    ):
        raise Conflict(_("This upload is already attached to something else."), field="media")
    media.target_type = target_type
    media.target_id = str(target.pk)
    media.save(update_fields=["target_type", "target_id"])
    return media


@transaction.atomic
def set_media_hidden(
    *,
    media: Media,
    moderator: User,
    hidden: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Media:
    """Hide an upload from the public (or show it again); only moderators may."""
    _require_moderator(moderator)
    media = Media.objects.select_for_update().get(pk=media.pk)
    if media.hidden == hidden:
        return media
    media.hidden = hidden
    media.save(update_fields=["hidden"])
    record_audit(
        actor=moderator,
        action="media.hide" if hidden else "media.unhide",
        target=media,
        data={"reason": _clean_text(reason)[:300]},
        request=request,
    )
    return media


def delete_orphan_media_files(*, older_than: timedelta = timedelta(hours=6)) -> list[str]:
    """Delete stored upload files that no Media row names. They come from a caller whose own
    transaction rolled back after store_photo had written its files; Django has no
    "on rollback" hook, so a periodic sweep removes them. Young files are left alone: their
    transaction may still be open. Core owns the storage's media/ and thumbs/ folders; other
    apps keep their files elsewhere."""
    cutoff = timezone.now() - older_than
    storage = default_storage
    deleted = []
    for folder, field in (("media", "file"), ("thumbs", "thumbnail")):
        for name in _walk_storage(storage, folder):
            try:
                if storage.get_modified_time(name) > cutoff:
                    continue
            except (NotImplementedError, OSError):
                continue
            if not Media.objects.filter(**{field: name}).exists():
                storage.delete(name)
                deleted.append(name)
    return deleted


def _walk_storage(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk_storage(storage, f"{folder}/{sub}")


# --- audit -------------------------------------------------------------------------------------


def record_audit(
    *,
    actor: Actor | User | None,
    action: str,
    target: models.Model | None = None,
    data: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the audit log. Called inside the service's own transaction, so the
    entry is written exactly when the action is."""
    who = Actor.of(actor)
    address = who.address if who.address is not None else client_address(request)
    entry = AuditEntry(
        actor=who.user,
        actor_label=who.label[:200],
        action=action[:100],
        # Round-trip through JSON so dates, decimals and lazy strings are stored as text and
        # a value JSON cannot hold fails here, loudly, not at commit.
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        ip_address=address,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:300]
    with transaction.atomic():
        entry.save(force_insert=True)
    return entry


# --- comments ----------------------------------------------------------------------------------

COMMENT_MAX_CHARS = 4000
REASON_MAX_CHARS = 300


@transaction.atomic
def add_comment(*, author: User, target: models.Model, body: str) -> Comment:
    """Comment on a registered object. Refused: anonymous or banned authors, unregistered or
    closed targets, empty or over-long text, and more than the per-minute allowance."""
    entry = commentable_for(target)
    if entry is None:
        raise NotFound(_("Comments are not open on this kind of item."), code="not_commentable")
    _require_participant(author)
    if entry.is_open is not None and not entry.is_open(target):
        raise NotAllowed(
            _("Comments are closed on this %(label)s.") % {"label": entry.label},
            code="comments_closed",
        )
    text = _clean_text(body)
    if not text:
        raise InvalidInput(_("Write something before sending the comment."), field="body")
    if len(text) > COMMENT_MAX_CHARS:
        raise InvalidInput(
            _("A comment may be at most %(max)d characters; this one has %(count)d.")
            % {"max": COMMENT_MAX_CHARS, "count": len(text)},
            field="body",
        )
    _throttle(author, "comment", getattr(settings, "HAMKKE_COMMENTS_PER_MINUTE", 10))
    return Comment.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        author=author,
        body=text,
    )


@transaction.atomic
def report_comment(*, comment: Comment, reporter: User, reason: str) -> CommentReport:
    """Flag a comment for the moderators. One report per person and comment."""
    _require_participant(reporter)
    text = _clean_text(reason)
    if not text:
        raise InvalidInput(_("Say briefly what is wrong with this comment."), field="reason")
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput(
            _("The reason may be at most %(max)d characters.") % {"max": REASON_MAX_CHARS},
            field="reason",
        )
    _throttle(reporter, "report", getattr(settings, "HAMKKE_REPORTS_PER_MINUTE", 20))
    try:
        # A savepoint, so the clash leaves the surrounding transaction usable (PostgreSQL).
        with transaction.atomic():
            return CommentReport.objects.create(comment=comment, reporter=reporter, reason=text)
    except IntegrityError as exc:
        raise Conflict(
            _("You have already reported this comment; the moderators will look at it."),
            code="already_reported",
        ) from exc


@transaction.atomic
def hide_comment(
    *, comment: Comment, moderator: User, reason: str, request: HttpRequest | None = None
) -> Comment:
    """Hide a comment from the public ("hidden by a moderator"), resolve its reports, write the
    audit entry and tell the author why."""
    _require_moderator(moderator)
    text = _clean_text(reason)[:REASON_MAX_CHARS]
    if not text:
        raise InvalidInput(_("Give the reason for hiding; the author will see it."), field="reason")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.is_hidden:
        raise Conflict(_("This comment is already hidden."), code="already_hidden")
    comment.status = CommentStatus.HIDDEN
    comment.hidden_reason = text
    comment.hidden_at = timezone.now()
    comment.hidden_by = moderator
    comment.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by"])
    resolved = _resolve_reports(comment)
    record_audit(
        actor=moderator,
        action="comment.hide",
        target=comment,
        data={"reason": text, "reports_resolved": resolved, "on": _target_address(comment)},
        request=request,
    )
    if comment.author_id:
        notify(
            recipient=comment.author,
            kind=COMMENT_HIDDEN,
            title=_("A moderator hid your comment"),
            body=_("Reason: %(reason)s") % {"reason": text},
            url=_target_url(comment),
        )
    return comment


@transaction.atomic
def unhide_comment(
    *, comment: Comment, moderator: User, request: HttpRequest | None = None
) -> Comment:
    """Show a hidden comment again."""
    _require_moderator(moderator)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_hidden:
        raise Conflict(_("This comment is not hidden."), code="not_hidden")
    previous_reason = comment.hidden_reason
    comment.status = CommentStatus.VISIBLE
    comment.hidden_reason = ""
    comment.hidden_at = None
    comment.hidden_by = None
    comment.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by"])
    record_audit(
        actor=moderator,
        action="comment.unhide",
        target=comment,
        data={"previous_reason": previous_reason, "on": _target_address(comment)},
        request=request,
    )
    return comment


@transaction.atomic
def dismiss_comment_reports(
    *, comment: Comment, moderator: User, request: HttpRequest | None = None
) -> int:
    """Decide a reported comment may stay: its open reports are resolved and it leaves the
    moderation queue. Returns how many reports were resolved."""
    _require_moderator(moderator)
    resolved = _resolve_reports(comment)
    if resolved:
        record_audit(
            actor=moderator,
            action="comment.reports_dismissed",
            target=comment,
            data={"reports_resolved": resolved, "on": _target_address(comment)},
            request=request,
        )
    return resolved


def _resolve_reports(comment: Comment) -> int:
    return CommentReport.objects.filter(comment=comment, resolved=False).update(
        resolved=True, resolved_at=timezone.now()
    )


def _target_address(comment: Comment) -> str:
    return f"{comment.target_type.app_label}.{comment.target_type.model}:{comment.target_id}"


def _target_url(comment: Comment) -> str:
    target = comment.target
    get_url = getattr(target, "get_absolute_url", None)
    return f"{get_url()}#comment-{comment.pk}" if get_url else ""


def _require_participant(person: User | None) -> None:
    if person is None or not person.is_authenticated or not person.is_active:
        raise NotAllowed(_("Log in to take part."), code="not_authenticated")
    if getattr(person, "banned_at", None):
        raise NotAllowed(
            _("Your account is suspended: you cannot take part until the suspension ends."),
            code="banned",
        )


def _require_moderator(person: User | None) -> None:
    if not selectors.can_moderate(person):
        raise NotAllowed(
            _("Only moderators (staff, or officials with the manager role) may do this."),
            code="not_moderator",
        )


def _throttle(person: User, action: str, per_minute: int) -> None:
    """A per-person allowance per minute, kept in the shared cache so every web worker counts
    together. Raises TooManyAttempts (429) with the seconds to wait."""
    key = f"hamkke:throttle:{action}:{person.pk}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    if count > per_minute:
        raise TooManyAttempts(
            _("You are doing that too often. Please wait a minute and try again."),
            retry_after=60 - int(time.time() % 60),
        )


def _clean_text(text: str | None) -> str:
    # PostgreSQL text cannot hold NUL; Windows line ends would count twice toward the limit.
    return (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _person_or_none(person) -> User | None:
    return person if person is not None and person.is_authenticated else None


# --- notifications -----------------------------------------------------------------------------


@transaction.atomic
def notify(
    *, recipient: User, kind: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Tell a person something, in the site and by email, as their preference for this kind
    allows (without a preference, both). The email is queued once the transaction commits,
    so it never announces something that was rolled back. Returns None when both are off."""
    if notification_kind(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    preference = NotificationPreference.objects.filter(user=recipient, kind=kind).first()
    in_site = preference.in_site if preference else True
    by_email = (preference.email if preference else True) and bool(recipient.email)
    if not (in_site or by_email):
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=str(title).replace("\n", " ").strip()[:200],
        body=str(body),
        url=str(url)[:300],
        in_site=in_site,
    )
    if by_email:
        from hamkke.core.tasks import send_notification_email

        notification_id = notification.pk
        # robust: a broker or mail server that is down must not undo or fail the request
        # whose data is already committed; the failure is logged.
        transaction.on_commit(lambda: send_notification_email.delay(notification_id), robust=True)
    return notification


def deliver_notification_email(*, notification_id: int) -> bool:
    """Send one notification's email, at most once even if the task runs twice. Only the
    title, body and link go out. Returns whether an email was sent."""
    claimed = Notification.objects.filter(pk=notification_id, emailed=False).update(emailed=True)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active:
        return False
    context = {
        "title": notification.title,
        "body": notification.body,
        "url": _absolute_url(notification.url),
        "preferences_url": _absolute_url(reverse("core:notification-preferences")),
    }
    try:
        send_mail(
            subject=notification.title,
            message=render_to_string("core/emails/notification.txt", context),
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        # Unclaim so a retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed=False)
        raise
    return True


def _absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    base = getattr(settings, "HAMKKE_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base else url


@transaction.atomic
def mark_notification_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of the person's own notifications read; another's answers 404."""
    if notification.recipient_id != getattr(user, "pk", None):
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_notification_preferences(
    *, user: User, preferences: Mapping[str, tuple[bool, bool]]
) -> None:
    """Save the person's choice per kind as (in_site, email). Unknown kinds are refused."""
    unknown = sorted(code for code in preferences if notification_kind(code) is None)
    if unknown:
        raise InvalidInput(
            _("Unknown kind of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    for code, (in_site, email) in preferences.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=code, defaults={"in_site": bool(in_site), "email": bool(email)}
        )
