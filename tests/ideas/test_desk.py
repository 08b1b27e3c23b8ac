"""The Oasis desk through the test client: who may open which screen (a role in the idea's
department or at the Oasis office, the second factor), the queues and their flags, and every
action offered only when its policy allows — the answer (refused whole after its deadline),
sending to review and adding reviewers, the decision (only once every reviewer has scored),
implementation updates, carrying an adopted idea into the budget and into a poll, hiding an
idea; the experts' and meetings' screens; the look-up-only back office."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.ideas import services
from hamkke.ideas.models import (
    Event,
    Expert,
    Idea,
    ImplementationUpdate,
    Review,
    ReviewMeeting,
    Theme,
)
from hamkke.ideas.models import State as IdeaState
from tests import factories
from tests.factories import log_in_official as sign_in
from tests.ideas.conftest import (
    answered,
    department,
    forwarded,
    in_discussion,
    in_review,
    make_expert,
    meeting,
    post,
    scored,
    supporters,
)

# Messages are asserted in English, the source language.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def switch_to(client, user) -> None:
    client.logout()
    sign_in(client, user)


def url(name: str, *args) -> str:
    return reverse(f"ideas:{name}", args=args)


def act(idea_id: int, action: str) -> str:
    return url("desk-act", idea_id, action)


def text(response) -> str:
    return response.content.decode()


def overdue(author, theme, settings_of, *, title="늦은 답변", late_days=2):
    """An idea forwarded so long ago that its answer is `late_days` overdue (not escalated:
    the periodic check has not run since)."""
    past = timezone.now() - timedelta(days=settings_of.answer_days + late_days)
    idea = post(author, theme, title=title, now=past)
    return supporters(idea, settings_of.forward_supports, now=past)


def discussed(author, theme, expert, settings_of, handler):
    """An idea whose public discussion has run its time: ready to be sent to review."""
    idea = answered(author, theme, settings_of, handler)
    past = timezone.now() - timedelta(days=settings_of.discussion_length_days + 1)
    return services.rescue_idea(actor=expert.user, idea=idea, reason="중요합니다.", now=past)


def adopted(author, theme, expert, settings_of, handler, office_manager):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    return services.decide_idea(
        actor=office_manager,
        idea=idea,
        outcome=IdeaState.ADOPTED,
        reasons="시민 호응이 큽니다.",
        meeting=meeting(office_manager),
    )


# --- who may open the desk ---------------------------------------------------------------------


def test_anonymous_people_log_in_and_citizens_are_refused(client, author, theme, settings_of):
    idea = forwarded(author, theme, settings_of)
    pages = (url("desk"), url("desk-idea", idea.pk), url("desk-experts"), url("desk-meetings"))
    for address in pages:
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    client.force_login(author)
    for address in pages:
        assert client.get(address).status_code == 403
    assert client.post(act(idea.pk, "answer"), {"text": "네"}).status_code == 403
    idea.refresh_from_db()
    assert idea.state == IdeaState.FORWARDED and idea.answer == ""


def test_an_official_without_the_second_factor_is_sent_to_it(
    client, handler, author, theme, settings_of
):
    idea = forwarded(author, theme, settings_of)
    factories.activate_totp(handler)
    client.force_login(handler)  # password only: this session never saw the code
    for address in (url("desk"), url("desk-idea", idea.pk)):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:second-factor"))
    response = client.post(act(idea.pk, "answer"), {"text": "검토하겠습니다."})
    assert response.url.startswith(reverse("accounts:second-factor"))
    idea.refresh_from_db()
    assert idea.state == IdeaState.FORWARDED and idea.answer == ""


def test_an_official_of_another_department_gets_403(client, city, author, theme, settings_of):
    idea = forwarded(author, theme, settings_of)
    outsider = factories.make_official(role=Role.MANAGER, department=department("safety"))
    sign_in(client, outsider)
    listing = client.get(url("desk"))
    assert listing.status_code == 200
    assert idea.title not in text(listing)
    assert listing.context["departments"] == []
    assert [d.code for d in listing.context["quiet"]] == ["safety"]  # nothing to answer
    assert listing.context["office"] is None  # not at the Oasis office: no office queues
    assert client.get(url("desk-idea", idea.pk)).status_code == 403
    assert client.post(act(idea.pk, "answer"), {"text": "답"}).status_code == 403
    assert client.get(url("desk-experts")).status_code == 403
    assert client.get(url("desk-meetings")).status_code == 403
    idea.refresh_from_db()
    assert idea.state == IdeaState.FORWARDED and idea.answer == ""
    assert not idea.transitions.filter(event=Event.ANSWER).exists()


# --- the index ---------------------------------------------------------------------------------


def test_the_department_sees_its_ideas_to_answer_with_deadlines_and_flags(
    client, handler, author, theme, settings_of, city
):
    escalated = overdue(author, theme, settings_of, title="에스컬레이션된 제안")
    assert services.check_due_ideas() == {"escalate": 1}
    late = overdue(author, theme, settings_of, title="기한이 지난 제안", late_days=1)
    on_time = forwarded(author, theme, settings_of)
    welfare = post(author, Theme.objects.get(city=city, code="welfare"), title="복지")
    supporters(welfare, settings_of.forward_supports)  # answered by the office, not transport

    sign_in(client, handler)
    response = client.get(url("desk"))
    assert response.status_code == 200
    (section,) = response.context["departments"]
    assert section["department"].code == "transport"
    assert response.context["quiet"] == []
    rows = [(row["idea"].pk, row["overdue"], row["escalated"]) for row in section["rows"]]
    # Soonest due first: the late one, the escalated one (a week more), the one just forwarded.
    assert rows == [(late.pk, True, False), (escalated.pk, False, True), (on_time.pk, False, False)]
    page = text(response)
    assert url("desk-idea", late.pk) in page and "Overdue" in page
    assert "Escalated: managers answer" in page
    assert welfare.title not in page
    assert response.context["office"] is None
    assert response.context["contests_url"] == ""  # the contests' desk is the office's
    assert url("desk-experts") not in page


def test_the_office_sees_discussions_reviews_and_adopted_ideas(
    client, office_manager, handler, author, theme, settings_of, expert
):
    running = in_discussion(author, theme, expert, settings_of, handler)
    ready = discussed(author, theme, expert, settings_of, handler)
    reviewing = in_review(author, theme, expert, settings_of, handler, office_manager)
    second = make_expert(office_manager, field="교통공학")
    services.assign_reviewer(actor=office_manager, idea=reviewing, expert=second)
    scored(reviewing, expert)
    taken_up = adopted(author, theme, expert, settings_of, handler, office_manager)
    finished = adopted(author, theme, expert, settings_of, handler, office_manager)
    services.record_progress(
        actor=office_manager,
        idea=finished,
        on=timezone.localdate(),
        status="completed",
        progress=100,
        text="완료했습니다.",
    )

    sign_in(client, office_manager)
    response = client.get(url("desk"))
    assert response.status_code == 200
    assert response.context["office"].code == "citizen-communication"
    assert {row["idea"].pk: row["ready"] for row in response.context["discussion"]} == {
        running.pk: False,
        ready.pk: True,
    }
    (row,) = response.context["reviews"]
    assert row["idea"].pk == reviewing.pk
    assert (row["idea"].scored, row["idea"].waiting, row["complete"]) == (1, 1, False)
    assert [idea.pk for idea in response.context["implementing"]] == [taken_up.pk]
    page = text(response)
    assert "1 of 2 scored" in page and "Ready for review" in page
    assert url("desk-experts") in page and url("desk-meetings") in page


# --- the department's answer ---------------------------------------------------------------


def test_a_handler_answers_and_the_answer_is_on_the_timeline(
    client, handler, author, theme, settings_of
):
    idea = forwarded(author, theme, settings_of)
    sign_in(client, handler)
    page = client.get(url("desk-idea", idea.pk))
    assert page.status_code == 200
    assert act(idea.pk, "answer") in text(page)
    # Actions of later stages are not mentioned at all, whoever could take them.
    assert act(idea.pk, "decision") not in text(page)
    assert "Send to expert review" not in text(page) and "This needs the role" not in text(page)
    assert {name for name, offer in page.context["offers"].items() if offer.note} == set()

    response = client.post(act(idea.pk, "answer"), {"text": "내년 예산에 반영하겠습니다."})
    assert response.status_code == 302 and response.url == url("desk-idea", idea.pk)
    idea.refresh_from_db()
    assert idea.state == IdeaState.ANSWERED
    assert idea.answer == "내년 예산에 반영하겠습니다." and idea.answered_at is not None
    step = idea.transitions.get(event=Event.ANSWER)
    assert (step.actor, step.note) == (handler, "내년 예산에 반영하겠습니다.")
    after = text(client.get(url("desk-idea", idea.pk)))
    assert act(idea.pk, "answer") not in after
    assert "Answered by the department" in after


def test_an_empty_answer_is_refused_beside_its_field(client, handler, author, theme, settings_of):
    idea = forwarded(author, theme, settings_of)
    sign_in(client, handler)
    response = client.post(act(idea.pk, "answer"), {"text": "   "})
    assert response.status_code == 400
    assert response.context["offers"]["answer"].form.errors["text"]
    idea.refresh_from_db()
    assert idea.state == IdeaState.FORWARDED and idea.answer == ""


def test_an_answer_after_the_deadline_is_refused_and_nothing_is_stored(
    client, handler, author, theme, settings_of
):
    idea = overdue(author, theme, settings_of)
    sign_in(client, handler)
    page = client.get(url("desk-idea", idea.pk))
    assert act(idea.pk, "answer") not in text(page)  # not offered
    assert "The answer was due by" in text(page)  # the policy says why
    assert "Answer overdue" in text(page)

    response = client.post(act(idea.pk, "answer"), {"text": "늦었지만 답합니다."})
    assert response.status_code == 409
    assert "The answer was due by" in text(response)
    assert "It is escalated to the department" in text(response)
    idea.refresh_from_db()
    assert idea.state == IdeaState.FORWARDED
    assert idea.answer == "" and idea.answered_at is None
    assert not idea.transitions.filter(event=Event.ANSWER).exists()


def test_once_escalated_only_a_manager_answers(
    client, handler, manager, author, theme, settings_of
):
    idea = overdue(author, theme, settings_of)
    services.check_due_ideas()
    sign_in(client, handler)
    page = text(client.get(url("desk-idea", idea.pk)))
    assert act(idea.pk, "answer") not in page
    assert "This needs the role “manager”" in page
    assert client.post(act(idea.pk, "answer"), {"text": "답"}).status_code == 403
    switch_to(client, manager)
    response = client.post(act(idea.pk, "answer"), {"text": "관리자가 답합니다."})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == IdeaState.ANSWERED and idea.answer == "관리자가 답합니다."


def test_an_unknown_action_is_not_found(client, handler, author, theme, settings_of):
    idea = forwarded(author, theme, settings_of)
    sign_in(client, handler)
    assert client.post(act(idea.pk, "adopt-at-once"), {"text": "답"}).status_code == 404
    assert client.get(act(idea.pk, "answer")).status_code == 405
    assert Idea.objects.get(pk=idea.pk).state == IdeaState.FORWARDED


# --- review --------------------------------------------------------------------------------


def test_the_office_sends_an_idea_to_the_experts_it_chooses(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = discussed(author, theme, expert, settings_of, handler)
    second = make_expert(office_manager, field="교통공학")
    retired = make_expert(office_manager, field="은퇴")
    services.retire_expert(actor=office_manager, expert=retired)
    sign_in(client, office_manager)
    page = client.get(url("desk-idea", idea.pk))
    form = page.context["offers"]["review"].form
    assert {e.pk for e in form.fields["experts"].queryset} == {expert.pk, second.pk}
    assert f'value="{retired.pk}"' not in text(page)

    none = client.post(act(idea.pk, "review"), {})
    assert none.status_code == 400
    assert "Assign at least one expert." in text(none)
    assert Idea.objects.get(pk=idea.pk).state == IdeaState.DISCUSSION

    response = client.post(act(idea.pk, "review"), {"experts": [expert.pk, second.pk]})
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == IdeaState.REVIEW and idea.review_due is not None
    assert set(Review.objects.filter(idea=idea).values_list("expert", flat=True)) == {
        expert.pk,
        second.pk,
    }


def test_review_is_not_offered_while_the_discussion_runs(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = in_discussion(author, theme, expert, settings_of, handler)
    sign_in(client, office_manager)
    page = text(client.get(url("desk-idea", idea.pk)))
    assert act(idea.pk, "review") not in page
    assert "The public discussion runs until" in page
    response = client.post(act(idea.pk, "review"), {"experts": [expert.pk]})
    assert response.status_code == 409
    assert Idea.objects.get(pk=idea.pk).state == IdeaState.DISCUSSION
    assert not Review.objects.filter(idea=idea).exists()


def test_another_reviewer_is_chosen_among_those_not_yet_reviewing(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    second = make_expert(office_manager, field="교통공학")
    sign_in(client, office_manager)
    form = client.get(url("desk-idea", idea.pk)).context["offers"]["reviewer"].form
    assert [e.pk for e in form.fields["expert"].queryset] == [second.pk]
    response = client.post(act(idea.pk, "reviewer"), {"expert": second.pk})
    assert response.status_code == 302
    assert Review.objects.filter(idea=idea, expert=second, scored_at=None).exists()
    again = client.post(act(idea.pk, "reviewer"), {"expert": expert.pk})
    assert again.status_code == 400  # not among the choices: already reviewing
    assert Review.objects.filter(idea=idea).count() == 2


# --- the decision ---------------------------------------------------------------------------


def test_the_decision_waits_for_every_score_and_the_office_reads_the_reviews(
    client, office_manager, handler, author, theme, settings_of, expert
):
    from hamkke.plaza import selectors as plaza_selectors
    from hamkke.plaza import services as plaza_services

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    second = make_expert(office_manager, field="교통공학")
    services.assign_reviewer(actor=office_manager, idea=idea, expert=second)
    scored(idea, expert, feasibility=2)
    held = meeting(office_manager)
    decision = {"outcome": "adopted", "reasons": "효과가 큽니다.", "meeting": held.pk}

    sign_in(client, office_manager)
    page = client.get(url("desk-idea", idea.pk))
    assert act(idea.pk, "decision") not in text(page)
    assert "Waiting for 1 reviewers" in text(page)
    assert "좋습니다." in text(page)  # the scored expert's opinion
    assert {r.expert_id: r.feasibility for r in page.context["reviews"]} == {
        expert.pk: 2,
        second.pk: None,
    }
    refused = client.post(act(idea.pk, "decision"), decision)
    assert refused.status_code == 409
    idea.refresh_from_db()
    assert idea.state == IdeaState.REVIEW and idea.decided_at is None

    scored(idea, second, originality=1)
    form = client.get(url("desk-idea", idea.pk)).context["offers"]["decision"].form
    assert form is not None and list(form.fields["meeting"].queryset) == [held]
    response = client.post(act(idea.pk, "decision"), decision)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == IdeaState.ADOPTED
    assert (idea.meeting, idea.decision_reasons) == (held, "효과가 큽니다.")
    assert idea.implementation == "planned"
    document = plaza_selectors.public_decision(plaza_services.decision_source(idea))
    assert document is not None and idea.title in document.title


def test_the_answering_department_does_not_read_the_reviews(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    sign_in(client, handler)
    page = client.get(url("desk-idea", idea.pk))
    assert page.status_code == 200
    assert page.context["reviews"] is None
    assert "좋습니다." not in text(page)


def test_a_decision_needs_the_office_manager(
    client, manager, office_manager, handler, author, theme, settings_of, expert
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    held = meeting(office_manager)
    decision = {"outcome": "adopted", "reasons": "좋습니다.", "meeting": held.pk}
    # A handler holds no manager role anywhere: refused at the door.
    sign_in(client, handler)
    assert client.post(act(idea.pk, "decision"), decision).status_code == 403
    # The answering department's manager is a manager, but not at the Oasis office.
    switch_to(client, manager)
    page = text(client.get(url("desk-idea", idea.pk)))
    assert act(idea.pk, "decision") not in page
    assert client.post(act(idea.pk, "decision"), decision).status_code == 403
    assert client.post(act(idea.pk, "review"), {}).status_code == 403
    assert Idea.objects.get(pk=idea.pk).state == IdeaState.REVIEW


# --- implementation --------------------------------------------------------------------------


def test_the_department_publishes_implementation_updates(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, handler)
    update = {
        "on": "2030-03-02",
        "status": "in_progress",
        "progress": "40",
        "text": "설계를 마쳤습니다.",
        "link": "https://example.org/plan",
    }
    response = client.post(act(idea.pk, "progress"), update)
    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.implementation, idea.progress) == ("in_progress", 40)
    row = ImplementationUpdate.objects.get(idea=idea)
    assert (row.on.isoformat(), row.text, row.link) == (
        "2030-03-02",
        "설계를 마쳤습니다.",
        "https://example.org/plan",
    )
    assert "설계를 마쳤습니다." in text(client.get(url("desk-idea", idea.pk)))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"progress": "140"}, "Give the progress as a whole percentage, 0 to 100."),
        ({"link": "javascript:alert(1)"}, "Give a web address (https://…) or a page of this site"),
        ({"on": "0001-01-01"}, "Give a date between the years 1900 and 2999."),
        ({"text": ""}, "This field is required."),
    ],
)
def test_a_bad_update_is_refused_and_nothing_is_stored(
    client, office_manager, handler, author, theme, settings_of, expert, changes, message
):
    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, handler)
    update = {"on": "2030-03-02", "status": "in_progress", "progress": "40", "text": "진행"}
    response = client.post(act(idea.pk, "progress"), update | changes)
    assert response.status_code == 400
    assert message in text(response)
    assert not ImplementationUpdate.objects.filter(idea=idea).exists()
    assert Idea.objects.get(pk=idea.pk).progress == 0


def test_updates_are_not_offered_before_adoption(client, handler, author, theme, settings_of):
    idea = forwarded(author, theme, settings_of)
    sign_in(client, handler)
    assert act(idea.pk, "progress") not in text(client.get(url("desk-idea", idea.pk)))
    update = {"on": "2030-03-02", "status": "planned", "progress": "0", "text": "계획"}
    assert client.post(act(idea.pk, "progress"), update).status_code == 409
    assert not ImplementationUpdate.objects.exists()


# --- into the budget and a poll -------------------------------------------------------------


def test_an_adopted_idea_becomes_a_budget_proposal_in_its_authors_name(
    client, city, office_manager, handler, author, theme, settings_of, expert
):
    from hamkke.budget.models import Area, Project
    from tests.budget.conftest import make_cycle

    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    closed = make_cycle(city, phase="voting")
    cycle = make_cycle(city, phase="proposals")
    citywide = cycle.pools.get(code="city")
    area = Area.objects.filter(city=city).first()

    sign_in(client, office_manager)
    form = client.get(url("desk-idea", idea.pk)).context["offers"]["budget"].form
    offered = set(form.fields["pool"].queryset.values_list("cycle", flat=True))
    assert offered == {cycle.pk}  # the cycle in its voting phase takes no proposals
    wrong = client.post(
        act(idea.pk, "budget"),
        {"pool": closed.pools.get(code="city").pk, "area": area.pk},
    )
    assert wrong.status_code == 400
    assert not Project.objects.filter(origin_url=url("idea", idea.pk)).exists()

    response = client.post(
        act(idea.pk, "budget"), {"pool": citywide.pk, "area": area.pk, "summary": ""}
    )
    assert response.status_code == 302
    project = Project.objects.get(origin_url=url("idea", idea.pk))
    assert (project.cycle, project.pool, project.area) == (cycle, citywide, area)
    assert project.proposer == author and project.title == idea.title
    idea.refresh_from_db()
    assert idea.budget_project == project
    page = client.get(url("desk-idea", idea.pk))
    assert page.context["offers"]["budget"].form is None
    assert "This idea has already been carried there." in text(page)
    assert reverse("budget:project", args=[cycle.slug, project.code]) in text(page)
    again = client.post(act(idea.pk, "budget"), {"pool": citywide.pk, "area": area.pk})
    assert again.status_code == 409
    assert Project.objects.filter(origin_url=url("idea", idea.pk)).count() == 1


def test_without_a_cycle_taking_proposals_the_desk_says_so(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, office_manager)
    page = client.get(url("desk-idea", idea.pk))
    assert page.context["no_pools"] is True
    assert "No budget cycle takes proposals now." in text(page)
    assert act(idea.pk, "budget") not in text(page)


def test_an_adopted_idea_is_put_to_a_poll(
    client, office, office_manager, handler, author, theme, settings_of, expert
):
    from hamkke.polls.models import Poll

    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, office_manager)
    poll_data = {
        "question": "한강 섬을 만들까요?",
        "options": "찬성\n\n반대\n 모르겠다 ",
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-05-08T18:00",
    }
    bad = client.post(act(idea.pk, "poll"), poll_data | {"closes_at": "2030-04-01T09:00"})
    assert bad.status_code == 400
    assert "A poll must close after it opens." in text(bad)
    one = client.post(act(idea.pk, "poll"), poll_data | {"options": "찬성"})
    assert one.status_code == 400
    assert "Question 1: give at least two options." in text(one)
    assert not Poll.objects.exists()

    response = client.post(act(idea.pk, "poll"), poll_data)
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert (poll.department, poll.origin_url) == (office, url("idea", idea.pk))
    # 09:00 and 18:00 in Seoul are 00:00 and 09:00 UTC.
    assert poll.opens_at == datetime(2030, 5, 1, 0, 0, tzinfo=UTC)
    assert poll.closes_at == datetime(2030, 5, 8, 9, 0, tzinfo=UTC)
    (question,) = poll.questions.all()
    assert question.text == "한강 섬을 만들까요?"
    assert [o.text for o in question.options.order_by("order")] == ["찬성", "반대", "모르겠다"]
    idea.refresh_from_db()
    assert idea.poll == poll
    page = text(client.get(url("desk-idea", idea.pk)))
    assert reverse("polls:desk-poll", args=[poll.slug]) in page


def test_promotion_is_the_office_managers(
    client, manager, office_manager, handler, author, theme, settings_of, expert
):
    from hamkke.polls.models import Poll

    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, manager)  # the answering department's manager
    page = client.get(url("desk-idea", idea.pk))
    assert page.context["offers"]["poll"].form is None
    assert page.context["offers"]["progress"].form is not None
    poll_data = {
        "question": "만들까요?",
        "options": "예\n아니오",
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-05-08T18:00",
    }
    assert client.post(act(idea.pk, "poll"), poll_data).status_code == 403
    assert not Poll.objects.exists()


# --- moderation ---------------------------------------------------------------------------------


def test_a_moderator_hides_an_idea_and_shows_it_again(
    client, office_manager, handler, author, theme, settings_of
):
    from hamkke.core.errors import NotFound
    from hamkke.ideas import selectors

    idea = forwarded(author, theme, settings_of)
    sign_in(client, handler)  # a handler is no moderator
    page = client.get(url("desk-idea", idea.pk))
    assert page.context["offers"]["visibility"].form is None
    assert act(idea.pk, "visibility") not in text(page)
    assert client.post(act(idea.pk, "visibility"), {"hidden": "1"}).status_code == 403
    assert Idea.objects.get(pk=idea.pk).hidden_at is None

    switch_to(client, office_manager)
    response = client.post(act(idea.pk, "visibility"), {"hidden": "1", "reason": "광고"})
    assert response.status_code == 302
    assert Idea.objects.get(pk=idea.pk).hidden_at is not None
    with pytest.raises(NotFound):
        selectors.public_idea(idea.pk)
    page = client.get(url("desk-idea", idea.pk))
    assert page.status_code == 200  # the desk still sees it
    assert "Hidden from the public" in text(page) and "Show the idea again" in text(page)
    client.post(act(idea.pk, "visibility"), {"hidden": "0"})
    assert Idea.objects.get(pk=idea.pk).hidden_at is None
    assert selectors.public_idea(idea.pk).pk == idea.pk


# --- experts -----------------------------------------------------------------------------------


def test_the_office_appoints_and_retires_experts(client, office_manager, office):
    person = factories.make_user(email="expert@example.org")
    sign_in(client, office_manager)
    assert client.get(url("desk-experts")).status_code == 200
    unknown = client.post(url("desk-experts"), {"email": "nobody@example.org", "field": "법"})
    assert unknown.status_code == 400
    assert "No active account has this email address." in text(unknown)
    assert not Expert.objects.exists()

    response = client.post(url("desk-experts"), {"email": "EXPERT@example.org", "field": "도시"})
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert (expert.user, expert.field, expert.active) == (person, "도시", True)
    listing = text(client.get(url("desk-experts")))
    assert "expert@example.org" in listing and url("desk-retire-expert", expert.pk) in listing

    assert client.post(url("desk-retire-expert", expert.pk)).status_code == 302
    expert.refresh_from_db()
    assert expert.active is False
    assert url("desk-retire-expert", expert.pk) not in text(client.get(url("desk-experts")))
    assert client.post(url("desk-retire-expert", expert.pk)).status_code == 404


def test_an_office_viewer_sees_the_experts_but_cannot_appoint(client, office, office_manager):
    expert = make_expert(office_manager)
    viewer = factories.make_official(role=Role.VIEWER, department=office)
    sign_in(client, viewer)
    page = client.get(url("desk-experts"))
    assert page.status_code == 200
    assert expert.user.email in text(page)
    assert page.context["form"] is None
    assert "This needs the role “manager”" in text(page)
    person = factories.make_user()
    assert client.post(url("desk-experts"), {"email": person.email}).status_code == 403
    assert not Expert.objects.filter(user=person).exists()
    assert client.post(url("desk-retire-expert", expert.pk)).status_code == 403
    assert Expert.objects.get(pk=expert.pk).active is True


# --- meetings ----------------------------------------------------------------------------------


def test_the_office_creates_meetings_and_sees_what_each_decided(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = adopted(author, theme, expert, settings_of, handler, office_manager)
    sign_in(client, office_manager)
    bad = client.post(url("desk-meetings"), {"title": "회의", "held_on": "0999-01-01"})
    assert bad.status_code == 400
    assert "Give a date between the years 1900 and 2999." in text(bad)
    response = client.post(
        url("desk-meetings"), {"title": "제4차 심사회의", "held_on": "2030-04-01", "minutes": ""}
    )
    assert response.status_code == 302
    created = ReviewMeeting.objects.get(title="제4차 심사회의")
    assert created.held_on.isoformat() == "2030-04-01" and created.created_by == office_manager
    page = client.get(url("desk-meetings"))
    rows = {m.pk: [i.pk for i in m.decisions.all()] for m in page.context["meetings"]}
    assert rows == {created.pk: [], idea.meeting_id: [idea.pk]}
    assert url("desk-idea", idea.pk) in text(page)


def test_a_meeting_needs_the_office_manager(client, office):
    handler = factories.make_official(role=Role.HANDLER, department=office)
    sign_in(client, handler)
    assert client.get(url("desk-meetings")).status_code == 200
    response = client.post(url("desk-meetings"), {"title": "회의", "held_on": "2030-04-01"})
    assert response.status_code == 403
    assert not ReviewMeeting.objects.exists()


# --- back office -------------------------------------------------------------------------------


def test_the_back_office_looks_up_and_changes_nothing(
    client, office_manager, handler, author, theme, settings_of, expert
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    review = Review.objects.get(idea=idea)
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    for model in (
        "idea",
        "transition",
        "review",
        "expert",
        "reviewmeeting",
        "implementationupdate",
    ):
        assert client.get(f"/admin/ideas/{model}/").status_code == 200
        assert client.get(f"/admin/ideas/{model}/add/").status_code == 403
    detail = text(client.get(f"/admin/ideas/idea/{idea.pk}/change/"))
    assert idea.title in detail and 'name="_save"' not in detail
    assert url("desk-idea", idea.pk) in detail
    assert author.email not in detail
    assert 'name="_save"' not in text(client.get(f"/admin/ideas/review/{review.pk}/change/"))
    response = client.post(f"/admin/ideas/idea/{idea.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Idea.objects.filter(pk=idea.pk).exists()
