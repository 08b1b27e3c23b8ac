"""The Oasis demo, read back from the database: every state of the pipeline, each idea's dates,
counters and timeline as the services would have left them (the periodic check finds nothing
to do), the two adopted showcases with their reviews, meeting, implementation and Plaza
documents, a finished contest with its awards and a running one in its vote, the similar-idea
suggestion working on the demo's text, and the demo people able to take part at once."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from hamkke.accounts import demo as accounts_demo
from hamkke.accounts.identity import phone_key
from hamkke.accounts.models import User, VerificationMethod, VerifiedIdentity
from hamkke.ideas import demo, demo_texts, pipeline, policies, selectors, services
from hamkke.ideas.models import (
    Award,
    Contest,
    ContestVote,
    Event,
    Follow,
    Idea,
    IdeaShingle,
    Review,
    Support,
    Theme,
    Transition,
)
from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza import services as plaza_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A smaller demo than `hamkke demo`'s: every state still gets its ideas.
IDEAS = 150
CITIZEN_PHONE = "+821020260001"  # as the M-Voting demo verifies the demo citizen


@pytest.fixture
def seeded(city):
    list(accounts_demo.seed())
    citizen = User.objects.get(email=demo.CITIZEN)
    VerifiedIdentity.objects.create(
        user=citizen, method=VerificationMethod.PHONE, identity_key=phone_key(CITIZEN_PHONE)
    )
    return list(demo.seed(ideas=IDEAS))


@pytest.fixture
def stages(city):
    return services.stages_of(services.ideas_settings(city))


def timeline(idea: Idea) -> list[Transition]:
    return list(Transition.objects.filter(idea=idea).order_by("at", "id"))


def test_every_state_every_theme_and_places_on_the_map(seeded, city):
    ideas = Idea.objects.filter(city=city)
    assert set(ideas.values_list("state", flat=True)) == set(pipeline.STATES)
    assert ideas.count() >= IDEAS
    used = set(ideas.values_list("theme__code", flat=True))
    assert used == set(Theme.objects.filter(city=city).values_list("code", flat=True))
    mapped = ideas.exclude(location=None).select_related("location")
    assert mapped.count() >= 20
    # An idea on the map lies in the district its point is in.
    assert all(idea.district_id == idea.location.district_id for idea in mapped)
    assert ideas.exclude(district=None).values("district").distinct().count() >= 15
    # One forwarded idea's answer was overdue and escalated to the managers.
    escalated = ideas.get(escalated_at__isnull=False, state=pipeline.FORWARDED)
    assert [t.event for t in timeline(escalated)][-1] == Event.ESCALATE


def test_supports_counters_equal_the_rows_of_distinct_verified_people(seeded, city):
    counted = Idea.objects.filter(city=city).annotate(rows=Count("support_rows"))
    assert all(idea.supports == idea.rows for idea in counted)
    assert sum(idea.rows for idea in counted) > 10_000
    phones = dict(
        VerifiedIdentity.objects.filter(method=VerificationMethod.PHONE).values_list(
            "user_id", "identity_key"
        )
    )
    authors = dict(Idea.objects.values_list("pk", "author_id"))
    follows = set(Follow.objects.values_list("idea_id", "user_id"))
    for idea_id, key, user_id in Support.objects.values_list("idea", "identity_key", "user"):
        assert phones[user_id] == key  # the supporter's own phone identity
        assert user_id != authors[idea_id]  # the profile lets no one support their own idea
        assert (idea_id, user_id) in follows  # supporters follow what they support
    assert all((idea, author) in follows for idea, author in authors.items() if author)


def test_dates_and_fields_agree_with_each_state(seeded, city, stages):
    now = timezone.now()
    rescued = set(Transition.objects.filter(event=Event.RESCUE).values_list("idea", flat=True))
    for idea in Idea.objects.filter(city=city):
        state = idea.state
        if state == pipeline.OPEN:
            assert idea.supports < stages.forward_supports
            assert idea.supports_due > now
            assert idea.supports_due == idea.created_at + timedelta(days=stages.forward_days)
        if state in pipeline.COLLECTING - {pipeline.OPEN} or state in pipeline.DECIDED:
            assert idea.department is not None
            assert idea.supports >= stages.forward_supports or idea.pk in rescued
        if state == pipeline.FORWARDED:
            assert idea.answer_due > now and not idea.answer
        if state == pipeline.ANSWERED:
            assert idea.answer and idea.answered_at
            assert idea.supports < stages.discussion_supports
            assert idea.supports_due == idea.answered_at + timedelta(days=stages.discussion_days)
            assert idea.supports_due > now
        if state in (pipeline.DISCUSSION, pipeline.REVIEW, *pipeline.DECIDED):
            assert idea.answer and idea.answered_at
            assert idea.supports >= stages.discussion_supports or idea.pk in rescued
        if state == pipeline.DISCUSSION:
            assert idea.discussion_ends == idea.state_since + timedelta(
                days=stages.discussion_length_days
            )
        if state == pipeline.REVIEW:
            assert idea.review_due > idea.state_since and idea.reviews.exists()
        if state in pipeline.DECIDED:
            assert idea.meeting is not None and idea.decision_reasons and idea.decided_at
            assert idea.decided_at == idea.state_since <= now
            assert idea.reviews.exists()
            assert not idea.reviews.filter(scored_at=None).exists()
        if state in pipeline.TAKEN_UP:
            assert idea.implementation
        if state in pipeline.FINAL:
            assert idea.supports_due is None and idea.answer_due is None
    # What the periodic check would have done by now is done: it finds nothing to do.
    assert services.check_due_ideas() == {}


def test_every_timeline_walks_the_pipeline_to_the_idea_state(seeded, city, stages):
    for idea in Idea.objects.filter(city=city):
        steps = timeline(idea)
        first, *moves = steps
        assert (first.event, first.to_state, first.at) == (Event.SUBMIT, "open", idea.created_at)
        state = pipeline.OPEN
        for step in moves:
            assert step.at >= first.at
            if step.event == Event.ESCALATE:
                assert step.from_state == step.to_state == state == pipeline.FORWARDED
                continue
            assert step.from_state == state
            assert pipeline.next_state(state, step.event) == step.to_state
            state = step.to_state
        assert state == idea.state
        assert [s for s in steps if s.event != Event.ESCALATE][-1].at == idea.state_since


def test_supports_came_while_the_idea_collected_them_and_crossed_each_threshold(
    seeded, city, stages
):
    moments = defaultdict(list)
    for idea_id, at in Support.objects.filter(idea__city=city).values_list("idea", "created_at"):
        moments[idea_id].append(at)
    for idea in Idea.objects.filter(city=city):
        came = sorted(moments[idea.pk])
        assert all(idea.created_at <= at for at in came)
        left = next(
            (
                t.at
                for t in timeline(idea)
                if t.to_state not in pipeline.COLLECTING and t.event != Event.SUBMIT
            ),
            None,
        )
        if left is not None:
            assert all(at <= left for at in came), idea.title
        for step in timeline(idea):
            if step.event != Event.THRESHOLD:
                continue
            needed = (
                stages.forward_supports
                if step.from_state == pipeline.OPEN
                else stages.discussion_supports
            )
            assert sum(at <= step.at for at in came) >= needed
            if step.from_state == pipeline.OPEN:  # moved on by the support that reached it
                assert sum(at < step.at for at in came) == needed - 1


@pytest.mark.parametrize("spec", demo_texts.SHOWCASES, ids=["floating-island", "museum"])
def test_the_showcases_were_adopted_and_published_on_the_plaza(seeded, city, spec):
    idea = Idea.objects.get(city=city, title=spec.title)
    assert idea.state == pipeline.ADOPTED
    assert idea.supports == spec.supports == Support.objects.filter(idea=idea).count()
    assert idea.answer == spec.answer and idea.location is not None
    reviews = list(idea.reviews.select_related("expert__user"))
    assert len(reviews) == 3
    assert all(r.scored_at and r.expert.active and r.expert.appointed_by for r in reviews)
    assert {r.opinion for r in reviews} == set(spec.opinions)
    assert idea.meeting is not None and idea.decision_reasons == spec.reasons
    updates = list(idea.updates.order_by("on"))
    assert [u.progress for u in updates] == [progress for _s, progress, _t in spec.steps]
    assert (idea.implementation, idea.progress) == ("completed", 100)
    assert [t.event for t in timeline(idea)] == [
        Event.SUBMIT,
        Event.THRESHOLD,
        Event.ANSWER,
        Event.THRESHOLD,
        Event.START_REVIEW,
        Event.ADOPT,
    ]
    document = plaza_selectors.public_decision(plaza_services.decision_source(idea))
    assert document is not None
    assert spec.title in document.title and spec.reasons in document.body


def test_every_adoption_is_on_the_plaza(seeded, city):
    taken_up = Idea.objects.filter(city=city, state__in=pipeline.TAKEN_UP)
    assert taken_up.count() >= 4
    for idea in taken_up:
        document = plaza_selectors.public_decision(plaza_services.decision_source(idea))
        assert document is not None, idea.title
    refused = Idea.objects.filter(city=city, state=pipeline.NOT_ADOPTED).first()
    assert plaza_selectors.public_decision(plaza_services.decision_source(refused)) is None


def test_a_finished_contest_with_awards_and_a_running_one_in_its_vote(seeded, city):
    finished = Contest.objects.get(slug__startswith=demo_texts.CLIMATE_CONTEST.slug)
    running = Contest.objects.get(slug__startswith=demo_texts.HANGANG_CONTEST.slug)
    assert policies.contest_phase(finished) == "ended" and finished.awarded_at
    assert policies.contest_phase(running) == "voting" and running.awarded_at is None
    places = sum(tier.winners for tier in finished.tiers.all())
    awards = list(Award.objects.filter(contest=finished).order_by("rank"))
    assert [a.rank for a in awards] == list(range(1, places + 1))
    assert [a.score for a in awards] == sorted((a.score for a in awards), reverse=True)
    assert {a.tier.prize_amount for a in awards} == {1_000_000, 3_000_000, 5_000_000, 10_000_000}
    for award in awards:
        assert selectors.award_by_certificate(award.certificate) == award
    for contest in (finished, running):
        entries = Idea.objects.filter(contest=contest)
        assert entries.count() >= 10
        assert all(contest.submissions_open <= e.created_at < contest.voting_opens for e in entries)
        votes = ContestVote.objects.filter(contest=contest)
        assert votes.count() > 100
        assert all(contest.voting_opens <= v.created_at < contest.jury_opens for v in votes)
        per_person = Counter(votes.values_list("identity_key", flat=True))
        assert max(per_person.values()) <= contest.votes_per_person
    assert set(Idea.objects.filter(contest=running).values_list("state", flat=True)) == {"open"}
    # Nobody voted for their own entry.
    phones = dict(
        VerifiedIdentity.objects.filter(method=VerificationMethod.PHONE).values_list(
            "user_id", "identity_key"
        )
    )
    for key, author in ContestVote.objects.values_list("identity_key", "idea__author"):
        assert phones.get(author) != key


def test_the_similar_idea_suggestion_finds_the_floating_island(seeded):
    found = selectors.similar_ideas("한강 인공섬")
    assert found[0][0].title == demo_texts.FLOATING_ISLAND.title
    assert IdeaShingle.objects.count() > 20 * Idea.objects.count()


def test_the_demo_citizen_can_support_and_vote_and_the_expert_can_score(seeded, city):
    citizen = User.objects.get(email=demo.CITIZEN)
    assert any(demo.CITIZEN in line for line in seeded)
    assert Idea.objects.filter(author=citizen).count() == 2
    open_idea = (
        Idea.objects.filter(city=city, state=pipeline.OPEN, contest=None)
        .exclude(author=citizen)
        .exclude(support_rows__user=citizen)
        .first()
    )
    before = open_idea.supports
    assert services.support_idea(actor=citizen, idea=open_idea) == before + 1
    running = Contest.objects.get(slug__startswith=demo_texts.HANGANG_CONTEST.slug)
    entry = Idea.objects.filter(contest=running).exclude(author=citizen).first()
    left = services.vote_for_entry(actor=citizen, contest=running, idea=entry)
    assert left == running.votes_per_person - 1
    expert = User.objects.get(email=demo_texts.EXPERTS[0][0])
    assert expert.check_password(accounts_demo.DEMO_PASSWORD)
    waiting = Review.objects.filter(expert__user=expert, scored_at=None, idea__state="review")
    assert waiting.exists()
    review = services.score_review(
        actor=expert,
        idea=waiting.first().idea,
        scores={"feasibility": 4, "effect": 4, "cost": 3, "originality": 5},
    )
    assert review.scored_at is not None


def test_seeding_again_changes_nothing(seeded, city):
    assert seeded[0].startswith("Oasis: ") and seeded[0].endswith(" s.")
    before = (Idea.objects.count(), Support.objects.count(), Contest.objects.count())
    assert list(demo.seed(ideas=IDEAS)) == ["Oasis: demo ideas already there."]
    assert (Idea.objects.count(), Support.objects.count(), Contest.objects.count()) == before
