"""The ballot pattern (ARCHITECTURE.md, core/ballots.py) as budget keeps it: a ballot is sealed
into its pool's box in the voter's own transaction, counted and found by its receipt while it
waits, written out in shuffled batches, and mixed with the whole pool when the box closes. Then
someone with the raw database — ids, `xmin`, `ctid`, the order of rows — tries to pair the
register with the ballots, and does no better than chance."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from django.db import DatabaseError, connection

from hamkke.budget import ballots as ballot_rules
from hamkke.budget import recount, selectors, services
from hamkke.budget.models import Ballot, BallotChoice, Participation, PendingBallot, Pool
from hamkke.core import ballots as ballot_pattern
from hamkke.core.errors import Conflict
from tests.ballot_attacks import CHANCE_AT_MOST, column, first_seen, physical_order, right_pairs
from tests.budget.conftest import (
    JONGNO,
    MAPO,
    make_cycle,
    make_resident,
    make_voter,
    paper_ballot,
    set_phase,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

VOTERS = 60


def cast(pool: Pool, district: str, choices: Sequence[str]) -> tuple[str, int]:
    """A new verified resident votes; returns their register key and their ballot's id."""
    voter = make_voter(district)
    receipt = services.cast_ballot(actor=voter, pool=pool, choices=choices).receipt
    return voter.identities.get().identity_key, ballot_rules.ballot_id_of(receipt)


# --- the box while people vote -----------------------------------------------------------------


def test_an_accepted_ballot_waits_sealed_and_is_counted_found_and_published(
    city, settings, budget_manager
):
    """A batch is not full: the ballot stays in the box, where nothing of it can be read, yet
    the tally counts it and its receipt finds it. Nothing flushes it before the process would
    die: closing the box after voting and publishing count it all the same."""
    settings.HAMKKE_BALLOT_BATCH = 50
    cycle = make_cycle(city)
    mapo = cycle.pools.get(code="mapo")
    _key, ballot_id = cast(mapo, MAPO, ["m2", "m3"])
    receipt = ballot_rules.receipt_of(ballot_id)

    assert not Ballot.objects.exists() and not BallotChoice.objects.exists()
    waiting = PendingBallot.objects.get()
    assert waiting.pk != ballot_id  # its key is not the receipt
    sealed = bytes(waiting.sealed)
    projects = dict(mapo.projects.values_list("code", "pk"))
    assert str(ballot_id).encode() not in sealed and b'"choices"' not in sealed
    assert len(sealed) == 1 + 12 + ballot_pattern.PAD_TO + 16

    found = selectors.ballot_by_receipt(cycle, receipt)
    assert sorted(p.code for p in found.choices) == ["m2", "m3"]
    mapo_tally = next(t for t in selectors.tally(cycle) if t.pool == mapo)
    assert mapo_tally.ballots == 1
    assert {row.project.code: row.votes for row in mapo_tally.projects} == {
        "m1": 0,
        "m2": 1,
        "m3": 1,
    }
    assert selectors.desk_counts(cycle)["ballots"] == 1
    assert selectors.vote_counts(cycle) == {projects["m2"]: 1, projects["m3"]: 1}

    with pytest.raises(Conflict):  # voting is not over: the box stays shut
        services.close_ballot_box(pool=mapo)
    set_phase(cycle, "results")
    services.publish_results(actor=budget_manager, cycle=cycle)
    assert not PendingBallot.objects.exists()
    ballot = Ballot.objects.get()
    assert ballot.pk == ballot_id
    assert sorted(ballot.choices.values_list("project__code", flat=True)) == ["m2", "m3"]
    mapo.refresh_from_db()
    assert mapo.box_closed_at is not None
    folder = Path(settings.MEDIA_ROOT) / Path(mapo.ballots_file).parent
    assert recount.recount(folder).agrees
    assert recount.find_receipt(folder, receipt) == ("mapo", ("m2", "m3"), ())


def test_a_full_batch_leaves_the_box_and_the_rest_waits(city, settings):
    settings.HAMKKE_BALLOT_BATCH = 3
    cycle = make_cycle(city)
    pool = cycle.pools.get(code="city")
    cast(pool, JONGNO, ["c1"])
    cast(pool, MAPO, ["c2", "c3"])
    assert (Ballot.objects.count(), PendingBallot.objects.count()) == (0, 2)
    cast(pool, JONGNO, ["c4"])  # the third fills the batch: all three are written out
    assert (Ballot.objects.count(), PendingBallot.objects.count()) == (3, 0)
    assert BallotChoice.objects.count() == 4
    cast(pool, MAPO, ["c1", "c4"])
    assert (Ballot.objects.count(), PendingBallot.objects.count()) == (3, 1)
    assert Participation.objects.count() == 4
    assert selectors.ballot_count(cycle) == 4


