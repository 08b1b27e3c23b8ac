"""The city's services as the navigation lists them: each installed app's declared entry
(core/service_app.py), and for a service of the platform not installed in this deployment (or
not built yet) a placeholder that links to a page saying so plainly instead of a dead end.
Placeholders name no app and no route: an installed app's entry replaces the one of its slug."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from hamkke.core.service_app import Navigation, navigation_entries

PLACEHOLDERS: tuple[Navigation, ...] = (
    Navigation(
        "ideas",
        _("Oasis of 10 Million Imagination"),
        _("Propose ideas for the city, support others, follow them to policy."),
        "core/icons/ideas.svg",
        None,
        order=20,
    ),
    Navigation(
        "polls",
        _("M-Voting"),
        _("Vote in the city's and citizens' polls: one person, one vote."),
        "core/icons/polls.svg",
        None,
        order=30,
    ),
    Navigation(
        "plaza",
        _("Information Communication Plaza"),
        _("Read the city's documents: approvals, budgets, meetings, contracts."),
        "core/icons/plaza.svg",
        None,
        order=50,
    ),
    Navigation(
        "places",
        _("Places"),
        _("Public WiFi, free phone chargers, facilities, guides and routes."),
        "core/icons/places.svg",
        None,
        order=60,
    ),
    Navigation(
        "iot",
        _("Smart Districts"),
        _("Parking sensors and sharing, smart bins: the Bukchon pilot."),
        "core/icons/iot.svg",
        None,
        order=70,
    ),
    Navigation(
        "stories",
        _("City Stories"),
        _("Stories and themes from the city, in twelve sections."),
        "core/icons/stories.svg",
        None,
        order=80,
    ),
    Navigation(
        "wego",
        _("WeGO Sharing"),
        _("Cities share their solutions and run them from their own profile."),
        "core/icons/wego.svg",
        None,
        order=90,
    ),
)

_entries: tuple[Navigation, ...] | None = None


def services() -> tuple[Navigation, ...]:
    """Installed entries and the remaining placeholders, in order (computed once: the apps do
    not change while the process runs)."""
    global _entries
    if _entries is None:
        installed = navigation_entries()
        slugs = {entry.slug for entry in installed}
        rest = [entry for entry in PLACEHOLDERS if entry.slug not in slugs]
        _entries = tuple(sorted([*installed, *rest], key=lambda entry: entry.order))
    return _entries


def service_by_slug(slug: str) -> Navigation | None:
    return next((service for service in services() if service.slug == slug), None)
