"""The Oasis's services: posting, supports (one per verified person), every pipeline
transition and its guards, thresholds and deadlines read from the profile, escalation of
overdue answers, experts' rescues and scores, decisions published to the Plaza, implementation
updates, promotion into the budget and M-Voting, and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, NotSignedIn
from tests import factories
from tests.ideas.conftest import (
    answered,
    forwarded,
    in_discussion,
    in_review,
    make_expert,
    meeting,
    post,
    scored,
    supporters,
)
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.django_db


def with_profile(city, **changes):
    """Change the city's `[ideas]` numbers as a city would in its profile."""
    from hamkke.core.city.selectors import forget_current_city

    profile = dict(city.profile)
    profile["ideas"] = {**profile["ideas"], **changes}
    city.profile = profile
    city.save(update_fields=["profile"])
    forget_current_city()


def counts():
    from hamkke.ideas.models import Idea, Review, Support, Transition

    return (
        Idea.objects.count(),
        Support.objects.count(),
        Transition.objects.count(),
        Review.objects.filter(scored_at__isnull=False).count(),
    )


# --- posting ---------------------------------------------------------------------------------


def test_a_posted_idea_is_open_with_the_profiles_support_period(author, theme, settings_of):
    before = timezone.now()
    idea = post(author, theme, title="  한강 \x00위 정원 ", body="물 위에 정원을 만듭니다.")
    assert idea.state == "open"
    assert idea.title == "한강 위 정원"
    due = idea.supports_due - idea.state_since
    assert due == timedelta(days=settings_of.forward_days)
    assert idea.state_since >= before
    assert [t.event for t in idea.transitions.all()] == ["submit"]
    # The author follows their idea.
    assert idea.follows.filter(user=author).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "가" * 151}, "title"),
        ({"body": ""}, "body"),
        ({"body": "나" * 10_001}, "body"),
    ],
)
def test_empty_or_oversized_text_is_refused_and_nothing_stored(author, theme, fields, field):
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        post(author, theme, **fields)
    assert refused.value.field == field
    assert counts() == before


def test_nobody_signed_in_cannot_post(theme):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotSignedIn):
        post(AnonymousUser(), theme)


def test_coauthors_follow_and_cannot_support(author, theme):
    from hamkke.ideas.services import support_idea

    partner = phone_voter()
    idea = post(author, theme, coauthors=[partner])
    assert idea.follows.filter(user=partner).exists()
    with pytest.raises(NotAllowed) as refused:
        support_idea(actor=partner, idea=idea)
    assert refused.value.code == "own_idea"


# --- supports ------------------------------------------------------------------------------


def test_one_support_per_verified_person(author, theme):
    from hamkke.ideas.services import support_idea

    idea = post(author, theme)
    person = phone_voter()
    assert support_idea(actor=person, idea=idea) == 1
    with pytest.raises(Conflict):
        support_idea(actor=person, idea=idea)
    idea.refresh_from_db()
    assert idea.supports == 1 == idea.support_rows.count()


def test_the_database_holds_one_support_per_person_and_idea(author, theme):
    from django.db import IntegrityError, transaction

    from hamkke.ideas.models import Support

    idea = post(author, theme)
    Support.objects.create(idea=idea, identity_key="p:same")
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(idea=idea, identity_key="p:same")


def test_unverified_people_and_authors_cannot_support(author, theme):
    from hamkke.ideas.services import support_idea

    idea = post(author, theme)
    with pytest.raises(NotAllowed) as unverified:
        support_idea(actor=factories.make_user(), idea=idea)
    assert unverified.value.code == "verification_required"
    with pytest.raises(NotAllowed) as own:
        support_idea(actor=author, idea=idea)
    assert own.value.code == "own_idea"
    idea.refresh_from_db()
    assert idea.supports == 0


def test_the_profile_may_let_authors_support_their_own_idea(city, author, theme):
    from hamkke.ideas.services import support_idea

    with_profile(city, own_support=True)
    idea = post(author, theme)
    assert support_idea(actor=author, idea=idea) == 1


