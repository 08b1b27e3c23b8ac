"""The `[budget]` table of a city profile: the areas a cycle's pools may cover (beside the
districts). Declared on the app's ServiceAppConfig; core validates a profile with it."""

from __future__ import annotations

from pydantic import model_validator

from hamkke.core.profiles import Named, Strict, unique


class BudgetSection(Strict):
    areas: list[Named] = []

    @model_validator(mode="after")
    def _unique_codes(self) -> BudgetSection:
        unique("budget.areas", [area.code for area in self.areas])
        return self
