"""The Oasis desk's API (/api/v1/ideas/desk): the role and the second factor, the ideas a
department must answer and answering them (by the deadline, in one's own department), the
office's review, meetings and decisions (no state skipped, every score in), implementation
updates, promotion into a poll and the budget, experts appointed and retired; every refusal
4xx JSON with nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.ideas import services
from hamkke.ideas.models import Expert, ImplementationUpdate, ReviewMeeting
from tests import factories
from tests.ideas import test_api as public_api
from tests.ideas.conftest import department, make_expert, meeting, post, scored
from tests.ideas.test_api import forward, snapshot

pytestmark = pytest.mark.django_db

DESK = "/api/v1/ideas/desk"
# Ideas taken up the pipeline cheaply, the public API tests' fixture.
climb = public_api.climb


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages."""


def send(client, path, payload=None):
    return client.post(f"{DESK}{path}", payload or {}, content_type="application/json")


def signed_in(official) -> Client:
    """The official logged in as officials log in: password, then authenticator code."""
    client = Client()
    factories.log_in_official(client, official)
    return client


@pytest.fixture
def office_desk(office_manager) -> Client:
    return signed_in(office_manager)


def refused(client, path, payload, status, code, *, field=None):
    """The request is refused as said, and changes nothing."""
    before = snapshot()
    other_rows = (
        ReviewMeeting.objects.count(),
        ImplementationUpdate.objects.count(),
        list(Expert.objects.values_list("pk", "active")),
    )
    answer = send(client, path, payload)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.json()
    assert answer.json()["detail"]
    if field:
        assert answer.json()["field"] == field
    assert snapshot() == before
    assert (
        ReviewMeeting.objects.count(),
        ImplementationUpdate.objects.count(),
        list(Expert.objects.values_list("pk", "active")),
    ) == other_rows
    return answer


# --- who -----------------------------------------------------------------------------------------


def test_officials_only_with_their_second_factor(author, theme, expert, handler):
    idea = forward(post(author, theme), expert)
    path = f"/{idea.pk}/answer"
    body = {"text": "검토하겠습니다."}
    assert send(Client(), path, body).status_code == 401
    citizen = Client()
    citizen.force_login(factories.make_user())
    refused(citizen, path, body, 403, "role_required")
    no_code = Client()
    factories.activate_totp(handler)
    no_code.force_login(handler)
    refused(no_code, path, body, 403, "second_factor_required")
    assert Client().get(f"{DESK}/").status_code == 401


# --- answers -------------------------------------------------------------------------------------


def test_the_ideas_a_department_must_answer(author, theme, expert, handler, city):
    first = forward(post(author, theme, title="첫째"), expert)
    second = forward(
        post(author, theme, title="둘째"), expert, now=timezone.now() - timedelta(days=1)
    )
    post(author, theme, title="아직 열림")  # not forwarded: not listed
    answer = signed_in(handler).get(f"{DESK}/")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert [item["id"] for item in body["items"]] == [second.pk, first.pk]  # due soonest first
    assert body["has_next"] is False
    item = body["items"][0]
    assert item["department"]["code"] == "transport"
    assert item["may_answer"] == {"allowed": True, "reason": "", "code": ""}
    assert item["answer_due"]
    other = factories.make_official(role=Role.HANDLER, department=department("safety"))
    assert signed_in(other).get(f"{DESK}/").json()["items"] == []


def test_an_escalated_idea_is_answered_by_a_manager(author, theme, expert, handler, manager):
    late = forward(post(author, theme), expert, now=timezone.now() - timedelta(days=20))
    services.check_due_ideas()  # the periodic check escalates the overdue answer
    desk = signed_in(handler)
    (item,) = desk.get(f"{DESK}/").json()["items"]
    assert item["escalated_at"]
    assert item["may_answer"]["allowed"] is False
    assert item["may_answer"]["code"] == "role_required"
    refused(desk, f"/{late.pk}/answer", {"text": "늦었습니다"}, 403, "role_required")
    answer = send(signed_in(manager), f"/{late.pk}/answer", {"text": "반영하겠습니다."})
    assert (answer.status_code, answer.json()["state"]) == (200, "answered")