def test_the_forward_threshold_is_read_from_the_profile(city, author, theme, answering):
    with_profile(city, forward_supports=3)
    idea = supporters(post(author, theme), 2)
    assert idea.state == "open"
    idea = supporters(idea, 1)
    assert idea.state == "forwarded"
    # Forwarded to the theme's department (the profile's), with the profile's answer period.
    assert idea.department == answering
    assert idea.answer_due - idea.state_since == timedelta(days=14)
    assert [t.event for t in idea.transitions.all()] == ["submit", "threshold"]


def test_forwarding_notifies_the_department_and_the_followers(author, theme, settings_of, handler):
    from hamkke.core.models import Notification

    idea = forwarded(author, theme, settings_of)
    assert Notification.objects.filter(recipient=handler, kind="ideas.desk").count() == 1
    told = Notification.objects.filter(recipient=author, kind="ideas.followed")
    assert told.count() == 1
    assert idea.title[:20] in told.get().title


def test_a_theme_without_a_department_goes_to_the_office(city, author, office):
    from hamkke.ideas.models import Theme

    culture = Theme.objects.get(city=city, code="culture")
    with_profile(city, forward_supports=1)
    idea = supporters(post(author, culture), 1)
    assert idea.department == office


# --- the scheduled check -------------------------------------------------------------------


def test_an_idea_without_supports_in_time_closes(author, theme, settings_of):
    from hamkke.ideas.services import check_due_ideas

    idea = supporters(post(author, theme), 3)
    just_before = idea.supports_due - timedelta(seconds=1)
    assert check_due_ideas(now=just_before) == {}
    due = idea.supports_due
    assert check_due_ideas(now=due) == {"expire": 1}
    idea.refresh_from_db()
    assert idea.state == "closed"
    # Run again: nothing more happens.
    assert check_due_ideas(now=due + timedelta(days=1)) == {}


def test_the_check_moves_ideas_whose_threshold_the_profile_lowered(city, author, theme):
    from hamkke.ideas.services import check_due_ideas

    idea = supporters(post(author, theme), 5)
    assert idea.state == "open"
    with_profile(city, forward_supports=5)
    assert check_due_ideas() == {"threshold": 1}
    idea.refresh_from_db()
    assert idea.state == "forwarded"


def test_an_overdue_answer_escalates_once_to_the_managers(
    author, theme, settings_of, handler, manager, office_manager
):
    from hamkke.core.models import Notification
    from hamkke.ideas.services import answer_idea, check_due_ideas

    idea = forwarded(author, theme, settings_of)
    late = idea.answer_due + timedelta(minutes=1)
    # The handler's answer after the deadline is refused and nothing is stored.
    before = counts()
    with pytest.raises(Conflict) as refused:
        answer_idea(actor=handler, idea=idea, text="늦은 답변", now=late)
    assert refused.value.code == "answer_overdue"
    assert counts() == before
    assert check_due_ideas(now=late) == {"escalate": 1}
    assert check_due_ideas(now=late + timedelta(minutes=5)) == {}
    idea.refresh_from_db()
    assert idea.escalated_at == late
    assert idea.answer_due == late + timedelta(days=settings_of.escalation_days)
    assert idea.state == "forwarded"
    assert Notification.objects.filter(recipient=manager, kind="ideas.desk").exists()
    assert Notification.objects.filter(recipient=office_manager, kind="ideas.desk").exists()
    assert not Notification.objects.filter(
        recipient=handler, kind="ideas.desk", title__contains="Overdue"
    ).exists()
    # Escalated: a handler no longer answers; a manager does, by the new deadline.
    with pytest.raises(NotAllowed):
        answer_idea(actor=handler, idea=idea, text="답변", now=late + timedelta(hours=1))
    done = answer_idea(
        actor=manager, idea=idea, text="추진하겠습니다.", now=late + timedelta(hours=1)
    )
    assert done.state == "answered"
    assert [t.event for t in done.transitions.all()][-2:] == ["escalate", "answer"]


# --- answers, discussion, rescue -----------------------------------------------------------


