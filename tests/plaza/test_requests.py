"""Disclosure requests through their services: the legal deadline and its one extension, the
warnings and the escalation of overdue requests (once each), answers, withdrawing, and the
requester's personal data. The pages, the desk and the API are tested beside this file."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.accounts.seats import seat_at
from hamkke.core.city.selectors import forget_current_city
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.core.models import AuditEntry, Department, Notification
from hamkke.plaza import policies
from hamkke.plaza.disclosure import selectors, services
from hamkke.plaza.models import Disclosure, DisclosureRequest, RequestStatus
from tests import factories

pytestmark = pytest.mark.django_db

# 23:30 UTC on 2 November is 08:30 on 3 November in Seoul: the request is received on the 3rd.
RECEIVED = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)


# --- fixtures shared with test_requests_pages.py and test_requests_api.py -----------------------


@pytest.fixture
def requester(city):
    return factories.make_user(email="secret-requester@example.org", display_name="김비밀")


@pytest.fixture
def other_department(city):
    return Department.objects.get(city=city, code="budget")


@pytest.fixture
def handler(department):
    return factories.make_official(role=Role.HANDLER, department=department)


@pytest.fixture
def manager(department):
    return factories.make_official(role=Role.MANAGER, department=department)


@pytest.fixture
def make_request(requester, department):
    """File a disclosure request through the service; fields override the defaults."""

    def make(**fields):
        defaults = {
            "actor": requester,
            "kind": "disclosure",
            "department": department,
            "subject": "청사 리모델링 계약서",
            "description": "2025년 청사 리모델링 계약서 원문을 요청합니다.",
        }
        defaults.update(fields)
        return services.file_request(**defaults)

    return make


def _city_today() -> date:
    return selectors.today()


# --- the deadline --------------------------------------------------------------------------------


def test_the_answer_is_due_ten_days_after_the_day_received_in_the_citys_time_zone(make_request):
    request = make_request(now=RECEIVED)
    assert request.due_on == date(2026, 11, 13)
    assert request.status == RequestStatus.RECEIVED
    assert [e.status for e in request.events.all()] == [RequestStatus.RECEIVED]


def test_the_deadline_is_extended_once_by_ten_days(make_request, handler):
    request = make_request(now=RECEIVED)
    extended = services.extend_request(
        actor=handler,
        request=request,
        reason="제3자 의견 청취가 필요합니다.",
        now=RECEIVED + timedelta(days=5),
    )
    assert extended.due_on == date(2026, 11, 23)
    assert extended.status == RequestStatus.EXTENDED
    assert [e.status for e in extended.events.all()] == ["received", "extended"]
    assert extended.events.last().note == "제3자 의견 청취가 필요합니다."
    with pytest.raises(Conflict) as refused:
        services.extend_request(
            actor=handler, request=request, reason="또", now=RECEIVED + timedelta(days=6)
        )
    assert refused.value.code == "extended_already"
    assert DisclosureRequest.objects.get(pk=request.pk).due_on == date(2026, 11, 23)


def test_no_extension_after_the_deadline_passed(make_request, handler):
    request = make_request(now=RECEIVED)
    with pytest.raises(Conflict) as refused:
        services.extend_request(
            actor=handler, request=request, reason="늦음", now=RECEIVED + timedelta(days=12)
        )
    assert refused.value.code == "deadline_passed"
    # The last day itself still allows it (3 November + 10 = the 13th, 08:30 in Seoul).
    assert services.extend_request(
        actor=handler, request=request, reason="검토 중", now=RECEIVED + timedelta(days=10)
    ).extended


def test_an_extension_needs_a_reason_and_a_handler(make_request, handler, citizen):
    request = make_request(now=RECEIVED)
    with pytest.raises(InvalidInput) as refused:
        services.extend_request(actor=handler, request=request, reason="  ", now=RECEIVED)
    assert refused.value.field == "reason"
    with pytest.raises(NotAllowed):
        services.extend_request(actor=citizen, request=request, reason="이유", now=RECEIVED)
    assert not DisclosureRequest.objects.get(pk=request.pk).extended


def test_mumbai_allows_no_extension(city, make_request, handler):
    """Mumbai's profile sets request_extension_days = 0: its rule, as the service reads it."""
    mumbai = tomllib.loads(
        (Path(__file__).parents[2] / "src/hamkke/cities/mumbai/profile.toml").read_text()
    )["plaza"]
    assert mumbai["request_extension_days"] == 0
    city.profile = {**city.profile, "plaza": {**city.profile["plaza"], **mumbai}}
    city.save(update_fields=["profile"])
    forget_current_city()
    request = make_request(now=RECEIVED)
    assert request.due_on == date(2026, 11, 3) + timedelta(days=30)
    with pytest.raises(NotAllowed) as refused:
        services.extend_request(actor=handler, request=request, reason="이유", now=RECEIVED)
    assert refused.value.code == "no_extension"


