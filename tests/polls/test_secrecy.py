"""The ballot pattern as M-Voting keeps it (ARCHITECTURE.md, core/ballots.py): many attempts of
one person or one code at the same instant leave exactly one ballot; a ballot waits sealed in the
poll's box, is counted and found while it waits, leaves in shuffled batches, and is mixed with the
whole poll when it closes; re-voting replaces a ballot without touching it in the voter's own
transaction. Then someone with the raw database tries to pair the register with the ballots and
does no better than chance."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection

from hamkke.core import ballots as ballot_pattern
from hamkke.core.errors import Conflict
from hamkke.core.receipts import ballot_id_of
from hamkke.polls import selectors, services
from hamkke.polls.models import Answer, Ballot, Participation, PendingBallot
from tests.ballot_attacks import CHANCE_AT_MOST, column, first_seen, physical_order, right_pairs
from tests.polls.conftest import make_poll, options_of, phone_voter

pytestmark = pytest.mark.django_db

VOTERS = 60
ATTEMPTS = 8


def _answers(poll, n: int = 0) -> dict[int, list[int]]:
    (q1, q2), (single, ranking) = options_of(poll)
    return {q1: [single[n % 3]], q2: [ranking[n % 4], ranking[(n + 1) % 4]]}


# --- many attempts at once ---------------------------------------------------------------------


def _race(poll, attempts: int, cast) -> list:
    """`attempts` threads cast at once, each held after every check until all have passed
    them, so the register's unique constraint decides (on PostgreSQL the inserts really
    overlap; SQLite's in-memory test database takes writers in turn)."""
    barrier = threading.Barrier(attempts, timeout=30)
    problems = services.answer_problems
    one_writer = threading.Lock() if connection.vendor == "sqlite" else None
    outcomes: list = [None] * attempts

    def checked_then_wait(*args, **kwargs):
        found = problems(*args, **kwargs)
        barrier.wait()
        return found

    def run(index: int) -> None:
        try:
            if one_writer is None:
                outcomes[index] = cast()
            else:
                with one_writer:
                    outcomes[index] = cast()
        except Exception as exc:  # the refusals are what is measured
            outcomes[index] = exc
        finally:
            connection.close()

    services.answer_problems = checked_then_wait
    try:
        if one_writer is not None:
            # The barrier would wait for threads that the writer lock keeps out.
            services.answer_problems = problems
        threads = [threading.Thread(target=run, args=(i,)) for i in range(attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
    finally:
        services.answer_problems = problems
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_many_attempts_of_one_person_at_once_leave_one_ballot(city, poll_manager, department):
    poll = make_poll(poll_manager, department)
    person = phone_voter()
    outcomes = _race(
        poll,
        ATTEMPTS,
        lambda: services.cast_ballot(actor=person, poll=poll, answers=_answers(poll)),
    )
    accepted = [o for o in outcomes if isinstance(o, services.CastBallot)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(accepted) == 1, outcomes
    assert len(refused) == ATTEMPTS - 1 and {e.code for e in refused} == {"already_voted"}
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_attempts_with_one_code_at_once_leave_one_ballot(city, poll_manager, department):
    poll = make_poll(poll_manager, department, eligibility="codes")
    code = services.make_codes(actor=poll_manager, poll=poll, count=1)[0]
    outcomes = _race(
        poll,
        ATTEMPTS,
        lambda: services.cast_ballot(actor=None, poll=poll, answers=_answers(poll), code=code),
    )
    assert sum(isinstance(o, services.CastBallot) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, (services.CastBallot, Conflict)) for o in outcomes), outcomes
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.django_db(transaction=True)
def test_many_new_ballots_of_one_person_at_once_leave_one_where_re_voting_is_allowed(
    city, poll_manager, department
):
    poll = make_poll(poll_manager, department, revote=True)
    person = phone_voter()
    services.cast_ballot(actor=person, poll=poll, answers=_answers(poll, 0))
    outcomes = _race(
        poll,
        ATTEMPTS,
        lambda: services.cast_ballot(actor=person, poll=poll, answers=_answers(poll, 1)),
    )
    assert all(isinstance(o, services.CastBallot) and o.replaced for o in outcomes), outcomes
    services.flush_ballots(poll=poll, minimum=1)
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert selectors.count_results(poll).ballots == 1
    # Of all the receipts handed out, exactly one still finds a ballot: the last accepted.
    assert sum(selectors.find_ballot(poll, o.receipt) is not None for o in outcomes) == 1


# --- the box while people vote -----------------------------------------------------------------


def test_an_accepted_ballot_waits_sealed_and_is_counted_and_found(
    poll_manager, department, settings
):
    settings.HAMKKE_BALLOT_BATCH = 50
    poll = make_poll(poll_manager, department)
    answers = _answers(poll, 2)
    receipt = services.cast_ballot(actor=phone_voter(), poll=poll, answers=answers).receipt
    ballot_id = ballot_id_of(receipt)
    assert not Ballot.objects.exists() and not Answer.objects.exists()
    waiting = PendingBallot.objects.get()
    assert waiting.pk != ballot_id
    sealed = bytes(waiting.sealed)
    assert str(ballot_id).encode() not in sealed and b'"answers"' not in sealed
    assert len(sealed) == 1 + 12 + ballot_pattern.PAD_TO + 16
    assert selectors.find_ballot(poll, receipt).answers == answers
    results = selectors.count_results(poll)
    assert results.ballots == 1
    q1 = next(iter(answers))
    assert {o.id: o.votes for o in results.questions[0].options}[answers[q1][0]] == 1


def test_a_ballot_that_cannot_be_sealed_leaves_no_register_row(
    poll_manager, department, monkeypatch
):
    poll = make_poll(poll_manager, department)

    def broken(payload, *, box):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ballot_pattern, "seal", broken)
    with pytest.raises(DatabaseError):
        services.cast_ballot(actor=phone_voter(), poll=poll, answers=_answers(poll))
    assert not Participation.objects.exists() and not PendingBallot.objects.exists()


def test_a_failed_flush_keeps_the_ballot_accepted_and_in_the_box(
    poll_manager, department, monkeypatch
):
    poll = make_poll(poll_manager, department)

    def failing(*args, **kwargs):
        raise DatabaseError("could not serialize access")

    monkeypatch.setattr(ballot_pattern, "drain", failing)
    receipt = services.cast_ballot(actor=phone_voter(), poll=poll, answers=_answers(poll)).receipt
    assert Participation.objects.count() == 1 and PendingBallot.objects.count() == 1
    monkeypatch.undo()
    assert services.flush_ballots(poll=poll) == 1
    assert list(Ballot.objects.values_list("pk", flat=True)) == [ballot_id_of(receipt)]


def test_a_revote_never_touches_a_stored_ballot_in_the_voters_transaction(
    poll_manager, department, settings
):
    """The replaced ballot leaves with the next batch, not with the voter's own request: the
    ballot table is the same before and after the voter's second ballot is accepted."""
    settings.HAMKKE_BALLOT_BATCH = 3
    poll = make_poll(poll_manager, department, revote=True)
    person = phone_voter()
    services.cast_ballot(actor=person, poll=poll, answers=_answers(poll, 0))
    for n in range(2):
        services.cast_ballot(actor=phone_voter(), poll=poll, answers=_answers(poll, n))
    stored = set(Ballot.objects.values_list("pk", flat=True))
    assert len(stored) == 3
    services.cast_ballot(actor=person, poll=poll, answers=_answers(poll, 1))
    assert set(Ballot.objects.values_list("pk", flat=True)) == stored
    assert selectors.count_results(poll).ballots == 3
    services.flush_ballots(poll=poll, minimum=1)
    assert (
        Ballot.objects.count() == 3
        and len(stored & set(Ballot.objects.values_list("pk", flat=True))) == 2
    )


# --- the pairing attacks -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pairing_the_register_with_the_ballots_does_no_better_than_chance(
    city, settings, poll_manager, department
):
    """Each voter votes in their own transaction, as through the site; once the poll is closed
    and published, an attacker with the raw tables lines the register up with the ballots by
    every order the database keeps and gets no more pairs right than a random guess."""
    settings.HAMKKE_BALLOT_BATCH = 10
    poll = make_poll(poll_manager, department)
    truth = {}
    for n in range(VOTERS):
        person = phone_voter()
        receipt = services.cast_ballot(actor=person, poll=poll, answers=_answers(poll, n)).receipt
        key = Participation.objects.get(poll=poll, user=person).identity_key
        truth[key] = ballot_id_of(receipt)
    participation, ballot, answer = (
        connection.ops.quote_name(model._meta.db_table) for model in (Participation, Ballot, Answer)
    )
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        register_xids = set(column(f"SELECT xmin::text FROM {participation}"))
        ballot_xids = column(f"SELECT xmin::text FROM {ballot}")
        assert not register_xids & set(ballot_xids)
        assert min(ballot_xids.count(xid) for xid in set(ballot_xids)) >= 10

    services.close_poll(actor=poll_manager, poll=poll)

    def register_by(order: str) -> list[str]:
        return column(f"SELECT identity_key FROM {participation} ORDER BY {order}")

    def ballots_by(order: str) -> list[int]:
        return column(f"SELECT id FROM {ballot} ORDER BY {order}")

    attacks = {
        "register id ~ ballot id": (register_by("id"), ballots_by("id")),
        "cast time ~ ballot id": (register_by("cast_at, id"), ballots_by("id")),
        "register id ~ ballot place": (register_by("id"), ballots_by(physical_order())),
        "register place ~ ballot place": (
            register_by(physical_order()),
            ballots_by(physical_order()),
        ),
        "register id ~ answers' place": (
            register_by("id"),
            first_seen(column(f"SELECT ballot_id FROM {answer} ORDER BY {physical_order()}")),
        ),
        "register id ~ chain order": (register_by("id"), ballots_by("chain")),
    }
    if postgresql:
        attacks["register xmin ~ ballot xmin, place"] = (
            register_by("xmin::text::bigint, ctid"),
            ballots_by("xmin::text::bigint, ctid"),
        )
        ballot_xids = set(column(f"SELECT xmin::text FROM {ballot}"))
        answer_xids = set(column(f"SELECT xmin::text FROM {answer}"))
        assert len(ballot_xids) == 1 and ballot_xids == answer_xids
        assert not ballot_xids & set(column(f"SELECT xmin::text FROM {participation}"))
    right = {name: right_pairs(r, b, truth) for name, (r, b) in attacks.items()}
    assert max(right.values()) <= CHANCE_AT_MOST, right
    assert Ballot.objects.filter(poll=poll).count() == Participation.objects.count() == VOTERS
    # The register keeps nothing of the ballot: no poll that forbids re-voting seals anything.
    assert not Participation.objects.exclude(sealed=b"").exists()