def test_another_department_cannot_answer(author, theme, settings_of, office_manager):
    from hamkke.ideas.services import answer_idea

    idea = forwarded(author, theme, settings_of)
    with pytest.raises(NotAllowed) as refused:
        answer_idea(actor=office_manager, idea=idea, text="답변")
    assert refused.value.code == "role_required"


def test_an_answered_idea_reaches_discussion_by_the_higher_threshold(city, author, theme, handler):
    from hamkke.ideas.services import answer_idea

    with_profile(city, forward_supports=2, discussion_supports=4)
    idea = supporters(post(author, theme), 2)
    idea = answer_idea(actor=handler, idea=idea, text="검토 중입니다.")
    assert idea.state == "answered"
    assert idea.answer == "검토 중입니다."
    idea = supporters(idea, 1)
    assert idea.state == "answered"
    idea = supporters(idea, 1)
    assert idea.state == "discussion"
    assert idea.discussion_ends - idea.state_since == timedelta(days=14)


def test_the_profile_refuses_a_second_stage_below_the_first(city):
    from pydantic import ValidationError

    from hamkke.ideas.profile import IdeasSection

    with pytest.raises(ValidationError):
        IdeasSection(forward_supports=100, discussion_supports=100)


def test_only_experts_rescue_and_only_one_stage(author, theme, expert):
    from hamkke.ideas.services import rescue_idea

    idea = post(author, theme)
    with pytest.raises(NotAllowed) as refused:
        rescue_idea(actor=phone_voter(), idea=idea, reason="좋아요")
    assert refused.value.code == "not_expert"
    moved = rescue_idea(actor=expert.user, idea=idea, reason="공공성이 큽니다.")
    assert moved.state == "forwarded"
    last = moved.transitions.last()
    assert (last.event, last.note, last.actor) == ("rescue", "공공성이 큽니다.", expert.user)
    with pytest.raises(Conflict):
        rescue_idea(actor=expert.user, idea=moved, reason="한 번 더")


def test_a_retired_expert_cannot_rescue(author, theme, expert, office_manager):
    from hamkke.ideas.services import rescue_idea, retire_expert

    retire_expert(actor=office_manager, expert=expert)
    with pytest.raises(NotAllowed):
        rescue_idea(actor=expert.user, idea=post(author, theme), reason="이유")


def test_a_closed_idea_already_answered_cannot_be_rescued(
    author, theme, settings_of, handler, expert
):
    from hamkke.ideas.services import check_due_ideas, rescue_idea

    idea = answered(author, theme, settings_of, handler)
    check_due_ideas(now=idea.supports_due)
    idea.refresh_from_db()
    assert idea.state == "closed"
    with pytest.raises(Conflict) as refused:
        rescue_idea(actor=expert.user, idea=idea, reason="다시")
    assert refused.value.code == "already_answered"


# --- review and decision -------------------------------------------------------------------


def test_review_starts_only_after_the_discussion(
    author, theme, expert, settings_of, handler, office_manager
):
    from hamkke.ideas.services import start_review

    idea = in_discussion(author, theme, expert, settings_of, handler)
    with pytest.raises(Conflict) as early:
        start_review(actor=office_manager, idea=idea, experts=[expert])
    assert early.value.code == "discussion_running"
    later = idea.discussion_ends
    with pytest.raises(NotAllowed):
        start_review(actor=handler, idea=idea, experts=[expert], now=later)
    with pytest.raises(InvalidInput):
        start_review(actor=office_manager, idea=idea, experts=[], now=later)
    idea = start_review(actor=office_manager, idea=idea, experts=[expert], now=later)
    assert idea.state == "review"
    assert idea.reviews.get().expert == expert


def test_reviewers_are_told(author, theme, expert, settings_of, handler, office_manager):
    from hamkke.core.models import Notification

    in_review(author, theme, expert, settings_of, handler, office_manager)
    assert Notification.objects.filter(recipient=expert.user, kind="ideas.review").count() == 1