def test_the_policy_refuses_an_extension_of_zero_days(make_request, handler):
    request = make_request(now=RECEIVED)
    seat = seat_at(handler, request.department)
    assert policies.may_extend_request(seat, request, extension_days=10, today=date(2026, 11, 5))
    decision = policies.may_extend_request(seat, request, extension_days=0, today=date(2026, 11, 5))
    assert not decision and decision.code == "no_extension"


# --- warnings and escalation ---------------------------------------------------------------------


def _notices(kind: str = "plaza.request_due") -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", "title"))


def test_handlers_are_warned_once_two_days_before_the_deadline(make_request, handler, manager):
    request = make_request(now=RECEIVED)
    # 10 November in Seoul: three days left, too early.
    assert services.warn_of_deadlines(now=datetime(2026, 11, 10, 3, tzinfo=UTC)) == 0
    # 11 November: two days left. Handlers and above (the manager too) are told, once.
    assert services.warn_of_deadlines(now=datetime(2026, 11, 11, 3, tzinfo=UTC)) == 2
    assert services.warn_of_deadlines(now=datetime(2026, 11, 11, 4, tzinfo=UTC)) == 0
    told = _notices()
    assert {email for email, _title in told} == {handler.email, manager.email}
    assert all(request.code in title for _email, title in told)


def test_an_overdue_request_is_escalated_to_managers_once(make_request, handler, manager, english):
    request = make_request(now=RECEIVED)
    Notification.objects.all().delete()
    # 14 November in Seoul: the 13th was the last day.
    moment = datetime(2026, 11, 14, 1, tzinfo=UTC)
    assert services.warn_of_deadlines(now=moment) == 1
    assert services.warn_of_deadlines(now=moment + timedelta(hours=1)) == 0
    assert services.warn_of_deadlines(now=moment + timedelta(days=3)) == 0
    assert _notices() == [(manager.email, f"Overdue disclosure request {request.code}")]
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert stored.overdue_notified
    assert AuditEntry.objects.filter(action="plaza.request.escalated").count() == 1


def test_answered_requests_are_never_escalated(make_request, handler, manager):
    request = make_request(now=RECEIVED)
    services.answer_request(
        actor=handler, request=request, status="disclosed", answer="공개합니다.", now=RECEIVED
    )
    assert services.warn_of_deadlines(now=datetime(2026, 12, 1, tzinfo=UTC)) == 0
    assert not Notification.objects.filter(kind="plaza.request_due").exists()


def test_an_extension_brings_a_new_warning_for_the_new_deadline(make_request, handler):
    request = make_request(now=RECEIVED)
    assert services.warn_of_deadlines(now=datetime(2026, 11, 11, 3, tzinfo=UTC)) == 1
    services.extend_request(
        actor=handler, request=request, reason="검토", now=datetime(2026, 11, 12, tzinfo=UTC)
    )
    assert services.warn_of_deadlines(now=datetime(2026, 11, 20, 3, tzinfo=UTC)) == 0
    assert services.warn_of_deadlines(now=datetime(2026, 11, 21, 3, tzinfo=UTC)) == 1


# --- answers -------------------------------------------------------------------------------------


def test_refusing_names_a_legal_ground_of_the_profile(make_request, handler, requester):
    request = make_request()
    with pytest.raises(InvalidInput) as refused:
        services.answer_request(actor=handler, request=request, status="refused", answer="안 됨")
    assert refused.value.field == "legal_ground"
    with pytest.raises(InvalidInput) as refused:
        services.answer_request(
            actor=handler,
            request=request,
            status="refused",
            answer="안 됨",
            legal_ground="art99",
        )
    assert refused.value.field == "legal_ground"
    answered = services.answer_request(
        actor=handler,
        request=request,
        status="refused",
        answer="개인정보가 포함되어 비공개합니다. 문의 010-1234-5678",
        legal_ground="art9-1-6",
    )
    assert answered.status == RequestStatus.REFUSED
    assert "정보공개법 제9조제1항제6호 (개인정보)" in answered.answer
    assert "010-1234-5678" not in answered.answer and "010-****-5678" in answered.answer
    assert answered.events.last().note == answered.answer
    told = Notification.objects.get(kind="plaza.request", recipient=requester)
    assert request.code in told.title
    with pytest.raises(Conflict):
        services.answer_request(actor=handler, request=request, status="disclosed", answer="다시")


