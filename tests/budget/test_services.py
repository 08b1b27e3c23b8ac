"""Writes of participatory budgeting: proposals, review, ballots against one register, the survey
and committee channels, and the published results that a recount must agree with."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.budget import ballots as ballot_rules
from hamkke.budget import recount, selectors, services
from hamkke.budget.models import (
    Area,
    Ballot,
    BallotChoice,
    CommitteeScore,
    Participation,
    Project,
    ProjectStatus,
    SurveyScore,
)
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hamkke.core.models import Department
from tests import factories
from tests.budget.conftest import (
    JONGNO,
    MAPO,
    make_cycle,
    make_resident,
    paper_ballot,
    set_phase,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stored_ballots():
    return Ballot.objects.count(), Participation.objects.count(), BallotChoice.objects.count()


# --- cycles ------------------------------------------------------------------------------------


def test_phases_must_follow_each_other(city, budget_manager):
    now = timezone.now()
    dates = {
        "proposals_from": now,
        "review_from": now + timedelta(days=2),
        "voting_from": now + timedelta(days=1),  # before review: wrong
        "scoring_from": now + timedelta(days=4),
        "results_from": now + timedelta(days=5),
        "implementation_from": now + timedelta(days=6),
    }
    department = Department.objects.get(city=city, code="budget")
    with pytest.raises(InvalidInput, match="Voting phase must start after the Review phase"):
        services.create_cycle(
            actor=budget_manager, city=city, slug="x", title="x", department=department, dates=dates
        )
    dates["voting_from"] = now + timedelta(days=3)
    with pytest.raises(InvalidInput, match="add up to 90"):
        services.create_cycle(
            actor=budget_manager,
            city=city,
            slug="x",
            title="x",
            department=department,
            dates=dates,
            weights=services.scoring.Weights(45, 0, 45),
        )
    cycle = services.create_cycle(
        actor=budget_manager, city=city, slug="x", title="x", department=department, dates=dates
    )
    assert (cycle.weight_vote, cycle.weight_survey, cycle.weight_committee) == (45, 10, 45)


def test_only_the_departments_managers_create_cycles(city, budget_official):
    department = Department.objects.get(city=city, code="budget")
    with pytest.raises(NotAllowed):
        services.create_cycle(
            actor=budget_official, city=city, slug="x", title="x", department=department, dates={}
        )


# --- proposals and review ----------------------------------------------------------------------


def test_citizens_propose_during_proposals_and_departments_review(city, citizen, budget_official):
    cycle = make_cycle(city, phase="proposals")
    pool = cycle.pools.get(code="jongno")
    area = Area.objects.get(city=city, code="safety")
    project = services.propose_project(
        actor=citizen, pool=pool, area=area, title="  골목 CCTV ", summary="Cameras"
    )
    assert project.title == "골목 CCTV"
    assert project.code == str(project.pk)
    assert project.district == pool.district  # a district pool's project is in its district
    with pytest.raises(InvalidInput, match="estimated cost"):
        services.review_project(actor=budget_official, project=project, accept=True, reasons="")
    with pytest.raises(InvalidInput, match="more than the pool's whole budget"):
        services.review_project(
            actor=budget_official, project=project, accept=True, reasons="", cost=301
        )
    services.review_project(
        actor=budget_official, project=project, accept=True, reasons="Feasible", cost=250
    )
    project.refresh_from_db()
    assert (project.status, project.cost) == (ProjectStatus.ACCEPTED, 250)
    assert citizen.notifications.filter(kind="budget.project").count() == 1


def test_services_take_an_actor_and_audit_its_address(city, citizen, budget_official):
    """Pages and the API hand services request.actor; a plain user (commands, tests) is an
    actor without an address."""
    from hamkke.core.actors import Actor
    from hamkke.core.models import AuditEntry

    cycle = make_cycle(city, phase="proposals")
    project = services.propose_project(
        actor=Actor(user=citizen, address="192.0.2.10"),
        pool=cycle.pools.get(code="city"),
        area=Area.objects.get(city=city, code="safety"),
        title="Lights",
        summary="Lights in the underpass",
    )
    assert project.proposer == citizen
    services.review_project(
        actor=budget_official, project=project, accept=False, reasons="Not the city's"
    )
    proposed = AuditEntry.objects.get(action="budget.proposed")
    assert (proposed.actor, proposed.ip_address) == (citizen, "192.0.2.10")
    reviewed = AuditEntry.objects.get(action="budget.reviewed")
    assert (reviewed.actor, reviewed.ip_address) == (budget_official, None)
    with pytest.raises(NotAllowed, match="Log in to propose"):
        services.propose_project(
            actor=Actor(user=None, address="192.0.2.10"),
            pool=cycle.pools.get(code="city"),
            area=Area.objects.get(city=city, code="safety"),
            title="Lights",
            summary="Lights in the underpass",
        )


def test_rejection_needs_reasons_and_keeps_them(city, citizen, budget_official):
    cycle = make_cycle(city, phase="review")
    set_phase(cycle, "proposals")
    project = services.propose_project(
        actor=citizen,
        pool=cycle.pools.get(code="city"),
        area=Area.objects.get(city=city, code="welfare"),
        title="A palace",
        summary="Gold",
    )
    set_phase(cycle, "review")
    with pytest.raises(InvalidInput):
        services.review_project(actor=budget_official, project=project, accept=False, reasons="")
    services.review_project(
        actor=budget_official, project=project, accept=False, reasons="Not city land"
    )
    project.refresh_from_db()
    assert (project.status, project.review_reasons) == (ProjectStatus.REJECTED, "Not city land")


def test_no_proposals_outside_the_proposals_phase(cycle, citizen, city):
    with pytest.raises(Conflict, match="Voting"):
        services.propose_project(
            actor=citizen,
            pool=cycle.pools.get(code="city"),
            area=Area.objects.get(city=city, code="welfare"),
            title="Late",
            summary="Too late",
        )
    assert not Project.objects.filter(title="Late").exists()


def test_a_reviewer_from_another_department_cannot_decide(city, cycle):
    outsider = factories.make_user()
    factories.make_membership(
        user=outsider, department=Department.objects.get(city=city, code="parks"), role=Role.MANAGER
    )
    set_phase(cycle, "review")
    project = cycle.projects.first()
    with pytest.raises(NotAllowed):
        services.review_project(actor=outsider, project=project, accept=False, reasons="No")


# --- ballots -----------------------------------------------------------------------------------


def test_a_valid_ballot_is_stored_apart_from_the_register(pools, jongno_voter):
    cast = services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j1", "j3"])
    ballot = Ballot.objects.get()
    assert ballot_rules.ballot_id_of(cast.receipt) == ballot.pk
    chosen = set(BallotChoice.objects.values_list("project__code", flat=True))
    assert chosen == {"j1", "j3"}
    register = Participation.objects.get()
    assert (register.user, register.district.code) == (jongno_voter, JONGNO)
    # Nothing on the ballot points at the person or the moment.
    field_names = {f.name for f in Ballot._meta.get_fields()}
    assert not field_names & {"user", "participation", "cast_at", "created_at", "district"}


def test_a_quota_ballot_with_two_projects_in_one_area_is_refused_whole(pools, jongno_voter):
    with pytest.raises(InvalidInput, match="void as a whole") as raised:
        services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j1", "j2", "j3"])
    assert raised.value.code == "void_ballot"
    assert stored_ballots() == (0, 0, 0)
    # The voter can still vote, correctly.
    services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j1", "j3"])
    assert stored_ballots() == (1, 1, 2)


def test_ballot_problems_are_told_before_submitting(pools):
    problems = services.ballot_problems(pool=pools["mapo"], choices=["m1", "m2", "m3"])
    assert problems == ["Your choices cost 1,150, more than the budget of 1,000."]
    assert services.ballot_problems(pool=pools["mapo"], choices=["m2"]) == [
        "Your choices cost 300; spend at least 500."
    ]
    assert services.ballot_problems(pool=pools["mapo"], choices=["m1", "m2"]) == []


def test_a_project_from_another_pool_makes_the_ballot_void(pools, jongno_voter):
    with pytest.raises(InvalidInput, match="not projects on the"):
        services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j1", "c1"])
    assert stored_ballots() == (0, 0, 0)


def test_one_ballot_per_person_per_pool(pools, jongno_voter):
    services.cast_ballot(actor=jongno_voter, pool=pools["city"], choices=["c1"])
    with pytest.raises(Conflict, match="already voted") as raised:
        services.cast_ballot(actor=jongno_voter, pool=pools["city"], choices=["c2"])
    assert raised.value.code == "already_voted"
    # The other pool of their district is still open to them.
    services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j4"])
    assert stored_ballots()[:2] == (2, 2)


def test_a_second_account_of_the_same_resident_cannot_vote_again(pools, jongno_voter):
    """The register is keyed by the resident, not the account."""
    from hamkke.accounts.models import VerificationMethod, VerifiedIdentity

    services.cast_ballot(actor=jongno_voter, pool=pools["city"], choices=["c1"])
    key = VerifiedIdentity.objects.get(user=jongno_voter).identity_key
    jongno_voter.identities.all().delete()  # as if verified again on a new account
    other = factories.make_user()
    VerifiedIdentity.objects.create(
        user=other,
        method=VerificationMethod.CENSUS,
        identity_key=key,
        district=pools["jongno"].district,
    )
    with pytest.raises(Conflict):
        services.cast_ballot(actor=other, pool=pools["city"], choices=["c2"])


def test_residents_vote_only_in_their_districts_pool(pools, mapo_voter):
    with pytest.raises(NotAllowed, match="Only residents of Jongno-gu") as raised:
        services.cast_ballot(actor=mapo_voter, pool=pools["jongno"], choices=["j1"])
    assert raised.value.code == "other_district"
    assert stored_ballots() == (0, 0, 0)


def test_voting_needs_a_register_verified_identity(pools, citizen):
    with pytest.raises(NotAllowed, match="verify") as raised:
        services.cast_ballot(actor=citizen, pool=pools["city"], choices=["c1"])
    assert raised.value.code == "verification_required"


def test_no_ballots_outside_the_voting_phase(cycle, pools, jongno_voter):
    set_phase(cycle, "scoring")
    with pytest.raises(Conflict) as raised:
        services.cast_ballot(actor=jongno_voter, pool=pools["city"], choices=["c1"])
    assert raised.value.code == "wrong_phase"


def test_paper_ballots_use_the_same_register(pools, budget_official, city):
    user = factories.make_user()
    _user, resident_id = make_resident(district_code=MAPO, user=user)
    paper = paper_ballot(
        actor=budget_official, pool=pools["mapo"], resident_id=resident_id, choices=["m1"]
    )
    assert paper.void_reasons == ()
    with pytest.raises(Conflict, match="already voted"):
        services.cast_ballot(actor=user, pool=pools["mapo"], choices=["m1", "m2"])
    register = Participation.objects.get()
    assert (register.channel, register.entered_by, register.user) == (
        "paper",
        budget_official,
        None,
    )


def test_a_paper_ballot_breaking_the_rule_is_kept_void_and_not_counted(pools, budget_official):
    _none, resident_id = make_resident(district_code=JONGNO)
    paper = paper_ballot(
        actor=budget_official,
        pool=pools["jongno"],
        resident_id=resident_id,
        choices=["j1", "j2"],
    )
    assert paper.void_reasons and "void as a whole" in paper.void_reasons[0]
    ballot = Ballot.objects.get()
    assert (ballot.void_reasons, ballot.void_marks) == ("area_twice", "j1,j2")
    assert BallotChoice.objects.count() == 0
    with pytest.raises(Conflict):  # void, but they did vote
        paper_ballot(
            actor=budget_official, pool=pools["jongno"], resident_id=resident_id, choices=["j1"]
        )


def test_paper_ballots_need_a_resident_in_the_register_and_an_official(pools, budget_official):
    with pytest.raises(NotFound, match="register"):
        paper_ballot(
            actor=budget_official,
            pool=pools["city"],
            resident_id="900101-9999999",
            choices=["c1"],
        )
    _none, resident_id = make_resident(district_code=JONGNO)
    with pytest.raises(NotAllowed):
        paper_ballot(
            actor=factories.make_user(),
            pool=pools["city"],
            resident_id=resident_id,
            choices=["c1"],
        )
    assert stored_ballots() == (0, 0, 0)


# --- survey and committee ----------------------------------------------------------------------


def test_survey_import_is_all_or_nothing_naming_lines(cycle, budget_manager):
    bad = b"project,score\nc1,70\nzz,10\nc2,abc\n"
    with pytest.raises(InvalidInput) as raised:
        services.import_survey(actor=budget_manager, cycle=cycle, data=bad)
    assert "line 3" in raised.value.message and "zz" in raised.value.message
    assert "line 4" in raised.value.message
    assert SurveyScore.objects.count() == 0
    assert (
        services.import_survey(actor=budget_manager, cycle=cycle, data=b"project,score\nc1,70.5\n")
        == 1
    )
    assert str(SurveyScore.objects.get().score) == "70.500"


def test_survey_needs_its_header(cycle, budget_manager):
    with pytest.raises(InvalidInput, match="Line 1"):
        services.import_survey(actor=budget_manager, cycle=cycle, data=b"c1,70\n")


def test_a_committee_member_scores_each_project_once(cycle, budget_manager):
    member = factories.make_user()
    services.appoint_committee_member(actor=budget_manager, cycle=cycle, member=member)
    project = cycle.projects.get(code="c1")
    with pytest.raises(Conflict, match="Voting"):
        services.score_project(actor=member, project=project, score=80)
    set_phase(cycle, "scoring")
    services.score_project(actor=member, project=project, score=80)
    with pytest.raises(Conflict, match="already") as raised:
        services.score_project(actor=member, project=project, score=90)
    assert raised.value.code == "already_scored"
    with pytest.raises(InvalidInput):
        services.score_project(actor=member, project=cycle.projects.get(code="c2"), score=101)
    with pytest.raises(NotAllowed):
        services.score_project(actor=factories.make_user(), project=project, score=50)
    assert list(CommitteeScore.objects.values_list("score", flat=True)) == [80]


# --- results -----------------------------------------------------------------------------------


def vote(pool, district_code, choices, times=1):
    for _ in range(times):
        user = factories.make_user()
        make_resident(district_code=district_code, user=user)
        services.cast_ballot(actor=user, pool=pool, choices=choices)


def test_published_results_follow_all_three_channels_and_the_recount_agrees(
    city, cycle, pools, budget_manager, budget_official, settings, tmp_path
):
    vote(pools["city"], JONGNO, ["c1", "c2"], times=3)
    vote(pools["city"], MAPO, ["c3"], times=2)
    vote(pools["jongno"], JONGNO, ["j1", "j3"], times=2)
    vote(pools["mapo"], MAPO, ["m2", "m3"], times=2)
    _none, resident_id = make_resident(district_code=JONGNO)
    paper_ballot(  # void: two in welfare
        actor=budget_official,
        pool=pools["jongno"],
        resident_id=resident_id,
        choices=["j1", "j2"],
    )
    services.import_survey(
        actor=budget_manager, cycle=cycle, data=b"project,score\nc1,10\nc3,40\nc4,20\n"
    )
    set_phase(cycle, "scoring")
    member = factories.make_user()
    services.appoint_committee_member(actor=budget_manager, cycle=cycle, member=member)
    for code, score in (("c1", 50), ("c3", 100), ("c4", 100)):
        services.score_project(actor=member, project=cycle.projects.get(code=code), score=score)
    with pytest.raises(Conflict):  # not yet the results phase
        services.publish_results(actor=budget_manager, cycle=cycle)
    set_phase(cycle, "results")
    services.publish_results(actor=budget_manager, cycle=cycle)

    projects = {p.code: p for p in cycle.projects.all()}
    # By hand: citywide votes c1 3, c2 3, c3 2, c4 0; survey 10/40/20 of max 40; committee
    # 50/100/100 of max 100. c1 = 45 + 10·¼ + 45·½ = 70; c2 = 45; c3 = 30 + 10 + 45 = 85;
    # c4 = 0 + 5 + 45 = 50. Budget 1,000: c3 (400), c1 (300), c4 (200); c2 (500) no longer fits.
    assert {c: projects[c].final_score for c in ("c1", "c2", "c3", "c4")} == {
        "c1": 70,
        "c2": 45,
        "c3": 85,
        "c4": 50,
    }
    assert [c for c in ("c1", "c2", "c3", "c4") if projects[c].selected] == ["c1", "c3", "c4"]
    assert (projects["c3"].rank, projects["c1"].rank) == (1, 2)
    assert projects["j2"].votes == 0  # the void paper ballot is not counted

    folder = Path(settings.MEDIA_ROOT) / Path(cycle.pools.get(code="city").ballots_file).parent
    report = recount.recount(folder)
    assert report.agrees, report.findings
    with pytest.raises(Conflict):
        services.publish_results(actor=budget_manager, cycle=cycle)
    assert default_storage.exists(cycle.pools.get(code="jongno").ballots_file)
    # A receipt is in the published file and finds its ballot.
    receipt = ballot_rules.receipt_of(Ballot.objects.filter(pool=pools["mapo"]).first().pk)
    found = selectors.ballot_by_receipt(cycle, receipt)
    assert sorted(p.code for p in found.choices) == ["m2", "m3"]


def test_implementation_is_recorded_for_selected_projects_only(cycle, budget_official):
    project = cycle.projects.get(code="c1")
    with pytest.raises(Conflict):
        services.record_implementation(
            actor=budget_official, project=project, implementation="in_progress"
        )
    project.selected = True
    project.save()
    services.record_implementation(
        actor=budget_official, project=project, implementation="in_progress", note="Tender out"
    )
    project.refresh_from_db()
    assert project.implementation == "in_progress"
    assert project.updates.get().note == "Tender out"


def test_a_proposal_at_a_point_takes_its_district_and_a_refusal_keeps_no_point(city, citizen):
    from hamkke.core.models import Location

    cycle = make_cycle(city, phase="proposals")
    area = Area.objects.get(city=city, code="welfare")
    # Near Gwanghwamun, in Jongno-gu.
    project = services.propose_project(
        actor=citizen,
        pool=cycle.pools.get(code="city"),
        area=area,
        title="Benches",
        summary="Shade",
        point=(37.5759, 126.9769),
    )
    assert project.district.code == JONGNO
    assert project.location.district.code == JONGNO
    before = Location.objects.count()
    with pytest.raises(InvalidInput, match="must be in"):
        services.propose_project(  # a point in Jongno-gu for Mapo-gu's pool
            actor=citizen,
            pool=cycle.pools.get(code="mapo"),
            area=area,
            title="Benches",
            summary="Shade",
            point=(37.5759, 126.9769),
        )
    assert Location.objects.count() == before