def test_an_expert_scores_only_ideas_assigned_to_them(
    author, theme, expert, settings_of, handler, office_manager
):
    from hamkke.ideas.services import score_review

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    other = make_expert(office_manager, field="교통")
    before = counts()
    with pytest.raises(NotFound) as refused:
        score_review(
            actor=other.user,
            idea=idea,
            scores={"feasibility": 3, "effect": 3, "cost": 3, "originality": 3},
        )
    assert refused.value.code == "not_assigned"
    with pytest.raises(InvalidInput):
        scored(idea, expert, cost=6)
    assert counts() == before
    review = scored(idea, expert)
    assert (review.feasibility, review.effect, review.cost, review.originality) == (4, 5, 3, 5)


def test_the_decision_waits_for_every_score_and_is_published(
    author, theme, expert, settings_of, handler, office_manager
):
    from hamkke.ideas.services import assign_reviewer, decide_idea
    from hamkke.plaza import selectors as plaza_selectors

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    second = make_expert(office_manager)
    assign_reviewer(actor=office_manager, idea=idea, expert=second)
    scored(idea, expert)
    session = meeting(office_manager)
    with pytest.raises(Conflict) as waiting:
        decide_idea(
            actor=office_manager, idea=idea, outcome="adopted", reasons="좋음", meeting=session
        )
    assert waiting.value.code == "scores_missing"
    scored(idea, second, effect=3)
    with pytest.raises(NotAllowed):
        decide_idea(actor=handler, idea=idea, outcome="adopted", reasons="좋음", meeting=session)
    idea = decide_idea(
        actor=office_manager,
        idea=idea,
        outcome="adopted",
        reasons="시민 호응이 큽니다.",
        meeting=session,
    )
    assert (idea.state, idea.meeting, idea.implementation) == ("adopted", session, "planned")
    document = plaza_selectors.public_decision(f"ideas.idea:{idea.pk}")
    assert document is not None
    assert idea.title in document.title
    # No person's name or email goes to the Plaza.
    assert author.email not in document.body


def test_an_idea_not_adopted_is_not_published(
    author, theme, expert, settings_of, handler, office_manager
):
    from hamkke.ideas.services import decide_idea
    from hamkke.plaza import selectors as plaza_selectors

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    idea = decide_idea(
        actor=office_manager,
        idea=idea,
        outcome="not_adopted",
        reasons="예산이 부족합니다.",
        meeting=meeting(office_manager),
    )
    assert idea.state == "not_adopted"
    assert plaza_selectors.public_decision(f"ideas.idea:{idea.pk}") is None


def test_skipping_or_reversing_a_state_is_refused(
    author, theme, expert, settings_of, handler, office_manager
):
    from hamkke.ideas import pipeline
    from hamkke.ideas.services import answer_idea, decide_idea, transition

    idea = post(author, theme)
    before = counts()
    with pytest.raises(Conflict):
        transition(idea=idea, event=pipeline.ADOPT)
    with pytest.raises(Conflict):
        answer_idea(actor=handler, idea=idea, text="답")
    assert counts() == before
    done = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(done, expert)
    done = decide_idea(
        actor=office_manager,
        idea=done,
        outcome="partly_adopted",
        reasons="일부",
        meeting=meeting(office_manager),
    )
    for event in (pipeline.THRESHOLD, pipeline.ANSWER, pipeline.START_REVIEW, pipeline.REJECT):
        with pytest.raises(Conflict):
            transition(idea=done, event=event)
    done.refresh_from_db()
    assert done.state == "partly_adopted"


# --- implementation and promotion --------------------------------------------------------


@pytest.fixture
def adopted(author, theme, expert, settings_of, handler, office_manager):
    from hamkke.ideas.services import decide_idea

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    return decide_idea(
        actor=office_manager,
        idea=idea,
        outcome="adopted",
        reasons="채택",
        meeting=meeting(office_manager),
    )


