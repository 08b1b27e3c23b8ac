"""`hamkke ideas check|list|expert`: the periodic check run by hand with its counts per event
(and nothing left to do on a second run), the operator's list of ideas, and appointing an
expert as the site's operator; refusals print nothing on stdout."""

from __future__ import annotations

import copy
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hamkke.core.models import AuditEntry
from hamkke.ideas import services
from hamkke.ideas.models import Expert, Idea, State
from tests import factories
from tests.ideas.conftest import forwarded, post, supporters

# Commands speak the site's language; refusals are asserted in English, the source.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def ideas(*args: str) -> str:
    out = StringIO()
    call_command("ideas", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def lowered_threshold(city):
    """The city lowers the supports that send an idea to its department to 3 (ideas that
    already have them move on at the next check)."""
    from hamkke.core.city.selectors import forget_current_city
    from hamkke.core.models import City

    profile = copy.deepcopy(city.profile)
    profile["ideas"]["forward_supports"] = 3
    City.objects.filter(pk=city.pk).update(profile=profile)
    forget_current_city()
    yield 3
    forget_current_city()  # the next test reads the profile as the database has it again


def test_check_moves_what_is_due_and_prints_each_events_count(author, theme, settings_of):
    long_ago = timezone.now() - timedelta(days=settings_of.forward_days + 1)
    expired = post(author, theme, title="지지를 못 받은 제안", now=long_ago)
    late_since = timezone.now() - timedelta(days=settings_of.answer_days + 1)
    late = post(author, theme, title="답이 늦은 제안", now=late_since)
    supporters(late, settings_of.forward_supports, now=late_since)
    waiting = post(author, theme, title="아직 기간 중인 제안")

    assert ideas("check").splitlines() == ["threshold\t0", "expire\t1", "escalate\t1"]
    assert Idea.objects.get(pk=expired.pk).state == State.CLOSED
    late.refresh_from_db()
    assert late.state == State.FORWARDED and late.escalated_at is not None
    assert Idea.objects.get(pk=waiting.pk).state == State.OPEN
    # Nothing is due any more: a second run moves nothing.
    assert ideas("check").splitlines() == ["threshold\t0", "expire\t0", "escalate\t0"]


def test_check_forwards_ideas_that_reach_a_lowered_threshold(author, theme, request):
    idea = supporters(post(author, theme), 3)
    few = supporters(post(author, theme, title="지지가 적은 제안"), 2)
    assert idea.state == State.OPEN  # 3 of the profile's 50
    request.getfixturevalue("lowered_threshold")
    assert ideas("check").splitlines() == ["threshold\t1", "expire\t0", "escalate\t0"]
    idea.refresh_from_db()
    assert idea.state == State.FORWARDED and idea.department.code == "transport"
    assert Idea.objects.get(pk=few.pk).state == State.OPEN


def test_list_prints_every_idea_hidden_too_and_filters_by_state(
    author, theme, settings_of, office_manager
):
    sent = forwarded(author, theme, settings_of)
    fresh = post(author, theme, title="새\t제안")
    services.set_idea_hidden(actor=office_manager, idea=fresh, hidden=True)

    lines = ideas("list").splitlines()
    assert lines == [
        f"{sent.pk}\tforwarded\t{settings_of.forward_supports}\t{sent.title}",
        f"{fresh.pk}\topen\t0\t새\t제안",
    ]
    assert ideas("list", "--state", "open").splitlines() == [f"{fresh.pk}\topen\t0\t새\t제안"]
    assert ideas("list", "--state", "review") == ""
    with pytest.raises(CommandError, match="invalid choice: 'nonsense'"):
        ideas("list", "--state", "nonsense")


def test_expert_appoints_as_the_operator_and_reappoints_a_retired_one(city, office_manager):
    person = factories.make_user(email="reviewer@example.org")
    output = ideas("expert", "Reviewer@Example.org", "--field", "도시계획")
    assert output == "reviewer@example.org is an expert of the Oasis (도시계획).\n"
    expert = Expert.objects.get(user=person)
    assert (expert.field, expert.active, expert.appointed_by) == ("도시계획", True, None)
    entry = AuditEntry.objects.filter(action="ideas.expert_appointed").latest("pk")
    assert entry.actor is None

    services.retire_expert(actor=office_manager, expert=expert)
    assert ideas("expert", "reviewer@example.org") == (
        "reviewer@example.org is an expert of the Oasis.\n"
    )
    expert.refresh_from_db()
    assert (expert.field, expert.active) == ("", True)
    assert Expert.objects.filter(user=person).count() == 1


def test_expert_refuses_an_unknown_or_inactive_account(city):
    factories.make_user(email="gone@example.org", is_active=False)
    out = StringIO()
    for email in ("nobody@example.org", "gone@example.org"):
        with pytest.raises(CommandError, match="No active account with the email address"):
            call_command("ideas", "expert", email, stdout=out)
    factories.make_user(email="x@example.org")
    with pytest.raises(CommandError, match="Keep this under 200 characters"):
        call_command("ideas", "expert", "x@example.org", "--field", "가" * 201, stdout=out)
    assert out.getvalue() == ""
    assert not Expert.objects.exists()
