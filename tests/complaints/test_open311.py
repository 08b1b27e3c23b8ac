"""Open311 GeoReport v2 conformance, point by point, in both formats."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import ApiClient, Category, Channel, Complaint, Status
from hamkke.core.models import Media
from tests.complaints.conftest import BUSAN, JONGNO, MAPO, jpeg

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$")  # Seoul's offset


@pytest.fixture
def api_key(city):
    _client, key = services.create_api_client(name="Test app")
    return key


def post(client, key, fmt="json", **fields):
    data = {
        "service_code": "litter",
        "lat": JONGNO[0],
        "long": JONGNO[1],
        "description": "쓰레기 무단투기",
        **fields,
    }
    if key is not None:
        data["api_key"] = key
    # Apps choose their language; English keeps these assertions readable.
    return client.post(f"{BASE}/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE="en")


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def file_report(category_code="litter", where=JONGNO, **kwargs):
    category = Category.objects.get(code=category_code)
    kwargs.setdefault("description", "신고 내용")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], **kwargs
    )


# --- discovery and services ------------------------------------------------------------------


def test_discovery_in_both_formats(client, city):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = [f.text for f in root.findall("./endpoints/endpoint/formats/format")]
    assert set(formats) == {"text/xml", "application/json"}


def test_services_list_matches_the_profile(client, city):
    services_json = client.get(f"{BASE}/services.json").json()
    assert isinstance(services_json, list)
    by_code = {s["service_code"]: s for s in services_json}
    assert by_code["litter"]["service_name"] == "Litter and dumped rubbish"
    assert by_code["road-damage"]["metadata"] is True
    assert by_code["litter"]["metadata"] is False
    assert by_code["litter"]["type"] == "realtime"
    assert by_code["litter"]["group"] == "Cleaning and environment"
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    assert {s.findtext("service_code") for s in root.findall("service")} == set(by_code)
    assert root.find("service/metadata").text in ("true", "false")


def test_service_definition_lists_attributes(client, city):
    body = client.get(f"{BASE}/services/road-damage.json").json()
    assert body["service_code"] == "road-damage"
    attribute = body["attributes"][0]
    assert attribute["code"] == "pothole_size"
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True and attribute["variable"] is True
    assert [v["key"] for v in attribute["values"]] == ["small", "medium", "large"]
    root = xml(client.get(f"{BASE}/services/road-damage.xml"))
    assert root.tag == "service_definition"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "small",
        "medium",
        "large",
    ]


def test_unknown_service_definition_is_404_in_the_error_format(client, city):
    response = client.get(f"{BASE}/services/teleport.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": "service_code 'teleport' not found"}]
    root = xml(client.get(f"{BASE}/services/teleport.xml"))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"


# --- POST requests ---------------------------------------------------------------------------


def test_post_files_a_report_and_answers_its_id(client, city, api_key):
    response = post(
        client,
        api_key,
        email="app-user@example.org",
        first_name="길동",
        last_name="홍",
        phone="010-1234-5678",
    )
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    request_id = body[0]["service_request_id"]
    assert isinstance(request_id, str)
    complaint = Complaint.objects.get(tracking_number=request_id)
    assert complaint.channel == Channel.OPEN311
    assert complaint.contact_email == "app-user@example.org"
    assert complaint.api_client.name == "Test app"


def test_post_in_xml(client, city, api_key):
    root = xml(post(client, api_key, fmt="xml"))
    assert root.tag == "service_requests"
    assert Complaint.objects.filter(tracking_number=root.findtext("request/service_request_id"))


def test_api_key_in_the_query_string_is_accepted(client, city, api_key):
    response = client.post(
        f"{BASE}/requests.json?api_key={api_key}",
        {"service_code": "litter", "lat": JONGNO[0], "long": JONGNO[1], "description": "x"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_missing_or_bad_api_key_is_403(client, city, key):
    response = post(client, key)
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert "api_key" in response.json()[0]["description"]
    assert not Complaint.objects.exists()


def test_revoked_key_is_403(client, city, api_key):
    ApiClient.objects.update(active=False)
    assert post(client, api_key).status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": ""}, "service_code is required"),
        ({"lat": "", "long": ""}, "lat and long"),
        ({"lat": "", "long": "", "address_string": "세종대로 110"}, "coordinates"),
        ({"lat": "north"}, "lat must be a number"),
        ({"lat": BUSAN[0], "long": BUSAN[1]}, "outside"),
        ({"description": "가" * 10_000}, "4000"),
        ({"service_code": "road-damage"}, "Size of the damage"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
    ],
)
def test_bad_requests_are_400_and_store_nothing(client, city, api_key, fields, message):
    response = post(client, api_key, **fields)
    assert response.status_code == 400, response.content
    assert message in response.json()[0]["description"]
    assert not Complaint.objects.exists()


def test_attributes_are_answered(client, city, api_key):
    response = post(
        client, api_key, service_code="road-damage", **{"attribute[pothole_size]": "large"}
    )
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert complaint.answers == {"pothole_size": "large"}


def test_jurisdiction_empty_or_the_citys_own(client, city, api_key):
    assert post(client, api_key, jurisdiction_id="").status_code == 201
    assert post(client, api_key, jurisdiction_id="seoul.go.kr").status_code == 201
    response = post(client, api_key, jurisdiction_id="busan.go.kr")
    assert response.status_code == 404
    assert client.get(f"{BASE}/services.json?jurisdiction_id=").status_code == 200


def test_media_upload_extension(client, city, api_key):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "litter",
            "lat": JONGNO[0],
            "long": JONGNO[1],
            "description": "사진 첨부",
            "media[]": [jpeg(), jpeg()],
        },
    )
    assert response.status_code == 201
    assert Media.objects.count() == 2
    request_id = response.json()[0]["service_request_id"]
    shown = client.get(f"{BASE}/requests/{request_id}.json").json()[0]
    assert shown["media_url"].startswith("http://testserver/media/")


def test_a_burst_of_posts_is_rate_limited(client, city, api_key, settings):
    settings.HAMKKE_OPEN311_IP_RATE = "3/m"
    codes = [post(client, api_key).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert Complaint.objects.count() == 3


# --- GET requests ----------------------------------------------------------------------------


def test_request_fields_and_no_personal_data(client, city, citizen):
    complaint = file_report(
        reporter=citizen,
        address="종로3가역 4번 출구",
        contact=services.Contact(name="홍길동", email="secret@example.org", phone="010-9999-0000"),
    )
    response = client.get(f"{BASE}/requests/{complaint.tracking_number}.json")
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    item = body[0]
    assert list(item) == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    assert item["service_request_id"] == complaint.tracking_number
    assert item["status"] == "open"
    assert item["agency_responsible"] == "Jongno-gu Office"
    assert W3C.match(item["requested_datetime"]) and W3C.match(item["expected_datetime"])
    text = response.content.decode()
    for secret in ("secret@example.org", "홍길동", "010-9999-0000", citizen.email):
        assert secret not in text


def test_request_in_xml_has_the_spec_element_names(client, city):
    complaint = file_report()
    root = xml(client.get(f"{BASE}/requests/{complaint.tracking_number}.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == complaint.tracking_number
    assert request.findtext("lat") == str(round(JONGNO[0], 6))
    assert request.find("long") is not None


def test_unknown_or_hidden_request_is_404(client, city, make_official):
    assert client.get(f"{BASE}/requests/NOPE.json").status_code == 404
    complaint = file_report()
    manager = make_official("office-11110", Role.MANAGER)
    services.moderate_complaint(complaint=complaint, actor=manager, hidden=True, reason="test")
    assert client.get(f"{BASE}/requests/{complaint.tracking_number}.json").status_code == 404


def test_filters_status_service_code_and_id_lists(client, city, make_official):
    litter_open = file_report()
    litter_done = file_report()
    light = file_report("streetlight", where=MAPO)
    handler = make_official("office-11110")
    services.change_status(
        complaint=litter_done, actor=handler, status=Status.RESOLVED, public_note="done"
    )

    def ids(**query):
        body = client.get(f"{BASE}/requests.json", query).json()
        return {item["service_request_id"] for item in body}

    assert ids(status="open") == {litter_open.tracking_number, light.tracking_number}
    assert ids(status="closed") == {litter_done.tracking_number}
    assert ids(status="open,closed") == ids()
    assert ids(service_code="streetlight") == {light.tracking_number}
    assert ids(service_code="streetlight,litter") == ids()
    assert ids(service_code="", status="") == ids()  # empty parameters are absent
    # Ids override every other filter.
    assert ids(
        service_request_id=f"{light.tracking_number},{litter_done.tracking_number}",
        status="open",
        service_code="litter",
    ) == {light.tracking_number, litter_done.tracking_number}


def test_bad_status_is_400(client, city):
    response = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert response.status_code == 400


def test_default_window_is_the_last_90_days(client, city):
    recent = file_report()
    old = file_report(now=timezone.now() - timedelta(days=100))
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert recent.tracking_number in listed and old.tracking_number not in listed
    start = (timezone.now() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = {
        r["service_request_id"]
        for r in client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end}).json()
    }
    assert listed == {old.tracking_number}


def test_a_window_over_90_days_is_400(client, city):
    response = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "90 days" in response.json()[0]["description"]
    bad = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400


def test_default_limit_is_1000_and_pages_are_opt_in(client, city):
    category = Category.objects.get(code="litter")
    now = timezone.now()
    # Rows straight through the ORM: 1,005 filings through the service would be slow here.
    for i in range(1005):
        _bulk(category, now, i)
    default = client.get(f"{BASE}/requests.json").json()
    assert len(default) == 1000
    page = client.get(f"{BASE}/requests.json", {"page": 2, "page_size": 400}).json()
    assert len(page) == 400
    assert page[0]["service_request_id"] == default[400]["service_request_id"]


def _bulk(category, now, i):
    from hamkke.core.city.services import locate

    location = locate(latitude=JONGNO[0], longitude=JONGNO[1])
    Complaint.objects.create(
        city=category.city,
        category=category,
        location=location,
        district=location.district,
        h3_area=location.h3_area,
        department=category.city.departments.get(code="office-11110"),
        tracking_number=f"BULK-{i:06d}",
        token=f"bulk{i}",
        description="bulk",
        created_at=now - timedelta(minutes=i),
        updated_at=now,
        expected_at=now + timedelta(days=3),
    )


def test_extensions_add_notes_without_changing_the_default(client, city, make_official):
    complaint = file_report()
    handler = make_official("office-11110")
    services.change_status(
        complaint=complaint,
        actor=handler,
        status=Status.ACCEPTED,
        public_note="현장 확인 예정",
        internal_note="비밀 메모",
    )
    plain = client.get(f"{BASE}/requests/{complaint.tracking_number}.json").json()[0]
    assert "notes" not in plain and "extended_attributes" not in plain
    rich = client.get(
        f"{BASE}/requests/{complaint.tracking_number}.json", {"extensions": "true"}
    ).json()[0]
    assert [n["status"] for n in rich["notes"]] == ["received", "accepted"]
    assert rich["notes"][1]["description"] == "현장 확인 예정"
    assert rich["extended_attributes"]["channel"] == "web"
    assert "비밀 메모" not in str(rich)


def test_tokens_resolve_to_the_request(client, city):
    complaint = file_report()
    body = client.get(f"{BASE}/tokens/{complaint.token}.json").json()
    assert body == [{"service_request_id": complaint.tracking_number, "token": complaint.token}]
    assert client.get(f"{BASE}/tokens/unknown.json").status_code == 404


def test_service_request_updates_follow_status_changes(client, city, make_official):
    complaint = file_report()
    handler = make_official("office-11110")
    services.change_status(
        complaint=complaint, actor=handler, status=Status.RESOLVED, public_note="보수 완료"
    )
    body = client.get(f"{BASE}/servicerequestupdates.json").json()
    mine = [u for u in body if u["service_request_id"] == complaint.tracking_number]
    assert [u["status"] for u in mine] == ["OPEN", "FIXED"]
    assert mine[1]["description"] == "보수 완료"
    root = xml(client.get(f"{BASE}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert root.find("request_update/update_id") is not None


def test_unknown_format_is_404(client, city):
    assert client.get(f"{BASE}/services.yaml").status_code == 404


def test_apikey_command_prints_a_working_key(client, city, capsys):
    call_command("complaints", "apikey", "create", "Seoul Smart App")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert post(client, key).status_code == 201