def test_implementation_updates_track_progress(adopted, handler, author):
    from hamkke.core.models import Notification
    from hamkke.ideas.services import record_progress

    today = timezone.localdate()
    record_progress(
        actor=handler,
        idea=adopted,
        on=today,
        status="in_progress",
        progress=40,
        text="설계 완료",
        link="https://example.org/plan",
    )
    adopted.refresh_from_db()
    assert (adopted.implementation, adopted.progress) == ("in_progress", 40)
    assert Notification.objects.filter(recipient=author, title__contains="40%").exists()
    for bad in ({"progress": 101}, {"status": "sleeping"}, {"link": "javascript:alert(1)"}):
        values = {"on": today, "status": "in_progress", "progress": 50, "text": "x"} | bad
        with pytest.raises(InvalidInput):
            record_progress(actor=handler, idea=adopted, **values)
    assert adopted.updates.count() == 1


def test_progress_only_on_adopted_ideas(author, theme, settings_of, handler):
    from hamkke.ideas.services import record_progress

    idea = forwarded(author, theme, settings_of)
    with pytest.raises(Conflict):
        record_progress(
            actor=handler,
            idea=idea,
            on=timezone.localdate(),
            status="planned",
            progress=0,
            text="x",
        )


def test_an_adopted_idea_becomes_a_budget_proposal_in_one_action(
    city, adopted, office_manager, author
):
    from hamkke.budget.models import Area
    from hamkke.ideas.services import promote_to_budget
    from tests.budget.conftest import make_cycle

    cycle = make_cycle(city, phase="proposals")
    pool = cycle.pools.get(code="city")
    area = Area.objects.filter(city=city).first()
    project = promote_to_budget(actor=office_manager, idea=adopted, pool=pool, area=area)
    assert project.proposer == author
    assert project.title == adopted.title
    assert project.origin_url == f"/ideas/{adopted.pk}/"
    adopted.refresh_from_db()
    assert adopted.budget_project == project
    with pytest.raises(Conflict):
        promote_to_budget(actor=office_manager, idea=adopted, pool=pool, area=area)


def test_a_budget_outside_its_proposals_phase_takes_no_idea(city, adopted, office_manager):
    from hamkke.budget.models import Area, Project
    from hamkke.ideas.services import promote_to_budget
    from tests.budget.conftest import make_cycle

    cycle = make_cycle(city, phase="voting")
    before = Project.objects.count()
    with pytest.raises(Conflict):
        promote_to_budget(
            actor=office_manager,
            idea=adopted,
            pool=cycle.pools.get(code="city"),
            area=Area.objects.filter(city=city).first(),
        )
    assert Project.objects.count() == before
    adopted.refresh_from_db()
    assert adopted.budget_project is None


def test_an_adopted_idea_becomes_a_poll_in_one_action(adopted, office_manager, office, handler):
    from hamkke.ideas.services import promote_to_poll

    now = timezone.now()
    with pytest.raises(NotAllowed):
        promote_to_poll(
            actor=handler,
            idea=adopted,
            question="찬성하십니까?",
            options=["찬성", "반대"],
            opens_at=now,
            closes_at=now + timedelta(days=7),
        )
    poll = promote_to_poll(
        actor=office_manager,
        idea=adopted,
        question="찬성하십니까?",
        options=["찬성", "반대"],
        opens_at=now,
        closes_at=now + timedelta(days=7),
    )
    assert (poll.title, poll.department, poll.origin_url) == (
        adopted.title,
        office,
        f"/ideas/{adopted.pk}/",
    )
    assert [o.text for o in poll.questions.get().options.order_by("order")] == ["찬성", "반대"]
    adopted.refresh_from_db()
    assert adopted.poll == poll


def test_only_adopted_ideas_are_promoted(author, theme, office_manager):
    from hamkke.ideas.services import promote_to_poll

    now = timezone.now()
    with pytest.raises(Conflict):
        promote_to_poll(
            actor=office_manager,
            idea=post(author, theme),
            question="?",
            options=["예", "아니오"],
            opens_at=now,
            closes_at=now + timedelta(days=1),
        )


# --- withdrawing, follows, moderation, personal data ----------------------------------------


