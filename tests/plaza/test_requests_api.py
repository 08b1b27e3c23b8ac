"""The disclosure requests' JSON API (/api/v1/plaza/requests): filing with a session and its
CSRF token, the public list and detail without who asked or what they wrote, the requester's
own, the document an answer published, and bad input answered as 4xx JSON."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza.disclosure import services
from hamkke.plaza.models import Disclosure, DisclosureRequest
from tests import factories

pytestmark = pytest.mark.django_db
# The requests' fixtures (requester, handler, manager, make_request, …).
pytest_plugins = ["tests.plaza.test_requests"]

API = "/api/v1/plaza/requests"
SECRET_TEXT = "아무도 모르는 나만의 사정 SECRET-7731"


@pytest.fixture(autouse=True)
def _english(city):
    # `city`: the departments filed to exist (a flushing test elsewhere may have removed them).
    with translation.override("en"):
        yield


def _filing(**fields) -> dict:
    data = {
        "kind": "disclosure",
        "department": "information-planning",
        "subject": "청사 리모델링 계약서",
        "description": SECRET_TEXT,
    }
    data.update(fields)
    return data


def _post(client, **fields):
    return client.post(
        API, _filing(**fields), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_a_signed_in_citizen_files_a_request(client, requester):
    client.force_login(requester)
    response = _post(client)
    assert response.status_code == 201
    body = response.json()
    stored = DisclosureRequest.objects.get()
    assert body["code"] == stored.code and stored.requester == requester
    assert body["description"] == SECRET_TEXT and body["status"] == "received"
    assert body["due_on"] == (timezone.localdate() + timedelta(days=10)).isoformat()
    mine = client.get(f"{API}/mine").json()
    assert [item["code"] for item in mine["items"]] == [stored.code]
    assert mine["items"][0]["description"] == SECRET_TEXT


def test_filing_needs_a_session_and_its_csrf_token(requester):
    anonymous = Client()
    assert _post(anonymous).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(requester)
    refused = _post(browser)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert not DisclosureRequest.objects.exists()
    browser.get("/")  # sets the CSRF cookie, as a page of the site would
    accepted = browser.post(
        API,
        _filing(),
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 201
    assert Client().get(f"{API}/mine").status_code == 401


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"department": "no-such-department"}, "department", "No department with code"),
        ({"department": ""}, "department", "Choose the department you ask."),
        ({"kind": "complaint"}, "kind", "Choose a disclosure request or a question."),
        ({"description": "가" * 5000}, "description", "at most 4000 are allowed"),
        ({"subject": "가" * 300}, "subject", "at most 200 characters"),
        ({"kind": "question", "document": "NO-SUCH"}, "document", "no public document numbered"),
        ({"document": "9" * 65}, "document", "at most 64 characters"),
    ],
)
def test_bad_input_answers_400_naming_the_field(client, citizen, fields, field, message):
    client.force_login(citizen)
    response = _post(client, **fields)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and message in body["detail"]
    assert not DisclosureRequest.objects.exists()


def test_a_nul_character_answers_400(client, citizen):
    client.force_login(citizen)
    response = _post(client, subject="계약서\x00")
    assert response.status_code == 400 and "detail" in response.json()
    assert not DisclosureRequest.objects.exists()


def test_a_question_about_a_closed_document_is_refused_like_one_about_none(
    client, citizen, make_document
):
    closed = make_document(
        title="비공개 보고서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-6"
    )
    client.force_login(citizen)
    bodies = []
    for number in (closed.number, "NO-SUCH-NUMBER"):
        response = _post(client, kind="question", document=number)
        assert response.status_code == 400
        body = response.json()
        bodies.append({**body, "detail": body["detail"].replace(number, "#")})
    assert bodies[0] == bodies[1]
    assert not DisclosureRequest.objects.exists()


def test_filing_is_rate_limited(client, citizen):
    client.force_login(citizen)
    for _attempt in range(10):
        assert _post(client).status_code == 201
    refused = _post(client)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert DisclosureRequest.objects.count() == 10


def test_the_public_api_never_names_the_requester_or_their_text(
    client, make_request, requester, handler
):
    request = make_request(description=SECRET_TEXT)
    services.answer_request(actor=handler, request=request, status="disclosed", answer="공개함")
    listed = client.get(API)
    detail = client.get(f"{API}/{request.code.lower()}")
    assert listed.status_code == detail.status_code == 200
    for response in (listed, detail):
        text = response.content.decode()
        for private in (SECRET_TEXT, requester.email, requester.display_name):
            assert private not in text
        assert "description" not in text and "requester" not in text
    body = detail.json()
    assert body["code"] == request.code and body["answer"] == "공개함"
    assert [step["status"] for step in body["history"]] == ["received", "disclosed"]
    assert body["department"]["code"] == "information-planning"


def test_the_list_filters_and_flags_overdue_requests(
    client, make_request, other_department, handler
):
    late = make_request(now=timezone.now() - timedelta(days=11))
    fresh = make_request(department=other_department)
    body = client.get(API).json()
    assert body["count"] == 2
    overdue = {item["code"]: item["overdue"] for item in body["items"]}
    assert overdue == {late.code: True, fresh.code: False}
    only = client.get(API, {"department": other_department.code}).json()
    assert [item["code"] for item in only["items"]] == [fresh.code]
    services.answer_request(actor=handler, request=late, status="disclosed", answer="공개")
    disclosed = client.get(API, {"status": "disclosed"}).json()
    assert [item["code"] for item in disclosed["items"]] == [late.code]
    assert disclosed["items"][0]["overdue"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "bogus"}, "status"), ({"department": "no-such"}, "department")],
)
def test_unknown_filters_answer_400(client, city, query, field):
    response = client.get(API, query)
    assert response.status_code == 400 and response.json()["field"] == field


def test_an_unknown_code_answers_404(client, city):
    response = client.get(f"{API}/ZZZZZZZZ")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_detail_links_the_document_an_answer_published_while_it_is_public(
    client, make_request, make_document, manager
):
    closed = make_document(
        title="공사 계약서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-5"
    )
    request = make_request(document_number=closed.number)
    assert client.get(f"{API}/{request.code}").json()["document"] is None
    services.answer_by_publishing(
        actor=manager, request=request, document_number=closed.number, disclosure="open"
    )
    document = client.get(f"{API}/{request.code}").json()["document"]
    assert document["id"] == closed.pk and document["title"] == "공사 계약서"
    assert [hit.document.pk for hit in plaza_selectors.search("공사").hits] == [closed.pk]


def test_a_question_names_its_public_document(client, citizen, make_document):
    document = make_document(title="공공 와이파이 확대 계획")
    client.force_login(citizen)
    response = _post(client, kind="question", department="", document=document.number)
    assert response.status_code == 201
    code = response.json()["code"]
    body = client.get(f"{API}/{code}").json()
    assert body["kind"] == "question" and body["document"]["id"] == document.pk
    assert body["department"]["code"] == document.department.code


def test_someone_else_never_sees_my_requests(client, make_request, citizen):
    make_request()
    client.force_login(citizen)
    assert client.get(f"{API}/mine").json()["count"] == 0
    other = factories.make_user()
    client.force_login(other)
    assert client.get(f"{API}/mine").json()["items"] == []
