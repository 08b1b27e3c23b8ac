"""The plug-in contract: every installed app declares every part, and the system check names
an app that forgets one, names something that does not exist, or skips the contract."""

from __future__ import annotations

import types
from xml.etree import ElementTree

import pytest
from django.apps import AppConfig, apps
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from hamkke.core import checks, service_app
from hamkke.core.navigation import service_by_slug, services

SVG = "http://www.w3.org/2000/svg"


def _config(cls: type[AppConfig], name: str = "hamkke.fake") -> AppConfig:
    module = types.ModuleType(name)
    module.__file__ = "/nonexistent/fake/__init__.py"
    return cls(name, module)


class Complete(service_app.ServiceAppConfig):
    navigation = None
    urls = ()
    api_routers = ()
    profile_section = None
    demo_seeder = None
    notification_kinds = ()
    commentables = ()
    personal_data = ()
    periodic_tasks = ()
    media_owners = ()
    public_files = ()
    home_panels = ()
    importers = ()


def _ids(configs) -> list[str]:
    return [message.id for message in checks.check_service_apps(app_configs=configs)]


def test_the_installed_apps_fulfil_the_contract():
    assert checks.check_service_apps() == []
    names = {config.name for config in service_app.service_apps()}
    assert {"hamkke.core", "hamkke.accounts", "hamkke.complaints", "hamkke.budget"} <= names


def test_a_complete_declaration_passes():
    assert _ids([_config(Complete)]) == []


def test_an_app_that_forgets_a_part_fails_loudly():
    class Forgetful(service_app.ServiceAppConfig):
        navigation = None
        urls = ()

    messages = checks.check_service_apps(app_configs=[_config(Forgetful)])
    assert {message.id for message in messages} == {"hamkke.E002"}
    missing = {part for part in service_app.CONTRACT if part not in ("navigation", "urls")}
    assert all(any(f"`{part}`" in m.msg for m in messages) for part in missing)
    assert "periodic_tasks" in missing


def test_a_hamkke_app_outside_the_contract_is_refused_but_others_are_not():
    assert _ids([_config(AppConfig)]) == ["hamkke.E001"]
    assert _ids([_config(AppConfig, name="someone.else")]) == []


def test_a_dotted_path_that_does_not_import_is_named():
    class Broken(Complete):
        demo_seeder = "hamkke.nowhere.seed"

    messages = checks.check_service_apps(app_configs=[_config(Broken)])
    assert [m.id for m in messages] == ["hamkke.E003"]
    assert "hamkke.nowhere.seed" in messages[0].msg


def test_a_navigation_route_that_does_not_exist_is_named():
    class Lost(Complete):
        navigation = service_app.Navigation(
            "lost", "Lost", "", "core/icons/website.svg", url_name="lost:index"
        )

    assert _ids([_config(Lost)]) == ["hamkke.E006"]


@pytest.mark.parametrize("icon", ["📍", "core/icons/nowhere.svg", "core/hamkke.css"])
def test_a_navigation_icon_that_is_not_a_shipped_svg_is_named(icon):
    class Emoji(Complete):
        navigation = service_app.Navigation("odd", "Odd", "", icon, url_name=None)

    messages = checks.check_service_apps(app_configs=[_config(Emoji)])
    assert [m.id for m in messages] == ["hamkke.E007"]
    assert repr(icon) in messages[0].msg


def test_every_service_in_the_navigation_has_an_svg_icon_of_the_project():
    entries = services()
    assert {"complaints", "budget", "ideas", "polls", "plaza", "places", "iot"} <= {
        entry.slug for entry in entries
    }
    for entry in entries:
        found = finders.find(entry.icon)
        assert found and entry.icon.endswith(".svg"), (entry.slug, entry.icon)
        # A drawing, not a wrapped bitmap or a script: an <svg> root of vector shapes only.
        root = ElementTree.parse(found).getroot()
        assert root.tag == f"{{{SVG}}}svg" and root.get("viewBox") == "0 0 24 24", entry.slug
        shapes = {child.tag.removeprefix(f"{{{SVG}}}") for child in root.iter()} - {"svg", "title"}
        assert shapes and shapes <= {"path", "circle", "ellipse", "rect"}, (entry.slug, shapes)


def test_the_home_page_and_the_menu_show_the_icons(client, city):
    html = client.get("/").content.decode()
    for entry in services():
        # Twice: the service's card and its line in the menu, each decorative (alt="").
        assert html.count(f'src="{static(entry.icon)}" alt=""') == 2, entry.slug


def test_a_commentable_model_that_does_not_exist_is_named():
    class Talkative(Complete):
        commentables = (service_app.CommentableModel("nowhere.Thing", label="thing"),)

    assert _ids([_config(Talkative)]) == ["hamkke.E005"]


def test_a_profile_schema_must_be_a_pydantic_model():
    class Odd(Complete):
        profile_section = service_app.ProfileSection(
            key="odd", schema="hamkke.core.errors.NotFound"
        )

    assert _ids([_config(Odd)]) == ["hamkke.E004"]


def test_declarations_reach_the_site():
    budget = apps.get_app_config("budget")
    # Its navigation entry, its routes and its API are the ones it declared.
    assert service_by_slug("budget") == budget.navigation
    assert reverse(budget.navigation.url_name) == "/budget/"
    prefixes = [mount.prefix for mount in service_app.api_mounts()]
    assert "/budget" in prefixes and "/complaints/desk" in prefixes
    assert prefixes.index("/complaints/desk") < prefixes.index("/complaints")


@pytest.mark.parametrize("slug", ["wego"])
def test_services_not_installed_keep_a_placeholder(slug):
    entry = service_by_slug(slug)
    assert entry is not None and not entry.built


def test_an_installed_app_replaces_its_placeholder():
    assert service_by_slug("iot") == apps.get_app_config("iot").navigation


def test_a_home_panel_that_does_not_import_is_named():
    class Panelled(Complete):
        home_panels = (service_app.HomePanel("x.html", "hamkke.nowhere.panel"),)

    assert _ids([_config(Panelled)]) == ["hamkke.E003"]


def test_the_home_page_shows_the_panels_the_apps_declare(client, city):
    """Polls declare a panel of the polls open now; with none open there is no panel."""
    assert "home-polls-title" not in client.get("/").content.decode()
    panels = service_app.home_panels()
    assert [p.template for p in panels] == ["polls/_home_panel.html"]


def test_celery_beat_runs_what_the_apps_declare():
    from hamkke.celery import app

    declared = {
        task.name: task.task
        for config in service_app.service_apps()
        for task in config.periodic_tasks
    }
    assert "escalate-overdue-complaints" in declared
    app.finalize()
    # The tasks modules are imported when a worker starts (autodiscovery); do what it does,
    # so the test does not depend on another test having imported them first.
    app.loader.import_default_modules()
    schedule = {name: entry["task"] for name, entry in app.conf.beat_schedule.items()}
    assert schedule == declared
    for dotted in declared.values():
        assert dotted in app.tasks, f"{dotted} is not a registered Celery task"