def test_a_ballot_that_cannot_be_sealed_leaves_no_register_row(city, monkeypatch):
    """The register row and the sealed ballot are one transaction: neither without the other."""
    cycle = make_cycle(city)
    voter = make_voter(JONGNO)

    def broken(payload, *, box):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ballot_pattern, "seal", broken)
    with pytest.raises(DatabaseError):
        services.cast_ballot(actor=voter, pool=cycle.pools.get(code="city"), choices=["c1"])
    assert not Participation.objects.exists() and not PendingBallot.objects.exists()


def test_a_failed_flush_keeps_the_ballot_accepted_and_in_the_box(city, monkeypatch):
    cycle = make_cycle(city)
    pool = cycle.pools.get(code="city")

    def failing(*args, **kwargs):
        raise DatabaseError("could not serialize access")

    monkeypatch.setattr(ballot_pattern, "drain", failing)
    _key, ballot_id = cast(pool, JONGNO, ["c2"])
    assert Participation.objects.count() == 1
    assert PendingBallot.objects.count() == 1 and not Ballot.objects.exists()
    monkeypatch.undo()
    assert services.flush_ballots(pool=pool) == 1
    assert list(Ballot.objects.values_list("pk", flat=True)) == [ballot_id]


def test_a_ballot_committing_after_the_close_is_refused_whole(city):
    """The phase is checked again as the voter's transaction ends (the box may be mixed a few
    minutes after the close: a ballot must not arrive later)."""
    cycle = make_cycle(city)
    set_phase(cycle, "scoring")
    pool = Pool.objects.select_related("cycle").get(cycle=cycle, code="city")
    with pytest.raises(Conflict) as refused:
        services._record_ballot(
            pool=pool, identity_key="k" * 64, district=pool.cycle.city.districts.first(),
            choices=["c1"], user=None,
        )  # fmt: skip
    assert refused.value.code == "wrong_phase"
    assert not Participation.objects.exists() and not PendingBallot.objects.exists()


def test_closing_mixes_the_pool_once_and_keeps_every_ballot(city, settings):
    settings.HAMKKE_BALLOT_BATCH = 2
    cycle = make_cycle(city)
    pool = cycle.pools.get(code="city")
    cast_ballots = dict(cast(pool, JONGNO, choices) for choices in (["c1"], ["c2", "c3"], ["c4"]))
    before = {
        ballot_id: sorted(
            BallotChoice.objects.filter(ballot_id=ballot_id).values_list("project__code", flat=True)
        )
        for ballot_id in Ballot.objects.values_list("pk", flat=True)
    }
    assert len(before) == 2 and PendingBallot.objects.count() == 1
    set_phase(cycle, "scoring")
    assert services.close_ballot_boxes(cycle=cycle) == 3
    after = {
        ballot.pk: sorted(ballot.choices.values_list("project__code", flat=True))
        for ballot in Ballot.objects.all()
    }
    assert set(after) == set(cast_ballots.values())
    assert {k: after[k] for k in before} == before
    assert sorted(after.values()) == [["c1"], ["c2", "c3"], ["c4"]]
    assert not PendingBallot.objects.exists()
    assert services.close_ballot_boxes(cycle=cycle) == 0  # closed, nothing waiting


# --- the paper booth and its box ---------------------------------------------------------------


def test_the_box_takes_no_more_papers_than_the_booth_handed_out(city, budget_official):
    cycle = make_cycle(city)
    pool = cycle.pools.get(code="jongno")
    _user, resident_id = make_resident(district_code=JONGNO)
    with pytest.raises(Conflict) as refused:
        services.enter_paper_ballot(actor=budget_official, pool=pool, choices=["j1"])
    assert refused.value.code == "more_papers_than_voters"
    paper_ballot(actor=budget_official, pool=pool, resident_id=resident_id, choices=["j1"])
    with pytest.raises(Conflict):
        services.enter_paper_ballot(actor=budget_official, pool=pool, choices=["j3"])
    assert selectors.paper_papers(pool) == (1, 1)
    register = Participation.objects.get()
    assert (register.channel, register.entered_by) == ("paper", budget_official)


# --- sealing -----------------------------------------------------------------------------------


