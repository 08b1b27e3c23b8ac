"""Who may do what in participatory budgeting, and when: what each phase of a cycle allows (a
core.phases schedule built from the cycle's dates), the least role each of the desk's actions
needs, and the rules of proposing, voting, scoring and publishing. Each function decides from
facts its caller read (a role, an identity, whether the person has voted) without a query of its
own and returns a core.policies Decision: services enforce it, and the pages, the API, the desk
and the back office ask the same function before they offer the action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts import policies as account_policies
from hamkke.accounts.models import Role, VerificationMethod
from hamkke.budget.models import PHASE_STARTS, Cycle, Phase, Pool, Project, ProjectStatus
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.phases import PhaseSpec, Schedule
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal

# --- the phases ---------------------------------------------------------------------------------

# What people and officials do in a cycle, as the phases name it.
CHANGE_POOLS = "change_pools"
PROPOSE = "propose"
REVIEW = "review"
VOTE = "vote"
IMPORT_SURVEY = "import_survey"
SCORE = "score"
PUBLISH = "publish"
DISCLOSE_BALLOTS = "disclose_ballots"

# What each phase allows. Pools and their ballots are set until voting starts; proposals are
# judged until then too (a decision may change), so the ballot never changes while people vote.
# The survey is taken while people vote and until the committee has scored; the ballots are
# public once results are due.
PHASE_ALLOWS: dict[Phase, frozenset[str]] = {
    Phase.UPCOMING: frozenset({CHANGE_POOLS}),
    Phase.PROPOSALS: frozenset({CHANGE_POOLS, PROPOSE, REVIEW}),
    Phase.REVIEW: frozenset({CHANGE_POOLS, REVIEW}),
    Phase.VOTING: frozenset({VOTE, IMPORT_SURVEY}),
    Phase.SCORING: frozenset({SCORE, IMPORT_SURVEY}),
    Phase.RESULTS: frozenset({PUBLISH, DISCLOSE_BALLOTS}),
    Phase.IMPLEMENTATION: frozenset({PUBLISH, DISCLOSE_BALLOTS}),
}
_SPECS = {phase: PhaseSpec(phase.value, allows=actions) for phase, actions in PHASE_ALLOWS.items()}


def schedule_of(cycle: Cycle) -> Schedule:
    """The cycle's phases from its dates; before proposals open it is "upcoming"."""
    return Schedule.of(
        ((_SPECS[phase], getattr(cycle, field)) for phase, field in PHASE_STARTS),
        before=_SPECS[Phase.UPCOMING],
    )


def phase_at(cycle: Cycle, moment: datetime) -> Phase:
    return Phase(schedule_of(cycle).current(moment).code)


def phase_allows(cycle: Cycle, action: str, *, now: datetime | None = None) -> bool:
    """Whether the cycle's phase now allows `action` (in_phase, without the refusal's words)."""
    return schedule_of(cycle).allows(action, now or timezone.now())


def in_phase(cycle: Cycle, action: str, *, now: datetime | None = None) -> Decision:
    """Whether the cycle's phase now allows `action`; a refusal names the phases that do."""
    schedule = schedule_of(cycle)
    moment = now or timezone.now()
    if schedule.allows(action, moment):
        return ALLOW
    names = ", ".join(str(Phase(spec.code).label) for spec in schedule.specs_allowing(action))
    return deny(
        _("This cannot be done now: the cycle is in its “%(phase)s” phase (needs: %(names)s).")
        % {"phase": Phase(schedule.current(moment).code).label, "names": names},
        code="wrong_phase",
        error=Conflict,
    )