def test_the_desk_sees_a_hidden_idea_with_its_reviewers(
    climb, expert, office_manager, office_desk, client
):
    expert.user.display_name = "도시계획 전문가"
    expert.user.save()
    idea = climb("scored")
    services.set_idea_hidden(actor=office_manager, idea=idea, hidden=True)
    assert client.get(f"/api/v1/ideas/{idea.pk}").status_code == 404
    answer = office_desk.get(f"{DESK}/{idea.pk}")
    assert answer.status_code == 200, answer.json()
    (reviewer,) = answer.json()["reviewers"]
    assert (reviewer["expert"], reviewer["name"], reviewer["field"]) == (
        expert.pk,
        "도시계획 전문가",
        "도시계획",
    )
    assert reviewer["scores"] == {"feasibility": 4, "effect": 5, "cost": 3, "originality": 5}
    assert reviewer["opinion"] == "좋습니다."
    assert expert.user.email not in answer.content.decode()
    citizen = Client()
    citizen.force_login(factories.make_user())
    assert citizen.get(f"{DESK}/{idea.pk}").status_code == 403
    elsewhere = factories.make_official(role=Role.MANAGER, department=department("safety"))
    other_desk = signed_in(elsewhere)
    refused = other_desk.get(f"{DESK}/{idea.pk}")
    assert (refused.status_code, refused.json()["code"]) == (403, "role_required")
    shown = climb("forwarded", title="보이는 제안")
    assert other_desk.get(f"{DESK}/{shown.pk}").status_code == 200


def test_answering_an_idea(author, theme, expert, handler, client):
    idea = forward(post(author, theme), expert)
    answer = send(signed_in(handler), f"/{idea.pk}/answer", {"text": "내년 예산에 반영합니다."})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["state"], body["answer"]) == ("answered", "내년 예산에 반영합니다.")
    assert body["answered_at"]
    assert body["supports_needed"] == 500  # Seoul's discussion_supports
    public = client.get(f"/api/v1/ideas/{idea.pk}").json()
    assert public["answer"] == "내년 예산에 반영합니다."
    assert public["timeline"][-1]["event"] == "answer"


def test_answer_refusals(author, theme, expert, handler, office_manager):
    idea = forward(post(author, theme), expert)
    desk = signed_in(handler)
    refused(desk, f"/{idea.pk}/answer", {"text": "  "}, 400, "invalid", field="answer")
    refused(desk, f"/{idea.pk}/answer", {"text": "가" * 5001}, 400, "invalid", field="answer")
    refused(desk, f"/{idea.pk}/answer", {"text": "a\u0000b"}, 400, "nul_character")
    other = factories.make_official(role=Role.HANDLER, department=department("safety"))
    refused(signed_in(other), f"/{idea.pk}/answer", {"text": "네"}, 403, "role_required")
    still_open = post(author, theme, title="열린 제안")
    refused(desk, f"/{still_open.pk}/answer", {"text": "네"}, 409, "wrong_state")
    # Forwarded 20 days ago: the 14 days to answer have run out.
    late = forward(
        post(author, theme, title="늦은 제안"), expert, now=timezone.now() - timedelta(days=20)
    )
    refused(desk, f"/{late.pk}/answer", {"text": "늦었습니다"}, 409, "answer_overdue")
    refused(desk, "/999999/answer", {"text": "네"}, 404, "not_found")


# --- review, meetings, decisions -----------------------------------------------------------------


def test_sending_an_idea_to_review(climb, expert, office_manager, office_desk, author, theme):
    ended = climb("discussion")  # its discussion ended weeks ago
    second = make_expert(office_manager, field="교통공학")
    answer = send(office_desk, f"/{ended.pk}/start-review", {"experts": [expert.pk, second.pk]})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "review"
    assert {r["expert"] for r in body["reviewers"]} == {expert.pk, second.pk}
    assert all(r["scores"] is None for r in body["reviewers"])
    assert body["deadlines"]["review_due"]


def test_review_refusals(climb, expert, office_manager, office_desk, author, theme, handler):
    running = climb("discussion", start=timezone.now() - timedelta(days=3))
    body = {"experts": [expert.pk]}
    refused(office_desk, f"/{running.pk}/start-review", body, 409, "discussion_running")
    answered = climb("answered")  # skipping the discussion
    refused(office_desk, f"/{answered.pk}/start-review", body, 409, "wrong_state")
    ended = climb("discussion")
    refused(
        office_desk,
        f"/{ended.pk}/start-review",
        {"experts": [987654]},
        400,
        "invalid",
        field="experts",
    )
    refused(office_desk, f"/{ended.pk}/start-review", {"experts": []}, 400, "invalid")
    services.retire_expert(actor=office_manager, expert=expert)
    refused(office_desk, f"/{ended.pk}/start-review", body, 400, "invalid", field="experts")
    transport_manager = factories.make_official(
        role=Role.MANAGER, department=department("transport")
    )
    refused(signed_in(transport_manager), f"/{ended.pk}/start-review", body, 403, "role_required")


