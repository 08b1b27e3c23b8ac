"""The officials' JSON API at /api/v1/complaints/desk: the same roles, second factor and
services as the desk pages, answered as JSON; CSRF is checked on writes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from hamkke.accounts.models import Role
from hamkke.complaints import selectors, services
from hamkke.complaints.models import Category, Complaint, Status
from hamkke.core.models import Department, Media
from tests import factories
from tests.complaints.conftest import JONGNO, jpeg
from tests.factories import log_in

pytestmark = pytest.mark.django_db
API = "/api/v1/complaints/desk"


@pytest.fixture(autouse=True)
def _english(client):
    """The API speaks the client's language (Accept-Language); English keeps this readable."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office(city):
    return Department.objects.get(city=city, code="office-11110")


@pytest.fixture
def transport(city):
    return Department.objects.get(city=city, code="transport")


@pytest.fixture
def api_client(client):
    """Log the client in as a new official (password and code) of `department` with `role`."""

    def make(department, role):
        user = factories.make_official(role=role, department=department)
        log_in(client, user, secret=factories.activate_totp(user))
        return user

    return make


def file(category, **kwargs):
    kwargs.setdefault("description", "쓰레기")
    return services.file_complaint(
        category=category, latitude=JONGNO[0], longitude=JONGNO[1], **kwargs
    )


def post(client, path, payload):
    return client.post(f"{API}{path}", payload, content_type="application/json")


def test_anonymous_gets_401(client, city):
    assert client.get(f"{API}/queue").status_code == 401


def test_official_without_the_code_gets_403(client, city, office):
    user = factories.make_user()
    factories.make_membership(user=user, department=office, role=Role.MANAGER)
    factories.activate_totp(user)
    client.force_login(user)
    response = client.get(f"{API}/queue")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_citizen_gets_403(client, city, citizen):
    client.force_login(citizen)
    response = client.get(f"{API}/queue")
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_viewer_reads_the_queue_and_the_private_fields(client, city, category, office, api_client):
    complaint = file(
        category,
        reporter=factories.make_user(email="reporter@example.org"),
        contact=services.Contact(phone="010-1111-2222"),
    )
    api_client(office, Role.VIEWER)

    queue = client.get(f"{API}/queue").json()
    assert queue["count"] == 1
    assert queue["items"][0]["tracking_number"] == complaint.tracking_number
    assert queue["items"][0]["department"]["code"] == "office-11110"

    report = client.get(f"{API}/reports/{complaint.tracking_number}").json()
    assert report["reporter"]["email"] == "reporter@example.org"
    assert report["contact_phone"] == "010-1111-2222"
    assert set(report["allowed_moves"]) == {
        "accepted",
        "in_progress",
        "resolved",
        "rejected",
        "duplicate",
        "transferred",
    }
    assert [e["status"] for e in report["events"]] == ["received"]

    refused = post(client, f"/reports/{complaint.tracking_number}/status", {"status": "accepted"})
    assert refused.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_other_department_is_refused(client, city, category, transport, api_client):
    complaint = file(category)
    api_client(transport, Role.MANAGER)
    assert client.get(f"{API}/reports/{complaint.tracking_number}").status_code == 403
    assert client.get(f"{API}/queue", {"department": "office-11110"}).status_code == 403
    assert client.get(f"{API}/queue").json()["count"] == 0
    refused = post(client, f"/reports/{complaint.tracking_number}/status", {"status": "accepted"})
    assert refused.status_code == 403


