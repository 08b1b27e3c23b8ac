"""The M-Voting desk through the test client: who may open which screen (a role in the poll's
department, the second factor), creating a poll and refusing bad ones whole, changing it before
it opens, codes as a CSV, closing after a confirmation, the decision, proposals, option photos,
and the back office that never joins the register to the ballots."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.core.errors import Conflict
from hamkke.core.models import Department
from hamkke.core.receipts import receipt_of
from hamkke.polls import services
from hamkke.polls.models import Ballot, Option, Participation, Poll, Question, State, VotingCode
from tests import factories
from tests.factories import log_in_official as sign_in
from tests.polls.conftest import make_poll, options_of, phone_voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def manager_client(client, poll_manager):
    sign_in(client, poll_manager)
    return client


@pytest.fixture
def handler_client(client, poll_handler):
    sign_in(client, poll_handler)
    return client


@pytest.fixture
def transport(city):
    return Department.objects.get(city=city, code="transport")


def url(name: str, *args) -> str:
    return reverse(f"polls:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def upcoming(actor, department, **fields):
    now = timezone.now()
    return make_poll(
        actor,
        department,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=8),
        **fields,
    )


SLOTS = 5


def poll_post(
    department, questions=(("자전거 정류장을 늘릴까요?", "single", "찬성\n반대"),), **changes
):
    """What the create form posts: five question slots, the first ones filled."""
    data = {
        "title": "따릉이 정류장",
        "description": "어디에 더 필요할까요?",
        "department": department.pk,
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-05-08T18:00",
        "results": "after",
        "eligibility": "verified",
        "age_min": "",
        "age_max": "",
        "q-TOTAL_FORMS": str(SLOTS),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "20",
    }
    for n in range(SLOTS):
        question = questions[n] if n < len(questions) else ("", "single", "")
        data |= {
            f"q-{n}-text": question[0],
            f"q-{n}-kind": question[1],
            f"q-{n}-options": question[2],
            f"q-{n}-max_choices": "",
            f"q-{n}-required": "on",
        }
    data.update(changes)
    return data


# --- who may open the desk ---------------------------------------------------------------------


def test_anonymous_people_log_in_and_citizens_are_refused(
    client, citizen, poll_manager, department
):
    poll = make_poll(poll_manager, department)
    for address in (url("desk"), url("desk-poll", poll.slug), url("desk-new")):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    client.force_login(citizen)
    assert client.get(url("desk")).status_code == 403
    assert client.post(url("desk-close", poll.slug)).status_code == 403
    assert Poll.objects.get(pk=poll.pk).published_at is None


def test_an_official_without_the_second_factor_is_sent_to_it(client, poll_manager, department):
    poll = make_poll(poll_manager, department)
    factories.activate_totp(poll_manager)
    client.force_login(poll_manager)  # password only: this session never saw the code
    for address in (url("desk"), url("desk-poll", poll.slug), url("desk-close", poll.slug)):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:second-factor"))
    response = client.post(url("desk-close", poll.slug))
    assert response.url.startswith(reverse("accounts:second-factor"))
    assert Poll.objects.get(pk=poll.pk).published_at is None


def test_an_official_of_another_department_gets_403(client, poll_manager, department, transport):
    poll = make_poll(poll_manager, department, eligibility="codes")
    outsider = factories.make_official(role=Role.MANAGER, department=transport)
    sign_in(client, outsider)
    listing = client.get(url("desk"))
    assert listing.status_code == 200
    assert poll.title not in text(listing)
    assert client.get(url("desk-poll", poll.slug)).status_code == 403
    assert client.get(url("desk-close", poll.slug)).status_code == 403
    assert client.post(url("desk-close", poll.slug)).status_code == 403
    assert client.post(url("desk-codes", poll.slug), {"count": 3}).status_code == 403
    assert client.post(url("desk-edit", poll.slug), {}).status_code == 403
    assert Poll.objects.get(pk=poll.pk).published_at is None
    assert not VotingCode.objects.exists()


def test_a_handler_cannot_close_a_poll(handler_client, poll_manager, department):
    poll = make_poll(poll_manager, department)
    page = handler_client.get(url("desk-poll", poll.slug))
    assert page.status_code == 200
    assert url("desk-close", poll.slug) not in text(page)  # not offered
    assert handler_client.get(url("desk-close", poll.slug)).status_code == 403
    assert handler_client.post(url("desk-close", poll.slug)).status_code == 403
    poll.refresh_from_db()
    assert poll.published_at is None and poll.status() == "open"


# --- the index ---------------------------------------------------------------------------------


def test_the_index_lists_my_departments_polls_with_turnout_and_proposals(
    manager_client, poll_manager, department, transport
):
    mine = make_poll(poll_manager, department, title="우리 부서 투표")
    (q1, q2), (single, ranking) = options_of(mine)
    for _n in range(2):
        services.cast_ballot(
            actor=phone_voter(), poll=mine, answers={q1: [single[0]], q2: [ranking[0]]}
        )
    other_manager = factories.make_official(role=Role.MANAGER, department=transport)
    theirs = make_poll(other_manager, transport, title="교통과 투표")
    proposer, supporter = phone_voter(), phone_voter()
    proposed = services.propose_poll(actor=proposer, draft=_citizen_draft())
    services.support_poll(actor=supporter, poll=proposed)

    response = manager_client.get(url("desk"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["poll"].pk for row in rows] == [mine.pk]
    assert rows[0]["poll"].voters == 2
    assert rows[0]["status"] == "open"
    page = text(response)
    assert theirs.title not in page
    assert url("desk-proposal", proposed.slug) in page
    assert [(p.pk, p.supports_count) for p in response.context["proposals"]] == [(proposed.pk, 1)]
    assert url("desk-new") in page


# --- creating and changing a poll --------------------------------------------------------------


def test_a_handler_creates_a_poll_in_the_city_time(handler_client, department):
    assert handler_client.get(url("desk-new")).status_code == 200
    questions = (
        ("자전거 정류장을 늘릴까요?", "single", "찬성\n반대\n모르겠다"),
        ("", "single", ""),  # an empty slot between two questions is skipped
        ("어디가 좋을까요?", "multiple", "시청\n강남역\n여의도\n홍대"),
    )
    data = poll_post(department, questions=questions, eligibility="age", age_min="19", age_max="39")
    data["q-2-max_choices"] = "2"
    data["results"] = "live"
    response = handler_client.post(url("desk-new"), data)
    assert response.status_code == 302, text(response)[:3000]
    poll = Poll.objects.get(title="따릉이 정류장")
    assert response.url == url("desk-poll", poll.slug)
    # 09:00 and 18:00 in Seoul (UTC+9, no summer time) are 00:00 and 09:00 UTC.
    assert poll.opens_at == datetime(2030, 5, 1, 0, 0, tzinfo=UTC)
    assert poll.closes_at == datetime(2030, 5, 8, 9, 0, tzinfo=UTC)
    assert (poll.eligibility, poll.age_min, poll.age_max) == ("age", 19, 39)
    assert poll.results_live is True and poll.revote is False
    assert poll.department == department and poll.state == State.APPROVED
    stored = [
        (q.text, q.kind, q.max_choices, [o.text for o in q.options.order_by("order")])
        for q in poll.questions.order_by("order")
    ]
    assert stored == [
        ("자전거 정류장을 늘릴까요?", "single", None, ["찬성", "반대", "모르겠다"]),
        ("어디가 좋을까요?", "multiple", 2, ["시청", "강남역", "여의도", "홍대"]),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2030-04-30T09:00"}, "A poll must close after it opens."),
        (
            {"opens_at": "0001-01-01T00:00", "closes_at": "0001-01-02T00:00"},
            "The date must be between 1900-01-01",
        ),
        (
            {"opens_at": "9999-12-30T00:00", "closes_at": "9999-12-31T23:59"},
            "The date must be between 1900-01-01",
        ),
        ({"q-0-text": "", "q-0-options": ""}, "A poll asks at least one question."),
        ({"q-0-options": "찬성"}, "Question 1: give at least two options."),
        ({"q-0-options": "찬성\n반대\n 찬성 "}, "Question 1: two options have the same text."),
        (
            {"q-0-kind": "essay"},
            "Select a valid choice. essay is not one of the available choices.",
        ),
        (
            {"eligibility": "age", "age_min": "40", "age_max": "20"},
            "The oldest age is below the youngest.",
        ),
        ({"eligibility": "districts"}, "Choose the districts whose residents may vote."),
        ({"q-0-kind": "scale", "q-0-options": "1\n2\n3"}, "a scale has five steps"),
        ({"q-0-text": "", "q-0-options": "찬성\n반대"}, "Write the question these options answer."),
    ],
)
def test_a_bad_poll_is_refused_with_its_reason_and_nothing_is_stored(
    handler_client, department, changes, message
):
    response = handler_client.post(url("desk-new"), poll_post(department, **changes))
    assert response.status_code == 400
    assert message in text(response)
    assert not Poll.objects.exists()
    assert not Question.objects.exists()


def test_a_poll_changes_until_it_opens_and_unchanged_options_keep_their_rows(
    handler_client, poll_handler, department, city
):
    poll = upcoming(poll_handler, department)
    (q1, q2), (single, _ranking) = options_of(poll)
    form = handler_client.get(url("desk-edit", poll.slug))
    assert form.status_code == 200
    assert "놀이터\n도서관\n공원\n주차장" in text(form)  # the ranking's options, one a line
    jongno = city.districts.get(code="11110")
    data = poll_post(
        department,
        questions=(
            ("찬성하십니까?", "single", "찬성\n반대"),  # 모름 dropped
            ("얼마나 만족하십니까?", "scale", ""),  # the ranking becomes a scale
        ),
        title="바뀐 제목",
        eligibility="districts",
        districts=[jongno.pk],
        opens_at="2030-06-01T10:00",
        closes_at="2030-06-02T10:00",
    )
    response = handler_client.post(url("desk-edit", poll.slug), data)
    assert response.status_code == 302, text(response)[:3000]
    poll.refresh_from_db()
    assert poll.title == "바뀐 제목"
    assert poll.opens_at == datetime(2030, 6, 1, 1, 0, tzinfo=UTC)
    assert list(poll.districts.values_list("code", flat=True)) == ["11110"]
    (new_q1, new_q2), (new_single, scale) = options_of(poll)
    assert (new_q1, new_q2) == (q1, q2)
    assert new_single == single[:2]  # 찬성 and 반대 kept their rows
    assert list(Option.objects.filter(pk__in=scale).values_list("text", flat=True)) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert Question.objects.get(pk=q2).kind == "scale"
    assert not Option.objects.filter(pk=single[2]).exists()


def test_a_poll_that_has_opened_cannot_change(handler_client, poll_handler, department):
    poll = make_poll(poll_handler, department)  # opened an hour ago
    page = handler_client.get(url("desk-poll", poll.slug))
    assert url("desk-edit", poll.slug) not in text(page)
    response = handler_client.post(url("desk-edit", poll.slug), poll_post(department, title="새"))
    assert response.status_code == 302
    assert Poll.objects.get(pk=poll.pk).title == poll.title
    with pytest.raises(Conflict):
        services.change_poll(
            actor=poll_handler, poll=poll, draft=_citizen_draft(opens_at=poll.opens_at)
        )


# --- a poll's page: results, codes, closing, the decision -------------------------------------


def test_officials_see_turnout_but_results_only_when_the_public_may(
    manager_client, poll_manager, department
):
    hidden = make_poll(poll_manager, department)
    live = make_poll(poll_manager, department, results_live=True)
    for poll in (hidden, live):
        (q1, q2), (single, ranking) = options_of(poll)
        services.cast_ballot(
            actor=phone_voter(), poll=poll, answers={q1: [single[1]], q2: [ranking[2]]}
        )
    response = manager_client.get(url("desk-poll", hidden.slug))
    assert response.context["turnout"] == 1
    assert response.context["results"] is None
    assert "The results of this poll are shown after it closes" in text(response)
    response = manager_client.get(url("desk-poll", live.slug))
    rows = response.context["results"][0]["rows"]
    assert [(option, votes) for option, votes, _share in rows] == [
        ("찬성", 0),
        ("반대", 1),
        ("모름", 0),
    ]
    assert response.context["results"][1]["winner"] == "공원"


def test_codes_come_as_a_csv_of_n_unique_codes_that_each_vote_once(
    handler_client, poll_handler, department
):
    poll = make_poll(poll_handler, department, eligibility="codes")
    response = handler_client.post(url("desk-codes", poll.slug), {"count": "5"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text(response))))
    assert rows[0] == ["code"]
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == 5 and len(set(codes)) == 5
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code) for code in codes)
    assert VotingCode.objects.filter(poll=poll).count() == 5
    (q1, q2), (single, ranking) = options_of(poll)
    answers = {q1: [single[0]], q2: [ranking[0]]}
    for code in codes:
        services.cast_ballot(actor=None, poll=poll, answers=answers, code=code)
        with pytest.raises(Conflict):
            services.cast_ballot(actor=None, poll=poll, answers=answers, code=code)
    assert Participation.objects.filter(poll=poll).count() == 5
    assert handler_client.get(url("desk-poll", poll.slug)).context["codes_made"] == 5


@pytest.mark.parametrize("count", ["0", "100001", "-3"])
def test_a_count_out_of_bounds_makes_no_codes(handler_client, poll_handler, department, count):
    poll = make_poll(poll_handler, department, eligibility="codes")
    response = handler_client.post(url("desk-codes", poll.slug), {"count": count})
    assert response.status_code == 400
    assert "Make between 1 and 100,000 codes at once." in text(response)
    assert not VotingCode.objects.exists()


def test_a_poll_without_codes_offers_none_and_refuses_them(
    handler_client, poll_handler, department
):
    poll = make_poll(poll_handler, department)
    page = handler_client.get(url("desk-poll", poll.slug))
    assert page.context["codes_form"] is None
    response = handler_client.post(url("desk-codes", poll.slug), {"count": "3"})
    assert response.status_code == 409
    assert "This poll does not take voting codes." in text(response)
    assert not VotingCode.objects.exists()


def test_a_manager_closes_after_confirming_then_records_the_decision(
    manager_client, poll_manager, department
):
    from hamkke.plaza import selectors as plaza_selectors
    from hamkke.plaza import services as plaza_services

    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    services.cast_ballot(
        actor=phone_voter(), poll=poll, answers={q1: [single[0]], q2: [ranking[1]]}
    )
    page = manager_client.get(url("desk-poll", poll.slug))
    assert url("desk-close", poll.slug) in text(page)
    assert page.context["decision_form"] is None  # not before the result is published
    early = manager_client.post(url("desk-decide", poll.slug), {"outcome": "adopted", "text": "x"})
    assert early.status_code == 409
    assert "Record the decision once the poll is closed and its result published." in text(early)
    confirm = manager_client.get(url("desk-close", poll.slug))
    assert confirm.status_code == 200
    assert "Close and publish now" in text(confirm)
    assert Poll.objects.get(pk=poll.pk).published_at is None  # asking is not closing
    closed = manager_client.post(url("desk-close", poll.slug))
    assert closed.status_code == 302 and closed.url == url("desk-poll", poll.slug)
    poll.refresh_from_db()
    assert poll.published_at is not None and poll.status() == "closed"
    assert len(poll.chain_head) == 64
    again = manager_client.post(url("desk-close", poll.slug), follow=True)
    assert "This poll is closed and published already." in text(again)
    page = manager_client.get(url("desk-poll", poll.slug))
    assert [row[1] for row in page.context["results"][0]["rows"]] == [1, 0, 0]
    missing = manager_client.post(url("desk-decide", poll.slug), {"outcome": "adopted"})
    assert missing.status_code == 400
    assert Poll.objects.get(pk=poll.pk).outcome == ""
    decided = manager_client.post(
        url("desk-decide", poll.slug),
        {"outcome": "partly_adopted", "text": "공원 일부를 만듭니다."},
    )
    assert decided.status_code == 302
    poll.refresh_from_db()
    assert poll.outcome == "partly_adopted"
    document = plaza_selectors.public_decision(plaza_services.decision_source(poll))
    assert "공원 일부를 만듭니다." in document.body


# --- option photos -----------------------------------------------------------------------------


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_an_option_takes_a_photo_checked_by_its_content(handler_client, poll_handler, department):
    from django.core.files.uploadedfile import SimpleUploadedFile

    poll = upcoming(poll_handler, department)
    (_q1, _q2), (single, _ranking) = options_of(poll)
    address = url("desk-option-image", poll.slug, single[0])
    fake = SimpleUploadedFile("photo.png", b"not a picture at all", content_type="image/png")
    refused = handler_client.post(address, {"image": fake}, follow=True)
    assert refused.status_code == 200
    assert Option.objects.get(pk=single[0]).image is None
    photo = SimpleUploadedFile("photo.png", _png(), content_type="image/png")
    assert handler_client.post(address, {"image": photo}).status_code == 302
    image = Option.objects.get(pk=single[0]).image
    assert image is not None and (image.width, image.height) == (40, 30)
    assert image.target_id == str(single[0])  # attached: shown as the option's
    assert handler_client.post(address, {"remove": "on"}).status_code == 302
    assert Option.objects.get(pk=single[0]).image is None


# --- citizens' proposals -----------------------------------------------------------------------


def _citizen_draft(**fields):
    from tests.polls.conftest import draft

    return draft(**fields)


def test_a_manager_approves_a_proposal_for_a_department_and_its_dates(
    client, poll_manager, poll_handler, department
):
    proposed = services.propose_poll(actor=phone_voter(), draft=_citizen_draft())
    sign_in(client, poll_handler)
    page = client.get(url("desk-proposal", proposed.slug))
    assert page.status_code == 200 and not page.context["may_review"]
    refused = client.post(url("desk-approve", proposed.slug), {"department": department.pk})
    assert refused.status_code == 403
    assert Poll.objects.get(pk=proposed.pk).state == State.PROPOSED

    sign_in(client, poll_manager)
    inverted = client.post(
        url("desk-approve", proposed.slug),
        {
            "department": department.pk,
            "opens_at": "2030-03-02T09:00",
            "closes_at": "2030-03-01T09:00",
        },
    )
    assert inverted.status_code == 400
    assert "A poll must close after it opens." in text(inverted)
    assert Poll.objects.get(pk=proposed.pk).state == State.PROPOSED
    approved = client.post(
        url("desk-approve", proposed.slug),
        {
            "department": department.pk,
            "opens_at": "2030-03-02T09:00",
            "closes_at": "2030-03-09T09:00",
        },
    )
    assert approved.status_code == 302
    poll = Poll.objects.get(pk=proposed.pk)
    assert (poll.state, poll.department) == (State.APPROVED, department)
    assert poll.opens_at == datetime(2030, 3, 2, 0, 0, tzinfo=UTC)


def test_a_rejection_needs_a_reason(manager_client, department):
    proposed = services.propose_poll(actor=phone_voter(), draft=_citizen_draft())
    bare = manager_client.post(url("desk-reject", proposed.slug), {"department": department.pk})
    assert bare.status_code == 400
    assert "This field is required." in text(bare)
    assert Poll.objects.get(pk=proposed.pk).state == State.PROPOSED
    response = manager_client.post(
        url("desk-reject", proposed.slug),
        {"department": department.pk, "reason": "이미 같은 사업이 진행 중입니다."},
    )
    assert response.status_code == 302
    poll = Poll.objects.get(pk=proposed.pk)
    assert poll.state == State.REJECTED
    assert poll.rejection_reason == "이미 같은 사업이 진행 중입니다."


# --- back office -------------------------------------------------------------------------------


def test_back_office_never_links_the_register_and_the_ballots(client, poll_manager, department):
    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    voter = phone_voter(email="voter@example.org")
    cast = services.cast_ballot(actor=voter, poll=poll, answers={q1: [single[2]], q2: [ranking[3]]})
    registered = Participation.objects.get(poll=poll)
    ballot = Ballot.objects.get(poll=poll)
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)

    register = text(client.get("/admin/polls/participation/"))
    assert "voter@example.org" in register
    assert cast.receipt not in register and registered.identity_key not in register
    one = text(client.get(f"/admin/polls/participation/{registered.pk}/change/"))
    assert cast.receipt not in one and registered.identity_key not in one
    assert "모름" not in one and 'name="_save"' not in one

    ballots = text(client.get("/admin/polls/ballot/"))
    assert receipt_of(ballot.pk) in ballots
    assert "voter@example.org" not in ballots
    found = text(client.get("/admin/polls/ballot/", {"q": cast.receipt.lower()}))
    assert cast.receipt in found
    detail = text(client.get(f"/admin/polls/ballot/{ballot.pk}/change/"))
    assert "모름" in detail and "주차장" in detail
    assert "voter@example.org" not in detail and 'name="_save"' not in detail
    assert client.get("/admin/polls/poll/").status_code == 200
    assert client.get(f"/admin/polls/poll/{poll.pk}/change/").status_code == 200
    assert client.get("/admin/polls/poll/add/").status_code == 403
