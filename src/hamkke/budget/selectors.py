"""Reads of participatory budgeting: cycles and their projects, the facts the policies decide
from (a voter's identity and standing, an official's roles), the desk's lists and counts, ballots
by receipt, the tally and its three channels, turnout by district, and the published cycle."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User, VerifiedIdentity
from hamkke.budget import ballots as ballot_rules
from hamkke.budget import policies, publication, scoring
from hamkke.budget.models import (
    Area,
    Ballot,
    BallotChoice,
    Channel,
    CommitteeMember,
    CommitteeScore,
    Cycle,
    Participation,
    PendingBallot,
    Pool,
    Project,
    ProjectStatus,
    SurveyScore,
)
from hamkke.core import ballots as ballot_pattern
from hamkke.core.errors import NotFound
from hamkke.core.models import City, Department

# Statuses the public sees, in the order of a proposal's life; a withdrawn proposal is the
# proposer's to take back, and is shown to no one else.
PUBLIC_STATUSES = (ProjectStatus.PROPOSED, ProjectStatus.ACCEPTED, ProjectStatus.REJECTED)


def cycles_of(city: City) -> QuerySet[Cycle]:
    return Cycle.objects.filter(city=city).select_related("department")


def cycle_by_slug(city: City, slug: str) -> Cycle:
    # get(), not first(): first() would sort by the default ordering for nothing.
    try:
        return cycles_of(city).get(slug=slug)
    except Cycle.DoesNotExist:
        raise NotFound(f"No budget cycle {slug!r}.") from None


def current_cycle(city: City) -> Cycle | None:
    """The newest cycle that has started (else the next one)."""
    return cycles_of(city).order_by("-proposals_from").first()


def other_cycles(cycle: Cycle) -> list[Cycle]:
    """The city's cycles but this one, newest first."""
    return list(cycles_of(cycle.city).exclude(pk=cycle.pk))


@dataclass(frozen=True)
class PoolSummary:
    pool: Pool
    proposals: int  # not withdrawn
    on_ballot: int


@dataclass(frozen=True)
class CycleSummary:
    pools: list[PoolSummary]
    rejected: int

    @property
    def total_budget(self) -> int:
        return sum(row.pool.budget for row in self.pools)

    @property
    def proposals(self) -> int:
        return sum(row.proposals for row in self.pools)

    @property
    def on_ballot(self) -> int:
        return sum(row.on_ballot for row in self.pools)


def cycle_summary(cycle: Cycle) -> CycleSummary:
    """Each pool with its proposals and projects on the ballot, from one count by status."""
    counts: dict[tuple[int, str], int] = {
        (pool_id, status): n
        for pool_id, status, n in cycle.projects.values_list("pool_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    rows = [
        PoolSummary(
            pool=pool,
            proposals=sum(
                n
                for (pool_id, status), n in counts.items()
                if pool_id == pool.pk and status != ProjectStatus.WITHDRAWN
            ),
            on_ballot=counts.get((pool.pk, ProjectStatus.ACCEPTED), 0),
        )
        for pool in pools_of(cycle)
    ]
    rejected = sum(n for (_pool, status), n in counts.items() if status == ProjectStatus.REJECTED)
    return CycleSummary(pools=rows, rejected=rejected)


def pools_of(cycle: Cycle) -> list[Pool]:
    return list(cycle.pools.select_related("district").order_by("district__code", "code"))


def pool_by_code(cycle: Cycle, code: str) -> Pool:
    try:
        pool = cycle.pools.select_related("district").get(code=code)
    except Pool.DoesNotExist:
        raise NotFound(f"No pool {code!r} in this cycle.") from None
    pool.cycle = cycle  # the caller's, with its department and city already loaded
    return pool


def areas_of(city: City) -> list[Area]:
    return list(Area.objects.filter(city=city))


def projects_of(
    cycle: Cycle,
    *,
    statuses: tuple[str, ...] | None = None,
    pool: Pool | None = None,
    area: Area | None = None,
    with_proposer: bool = False,
) -> QuerySet[Project]:
    projects = cycle.projects.select_related("pool", "area", "district", "pool__district")
    if with_proposer:
        projects = projects.select_related("proposer")
    if statuses:
        projects = projects.filter(status__in=statuses)
    if pool is not None:
        projects = projects.filter(pool=pool)
    if area is not None:
        projects = projects.filter(area=area)
    return projects


def ballot_projects(pool: Pool) -> list[Project]:
    """The projects on a pool's ballot, by area then code."""
    return list(
        pool.projects.filter(status=ProjectStatus.ACCEPTED)
        .select_related("area", "district")
        .order_by("area__order", "code")
    )


def proposals_by(user: User, cycle: Cycle) -> list[Project]:
    """A person's own proposals in the cycle (withdrawn ones too), newest first."""
    if not user.is_authenticated:
        return []
    return list(
        projects_of(cycle).filter(proposer=user).select_related("proposer").order_by("-created_at")
    )


def selected_projects(cycle: Cycle) -> QuerySet[Project]:
    """The projects the published results selected."""
    return projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,)).filter(selected=True)


