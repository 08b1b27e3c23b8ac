"""The one rate-limit idiom: rates read as django-ratelimit writes them, windows that open
again, and a refusal that names the city's own help line, from its profile."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from hamkke.core import ratelimit
from hamkke.core.city.selectors import forget_current_city
from hamkke.core.models import City


@pytest.mark.parametrize(
    ("rate", "expected"), [("10/m", (10, 60)), ("5/h", (5, 3600)), ("10/10m", (10, 600))]
)
def test_rates_read_like_django_ratelimit(rate, expected):
    assert ratelimit.parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["ten/m", "10/w", "10", ""])
def test_a_rate_that_is_not_one_is_refused(rate):
    with pytest.raises(ValueError, match="not a rate"):
        ratelimit.parse_rate(rate)


def test_attempts_by_key_are_counted_per_window(monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_020.0)
    assert [ratelimit.attempt_by(group="t", key="a", rate="2/m") for _ in range(3)] == [0, 0, 40]
    assert ratelimit.attempt_by(group="t", key="b", rate="2/m") == 0  # another key, own count
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_061.0)
    assert ratelimit.attempt_by(group="t", key="a", rate="2/m") == 0  # a new window


def _set_help_line(city: City, **lines) -> None:
    city.profile = {**city.profile, "city": {**city.profile["city"], **lines}}
    city.save(update_fields=["profile"])
    forget_current_city()


def test_the_refusal_names_the_citys_help_line_in_the_page_language(city):
    basics = city.profile["city"]
    with translation.override("en"):
        assert basics["help_line_en"] in ratelimit.rate_limit_message()
    with translation.override("ko"):
        assert basics["help_line"] in ratelimit.rate_limit_message()
    _set_help_line(city, help_line="999", help_line_en="")
    with translation.override("en"):
        assert ratelimit.urgent_help() == " If it is urgent, call 999."
    _set_help_line(city, help_line="")
    assert ratelimit.urgent_help() == ""


def test_a_request_over_the_limit_is_answered_429_json_under_the_api(city):
    limit = ratelimit.Limit("test.api", per_address="1/m")
    view = ratelimit.throttled(limit)(lambda request: "served")
    factory = RequestFactory()
    assert view(factory.post("/api/v1/x", REMOTE_ADDR="192.0.2.1")) == "served"
    refused = view(factory.post("/api/v1/x", REMOTE_ADDR="192.0.2.1"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(ratelimit.RETRY_AFTER_SECONDS)
    assert json.loads(refused.content)["code"] == "rate_limited"
    assert view(factory.post("/api/v1/x", REMOTE_ADDR="192.0.2.2")) == "served"
