"""No doubled reports: an `Idempotency-Key` on POST /api/v1/complaints and on Open311's POST
requests replays the first answer, refuses the key with other content (409), expires after 24
hours; concurrent double submits file once; and the same device, text and point within a few
minutes is answered with the earlier report instead of a second one."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.client import encode_multipart
from django.utils import timezone

from hamkke.complaints import services
from hamkke.complaints.models import Complaint
from hamkke.core import idempotency
from hamkke.core.models import IdempotencyKey
from hamkke.core.service_app import beat_schedule
from tests.complaints.conftest import JONGNO, MAPO, jpeg

pytestmark = pytest.mark.django_db

API = "/api/v1/complaints"
OPEN311 = "/open311/v2/requests"
# About 11 m north-east of JONGNO: "nearly the same point".
NEAR_JONGNO = (JONGNO[0] + 0.00007, JONGNO[1] + 0.00009)


@pytest.fixture(autouse=True)
def _in_english(english):
    """Messages are asserted in their English source."""


@pytest.fixture
def api_key(city):
    _client, key = services.create_api_client(name="Retrying app")
    return key


def report(**fields) -> dict:
    return {
        "category": "litter",
        "latitude": str(JONGNO[0]),
        "longitude": str(JONGNO[1]),
        "description": "Bags of rubbish by the bus stop.",
        **fields,
    }


def request_311(**fields) -> dict:
    return {
        "service_code": "litter",
        "lat": str(JONGNO[0]),
        "long": str(JONGNO[1]),
        "description": "쓰레기 무단투기",
        **fields,
    }


def key_header(key: str) -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": key}


# --- the JSON API ------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_answers_the_first_response_and_files_nothing(client, city):
    key = str(uuid.uuid4())
    first = client.post(API, report(), **key_header(key))
    assert first.status_code == 201
    assert first.json()["likely_duplicate"] is False
    assert idempotency.REPLAYED_HEADER not in first

    again = client.post(API, report(), **key_header(key))
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again[idempotency.REPLAYED_HEADER] == "true"
    assert Complaint.objects.count() == 1


def test_the_key_may_be_an_sf_string_in_quotes(client, city):
    key = str(uuid.uuid4())
    first = client.post(API, report(), **key_header(f'"{key}"'))
    again = client.post(API, report(), **key_header(key))
    assert again.content == first.content
    assert Complaint.objects.count() == 1


def test_the_same_key_with_a_different_body_is_409_and_files_nothing(client, city):
    key = "retry-7"
    assert client.post(API, report(), **key_header(key)).status_code == 201

    other = client.post(API, report(description="Something else entirely."), **key_header(key))
    assert other.status_code == 409
    assert other.json() == {
        "detail": "This idempotency key was already used for a different request.",
        "code": "idempotency_key_reused",
    }
    assert Complaint.objects.count() == 1


def test_a_photo_is_compared_by_its_content_not_by_the_multipart_boundary(client, city):
    key = str(uuid.uuid4())

    def send(boundary: str, photo):
        body = encode_multipart(boundary, {**report(), "photos": photo})
        return client.post(
            API,
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
            **key_header(key),
        )

    first = send("first-boundary", jpeg())
    assert first.status_code == 201
    same = send("another-boundary-on-retry", jpeg())
    assert same.status_code == 201 and same[idempotency.REPLAYED_HEADER] == "true"
    different_photo = send("third", jpeg(color=(0, 0, 255)))
    assert different_photo.status_code == 409
    assert Complaint.objects.count() == 1


def test_a_refused_request_keeps_nothing_so_its_corrected_retry_is_filed(client, city):
    key = str(uuid.uuid4())
    refused = client.post(API, report(category="no-such-thing"), **key_header(key))
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()

    corrected = client.post(API, report(), **key_header(key))
    assert corrected.status_code == 201
    assert Complaint.objects.count() == 1


def test_keys_belong_to_their_client(city):
    key = "shared-by-accident"
    one = Client(REMOTE_ADDR="203.0.113.1").post(API, report(), **key_header(key))
    other = Client(REMOTE_ADDR="203.0.113.2").post(
        API, report(description="Another person's report."), **key_header(key)
    )
    assert (one.status_code, other.status_code) == (201, 201)
    assert Complaint.objects.count() == 2


@pytest.mark.parametrize("bad", ["", "x" * 256, "naïve-key"])
def test_a_malformed_key_is_400(client, city, bad):
    response = client.post(API, report(), **key_header(bad))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert Complaint.objects.count() == 0


def test_without_a_key_two_posts_file_two_reports(client, city):
    client.post(API, report())
    client.post(API, report(description="A second, different report."))
    assert Complaint.objects.count() == 2


def test_a_key_is_honoured_for_24_hours_then_forgotten(client, city):
    key = str(uuid.uuid4())
    assert client.post(API, report(), **key_header(key)).status_code == 201
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert idempotency.delete_expired_keys() == 1
    assert client.post(API, report(), **key_header(key)).status_code == 201
    assert Complaint.objects.count() == 2
    row = IdempotencyKey.objects.get()
    kept_for = row.expires_at - row.created_at
    assert kept_for == timedelta(hours=24)
    assert beat_schedule()["delete-expired-idempotency-keys"]["task"] == (
        "hamkke.core.tasks.delete_expired_idempotency_keys"
    )


def test_the_key_table_holds_no_address_in_the_clear(client, city):
    Client(REMOTE_ADDR="198.51.100.77").post(API, report(), **key_header("k-1"))
    row = IdempotencyKey.objects.get()
    assert "198.51.100.77" not in row.client
    assert len(row.client) == 64


def test_the_openapi_schema_documents_the_key_and_the_duplicate_answer(client, city):
    operation = client.get("/api/v1/openapi.json").json()["paths"][API]["post"]
    assert set(operation["responses"]) >= {"200", "201"}
    assert "Idempotency-Key" in operation["description"]
    assert "likely_duplicate" in operation["description"]
    headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]


# --- Open311 ------------------------------------------------------------------------------------


def test_open311_replays_by_header_in_both_formats(client, city, api_key):
    for fmt in ("json", "xml"):
        key = f"open311-{fmt}"
        first = client.post(f"{OPEN311}.{fmt}", request_311(api_key=api_key), **key_header(key))
        again = client.post(f"{OPEN311}.{fmt}", request_311(api_key=api_key), **key_header(key))
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
    assert Complaint.objects.count() == 2


def test_open311_takes_the_key_as_a_form_field_for_clients_without_headers(client, city, api_key):
    data = request_311(api_key=api_key, idempotency_key="form-key-1")
    first = client.post(f"{OPEN311}.json", data)
    again = client.post(f"{OPEN311}.json", data)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Complaint.objects.count() == 1


def test_open311_key_with_another_body_is_409_in_its_error_format(client, city, api_key):
    client.post(f"{OPEN311}.xml", request_311(api_key=api_key), **key_header("k"))
    response = client.post(
        f"{OPEN311}.xml", request_311(api_key=api_key, description="different"), **key_header("k")
    )
    assert response.status_code == 409
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "409"
    assert "different request" in root.findtext("error/description")
    assert Complaint.objects.count() == 1


def test_open311_keys_are_per_api_key(client, city, api_key):
    _other, other_key = services.create_api_client(name="Another app")
    client.post(f"{OPEN311}.json", request_311(api_key=api_key), **key_header("same"))
    response = client.post(
        f"{OPEN311}.json", request_311(api_key=other_key, description="x"), **key_header("same")
    )
    assert response.status_code == 201
    assert Complaint.objects.count() == 2


# --- the same device, text and point ------------------------------------------------------------


def test_the_same_device_text_and_point_is_offered_as_the_earlier_report(client, city):
    first = client.post(API, report(device_id="phone-1"))
    assert first.status_code == 201
    number = first.json()["tracking_number"]

    retry = client.post(
        API,
        report(
            device_id="phone-1",
            latitude=str(NEAR_JONGNO[0]),
            longitude=str(NEAR_JONGNO[1]),
            description="  Bags of rubbish   by the bus stop. ",
        ),
    )
    assert retry.status_code == 200
    body = retry.json()
    assert body["tracking_number"] == number
    assert body["likely_duplicate"] is True
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"device_id": "phone-2"},
        {"description": "Another problem at the same bus stop."},
        {"latitude": str(MAPO[0]), "longitude": str(MAPO[1])},
        {"device_id": ""},
    ],
    ids=["other device", "other text", "other place", "no device id"],
)
def test_anything_else_is_a_new_report(client, city, change):
    client.post(API, report(device_id="phone-1"))
    response = client.post(API, report(**{"device_id": "phone-1", **change}))
    assert response.status_code == 201
    assert response.json()["likely_duplicate"] is False
    assert Complaint.objects.count() == 2


def test_after_a_few_minutes_the_same_report_is_filed_again(client, city):
    client.post(API, report(device_id="phone-1"))
    Complaint.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert client.post(API, report(device_id="phone-1")).status_code == 201
    assert Complaint.objects.count() == 2


def test_open311_answers_the_earlier_request_with_200(client, city, api_key):
    first = client.post(f"{OPEN311}.json", request_311(api_key=api_key, device_id="android-9"))
    retry = client.post(f"{OPEN311}.json", request_311(api_key=api_key, device_id="android-9"))
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert "not filed again" in retry.json()[0]["service_notice"]
    assert Complaint.objects.count() == 1


def test_elsewhere_a_repeat_is_a_409_not_a_silent_second_report(city):
    from hamkke.complaints.models import Category

    category = Category.objects.get(city=city, code="litter")
    fields = {
        "category": category,
        "latitude": JONGNO[0],
        "longitude": JONGNO[1],
        "description": "rubbish",
        "device_id": "sensor-3",
    }
    original = services.file_complaint(**fields)
    with pytest.raises(services.RepeatedReport) as repeat:
        services.file_complaint(**fields)
    assert repeat.value.status == 409
    assert repeat.value.original == original
    assert original.tracking_number in repeat.value.message


# --- concurrent double submits ------------------------------------------------------------------


def _post_together(monkeypatch, posts) -> list:
    """Run the posts in threads at the same moment; each filing holds its transaction open a
    little longer than usual, so they surely overlap."""
    original = services.file_complaint

    def slow_file_complaint(**kwargs):
        complaint = original(**kwargs)
        threading.Event().wait(0.5)
        return complaint

    monkeypatch.setattr(services, "file_complaint", slow_file_complaint)
    start = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)

    def run(index, post):
        try:
            start.wait()
            answers[index] = post()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two writers at once: run with DATABASE_URL=postgres://… (CI's PostgreSQL pass)",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_with_one_key_file_one_report(city, monkeypatch):
    key = str(uuid.uuid4())

    def post():
        return Client().post(API, report(), **key_header(key))

    answers = _post_together(monkeypatch, [post, post])
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert sorted(a.get(idempotency.REPLAYED_HEADER, "") for a in answers) == ["", "true"]
    assert Complaint.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_from_one_device_file_one_report(city, monkeypatch):
    def post():
        return Client().post(API, report(device_id="phone-concurrent"))

    answers = _post_together(monkeypatch, [post, post])
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert len({a.json()["tracking_number"] for a in answers}) == 1
    assert Complaint.objects.count() == 1
