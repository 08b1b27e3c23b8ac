"""Hostile input never gives a 5xx: NUL characters in paths, parameters, cookies and bodies,
dates at the calendar's ends, digits that are not 0-9 and bodies over their cap are each refused
with a 4xx and a reason, and nothing is stored. Errors under /api/ answer JSON and under
/open311/ Open311's own format, 404, 405, 413 and 500 alike; pages keep their HTML pages.

The tests marked `postgresql` are the ones whose failure before the fix differed by database
(PostgreSQL refused NUL bytes with a 500, SQLite dates off the calendar): the PostgreSQL pass of
CI must run them."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client, RequestFactory

from hamkke.complaints import selectors as complaint_selectors
from hamkke.complaints import services as complaint_services
from hamkke.complaints.models import Category, Complaint
from hamkke.core.models import Comment
from hamkke.core.web import bounds
from hamkke.core.web.hostile import HostileInputMiddleware
from tests import factories
from tests.complaints.conftest import JONGNO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

API = "/api/v1"
OPEN311 = "/open311/v2"
EDGE_MOMENTS = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01",
    "9999-12-31",
]


@pytest.fixture
def lenient_client():
    """A client that answers a view's exception as the site does (handler500), not by raising."""
    return Client(raise_request_exception=False)


def api_key() -> str:
    _client, key = complaint_services.create_api_client(name="Hostile test app")
    return key


def open311_errors(response) -> list[dict]:
    """The Open311 error list of a JSON or XML answer, as [{code, description}]."""
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root.findall("error")
        ]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "path",
    [
        f"{API}/complaints/%00",
        f"{API}/complaints/260101-%00AAAA/follow",
        f"{API}/budget/cycles/%00",
        f"{API}/threads/core.district/%00/comments",
    ],
)
def test_a_nul_in_an_api_path_is_a_400_in_json(lenient_client, city, path):
    response = lenient_client.get(path)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The address contains a NUL character (%00), which no text here may hold.",
        "code": "nul_character",
    }


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"{API}/complaints?category=%00", "category"),
        (f"{API}/complaints/nearby?category=li%00tter&latitude=37.57&longitude=126.99", "category"),
        (f"{API}/complaints/map.geojson?district=%00", "district"),
        (f"{API}/geocode?q=%00", "q"),
    ],
)
def test_a_nul_in_a_parameter_is_a_400_naming_it(lenient_client, city, path, name):
    response = lenient_client.get(path)

    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert f"“{name}”" in response.json()["detail"]


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "path", ["/complaints/new/questions/?category=%00", "/comments/on/core.district/%00/"]
)
def test_a_nul_on_a_page_is_a_400_page(lenient_client, city, path):
    response = lenient_client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "NUL character" in response.content.decode()


@pytest.mark.postgresql
def test_a_nul_in_a_cookie_is_refused(lenient_client, city):
    lenient_client.cookies["sessionid"] = "abc\x00defghij"

    response = lenient_client.get(f"{API}/complaints")

    assert response.status_code == 400
    assert "“sessionid”" in response.json()["detail"]


@pytest.mark.postgresql
def test_a_nul_in_a_json_body_is_refused_and_nothing_stored(client, commentable_districts, author):
    district = factories.make_district(name="Jongno-gu")
    client.force_login(author)

    response = client.post(
        f"{API}/threads/core.district/{district.pk}/comments",
        json.dumps({"body": "Hello\u0000world"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The field “body.body” contains a NUL character (%00), which no text here "
        "may hold.",
        "code": "nul_character",
    }
    assert not Comment.objects.exists()


@pytest.mark.postgresql
def test_a_nul_in_a_form_field_is_refused_and_nothing_stored(client, city):
    response = client.post(
        f"{API}/complaints",
        {
            "category": "litter",
            "latitude": JONGNO[0],
            "longitude": JONGNO[1],
            "description": "Rubbish\x00 in the alley",
        },
    )

    assert response.status_code == 400
    assert "“description”" in response.json()["detail"]
    assert not Complaint.objects.exists()


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (f"{OPEN311}/requests/%00.json", "json"),
        (f"{OPEN311}/services/%00.xml", "xml"),
        (f"{OPEN311}/tokens/%00.xml", "xml"),
        (f"{OPEN311}/requests.json?service_request_id=%00", "json"),
        (f"{OPEN311}/requests.xml?service_code=%00", "xml"),
    ],
)
def test_a_nul_under_open311_is_a_400_in_its_format(lenient_client, city, path, fmt):
    response = lenient_client.get(path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith({"json": "application/json", "xml": "text/xml"}[fmt])
    [error] = open311_errors(response)
    assert error["code"] == 400
    assert "NUL character" in error["description"]


@pytest.mark.postgresql
def test_a_nul_in_an_open311_post_is_refused_and_nothing_stored(client, city):
    key = api_key()
    response = client.post(
        f"{OPEN311}/requests.json",
        {
            "api_key": key,
            "service_code": "litter",
            "lat": JONGNO[0],
            "long": JONGNO[1],
            "description": "Rubbish\x00",
        },
    )

    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "description contains a NUL character (%00)"}
    ]
    assert not Complaint.objects.exists()


