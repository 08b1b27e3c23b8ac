"""Opening hours: the OSM-like format read, open-now across midnight and overrides, the next
opening or closing, display, and refusals; checked against a minute-by-minute expansion written
here independently of the module."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamkke.places.hours import HoursError, describe, is_open, next_change, parse_hours

# 2025-01-06 is a Monday; the days of that week by code.
MONDAY = datetime(2025, 1, 6)
CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def on(day: str, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return MONDAY + timedelta(days=CODES.index(day), hours=hour, minutes=minute)


def test_monday_is_monday():
    assert MONDAY.weekday() == 0
    assert on("Fr", "23:30") == datetime(2025, 1, 10, 23, 30)


def test_open_across_midnight():
    hours = parse_hours("Fr 22:00-02:00")
    assert is_open(hours, on("Fr", "23:30"))
    assert is_open(hours, on("Sa", "01:30"))
    assert is_open(hours, on("Sa", "01:59") + timedelta(seconds=59))
    assert not is_open(hours, on("Sa", "02:00"))
    assert not is_open(hours, on("Th", "23:30"))
    assert not is_open(hours, on("Fr", "21:59"))
    assert is_open(hours, on("Fr", "22:00"))
    # Another week, same weekday.
    assert is_open(hours, datetime(2026, 3, 7, 1, 0))  # a Saturday


def test_sunday_night_runs_into_monday_morning():
    hours = parse_hours("Su 22:00-03:00")
    assert is_open(hours, on("Mo", "02:00"))
    assert not is_open(hours, on("Mo", "03:00"))
    assert not is_open(hours, on("Su", "02:00"))


def test_several_rules_days_and_spans():
    hours = parse_hours("Mo-Fr 09:00-18:00; Sa,Su 10:00-14:00")
    assert is_open(hours, on("We", "12:00"))
    assert not is_open(hours, on("We", "18:00"))
    assert is_open(hours, on("Su", "13:59"))
    assert not is_open(hours, on("Sa", "09:30"))
    split = parse_hours("Mo-Su 09:00-12:00,13:00-18:00")
    assert is_open(split, on("Tu", "11:00"))
    assert not is_open(split, on("Tu", "12:30"))
    assert is_open(split, on("Tu", "13:00"))


def test_a_day_range_may_wrap_round_the_week():
    hours = parse_hours("Fr-Mo 10:00-12:00")
    assert [is_open(hours, on(day, "11:00")) for day in CODES] == [
        True, False, False, False, True, True, True,
    ]  # fmt: skip


def test_later_rules_override_earlier_ones_for_their_days():
    hours = parse_hours("Mo-Su 09:00-18:00; Su off")
    assert is_open(hours, on("Sa", "12:00"))
    assert not is_open(hours, on("Su", "12:00"))
    narrower = parse_hours("Mo-Fr 09:00-18:00; We 12:00-14:00")
    assert not is_open(narrower, on("We", "10:00"))
    assert is_open(narrower, on("We", "13:00"))
    assert is_open(narrower, on("Th", "10:00"))
    # Overriding does not add: Wednesday's own rule ends at 14:00.
    assert not is_open(narrower, on("We", "15:00"))


def test_the_hours_after_midnight_belong_to_the_evening_before():
    hours = parse_hours("Fr 22:00-02:00; Sa off")
    assert is_open(hours, on("Sa", "01:00"))
    assert not is_open(hours, on("Sa", "12:00"))


def test_always_open():
    hours = parse_hours("24/7")
    assert hours.always_open
    for moment in (on("Mo", "00:00"), on("Th", "03:17"), on("Su", "23:59")):
        assert is_open(hours, moment)
    assert next_change(hours, on("We", "12:00")) is None
    assert describe(hours) == [("Mo-Su", "00:00–24:00")]
    assert parse_hours("Mo-Su 00:00-24:00").always_open


def test_always_open_except_sunday():
    hours = parse_hours("24/7; Su off")
    assert not hours.always_open
    assert is_open(hours, on("Sa", "23:59"))
    assert not is_open(hours, on("Su", "12:00"))
    assert next_change(hours, on("We", "12:00")) == on("Su", "00:00")
    assert next_change(hours, on("Su", "12:00")) == on("Mo", "00:00") + timedelta(days=7)


def test_24_00_ends_the_day():
    hours = parse_hours("Mo 18:00-24:00")
    assert is_open(hours, on("Mo", "23:59"))
    assert not is_open(hours, on("Tu", "00:00"))
    assert next_change(hours, on("Mo", "20:00")) == on("Tu", "00:00")


def test_next_change():
    hours = parse_hours("Mo-Fr 09:00-18:00")
    assert next_change(hours, on("Mo", "08:00")) == on("Mo", "09:00")
    assert next_change(hours, on("Mo", "09:00")) == on("Mo", "18:00")  # strictly after
    assert next_change(hours, on("Mo", "17:59") + timedelta(seconds=30)) == on("Mo", "18:00")
    assert next_change(hours, on("Fr", "19:00")) == on("Mo", "09:00") + timedelta(days=7)
    assert next_change(parse_hours("Mo-Su off"), on("Mo", "08:00")) is None


def test_midnight_between_two_days_spans_is_no_change():
    hours = parse_hours("Su 22:00-24:00; Mo 00:00-01:00")
    assert next_change(hours, on("Su", "21:00")) == on("Su", "22:00")
    assert next_change(hours, on("Su", "23:00")) == on("Mo", "01:00") + timedelta(days=7)
    assert next_change(hours, on("Mo", "00:30")) == on("Mo", "01:00")


def test_describe_keeps_the_days_as_written():
    assert describe(parse_hours("Mo-Fr 09:00-18:00; Sa,Su 10:00-14:00; Su off")) == [
        ("Mo-Fr", "09:00–18:00"),
        ("Sa,Su", "10:00–14:00"),
        ("Su", "closed"),
    ]
    assert describe(parse_hours("Mo-Su 09:00-12:00,13:00-18:00")) == [
        ("Mo-Su", "09:00–12:00, 13:00–18:00")
    ]
    assert describe(parse_hours("fr 22:00-02:00")) == [("Fr", "22:00–02:00")]
    assert describe(parse_hours("09:00-18:00")) == [("Mo-Su", "09:00–18:00")]


def test_spaces_and_closed_are_tolerated():
    loose = parse_hours("  Mo - Fr  09:00 - 18:00 ;  Sa closed ; ")
    assert loose.week == parse_hours("Mo-Fr 09:00-18:00; Sa off").week
    assert describe(loose) == [("Mo-Fr", "09:00–18:00"), ("Sa", "closed")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Mo 09:00-25:00", ["Rule 1", "25:00"]),
        ("Mo 25:00-26:00", ["25:00"]),
        ("Mo 24:00-02:00", ["24:00"]),
        ("Mo-Xx 09:00-18:00", ["unknown day", "'Xx'"]),
        ("PH off", ["unknown day", "'PH'"]),
        ("Mo 10:00-10:00", ["empty"]),
        ("Mo- 09:00-18:00", ["first and a last day"]),
        ("Mo,,Tu 09:00-18:00", ["day is missing"]),
        ("Mo 09:00-", ["span of time"]),
        ("Mo 09:00", ["span of time"]),
        ("Mo 9-18", ["not a time"]),
        ("Mo 09:60-10:00", ["minutes"]),
        ("Mo-Fr", ["hours are missing"]),
        ("Mo-Fr 09:00-18:00 extra", ["days, a space, then the hours"]),
        ("Mo-Fr 09:00-18:00; Sa 10:00-14:00; Su 10:00-99:00", ["Rule 3", "99:00"]),
        ("Mo ٠٩:٠٠-18:00", ["not a time"]),  # Arabic-Indic digits
        ("", ["no opening hours"]),
        (" ; ; ", ["no opening hours"]),
        ("Mo 09:00-18:00\x00", ["NUL"]),
    ],
)
def test_invalid_hours_are_refused_with_a_reason(text, words):
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    for word in words:
        assert word in str(caught.value)
    assert isinstance(caught.value, ValueError)


# --- against brute force -------------------------------------------------------------------------

day_items = st.one_of(
    st.sampled_from(range(7)).map(lambda d: (d, d)),
    st.tuples(st.sampled_from(range(7)), st.sampled_from(range(7))),
)
clock = st.tuples(st.integers(0, 23), st.sampled_from([0, 1, 15, 30, 59]))
span = st.tuples(clock, st.one_of(clock, st.just((24, 0)))).filter(lambda s: s[0] != s[1])
rule = st.tuples(
    st.lists(day_items, min_size=1, max_size=3),
    st.one_of(st.just(None), st.lists(span, min_size=1, max_size=3)),
)
rules = st.lists(rule, min_size=1, max_size=5)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31))


def _text(spec) -> str:
    parts = []
    for items, spans in spec:
        days = ",".join(CODES[a] if a == b else f"{CODES[a]}-{CODES[b]}" for a, b in items)
        times = (
            "off"
            if spans is None
            else ",".join(f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}" for (h1, m1), (h2, m2) in spans)
        )
        parts.append(f"{days} {times}")
    return "; ".join(parts)


def _expand(spec) -> list[bool]:
    """Open or not, minute by minute over the week from Monday 00:00: each day keeps two days of
    minutes (its own and the morning after), the last rule naming a day decides it."""
    own = [[False] * 2880 for _ in range(7)]
    for items, spans in spec:
        named = set()
        for a, b in items:
            day = a
            named.add(day)
            while day != b:
                day = (day + 1) % 7
                named.add(day)
        for day in named:
            minutes = [False] * 2880
            for (h1, m1), (h2, m2) in spans or []:
                start, end = h1 * 60 + m1, h2 * 60 + m2
                if end <= start:
                    end += 1440
                for minute in range(start, end):
                    minutes[minute] = True
            own[day] = minutes
    return [
        own[day][minute] or own[(day - 1) % 7][minute + 1440]
        for day in range(7)
        for minute in range(1440)
    ]


def _at(week: list[bool], moment: datetime) -> bool:
    return week[moment.weekday() * 1440 + moment.hour * 60 + moment.minute]


@settings(max_examples=300, deadline=None)
@given(rules, moments)
def test_is_open_agrees_with_a_minute_by_minute_expansion(spec, moment):
    hours = parse_hours(_text(spec))
    assert is_open(hours, moment) == _at(_expand(spec), moment)


@settings(max_examples=150, deadline=None)
@given(rules, moments)
def test_next_change_agrees_with_a_minute_by_minute_scan(spec, moment):
    hours = parse_hours(_text(spec))
    week = _expand(spec)
    now = _at(week, moment)
    step = moment.replace(second=0, microsecond=0)
    expected = None
    for _ in range(8 * 1440):
        step += timedelta(minutes=1)
        if _at(week, step) != now:
            expected = step
            break
    assert next_change(hours, moment) == expected


@settings(max_examples=150, deadline=None)
@given(rules)
def test_what_describe_shows_reads_back_as_the_same_week(spec):
    hours = parse_hours(_text(spec))
    shown = "; ".join(f"{days} {times}" for days, times in describe(hours))
    assert parse_hours(shown).week == hours.week