def accepted_project(cycle: Cycle, code: str) -> Project:
    """A project on one of the cycle's ballots."""
    project = projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,)).filter(code=code).first()
    if project is None:
        raise NotFound(_("No project with that code is on this cycle's ballots."))
    return project


def project_by_code(cycle: Cycle, code: str) -> Project:
    project = (
        projects_of(cycle)
        .select_related("reviewing_department", "location")
        .prefetch_related("updates")
        .filter(code=code)
        .exclude(status=ProjectStatus.WITHDRAWN)
        .first()
    )
    if project is None:
        raise NotFound(f"No project {code!r} in this cycle.")
    return project


# --- voters ------------------------------------------------------------------------------------


def voter_identity(user: User) -> VerifiedIdentity | None:
    """The identity a person votes with (see policies.VOTER_VERIFICATION), with its district.
    Pages and the API read it once per request and hand it on."""
    return account_selectors.verified_identity(user, methods=policies.VOTER_VERIFICATION)


def has_voted(pool: Pool, identity_key: str) -> bool:
    return Participation.objects.filter(pool=pool, identity_key=identity_key).exists()


def voter_facts(user: User | None, pool: Pool) -> tuple[VerifiedIdentity | None, bool]:
    """What policies.may_vote decides from: the person's voter identity (None: not verified, or
    nobody signed in) and whether they have voted in `pool`. Two queries at most."""
    identity = voter_identity(user) if user is not None else None
    return identity, identity is not None and has_voted(pool, identity.identity_key)


@dataclass(frozen=True)
class PoolStanding:
    """Where a person stands with one pool: whether they may vote there, and whether they have."""

    pool: Pool
    eligible: bool
    voted: bool


def standing_of(user: User, cycle: Cycle) -> list[PoolStanding]:
    return standings_for(voter_identity(user), cycle)


def standings_for(identity: VerifiedIdentity | None, cycle: Cycle) -> list[PoolStanding]:
    """Each pool of the cycle, for the person with this voter identity (or none)."""
    voted: set[int] = set()
    if identity is not None:
        voted = set(
            Participation.objects.filter(
                pool__cycle=cycle, identity_key=identity.identity_key
            ).values_list("pool_id", flat=True)
        )
    district = identity.district if identity is not None else None
    return [
        PoolStanding(
            pool=pool,
            eligible=bool(policies.residence_allows(pool, district)),
            voted=pool.pk in voted,
        )
        for pool in pools_of(cycle)
    ]


@dataclass(frozen=True)
class ReceiptLookup:
    receipt: str
    pool: Pool
    choices: list[Project]
    void_reasons: str
    void_marks: str


@dataclass(frozen=True)
class WaitingBallot:
    """A ballot still sealed in its pool's box (PendingBallot), opened to be counted or found
    by its receipt. While people vote a box holds less than a batch (core.ballots.batch_size);
    after the close, nothing."""

    pool_id: int
    id: int
    channel: str
    choices: tuple[int, ...]  # project pks; none for a void ballot
    void_reasons: str
    void_marks: str