# --- dates at the calendar's ends --------------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.parametrize("endpoint", ["/complaints", "/complaints/map.geojson"])
@pytest.mark.parametrize(("name", "day"), [("from", "0001-01-01"), ("to", "9999-12-31")])
def test_api_days_off_the_calendar_are_a_400(lenient_client, city, endpoint, name, day):
    response = lenient_client.get(f"{API}{endpoint}", {name: day})

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"{name} must be a day between 1900-01-01 and 2999-12-31.",
        "code": "invalid",
        "field": name,
    }


def test_api_days_within_the_range_are_kept(client, city):
    complaint_services.file_complaint(
        category=Category.objects.get(city=city, code="litter"),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="Rubbish",
    )
    assert client.get(f"{API}/complaints", {"from": "1900-01-01"}).json()["count"] == 1
    assert client.get(f"{API}/complaints", {"to": "2999-12-31"}).json()["count"] == 1
    assert client.get(f"{API}/complaints", {"to": "1999-12-31"}).json()["count"] == 0


@pytest.mark.postgresql
@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_open311_dates_off_the_calendar_are_a_400(lenient_client, city, resource, name, moment):
    response = lenient_client.get(f"{OPEN311}/{resource}.xml", {name: moment})

    assert response.status_code == 400
    [error] = open311_errors(response)
    assert error == {
        "code": 400,
        "description": f"{name} must lie between 1900-01-01T00:00:00Z and "
        f"2999-12-31T23:59:59Z, not {moment!r}",
    }


@pytest.mark.postgresql
@pytest.mark.parametrize("path", ["/complaints/", "/complaints/map.geojson"])
@pytest.mark.parametrize(("name", "day"), [("from", "0001-01-01"), ("to", "9999-12-31")])
def test_a_page_day_at_the_calendars_ends_is_a_400_on_both_databases(
    lenient_client, city, path, name, day
):
    """The list page's and map's filter form refuses days it cannot use, on SQLite (where year 1
    overflowed) and on PostgreSQL (which stores it) alike, and says which days it takes."""
    response = lenient_client.get(path, {name: day})

    assert response.status_code == 400
    assert "Choose a day between 1900-01-01 and 2999-12-31." in response.content.decode()


def test_the_database_refusing_a_value_is_a_400_in_the_paths_format(city):
    """A DataError (PostgreSQL: a NUL byte, a number past 64 bits) or an OverflowError (SQLite:
    a date off the calendar) that a check before it let through."""
    from django.db import DataError

    middleware = HostileInputMiddleware(lambda request: None)
    factory = RequestFactory()
    for exception in (DataError("value out of range"), OverflowError("date value out of range")):
        answer = middleware.process_exception(factory.get(f"{API}/complaints"), exception)
        assert answer.status_code == 400
        assert json.loads(answer.content)["code"] == "out_of_range"
        answer = middleware.process_exception(factory.get(f"{OPEN311}/requests.xml"), exception)
        assert answer.status_code == 400
        assert open311_errors(answer)[0]["code"] == 400
    assert middleware.process_exception(factory.get("/"), ValueError("a bug")) is None


def test_day_and_moment_bounds():
    from datetime import date, datetime

    assert bounds.day_in_range(date(1900, 1, 1)) and bounds.day_in_range(date(2999, 12, 31))
    assert not bounds.day_in_range(date(1899, 12, 31))
    assert not bounds.day_in_range(date(3000, 1, 1))
    assert not bounds.moment_in_range(datetime.fromisoformat("9999-12-31T23:59:59-14:00"))
    assert not bounds.moment_in_range(datetime.fromisoformat("0001-01-01T00:00:00+14:00"))
    assert bounds.moment_in_range(datetime.fromisoformat("2999-12-31T23:59:59+00:00"))
    # 2999-12-31T23:00 at -14:00 is 3000-01-01T13:00 in UTC: past the last moment.
    assert not bounds.moment_in_range(datetime.fromisoformat("2999-12-31T23:00:00-14:00"))


# --- digits that are not 0-9 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "²"}, "page must be a whole number of at least 1, not '²'"),
        ({"page_size": "١٠"}, "page_size must be a whole number of at least 1, not '١٠'"),
        ({"page": "9" * 40}, f"page must be a whole number of at least 1, not '{'9' * 40}'"),
    ],
)
def test_open311_pages_in_other_digits_are_a_400(lenient_client, city, params, message):
    response = lenient_client.get(f"{OPEN311}/requests.json", params)

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": message}]


