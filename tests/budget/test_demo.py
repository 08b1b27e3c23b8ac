"""The budget demo: a finished Seoul-like cycle with published results and a cycle open for voting
in which the demo citizen can vote at once and the demo official can enter paper ballots."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from hamkke.accounts import demo as accounts_demo
from hamkke.accounts.models import Role, User, VerificationMethod
from hamkke.budget import demo, selectors, services
from hamkke.budget.models import (
    Area,
    Ballot,
    BallotChoice,
    BallotKind,
    CommitteeScore,
    Cycle,
    Participation,
    Phase,
    ProjectStatus,
    ProjectUpdate,
    SurveyScore,
)
from hamkke.core.errors import Conflict
from tests.budget.conftest import paper_ballot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BALLOTS = 2000


@pytest.fixture
def seeded(city):
    list(accounts_demo.seed())
    lines = list(demo.seed(ballots=BALLOTS))
    return lines


def finished() -> Cycle:
    return Cycle.objects.get(slug=demo.RESULTS_SLUG)


def voting() -> Cycle:
    return Cycle.objects.exclude(slug=demo.RESULTS_SLUG).get()


def test_the_finished_cycle_is_seoul_2013_shaped(seeded, city):
    cycle = finished()
    assert cycle.phase == Phase.RESULTS
    assert (cycle.weight_vote, cycle.weight_survey, cycle.weight_committee) == (45, 10, 45)
    accepted = cycle.projects.filter(status=ProjectStatus.ACCEPTED)
    assert accepted.count() == 54
    # Every one of the profile's eight areas has projects.
    assert Area.objects.filter(city=city).count() == 8
    assert set(accepted.values_list("area__code", flat=True)) == set(
        Area.objects.filter(city=city).values_list("code", flat=True)
    )
    rejected = cycle.projects.filter(status=ProjectStatus.REJECTED)
    assert rejected.count() >= 3
    assert all(p.review_reasons and p.cost is None for p in rejected)
    pool = cycle.pools.get()
    assert pool.ballot_kind == BallotKind.QUOTA and pool.district is None
    assert 40_000_000_000 <= pool.budget <= 60_000_000_000


def test_its_results_are_published_within_the_budget(seeded):
    cycle = finished()
    pool = cycle.pools.get()
    assert cycle.results_published_at is not None
    assert pool.ballots_sha256 and pool.chain_head
    chosen = list(cycle.projects.filter(selected=True))
    assert 10 <= len(chosen) <= 30
    assert sum(p.cost for p in chosen) <= pool.budget
    # What was published is what the tally of the stored ballots and scores selects.
    counted = selectors.tally(cycle)[0]
    assert {t.project.code for t in counted.projects if t.selected} == {p.code for p in chosen}
    assert all(p.votes is not None and p.rank for p in cycle.projects.filter(status="accepted"))


def test_its_ballots_follow_seouls_rule_and_come_from_every_gu(seeded, city):
    pool = finished().pools.get()
    assert Ballot.objects.filter(pool=pool).count() == BALLOTS
    assert Participation.objects.filter(pool=pool).count() == BALLOTS
    assert not Ballot.objects.filter(pool=pool).exclude(void_reasons="").exists()
    areas_of = defaultdict(list)
    for ballot_id, area in BallotChoice.objects.filter(ballot__pool=pool).values_list(
        "ballot_id", "project__area_id"
    ):
        areas_of[ballot_id].append(area)
    assert len(areas_of) == BALLOTS  # none is empty
    assert all(len(areas) == len(set(areas)) for areas in areas_of.values())  # one per area
    homes = Counter(
        Participation.objects.filter(pool=pool).values_list("district__code", flat=True)
    )
    assert set(homes) == set(city.districts.values_list("code", flat=True))
    assert homes["11710"] > homes["11140"]  # Songpa-gu has about five times Jung-gu's people
    # Popularity is skewed: the favourite has several times the votes of the least liked.
    votes = sorted(cycle_votes(pool), reverse=True)
    assert votes[0] > 4 * votes[-1]


def cycle_votes(pool):
    return Counter(
        BallotChoice.objects.filter(ballot__pool=pool).values_list("project", flat=True)
    ).values()


def test_survey_committee_and_implementation(seeded):
    cycle = finished()
    assert SurveyScore.objects.filter(project__cycle=cycle).count() == 54
    assert cycle.committee.count() == 10
    assert CommitteeScore.objects.filter(project__cycle=cycle).count() == 10 * 54
    updates = ProjectUpdate.objects.filter(project__cycle=cycle).select_related("project")
    assert updates.count() >= 3
    assert all(u.project.selected for u in updates)
    assert all(cycle.results_from < u.created_at < timezone.now() for u in updates)
    assert cycle.projects.filter(implementation="completed").exists()


def test_the_demo_citizen_can_vote_in_the_open_cycle(seeded, city):
    cycle = voting()
    assert cycle.phase == Phase.VOTING
    assert selectors.current_cycle(city) == cycle
    citizen = User.objects.get(email=demo.CITIZEN)
    identity = citizen.identities.get(method=VerificationMethod.CENSUS)
    assert identity.district.code == demo.CITIZEN_DISTRICT
    standings = {s.pool.code: s for s in selectors.standing_of(citizen, cycle)}
    assert {code for code, s in standings.items() if s.eligible} == {"citywide", "11110"}
    assert not any(s.voted for s in standings.values())
    citywide = selectors.pool_by_code(cycle, "citywide")
    local = selectors.pool_by_code(cycle, "11110")
    assert (citywide.ballot_kind, citywide.max_choices) == ("approval", 3)
    assert local.ballot_kind == "knapsack" and local.district == identity.district
    cast = services.cast_ballot(actor=citizen, pool=citywide, choices=["c1", "c3"])
    assert [p.code for p in selectors.ballot_by_receipt(cycle, cast.receipt).choices] == [
        "c1",
        "c3",
    ]
    cheapest = min(selectors.ballot_projects(local), key=lambda p: p.cost)
    services.cast_ballot(actor=citizen, pool=local, choices=[cheapest.code])
    with pytest.raises(Conflict):
        services.cast_ballot(actor=citizen, pool=citywide, choices=["c2"])


def test_the_demo_official_runs_the_cycles(seeded):
    official = User.objects.get(email=demo.OFFICIAL)
    cycle = voting()
    membership = official.memberships.get(department=cycle.department)
    assert membership.role >= Role.MANAGER
    number, _district = demo.PAPER_RESIDENTS[0]
    cast = paper_ballot(
        actor=official,
        pool=selectors.pool_by_code(cycle, "citywide"),
        resident_id=number,
        choices=["c2"],
    )
    assert cast.void_reasons == ()


def test_seeding_again_changes_nothing(seeded):
    before = (Cycle.objects.count(), Ballot.objects.count(), Participation.objects.count())
    assert list(demo.seed(ballots=BALLOTS)) == ["Budget: demo cycles already there."]
    assert (Cycle.objects.count(), Ballot.objects.count(), Participation.objects.count()) == before
    assert seeded[0].startswith("Budget: ")