def waiting_ballots(pools: QuerySet[Pool] | list[Pool]) -> list[WaitingBallot]:
    """The ballots waiting in the boxes of `pools`, opened with the server's key."""
    rows = PendingBallot.objects.filter(pool__in=pools).values_list("pool_id", "sealed")
    waiting = []
    for pool_id, sealed in rows:
        payload = ballot_pattern.unseal(sealed, box=PendingBallot.box(pool_id))
        waiting.append(
            WaitingBallot(
                pool_id=pool_id,
                id=payload["id"],
                channel=payload["channel"],
                choices=tuple(payload["choices"]),
                void_reasons=payload["void"],
                void_marks=payload["marks"],
            )
        )
    return waiting


def _waiting_in(cycle: Cycle) -> list[WaitingBallot]:
    return waiting_ballots(Pool.objects.filter(cycle=cycle))


def ballot_by_receipt(cycle: Cycle, receipt: str) -> ReceiptLookup:
    """The ballot a receipt names, in this cycle: the voter checks it was stored as cast, in
    the ballot table or still sealed in its pool's box."""
    ballot_id = ballot_rules.ballot_id_of(receipt)
    ballot = (
        Ballot.objects.select_related("pool", "pool__district")
        .filter(pk=ballot_id, pool__cycle=cycle)
        .first()
        if ballot_id
        else None
    )
    if ballot is not None:
        chosen = ballot.choices.values("project_id")
        pool, void_reasons, void_marks = ballot.pool, ballot.void_reasons, ballot.void_marks
    else:
        waiting = next((b for b in _waiting_in(cycle) if ballot_id and b.id == ballot_id), None)
        if waiting is None:
            raise NotFound(
                "No ballot with that receipt in this cycle. Check the code on your receipt."
            )
        chosen = waiting.choices
        pool = Pool.objects.select_related("district").get(pk=waiting.pool_id)
        void_reasons, void_marks = waiting.void_reasons, waiting.void_marks
    choices = list(
        Project.objects.filter(pk__in=chosen).select_related("area").order_by("area__order", "code")
    )
    return ReceiptLookup(
        receipt=ballot_rules.receipt_of(ballot_id),
        pool=pool,
        choices=choices,
        void_reasons=void_reasons,
        void_marks=void_marks,
    )


# --- the tally ---------------------------------------------------------------------------------


