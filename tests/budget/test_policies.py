"""budget.policies: what each phase of a cycle allows, the roles of the desk's actions, and the
rules of voting, reviewing, withdrawing and publishing — decided from facts, without the
database, so that the pages' offers and the services' refusals are one answer. The last tests
check, against the database, that the refusals read as accounts' own checks do."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.budget import policies
from hamkke.budget.models import Cycle, Phase, Pool, Project, ProjectStatus
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.core.models import Department, District
from tests.budget.conftest import phase_dates

PHASES = list(Phase)
BUDGET_OFFICE = Department(
    pk=1, name="예산담당관", name_en="Budget Office", code="budget", city_id=1
)
JONGNO = District(pk=11, city_id=1, code="11110", name="종로구", name_en="Jongno-gu")
MAPO = District(pk=14, city_id=1, code="11440", name="마포구", name_en="Mapo-gu")
ELSEWHERE = District(pk=99, city_id=2, code="26110", name="중구", name_en="Jung-gu")


@pytest.fixture(autouse=True)
def _in_english(english):
    """Refusals are asserted in their English source."""


def cycle_in(phase: str, **fields) -> Cycle:
    return Cycle(
        slug="pb", title="pb", city_id=1, department=BUDGET_OFFICE, **phase_dates(phase), **fields
    )


def pool_of(cycle: Cycle, district: District | None = None) -> Pool:
    return Pool(cycle=cycle, code="p", name="풀", name_en="Pool", district=district, budget=1000)


def person(**fields) -> SimpleNamespace:
    return SimpleNamespace(**{"pk": 1, "banned_at": None, "is_staff": False, **fields})


def resident_of(district: District) -> SimpleNamespace:
    return SimpleNamespace(district=district, identity_key="k")


def project_in(cycle: Cycle, **fields) -> Project:
    fields.setdefault("status", ProjectStatus.PROPOSED)
    return Project(cycle=cycle, code="1", reviewing_department=BUDGET_OFFICE, **fields)


# --- phases -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", PHASES)
def test_a_cycle_allows_in_each_phase_what_its_spec_says(phase):
    cycle = cycle_in(phase)
    assert cycle.phase == phase
    actions = set().union(*policies.PHASE_ALLOWS.values())
    allowed = {action for action in actions if policies.phase_allows(cycle, action)}
    assert allowed == set(policies.PHASE_ALLOWS[phase])


def test_the_phases_follow_the_dates_at_their_boundaries():
    cycle = cycle_in("voting")
    assert policies.phase_at(cycle, cycle.voting_from) == Phase.VOTING
    assert policies.phase_at(cycle, cycle.voting_from - timezone.timedelta(seconds=1)) == (
        Phase.REVIEW
    )
    assert policies.phase_at(cycle, cycle.proposals_from - timezone.timedelta(days=1)) == (
        Phase.UPCOMING
    )


def test_a_refusal_names_the_phase_and_the_phases_that_allow_the_action():
    refusal = policies.in_phase(cycle_in("voting"), policies.REVIEW)
    assert not refusal
    assert refusal.reason == (
        "This cannot be done now: the cycle is in its “Voting” phase (needs: Proposals, Review)."
    )
    assert (refusal.code, refusal.error) == ("wrong_phase", Conflict)
    assert (
        "(needs: Results, Implementation)"
        in policies.in_phase(cycle_in("scoring"), policies.PUBLISH).reason
    )


@pytest.mark.parametrize("phase", PHASES)
def test_pools_change_until_voting_starts(phase):
    """One rule for the desk's form, add_pool and the back office's inline (three lists once)."""
    decision = policies.may_change_pools(cycle_in(phase))
    assert bool(decision) == (phase in (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW))
    if not decision:
        assert decision.reason == "Pools are fixed once voting has started."


# --- roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, *Role])
def test_the_least_role_of_each_desk_action(role):
    for action, least in policies.LEAST_ROLE.items():
        assert policies.role_allows(role, action) == (role is not None and role >= least)
    refusal = policies.holds_role(Role.HANDLER, policies.PUBLISH, department=BUDGET_OFFICE)
    assert refusal.reason == ("This needs the role “manager” in Budget Office; you do not hold it.")
    assert refusal.code == "role_required"


def test_the_desk_shows_a_cycle_to_its_department_and_to_its_reviewers():
    cycle = cycle_in("review")  # run by BUDGET_OFFICE, department 1
    routed = project_in(cycle, reviewing_department_id=2)
    runner = policies.DeskAccess(role=Role.VIEWER, roles={1: Role.VIEWER}, reviewing=())
    reviewer = policies.DeskAccess(role=None, roles={2: Role.HANDLER}, reviewing=(2,))
    stranger = policies.DeskAccess(role=None, roles={3: Role.MANAGER}, reviewing=())
    assert policies.may_open_cycle(cycle, runner) and policies.may_open_cycle(cycle, reviewer)
    assert policies.may_open_cycle(cycle, stranger).reason == (
        "This cycle is run by Budget Office; you work in none of its departments."
    )
    assert runner.may_see(routed) and reviewer.may_see(routed)
    assert not policies.may_see_proposal(project_in(cycle, reviewing_department_id=1), reviewer)
    assert reviewer.role_for(routed) == Role.HANDLER and runner.role_for(routed) is None


# --- proposals and review -----------------------------------------------------------------------


def test_proposing_needs_an_account_that_may_take_part_while_proposals_are_open():
    open_cycle = cycle_in("proposals")
    assert policies.may_propose(open_cycle, user=person())
    assert policies.may_propose(open_cycle, user=None).code == "not_authenticated"
    banned = person(banned_at=timezone.now())
    assert policies.may_propose(open_cycle, user=banned).code == "banned"
    assert policies.may_propose(cycle_in("review"), user=person()).code == "wrong_phase"


def test_only_the_proposer_withdraws_and_only_before_the_review():
    cycle = cycle_in("review")
    mine = project_in(cycle, proposer_id=1)
    assert policies.may_withdraw(mine, user=person())
    assert not policies.may_withdraw(mine, user=person(pk=2))
    assert not policies.may_withdraw(mine, user=None)
    reviewed = project_in(cycle, proposer_id=1, status=ProjectStatus.ACCEPTED)
    refusal = policies.may_withdraw(reviewed, user=person())
    assert (refusal.code, refusal.error) == ("already_reviewed", Conflict)


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("status", list(ProjectStatus))
@pytest.mark.parametrize("role", [None, Role.VIEWER, Role.HANDLER, Role.MANAGER])
def test_the_desk_offers_a_decision_exactly_when_the_service_takes_it(phase, status, role):
    """What the desk's review page once computed on its own, and review_project on its own."""
    decision = policies.may_review(project_in(cycle_in(phase), status=status), role=role)
    expected = (
        role is not None
        and role >= Role.HANDLER
        and phase in (Phase.PROPOSALS, Phase.REVIEW)
        and status != ProjectStatus.WITHDRAWN
    )
    assert bool(decision) == expected


