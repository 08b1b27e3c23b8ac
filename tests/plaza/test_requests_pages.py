"""Disclosure requests through the browser's pages: filing (and the "ask about this document"
button's prefill), the public list and page that never show who asked or what they wrote, the
requester's page and withdrawing, the desk (queue order, answers, the one extension, answering
by publishing a document that then appears in search), permissions, the rate limit and bad
input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza.disclosure import services
from hamkke.plaza.models import Disclosure, DisclosureRequest, RequestStatus
from tests import factories
from tests.factories import log_in, log_in_official

pytestmark = pytest.mark.django_db
# The requests' fixtures (requester, handler, manager, make_request, …).
pytest_plugins = ["tests.plaza.test_requests"]

NEW = reverse("plaza:request-new")
LIST = reverse("plaza:requests")
MINE = reverse("plaza:my-requests")
DESK = reverse("plaza:requests-desk")
SECRET_TEXT = "아무도 모르는 나만의 사정 SECRET-7731"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _text(response) -> str:
    return response.content.decode()


def _without_tokens(html: str) -> str:
    """A page without what differs between any two renderings: CSRF tokens, moments, the
    language switch's way back to the page."""
    html = re.sub(r'name="(csrfmiddlewaretoken|next)" value="[^"]*"', "", html)
    return re.sub(r'datetime="[^"]*"', "", html)


def _filing(to, **fields) -> dict:
    """The request form's fields, to the department `to`."""
    data = {
        "kind": "disclosure",
        "department": to.code,
        "document": "",
        "subject": "청사 리모델링 계약서",
        "description": SECRET_TEXT,
    }
    data.update(fields)
    return data


# --- filing --------------------------------------------------------------------------------------


def test_a_citizen_files_a_request_and_finds_it_on_their_page(client, requester, department):
    log_in(client, requester)
    response = client.post(NEW, _filing(department))
    assert response.status_code == 302 and response.url == MINE
    request = DisclosureRequest.objects.get()
    assert request.requester == requester and request.description == SECRET_TEXT
    assert request.due_on == timezone.localdate() + timedelta(days=10)
    page = _text(client.get(MINE))
    assert request.code in page and SECRET_TEXT in page
    assert "Withdraw this request" in page


def test_filing_needs_an_account(client, department):
    response = client.get(NEW)
    assert response.status_code == 302 and reverse("account_login") in response.url
    response = client.post(NEW, _filing(department))
    assert response.status_code == 302 and not DisclosureRequest.objects.exists()


def test_the_ask_button_prefills_the_document_and_its_department(
    client, citizen, make_document, department
):
    document = make_document(title="공공 와이파이 확대 계획")
    log_in(client, citizen)
    response = client.get(NEW, {"document": document.pk, "kind": "question"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {
        "kind": "question",
        "document": document.number,
        "department": department.code,
    }
    response = client.post(
        NEW,
        _filing(department, kind="question", department="", document=document.number),
    )
    assert response.status_code == 302
    question = DisclosureRequest.objects.get()
    assert question.kind == "question" and question.document == document


def test_a_closed_document_cannot_be_asked_about_and_looks_like_none(
    client, citizen, make_document, department
):
    closed = make_document(
        title="비공개 감사 결과 보고서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-5"
    )
    log_in(client, citizen)
    client.get(LIST)  # shows (and so drops) the message of the sign-in
    missing_pk = closed.pk + 1000
    closed_page = client.get(NEW, {"document": closed.pk, "kind": "question"})
    missing_page = client.get(NEW, {"document": missing_pk, "kind": "question"})
    assert closed_page.status_code == missing_page.status_code == 404
    assert "There is no public document here." in _text(closed_page)
    assert _without_tokens(_text(closed_page)) == _without_tokens(_text(missing_page))
    assert client.get(NEW, {"document": "²"}).status_code == 404
    # Sent as a question, a closed document's number is refused as a number of nothing.
    answers = []
    for number in (closed.number, "NO-SUCH-NUMBER"):
        response = client.post(NEW, _filing(department, kind="question", document=number))
        assert response.status_code == 400
        answers.append(_without_tokens(_text(response)).replace(number, "#"))
    assert answers[0] == answers[1]
    assert "There is no public document numbered “#”." in answers[0]
    assert "비공개 감사 결과 보고서" not in answers[0]
    assert not DisclosureRequest.objects.exists()


def test_a_disclosure_request_naming_a_closed_document_tells_nothing_of_it(
    client, citizen, make_document, department
):
    """The number of a closed document and a number of nothing are filed alike; only the desk
    sees the link."""
    closed = make_document(
        title="비공개 감사 결과 보고서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-5"
    )
    log_in(client, citizen)
    pages = []
    for number in (closed.number, "NO-SUCH-NUMBER"):
        response = client.post(NEW, _filing(department, document=number), follow=True)
        assert response.status_code == 200
        filed = DisclosureRequest.objects.get(description__contains=number)
        pages.append(
            _without_tokens(_text(client.get(reverse("plaza:request", args=[filed.code]))))
            .replace(filed.code, "CODE")
            .replace(number, "#")
        )
    assert pages[0] == pages[1]
    assert "비공개 감사 결과 보고서" not in pages[0]
    linked = DisclosureRequest.objects.get(description__contains=closed.number)
    assert linked.document == closed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"department": "no-such-department"}, "Select a valid choice."),
        ({"description": "가" * 4001}, "at most 4000 characters"),
        ({"subject": ""}, "This field is required."),
        ({"kind": "complaint"}, "Select a valid choice."),
        ({"department": ""}, "Choose the department you ask."),
    ],
)
def test_bad_input_is_refused_beside_its_field(client, citizen, department, fields, message):
    log_in(client, citizen)
    response = client.post(NEW, _filing(department, **fields))
    assert response.status_code == 400
    assert message in _text(response)
    assert not DisclosureRequest.objects.exists()


