"""Opening hours, written in a small subset of OpenStreetMap's `opening_hours` format.

The format, as accepted here:

- `24/7` — always open.
- Otherwise rules separated by `;`, each `DAYS TIMES`:
  - DAYS: day codes `Mo Tu We Th Fr Sa Su`, single (`Sa`), ranges (`Mo-Fr`; a range may wrap
    round the week: `Fr-Mo` is Friday to Monday) and lists of both (`Mo,We,Fr-Su`). Without
    DAYS a rule applies to every day (`09:00-18:00`).
  - TIMES: spans `HH:MM-HH:MM` separated by `,` (`09:00-12:00,13:00-18:00`), or `off`
    (`closed` is accepted too), or `24/7` (the whole day). A span ends at `24:00` at the
    latest; one whose end is earlier than its start runs past midnight into the next day
    (`Fr 22:00-02:00` is open from Friday 22:00 until Saturday 02:00). Spans of no length
    (`10:00-10:00`) are refused.
- A later rule replaces, for the days it names, what earlier rules said about those days
  (`Mo-Su 09:00-18:00; Su off` is closed on Sunday), as in OpenStreetMap. A day's rule holds the
  spans that start on that day: the hours after midnight of a span begun the evening before
  belong to the evening before (`Fr 22:00-02:00; Sa off` is still open on Saturday at 01:00).

Day codes are read in any letter case; spaces around `-`, `,` and `;` are allowed. A moment is
a naive local time in the city's zone (the caller converts). Imports nothing from Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_OFF_WORDS = ("off", "closed")
_ALWAYS = "24/7"
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)


class HoursError(ValueError):
    """Opening hours that cannot be read; the message says what is wrong and where."""


@dataclass(frozen=True)
class Rule:
    """One `;`-separated rule: the days it names (0 = Monday), written as in the input, and its
    spans in minutes from the start of the day (an end past 1440 runs into the next day);
    no spans means closed on those days."""

    days: tuple[int, ...]
    days_text: str
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class OpeningHours:
    """Parsed opening hours: the rules as written (for display) and the week they make, as
    sorted, disjoint [start, end) intervals in minutes from Monday 00:00 (0..10080)."""

    text: str
    rules: tuple[Rule, ...]
    week: tuple[tuple[int, int], ...]

    @property
    def always_open(self) -> bool:
        return self.week == ((0, WEEK_MINUTES),)


def _fail(message: str, rule_number: int | None = None, rule_text: str = "") -> HoursError:
    if rule_number is None:
        return HoursError(message)
    return HoursError(f"Rule {rule_number} ({rule_text!r}): {message}")


def _day(code: str) -> int:
    for index, known in enumerate(DAYS):
        if code.lower() == known.lower():
            return index
    raise ValueError(f"unknown day {code!r}; use {', '.join(DAYS)}")


def _parse_days(text: str) -> tuple[tuple[int, ...], str]:
    days: list[int] = []
    written = []
    for part in text.split(","):
        if not part:
            raise ValueError("a day is missing around ','")
        if "-" in part:
            first, _dash, last = part.partition("-")
            if not first or not last:
                raise ValueError(f"the day range {part!r} needs a first and a last day")
            start, end = _day(first), _day(last)
            days.extend((start + step) % 7 for step in range((end - start) % 7 + 1))
            written.append(f"{DAYS[start]}-{DAYS[end]}")
        else:
            days.append(_day(part))
            written.append(DAYS[days[-1]])
    return tuple(sorted(set(days))), ",".join(written)


def _minutes(text: str, *, end: bool) -> int:
    match = _TIME.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a time; write HH:MM, e.g. 09:00")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59:
        raise ValueError(f"{text!r}: minutes go from 00 to 59")
    if hours == 24 and minutes == 0 and end:
        return DAY_MINUTES
    if hours > 23:
        limit = "24:00 at the latest" if end else "23:59 at the latest"
        raise ValueError(
            f"{text!r} is not a time of day ({limit}); a span past midnight ends the next "
            "morning, e.g. 22:00-02:00"
        )
    return hours * 60 + minutes


def _parse_spans(text: str) -> tuple[tuple[int, int], ...]:
    if text.lower() in _OFF_WORDS:
        return ()
    if text == _ALWAYS:
        return ((0, DAY_MINUTES),)
    spans = []
    for part in text.split(","):
        first, dash, last = part.partition("-")
        if not dash or not first or not last:
            raise ValueError(f"{part!r} is not a span of time; write e.g. 09:00-18:00")
        start, end = _minutes(first, end=False), _minutes(last, end=True)
        if end == start:
            raise ValueError(f"the span {part!r} is empty (it ends when it starts)")
        if end < start:
            end += DAY_MINUTES  # past midnight: open until `end` the next day
        spans.append((start, end))
    return tuple(spans)


def _tidy(text: str) -> str:
    # Dashes as describe() shows them are read back; spaces around the separators carry no
    # meaning: "Mo - Fr 09:00 – 18:00" is "Mo-Fr 09:00-18:00".
    text = text.strip().replace("–", "-").replace("—", "-")
    return re.sub(r"\s*([-,])\s*", r"\1", text)


def _parse_rule(text: str, number: int) -> Rule:
    tidy = _tidy(text)
    # The days end where the hours begin: at the first digit, or else before the last word.
    digit = re.search(r"\d", tidy)
    if digit:
        days_part, times = tidy[: digit.start()].strip(), tidy[digit.start() :].strip()
    else:
        days_part, _space, times = tidy.rpartition(" ")
        if not days_part and times.lower() not in _OFF_WORDS:
            days_part, times = times, ""
    try:
        if not times:
            raise ValueError("the hours are missing; give e.g. 09:00-18:00, or off")
        if len(times.split()) > 1 or len(days_part.split()) > 1:
            raise ValueError("write the days, a space, then the hours, e.g. Mo-Fr 09:00-18:00")
        days, days_text = _parse_days(days_part) if days_part else (tuple(range(7)), "Mo-Su")
        return Rule(days=days, days_text=days_text, spans=_parse_spans(times))
    except ValueError as error:
        raise _fail(str(error), number, text.strip()) from None


def _week(rules: tuple[Rule, ...]) -> tuple[tuple[int, int], ...]:
    own: list[tuple[tuple[int, int], ...]] = [()] * 7
    for rule in rules:
        for day in rule.days:
            own[day] = rule.spans  # a later rule replaces what earlier ones said of this day
    intervals = []
    for day, spans in enumerate(own):
        for start, end in spans:
            start, end = day * DAY_MINUTES + start, day * DAY_MINUTES + end
            if end <= WEEK_MINUTES:
                intervals.append((start, end))
            else:  # Sunday night into Monday morning
                intervals += [(start, WEEK_MINUTES), (0, end - WEEK_MINUTES)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_hours(text: str) -> OpeningHours:
    """Read opening hours; raises HoursError saying what is wrong and in which rule."""
    if "\x00" in text:
        raise _fail("the opening hours contain a NUL character")
    written = text.strip()
    if not written:
        raise _fail("no opening hours given; write e.g. Mo-Fr 09:00-18:00, or 24/7")
    parts = written.split(";")
    rules = tuple(
        _parse_rule(part, number) for number, part in enumerate(parts, start=1) if part.strip()
    )
    if not rules:
        raise _fail("no opening hours given; write e.g. Mo-Fr 09:00-18:00, or 24/7")
    return OpeningHours(text=written, rules=rules, week=_week(rules))


def _week_position(moment: datetime) -> tuple[datetime, float]:
    """The Monday 00:00 starting the moment's week, and the minutes since then."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = midnight - timedelta(days=moment.weekday())
    return monday, (moment - monday) / timedelta(minutes=1)