def test_one_more_reviewer(climb, expert, office_manager, office_desk):
    idea = climb("review")
    added = make_expert(office_manager)
    answer = send(office_desk, f"/{idea.pk}/reviewers", {"expert": added.pk})
    assert answer.status_code == 201, answer.json()
    assert [r["expert"] for r in answer.json()["reviewers"]] == [expert.pk, added.pk]
    discussing = climb("discussion")
    refused(office_desk, f"/{discussing.pk}/reviewers", {"expert": added.pk}, 409, "not_in_review")
    refused(
        office_desk, f"/{idea.pk}/reviewers", {"expert": 987654}, 400, "invalid", field="expert"
    )


def test_meetings(office_desk, office_manager, city):
    answer = send(office_desk, "/meetings", {"title": "제1차 심사회의", "held_on": "2026-03-02"})
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert (created["title"], created["held_on"], created["minutes"]) == (
        "제1차 심사회의",
        "2026-03-02",
        "",
    )
    listed = office_desk.get(f"{DESK}/meetings").json()
    assert [m["id"] for m in listed] == [created["id"]]
    refused(office_desk, "/meetings", {"title": " ", "held_on": "2026-03-02"}, 400, "invalid")
    refused(
        office_desk,
        "/meetings",
        {"title": "옛날 회의", "held_on": "1800-01-01"},
        400,
        "invalid",
        field="held_on",
    )
    refused(office_desk, "/meetings", {"title": "회의", "held_on": "someday"}, 422, "invalid")
    handler = factories.make_official(
        role=Role.HANDLER, department=department("citizen-communication")
    )
    refused(
        signed_in(handler),
        "/meetings",
        {"title": "회의", "held_on": "2026-03-02"},
        403,
        "role_required",
    )


def test_deciding_an_idea(climb, expert, office_manager, office_desk, client):
    idea = climb("review")
    held = meeting(office_manager)
    decision = {
        "outcome": "partly_adopted",
        "reasons": "일부 구간만 시행합니다.",
        "meeting": held.pk,
    }
    refused(office_desk, f"/{idea.pk}/decision", decision, 409, "scores_missing")
    scored(idea, expert)
    answer = send(office_desk, f"/{idea.pk}/decision", decision)
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["state"] == "partly_adopted"
    assert body["decision"]["outcome"] == "partly_adopted"
    assert body["decision"]["meeting"]["title"] == held.title
    assert body["rubric"]["overall"] == "4.25"
    assert body["implementation"] == {"status": "planned", "progress": 0, "updates": []}
    assert client.get("/api/v1/ideas/adopted").json()["items"][0]["id"] == idea.pk
    refused(office_desk, f"/{idea.pk}/decision", decision, 409, "wrong_state")


def test_decision_refusals(climb, expert, office_manager, office_desk):
    idea = climb("scored")
    held = meeting(office_manager)
    good = {"outcome": "adopted", "reasons": "좋습니다.", "meeting": held.pk}
    path = f"/{idea.pk}/decision"
    refused(office_desk, path, {**good, "outcome": "maybe"}, 400, "invalid", field="outcome")
    refused(office_desk, path, {**good, "meeting": 987654}, 400, "invalid", field="meeting")
    refused(office_desk, path, {**good, "reasons": ""}, 400, "invalid", field="reasons")
    discussing = climb("discussion")  # skipping the review
    refused(office_desk, f"/{discussing.pk}/decision", good, 409, "wrong_state")


# --- implementation and promotion ----------------------------------------------------------------


def test_implementation_updates(climb, office_desk, handler, client):
    idea = climb("adopted")
    step = {
        "on": "2026-05-01",
        "status": "in_progress",
        "progress": 30,
        "text": "공사를 시작했습니다.",
        "link": "https://example.org/works",
    }
    answer = send(signed_in(handler), f"/{idea.pk}/progress", step)  # the idea's department
    assert answer.status_code == 201, answer.json()
    assert answer.json()["implementation"]["progress"] == 30
    done = send(
        office_desk,
        f"/{idea.pk}/progress",
        {**step, "status": "completed", "progress": 100, "on": "2026-09-01"},
    )
    assert done.status_code == 201
    public = client.get(f"/api/v1/ideas/{idea.pk}").json()["implementation"]
    assert (public["status"], public["progress"]) == ("completed", 100)
    assert [u["on"] for u in public["updates"]] == ["2026-05-01", "2026-09-01"]
    path = f"/{idea.pk}/progress"
    refused(office_desk, path, {**step, "progress": 101}, 400, "invalid", field="progress")
    refused(office_desk, path, {**step, "status": "finished"}, 400, "invalid", field="status")
    refused(office_desk, path, {**step, "on": "1800-01-01"}, 400, "invalid", field="on")
    refused(
        office_desk, path, {**step, "link": "javascript:alert(1)"}, 400, "invalid", field="link"
    )
    refused(office_desk, path, {**step, "text": ""}, 400, "invalid", field="text")
    refused(office_desk, path, {**step, "progress": "30"}, 422, "invalid")
    in_review = climb("review")
    refused(office_desk, f"/{in_review.pk}/progress", step, 409, "not_adopted")


