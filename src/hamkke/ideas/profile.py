"""The `[ideas]` table of a city profile: the themes ideas are filed under (and the department
answering each), the office that runs the Oasis, and the pipeline's staged thresholds and
deadlines — numbers Seoul has changed over the years, so they are the city's to set.
Declared on the app's ServiceAppConfig."""

from __future__ import annotations

from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Named, Strict, unique


class Theme(Named):
    # The department that answers ideas of this theme; the Oasis office when empty.
    department: str = ""


class IdeasSection(Strict):
    # The office that runs the Oasis: reviews, meetings, contests, and answers for themes
    # without a department of their own.
    department: str = ""
    themes: list[Theme] = []
    # Whether authors may support their own ideas (Seoul's Oasis does not let them).
    own_support: bool = False
    # Stage 1: this many supports within forward_days sends an idea to its department, which
    # answers in writing within answer_days; an overdue answer escalates to the department's
    # managers, who get escalation_days more.
    forward_supports: int = Field(default=50, ge=1)
    forward_days: int = Field(default=30, ge=1, le=365)
    answer_days: int = Field(default=14, ge=1, le=365)
    escalation_days: int = Field(default=7, ge=1, le=365)
    # Stage 2: this many supports within discussion_days of the answer opens a public
    # discussion of discussion_length_days with officials and experts.
    discussion_supports: int = Field(default=500, ge=1)
    discussion_days: int = Field(default=60, ge=1, le=365)
    discussion_length_days: int = Field(default=14, ge=1, le=365)
    # Stage 3: assigned experts score the idea within review_days.
    review_days: int = Field(default=30, ge=1, le=365)

    @model_validator(mode="after")
    def _stages_climb(self) -> IdeasSection:
        unique("ideas.themes", [theme.code for theme in self.themes])
        if self.discussion_supports <= self.forward_supports:
            raise ValueError(
                "ideas.discussion_supports must be above ideas.forward_supports: "
                "the second stage asks for more support than the first"
            )
        return self


def check_references(section: IdeasSection, profile: CityProfile, district_codes: set[str]):
    """Every department the table names is one of the profile's."""
    codes = {department.code for department in profile.departments}
    if section.department and section.department not in codes:
        raise ValueError(f"ideas.department: unknown department {section.department!r}")
    for theme in section.themes:
        if theme.department and theme.department not in codes:
            raise ValueError(
                f"ideas.themes.{theme.code}.department: unknown department {theme.department!r}"
            )