def vote_counts(cycle: Cycle, waiting: list[WaitingBallot] | None = None) -> dict[int, int]:
    """Valid ballots choosing each project (by project pk): one aggregate over the choices, and
    the ballots still waiting in the boxes (`waiting`, read when not given)."""
    rows = (
        BallotChoice.objects.filter(project__cycle=cycle)
        .values_list("project_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = defaultdict(int, rows)
    for ballot in _waiting_in(cycle) if waiting is None else waiting:
        for project_id in ballot.choices:
            counts[project_id] += 1
    return dict(counts)


def survey_scores(cycle: Cycle) -> dict[int, Fraction]:
    rows = SurveyScore.objects.filter(project__cycle=cycle).values_list("project_id", "score")
    return {pk: Fraction(score) for pk, score in rows}


def committee_scores(cycle: Cycle) -> dict[int, Fraction]:
    rows = CommitteeScore.objects.filter(project__cycle=cycle).values_list("project_id", "score")
    return scoring.committee_means(rows)


def committee_progress(cycle: Cycle) -> dict[str, int]:
    return {
        "members": CommitteeMember.objects.filter(cycle=cycle).count(),
        "scores": CommitteeScore.objects.filter(project__cycle=cycle).count(),
        "projects": cycle.projects.filter(status=ProjectStatus.ACCEPTED).count(),
    }


def committee_members(cycle: Cycle) -> QuerySet[CommitteeMember]:
    """The committee in the order of appointment, each member with the number of projects
    they have scored (`scored`)."""
    return (
        cycle.committee.select_related("user")
        .annotate(scored=Count("scores"))
        .order_by("appointed_at", "pk")
    )


def ballots_by_channel(cycle: Cycle) -> dict[str, int]:
    """Ballots stored and waiting in the boxes, by channel."""
    counts: dict[str, int] = defaultdict(int)
    for model in (Ballot, PendingBallot):
        rows = model.objects.filter(pool__cycle=cycle).values_list("channel").annotate(n=Count("*"))
        for channel, n in rows.order_by():
            counts[channel] += n
    return dict(counts)


def ballot_count(cycle: Cycle) -> int:
    """Every ballot of the cycle: stored, and still waiting in a pool's box."""
    return (
        Ballot.objects.filter(pool__cycle=cycle).count()
        + PendingBallot.objects.filter(pool__cycle=cycle).count()
    )


def desk_counts(cycle: Cycle) -> dict:
    """What the officials' desk shows of a cycle: proposals by status, ballots, and how far the
    committee's scoring has come."""
    statuses = dict(cycle.projects.values_list("status").annotate(n=Count("id")).order_by())
    progress = committee_progress(cycle)
    wanted = progress["members"] * progress["projects"]
    return {
        "to_review": statuses.get(ProjectStatus.PROPOSED, 0),
        "accepted": statuses.get(ProjectStatus.ACCEPTED, 0),
        "rejected": statuses.get(ProjectStatus.REJECTED, 0),
        "ballots": ballot_count(cycle),
        "members": progress["members"],
        "scores": progress["scores"],
        "scores_wanted": wanted,
        "scores_percent": round(100 * progress["scores"] / wanted) if wanted else None,
    }


@dataclass(frozen=True)
class ProjectTally:
    project: Project
    votes: int
    survey: Fraction
    committee: Fraction
    score: Fraction
    rank: int
    selected: bool


@dataclass(frozen=True)
class PoolTally:
    pool: Pool
    ballots: int
    void: int
    projects: list[ProjectTally]
    spent: int

    @property
    def left(self) -> int:
        return self.pool.budget - self.spent


def tally(cycle: Cycle) -> list[PoolTally]:
    """Every channel, the final scores and the selection of each pool, from the database as it
    stands (the published results are the same computation over the published files)."""
    waiting = _waiting_in(cycle)
    votes = vote_counts(cycle, waiting)
    survey = survey_scores(cycle)
    committee = committee_scores(cycle)
    weights = weights_of(cycle)
    # Ballots and void ballots per pool in one pass over the ballots, and those in the boxes.
    counted = list(
        Ballot.objects.filter(pool__cycle=cycle)
        .values_list("pool_id")
        .annotate(n=Count("id"), void=Count("id", filter=~Q(void_reasons="")))
        .order_by()
    )
    ballots: dict[int, int] = defaultdict(int, {pool_id: n for pool_id, n, _void in counted})
    void: dict[int, int] = defaultdict(int, {pool_id: n for pool_id, _n, n in counted})
    for ballot in waiting:
        ballots[ballot.pool_id] += 1
        void[ballot.pool_id] += bool(ballot.void_reasons)
    by_pool: dict[int, list[Project]] = defaultdict(list)
    for project in projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,)):
        by_pool[project.pool_id].append(project)
    result = []
    for pool in pools_of(cycle):
        projects = {p.code: p for p in by_pool.get(pool.pk, [])}
        scores = scoring.final_scores(
            projects,
            votes={c: votes.get(p.pk, 0) for c, p in projects.items()},
            survey={c: survey.get(p.pk, Fraction(0)) for c, p in projects.items()},
            committee={c: committee.get(p.pk, Fraction(0)) for c, p in projects.items()},
            weights=weights,
        )
        selected = set(
            scoring.select(
                rule=cycle.rule,
                budget=pool.budget,
                costs={c: p.cost for c, p in projects.items()},
                scores=scores,
                ballots=_choice_sets(pool, waiting) if cycle.rule in scoring.BALLOT_RULES else (),
                min_score=cycle.min_score,
            )
        )
        ranked = [
            ProjectTally(
                project=projects[code],
                votes=votes.get(projects[code].pk, 0),
                survey=survey.get(projects[code].pk, Fraction(0)),
                committee=committee.get(projects[code].pk, Fraction(0)),
                score=scores[code],
                rank=position,
                selected=code in selected,
            )
            for position, code in enumerate(scoring.ranking(scores), start=1)
        ]
        result.append(
            PoolTally(
                pool=pool,
                ballots=ballots.get(pool.pk, 0),
                void=void.get(pool.pk, 0),
                projects=ranked,
                spent=sum(projects[c].cost for c in selected),
            )
        )
    return result