def poll_json(**values) -> dict:
    now = timezone.now()
    data = {
        "question": "어디에 먼저 만들까요?",
        "options": ["여의도", "뚝섬"],
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
    }
    data.update(values)
    return data


def test_promoting_an_adopted_idea_to_a_poll(climb, office_desk, client):
    idea = climb("adopted")
    path = f"/{idea.pk}/promote/poll"
    refused(office_desk, path, poll_json(options=["하나"]), 400, "invalid")
    refused(
        office_desk,
        path,
        poll_json(opens_at="2026-05-01T09:00:00"),
        400,
        "invalid",
        field="opens_at",
    )
    refused(
        office_desk,
        path,
        poll_json(closes_at="3000-01-02T00:00:00+09:00"),
        400,
        "invalid",
        field="closes_at",
    )
    answer = send(office_desk, path, poll_json())
    assert answer.status_code == 201, answer.json()
    poll_url = answer.json()["poll_url"]
    assert client.get(poll_url).status_code == 200
    refused(office_desk, path, poll_json(), 409, "already_promoted")
    not_adopted = climb("review")
    refused(office_desk, f"/{not_adopted.pk}/promote/poll", poll_json(), 409, "not_adopted")


def test_promoting_an_adopted_idea_to_the_budget(climb, office_desk, city, author, client):
    from tests.budget.conftest import make_cycle

    cycle = make_cycle(city, phase="proposals")
    idea = climb("adopted")
    path = f"/{idea.pk}/promote/budget"
    good = {"cycle": cycle.slug, "pool": "city", "area": _an_area(city), "requested_cost": 500}
    refused(office_desk, path, {**good, "cycle": "no-such"}, 400, "invalid", field="cycle")
    refused(office_desk, path, {**good, "pool": "no-such"}, 400, "invalid", field="pool")
    refused(office_desk, path, {**good, "area": "no-such"}, 400, "invalid", field="area")
    refused(
        office_desk,
        path,
        {**good, "requested_cost": 10**12},
        400,
        "invalid",
        field="requested_cost",
    )
    answer = send(office_desk, path, good)
    assert answer.status_code == 201, answer.json()
    url = answer.json()["budget_project_url"]
    assert url.startswith(f"/budget/{cycle.slug}/projects/")
    assert client.get(url).status_code == 200
    refused(office_desk, path, good, 409, "already_promoted")


def _an_area(city) -> str:
    from hamkke.budget.selectors import areas_of

    return areas_of(city)[0].code


# --- experts -------------------------------------------------------------------------------------


def test_appointing_and_retiring_experts(office_desk, office_manager, climb):
    person = factories.make_user(display_name="교통전문가")
    answer = send(office_desk, "/experts", {"email": person.email.upper(), "field": "교통공학"})
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert (created["name"], created["email"], created["field"], created["active"]) == (
        "교통전문가",
        person.email,
        "교통공학",
        True,
    )
    listed = office_desk.get(f"{DESK}/experts").json()
    assert created["id"] in [e["id"] for e in listed]
    retired = send(office_desk, f"/experts/{created['id']}/retire")
    assert (retired.status_code, retired.json()["active"]) == (200, False)
    # A retired expert is assigned no more.
    idea = climb("review")
    refused(office_desk, f"/{idea.pk}/reviewers", {"expert": created["id"]}, 400, "invalid")
    refused(office_desk, "/experts", {"email": "nobody@example.org"}, 400, "invalid", field="email")
    refused(office_desk, "/experts/987654/retire", None, 404, "not_found")
    handler = factories.make_official(
        role=Role.HANDLER, department=department("citizen-communication")
    )
    refused(signed_in(handler), "/experts", {"email": person.email}, 403, "role_required")
