"""The one plug-in contract: an app joins the platform by declaring, on its `ServiceAppConfig`,
everything the platform needs from it — its navigation and desk entry, URL includes, API
routers, its section of the city profile (schema, cross-checks, loader), demo seeder,
notification kinds, commentable models, its part of a person's data (export, erasure), the
tasks Celery beat runs for it and who may see the files attached to its objects.

Nothing else plugs an app in: the root URLs and API, the navigation, `hamkke city load`,
`hamkke demo`, the comment and notification registries and the personal-data download all read
these declarations. Every part must be declared, `None` or `()` meaning "this app has none", so
an app that forgets one fails the system check at start-up (see `checks.py`) instead of quietly
missing from a page. Callables are named by dotted path and imported when first used, so an
AppConfig imports no models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import AppConfig, apps
from django.utils.functional import Promise
from django.utils.module_loading import import_string


class _Undeclared:
    """The value of a contract part an app has not declared (a programming error)."""

    def __repr__(self) -> str:
        return "UNDECLARED"


UNDECLARED: Any = _Undeclared()


@dataclass(frozen=True)
class Navigation:
    """The app's entry in the site's navigation and on the home page; `desk_url_name` is the
    officials' side, listed for officials only. `order` sorts the entries (lower first).
    `icon` is the static path of an SVG shipped with the project ("core/icons/ideas.svg"), not
    an emoji, which a device without an emoji font shows as an empty box."""

    slug: str
    name: str | Promise
    summary: str | Promise
    icon: str
    url_name: str | None
    desk_url_name: str | None = None
    order: int = 100

    @property
    def built(self) -> bool:
        return self.url_name is not None


@dataclass(frozen=True)
class UrlMount:
    """`include(module)` at `prefix` ("complaints/", "" for the site root)."""

    prefix: str
    module: str


@dataclass(frozen=True)
class ApiMount:
    """The django-ninja Router at dotted path `router`, added under /api/v1`prefix`."""

    prefix: str
    router: str


@dataclass(frozen=True)
class ProfileSection:
    """The app's top-level table of the city profile (`[budget]`, `[[complaints.categories]]`):
    `schema` a pydantic model validating it, `check` an optional function
    `(section, profile, district_codes) -> None` raising ValueError naming the field for
    references into the rest of the profile, and `loader(*, city)` turning it into rows when a
    city is loaded (idempotent)."""

    key: str
    schema: str
    loader: str | None = None
    check: str | None = None


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str | Promise


@dataclass(frozen=True)
class CommentableModel:
    """People may comment on `model`'s objects ("app_label.Model"); `label` names one object
    for people; `is_open` (dotted, optional) answers whether an object still takes comments;
    `is_visible` (dotted, optional) whether it may be shown at all (a thread on an object not
    shown is answered as missing)."""

    model: str
    label: str | Promise
    is_open: str | None = None
    is_visible: str | None = None


@dataclass(frozen=True)
class PersonalDataPart:
    """One key of a person's data download. `export(user)` returns JSON-ready data about that
    person only; `erase(user)` (optional) runs inside the account deletion's transaction and
    removes or de-personalises what the app holds (rows on CASCADE or SET_NULL need none)."""

    name: str
    export: str
    erase: str | None = None


@dataclass(frozen=True)
class MediaOwner:
    """The app answers for the uploads attached to `model` ("app_label.Model"): `is_public(obj)`
    whether the object's files are public now, `may_see_hidden(request, obj)` who else may see
    them when the file or the object is hidden (core/media/access.py serves by these)."""

    model: str
    is_public: str
    may_see_hidden: str


@dataclass(frozen=True)
class PeriodicTask:
    """A Celery task (dotted name) that Celery beat runs every `every_seconds`."""

    name: str
    task: str
    every_seconds: int


@dataclass(frozen=True)
class HomePanel:
    """A panel of the city's home page (open polls, the latest documents): `template` renders
    it from what `context` (dotted, a function of the request returning a dict, or None to
    leave the panel out) gives. Panels come in `order`; the app keeps its data fresh itself
    (the home page's cached part holds only the services' list)."""

    template: str
    context: str
    order: int = 100


@dataclass(frozen=True)
class Importer:
    """A bulk import of the app's registries from a file (core/imports): `path` names a class
    following core.imports.engine.RowImporter; `key` is how jobs, pages and the API name it
    ("places")."""

    key: str
    path: str


# The contract's parts, with what each must hold; checks.py verifies them at start-up.
CONTRACT: dict[str, str] = {
    "navigation": "a Navigation, or None for an app with no entry of its own",
    "urls": "a tuple of UrlMount",
    "api_routers": "a tuple of ApiMount",
    "profile_section": "a ProfileSection, or None when the app reads no part of the profile",
    "demo_seeder": "the dotted path of a generator of progress lines, or None",
    "notification_kinds": "a tuple of NotificationKind",
    "commentables": "a tuple of CommentableModel",
    "personal_data": "a tuple of PersonalDataPart",
    "periodic_tasks": "a tuple of PeriodicTask",
    "media_owners": "a tuple of MediaOwner",
    "public_files": "a tuple of storage folders ('budget/') anyone may download from /media/",
    "home_panels": "a tuple of HomePanel",
    "importers": "a tuple of Importer (bulk imports of the app's registries from files)",
}


class ServiceAppConfig(AppConfig):
    """Subclass it in the app's apps.py and declare every part of CONTRACT."""

    navigation: Navigation | None = UNDECLARED
    urls: tuple[UrlMount, ...] = UNDECLARED
    api_routers: tuple[ApiMount, ...] = UNDECLARED
    profile_section: ProfileSection | None = UNDECLARED
    demo_seeder: str | None = UNDECLARED
    notification_kinds: tuple[NotificationKind, ...] = UNDECLARED
    commentables: tuple[CommentableModel, ...] = UNDECLARED
    personal_data: tuple[PersonalDataPart, ...] = UNDECLARED
    periodic_tasks: tuple[PeriodicTask, ...] = UNDECLARED
    media_owners: tuple[MediaOwner, ...] = UNDECLARED
    # Files the app wrote for everyone (published results) under these storage folders are
    # served by the media route to anyone; every other file an app stores is served only by its
    # own views, with its own rules (the media route answers 404 for them).
    public_files: tuple[str, ...] = UNDECLARED
    home_panels: tuple[HomePanel, ...] = UNDECLARED
    importers: tuple[Importer, ...] = UNDECLARED

    def ready(self) -> None:
        # The registries core serves from (comments, notifications, personal data) learn this
        # app's parts here, once, so a lookup needs no walk over the apps.
        from hamkke.core import registries

        for kind in _declared(self.notification_kinds):
            registries.register_notification_kind(kind.code, kind.label)
        for entry in _declared(self.commentables):
            registries.register_commentable(
                apps.get_model(entry.model),
                label=entry.label,
                is_open=_lazy(entry.is_open) if entry.is_open else None,
                is_visible=_lazy(entry.is_visible) if entry.is_visible else None,
            )
        for part in _declared(self.personal_data):
            registries.register_exporter(part.name, _lazy(part.export))
            if part.erase:
                registries.register_eraser(part.name, _lazy(part.erase))
        from hamkke.core.media.access import register_media_owner, register_public_folder

        for owner in _declared(self.media_owners):
            register_media_owner(
                apps.get_model(owner.model),
                is_public=_lazy(owner.is_public),
                may_see_hidden=_lazy(owner.may_see_hidden),
            )
        for folder in _declared(self.public_files):
            register_public_folder(folder)


