"""Who may fetch a stored file through its public address (MEDIA_URL + its stored name),
decided per request: everybody while the upload and the object it is attached to are shown;
when either is hidden, only the officials who may see that object's hidden files and staff in
the back office. Apps answer for their own objects by registering a MediaOwner (core cannot
import them); an upload whose object has no owner is shown to nobody but staff."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.module_loading import import_string

from hamkke.core.models import Media

# Core's own folders of the storage (Media's upload_to) and the field that names the files in
# each. Files in other folders are what other apps published there (budget's ballot files):
# public by nature, as they always were.
CORE_FOLDERS = {"media": "file", "thumbs": "thumbnail"}

# Longer than any name Media stores (FileField's 100 characters) or another app writes.
# Storage folders of files apps publish for everyone (ServiceAppConfig.public_files).
_public_folders: set[str] = set()

MAX_NAME_LENGTH = 300


class Audience(enum.Enum):
    EVERYONE = "everyone"  # served, and browsers and CDNs may keep it for a while
    THIS_PERSON = "this_person"  # served to this person alone, kept by nobody
    NOBODY = "nobody"  # answered exactly as a file that does not exist


@dataclass(frozen=True)
class MediaOwner:
    """How an app answers for the uploads attached to its objects: `is_public(obj)` whether
    the object is shown to everybody (a hidden report is not, and hides all its files), and
    `may_see_hidden(request, obj)` whether this person may see the object's hidden files (its
    officials, signed in as officials must be). Either may be a dotted path, imported when
    first asked."""

    model: type[models.Model]
    is_public: Callable[[models.Model], bool] | str
    may_see_hidden: Callable[[HttpRequest, models.Model], bool] | str

    def object_is_public(self, target: models.Model) -> bool:
        return bool(_callable(self.is_public)(target))

    def may_see_hidden_of(self, request: HttpRequest, target: models.Model) -> bool:
        return bool(_callable(self.may_see_hidden)(request, target))


_owners: dict[str, MediaOwner] = {}


def register_media_owner(
    model: type[models.Model],
    *,
    is_public: Callable[[models.Model], bool] | str,
    may_see_hidden: Callable[[HttpRequest, models.Model], bool] | str,
) -> MediaOwner:
    """Let the uploads attached to `model`'s objects be shown by the rules of its app;
    registering a model again replaces its rules."""
    owner = MediaOwner(model=model, is_public=is_public, may_see_hidden=may_see_hidden)
    _owners[model._meta.label_lower] = owner
    return owner


def unregister_media_owner(model: type[models.Model]) -> None:
    _owners.pop(model._meta.label_lower, None)


def media_owner_for(model: type[models.Model]) -> MediaOwner | None:
    return _owners.get(model._meta.label_lower)


def stored_name(path: str) -> str | None:
    """The stored name a media address asks for, or None when it cannot name a stored file:
    a climb out of the folder (`..`, also when it came %-encoded), a `.` or empty segment
    (doubled slashes), a backslash, a NUL or another control character, or a name longer
    than any stored one. Storage names are plain relative paths; nothing is normalised
    here, so an odd spelling never reaches a file by another name."""
    if not path or len(path) > MAX_NAME_LENGTH:
        return None
    if "\\" in path or any(ord(char) < 32 or ord(char) == 127 for char in path):
        return None
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        return None
    return path


def register_public_folder(folder: str) -> None:
    """Files under `folder` (a storage prefix ending in "/") are published for everyone."""
    if not folder.endswith("/") or folder.startswith("/"):
        raise ValueError(f"a public folder is a relative prefix ending in '/', not {folder!r}")
    _public_folders.add(folder)


def audience(request: HttpRequest, name: str) -> Audience:
    """Who this request may be shown the file named `name` as (a name from stored_name).
    Uploads by their rules; files apps published for everyone to all; any other file (a Plaza
    attachment, served by the Plaza's own views with theirs) to nobody here."""
    field = CORE_FOLDERS.get(name.split("/", 1)[0])
    if field is None:
        if any(name.startswith(folder) for folder in _public_folders):
            return Audience.EVERYONE
        return Audience.NOBODY
    media = Media.objects.filter(**{field: name}).select_related("target_type").first()
    if media is None:
        # A file no upload names (left by a rolled-back transaction): nobody's to see.
        return Audience.NOBODY
    return media_audience(request, media)


def media_audience(request: HttpRequest, media: Media) -> Audience:
    """Everybody, when neither the upload nor its object is hidden; else the object's
    officials and staff in the back office. The public's answer reads nothing of the session,
    so it is the same for everybody and a CDN may keep it."""
    owner, target = _owner_and_target(media)
    if not media.hidden and target is not None and owner.object_is_public(target):
        return Audience.EVERYONE
    if _in_back_office(request):
        return Audience.THIS_PERSON
    if target is not None and owner.may_see_hidden_of(request, target):
        return Audience.THIS_PERSON
    return Audience.NOBODY


def _owner_and_target(media: Media) -> tuple[MediaOwner | None, models.Model | None]:
    """The app's rules and the object the upload is attached to; (None, None) for an upload
    attached to nothing, to a model no app answers for, or to an object since deleted."""
    if media.target_type_id is None:
        return None, None
    model = media.target_type.model_class()
    owner = media_owner_for(model) if model is not None else None
    if owner is None:
        return None, None
    try:
        target = model._default_manager.filter(pk=media.target_id).first()
    except (ValueError, TypeError):
        target = None  # an id that cannot be the model's key names nothing
    return owner, target


def _in_back_office(request: HttpRequest) -> bool:
    # The back office's own rule (active staff, signed in with their second factor): core
    # asks the installed admin site instead of importing accounts, which decides it.
    return admin.site.has_permission(request)


def _callable(value: Callable | str) -> Callable:
    return import_string(value) if isinstance(value, str) else value
