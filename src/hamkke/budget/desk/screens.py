"""What every desk screen of a cycle shares: its tabs (the screens an official's role opens, as
the policies say), the context each template reads, and the forms of pages that list projects
with one form per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy

from hamkke.accounts.models import Role
from hamkke.budget import policies
from hamkke.budget.models import Cycle, Phase, Project
from hamkke.core.web.forms import ServiceForm

# The desk's screens of a cycle in the tabs' order: (tab, route, label, the action whose role in
# the cycle's department opens it; None: every official who may see the cycle).
SCREENS = (
    ("cycle", "budget:desk-cycle", gettext_lazy("Overview"), None),
    ("review", "budget:desk-review", gettext_lazy("Review"), None),
    ("paper", "budget:desk-paper", gettext_lazy("Paper ballots"), policies.ENTER_PAPER_BALLOTS),
    ("survey", "budget:desk-survey", gettext_lazy("Survey"), policies.IMPORT_SURVEY),
    ("committee", "budget:desk-committee", gettext_lazy("Committee"), policies.APPOINT_COMMITTEE),
    ("results", "budget:desk-results", gettext_lazy("Results"), policies.PUBLISH),
    ("implementation", "budget:desk-implementation", gettext_lazy("Implementation"), None),
)


@dataclass(frozen=True)
class Screen:
    tab: str
    label: str
    url: str


def screens_for(cycle: Cycle, role: Role | None) -> list[Screen]:
    """The screens of the cycle an official with `role` in its department opens."""
    return [
        Screen(tab=tab, label=label, url=reverse(route, args=[cycle.slug]))
        for tab, route, label, action in SCREENS
        if action is None or policies.role_allows(role, action)
    ]


def screen_context(cycle: Cycle, role: Role | None, tab: str, **extra) -> dict:
    """What every screen of a cycle shows: its title, phases and tabs (`tab` the current one)."""
    return {
        "cycle": cycle,
        "phase": cycle.phase,
        "Phase": Phase,
        "role": role,
        "tab": tab,
        "screens": screens_for(cycle, role),
        **extra,
    }


@dataclass
class RowForms:
    """The forms of a page listing projects, one per row. A form sent and refused (the project's
    code, the form) goes back in its row with the input and the errors; when its row has no form
    any more (the project is scored, or not selected), its error goes on top of the page."""

    refused: tuple[str, ServiceForm] | None = None
    shown: bool = False

    def form_for(self, project: Project, fresh: Callable[[Project], ServiceForm]) -> ServiceForm:
        if self.refused is None or self.refused[0] != project.code:
            return fresh(project)
        self.shown = True
        return self.refused[1]

    def error_on_top(self, *fields: str) -> list | None:
        """The first of these fields' errors of a refused form not shown in a row."""
        if self.refused is None or self.shown:
            return None
        errors = self.refused[1].errors
        return next((errors[field] for field in fields if errors.get(field)), None)
