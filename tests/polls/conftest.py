"""Fixtures of the M-Voting tests: the department answering for polls, its officials, voters
verified by phone or against the residents register (with a birth date), and polls."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories

_numbers = itertools.count(1)
DEPARTMENT = "citizen-communication"


def polls_department(city=None):
    from hamkke.core.models import Department

    return Department.objects.get(city__slug="seoul", code=DEPARTMENT)


@pytest.fixture
def department(city):
    return polls_department(city)


@pytest.fixture
def poll_manager(department):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.MANAGER, department=department)


@pytest.fixture
def poll_handler(department):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.HANDLER, department=department)


def phone_voter(**fields):
    """A new account verified by a phone in the person's name."""
    from hamkke.accounts.identity import phone_key
    from hamkke.accounts.models import VerificationMethod, VerifiedIdentity

    user = factories.make_user(**fields)
    VerifiedIdentity.objects.create(
        user=user,
        method=VerificationMethod.PHONE,
        identity_key=phone_key(f"+8210{next(_numbers):08d}"),
    )
    return user


def resident_voter(*, district_code: str = "11110", birth_date: date | None = None, user=None):
    """A new account (or `user`) verified against the residents register as living in
    `district_code`, born on `birth_date` (1990-01-01 by default)."""
    from hamkke.accounts.identity import resident_key
    from hamkke.accounts.models import CensusRecord, VerificationMethod, VerifiedIdentity
    from hamkke.core.models import District

    user = user or factories.make_user()
    number = next(_numbers)
    district = District.objects.get(code=district_code, city__slug="seoul")
    key = resident_key(f"900101-{number:07d}")
    CensusRecord.objects.create(
        record_key=key, match_key=f"p{number}", district=district, batch="t"
    )
    VerifiedIdentity.objects.create(
        user=user,
        method=VerificationMethod.CENSUS,
        identity_key=key,
        district=district,
        birth_date=birth_date or date(1990, 1, 1),
    )
    return user


def draft(**fields):
    """A poll draft open now for a week: one single-choice question of three options and a
    ranking of four, open to people verified by phone (override any field)."""
    from hamkke.polls.services import PollDraft, QuestionDraft

    now = timezone.now()
    values = {
        "title": "한강 수상 공원을 만들까요?",
        "description": "시민의 뜻을 묻습니다.",
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=7),
        "questions": [
            QuestionDraft(text="찬성하십니까?", kind="single", options=["찬성", "반대", "모름"]),
            QuestionDraft(
                text="우선순위를 매겨 주세요",
                kind="ranking",
                options=["놀이터", "도서관", "공원", "주차장"],
            ),
        ],
    }
    values.update(fields)
    return PollDraft(**values)


def make_poll(actor, department, **fields):
    from hamkke.polls.services import create_poll

    return create_poll(actor=actor, department=department, draft=draft(**fields))


def options_of(poll):
    """[[option ids of question 1], [of question 2], …] and the question ids."""
    questions = list(poll.questions.order_by("order"))
    return [q.pk for q in questions], [
        list(q.options.order_by("order").values_list("pk", flat=True)) for q in questions
    ]


@pytest.fixture(autouse=True)
def ballots_leave_the_box_at_once(settings):
    """A batch of one, as in the budget's tests; tests of the box itself set their own size."""
    settings.HAMKKE_BALLOT_BATCH = 1