def test_a_nul_character_is_refused(client, citizen, department):
    log_in(client, citizen)
    response = client.post(NEW, _filing(department, subject="계약서\x00"))
    assert response.status_code == 400
    assert not DisclosureRequest.objects.exists()


def test_filing_is_rate_limited(client, citizen, department):
    log_in(client, citizen)
    for number in range(10):
        response = client.post(NEW, _filing(department, subject=f"요청 {number}"))
        assert response.status_code == 302
    response = client.post(NEW, _filing(department, subject="열한 번째"))
    assert response.status_code == 429
    assert "filed many requests" in _text(response)
    assert DisclosureRequest.objects.count() == 10


# --- the public ----------------------------------------------------------------------------------


def test_the_public_never_sees_who_asked_or_what_they_wrote(
    client, make_request, requester, handler
):
    request = make_request(description=SECRET_TEXT, subject="계약서 문의 010-1234-5678")
    services.answer_request(actor=handler, request=request, status="disclosed", answer="공개함")
    for url in (LIST, reverse("plaza:request", args=[request.code])):
        page = _text(client.get(url))
        assert request.code in page and "계약서 문의 010-****-5678" in page
        for private in (SECRET_TEXT, requester.email, requester.display_name, "1234-5678"):
            assert private not in page
    detail = _text(client.get(reverse("plaza:request", args=[request.code])))
    assert "공개함" in detail and "Disclosed" in detail and "Received" in detail


def test_the_list_shows_due_dates_overdue_and_filters(
    client, make_request, other_department, handler
):
    late = make_request(subject="늦은 요청", now=timezone.now() - timedelta(days=12))
    fresh = make_request(subject="새 요청", department=other_department)
    page = _text(client.get(LIST))
    assert late.due_on.isoformat() in page and fresh.due_on.isoformat() in page
    assert page.count('class="overdue"') == 1
    only = _text(client.get(LIST, {"department": other_department.code}))
    assert "새 요청" in only and "늦은 요청" not in only
    services.answer_request(actor=handler, request=late, status="disclosed", answer="공개")
    disclosed = _text(client.get(LIST, {"status": "disclosed"}))
    assert "늦은 요청" in disclosed and "새 요청" not in disclosed
    response = client.get(LIST, {"status": "bogus"})
    assert response.status_code == 400 and "Select a valid choice." in _text(response)


def test_an_unknown_code_is_not_found(client):
    assert client.get(reverse("plaza:request", args=["ZZZZZZZZ"])).status_code == 404


# --- the requester -------------------------------------------------------------------------------


def test_only_the_requester_withdraws(client, make_request, requester, citizen):
    request = make_request()
    withdraw = reverse("plaza:request-withdraw", args=[request.code])
    log_in(client, citizen)
    client.post(withdraw)
    assert DisclosureRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED
    log_in(client, requester)
    assert client.post(withdraw).status_code == 302
    assert DisclosureRequest.objects.get(pk=request.pk).status == RequestStatus.WITHDRAWN
    assert "Withdrawn" in _text(client.get(reverse("plaza:request", args=[request.code])))


# --- the desk ------------------------------------------------------------------------------------


def test_the_queue_puts_overdue_first_then_the_nearest_deadline(
    client, make_request, handler, other_department
):
    now = timezone.now()
    soon = make_request(subject="곧", now=now - timedelta(days=8))
    fresh = make_request(subject="새", now=now)
    late = make_request(subject="늦음", now=now - timedelta(days=11))
    elsewhere = make_request(subject="다른 부서", department=other_department)
    log_in_official(client, handler)
    page = _text(client.get(DESK))
    order = [page.index(r.code) for r in (late, soon, fresh)]
    assert order == sorted(order)
    assert elsewhere.code not in page
    desk_page = _text(client.get(reverse("plaza:requests-desk-request", args=[late.code])))
    assert late.description in desk_page and "secret-requester@example.org" in desk_page


