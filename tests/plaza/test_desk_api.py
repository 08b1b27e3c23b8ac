"""The Plaza's desk JSON API at /api/v1/plaza/desk: the same roles, second factor, policies and
services as the desk pages, answered as JSON with 4xx `{detail, code}` refusals; CSRF on
writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.plaza import selectors
from hamkke.plaza.models import Attachment, Disclosure, Document, TextStatus
from tests import factories
from tests.plaza.test_services import (
    BROKEN_PDF,
    GROUND,
    NOT_A_PDF,
    encrypted_pdf,
    pdf_with_text,
    stored_files,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/plaza/desk"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def post(client, path, payload=None):
    return client.post(f"{API}{path}", payload or {}, content_type="application/json")


def document_json(issuer, **values) -> dict:
    data = {
        "number": "API-2026-0001",
        "doc_type": "contract",
        "department": issuer.code,
        "approver_level": 3,
        "title": "청사 청소 용역 계약 결과",
        "summary": "문의 02-2133-1234",
        "body": f"계약 결과입니다. [[withheld:{GROUND}]]업체 원가 명세[[/withheld]] 끝.",
        "disclosure": "partial",
        "legal_ground": GROUND,
        "produced_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "tags": ["계약", "청소"],
    }
    data.update(values)
    return data


def test_officials_only_with_their_second_factor(client, department, citizen):
    assert client.get(f"{API}/documents").status_code == 401
    factories.log_in(client, citizen)
    response = client.get(f"{API}/documents")
    assert response.status_code == 403
    official = factories.make_official(role=Role.MANAGER, department=department)
    factories.activate_totp(official)
    client.force_login(official)
    response = client.get(f"{API}/documents")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_preview_answers_the_masking_and_stores_nothing(client, department, logged_in):
    logged_in(department, Role.HANDLER)
    response = post(client, "/preview", document_json(department))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert not Document.objects.exists()
    assert body["masked_count"] == 1
    [finding] = body["findings"]
    assert (finding["field"], finding["kind"]) == ("summary", "phone")
    assert finding["original"] == "02-2133-1234"
    assert finding["masked"] == "02-****-1234"
    assert "문의 02-2133-1234"[finding["start"] : finding["end"]] == "02-2133-1234"
    assert body["withheld"] == [{"order": 0, "text": "업체 원가 명세", "legal_ground": GROUND}]
    assert "원가" not in body["body"]


def test_register_list_and_read_a_document(client, department, other_department, logged_in):
    logged_in(department, Role.HANDLER)
    response = post(client, "/documents", document_json(department))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["state"] == "draft"
    assert created["withheld"][0]["text"] == "업체 원가 명세"
    assert created["summary"] == "문의 02-****-1234"
    assert sorted(created["tags"]) == ["계약", "청소"]
    assert set(created["actions"]) == {"approve", "attach"}

    again = post(client, "/documents", document_json(department))
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_number"

    listed = client.get(f"{API}/documents", {"state": "draft"}).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert listed["counts"] == {
        "draft": 1,
        "scheduled": 0,
        "published": 0,
        "withdrawn": 0,
        "closed": 0,
    }
    assert client.get(f"{API}/documents", {"state": "published"}).json()["count"] == 0
    response = client.get(f"{API}/documents", {"state": "lost"})
    assert response.status_code == 400 and response.json()["field"] == "state"
    response = client.get(f"{API}/documents", {"department": other_department.code})
    assert response.status_code == 400 and response.json()["field"] == "department"
    whole = client.get(f"{API}/documents/{created['id']}").json()
    assert whole["withheld"] == created["withheld"]
    assert client.get(f"{API}/documents/999999999").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"doc_type": ""}, "doc_type"),
        ({"department": ""}, "department"),
        ({"department": "no-such-department"}, "department"),
        ({"legal_ground": ""}, "legal_ground"),
        ({"category": "no-such-category"}, "category"),
        ({"related_numbers": ["NOWHERE-1"]}, "related_numbers"),
        ({"produced_on": "0001-01-01"}, "produced_on"),
        ({"approved_at": "2025-01-01T09:00:00"}, "approved_at"),  # no time zone
        ({"approved_at": "9999-12-31T23:59:59+09:00"}, "approved_at"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_fields_are_refused_by_name(client, department, logged_in, change, field):
    logged_in(department, Role.HANDLER)
    response = post(client, "/documents", document_json(department, **change))
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert response.json()["detail"]
    assert not Document.objects.exists()


def test_roles_per_department(client, department, other_department, logged_in):
    logged_in(department, Role.VIEWER)
    response = post(client, "/documents", document_json(department))
    assert response.status_code == 403
    logged_in(other_department, Role.MANAGER)
    response = post(client, "/documents", document_json(department))
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    assert not Document.objects.exists()


def test_the_lifecycle_through_the_api(client, department, other_department, logged_in):
    logged_in(department, Role.HANDLER)
    created = post(client, "/documents", document_json(department, disclosure="open", body="본문"))
    document_id = created.json()["id"]
    approved = post(client, f"/documents/{document_id}/approve", {})
    assert approved.status_code == 200
    assert approved.json()["state"] == "scheduled"
    assert post(client, f"/documents/{document_id}/approve", {}).status_code == 409
    assert post(client, f"/documents/{document_id}/publish").status_code == 403

    logged_in(department, Role.MANAGER)
    published = post(client, f"/documents/{document_id}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert selectors.search("청소 용역").count == 1
    withdrawn = post(client, f"/documents/{document_id}/withdraw", {"reason": "오기"})
    assert withdrawn.json()["state"] == "withdrawn"
    assert withdrawn.json()["withdrawn_reason"] == "오기"
    assert selectors.search("청소 용역").count == 0
    assert post(client, f"/documents/{document_id}/publish").json()["state"] == "published"
    refused = post(client, f"/documents/{document_id}/reclassify", {"disclosure": "closed"})
    assert refused.status_code == 400 and refused.json()["field"] == "legal_ground"
    closed = post(
        client,
        f"/documents/{document_id}/reclassify",
        {"disclosure": "closed", "legal_ground": GROUND},
    )
    assert closed.json()["state"] == "closed"
    assert selectors.search("청소 용역").count == 0

    logged_in(other_department, Role.MANAGER)
    assert client.get(f"{API}/documents/{document_id}").status_code == 403
    assert post(client, f"/documents/{document_id}/withdraw", {"reason": "x"}).status_code == 403


def test_attachments_are_sent_as_multipart_and_checked_by_content(
    client, department, logged_in, settings
):
    logged_in(department, Role.HANDLER)
    document_id = post(client, "/documents", document_json(department)).json()["id"]
    url = f"{API}/documents/{document_id}/attachments"

    def send(name, content, **fields):
        return client.post(url, {"file": SimpleUploadedFile(name, content), **fields})

    response = send("report.pdf", pdf_with_text("Cleaning contract"))
    assert response.status_code == 201
    assert response.json()["text_status"] == TextStatus.EXTRACTED
    assert send("sealed.pdf", encrypted_pdf()).json()["text_status"] == TextStatus.ENCRYPTED
    assert send("broken.pdf", BROKEN_PDF).json()["text_status"] == TextStatus.UNREADABLE
    refused = send("letter.pdf", NOT_A_PDF)
    assert refused.status_code == 400
    assert refused.json()["detail"] == (
        "“letter.pdf” is named as a PDF file but its content is not one (it is a text file)."
    )
    refused = send("costs.txt", b"costs", withheld="true")
    assert refused.status_code == 400 and "costs.txt" in refused.json()["detail"]
    response = send("costs.txt", b"costs", withheld="true", legal_ground=GROUND)
    assert response.status_code == 201 and response.json()["withheld"] is True
    assert Attachment.objects.filter(document_id=document_id).count() == 4
    assert len(stored_files(settings)) == 4
    whole = client.get(f"{API}/documents/{document_id}").json()
    assert [a["name"] for a in whole["attachments"]] == [
        "report.pdf",
        "sealed.pdf",
        "broken.pdf",
        "costs.txt",
    ]


def test_an_attachment_retried_with_its_idempotency_key_is_attached_once(
    client, department, logged_in
):
    logged_in(department, Role.HANDLER)
    document_id = post(client, "/documents", document_json(department)).json()["id"]
    url = f"{API}/documents/{document_id}/attachments"
    for _attempt in range(2):
        response = client.post(
            url,
            {"file": SimpleUploadedFile("a.txt", b"same text")},
            headers={"Idempotency-Key": "attach-once-1"},
        )
        assert response.status_code == 201
    assert Attachment.objects.filter(document_id=document_id).count() == 1


def test_writes_need_the_csrf_token(client, department, logged_in):
    logged_in(department, Role.HANDLER)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same signed-in session, sending no token
    response = strict.post(
        f"{API}/documents", document_json(department), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Document.objects.filter(disclosure=Disclosure.PARTIAL).exists()