@pytest.mark.django_db(transaction=True)
def test_a_ballot_under_way_when_an_official_closes_the_poll_is_counted_or_refused_whole(
    city, poll_manager, department, monkeypatch
):
    """A voter's transaction has written the register row and the sealed ballot when an official
    closes the poll. The close waits for it; the ballot then checks the closing time again and
    is refused whole. Never a register row without its ballot, or a ballot left out."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: nothing can be under way during a close")
    poll = make_poll(poll_manager, department)
    services.cast_ballot(actor=phone_voter(), poll=poll, answers=_answers(poll, 1))
    written, go_on = threading.Event(), threading.Event()
    still_open = services._still_open

    def pause_then_check(poll_):
        written.set()
        go_on.wait(timeout=30)
        still_open(poll_)

    monkeypatch.setattr(services, "_still_open", pause_then_check)
    outcome: list = []
    person = phone_voter()

    def vote() -> None:
        try:
            outcome.append(services.cast_ballot(actor=person, poll=poll, answers=_answers(poll)))
        except Exception as exc:
            outcome.append(exc)
        finally:
            connection.close()

    voter = threading.Thread(target=vote)
    voter.start()
    assert written.wait(timeout=30)
    closing = threading.Thread(
        target=lambda: (services.close_poll(actor=poll_manager, poll=poll), connection.close())
    )
    closing.start()
    closing.join(timeout=2)
    assert closing.is_alive()  # the close waits for the voter's transaction
    go_on.set()
    voter.join(timeout=30)
    closing.join(timeout=60)
    assert isinstance(outcome[0], Conflict) and outcome[0].code == "poll_closed", outcome
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert not PendingBallot.objects.exists()