def test_a_question_is_answered_not_disclosed(make_document, make_request, handler):
    document = make_document(title="공공 와이파이 확대 계획")
    question = make_request(kind="question", document_number=document.number, department=None)
    assert question.department == document.department and question.document == document
    with pytest.raises(InvalidInput):
        services.answer_request(actor=handler, request=question, status="disclosed", answer="공개")
    assert (
        services.answer_request(
            actor=handler, request=question, status="answered", answer="내년에 확대합니다."
        ).status
        == RequestStatus.ANSWERED
    )


def test_a_question_about_a_document_that_is_not_public_is_refused_as_about_none(
    make_document, make_request, english
):
    closed = make_document(disclosure=Disclosure.CLOSED, legal_ground="art9-1-6")
    refusals = []
    for number in (closed.number, "NO-SUCH-NUMBER"):
        with pytest.raises(InvalidInput) as refused:
            make_request(kind="question", document_number=number, department=None)
        refusals.append((refused.value.field, refused.value.message.replace(number, "#")))
    assert (
        refusals[0]
        == refusals[1]
        == (
            "document",
            "There is no public document numbered “#”.",
        )
    )
    assert not DisclosureRequest.objects.exists()


def test_the_requester_withdraws_an_open_request_only(make_request, requester, citizen, handler):
    request = make_request()
    with pytest.raises(NotAllowed):
        services.withdraw_request(actor=citizen, request=request)
    withdrawn = services.withdraw_request(actor=requester, request=request)
    assert withdrawn.status == RequestStatus.WITHDRAWN
    assert [e.status for e in withdrawn.events.all()] == ["received", "withdrawn"]
    with pytest.raises(Conflict):
        services.withdraw_request(actor=requester, request=request)
    with pytest.raises(Conflict):
        services.answer_request(actor=handler, request=request, status="disclosed", answer="x")


def test_subjects_are_masked_and_codes_are_crockford(make_request):
    request = make_request(subject="홍길동 010-1234-5678 민원 관련 문서")
    assert request.subject == "홍길동 010-****-5678 민원 관련 문서"
    assert len(request.code) == 8 and set(request.code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"subject": "가" * 201}, "subject"),
        ({"description": ""}, "description"),
        ({"description": "가" * 4001}, "description"),
        ({"kind": "complaint"}, "kind"),
        ({"department": None}, "department"),
    ],
)
def test_bad_filings_name_their_field(make_request, fields, field):
    with pytest.raises(InvalidInput) as refused:
        make_request(**fields)
    assert refused.value.field == field
    assert not DisclosureRequest.objects.exists()


# --- personal data -------------------------------------------------------------------------------


def test_personal_data_exports_the_requests_with_their_text(make_request, requester, citizen):
    make_request(description="제 개인 사정을 적습니다.")
    exported = selectors.personal_data_of(requester)["requests"]
    assert [(r["subject"], r["description"]) for r in exported] == [
        ("청사 리모델링 계약서", "제 개인 사정을 적습니다.")
    ]
    assert selectors.personal_data_of(citizen) == {"requests": []}


def test_forgetting_the_requester_keeps_the_public_history(make_request, requester, handler):
    request = make_request()
    services.answer_request(actor=handler, request=request, status="disclosed", answer="공개")
    services.forget_requester(requester)
    stored = DisclosureRequest.objects.get(pk=request.pk)
    assert stored.requester is None and stored.description == ""
    assert stored.subject == "청사 리모델링 계약서" and stored.answer == "공개"
    assert [e.status for e in stored.events.all()] == ["received", "disclosed"]
    assert selectors.personal_data_of(requester) == {"requests": []}


def test_overdue_is_open_and_past_the_last_day(make_request):
    request = make_request(now=timezone.now() - timedelta(days=11))
    assert policies.request_is_overdue(request, today=_city_today())
    assert selectors.public_requests().get(pk=request.pk).overdue
    assert not policies.request_is_overdue(make_request(), today=_city_today())