def test_routing_needs_a_manager_and_a_proposal_not_yet_reviewed():
    cycle = cycle_in("review")
    assert policies.may_route(project_in(cycle), role=Role.MANAGER)
    assert policies.may_route(project_in(cycle), role=Role.HANDLER).code == "role_required"
    accepted = project_in(cycle, status=ProjectStatus.ACCEPTED)
    assert policies.may_route(accepted, role=Role.MANAGER).code == "already_reviewed"


# --- voting -------------------------------------------------------------------------------------


def test_residents_vote_citywide_and_in_their_own_district():
    cycle = cycle_in("voting")
    assert policies.residence_allows(pool_of(cycle), JONGNO)
    assert policies.residence_allows(pool_of(cycle, JONGNO), JONGNO)
    other = policies.residence_allows(pool_of(cycle, MAPO), JONGNO)
    assert (other.code, other.reason) == (
        "other_district",
        "Only residents of Mapo-gu vote in this pool.",
    )
    assert policies.residence_allows(pool_of(cycle), ELSEWHERE).code == "not_resident"
    assert policies.residence_allows(pool_of(cycle), None).code == "not_resident"


def test_a_vote_is_refused_first_for_what_the_person_cannot_change():
    voting = pool_of(cycle_in("voting"), MAPO)
    resident = resident_of(MAPO)

    def refusal(pool=voting, user=None, identity=resident, voted=False):
        user = person() if user is None else user
        decision = policies.may_vote(pool, user=user, identity=identity, voted=voted)
        return decision.code if not decision else None

    assert refusal() is None
    # Closed, unverified, banned, elsewhere and voted all at once: voting is closed comes first.
    banned = person(banned_at=timezone.now())
    closed = pool_of(cycle_in("scoring"), MAPO)
    assert refusal(closed, banned, None, voted=True) == "wrong_phase"
    assert refusal(voting, banned, None) == "verification_required"
    assert refusal(voting, banned, resident_of(JONGNO)) == "banned"
    assert refusal(voting, person(), resident_of(JONGNO), voted=True) == "other_district"
    assert refusal(voted=True) == "already_voted"