def test_handler_moves_the_status_and_errors_are_json(client, city, category, office, api_client):
    complaint = file(category)
    handler = api_client(office, Role.HANDLER)
    number = complaint.tracking_number

    no_reason = post(client, f"/reports/{number}/status", {"status": "rejected"})
    assert no_reason.status_code == 400
    assert no_reason.json()["field"] == "public_note"

    illegal = post(client, f"/reports/{number}/status", {"status": "closed"})
    assert illegal.status_code == 409

    done = post(
        client,
        f"/reports/{number}/status",
        {"status": "in_progress", "internal_note": "현장 확인 예정"},
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "in_progress"
    assert body["events"][-1]["internal_note"] == "현장 확인 예정"
    assert body["events"][-1]["actor"]["id"] == handler.pk

    assign = post(client, f"/reports/{number}/assign", {"handler_id": handler.pk})
    assert assign.status_code == 403


def test_duplicate_and_transfer(client, city, category, office, transport, api_client):
    original, copy, moving = file(category), file(category), file(category)
    api_client(office, Role.HANDLER)
    dup = post(
        client,
        f"/reports/{copy.tracking_number}/status",
        {"status": "duplicate", "duplicate_of": original.tracking_number},
    )
    assert dup.status_code == 200 and dup.json()["duplicate_of"] == original.tracking_number
    moved = post(
        client,
        f"/reports/{moving.tracking_number}/status",
        {"status": "transferred", "department": "transport"},
    )
    assert moved.status_code == 200
    moving.refresh_from_db()
    assert moving.department == transport


def test_manager_assigns(client, city, category, office, api_client):
    complaint = file(category)
    api_client(office, Role.MANAGER)
    handler = factories.make_user()
    factories.make_membership(user=handler, department=office, role=Role.HANDLER)
    response = post(
        client, f"/reports/{complaint.tracking_number}/assign", {"handler_id": handler.pk}
    )
    assert response.status_code == 200
    assert response.json()["handler"]["id"] == handler.pk
    mine = client.get(f"{API}/queue", {"assignee": "none"}).json()
    assert mine["count"] == 0


def test_bulk_reports_each_outcome(client, city, category, office, api_client):
    handler = api_client(office, Role.HANDLER)
    fresh, answered = file(category), file(category)
    services.change_status(
        complaint=answered, actor=handler, status=Status.RESOLVED, public_note="완료"
    )
    foreign = file(Category.objects.get(city=city, code="streetlight"))
    response = post(
        client,
        "/bulk",
        {
            "action": "close",
            "tracking_numbers": [
                fresh.tracking_number,
                answered.tracking_number,
                foreign.tracking_number,
                "000000-ZZZZZ",
            ],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["succeeded"] == [answered.tracking_number]
    failed = {f["tracking_number"]: f["detail"] for f in body["failed"]}
    assert set(failed) == {fresh.tracking_number, foreign.tracking_number, "000000-ZZZZZ"}
    assert "cannot become" in failed[fresh.tracking_number]
    assert "No report" in failed["000000-ZZZZZ"]
    assert Complaint.objects.get(pk=answered.pk).status == Status.CLOSED
    assert Complaint.objects.get(pk=fresh.pk).status == Status.RECEIVED


def test_bulk_refuses_an_unknown_action(client, city, category, office, api_client):
    complaint = file(category)
    api_client(office, Role.HANDLER)
    response = post(
        client, "/bulk", {"action": "delete", "tracking_numbers": [complaint.tracking_number]}
    )
    assert response.status_code == 422


def test_manager_moderates(client, city, category, office, citizen, api_client):
    complaint = file(category, reporter=citizen, photos=[jpeg()])
    photo = selectors.media_of(complaint)[0]
    api_client(office, Role.MANAGER)
    number = complaint.tracking_number

    hidden = post(client, f"/reports/{number}/moderate", {"action": "hide", "reason": "욕설"})
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    photo_hidden = post(
        client,
        f"/reports/{number}/moderate",
        {"action": "hide_photo", "media_id": photo.pk, "reason": "얼굴"},
    )
    assert photo_hidden.status_code == 200
    assert Media.objects.get(pk=photo.pk).hidden
    banned = post(client, f"/reports/{number}/moderate", {"action": "ban", "reason": "욕설 반복"})
    assert banned.status_code == 200 and banned.json()["reporter"]["banned"] is True
    again = post(client, f"/reports/{number}/moderate", {"action": "ban", "reason": "또"})
    assert again.status_code == 409
    citizen.refresh_from_db()
    assert citizen.ban_reason == "욕설 반복"


def test_writes_need_the_csrf_token(client, city, category, office, api_client):
    complaint = file(category)
    api_client(office, Role.HANDLER)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same signed-in session, without a CSRF token
    response = strict.post(
        f"{API}/reports/{complaint.tracking_number}/status",
        {"status": "accepted"},
        content_type="application/json",
    )
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