def weights_of(cycle: Cycle) -> scoring.Weights:
    return scoring.Weights(
        vote=cycle.weight_vote, survey=cycle.weight_survey, committee=cycle.weight_committee
    )


def _choice_sets(pool: Pool, waiting: list[WaitingBallot]) -> list[frozenset[str]]:
    """The chosen project codes of each valid ballot of a pool (for the ballot-based rules),
    stored or among the `waiting` ones."""
    sets: dict[int, set[str]] = defaultdict(set)
    rows = BallotChoice.objects.filter(ballot__pool=pool).values_list("ballot_id", "project__code")
    for ballot_id, code in rows.iterator(chunk_size=20000):
        sets[ballot_id].add(code)
    empty = Ballot.objects.filter(pool=pool, void_reasons="").count() - len(sets)
    code_of = dict(pool.projects.values_list("pk", "code"))
    for ballot in waiting:
        if ballot.pool_id == pool.pk and not ballot.void_reasons:
            sets[ballot.id] = {code_of[pk] for pk in ballot.choices}
    return [frozenset(s) for s in sets.values()] + [frozenset()] * max(empty, 0)


@dataclass(frozen=True)
class DistrictTurnout:
    district: Any
    voters: int
    residents: int  # in the uploaded register; 0 when none was uploaded

    @property
    def percent(self) -> float | None:
        return 100 * self.voters / self.residents if self.residents else None


def turnout_by_district(cycle: Cycle) -> list[DistrictTurnout]:
    """People who voted in at least one pool of the cycle, per district, against the residents
    register (the people who could vote)."""
    voters = dict(
        Participation.objects.filter(pool__cycle=cycle)
        .values_list("district_id")
        .annotate(n=Count("identity_key", distinct=True))
        .order_by()
    )
    residents = account_selectors.residents_by_district()
    return [
        DistrictTurnout(district=d, voters=voters.get(d.pk, 0), residents=residents.get(d.pk, 0))
        for d in cycle.city.districts.order_by("code")
    ]


def participation_count(cycle: Cycle) -> int:
    return Participation.objects.filter(pool__cycle=cycle).values("identity_key").distinct().count()


# Published results cannot change (ballots, survey and committee scores all close before the
# results phase), so the figures behind them are computed once per publication, not per request.
RESULTS_CACHE_SECONDS = 600


def published_figures(cycle: Cycle) -> tuple[list[PoolTally], list, int]:
    """The published results' tally, turnout by district and number of voters (for this page and
    the API). Nothing changes them after publication, so they are computed once per publication
    and kept a while: reading every ballot of a ballot-based rule on each visit is wasteful."""
    key = f"budget:results:{cycle.pk}:{cycle.results_published_at.timestamp()}"
    return cache.get_or_set(
        key,
        lambda: (
            tally(cycle),
            turnout_by_district(cycle),
            participation_count(cycle),
        ),
        RESULTS_CACHE_SECONDS,
    )


def manifest_path(tallies: list[PoolTally]) -> str:
    """The published manifest, which publish_results writes beside the pools' ballot files."""
    files = [t.pool.ballots_file for t in tallies if t.pool.ballots_file]
    return posixpath.join(posixpath.dirname(files[0]), "manifest.json") if files else ""


# --- the published cycle -----------------------------------------------------------------------