@pytest.mark.parametrize("lat", ["٣٧.٥٧", "nan", "inf", "1e400"])
def test_open311_coordinates_must_be_finite_ascii_numbers(client, city, lat):
    response = client.post(
        f"{OPEN311}/requests.json",
        {"api_key": api_key(), "service_code": "litter", "lat": lat, "long": JONGNO[1]},
    )

    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": f"lat must be a number, not {lat!r}"}]
    assert not Complaint.objects.exists()


def test_api_page_in_other_digits_is_refused_by_the_schema(client, city):
    response = client.get(f"{API}/complaints", {"page": "²"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"].startswith("query.page:")


def test_whole_numbers_are_ascii_digits_only():
    assert bounds.whole_number("12") == 12
    assert bounds.whole_number("²") is None
    assert bounds.whole_number("١٢") is None
    assert bounds.whole_number("-1") is None
    assert bounds.whole_number("9" * 19) is None


# --- bodies over their cap ---------------------------------------------------------------------


class UnreadableBody:
    """A request body that must not be read: the test fails if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_json_body_over_its_cap_is_a_413_before_it_is_read(client, city, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.generic(
        "POST",
        f"{API}/threads/core.district/1/comments",
        b"",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="1001",
        **{"wsgi.input": UnreadableBody()},
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body has 1001 bytes; at most 1000 are accepted here.",
        "code": "body_too_large",
    }


def test_an_upload_over_its_cap_is_a_413_and_nothing_stored(client, city, settings):
    settings.HAMKKE_MAX_UPLOAD_BODY_BYTES = 2000
    response = client.post(
        f"{API}/complaints",
        {
            "category": "litter",
            "latitude": JONGNO[0],
            "longitude": JONGNO[1],
            "description": "x" * 3000,
        },
    )

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert not Complaint.objects.exists()


def test_an_open311_body_over_its_cap_is_a_413_in_open311_format(client, city, settings):
    settings.HAMKKE_MAX_UPLOAD_BODY_BYTES = 2000
    response = client.post(
        f"{OPEN311}/requests.xml?api_key={api_key()}",
        {"service_code": "litter", "description": "x" * 3000},
    )

    assert response.status_code == 413
    [error] = open311_errors(response)
    assert error["code"] == 413
    assert not Complaint.objects.exists()


# --- errors in the path's format ---------------------------------------------------------------


def test_an_unknown_api_path_is_a_404_in_json(client, city):
    response = client.get(f"{API}/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Nothing is at this address.", "code": "not_found"}


def test_a_method_the_api_does_not_take_is_a_405_in_json(client, city):
    response = client.delete(f"{API}/complaints")

    assert response.status_code == 405
    assert response.json() == {
        "detail": "The method DELETE is not allowed here; use GET, POST.",
        "code": "method_not_allowed",
    }
    assert response["Allow"] == "GET, POST"


def test_a_server_error_under_the_api_is_json(lenient_client, city, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(complaint_selectors, "active_categories", broken)
    response = lenient_client.get(f"{API}/complaints/categories")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "a bug" not in response.content.decode()  # nothing of the trace goes out


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_server_error_under_open311_is_in_its_format(lenient_client, city, monkeypatch, fmt):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(complaint_selectors, "active_categories", broken)
    response = lenient_client.get(f"{OPEN311}/services.{fmt}")

    assert response.status_code == 500
    [error] = open311_errors(response)
    assert error["code"] == 500
    assert "a bug" not in error["description"]


@pytest.mark.parametrize(("path", "fmt"), [("nothing.json", "json"), ("a/b/c.xml", "xml")])
def test_an_unknown_open311_path_is_a_404_in_its_format(client, city, path, fmt):
    response = client.get(f"{OPEN311}/{path}")

    assert response.status_code == 404
    assert response["Content-Type"].startswith({"json": "application/json", "xml": "text/xml"}[fmt])
    assert open311_errors(response) == [
        {"code": 404, "description": f"no such Open311 resource: {path!r}"}
    ]


def test_a_method_open311_does_not_take_is_a_405_in_its_format(client, city):
    response = client.delete(f"{OPEN311}/services.xml")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert open311_errors(response) == [
        {"code": 405, "description": "method DELETE is not allowed here"}
    ]


def test_pages_keep_their_html_error_pages(client, city):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_http404_raised_in_an_operation_is_json_with_a_code(client, city, monkeypatch):
    from django.http import Http404

    def missing(*args, **kwargs):
        raise Http404("No such category list.")

    monkeypatch.setattr(complaint_selectors, "active_categories", missing)
    response = client.get(f"{API}/complaints/categories")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such category list.", "code": "not_found"}


def test_a_write_without_the_csrf_token_says_so_by_its_code(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    response = client.post(f"{API}/accounts/me/delete", "{}", content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
