"""System checks of the plug-in contract (core/service_app.py), run by every manage.py command
and at start-up: every Hamkke app plugs in through ServiceAppConfig and declares every part of
the contract, and what it names exists. A new app that forgets a part fails loudly here."""

from __future__ import annotations

from django.apps import apps
from django.contrib.staticfiles import finders
from django.core import checks
from django.urls import NoReverseMatch, reverse
from pydantic import BaseModel

from hamkke.core import service_app
from hamkke.core.service_app import UNDECLARED, ServiceAppConfig

HAMKKE_PACKAGE = "hamkke."


@checks.register()
def check_service_apps(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    for config in app_configs or apps.get_app_configs():
        if not config.name.startswith(HAMKKE_PACKAGE):
            continue
        if not isinstance(config, ServiceAppConfig):
            if getattr(config, "default", True) is False:
                continue  # a second, non-default config (the admin site's)
            problems.append(
                checks.Error(
                    f"{config.name} does not plug in through ServiceAppConfig.",
                    hint="Subclass hamkke.core.service_app.ServiceAppConfig in its apps.py.",
                    obj=config,
                    id="hamkke.E001",
                )
            )
            continue
        problems.extend(_check_declarations(config))
    return problems


def _check_declarations(config: ServiceAppConfig) -> list[checks.CheckMessage]:
    problems = []
    for part, expected in service_app.CONTRACT.items():
        if getattr(config, part) is UNDECLARED:
            problems.append(
                checks.Error(
                    f"{config.name} does not declare `{part}` on its ServiceAppConfig.",
                    hint=f"Declare {expected}.",
                    obj=config,
                    id="hamkke.E002",
                )
            )
    if problems:
        return problems
    named = [(f"urls {m.prefix!r}", m.module) for m in config.urls]
    named += [(f"api_routers {m.prefix!r}", m.router) for m in config.api_routers]
    if config.profile_section:
        section = config.profile_section
        named += [("profile_section.schema", section.schema)]
        named += [("profile_section.loader", section.loader)] if section.loader else []
        named += [("profile_section.check", section.check)] if section.check else []
    named += [("demo_seeder", config.demo_seeder)] if config.demo_seeder else []
    named += [(f"commentables {c.model}", c.is_open) for c in config.commentables if c.is_open]
    named += [
        (f"commentables {c.model}", c.is_visible) for c in config.commentables if c.is_visible
    ]
    named += [(f"periodic_tasks {t.name!r}", t.task) for t in config.periodic_tasks]
    named += [(f"home_panels {p.template!r}", p.context) for p in config.home_panels]
    named += [(f"importers {i.key!r}", i.path) for i in config.importers]
    for owner in config.media_owners:
        named += [(f"media_owners {owner.model}", owner.is_public)]
        named += [(f"media_owners {owner.model}", owner.may_see_hidden)]
    for part in config.personal_data:
        named += [(f"personal_data {part.name!r}", part.export)]
        named += [(f"personal_data {part.name!r}", part.erase)] if part.erase else []
    for where, dotted in named:
        problem = _importable(config, where, dotted)
        if problem:
            problems.append(problem)
    if config.profile_section and not problems:
        schema = service_app.resolve(config.profile_section.schema)
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            problems.append(
                checks.Error(
                    f"{config.name}: profile_section.schema is not a pydantic model.",
                    obj=config,
                    id="hamkke.E004",
                )
            )
    for entry in config.commentables:
        try:
            apps.get_model(entry.model)
        except (LookupError, ValueError):
            problems.append(
                checks.Error(
                    f"{config.name}: commentable model {entry.model!r} does not exist.",
                    obj=config,
                    id="hamkke.E005",
                )
            )
    problems.extend(_check_navigation(config))
    return problems


def _importable(config, where: str, dotted: str) -> checks.CheckMessage | None:
    try:
        if where.startswith("urls"):
            __import__(dotted)
        else:
            service_app.resolve(dotted)
    except ImportError as exc:
        return checks.Error(
            f"{config.name}: {where} names {dotted!r}, which cannot be imported ({exc}).",
            obj=config,
            id="hamkke.E003",
        )
    return None


def _check_navigation(config: ServiceAppConfig) -> list[checks.CheckMessage]:
    entry = config.navigation
    if entry is None:
        return []
    problems = []
    for route in (entry.url_name, entry.desk_url_name):
        if route is None:
            continue
        try:
            reverse(route)
        except NoReverseMatch:
            problems.append(
                checks.Error(
                    f"{config.name}: navigation names the route {route!r}, which does not exist.",
                    obj=config,
                    id="hamkke.E006",
                )
            )
    if not icon_is_shipped(entry.icon):
        problems.append(
            checks.Error(
                f"{config.name}: navigation's icon {entry.icon!r} is not an SVG file among the "
                "static files (an emoji shows as an empty box without an emoji font).",
                obj=config,
                id="hamkke.E007",
            )
        )
    return problems


def icon_is_shipped(icon: str) -> bool:
    """A navigation icon names an SVG the project's static files hold ("core/icons/x.svg")."""
    return icon.endswith(".svg") and finders.find(icon) is not None
