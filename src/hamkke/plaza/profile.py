"""The `[plaza]` table of a city profile: the category taxonomy, the legal grounds a document
may be withheld on, from which approver's level documents are published and when, the legal
deadline of disclosure requests, the open-data licences, and whether resolved reports are
published. Declared on the app's ServiceAppConfig; core validates a profile with it."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language
from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Named, Strict, unique

LEVELS = (
    "team_leader",
    "division_head",
    "director",
    "director_general",
    "deputy_mayor",
    "mayor",
)


class PlazaCategory(Named):
    parent: str = ""


class LegalGround(Named):
    """A ground for withholding, e.g. a paragraph of the Official Information Disclosure Act."""

    @property
    def display_name(self) -> str:
        """In the active language (English when it is and the profile gives one)."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Licence(Named):
    url: str = ""


class PlazaSection(Strict):
    categories: list[PlazaCategory] = []
    legal_grounds: list[LegalGround] = []
    # Approved documents from this level up are published without anyone asking.
    publish_from_level: Literal[LEVELS] = "division_head"  # type: ignore[valid-type]
    # "next_day": at the start of the day after approval (the city's clock); "at_once".
    publish_delay: Literal["next_day", "at_once"] = "next_day"
    request_deadline_days: int = Field(default=10, ge=1, le=90)
    request_extension_days: int = Field(default=10, ge=0, le=90)
    licences: list[Licence] = []
    default_licence: str = ""
    publish_complaint_results: bool = True

    @model_validator(mode="after")
    def _codes(self) -> PlazaSection:
        unique("plaza.categories", [c.code for c in self.categories])
        unique("plaza.legal_grounds", [g.code for g in self.legal_grounds])
        unique("plaza.licences", [lic.code for lic in self.licences])
        return self


def check_references(section: PlazaSection, profile: CityProfile, district_codes: set[str]):
    """Parents are categories of the table, one level deep; the default licence is listed."""
    top = {c.code for c in section.categories if not c.parent}
    for i, category in enumerate(section.categories):
        if category.parent and category.parent not in top:
            raise ValueError(
                f"plaza.categories[{i}].parent: {category.parent!r} is not a top-level category"
            )
    if section.default_licence and section.default_licence not in {
        lic.code for lic in section.licences
    }:
        raise ValueError(f"plaza.default_licence: unknown licence {section.default_licence!r}")