def test_the_refusals_of_a_vote_carry_their_status():
    pool = pool_of(cycle_in("voting"), MAPO)
    voted = policies.may_vote(pool, user=person(), identity=resident_of(MAPO), voted=True)
    assert voted.error is Conflict
    assert voted.reason == "This person has already voted in the Pool pool; a ballot is final."
    unverified = policies.may_vote(pool, user=person(), identity=None, voted=False)
    assert unverified.error is NotAllowed


def test_paper_ballots_need_a_handler_while_voting_is_open():
    pool = pool_of(cycle_in("voting"))
    assert policies.may_enter_paper_ballot(pool, role=Role.HANDLER)
    assert policies.may_enter_paper_ballot(pool, role=Role.VIEWER).code == "role_required"
    late = pool_of(cycle_in("scoring"))
    assert policies.may_enter_paper_ballot(late, role=Role.HANDLER).code == "wrong_phase"


# --- survey, committee, results -----------------------------------------------------------------


def test_scoring_needs_a_seat_the_scoring_phase_and_a_project_on_the_ballot():
    cycle = cycle_in("scoring")
    on_ballot = project_in(cycle, status=ProjectStatus.ACCEPTED)
    seat = object()
    assert policies.may_score(on_ballot, seat=seat)
    assert policies.may_score(on_ballot, seat=None).reason == (
        "Only members of this cycle's committee score projects."
    )
    assert policies.may_score(project_in(cycle), seat=seat).error is InvalidInput
    early = project_in(cycle_in("voting"), status=ProjectStatus.ACCEPTED)
    assert policies.may_score(early, seat=seat).code == "wrong_phase"


@pytest.mark.parametrize("phase", PHASES)
def test_the_survey_is_imported_while_people_vote_and_the_committee_scores(phase):
    decision = policies.may_import_survey(cycle_in(phase), role=Role.MANAGER)
    assert bool(decision) == (phase in (Phase.VOTING, Phase.SCORING))


def test_results_are_published_once_by_a_manager_or_the_system():
    due = cycle_in("results")
    assert policies.may_publish(due, role=Role.MANAGER)
    assert policies.may_publish(due, role=None, by_system=True)
    assert policies.may_publish(due, role=Role.HANDLER).code == "role_required"
    assert policies.may_publish(cycle_in("scoring"), role=Role.MANAGER).code == "wrong_phase"
    done = cycle_in("results", results_published_at=timezone.now())
    refusal = policies.may_publish(done, role=Role.MANAGER, by_system=True)
    assert (refusal.code, refusal.error) == ("published", Conflict)
    assert not policies.may_correct_in_back_office(done, user=person(is_staff=True))
    assert policies.may_correct_in_back_office(due, user=person(is_staff=True))
    assert not policies.may_correct_in_back_office(due, user=person())


def test_only_selected_projects_are_implemented_by_the_reviewing_department():
    cycle = cycle_in("implementation")
    selected = project_in(cycle, status=ProjectStatus.ACCEPTED, selected=True)
    assert policies.may_record_implementation(selected, role=Role.HANDLER)
    assert not policies.may_record_implementation(selected, role=Role.VIEWER)
    lost = project_in(cycle, status=ProjectStatus.ACCEPTED, selected=False)
    assert policies.may_record_implementation(lost, role=Role.HANDLER).code == "not_selected"


# --- the same words as accounts' own checks ------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_role_reads_as_accounts_require_role(city):
    from hamkke.accounts.permissions import require_role
    from tests import factories

    department = Department.objects.get(city=city, code="budget")
    outsider = factories.make_user()
    with pytest.raises(NotAllowed) as refused:
        require_role(outsider, role=Role.MANAGER, department=department)
    decision = policies.holds_role(None, policies.PUBLISH, department=department)
    assert (decision.reason, decision.code) == (refused.value.message, refused.value.code)


@pytest.mark.django_db
def test_a_missing_verification_reads_as_accounts_require_verified(city):
    from django.contrib.auth.models import AnonymousUser

    from hamkke.accounts.permissions import require_verified
    from tests import factories

    pool = pool_of(cycle_in("voting"))
    for user, who in ((factories.make_user(), "signed in"), (AnonymousUser(), "anonymous")):
        with pytest.raises(NotAllowed) as refused:
            require_verified(user, methods=policies.VOTER_VERIFICATION)
        account = user if user.is_authenticated else None
        decision = policies.may_vote(pool, user=account, identity=None, voted=False)
        assert (decision.reason, decision.code) == (refused.value.message, refused.value.code), who
