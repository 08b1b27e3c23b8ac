"""iot.readings, the pure check of a sensor's message: what it accepts, and properties over
anything hypothesis throws at it (it refuses with a reason, never crashes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.iot import readings
from hamkke.iot.readings import Refused, parse

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
REASONS = {readings.MALFORMED, readings.INVALID_VALUE, readings.TOO_OLD, readings.FUTURE}


def message(**fields) -> str:
    return json.dumps({"time": "2026-03-02T09:58:00+09:00", **fields})


def test_a_parking_status_and_battery_are_read_in_utc():
    reading = parse("parking", message(status="occupied", batteryLevel=0.5), NOW)
    assert reading.time == NOW - timedelta(minutes=2)
    assert reading.attributes == {"status": "occupied", "batteryLevel": 0.5}


def test_a_bin_fill_level_and_temperature():
    reading = parse("waste-container", message(fillingLevel=1, temperature=-3.5), NOW)
    assert reading.attributes == {"fillingLevel": 1.0, "temperature": -3.5}


@pytest.mark.parametrize(
    ("kind", "fields", "reason", "words"),
    [
        ("waste-container", {"fillingLevel": 3.7}, readings.INVALID_VALUE, "from 0 to 1"),
        ("waste-container", {"fillingLevel": "0.5"}, readings.INVALID_VALUE, "must be a number"),
        ("waste-container", {"fillingLevel": True}, readings.INVALID_VALUE, "must be a number"),
        ("parking", {"status": "parked"}, readings.INVALID_VALUE, "one of: free"),
        ("parking", {"status": 1}, readings.INVALID_VALUE, "must be a string"),
        ("parking", {"fillingLevel": 0.5}, readings.MALFORMED, "Unknown attribute"),
        ("parking", {}, readings.MALFORMED, "no attribute"),
        ("parking", {"batteryLevel": -0.1}, readings.INVALID_VALUE, "from 0 to 1"),
    ],
)
def test_wrong_values_are_refused_with_their_reason(kind, fields, reason, words):
    with pytest.raises(Refused) as refused:
        parse(kind, message(**fields), NOW)
    assert refused.value.reason == reason
    assert words in refused.value.message


@pytest.mark.parametrize(
    ("time", "reason"),
    [
        ("2026-03-01T09:59:00+09:00", readings.TOO_OLD),  # a day and a minute ago
        ("2026-03-02T10:05:01+09:00", readings.FUTURE),  # 5 minutes 1 second ahead
        ("2026-03-02T01:00:00", readings.MALFORMED),  # no offset
        ("٢٠٢٦-03-02T01:00:00+00:00", readings.MALFORMED),  # Arabic-Indic digits
        ("2026-02-30T01:00:00+00:00", readings.MALFORMED),  # not on the calendar
        (1772413200, readings.MALFORMED),  # a number, not ISO 8601
    ],
)
def test_times_out_of_bounds_or_badly_written_are_refused(time, reason):
    with pytest.raises(Refused) as refused:
        parse("parking", json.dumps({"time": time, "status": "free"}), NOW)
    assert refused.value.reason == reason


def test_the_bounds_themselves_are_accepted():
    for moment in (NOW - timedelta(days=1), NOW + timedelta(minutes=5)):
        assert parse("parking", {"time": moment.isoformat(), "status": "free"}, NOW).time == moment


@pytest.mark.parametrize(
    "raw",
    [
        b'{"time": "2026-03-02T01:00:00+00:00", "status": "free\\u0000"}',
        b'{"time": "2026-03-02T01:00:00+00:00", "status": "fr\x00ee"}',
        b"\xff\xfe",
        b"[1, 2]",
        b'{"time": "2026-03-02T01:00:00+00:00", "fillingLevel": NaN}',
        b"{",
        b" " * 5000,
    ],
)
def test_malformed_messages_are_refused(raw):
    with pytest.raises(Refused) as refused:
        parse("waste-container", raw, NOW)
    assert refused.value.reason == readings.MALFORMED


@given(st.binary(max_size=300))
def test_any_bytes_are_a_reading_or_a_counted_refusal(raw):
    try:
        reading = parse("waste-container", raw, NOW)
    except Refused as refused:
        assert refused.reason in REASONS
        assert refused.message
    else:
        assert NOW - timedelta(days=1) <= reading.time <= NOW + timedelta(minutes=5)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@given(
    st.dictionaries(
        st.sampled_from(["time", "status", "fillingLevel", "batteryLevel", "temperature", "x"]),
        JSON_VALUES,
    ),
    st.sampled_from(readings.KINDS),
)
def test_any_object_is_a_reading_or_a_counted_refusal(body, kind):
    try:
        reading = parse(kind, body, NOW)
    except Refused as refused:
        assert refused.reason in REASONS
    else:
        for name in ("fillingLevel", "batteryLevel"):
            if name in reading.attributes:
                assert 0 <= reading.attributes[name] <= 1
        assert reading.attributes.get("status", "free") in readings.PARKING_STATUSES


@given(
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=-86400, max_value=300),
)
def test_in_range_values_at_in_range_times_are_kept_exactly(level, battery, seconds):
    moment = NOW + timedelta(seconds=seconds)
    body = json.dumps({"time": moment.isoformat(), "fillingLevel": level, "batteryLevel": battery})
    reading = parse("waste-container", body, NOW)
    assert reading.attributes == {"fillingLevel": level, "batteryLevel": battery}
    assert reading.time == moment


@given(st.floats(allow_nan=False).filter(lambda x: not 0 <= x <= 1))
def test_a_fill_level_outside_zero_to_one_is_refused(level):
    with pytest.raises(Refused) as refused:
        parse("waste-container", {"time": NOW.isoformat(), "fillingLevel": level}, NOW)
    assert refused.value.reason == readings.INVALID_VALUE
