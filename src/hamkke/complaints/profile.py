"""The `[complaints]` table of a city profile: groups, categories with their questions and
routes, the exceptions per district, how long a reporter may reopen. Declared on the app's
ServiceAppConfig; core validates a profile with it when a city is loaded."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Named, Strict, unique


class Question(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    label_en: str = ""
    type: Literal["text", "number", "choice", "boolean"] = "text"
    required: bool = False
    choices: list[str] = []

    @model_validator(mode="after")
    def _choices_for_choice(self) -> Question:
        if self.type == "choice" and not self.choices:
            raise ValueError("a 'choice' question needs its choices")
        return self


class ComplaintGroup(Named):
    pass


class ComplaintCategory(Named):
    group: str
    route: str = Field(description="A department code, or 'district' for the district's office")
    sla_days: int = Field(ge=1, le=365)
    duplicate_radius_m: int = Field(default=100, ge=1, le=5000)
    description: str = ""
    description_en: str = ""
    questions: list[Question] = []


class ComplaintRoute(Strict):
    """An exception to a category's route for one district (e.g. one gu handles its own lights)."""

    category: str
    district: str
    department: str


class ComplaintsSection(Strict):
    groups: list[ComplaintGroup] = []
    categories: list[ComplaintCategory] = []
    routes: list[ComplaintRoute] = []
    reopen_days: int = Field(default=14, ge=0, le=365, description="How long a reporter may reopen")


def check_references(
    section: ComplaintsSection, profile: CityProfile, district_codes: set[str]
) -> None:
    """Every group, department, category and district the table names exists."""
    unique("complaints.groups", [g.code for g in section.groups])
    unique("complaints.categories", [c.code for c in section.categories])
    departments = {d.code for d in profile.departments}
    groups = {g.code for g in section.groups}
    for i, category in enumerate(section.categories):
        if category.group not in groups:
            raise ValueError(f"complaints.categories[{i}].group: unknown group {category.group!r}")
        if category.route == "district":
            if profile.district_offices is None:
                raise ValueError(
                    f"complaints.categories[{i}].route: 'district' needs [district_offices]"
                )
        elif category.route not in departments:
            raise ValueError(
                f"complaints.categories[{i}].route: unknown department {category.route!r}"
            )
    categories = {c.code for c in section.categories}
    for i, route in enumerate(section.routes):
        if route.category not in categories:
            raise ValueError(f"complaints.routes[{i}].category: unknown {route.category!r}")
        if route.department not in departments:
            raise ValueError(f"complaints.routes[{i}].department: unknown {route.department!r}")
        if route.district not in district_codes:
            raise ValueError(
                f"complaints.routes[{i}].district: unknown district {route.district!r}"
            )
