"""The city's services as the navigation lists them. A service that is not built yet links to a
page that says so plainly instead of a dead end."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Service:
    slug: str
    name: Promise
    summary: Promise
    icon: str
    url_name: str | None = None  # None: not built yet
    desk_url_name: str | None = None  # the officials' side, when the service has one

    @property
    def built(self) -> bool:
        return self.url_name is not None


SERVICES: tuple[Service, ...] = (
    Service(
        "complaints",
        _("Smart Complaint Report"),
        _("Report a damaged road, litter, illegal parking or a broken facility."),
        "📍",
        "complaints:index",
        "complaints:desk",
    ),
    Service(
        "ideas",
        _("Oasis of 10 Million Imagination"),
        _("Propose ideas for the city, support others, follow them to policy."),
        "💡",
    ),
    Service(
        "polls",
        _("M-Voting"),
        _("Vote in the city's and citizens' polls: one person, one vote."),
        "🗳",
    ),
    Service(
        "budget",
        _("Participatory Budgeting"),
        _("Propose and choose the projects a share of the budget pays for."),
        "💰",
        "budget:index",
        "budget:desk",
    ),
    Service(
        "plaza",
        _("Information Communication Plaza"),
        _("Read the city's documents: approvals, budgets, meetings, contracts."),
        "📂",
    ),
    Service(
        "places",
        _("Places"),
        _("Public WiFi, free phone chargers, facilities, guides and routes."),
        "📶",
    ),
    Service(
        "iot",
        _("Smart Districts"),
        _("Parking sensors and sharing, smart bins: the Bukchon pilot."),
        "📡",
    ),
    Service(
        "stories",
        _("City Stories"),
        _("Stories and themes from the city, in twelve sections."),
        "📰",
    ),
    Service(
        "wego",
        _("WeGO Sharing"),
        _("Cities share their solutions and run them from their own profile."),
        "🌏",
    ),
)


def service_by_slug(slug: str) -> Service | None:
    return next((service for service in SERVICES if service.slug == slug), None)