def test_the_desk_needs_a_handler_of_the_department_with_the_second_factor(
    client, make_request, citizen, department, other_department
):
    request = make_request()
    desk_request = reverse("plaza:requests-desk-request", args=[request.code])
    log_in(client, citizen)
    assert client.get(DESK).status_code == 403
    viewer = factories.make_official(role=10, department=department)
    log_in_official(client, viewer)
    assert client.get(DESK).status_code == 403
    stranger = factories.make_official(role=20, department=other_department)
    log_in_official(client, stranger)
    assert client.get(DESK).status_code == 200
    assert client.get(desk_request).status_code == 403
    response = client.post(
        reverse("plaza:requests-desk-answer", args=[request.code]),
        {"status": "disclosed", "answer": "공개"},
    )
    assert response.status_code == 403
    # An official signed in with the password alone is sent to confirm the second factor.
    unconfirmed = factories.make_official(role=20, department=department)
    log_in(client, unconfirmed)
    response = client.get(DESK)
    assert response.status_code == 302 and DESK not in response.url
    assert DisclosureRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED


def test_a_handler_answers_with_a_legal_ground_shown_inline_when_missing(
    client, make_request, handler, requester
):
    request = make_request()
    log_in_official(client, handler)
    answer = reverse("plaza:requests-desk-answer", args=[request.code])
    response = client.post(answer, {"status": "refused", "answer": "비공개합니다."})
    assert response.status_code == 400
    assert "Name the legal ground" in _text(response)
    response = client.post(
        answer, {"status": "refused", "answer": "비공개합니다.", "legal_ground": "art9-1-6"}
    )
    assert response.status_code == 302
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert stored.status == RequestStatus.REFUSED and stored.answered_at is not None
    assert "Disclosure Act art. 9(1)(6)" not in stored.answer  # in the city's language
    assert "정보공개법 제9조제1항제6호" in stored.answer
    page = _text(client.get(reverse("plaza:request", args=[request.code])))
    assert "정보공개법 제9조제1항제6호" in page and "Not disclosed" in page


def test_the_desk_extends_once_with_a_reason(client, make_request, handler):
    request = make_request()
    log_in_official(client, handler)
    extend = reverse("plaza:requests-desk-extend", args=[request.code])
    desk_request = reverse("plaza:requests-desk-request", args=[request.code])
    assert "Extend the deadline by 10 days (once)" in _text(client.get(desk_request))
    assert client.post(extend, {"reason": ""}).status_code == 400
    assert client.post(extend, {"reason": "제3자 의견 청취"}).status_code == 302
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert stored.due_on == request.due_on + timedelta(days=10)
    page = _text(client.get(desk_request))
    assert "Extend the deadline by" not in page
    assert "The deadline was extended once already." in page
    response = client.post(extend, {"reason": "또 연장"})
    assert response.status_code == 409
    assert DisclosureRequest.objects.get(pk=request.pk).due_on == stored.due_on


def test_answering_by_publishing_makes_the_document_public_and_searchable(
    client, make_request, make_document, manager, requester
):
    closed = make_document(
        title="청사 리모델링 공사 계약서",
        body="리모델링 공사 계약 금액과 조건.",
        disclosure=Disclosure.CLOSED,
        legal_ground="art9-1-5",
    )
    assert plaza_selectors.search("리모델링").count == 0
    request = make_request(document_number=closed.number)
    log_in_official(client, manager)
    publish = reverse("plaza:requests-desk-publish", args=[request.code])
    response = client.post(publish, {"document": closed.number})
    assert response.status_code == 400
    assert "choose to open it wholly or in part" in _text(response)
    response = client.post(publish, {"document": closed.number, "disclosure": "open"})
    assert response.status_code == 302
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert stored.status == RequestStatus.DISCLOSED and stored.document == closed
    found = plaza_selectors.search("리모델링")
    assert [hit.document.pk for hit in found.hits] == [closed.pk]
    page = _text(client.get(reverse("plaza:request", args=[request.code])))
    assert "청사 리모델링 공사 계약서" in page and "Disclosed" in page


def test_a_handler_is_not_offered_publishing_and_is_refused_it(
    client, make_request, make_document, handler
):
    closed = make_document(disclosure=Disclosure.CLOSED, legal_ground="art9-1-5")
    request = make_request(document_number=closed.number)
    log_in_official(client, handler)
    page = _text(client.get(reverse("plaza:requests-desk-request", args=[request.code])))
    assert "Answer by publishing the document" not in page
    response = client.post(
        reverse("plaza:requests-desk-publish", args=[request.code]),
        {"document": closed.number, "disclosure": "open"},
    )
    assert response.status_code == 403
    closed.refresh_from_db()
    assert closed.disclosure == Disclosure.CLOSED and closed.published_at is None
    assert DisclosureRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED


def test_publishing_a_document_of_another_department_is_refused(
    client, make_request, make_document, manager, other_department
):
    theirs = make_document(department=other_department)
    request = make_request()
    log_in_official(client, manager)
    response = client.post(
        reverse("plaza:requests-desk-publish", args=[request.code]), {"document": theirs.number}
    )
    assert response.status_code == 400
    assert "has no registered document numbered" in _text(response)
    assert DisclosureRequest.objects.get(pk=request.pk).status == RequestStatus.RECEIVED
