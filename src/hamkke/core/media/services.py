"""Storing uploads (photos, videos) checked by their content, attaching them to what they
show, hiding them, removing orphans."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core import moderation
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.errors import Conflict
from hamkke.core.media import files as media_checks
from hamkke.core.media.access import CORE_FOLDERS
from hamkke.core.models import (
    Media,
    MediaKind,
)
from hamkke.core.text import clean_text

if TYPE_CHECKING:
    from hamkke.accounts.models import User


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
        uploaded_by=Actor.of(uploaded_by).user,
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
    moderator: Actor | User,
    hidden: bool,
    reason: str = "",
) -> Media:
    """Hide an upload from the public (or show it again); only moderators may."""
    who = Actor.of(moderator)
    moderator = who.user
    moderation.require_moderator(who)
    media = Media.objects.select_for_update().get(pk=media.pk)
    if media.hidden == hidden:
        return media
    media.hidden = hidden
    media.save(update_fields=["hidden"])
    record_audit(
        actor=who,
        action="media.hide" if hidden else "media.unhide",
        target=media,
        data={"reason": clean_text(reason)[:300]},
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
    for folder, field in CORE_FOLDERS.items():
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