def test_only_the_author_withdraws_and_only_while_open(author, theme, settings_of):
    from hamkke.ideas.services import withdraw_idea

    idea = post(author, theme)
    with pytest.raises(NotAllowed):
        withdraw_idea(actor=phone_voter(), idea=idea)
    assert withdraw_idea(actor=author, idea=idea).state == "withdrawn"
    later = forwarded(author, theme, settings_of)
    with pytest.raises(Conflict):
        withdraw_idea(actor=author, idea=later)


def test_followers_hear_of_each_move_and_can_stop(author, theme, settings_of, handler):
    from hamkke.core.models import Notification
    from hamkke.ideas.services import answer_idea, follow_idea

    idea = post(author, theme)
    reader = factories.make_user()
    follow_idea(actor=reader, idea=idea)
    idea = supporters(idea, settings_of.forward_supports)
    assert Notification.objects.filter(recipient=reader, kind="ideas.followed").count() == 1
    follow_idea(actor=reader, idea=idea, follow=False)
    answer_idea(actor=handler, idea=idea, text="답변드립니다.")
    assert Notification.objects.filter(recipient=reader, kind="ideas.followed").count() == 1
    assert Notification.objects.filter(recipient=author, kind="ideas.followed").count() == 2


def test_a_hidden_idea_takes_no_supports_or_comments(author, theme):
    from hamkke.core.comments.services import add_comment
    from hamkke.ideas.services import set_idea_hidden, support_idea

    idea = post(author, theme)
    moderator = factories.make_official(role=30)
    set_idea_hidden(actor=moderator, idea=idea, hidden=True)
    with pytest.raises(NotFound):
        support_idea(actor=phone_voter(), idea=idea)
    with pytest.raises((NotFound, NotAllowed)):
        add_comment(author=phone_voter(), target=idea, body="보이나요?")


def test_a_closed_idea_takes_no_comments(author, theme):
    from hamkke.core.comments.services import add_comment
    from hamkke.ideas.services import check_due_ideas

    idea = post(author, theme)
    add_comment(author=phone_voter(), target=idea, body="좋은 생각입니다.")
    check_due_ideas(now=idea.supports_due)
    idea.refresh_from_db()
    with pytest.raises((Conflict, NotAllowed)):
        add_comment(author=phone_voter(), target=idea, body="늦은 의견")
    assert idea.pk and idea.state == "closed"


def test_forgetting_a_person_keeps_their_ideas_without_them(author, theme):
    from hamkke.ideas.models import Support
    from hamkke.ideas.selectors import personal_data_of
    from hamkke.ideas.services import forget_person, support_idea

    idea = post(author, theme)
    other = post(phone_voter(), theme, title="다른 아이디어", body="내용")
    support_idea(actor=author, idea=other)
    assert [row["id"] for row in personal_data_of(author)["ideas"]] == [idea.pk]
    forget_person(author)
    idea.refresh_from_db()
    assert idea.author is None
    assert Support.objects.get(idea=other).user is None
    other.refresh_from_db()
    assert other.supports == 1
    assert personal_data_of(author)["ideas"] == []


def test_similar_ideas_are_found_in_korean(author, theme):
    from hamkke.ideas.selectors import similar_ideas

    island = post(author, theme, title="한강에 떠 있는 인공섬을 만들자", body="공연장 섬")
    post(author, theme, title="지하철 막차 연장", body="밤늦게 귀가하는 시민을 위해")
    found = similar_ideas("한강 인공섬 공연")
    assert found[0][0] == island
    assert all(idea.title != "지하철 막차 연장" for idea, _score in found)


def test_an_adoption_is_published_in_the_citys_language_whoever_decides(
    author, theme, expert, settings_of, handler, office_manager
):
    from django.utils import translation

    from hamkke.ideas.services import decide_idea
    from hamkke.plaza import selectors as plaza_selectors

    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert)
    with translation.override("en"):
        decide_idea(
            actor=office_manager,
            idea=idea,
            outcome="adopted",
            reasons="채택합니다.",
            meeting=meeting(office_manager),
        )
    document = plaza_selectors.public_decision(f"ideas.idea:{idea.pk}")
    # Seoul's language is Korean: the Plaza's title is not the English wording.
    assert not document.title.startswith("Citizens' idea")
    assert "채택" in document.title
