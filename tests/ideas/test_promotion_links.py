"""What an adopted idea became links back to it, on its page and through its API: a budget
proposal and an M-Voting poll name the idea they came from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ideas.conftest import in_review, meeting, scored

pytestmark = pytest.mark.django_db


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


def test_the_budget_proposal_links_back_to_the_idea(client, city, adopted, office_manager):
    from hamkke.budget.models import Area
    from hamkke.ideas.services import promote_to_budget
    from tests.budget.conftest import make_cycle

    cycle = make_cycle(city, phase="proposals")
    project = promote_to_budget(
        actor=office_manager,
        idea=adopted,
        pool=cycle.pools.get(code="city"),
        area=Area.objects.filter(city=city).first(),
    )
    idea_url = reverse("ideas:idea", args=[adopted.pk])
    page = client.get(reverse("budget:project", args=[cycle.slug, project.code]))
    assert f'href="{idea_url}"' in page.content.decode()
    answer = client.get(f"/api/v1/budget/cycles/{cycle.slug}/projects/{project.code}")
    assert answer.json()["origin_url"] == idea_url
    # And the idea links to the proposal.
    assert (
        reverse("budget:project", args=[cycle.slug, project.code])
        in client.get(idea_url).content.decode()
    )


def test_the_poll_links_back_to_the_idea(client, adopted, office_manager):
    from hamkke.ideas.services import promote_to_poll

    now = timezone.now()
    poll = promote_to_poll(
        actor=office_manager,
        idea=adopted,
        question="찬성하십니까?",
        options=["찬성", "반대"],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
    )
    idea_url = reverse("ideas:idea", args=[adopted.pk])
    page = client.get(reverse("polls:poll", args=[poll.slug]))
    assert f'href="{idea_url}"' in page.content.decode()
    assert client.get(f"/api/v1/polls/{poll.slug}").json()["origin_url"] == idea_url
    assert reverse("polls:poll", args=[poll.slug]) in client.get(idea_url).content.decode()