def published_cycle(cycle: Cycle) -> publication.PublishedCycle:
    """Everything the published files hold, read from the database (ballots in receipt order,
    which is their id order)."""
    survey = survey_scores(cycle)
    committee = committee_scores(cycle)
    pools = []
    for pool in pools_of(cycle):
        projects = ballot_projects(pool)
        code_of = {p.pk: p.code for p in projects}
        choices: dict[int, list[str]] = defaultdict(list)
        rows = (
            BallotChoice.objects.filter(ballot__pool=pool)
            .values_list("ballot_id", "project_id")
            .order_by("ballot_id")
        )
        for ballot_id, project_id in rows.iterator(chunk_size=20000):
            choices[ballot_id].append(code_of[project_id])
        ballots = []
        for ballot_id, marks in (
            Ballot.objects.filter(pool=pool).order_by("id").values_list("id", "void_marks")
        ).iterator(chunk_size=20000):
            chosen = choices.get(ballot_id) or [m for m in marks.split(",") if m]
            ballots.append((ballot_id, tuple(sorted(chosen))))
        # None once the box is closed (publish_results closes it first); counted all the same.
        waiting = waiting_ballots([pool])
        for ballot in waiting:
            chosen = [code_of[pk] for pk in ballot.choices] or [
                m for m in ballot.void_marks.split(",") if m
            ]
            ballots.append((ballot.id, tuple(sorted(chosen))))
        if waiting:
            ballots.sort()
        pools.append(
            publication.PublishedPool(
                code=pool.code,
                name=pool.name,
                budget=pool.budget,
                ballot_kind=pool.ballot_kind,
                max_choices=pool.max_choices,
                min_spend_percent=pool.min_spend_percent,
                projects=[
                    publication.PublishedProject(
                        id=p.code,
                        name=p.title,
                        cost=p.cost,
                        area=p.area.code,
                        district=p.district.code if p.district else "",
                        survey=survey.get(p.pk, Fraction(0)),
                        committee=committee.get(p.pk, Fraction(0)),
                    )
                    for p in projects
                ],
                ballots=ballots,
            )
        )
    return publication.PublishedCycle(
        city=cycle.city.slug,
        slug=cycle.slug,
        title=cycle.title,
        rule=cycle.rule,
        weights=weights_of(cycle),
        min_score=cycle.min_score,
        voting_from=cycle.voting_from.date().isoformat(),
        voting_to=cycle.scoring_from.date().isoformat(),
        pools=pools,
    )


# --- personal data ------------------------------------------------------------------------------


def personal_data_of(user: User) -> dict[str, Any]:
    """What budgeting holds about a person: their proposals and where they voted (never how:
    ballots are not linked to people)."""
    proposals = [
        {
            "cycle": p.cycle.slug,
            "code": p.code,
            "title": p.title,
            "status": p.status,
            "created_at": p.created_at.isoformat(),
        }
        for p in Project.objects.filter(proposer=user).select_related("cycle")
    ]
    voted = [
        {
            "cycle": v.pool.cycle.slug,
            "pool": v.pool.code,
            "channel": v.channel,
            "cast_at": v.cast_at.isoformat(),
        }
        for v in Participation.objects.filter(user=user).select_related("pool", "pool__cycle")
    ]
    return {"proposals": proposals, "voted_in": voted}


def committee_seat(user: User, cycle: Cycle) -> CommitteeMember | None:
    if not user.is_authenticated:
        return None
    return CommitteeMember.objects.filter(cycle=cycle, user=user).first()


def projects_to_score(member: CommitteeMember) -> list[tuple[Project, int | None]]:
    """The projects on the ballots of the member's cycle, with the member's score if given."""
    given = dict(member.scores.values_list("project_id", "score"))
    projects = (
        projects_of(member.cycle, statuses=(ProjectStatus.ACCEPTED,))
        .order_by("pool__code", "area__order", "code")
        .prefetch_related(Prefetch("updates"))
    )
    return [(p, given.get(p.pk)) for p in projects]


# --- the desk -----------------------------------------------------------------------------------


def desk_access(user: User, cycle: Cycle) -> policies.DeskAccess:
    """The facts of what an official may see of a cycle: their roles by department, and which
    of their departments review proposals of the cycle."""
    roles = account_selectors.roles_by_department(user, city=cycle.city)
    reviewing = tuple(
        cycle.projects.filter(reviewing_department_id__in=roles)
        .values_list("reviewing_department_id", flat=True)
        .distinct()
        .order_by()
    )
    return policies.DeskAccess(
        role=roles.get(cycle.department_id), roles=roles, reviewing=reviewing
    )