def _declared(value: Any) -> tuple:
    return () if value is UNDECLARED or value is None else tuple(value)


def _lazy(dotted: str) -> Callable:
    """A callable that imports `dotted` on first call (AppConfigs must not import models)."""

    def call(*args, **kwargs):
        return resolve(dotted)(*args, **kwargs)  # imported once, then from the cache

    call.__name__ = call.__qualname__ = dotted
    return call


def service_apps() -> list[ServiceAppConfig]:
    """The installed apps that plug in through the contract, in INSTALLED_APPS order."""
    return [config for config in apps.get_app_configs() if isinstance(config, ServiceAppConfig)]


def home_panels() -> list[HomePanel]:
    """Every app's home-page panels, in their declared order."""
    panels = [panel for config in service_apps() for panel in _declared(config.home_panels)]
    return sorted(panels, key=lambda panel: panel.order)


def navigation_entries() -> list[Navigation]:
    """Every app's navigation entry, in their declared order."""
    entries = [config.navigation for config in service_apps() if config.navigation]
    return sorted(entries, key=lambda entry: entry.order)


def url_mounts() -> Iterator[UrlMount]:
    for config in service_apps():
        yield from _declared(config.urls)


def api_mounts() -> Iterator[ApiMount]:
    for config in service_apps():
        yield from _declared(config.api_routers)


def profile_sections() -> list[ProfileSection]:
    return [config.profile_section for config in service_apps() if config.profile_section]


@cache
def resolve(dotted: str) -> Any:
    return import_string(dotted)


def beat_schedule() -> dict[str, dict]:
    """Every app's periodic tasks as Celery beat's schedule."""
    return {
        task.name: {"task": task.task, "schedule": task.every_seconds}
        for config in service_apps()
        for task in _declared(config.periodic_tasks)
    }


def importers() -> dict[str, Importer]:
    """Every app's importers by key."""
    return {entry.key: entry for config in service_apps() for entry in _declared(config.importers)}


def demo_seeders() -> Iterator[Callable[[], Iterator[str]]]:
    for config in service_apps():
        if config.demo_seeder:
            yield resolve(config.demo_seeder)
