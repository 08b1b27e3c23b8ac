"""Open311 as clients really use it: HEAD wherever GET works, paths with a doubled slash (an
endpoint ending in "/" joined with "/requests.xml"), the api_key in a POST's query string (and
checked before a large body is read), 404 for an unknown service_code as GeoReport v2's errors
table says, XML that parses whatever a report's text holds; and a second published client,
civicbot (PyPI; stdlib only, independent of georeport and of this project), reading and filing
against the live endpoint. Expected values come from the Seoul profile and the reports each
test files, not from the endpoint's code."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
import requests
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

from hamkke.complaints import services
from hamkke.complaints.models import Category, Channel, Complaint
from tests.complaints.conftest import BUKCHON, JONGNO

BASE = "/open311/v2"


def file_report(code: str = "litter", where=JONGNO, **kwargs) -> Complaint:
    kwargs.setdefault("description", "골목에 쓰레기 더미")
    return services.file_complaint(
        category=Category.objects.get(code=code), latitude=where[0], longitude=where[1], **kwargs
    )


def new_key() -> str:
    _client, key = services.create_api_client(name="Interop app")
    return key


def report_fields(**extra) -> dict:
    return {
        "service_code": "litter",
        "lat": str(JONGNO[0]),
        "long": str(JONGNO[1]),
        "description": "쓰레기 무단투기",
        **extra,
    }


class UnreadableBody:
    """A request body that must not be read: the test fails if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


# --- through Django's test client ------------------------------------------------------------


@pytest.mark.django_db
class TestAsClientsSendIt:
    @pytest.mark.parametrize("fmt", ["json", "xml"])
    def test_an_unknown_service_code_is_404_and_nothing_is_stored(self, client, city, fmt):
        response = client.post(
            f"{BASE}/requests.{fmt}", report_fields(api_key=new_key(), service_code="teleport")
        )

        assert response.status_code == 404
        if fmt == "xml":
            error = ET.fromstring(response.content).find("error")
            assert error.findtext("code") == "404"
            assert error.findtext("description") == "service_code 'teleport' not found"
        else:
            assert response.json() == [
                {"code": 404, "description": "service_code 'teleport' not found"}
            ]
        assert not Complaint.objects.exists()

    def test_a_missing_service_code_is_still_400(self, client, city):
        response = client.post(
            f"{BASE}/requests.json", report_fields(api_key=new_key(), service_code="")
        )
        assert response.status_code == 400

    @pytest.mark.parametrize(
        "path", ["//services.json", "//requests.xml", "///discovery.json", "//services/litter.xml"]
    )
    def test_a_doubled_slash_is_served(self, client, city, path):
        response = client.get(f"{BASE}{path}")
        assert response.status_code == 200
        assert response.content == client.get(f"{BASE}/{path.lstrip('/')}").content

    def test_a_report_is_filed_and_read_through_doubled_slashes(self, client, city):
        filed = client.post(f"{BASE}//requests.json", report_fields(api_key=new_key()))

        assert filed.status_code == 201
        request_id = filed.json()[0]["service_request_id"]
        read = client.get(f"{BASE}//requests/{request_id}.json").json()
        assert read[0]["description"] == "쓰레기 무단투기"

    def test_head_answers_wherever_get_does(self, client, city):
        complaint = file_report()
        paths = [
            "discovery.json",
            "discovery.xml",
            "services.json",
            "services.xml",
            "services/road-damage.xml",
            "requests.json",
            "requests.xml?status=open",
            f"requests/{complaint.tracking_number}.json",
            f"tokens/{complaint.token}.xml",
            "servicerequestupdates.json",
            "requests/NOPE-00000.json",  # a 404 is a 404 with HEAD too
        ]
        for path in paths:
            got = client.get(f"{BASE}/{path}")
            head = client.head(f"{BASE}/{path}")
            assert head.status_code == got.status_code, path
            assert head["Content-Type"] == got["Content-Type"], path
            assert head["Content-Length"] == str(len(got.content)), path
            assert head.content == b"", path

    def test_post_only_where_the_specification_posts(self, client, city):
        response = client.post(f"{BASE}/services.json")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"

    @pytest.mark.parametrize("multipart", [False, True])
    def test_the_api_key_in_a_posts_query_string(self, client, city, multipart):
        key = new_key()
        if multipart:
            response = client.post(f"{BASE}/requests.json?api_key={key}", report_fields())
        else:
            response = client.post(
                f"{BASE}/requests.json?api_key={key}",
                "&".join(f"{k}={v}" for k, v in report_fields().items()),
                content_type="application/x-www-form-urlencoded",
            )

        assert response.status_code == 201, response.content
        assert Complaint.objects.get().channel == Channel.OPEN311

    def test_an_empty_api_key_field_does_not_hide_the_query_strings(self, client, city):
        response = client.post(
            f"{BASE}/requests.json?api_key={new_key()}", report_fields(api_key="")
        )
        assert response.status_code == 201, response.content

    def test_a_wrong_key_in_the_query_string_is_refused_before_the_body_is_read(self, client, city):
        response = client.generic(
            "POST",
            f"{BASE}/requests.xml?api_key=wrong",
            b"",
            # An empty `data` sets no type: the body's type is given as a server passes it.
            CONTENT_TYPE="multipart/form-data; boundary=x",
            CONTENT_LENGTH="5000000",
            **{"wsgi.input": UnreadableBody()},
        )

        assert response.status_code == 403
        error = ET.fromstring(response.content).find("error")
        assert error.findtext("description") == "api_key is not valid"

    def test_a_large_body_without_a_key_in_the_query_string_is_refused_unread(
        self, client, city, settings
    ):
        response = client.generic(
            "POST",
            f"{BASE}/requests.json",
            b"",
            # An empty `data` sets no type: the body's type is given as a server passes it.
            CONTENT_TYPE="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(settings.HAMKKE_OPEN311_KEYLESS_BODY_BYTES + 1),
            **{"wsgi.input": UnreadableBody()},
        )

        assert response.status_code == 413
        assert "api_key in the query string" in response.json()[0]["description"]

    def test_with_the_key_in_the_query_string_a_larger_body_is_taken(self, client, city, settings):
        settings.HAMKKE_OPEN311_KEYLESS_BODY_BYTES = 1000
        fields = report_fields(description="쓰레기 " * 300)  # about 3 KB as UTF-8
        key = new_key()
        refused = client.post(f"{BASE}/requests.json", {**fields, "api_key": key})
        taken = client.post(f"{BASE}/requests.json?api_key={key}", fields)

        assert refused.status_code == 413
        assert taken.status_code == 201
        assert Complaint.objects.count() == 1

    def test_xml_parses_whatever_a_report_holds(self, client, city):
        complaint = file_report(description="tab\there, vertical\x0btab, escape\x1b[0m end")

        root = ET.fromstring(client.get(f"{BASE}/requests/{complaint.tracking_number}.xml").content)

        # XML 1.0 cannot carry the control characters: they are left out, the rest kept.
        assert root.findtext("request/description") == "tab\there, verticaltab, escape[0m end"


