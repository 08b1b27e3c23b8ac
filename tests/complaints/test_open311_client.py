"""Hamkke's Open311 endpoint as an outside client sees it: georeport (PyPI), a GeoReport v2
wrapper this project did not write, reads services, definitions and requests over real HTTP
from a live server, in JSON and in XML.

georeport reads XML with xmltodict, so what its users get is xmltodict's shape: a list for
several elements, a plain dict for one, strings for every value. The assertions below check
what such a user would see. georeport cannot file reports (nor can the older Open311 clients
on PyPI run on Python 3), so filing is done as a typical app does it: a form POST with the
api_key in the query string, read back through georeport. Expected values come from the Seoul
profile file and from the reports each test files, not from the endpoint's code."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from georeport import GeoReport

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import Category, Channel, Complaint, Status
from tests.complaints.conftest import BUKCHON, JONGNO, MAPO

pytestmark = pytest.mark.django_db(transaction=True)

W3C_SEOUL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")
FORMATS = ["json", "xml"]


@pytest.fixture
def profile() -> dict:
    """Seoul's profile as written, read here without Hamkke's own loader."""
    with (Path(settings.HAMKKE_CITIES_DIR) / "seoul" / "profile.toml").open("rb") as handle:
        return tomllib.load(handle)


@pytest.fixture
def root(live_server) -> str:
    return f"{live_server.url}/open311/v2"


def georeport(root: str, output_format: str, **kwargs) -> GeoReport:
    return GeoReport(root, output_format=output_format, **kwargs)


def file_report(code: str, where=JONGNO, *, description: str = "신고 내용", **kwargs) -> Complaint:
    category = Category.objects.get(code=code)
    return services.file_complaint(
        category=category,
        latitude=where[0],
        longitude=where[1],
        description=description,
        **kwargs,
    )


def as_list(parsed) -> list:
    """xmltodict gives one element as a dict and several as a list."""
    return parsed if isinstance(parsed, list) else [parsed]


# --- services --------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_service_list_is_the_profiles_categories(city, root, profile, output_format):
    listed = georeport(root, output_format).get_service_list()

    assert isinstance(listed, list)
    expected = {c["code"]: c for c in profile["complaints"]["categories"]}
    by_code = {s["service_code"]: s for s in listed}
    assert set(by_code) == set(expected)
    assert len(listed) == len(expected)
    for code, category in expected.items():
        assert by_code[code]["service_name"] == category["name_en"]
        assert by_code[code]["type"] == "realtime"
    # JSON has booleans; xmltodict hands the XML text through.
    with_questions = (
        {True: True, False: False}
        if output_format == "json"
        else {
            True: "true",
            False: "false",
        }
    )
    for code, category in expected.items():
        assert by_code[code]["metadata"] == with_questions[bool(category.get("questions"))]


@pytest.mark.parametrize("output_format", FORMATS)
def test_the_service_list_answers_for_the_citys_jurisdiction(city, root, output_format):
    client = georeport(root, output_format, jurisdiction="seoul.go.kr")
    assert {s["service_code"] for s in client.get_service_list()} >= {"litter", "road-damage"}


def test_a_foreign_jurisdiction_is_an_http_error_the_client_raises(city, root):
    client = georeport(root, "json", jurisdiction="busan.go.kr")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_list()
    assert raised.value.response.status_code == 404


def test_the_road_damage_definition_in_json(city, root, profile):
    question = next(c for c in profile["complaints"]["categories"] if c["code"] == "road-damage")[
        "questions"
    ][0]

    definition = georeport(root, "json").get_service_definition("road-damage")

    assert definition["service_code"] == "road-damage"
    assert len(definition["attributes"]) == 1
    attribute = definition["attributes"][0]
    assert attribute["code"] == question["code"] == "pothole_size"
    assert attribute["description"] == question["label_en"]
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True
    assert attribute["variable"] is True
    assert attribute["order"] == 1
    assert [v["key"] for v in attribute["values"]] == question["choices"]


def test_the_road_damage_definition_in_xml(city, root, profile):
    question = next(c for c in profile["complaints"]["categories"] if c["code"] == "road-damage")[
        "questions"
    ][0]

    definition = georeport(root, "xml").get_service_definition("road-damage")

    assert definition["service_code"] == "road-damage"
    # One attribute: xmltodict gives the dict itself, not a list of one.
    attribute = definition["attributes"]["attribute"]
    assert isinstance(attribute, dict)
    assert attribute["code"] == question["code"]
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] == "true"
    assert attribute["variable"] == "true"
    assert attribute["order"] == "1"
    values = attribute["values"]["value"]
    assert [v["key"] for v in values] == question["choices"]
    assert [v["name"] for v in values] == question["choices"]


def test_an_unknown_service_is_an_http_error(city, root):
    with pytest.raises(requests.HTTPError) as raised:
        georeport(root, "xml").get_service_definition("teleport")
    assert raised.value.response.status_code == 404


# --- requests --------------------------------------------------------------------------------


@pytest.fixture
def reports(city, make_official):
    """Four reports: two litter (one resolved by its district office), a streetlight and a
    pothole; the resolved one went received → accepted → resolved through the workflow."""
    handler = make_official("office-11110", Role.HANDLER)
    litter_open = file_report("litter", JONGNO, description="골목에 쓰레기 더미")
    litter_resolved = file_report("litter", BUKCHON, description="한옥마을 앞 쓰레기")
    streetlight = file_report("streetlight", MAPO, description="가로등 꺼짐")
    pothole = file_report(
        "road-damage", JONGNO, description="도로 파임", answers={"pothole_size": "large"}
    )
    services.change_status(
        complaint=litter_resolved,
        actor=handler,
        status=Status.ACCEPTED,
        public_note="현장 확인 예정",
    )
    services.change_status(
        complaint=litter_resolved,
        actor=handler,
        status=Status.RESOLVED,
        public_note="수거 완료",
    )
    return {
        "litter_open": litter_open,
        "litter_resolved": litter_resolved,
        "streetlight": streetlight,
        "pothole": pothole,
    }


def ids(items) -> set[str]:
    return {item["service_request_id"] for item in as_list(items)}


@pytest.mark.parametrize("output_format", FORMATS)
def test_requests_filtered_by_service_code_and_status(reports, root, output_format):
    client = georeport(root, output_format)

    open_litter = client.get_service_requests(service_code="litter", status="open")
    closed_litter = client.get_service_requests(service_code="litter", status="closed")
    everything_open = client.get_service_requests(status="open")
    two_codes = client.get_service_requests(service_code="litter,streetlight")

    assert ids(open_litter) == {reports["litter_open"].tracking_number}
    assert ids(closed_litter) == {reports["litter_resolved"].tracking_number}
    assert ids(everything_open) == {
        reports[name].tracking_number for name in ("litter_open", "streetlight", "pothole")
    }
    assert ids(two_codes) == {
        reports[name].tracking_number for name in ("litter_open", "litter_resolved", "streetlight")
    }
    if output_format == "xml":
        # One match: georeport's user gets a dict, several: a list.
        assert isinstance(open_litter, dict)
        assert isinstance(everything_open, list)
    else:
        assert isinstance(open_litter, list) and len(open_litter) == 1


@pytest.mark.parametrize("output_format", FORMATS)
def test_requests_by_a_comma_list_of_ids_ignore_the_other_filters(reports, root, output_format):
    wanted = [reports["streetlight"].tracking_number, reports["litter_resolved"].tracking_number]

    found = georeport(root, output_format).get_service_requests(
        service_request_id=",".join(wanted), service_code="road-damage", status="open"
    )

    assert ids(found) == set(wanted)


@pytest.mark.parametrize("output_format", FORMATS)
def test_requests_within_a_date_window(city, root, output_format):
    now = timezone.now()
    recent = file_report("litter", description="어제 신고", now=now - timedelta(days=1))
    older = file_report("litter", description="지난달 신고", now=now - timedelta(days=40))
    ancient = file_report("litter", description="작년 신고", now=now - timedelta(days=400))
    client = georeport(root, output_format)

    def window(start_days: int, end_days: int):
        return client.get_service_requests(
            start_date=(now - timedelta(days=start_days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_date=(now - timedelta(days=end_days)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    assert ids(window(50, 0)) == {recent.tracking_number, older.tracking_number}
    assert ids(window(50, 30)) == {older.tracking_number}
    assert ids(window(430, 380)) == {ancient.tracking_number}
    # Without dates, the specification's default: the last 90 days.
    assert ids(client.get_service_requests()) == {recent.tracking_number, older.tracking_number}


@pytest.mark.parametrize("output_format", FORMATS)
def test_one_request_as_the_client_returns_it(reports, root, output_format):
    resolved = reports["litter_resolved"]

    item = georeport(root, output_format).get_service_request(resolved.tracking_number)

    assert isinstance(item, dict)
    assert item["service_request_id"] == resolved.tracking_number
    assert item["service_code"] == "litter"
    assert item["service_name"] == "Litter and dumped rubbish"
    assert item["status"] == "closed"
    assert item["status_notes"] == "수거 완료"
    assert item["description"] == "한옥마을 앞 쓰레기"
    assert item["agency_responsible"] == "Jongno-gu Office"
    assert W3C_SEOUL.match(item["requested_datetime"])
    assert W3C_SEOUL.match(item["updated_datetime"])
    assert item["updated_datetime"] >= item["requested_datetime"]
    if output_format == "json":
        assert item["lat"] == pytest.approx(BUKCHON[0], abs=1e-6)
        assert item["long"] == pytest.approx(BUKCHON[1], abs=1e-6)
        assert item["address"] is None and item["media_url"] is None
    else:
        assert float(item["lat"]) == pytest.approx(BUKCHON[0], abs=1e-6)
        assert float(item["long"]) == pytest.approx(BUKCHON[1], abs=1e-6)
        assert item["address"] is None and item["media_url"] is None  # empty elements


def test_an_unknown_request_is_an_http_error(city, root):
    with pytest.raises(requests.HTTPError) as raised:
        georeport(root, "json").get_service_request("NOPE-00000")
    assert raised.value.response.status_code == 404


def test_no_personal_data_reaches_the_client(city, root, citizen):
    report = file_report(
        "litter",
        reporter=citizen,
        contact=services.Contact(name="홍길동", email="secret@example.org", phone="010-9999-0000"),
    )
    for output_format in FORMATS:
        item = georeport(root, output_format).get_service_request(report.tracking_number)
        shown = repr(item)
        for secret in ("홍길동", "secret@example.org", "010-9999-0000", citizen.email):
            assert secret not in shown


# --- filing as an app does, reading back with georeport -------------------------------------


@pytest.fixture
def api_key(city) -> str:
    _client, key = services.create_api_client(name="Outside app")
    return key


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_report_posted_as_a_form_is_read_back_by_the_client(root, api_key, output_format):
    response = requests.post(
        f"{root}/requests.json",
        params={"api_key": api_key},
        data={
            "service_code": "road-damage",
            "lat": str(MAPO[0]),
            "long": str(MAPO[1]),
            "address_string": "양화로 160",
            "description": "맨홀 주변 도로 파손",
            "attribute[pothole_size]": "medium",
            "email": "driver@example.org",
            "first_name": "민수",
            "last_name": "김",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert isinstance(answer, list) and len(answer) == 1
    request_id = answer[0]["service_request_id"]
    assert answer[0]["service_notice"]

    item = georeport(root, output_format).get_service_request(request_id)

    assert item["service_request_id"] == request_id
    assert item["service_code"] == "road-damage"
    assert item["status"] == "open"
    assert item["description"] == "맨홀 주변 도로 파손"
    assert item["address"] == "양화로 160"
    assert item["agency_responsible"] == "Mapo-gu Office"
    assert float(item["lat"]) == pytest.approx(MAPO[0], abs=1e-6)
    assert "driver@example.org" not in repr(item) and "민수" not in repr(item)
    complaint = Complaint.objects.get(tracking_number=request_id)
    assert complaint.channel == Channel.OPEN311
    assert complaint.answers == {"pothole_size": "medium"}
    assert complaint.contact_email == "driver@example.org"
    listed = georeport(root, output_format).get_service_requests(service_code="road-damage")
    assert request_id in ids(listed)


def test_a_post_with_a_bad_key_is_refused_in_the_open311_error_format(root, api_key):
    response = requests.post(
        f"{root}/requests.xml",
        params={"api_key": "not-" + api_key},
        data={"service_code": "litter", "lat": JONGNO[0], "long": JONGNO[1], "description": "x"},
        timeout=30,
    )
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("text/xml")
    assert "<errors><error><code>403</code>" in response.text
    assert not Complaint.objects.exists()