def is_open(hours: OpeningHours, moment: datetime) -> bool:
    """Whether the place is open at `moment`, a naive local time."""
    _monday, minute = _week_position(moment)
    return any(start <= minute < end for start, end in hours.week)


def next_change(hours: OpeningHours, moment: datetime) -> datetime | None:
    """The first moment after `moment` at which the place opens or closes; None when that never
    happens (open all week, or never open)."""
    if not hours.week or hours.always_open:
        return None
    monday, minute = _week_position(moment)
    changes = {edge for interval in hours.week for edge in interval}
    # An interval ending at Sunday midnight and one starting at Monday 00:00 are one stretch.
    if hours.week[0][0] == 0 and hours.week[-1][1] == WEEK_MINUTES:
        changes -= {0, WEEK_MINUTES}
    later = [edge + week for week in (0, WEEK_MINUTES) for edge in changes if edge + week > minute]
    return monday + timedelta(minutes=min(later))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def describe(hours: OpeningHours) -> list[tuple[str, str]]:
    """The rules for display, in the order written: (days, hours) such as ("Mo-Fr",
    "09:00–18:00"), ("Sa", "10:00–12:00, 13:00–16:00"), ("Su", "closed"); `24/7` is
    ("Mo-Su", "00:00–24:00"). A span past midnight shows its end as written ("22:00–02:00")."""
    lines = []
    for rule in hours.rules:
        if not rule.spans:
            lines.append((rule.days_text, "closed"))
            continue
        shown = ", ".join(
            f"{_clock(start)}–{_clock(end if end <= DAY_MINUTES else end - DAY_MINUTES)}"
            for start, end in rule.spans
        )
        lines.append((rule.days_text, shown))
    return lines