# --- civicbot, a second published client, over real HTTP --------------------------------------


@pytest.fixture
def civicbot(live_server) -> Open311Client:
    endpoint = Endpoint(
        id="hamkke-seoul",
        name="Seoul (test)",
        base_url=f"{live_server.url}{BASE}/",
        write=True,
    )
    # civicbot waits half a second between calls to one host by default, out of politeness.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="seoul.go.kr")


@pytest.mark.django_db(transaction=True)
class TestCivicbot:
    def test_lists_the_profiles_services(self, city, civicbot):
        codes = {str(s["service_code"]) for s in civicbot.list_services()}
        expected = set(
            Category.objects.filter(city=city, active=True).values_list("code", flat=True)
        )
        assert codes == expected

    def test_reads_a_definition(self, city, civicbot):
        definition = civicbot.get_service_definition("road-damage")
        assert definition["service_code"] == "road-damage"
        assert [a["code"] for a in definition["attributes"]] == ["pothole_size"]

    def test_files_a_report_and_reads_it_back(self, city, civicbot):
        key = new_key()
        prepared = civicbot.create_request(
            "road-damage",
            dry_run=False,
            confirm="SEND",
            api_key=key,
            validate_remote=True,  # civicbot checks the form against our live definition
            lat=BUKCHON[0],
            lng=BUKCHON[1],
            description="북촌 골목 도로 파임",
            attributes={"pothole_size": "large"},
            first_name="민수",
            email="driver@example.org",
        )

        [answer] = prepared.response
        complaint = Complaint.objects.get(tracking_number=answer["service_request_id"])
        assert complaint.channel == Channel.OPEN311
        assert complaint.answers == {"pothole_size": "large"}
        assert complaint.description == "북촌 골목 도로 파임"
        read = civicbot.get_request(answer["service_request_id"])
        assert read["description"] == "북촌 골목 도로 파임"
        assert read["status"] == "open"
        listed = civicbot.list_requests(service_request_ids=[answer["service_request_id"]])
        assert [r["service_request_id"] for r in listed] == [answer["service_request_id"]]
        [token] = civicbot.get_token(complaint.token)
        assert token["service_request_id"] == complaint.tracking_number

    def test_an_unknown_service_code_is_a_404_the_client_raises(self, city, civicbot):
        with pytest.raises(HttpError) as raised:
            civicbot.create_request(
                "teleport",
                dry_run=False,
                confirm="SEND",
                api_key=new_key(),
                lat=JONGNO[0],
                lng=JONGNO[1],
                description="순간이동 장치 고장",
            )
        assert raised.value.status == 404
        assert "service_code 'teleport' not found" in raised.value.body
        assert not Complaint.objects.exists()

    def test_a_wrong_key_is_a_403_the_client_raises(self, city, civicbot):
        with pytest.raises(HttpError) as raised:
            civicbot.create_request(
                "litter",
                dry_run=False,
                confirm="SEND",
                api_key="not-a-key",
                lat=JONGNO[0],
                lng=JONGNO[1],
                description="쓰레기",
            )
        assert raised.value.status == 403
        assert not Complaint.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_head_and_doubled_slashes_over_real_http(city, live_server):
    """What a server strips or keeps for HEAD is the server's doing: checked over the wire."""
    endpoint = f"{live_server.url}{BASE}/"
    got = requests.get(endpoint + "/services.xml", timeout=30)
    head = requests.head(endpoint + "/services.xml", timeout=30)

    assert got.status_code == head.status_code == 200
    assert ET.fromstring(got.content).tag == "services"
    assert head.content == b""
    assert head.headers["Content-Length"] == str(len(got.content))


@pytest.mark.django_db
def test_a_malformed_content_length_is_read_as_no_body(client, city):
    response = client.generic(
        "POST", f"{BASE}/requests.json", b"", CONTENT_TYPE="text/plain", CONTENT_LENGTH="abc"
    )
    assert response.status_code == 403
    assert response.json() == [
        {"code": 403, "description": "api_key is required to file a request"}
    ]
