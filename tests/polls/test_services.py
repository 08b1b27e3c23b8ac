"""The services of M-Voting: creating polls, casting ballots under each rule, re-voting, the box,
closing and publishing, recounting from the published files, and recording the decision."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotSignedIn
from hamkke.polls import selectors, services
from hamkke.polls.models import Ballot, Participation, PendingBallot, Poll
from tests import factories
from tests.polls.conftest import make_poll, options_of, phone_voter, resident_voter

pytestmark = pytest.mark.django_db


def test_a_verified_voter_votes_once_and_the_ballot_counts(poll_manager, department):
    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    voter = phone_voter()
    cast = services.cast_ballot(
        actor=voter, poll=poll, answers={q1: [single[1]], q2: [ranking[2], ranking[0]]}
    )
    assert len(cast.receipt) == 15
    with pytest.raises(Conflict) as refused:
        services.cast_ballot(actor=voter, poll=poll, answers={q1: [single[0]], q2: [ranking[0]]})
    assert refused.value.code == "already_voted"
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    results = selectors.count_results(poll)
    assert results.ballots == 1
    votes = {o.id: o.votes for o in results.questions[0].options}
    assert votes == {single[0]: 0, single[1]: 1, single[2]: 0}
    assert results.questions[1].winner == ranking[2]
    found = selectors.find_ballot(poll, cast.receipt.lower())
    assert found.answers == {q1: [single[1]], q2: [ranking[2], ranking[0]]}


def test_bad_ballots_are_refused_and_nothing_is_stored(poll_manager, department):
    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    voter = phone_voter()
    bad = [
        {q1: [single[0], single[1]], q2: [ranking[0]]},  # two choices on a single question
        {q1: [ranking[0]], q2: [ranking[0]]},  # an option of another question
        {q1: [single[0]], q2: [ranking[0], ranking[0]]},  # a ranking naming one option twice
        {q1: [single[0]]},  # a required question left out
        {q1: [single[0]], q2: [ranking[1]], 999999: [1]},  # no such question
        {q1: ["x"], q2: [ranking[1]]},  # not a number
    ]
    for answers in bad:
        with pytest.raises(InvalidInput):
            services.cast_ballot(actor=voter, poll=poll, answers=answers)
    assert not Participation.objects.filter(poll=poll).exists()
    assert not Ballot.objects.filter(poll=poll).exists()
    assert not PendingBallot.objects.filter(poll=poll).exists()


def test_a_poll_votes_only_between_its_opening_and_closing(poll_manager, department):
    now = timezone.now()
    later = make_poll(
        poll_manager,
        department,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    (q1, _q2), (single, _ranking) = options_of(later)
    with pytest.raises(Conflict) as refused:
        services.cast_ballot(actor=phone_voter(), poll=later, answers={q1: [single[0]]})
    assert refused.value.code == "not_open_yet"
    over = make_poll(
        poll_manager,
        department,
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )
    (q1, _q2), (single, _ranking) = options_of(over)
    with pytest.raises(Conflict) as refused:
        services.cast_ballot(actor=phone_voter(), poll=over, answers={q1: [single[0]]})
    assert refused.value.code == "poll_closed"


def test_a_poll_closing_before_it_opens_is_refused(poll_manager, department):
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        make_poll(poll_manager, department, opens_at=now, closes_at=now - timedelta(minutes=1))
    assert refused.value.field == "closes_at"
    assert not Poll.objects.exists()


def test_eligibility_rules(poll_manager, department):
    from hamkke.core.models import District

    anyone = factories.make_user()
    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    answers = {q1: [single[0]], q2: [ranking[0]]}
    with pytest.raises(NotAllowed) as refused:
        services.cast_ballot(actor=anyone, poll=poll, answers=answers)
    assert refused.value.code == "verification_required"
    with pytest.raises(NotSignedIn):
        services.cast_ballot(actor=None, poll=poll, answers=answers)

    jongno = District.objects.get(city__slug="seoul", code="11110")
    local = make_poll(poll_manager, department, eligibility="districts", districts=[jongno])
    (q1, q2), (single, ranking) = options_of(local)
    answers = {q1: [single[0]], q2: [ranking[0]]}
    with pytest.raises(NotAllowed) as refused:
        services.cast_ballot(
            actor=resident_voter(district_code="11440"), poll=local, answers=answers
        )
    assert refused.value.code == "not_in_district"
    services.cast_ballot(actor=resident_voter(district_code="11110"), poll=local, answers=answers)

    today = timezone.localdate()
    young = make_poll(poll_manager, department, eligibility="age", age_min=19, age_max=24)
    (q1, q2), (single, ranking) = options_of(young)
    answers = {q1: [single[0]], q2: [ranking[0]]}
    eighteen = date(today.year - 18, today.month, 1)
    with pytest.raises(NotAllowed) as refused:
        services.cast_ballot(actor=resident_voter(birth_date=eighteen), poll=young, answers=answers)
    assert refused.value.code == "not_in_age_range"
    twenty = date(today.year - 20, 1, 1)
    services.cast_ballot(actor=resident_voter(birth_date=twenty), poll=young, answers=answers)
    assert Participation.objects.filter(poll=young).count() == 1


def test_one_time_codes_vote_once_without_an_account(poll_manager, department):
    poll = make_poll(poll_manager, department, eligibility="codes")
    (q1, q2), (single, ranking) = options_of(poll)
    answers = {q1: [single[2]], q2: [ranking[3]]}
    codes = services.make_codes(actor=poll_manager, poll=poll, count=3)
    assert len(set(codes)) == 3
    with pytest.raises(InvalidInput) as refused:
        services.cast_ballot(actor=None, poll=poll, answers=answers)
    assert refused.value.code == "code_required"
    with pytest.raises(InvalidInput) as refused:
        services.cast_ballot(actor=None, poll=poll, answers=answers, code="AAAA-BBBB-CCCC")
    assert refused.value.code == "wrong_code"
    services.cast_ballot(actor=None, poll=poll, answers=answers, code=codes[0].lower())
    with pytest.raises(Conflict) as refused:
        services.cast_ballot(actor=None, poll=poll, answers=answers, code=codes[0])
    assert refused.value.code == "already_voted"
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_new_ballot_replaces_the_earlier_one_where_allowed(poll_manager, department, settings):
    settings.HAMKKE_BALLOT_BATCH = 100
    poll = make_poll(poll_manager, department, revote=True)
    (q1, q2), (single, ranking) = options_of(poll)
    voter = phone_voter()
    first = services.cast_ballot(
        actor=voter, poll=poll, answers={q1: [single[0]], q2: [ranking[0]]}
    )
    services.flush_ballots(poll=poll, minimum=1)  # the first ballot is stored ...
    second = services.cast_ballot(
        actor=voter, poll=poll, answers={q1: [single[1]], q2: [ranking[1]]}
    )
    assert second.replaced
    # ... and while the second waits in the box, the count already has only the second.
    results = selectors.count_results(poll)
    assert results.ballots == 1
    assert [o.votes for o in results.questions[0].options] == [0, 1, 0]
    third = services.cast_ballot(
        actor=voter, poll=poll, answers={q1: [single[2]], q2: [ranking[2]]}
    )
    services.flush_ballots(poll=poll, minimum=1)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert selectors.find_ballot(poll, first.receipt) is None
    assert selectors.find_ballot(poll, second.receipt) is None
    assert selectors.find_ballot(poll, third.receipt).answers[q1] == [single[2]]
    assert [o.votes for o in selectors.count_results(poll).questions[0].options] == [0, 0, 1]


def test_closing_publishes_a_list_the_recount_agrees_with(
    poll_manager, department, settings, tmp_path
):
    from hamkke.polls import recount

    settings.HAMKKE_BALLOT_BATCH = 4
    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    chosen = [
        (single[0], [ranking[0], ranking[1]]),
        (single[0], [ranking[1]]),
        (single[1], [ranking[2], ranking[1], ranking[0]]),
        (single[0], [ranking[1], ranking[3]]),
        (single[2], [ranking[3]]),
        (single[0], [ranking[0]]),
    ]
    receipts = [
        services.cast_ballot(actor=phone_voter(), poll=poll, answers={q1: [a], q2: r}).receipt
        for a, r in chosen
    ]
    assert PendingBallot.objects.filter(poll=poll).count() == 2  # a batch of 4 was written out
    closed = services.close_poll(actor=poll_manager, poll=poll)
    assert closed.published_at is not None and closed.status() == "closed"
    assert not PendingBallot.objects.filter(poll=poll).exists()
    results = selectors.results_of(closed)
    assert [o.votes for o in results.questions[0].options] == [4, 1, 1]
    # Ranking by hand: first preferences 0:2, 1:2, 2:1, 3:1 of 6; no majority. 2 and 3 tie at
    # the fewest; round 1 has no earlier round, Borda (4 options: 3,2,1,0 points) gives option 2
    # 3 points and option 3 3+2=5, so 2 goes; its ballot moves to 1 → 0:2, 1:3, 3:1; 3 goes,
    # its ballot is exhausted → 0:2, 1:3 of 5: option 1 wins with a majority.
    assert results.questions[1].winner == ranking[1]
    folder = Path(tmp_path / "published")
    folder.mkdir()
    for name in ("poll.json", "ballots.jsonl", "results.json"):
        with default_storage.open(f"{closed.ballots_folder}/{name}") as stored:
            (folder / name).write_bytes(stored.read())
    report = recount.recount(folder)
    assert report.agrees, report.findings
    listed = [
        json.loads(line)["receipt"] for line in (folder / "ballots.jsonl").read_text().splitlines()
    ]
    assert sorted(listed) == sorted(receipts)
    assert json.loads((folder / "poll.json").read_text())["chain_head"] == closed.chain_head
    with pytest.raises(Conflict):
        services.close_poll(actor=poll_manager, poll=closed)


def test_the_decision_is_published_on_the_plaza(poll_manager, department):
    from hamkke.plaza import selectors as plaza_selectors
    from hamkke.plaza import services as plaza_services

    poll = make_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    services.cast_ballot(
        actor=phone_voter(), poll=poll, answers={q1: [single[0]], q2: [ranking[0]]}
    )
    with pytest.raises(Conflict):
        services.record_decision(actor=poll_manager, poll=poll, outcome="adopted", text="채택")
    poll = services.close_poll(actor=poll_manager, poll=poll)
    services.record_decision(
        actor=poll_manager, poll=poll, outcome="adopted", text="한강에 수상 공원을 만듭니다."
    )
    document = plaza_selectors.public_decision(plaza_services.decision_source(poll))
    assert document is not None
    assert "한강에 수상 공원을 만듭니다." in document.body
    assert list(selectors.adopted_polls()) == [Poll.objects.get(pk=poll.pk)]


def test_a_signed_in_poll_takes_one_ballot_per_account_and_erasing_leaves_no_name(
    poll_manager, department
):
    from hamkke.core.registries import erasers, exporters

    poll = make_poll(poll_manager, department, eligibility="signed_in")
    (q1, q2), (single, ranking) = options_of(poll)
    person = factories.make_user()  # not verified: an account is enough here
    services.cast_ballot(actor=person, poll=poll, answers={q1: [single[0]], q2: [ranking[1]]})
    with pytest.raises(Conflict):
        services.cast_ballot(actor=person, poll=poll, answers={q1: [single[1]], q2: [ranking[0]]})
    row = Participation.objects.get(poll=poll)
    prefix, hashed = row.identity_key.split(":", 1)
    assert prefix == "a" and len(hashed) == 64 and hashed != str(person.pk)
    exported = dict(exporters())["polls"](person)
    assert [entry["poll"] for entry in exported["voted_in"]] == [poll.slug]
    assert "answers" not in str(exported) and "receipt" not in str(exported)
    dict(erasers())["polls"](person)
    row.refresh_from_db()
    assert row.user is None
