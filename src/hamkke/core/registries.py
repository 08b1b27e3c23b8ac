"""The platform's registries: which models take comments, which kinds of notification exist and
which parts make up a person's data. Filled once at start-up from each app's declarations on its
ServiceAppConfig (service_app.py), so core serves them all without per-model code (as adhocracy4
does); tests may register extra entries with the same functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from hamkke.core.errors import NotFound


@dataclass(frozen=True)
class Commentable:
    model: type[models.Model]
    label: str | Promise
    # Answers whether an object still takes new comments (a closed poll does not); None: always.
    is_open: Callable[[models.Model], bool] | None = None
    # Answers whether the object may be shown to the public at all (a closed Plaza document may
    # not); None: always. A thread on an object not shown is answered as missing.
    is_visible: Callable[[models.Model], bool] | None = None

    @property
    def key(self) -> str:
        return self.model._meta.label_lower


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str | Promise


Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_commentables: dict[str, Commentable] = {}
_notification_kinds: dict[str, NotificationKind] = {}
_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_commentable(
    model: type[models.Model],
    *,
    label: str | Promise,
    is_open: Callable[[models.Model], bool] | None = None,
    is_visible: Callable[[models.Model], bool] | None = None,
) -> Commentable:
    """Let people comment on `model`'s objects. `label` names one object for people
    ("idea", "report"); the model is addressed as "app_label.model" in URLs and the API."""
    entry = Commentable(model=model, label=label, is_open=is_open, is_visible=is_visible)
    _commentables[entry.key] = entry
    return entry


def unregister_commentable(model: type[models.Model]) -> None:
    _commentables.pop(model._meta.label_lower, None)


def commentable_for(model_or_object: type[models.Model] | models.Model) -> Commentable | None:
    return _commentables.get(model_or_object._meta.label_lower)


def commentables() -> list[Commentable]:
    return list(_commentables.values())


def target_key(target: models.Model) -> str:
    """How a target is addressed in URLs and the API: "app_label.model"."""
    return target._meta.label_lower


def resolve_comment_target(key: str, object_id: str) -> models.Model:
    """The object behind an address from a URL; only registered models answer."""
    entry = _commentables.get(str(key).lower())
    if entry is None:
        raise NotFound(
            _("Comments are not open on “%(key)s”.") % {"key": key}, code="not_commentable"
        )
    missing = NotFound(_("No %(label)s with id %(id)s.") % {"label": entry.label, "id": object_id})
    try:
        target = entry.model._default_manager.get(pk=object_id)
    except (entry.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise missing from exc
    if entry.is_visible is not None and not entry.is_visible(target):
        raise missing  # the same answer as a missing object: nothing tells it exists
    return target


def register_notification_kind(code: str, label: str | Promise) -> NotificationKind:
    """A kind of notification people can switch on or off, in the site and by email."""
    kind = NotificationKind(code=code, label=label)
    _notification_kinds[code] = kind
    return kind


def notification_kind(code: str) -> NotificationKind | None:
    return _notification_kinds.get(code)


def notification_kinds() -> list[NotificationKind]:
    return sorted(_notification_kinds.values(), key=lambda kind: kind.code)


def register_exporter(name: str, exporter: Exporter) -> None:
    """Add `name` to every personal-data download; registering a name again replaces it."""
    _exporters[name] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    _erasers[name] = eraser


def unregister(name: str) -> None:
    """Drop a personal-data part (tests)."""
    _exporters.pop(name, None)
    _erasers.pop(name, None)


def exporter_names() -> list[str]:
    return sorted(_exporters)


def exporters() -> list[tuple[str, Exporter]]:
    return sorted(_exporters.items())


def erasers() -> list[tuple[str, Eraser]]:
    return sorted(_erasers.items())


# Core's own kind (declared on CoreConfig): an author learns when a moderator hides a comment.
COMMENT_HIDDEN = "comment_hidden"
