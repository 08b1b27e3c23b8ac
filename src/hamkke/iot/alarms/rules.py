"""The rules' judgement, pure Python (no Django): whether an attribute's value meets a rule,
since when an unbroken run of readings has met it (by the readings' device times), whether that
has lasted long enough, and whether a device is silent. The evaluator (alarms/services.py)
feeds them what the database holds."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Rule:
    """One rule on an attribute of an asset's state: `code` is the alarm's type; the rule
    applies to `asset_kinds` (empty: every kind); it is met when `test(value)` holds, for at
    least `minutes`; an open alarm clears when `clears(value)` holds (by default: not met).
    A reading without the attribute says nothing either way."""

    code: str
    attribute: str
    test: Callable[[Any], bool]
    minutes: int = 0
    severity: str = "warning"
    asset_kinds: tuple[str, ...] = ()
    clear_test: Callable[[Any], bool] | None = None

    def applies_to(self, asset_kind: str) -> bool:
        return not self.asset_kinds or asset_kind in self.asset_kinds

    def met(self, value: Any) -> bool:
        return value is not None and bool(self.test(value))

    def clears(self, value: Any) -> bool:
        if value is None:
            return False
        return bool(self.clear_test(value)) if self.clear_test else not self.test(value)


def threshold(op: str, limit: float) -> Callable[[Any], bool]:
    """`value op limit` for a finite number; anything else (a string, a boolean) is not met."""
    compare = OPERATORS[op]

    def test(value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return math.isfinite(value) and compare(value, limit)

    return test


def equals(wanted: Any) -> Callable[[Any], bool]:
    return lambda value: value == wanted


def run_start(history: Iterable[tuple[datetime, dict]], rule: Rule) -> datetime | None:
    """The device time of the earliest reading of the newest unbroken run of readings meeting
    `rule`, given the asset's readings newest first as (device time, attributes); None when the
    newest reading carrying the attribute does not meet it (or none carries it). Readings
    without the attribute neither break nor start a run."""
    start = None
    for moment, attributes in history:
        value = attributes.get(rule.attribute)
        if value is None:
            continue
        if not rule.met(value):
            return start
        start = moment
    return start


def lasted(start: datetime | None, now: datetime, minutes: int) -> bool:
    """A run that began at `start` (a device time) has lasted at least `minutes` by `now`: the
    state holds until a newer reading changes it, so the run is counted up to now."""
    return start is not None and now - start >= timedelta(minutes=minutes)


def silent(last_heard: datetime | None, now: datetime, minutes: int) -> bool:
    """Nothing heard from a device for at least `minutes` (never heard: silent)."""
    return last_heard is None or now - last_heard >= timedelta(minutes=minutes)
