"""Fixtures of the Oasis tests: the office that runs it (Seoul's citizen-communication), a
theme's answering department and its officials, experts, citizens verified by phone, and ideas
placed in any state of the pipeline through the services themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.polls.conftest import phone_voter

OFFICE = "citizen-communication"
# Seoul's transport theme is answered by the transport department (profile).
THEME = "transport"
THEME_DEPARTMENT = "transport"


def department(code):
    from hamkke.core.models import Department

    return Department.objects.get(city__slug="seoul", code=code)


@pytest.fixture
def office(city):
    return department(OFFICE)


@pytest.fixture
def answering(city):
    return department(THEME_DEPARTMENT)


@pytest.fixture
def office_manager(office):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.MANAGER, department=office)


@pytest.fixture
def handler(answering):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.HANDLER, department=answering)


@pytest.fixture
def manager(answering):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.MANAGER, department=answering)


@pytest.fixture
def theme(city):
    from hamkke.ideas.models import Theme

    return Theme.objects.get(city=city, code=THEME)


@pytest.fixture
def author(city):
    return phone_voter()


def make_expert(office_manager, field="도시계획"):
    from hamkke.ideas.services import appoint_expert

    return appoint_expert(actor=office_manager, user=factories.make_user(), field=field)


@pytest.fixture
def expert(office_manager):
    return make_expert(office_manager)


def post(author, theme, **fields):
    from hamkke.ideas.services import post_idea

    values = {
        "title": "한강에 떠 있는 섬을 만들자",
        "body": "한강에 인공 섬을 띄워 공연장으로 씁니다.",
    }
    values.update(fields)
    return post_idea(actor=author, theme=theme, **values)


@pytest.fixture
def settings_of(city):
    from hamkke.ideas.services import ideas_settings

    return ideas_settings(city)


def supporters(idea, count, **kwargs):
    """`count` new people verified by phone support the idea."""
    from hamkke.ideas.services import support_idea

    for _ in range(count):
        support_idea(actor=phone_voter(), idea=idea, **kwargs)
    idea.refresh_from_db()
    return idea


def forwarded(author, theme, settings_of):
    idea = post(author, theme)
    return supporters(idea, settings_of.forward_supports)


def answered(author, theme, settings_of, handler):
    from hamkke.ideas.services import answer_idea

    idea = forwarded(author, theme, settings_of)
    return answer_idea(actor=handler, idea=idea, text="검토하겠습니다.")


def in_discussion(author, theme, expert, settings_of, handler):
    from hamkke.ideas.services import rescue_idea

    idea = answered(author, theme, settings_of, handler)
    return rescue_idea(actor=expert.user, idea=idea, reason="중요한 제안입니다.")


def in_review(author, theme, expert, settings_of, handler, office_manager):
    from hamkke.ideas.services import start_review

    idea = in_discussion(author, theme, expert, settings_of, handler)
    later = idea.discussion_ends + timedelta(minutes=1)
    return start_review(actor=office_manager, idea=idea, experts=[expert], now=later)


def scored(idea, expert, **scores):
    from hamkke.ideas.services import score_review

    values = {"feasibility": 4, "effect": 5, "cost": 3, "originality": 5}
    values.update(scores)
    return score_review(actor=expert.user, idea=idea, scores=values, opinion="좋습니다.")


def meeting(office_manager):
    from hamkke.ideas.services import create_meeting

    return create_meeting(
        actor=office_manager, title="제3차 시민제안 심사회의", held_on=timezone.localdate()
    )