def may_change_pools(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    """Pools (their money and their ballots) change only until voting starts."""
    if phase_allows(cycle, CHANGE_POOLS, now=now):
        return ALLOW
    return deny(_("Pools are fixed once voting has started."), code="wrong_phase", error=Conflict)


def proposals_open(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    return in_phase(cycle, PROPOSE, now=now)


def voting_open(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    return in_phase(cycle, VOTE, now=now)


def review_open(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    return in_phase(cycle, REVIEW, now=now)


def scoring_open(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    return in_phase(cycle, SCORE, now=now)


def ballots_disclosed(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    """Whether the cycle's ballots may leave the city (exported), its results being due."""
    return in_phase(cycle, DISCLOSE_BALLOTS, now=now)


# --- officials' roles ---------------------------------------------------------------------------

# Further actions of the desk, which no phase limits.
CREATE_CYCLE = "create_cycle"
ROUTE = "route"
ENTER_PAPER_BALLOTS = "enter_paper_ballots"
APPOINT_COMMITTEE = "appoint_committee"
RECORD_IMPLEMENTATION = "record_implementation"

# The least role each action needs in the department concerned: the cycle's, or for a
# proposal's review and implementation the department reviewing it. Managers run a cycle;
# handlers do its daily work.
LEAST_ROLE: dict[str, Role] = {
    CREATE_CYCLE: Role.MANAGER,
    CHANGE_POOLS: Role.MANAGER,
    ROUTE: Role.MANAGER,
    IMPORT_SURVEY: Role.MANAGER,
    APPOINT_COMMITTEE: Role.MANAGER,
    PUBLISH: Role.MANAGER,
    REVIEW: Role.HANDLER,
    ENTER_PAPER_BALLOTS: Role.HANDLER,
    RECORD_IMPLEMENTATION: Role.HANDLER,
}


def least_role(action: str) -> Role:
    return LEAST_ROLE[action]


def role_allows(role: Role | None, action: str) -> bool:
    """Whether `role` (None: no role) is enough for `action`."""
    return role is not None and role >= LEAST_ROLE[action]


def holds_role(role: Role | None, action: str, *, department: Any) -> Decision:
    """Whether the role held in `department` is enough for `action` (accounts' own rule)."""
    return account_policies.role_suffices(role, LEAST_ROLE[action], department=department)


def reviewing_department(project: Project) -> Any:
    """The department judging a proposal and carrying out the project: the one it was routed
    to, else the cycle's."""
    return project.reviewing_department or project.cycle.department


@dataclass(frozen=True)
class DeskAccess:
    """What an official may see of a cycle at the desk: all of it with a role in the department
    running it; otherwise only the proposals routed to their own departments for review."""

    role: Role | None  # in the cycle's department
    roles: dict[int, Role]  # in each of the official's departments
    reviewing: tuple[int, ...]  # the official's departments reviewing proposals of the cycle

    @property
    def runs(self) -> bool:
        return self.role is not None

    def allows(self, action: str) -> bool:
        """Whether the role in the cycle's department is enough for `action`."""
        return role_allows(self.role, action)

    def may_see(self, project: Project) -> bool:
        return self.runs or project.reviewing_department_id in self.reviewing

    def role_for(self, project: Project) -> Role | None:
        """The official's role in the department reviewing `project`."""
        department = project.reviewing_department_id or project.cycle.department_id
        return self.roles.get(department)


def may_open_cycle(cycle: Cycle, access: DeskAccess) -> Decision:
    if access.runs or access.reviewing:
        return ALLOW
    return deny(
        _("This cycle is run by %(department)s; you work in none of its departments.")
        % {"department": cycle.department.display_name},
        code="role_required",
    )


def may_see_proposal(project: Project, access: DeskAccess) -> Decision:
    if access.may_see(project):
        return ALLOW
    return deny(_("This proposal is reviewed by another department."), code="role_required")


# --- cycles and pools ---------------------------------------------------------------------------


def may_create_cycle(*, department: Any, role: Role | None) -> Decision:
    """Managers of a department create the cycles it runs."""
    return holds_role(role, CREATE_CYCLE, department=department)


def may_add_pool(cycle: Cycle, *, role: Role | None, now: datetime | None = None) -> Decision:
    return first_refusal(
        holds_role(role, CHANGE_POOLS, department=cycle.department),
        may_change_pools(cycle, now=now),
    )


def may_correct_in_back_office(cycle: Cycle, *, user: Any) -> Decision:
    """The back office corrects a cycle (its dates, weights and text) until its results are
    published; staff only, as the back office itself is."""
    if user is None or not user.is_staff:
        return deny(_("The back office is for city staff."))
    if cycle.results_published_at is not None:
        return deny(
            _("The results of this cycle are published already."), code="published", error=Conflict
        )
    return ALLOW


def may_correct_pools_in_back_office(
    cycle: Cycle, *, user: Any, now: datetime | None = None
) -> Decision:
    return first_refusal(
        may_correct_in_back_office(cycle, user=user), may_change_pools(cycle, now=now)
    )


def may_correct_project_text(project: Project, *, user: Any) -> Decision:
    """Staff correct a project's wording (personal data or abuse) at any time."""
    if user is None or not user.is_staff:
        return deny(_("The back office is for city staff."))
    return ALLOW


# --- proposals and review -----------------------------------------------------------------------


def may_propose(cycle: Cycle, *, user: Any, now: datetime | None = None) -> Decision:
    """A signed-in person whose account may take part, while proposals are open."""
    if user is None:
        return deny(_("Log in to propose a project."), code="not_authenticated")
    return first_refusal(_may_take_part(user), proposals_open(cycle, now=now))


def may_withdraw(project: Project, *, user: Any) -> Decision:
    """The proposer takes a proposal back until it is reviewed."""
    if user is None or project.proposer_id != user.pk:
        return deny(_("Only the person who proposed it can withdraw it."))
    if project.status != ProjectStatus.PROPOSED:
        return deny(
            _("A reviewed project cannot be withdrawn."), code="already_reviewed", error=Conflict
        )
    return ALLOW


def may_route(project: Project, *, role: Role | None) -> Decision:
    """The cycle's managers send a proposal not yet reviewed to another department."""
    return first_refusal(
        holds_role(role, ROUTE, department=project.cycle.department),
        _not_reviewed(project),
    )


def may_review(project: Project, *, role: Role | None, now: datetime | None = None) -> Decision:
    """Handlers of the reviewing department decide, until voting starts, on any proposal its
    proposer has not withdrawn. `role` is the one held in the reviewing department."""
    withdrawn = project.status == ProjectStatus.WITHDRAWN
    return first_refusal(
        holds_role(role, REVIEW, department=reviewing_department(project)),
        review_open(project.cycle, now=now),
        deny(_("The proposer withdrew this project."), code="withdrawn", error=Conflict)
        if withdrawn
        else ALLOW,
    )


def _not_reviewed(project: Project) -> Decision:
    if project.status == ProjectStatus.PROPOSED:
        return ALLOW
    return deny(
        _("This project has been reviewed already."), code="already_reviewed", error=Conflict
    )


# --- voting -------------------------------------------------------------------------------------

# Voting needs residence in the city, which only the residents register proves: a phone number
# says nothing about where a person lives.
VOTER_VERIFICATION = (VerificationMethod.CENSUS,)


def residence_allows(pool: Pool, district: Any) -> Decision:
    """Residents of the city vote in its citywide pools and in their own district's."""
    if district is None or district.city_id != pool.cycle.city_id:
        return deny(
            _("Only residents of the city can vote; the register has no address for you here."),
            code="not_resident",
        )
    if pool.district_id not in (None, district.pk):
        return deny(
            _("Only residents of %(district)s vote in this pool.")
            % {"district": pool.district.display_name},
            code="other_district",
        )
    return ALLOW


def may_vote(
    pool: Pool, *, user: Any, identity: Any, voted: bool, now: datetime | None = None
) -> Decision:
    """A person's online ballot in `pool`: while voting is open, verified against the register
    (`identity`, None when not), with an account that may take part, living where the pool
    votes, once. What cannot change comes first, then what the person can do about it."""
    return first_refusal(
        voting_open(pool.cycle, now=now),
        _verified(user, identity),
        _may_take_part(user),
        residence_allows(pool, identity.district if identity is not None else None),
        already_voted(pool) if voted else ALLOW,
    )


def may_enter_paper_ballot(
    pool: Pool, *, role: Role | None, now: datetime | None = None
) -> Decision:
    """Officials of the cycle's department enter paper ballots from booths while voting is
    open; the resident's own residence is checked with residence_allows."""
    return first_refusal(
        holds_role(role, ENTER_PAPER_BALLOTS, department=pool.cycle.department),
        voting_open(pool.cycle, now=now),
    )


# A ballot box is mixed this long after voting closes: longer than any request that passed the
# phase check before the close can take to commit, so no ballot lands in a box already mixed.
BOX_CLOSES_AFTER = timedelta(minutes=5)


def ballot_box_closes(cycle: Cycle, *, now: datetime | None = None) -> Decision:
    """Whether the pools' ballot boxes may be closed (every ballot of a pool rewritten as one
    shuffled batch, services.close_ballot_box): once voting is over, and a little after."""
    moment = now or timezone.now()
    if moment >= cycle.scoring_from + BOX_CLOSES_AFTER:
        return ALLOW
    return deny(
        _("The ballot boxes close a few minutes after voting ends."),
        code="voting_not_over",
        error=Conflict,
    )


def may_hand_out_paper_ballot(
    pool: Pool, *, role: Role | None, district: Any, voted: bool, now: datetime | None = None
) -> Decision:
    """At a booth, an official checks a resident's ID against the register and hands them a
    ballot paper: officials of the cycle's department, while voting is open, for a resident of
    the pool's area who has not voted in it."""
    return first_refusal(
        may_enter_paper_ballot(pool, role=role, now=now),
        residence_allows(pool, district),
        already_voted(pool) if voted else ALLOW,
    )


def may_enter_ballot_from_box(
    pool: Pool,
    *,
    role: Role | None,
    handed_out: int,
    entered: int,
    now: datetime | None = None,
) -> Decision:
    """Officials enter the papers of a booth's ballot box (the marks, never a name) while voting
    is open; never more papers than the booths have handed out in the pool."""
    return first_refusal(
        may_enter_paper_ballot(pool, role=role, now=now),
        ALLOW
        if entered < handed_out
        else deny(
            _(
                "Every ballot paper handed out in the %(pool)s pool has been entered "
                "(%(n)d): a further paper did not come from the booth."
            )
            % {"pool": pool.display_name, "n": entered},
            code="more_papers_than_voters",
            error=Conflict,
        ),
    )


def already_voted(pool: Pool) -> Decision:
    """The refusal of a second ballot (the register's unique constraint says so too)."""
    return deny(
        _("This person has already voted in the %(pool)s pool; a ballot is final.")
        % {"pool": pool.display_name},
        code="already_voted",
        error=Conflict,
    )


def _verified(user: Any, identity: Any) -> Decision:
    return account_policies.verified(
        identity, methods=list(VOTER_VERIFICATION), signed_in=user is not None
    )


def _may_take_part(user: Any) -> Decision:
    if user is not None and user.banned_at is not None:
        return deny(_("Your account may not take part."), code="banned")
    return ALLOW


# --- survey, committee and results --------------------------------------------------------------


def may_import_survey(cycle: Cycle, *, role: Role | None, now: datetime | None = None) -> Decision:
    return first_refusal(
        holds_role(role, IMPORT_SURVEY, department=cycle.department),
        in_phase(cycle, IMPORT_SURVEY, now=now),
    )


def may_appoint_committee(cycle: Cycle, *, role: Role | None) -> Decision:
    return holds_role(role, APPOINT_COMMITTEE, department=cycle.department)


def may_score(project: Project, *, seat: Any, now: datetime | None = None) -> Decision:
    """A member of the cycle's committee (`seat`, None for anyone else) scores the projects on
    its ballots during scoring. Members may be outside experts: no official role is needed."""
    if seat is None:
        return deny(_("Only members of this cycle's committee score projects."))
    return first_refusal(
        scoring_open(project.cycle, now=now),
        ALLOW
        if project.status == ProjectStatus.ACCEPTED
        else deny(_("Only projects on the ballot are scored."), error=InvalidInput),
    )


def may_publish(
    cycle: Cycle, *, role: Role | None, by_system: bool = False, now: datetime | None = None
) -> Decision:
    """The cycle's managers (or the system, for the demo and commands) publish the results
    once, when results are due."""
    published = cycle.results_published_at is not None
    return first_refusal(
        ALLOW if by_system else holds_role(role, PUBLISH, department=cycle.department),
        in_phase(cycle, PUBLISH, now=now),
        deny(
            _("The results of this cycle are published already."), code="published", error=Conflict
        )
        if published
        else ALLOW,
    )


def may_record_implementation(project: Project, *, role: Role | None) -> Decision:
    """Handlers of the reviewing department report a selected project's progress. `role` is
    the one held in the reviewing department."""
    return first_refusal(
        holds_role(role, RECORD_IMPLEMENTATION, department=reviewing_department(project)),
        ALLOW
        if project.selected
        else deny(
            _("Only selected projects are implemented."), code="not_selected", error=Conflict
        ),
    )


def project_takes_comments(project: Project) -> bool:
    """People discuss a project on its public page; a withdrawn one takes no more comments."""
    return project.status != ProjectStatus.WITHDRAWN
