"""`hamkke polls codes|close|list`: codes printed one a line that each vote once, closing that
publishes files the recount agrees with, and refusals that print nothing on stdout."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.core.errors import Conflict
from hamkke.polls import services
from hamkke.polls.models import Participation, Poll, VotingCode
from tests import factories
from tests.polls.conftest import make_poll, options_of, phone_voter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Commands speak the site's language; refusals are asserted in English, the source."""
    settings.LANGUAGE_CODE = "en"


def polls(*args: str) -> str:
    out = StringIO()
    call_command("polls", *args, stdout=out)
    return out.getvalue()


def test_codes_prints_exactly_the_new_codes_and_each_votes_once(poll_handler, department):
    poll = make_poll(poll_handler, department, eligibility="codes")
    output = polls("codes", poll.slug, "--count", "4", "--as", poll_handler.email)
    lines = output.splitlines()
    assert len(lines) == 4 and len(set(lines)) == 4
    assert all(re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", line) for line in lines)
    (q1, q2), (single, ranking) = options_of(poll)
    answers = {q1: [single[1]], q2: [ranking[0], ranking[3]]}
    for code in lines:
        services.cast_ballot(actor=None, poll=poll, answers=answers, code=code)
        with pytest.raises(Conflict):
            services.cast_ballot(actor=None, poll=poll, answers=answers, code=code)
    assert Participation.objects.filter(poll=poll).count() == 4


def test_codes_are_refused_for_a_poll_without_codes_and_for_a_viewer(department, poll_handler):
    poll = make_poll(poll_handler, department)
    out = StringIO()
    with pytest.raises(CommandError, match=r"This poll does not take voting codes\."):
        call_command(
            "polls", "codes", poll.slug, "--count", "3", "--as", poll_handler.email, stdout=out
        )
    viewer = factories.make_official(role=Role.VIEWER, department=department)
    coded = make_poll(poll_handler, department, eligibility="codes")
    with pytest.raises(CommandError, match="This needs the role “handler”"):
        call_command("polls", "codes", coded.slug, "--count", "3", "--as", viewer.email, stdout=out)
    with pytest.raises(CommandError, match="No active account"):
        call_command(
            "polls", "codes", coded.slug, "--count", "3", "--as", "nobody@x.org", stdout=out
        )
    with pytest.raises(CommandError, match="No poll 'nope'"):
        call_command("polls", "codes", "nope", "--count", "3", "--as", viewer.email, stdout=out)
    with pytest.raises(CommandError, match="Make between 1 and"):
        call_command(
            "polls", "codes", coded.slug, "--count", "0", "--as", poll_handler.email, stdout=out
        )
    assert out.getvalue() == ""
    assert not VotingCode.objects.exists()


def test_close_publishes_files_the_recount_agrees_with(poll_manager, department, tmp_path):
    from hamkke.polls import recount

    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    chosen = [
        (single[0], [ranking[0]]),
        (single[2], [ranking[1], ranking[0]]),
        (single[0], [ranking[1], ranking[2]]),
    ]
    for answer, ranked in chosen:
        services.cast_ballot(actor=phone_voter(), poll=poll, answers={q1: [answer], q2: ranked})
    output = polls("close", poll.slug, "--as", poll_manager.email)
    poll.refresh_from_db()
    assert poll.published_at is not None and poll.status() == "closed"
    assert "3 ballots" in output
    assert f"Chain head: {poll.chain_head}" in output
    folder = Path(tmp_path)
    for name in ("poll.json", "ballots.jsonl", "results.json"):
        with default_storage.open(f"{poll.ballots_folder}/{name}") as stored:
            (folder / name).write_bytes(stored.read())
    report = recount.recount(folder)
    assert report.agrees, report.findings
    assert json.loads((folder / "poll.json").read_text())["chain_head"] == poll.chain_head
    # By hand: single 0 twice, 2 once; first rankings: 0 once, 1 twice → 1 wins at once.
    results = json.loads((folder / "results.json").read_text())
    first = {o["id"]: o["votes"] for o in results["questions"][0]["options"]}
    assert first == {single[0]: 2, single[1]: 0, single[2]: 1}
    assert results["questions"][1]["winner"] == ranking[1]
    with pytest.raises(CommandError, match="closed and published already"):
        polls("close", poll.slug, "--as", poll_manager.email)


def test_close_as_the_operator_closes_a_running_poll_but_a_handler_cannot(
    poll_manager, poll_handler, department
):
    running = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(running)
    services.cast_ballot(
        actor=phone_voter(), poll=running, answers={q1: [single[2]], q2: [ranking[3]]}
    )
    with pytest.raises(CommandError, match="This needs the role “manager”"):
        polls("close", running.slug, "--as", poll_handler.email)
    assert Poll.objects.get(pk=running.pk).published_at is None
    output = polls("close", running.slug)
    assert "1 ballots" in output
    closed = Poll.objects.get(pk=running.pk)
    assert closed.published_at is not None and closed.status() == "closed"
    upcoming = make_poll(
        poll_manager,
        department,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=2),
    )
    with pytest.raises(CommandError, match="Only an open or closed poll"):
        polls("close", upcoming.slug)


def test_codes_as_the_operator_print_codes_that_vote(poll_manager, department):
    poll = make_poll(poll_manager, department, eligibility="codes")
    (q1, q2), (single, ranking) = options_of(poll)
    lines = polls("codes", poll.slug, "--count", "2").splitlines()
    assert len(lines) == 2 and len(set(lines)) == 2
    services.cast_ballot(
        actor=None, poll=poll, answers={q1: [single[0]], q2: [ranking[0]]}, code=lines[1]
    )
    assert Participation.objects.filter(poll=poll).count() == 1
    not_codes = make_poll(poll_manager, department)
    with pytest.raises(CommandError, match="does not take voting codes"):
        polls("codes", not_codes.slug, "--count", "2")


def test_list_prints_each_poll_with_its_status_and_turnout(poll_manager, department):
    poll = make_poll(poll_manager, department, title="목록 시험")
    (q1, q2), (single, ranking) = options_of(poll)
    services.cast_ballot(
        actor=phone_voter(), poll=poll, answers={q1: [single[0]], q2: [ranking[0]]}
    )
    lines = polls("list").splitlines()
    assert f"{poll.slug}\topen\t1\t목록 시험" in lines