def test_a_sealed_ballot_opens_in_its_own_box_with_this_servers_keys_only(settings):
    payload = {"id": 12345, "choices": [7, 9], "void": "", "marks": "", "channel": "online"}
    sealed = ballot_pattern.seal(payload, box="budget.pool:1")
    assert ballot_pattern.unseal(sealed, box="budget.pool:1") == payload
    with pytest.raises(ballot_pattern.UnreadableBallot):
        ballot_pattern.unseal(sealed, box="budget.pool:2")
    # The length says nothing of the number of choices.
    many = ballot_pattern.seal({**payload, "choices": list(range(40))}, box="budget.pool:1")
    assert len(many) == len(sealed)
    # A rotated key opens it while it is among the fallbacks, and not once it is dropped.
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a new secret key, long enough to be a real one 0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert ballot_pattern.unseal(sealed, box="budget.pool:1") == payload
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ballot_pattern.UnreadableBallot):
        ballot_pattern.unseal(sealed, box="budget.pool:1")


# --- the pairing attacks -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pairing_the_register_with_the_ballots_does_no_better_than_chance(city, settings):
    """Each voter votes in their own transaction, as through the site. Once the box is closed,
    an attacker with the raw tables lines the register up with the ballots by every order the
    database keeps — keys, physical places (ctid), transaction ids (xmin) — and with the
    choices' order, and gets no more pairs right than a random guess would."""
    settings.HAMKKE_BALLOT_BATCH = 10
    cycle = make_cycle(city)
    pool = cycle.pools.get(code="city")
    ballots = (["c1"], ["c2"], ["c3"], ["c4"], ["c1", "c2"], ["c3", "c4"])
    truth = dict(cast(pool, (JONGNO, MAPO)[n % 2], ballots[n % 6]) for n in range(VOTERS))
    assert len(set(truth.values())) == VOTERS
    participation, ballot, choice = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (Participation, Ballot, BallotChoice)
    )
    postgresql = connection.vendor == "postgresql"

    if postgresql:
        # While people vote, batches: no stored ballot shares a transaction with a register row,
        # and a batch is never smaller than its size.
        register_xids = set(column(f"SELECT xmin::text FROM {participation}"))
        ballot_xids = column(f"SELECT xmin::text FROM {ballot}")
        assert not register_xids & set(ballot_xids)
        assert min(ballot_xids.count(xid) for xid in set(ballot_xids)) >= 10

    set_phase(cycle, "scoring")
    assert services.close_ballot_boxes(cycle=cycle) == VOTERS

    def register_by(order: str) -> list[str]:
        return column(f"SELECT identity_key FROM {participation} ORDER BY {order}")

    def ballots_by(order: str) -> list[int]:
        return column(f"SELECT id FROM {ballot} ORDER BY {order}")

    attacks = {
        "register id ~ ballot id": (register_by("id"), ballots_by("id")),
        "cast time ~ ballot id": (register_by("cast_at, id"), ballots_by("id")),
        "register id ~ ballot place": (
            register_by("id"),
            ballots_by(physical_order()),
        ),
        "register place ~ ballot place": (
            register_by(physical_order()),
            ballots_by(physical_order()),
        ),
        "register id ~ choices' place": (
            register_by("id"),
            first_seen(column(f"SELECT ballot_id FROM {choice} ORDER BY {physical_order()}")),
        ),
    }
    if postgresql:
        attacks["register xmin ~ ballot xmin, place"] = (
            register_by("xmin::text::bigint, ctid"),
            ballots_by("xmin::text::bigint, ctid"),
        )
        attacks["register xmin ~ choices' xmin, place"] = (
            register_by("xmin::text::bigint, ctid"),
            first_seen(column(f"SELECT ballot_id FROM {choice} ORDER BY xmin::text::bigint, ctid")),
        )
        # One transaction wrote every ballot of the pool, and none of the register.
        ballot_xids = set(column(f"SELECT xmin::text FROM {ballot}"))
        choice_xids = set(column(f"SELECT xmin::text FROM {choice}"))
        assert len(ballot_xids) == 1 and ballot_xids == choice_xids
        assert not ballot_xids & set(column(f"SELECT xmin::text FROM {participation}"))
    right = {name: right_pairs(r, b, truth) for name, (r, b) in attacks.items()}
    assert max(right.values()) <= CHANCE_AT_MOST, right
    # And the ballots are all there, as cast.
    assert Ballot.objects.filter(pool=pool).count() == Participation.objects.count() == VOTERS
