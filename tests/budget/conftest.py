"""Fixtures of participatory budgeting: a Seoul cycle in any phase, with a citywide approval pool,
a per-area quota pool for Jongno-gu and a knapsack pool for Mapo-gu, projects on their ballots,
officials of the budget department and residents verified against the register."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories

_resident_numbers = itertools.count(1)
JONGNO = "11110"
MAPO = "11440"

# (pool, code, area, cost) of the projects on the ballots.
PROJECTS = (
    ("city", "c1", "welfare", 300),
    ("city", "c2", "environment", 500),
    ("city", "c3", "transport", 400),
    ("city", "c4", "culture", 200),
    ("jongno", "j1", "welfare", 100),
    ("jongno", "j2", "welfare", 150),
    ("jongno", "j3", "safety", 120),
    ("jongno", "j4", "environment", 90),
    ("mapo", "m1", "welfare", 600),
    ("mapo", "m2", "transport", 300),
    ("mapo", "m3", "culture", 250),
)


def phase_dates(phase: str, *, now=None) -> dict:
    """Dates that put a cycle in `phase` now (each phase lasts ten days)."""
    from hamkke.budget.models import PHASE_STARTS, Phase

    now = now or timezone.now()
    order = [Phase.UPCOMING] + [p for p, _f in PHASE_STARTS]
    position = order.index(Phase(phase))
    # The current phase started a day ago; the others are ten days apart around it.
    dates = {}
    for index, (_phase, field) in enumerate(PHASE_STARTS, start=1):
        dates[field] = now - timedelta(days=1) + timedelta(days=10 * (index - position))
    return dates


def set_phase(cycle, phase: str) -> None:
    for field, moment in phase_dates(phase).items():
        setattr(cycle, field, moment)
    cycle.save()


def make_cycle(city, *, phase: str = "voting", rule: str = "greedy", weights=(45, 10, 45)):
    """A cycle run by Seoul's budget department, with three pools and PROJECTS accepted."""
    from hamkke.budget.models import Area, Cycle, Pool, Project, ProjectStatus
    from hamkke.core.models import Department

    department = Department.objects.get(city=city, code="budget")
    cycle = Cycle.objects.create(
        city=city,
        slug=f"pb-{next(_resident_numbers)}",
        title="2026 시민참여예산",
        title_en="2026 participatory budget",
        department=department,
        weight_vote=weights[0],
        weight_survey=weights[1],
        weight_committee=weights[2],
        rule=rule,
        **phase_dates(phase),
    )
    districts = {d.code: d for d in city.districts.all()}
    pools = {
        "city": Pool.objects.create(
            cycle=cycle,
            code="city",
            name="시 전체",
            name_en="Citywide",
            budget=1000,
            ballot_kind="approval",
            max_choices=2,
        ),
        "jongno": Pool.objects.create(
            cycle=cycle,
            code="jongno",
            name="종로구",
            name_en="Jongno-gu",
            budget=300,
            ballot_kind="quota",
            district=districts[JONGNO],
        ),
        "mapo": Pool.objects.create(
            cycle=cycle,
            code="mapo",
            name="마포구",
            name_en="Mapo-gu",
            budget=1000,
            ballot_kind="knapsack",
            district=districts[MAPO],
            min_spend_percent=50,
        ),
    }
    areas = {a.code: a for a in Area.objects.filter(city=city)}
    for pool, code, area, cost in PROJECTS:
        Project.objects.create(
            cycle=cycle,
            pool=pools[pool],
            code=code,
            title=f"Project {code}",
            summary=f"What {code} does",
            area=areas[area],
            district=pools[pool].district,
            status=ProjectStatus.ACCEPTED,
            cost=cost,
            reviewing_department=department,
            reviewed_at=timezone.now(),
        )
    return cycle


def make_resident(*, district_code: str, user=None, verified: bool = True):
    """A person in the residents register living in `district_code`; with `user`, that account
    is verified as them. Returns (user or None, resident id)."""
    from hamkke.accounts.identity import resident_key
    from hamkke.accounts.models import CensusRecord, VerificationMethod, VerifiedIdentity
    from hamkke.core.models import District

    number = next(_resident_numbers)
    resident_id = f"900101-{number:07d}"
    district = District.objects.get(code=district_code, city__slug="seoul")
    key = resident_key(resident_id)
    CensusRecord.objects.create(
        record_key=key, match_key=f"m{number}", district=district, batch="test"
    )
    if user is not None and verified:
        VerifiedIdentity.objects.create(
            user=user, method=VerificationMethod.CENSUS, identity_key=key, district=district
        )
        user.home_district = district
        user.save(update_fields=["home_district"])
    return user, resident_id


@pytest.fixture
def cycle(city):
    """A cycle in its voting phase."""
    return make_cycle(city)


@pytest.fixture
def pools(cycle):
    return {pool.code: pool for pool in cycle.pools.all()}


@pytest.fixture
def jongno_voter(db, city):
    user = factories.make_user(display_name="종로 주민")
    make_resident(district_code=JONGNO, user=user)
    return user


@pytest.fixture
def mapo_voter(db, city):
    user = factories.make_user(display_name="마포 주민")
    make_resident(district_code=MAPO, user=user)
    return user


def budget_member(city, *, email: str, role: int):
    """A person holding `role` in Seoul's budget department, which runs make_cycle's cycles."""
    from hamkke.core.models import Department

    department = Department.objects.get(city=city, code="budget")
    return factories.make_official(role=role, department=department, email=email)


@pytest.fixture
def budget_official(city):
    """A handler in the budget department (enters paper ballots, reviews proposals)."""
    from hamkke.accounts.models import Role

    return budget_member(city, email="handler@budget.example.org", role=Role.HANDLER)


@pytest.fixture
def budget_manager(city):
    """A manager in the budget department (publishes results, imports the survey)."""
    from hamkke.accounts.models import Role

    return budget_member(city, email="manager@budget.example.org", role=Role.MANAGER)


def make_voter(district_code: str, **fields):
    """A new account (`fields` for tests.factories.make_user) verified against the register as a
    resident of `district_code`: one who may vote there."""
    user = factories.make_user(**fields)
    make_resident(district_code=district_code, user=user)
    return user


@pytest.fixture(autouse=True)
def ballots_leave_the_box_at_once(settings):
    """A batch of one: each ballot is written to the ballot table right after it is cast, so a
    test reads it there at once. Tests of the box itself (test_secrecy.py) set their own size."""
    settings.HAMKKE_BALLOT_BATCH = 1


def paper_ballot(*, actor, pool, resident_id: str, choices):
    """A resident voting on paper: checked and handed a paper at the booth, then their marked
    paper entered from the box (two steps that never meet in production). The box's result."""
    from hamkke.budget import services

    services.hand_out_paper_ballot(actor=actor, pool=pool, resident_id=resident_id)
    return services.enter_paper_ballot(actor=actor, pool=pool, choices=choices)