def desk_cycles(city: City, roles: dict[int, Role]) -> QuerySet[Cycle]:
    """The cycles run by the official's departments (`roles`), or with proposals routed to
    them, newest first."""
    return (
        cycles_of(city)
        .filter(Q(department_id__in=roles) | Q(projects__reviewing_department_id__in=roles))
        .distinct()
        .order_by("-proposals_from", "slug")
    )


def review_scope(cycle: Cycle, access: policies.DeskAccess) -> QuerySet[Project]:
    """The proposals of the cycle the official sees: all, or those their departments review."""
    scope = projects_of(cycle).select_related("reviewing_department", "proposer")
    if not access.runs:
        scope = scope.filter(reviewing_department_id__in=access.reviewing)
    return scope


def reviewing_departments_of(scope: QuerySet[Project]) -> list[Department]:
    """The departments reviewing these proposals, by name."""
    return list(
        Department.objects.filter(pk__in=scope.values("reviewing_department_id")).order_by("name")
    )


def review_queue(
    scope: QuerySet[Project],
    *,
    statuses: tuple[str, ...] | None = None,
    pool: Pool | None = None,
    area: Area | None = None,
    department: Department | None = None,
) -> QuerySet[Project]:
    """The proposals in `scope` that pass the review queue's filters, oldest first."""
    projects = scope
    if statuses:
        projects = projects.filter(status__in=statuses)
    if pool is not None:
        projects = projects.filter(pool=pool)
    if area is not None:
        projects = projects.filter(area=area)
    if department is not None:
        projects = projects.filter(reviewing_department=department)
    return projects.order_by("created_at", "pk")


def status_counts(scope: QuerySet[Project]) -> dict[str, int]:
    return dict(scope.values_list("status").annotate(n=Count("id")).order_by())


def proposal_by_code(cycle: Cycle, code: str) -> Project:
    """A proposal of the cycle in any status (withdrawn too), as the desk reviews it."""
    project = (
        projects_of(cycle)
        .select_related("reviewing_department", "proposer", "location", "cycle")
        .filter(code=code)
        .first()
    )
    if project is None:
        raise NotFound(_("No project with that code in this cycle."))
    return project


def paper_ballot_count(pool: Pool) -> int:
    """Residents handed a ballot paper at the pool's booths."""
    return pool.participations.filter(channel=Channel.PAPER).count()


def paper_papers(pool: Pool) -> tuple[int, int]:
    """(ballot papers handed out at the pool's booths, papers entered from their boxes)."""
    entered = sum(
        model.objects.filter(pool=pool, channel=Channel.PAPER).count()
        for model in (Ballot, PendingBallot)
    )
    return paper_ballot_count(pool), entered


def survey_rows(cycle: Cycle) -> tuple[list[tuple[Project, Fraction | None]], int]:
    """The projects on the cycle's ballots with their imported survey score, if any, and how
    many scores are imported."""
    scores = survey_scores(cycle)
    projects = projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,)).order_by("pool__code", "code")
    return [(project, scores.get(project.pk)) for project in projects], len(scores)


def projects_to_implement(cycle: Cycle) -> QuerySet[Project]:
    """The selected projects with their updates, by pool and rank."""
    return (
        selected_projects(cycle)
        .select_related("reviewing_department", "cycle", "cycle__department")
        .prefetch_related("updates")
        .order_by("pool__code", "rank", "code")
    )


# --- pools open to proposals (helper desk: the Oasis carries adopted ideas into them) ---------


def pools_taking_proposals(city: City) -> QuerySet[Pool]:
    """The pools of the city's cycles whose phase takes proposals now (the phase decided by
    policies, as for a citizen's proposal), oldest cycle first: where another service may carry
    a citizen's work as a proposal."""
    open_cycles = [
        cycle.pk for cycle in cycles_of(city) if policies.phase_allows(cycle, policies.PROPOSE)
    ]
    return (
        Pool.objects.filter(cycle_id__in=open_cycles)
        .select_related("cycle", "district")
        .order_by("cycle__proposals_from", "cycle__slug", "district__code", "code")
    )
