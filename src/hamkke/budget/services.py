"""Every write of participatory budgeting: cycles and pools (and their corrections in the back
office), proposals and their review, ballots (online and on paper, against one register), the
survey and committee channels, publishing the results with the checkable ballot files, and
implementation updates. Each takes the `actor` (an Actor, or a plain user from commands and
tests), enforces the decision of its policy (policies.py) and writes the audit log."""

from __future__ import annotations

import csv
import io
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hamkke.accounts import identity as accounts_identity
from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.budget import ballots as ballot_rules
from hamkke.budget import policies, publication, scoring, selectors
from hamkke.budget.models import (
    PHASE_STARTS,
    Area,
    Ballot,
    BallotChoice,
    BallotKind,
    Channel,
    CommitteeMember,
    CommitteeScore,
    Cycle,
    Implementation,
    Participation,
    PendingBallot,
    Pool,
    Project,
    ProjectStatus,
    ProjectUpdate,
    SurveyScore,
    new_ballot_id,
)
from hamkke.core import ballots as ballot_pattern
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.services import locate
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hamkke.core.models import City, Department, District
from hamkke.core.notifications.services import notify
from hamkke.plaza import services as plaza_services

logger = logging.getLogger(__name__)

MAX_SURVEY_BYTES = 2 * 1024 * 1024
DEFAULT_WEIGHTS = scoring.Weights()  # Seoul's: vote 45, survey 10, committee 45


# --- the profile -------------------------------------------------------------------------------


def load_areas(*, city: City) -> None:
    """The profile's `[[budget.areas]]` as rows (idempotent; areas dropped stay for old cycles)."""
    for order, item in enumerate(city.profile.get("budget", {}).get("areas", [])):
        Area.objects.update_or_create(
            city=city,
            code=item["code"],
            defaults={"name": item["name"], "name_en": item.get("name_en", ""), "order": order},
        )


# --- cycles and pools --------------------------------------------------------------------------


def _role_in(actor: Actor, department: Department) -> Role | None:
    """The actor's role in `department`, for a policy to weigh; only officials act there, so
    anonymous callers are refused here as accounts.permissions.require_role refuses them."""
    if actor.user is None:
        raise NotAllowed(_("Log in as a city official to do this."), code="not_official")
    return account_selectors.highest_role(actor.user, department=department)


def check_cycle_settings(
    *, dates: dict[str, datetime], weights: scoring.Weights, rule: str, min_score: int
) -> None:
    """Raise InvalidInput unless the phases are in order and the weights fit the rule."""
    previous = None
    for phase, field in PHASE_STARTS:
        moment = dates.get(field)
        if moment is None:
            raise InvalidInput(_("Give the start of the %(phase)s phase.") % {"phase": phase.label})
        if previous is not None and moment <= previous[1]:
            raise InvalidInput(
                _("The %(phase)s phase must start after the %(before)s phase.")
                % {"phase": phase.label, "before": previous[0].label},
                field=field,
            )
        previous = (phase, moment)
    if rule not in scoring.SCORE_RULES + scoring.BALLOT_RULES:
        raise InvalidInput(_("Unknown selection rule “%(rule)s”.") % {"rule": rule}, field="rule")
    problems = weights.problems(rule)
    if problems:
        raise InvalidInput(_("The weights do not work: %(why)s.") % {"why": "; ".join(problems)})
    if not 0 <= min_score <= 100:
        raise InvalidInput(_("The minimum score is in points from 0 to 100."), field="min_score")


@transaction.atomic
def create_cycle(
    *,
    actor: Actor | User,
    city: City,
    slug: str,
    title: str,
    department: Department,
    dates: dict[str, datetime],
    title_en: str = "",
    description: str = "",
    weights: scoring.Weights = DEFAULT_WEIGHTS,
    rule: str = "greedy",
    min_score: int = 0,
) -> Cycle:
    """A new cycle run by `department` (its managers create it)."""
    actor = Actor.of(actor)
    policies.may_create_cycle(department=department, role=_role_in(actor, department)).enforce()
    check_cycle_settings(dates=dates, weights=weights, rule=rule, min_score=min_score)
    if Cycle.objects.filter(city=city, slug=slug).exists():
        raise Conflict(_("A cycle named “%(slug)s” exists already.") % {"slug": slug}, field="slug")
    cycle = Cycle.objects.create(
        city=city,
        slug=slug,
        title=title.strip(),
        title_en=title_en.strip(),
        description=description.strip(),
        department=department,
        weight_vote=weights.vote,
        weight_survey=weights.survey,
        weight_committee=weights.committee,
        rule=rule,
        min_score=min_score,
        **dates,
    )
    record_audit(actor=actor, action="budget.cycle_created", target=cycle)
    return cycle


@transaction.atomic
def add_pool(
    *,
    actor: Actor | User,
    cycle: Cycle,
    code: str,
    name: str,
    budget: int,
    ballot_kind: str,
    name_en: str = "",
    district: District | None = None,
    max_choices: int | None = None,
    min_spend_percent: int = 0,
) -> Pool:
    """Money to spend in a cycle, citywide or for one district, with its ballot."""
    actor = Actor.of(actor)
    policies.may_add_pool(cycle, role=_role_in(actor, cycle.department)).enforce()
    check_pool_settings(
        budget=budget,
        ballot_kind=ballot_kind,
        max_choices=max_choices,
        min_spend_percent=min_spend_percent,
    )
    if district is not None and district.city_id != cycle.city_id:
        raise InvalidInput(_("That district is not in this city."), field="district")
    if cycle.pools.filter(code=code).exists():
        raise Conflict(_("The cycle has a pool “%(code)s” already.") % {"code": code}, field="code")
    pool = Pool.objects.create(
        cycle=cycle,
        code=code,
        name=name.strip(),
        name_en=name_en.strip(),
        district=district,
        budget=budget,
        ballot_kind=ballot_kind,
        max_choices=max_choices,
        min_spend_percent=min_spend_percent,
    )
    record_audit(actor=actor, action="budget.pool_added", target=pool, data={"budget": budget})
    return pool


def check_pool_settings(
    *, budget: int, ballot_kind: str, max_choices: int | None, min_spend_percent: int
) -> None:
    """Raise InvalidInput unless the budget and the ballot's settings make a usable ballot."""
    if budget <= 0:
        raise InvalidInput(_("A pool needs a budget above zero."), field="budget")
    if ballot_kind not in BallotKind.values:
        raise InvalidInput(_("Unknown ballot kind."), field="ballot_kind")
    if ballot_kind == BallotKind.APPROVAL and max_choices is not None and max_choices < 1:
        raise InvalidInput(_("Voters must be able to pick at least one project."), "max_choices")
    if not 0 <= min_spend_percent <= 100:
        raise InvalidInput(_("The minimum share is a percentage."), field="min_spend_percent")


# --- corrections in the back office ------------------------------------------------------------

# What the back office may correct: a cycle's text, department, dates, weights and rule; a pool's
# every setting; a project's wording (personal data or abuse in a proposal).
CYCLE_CORRECTIONS = (
    "title",
    "title_en",
    "description",
    "department",
    *(field for _phase, field in PHASE_STARTS),
    "weight_vote",
    "weight_survey",
    "weight_committee",
    "rule",
    "min_score",
)
POOL_CORRECTIONS = (
    "code",
    "name",
    "name_en",
    "district",
    "budget",
    "ballot_kind",
    "max_choices",
    "min_spend_percent",
)
PROJECT_CORRECTIONS = ("title", "summary", "description")


def _corrected(row: Any, changes: Mapping[str, Any], allowed: tuple[str, ...]) -> dict:
    """Set `changes` on `row` and return them as the audit log keeps them (related rows by
    their key). A field outside `allowed` is the caller's mistake, not the person's."""
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValueError(f"not corrected in the back office: {', '.join(unknown)}")
    logged = {}
    for field, value in changes.items():
        setattr(row, field, value)
        logged[field] = getattr(value, "pk", value)
    return logged


@transaction.atomic
def correct_cycle(*, actor: Actor | User, cycle: Cycle, changes: Mapping[str, Any]) -> Cycle:
    """The back office's correction of a cycle before its results are published; the phases
    must stay in order and the weights fit the rule, as at the desk."""
    actor = Actor.of(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    policies.may_correct_in_back_office(cycle, user=actor.user).enforce()
    logged = _corrected(cycle, changes, CYCLE_CORRECTIONS)
    check_cycle_settings(
        dates={field: getattr(cycle, field) for _phase, field in PHASE_STARTS},
        weights=selectors.weights_of(cycle),
        rule=cycle.rule,
        min_score=cycle.min_score,
    )
    if not changes:
        return cycle
    cycle.save(update_fields=list(changes))
    record_audit(actor=actor, action="budget.cycle_corrected", target=cycle, data=logged)
    return cycle


@transaction.atomic
def correct_pool(
    *, actor: Actor | User, cycle: Cycle, pool: Pool | None, changes: Mapping[str, Any]
) -> Pool:
    """The back office's correction of a pool (`pool` None: a new one) until voting starts."""
    actor = Actor.of(actor)
    policies.may_correct_pools_in_back_office(cycle, user=actor.user).enforce()
    row = Pool(cycle=cycle) if pool is None else Pool.objects.select_for_update().get(pk=pool.pk)
    if row.cycle_id != cycle.pk:
        raise InvalidInput(_("That pool is not in this cycle."))
    logged = _corrected(row, changes, POOL_CORRECTIONS)
    check_pool_settings(
        budget=row.budget,
        ballot_kind=row.ballot_kind,
        max_choices=row.max_choices,
        min_spend_percent=row.min_spend_percent or 0,
    )
    if row.district is not None and row.district.city_id != cycle.city_id:
        raise InvalidInput(_("That district is not in this city."), field="district")
    row.save()
    action = "budget.pool_added" if pool is None else "budget.pool_corrected"
    record_audit(actor=actor, action=action, target=row, data=logged)
    return row


@transaction.atomic
def correct_project_text(
    *, actor: Actor | User, project: Project, changes: Mapping[str, str]
) -> Project:
    """The back office's correction of a project's wording (personal data or abuse in a
    proposal); the review, the tally and implementation happen at the desk."""
    actor = Actor.of(actor)
    project = Project.objects.select_for_update().select_related("cycle").get(pk=project.pk)
    policies.may_correct_project_text(project, user=actor.user).enforce()
    before = {field: getattr(project, field) for field in changes}
    _corrected(project, changes, PROJECT_CORRECTIONS)
    project.title = _clean(project.title, field="title", limit=200)
    project.summary = _clean(project.summary, field="summary", limit=500)
    if not changes:
        return project
    project.save(update_fields=list(changes))
    # The log keeps which fields changed, not their words: the point of a correction is often
    # to remove personal data.
    record_audit(
        actor=actor,
        action="budget.project_corrected",
        target=project,
        data={"fields": sorted(field for field in changes if before[field] != changes[field])},
    )
    return project


# --- proposals and review ----------------------------------------------------------------------


def _clean(text: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("Keep this under %(limit)d characters.") % {"limit": limit}, field=field
        )
    return text


def _check_project_place(pool: Pool, district: District | None) -> District | None:
    """A district pool's projects are in its district; a citywide one's anywhere."""
    if pool.district_id is None:
        return district
    if district is not None and district.pk != pool.district_id:
        raise InvalidInput(
            _("A project of the %(pool)s pool must be in %(district)s.")
            % {"pool": pool.display_name, "district": pool.district.display_name},
            field="district",
        )
    return pool.district


@transaction.atomic
def propose_project(
    *,
    actor: Actor | User,
    pool: Pool,
    area: Area,
    title: str,
    summary: str,
    description: str = "",
    district: District | None = None,
    point: tuple[float, float] | None = None,
    address: str = "",
    requested_cost: int | None = None,
    on_behalf_of: User | None = None,
    origin_url: str = "",
) -> Project:
    """A citizen's proposal, during the proposals phase, optionally at a `point` (latitude,
    longitude), which sets its district. The point is stored with the proposal or not at all.
    The reviewing department is the cycle's until its managers route it elsewhere.
    Another service carrying a citizen's work here (an adopted idea) passes the citizen as
    `on_behalf_of` — the proposer, who must be able to propose now — and `origin_url`, the
    page the proposal came from; that service decides whether its `actor` may."""
    actor = Actor.of(actor)
    cycle = pool.cycle
    proposer = on_behalf_of or actor.user
    policies.may_propose(cycle, user=proposer).enforce()
    if area.city_id != cycle.city_id:
        raise InvalidInput(_("Choose one of this city's project areas."), field="area")
    location = None
    if point is not None:
        latitude, longitude = point
        location = locate(latitude=latitude, longitude=longitude, address=address, city=cycle.city)
        district = district or location.district
    district = _check_project_place(pool, district)
    if requested_cost is not None and not 0 < requested_cost <= pool.budget:
        raise InvalidInput(
            _("The cost must be above zero and within the pool's budget."), field="requested_cost"
        )
    project = Project.objects.create(
        cycle=cycle,
        pool=pool,
        code=f"new-{timezone.now().timestamp()}",
        title=_clean(title, field="title", limit=200),
        summary=_clean(summary, field="summary", limit=500),
        description=_clean(description, field="description", limit=10000, required=False),
        area=area,
        district=district,
        location=location,
        proposer=proposer,
        requested_cost=requested_cost,
        origin_url=origin_url[:300],
        reviewing_department=cycle.department,
    )
    # Proposals are numbered by their row: unique, stable, short on a ballot.
    project.code = str(project.pk)
    project.save(update_fields=["code"])
    record_audit(actor=actor, action="budget.proposed", target=project)
    return project


@transaction.atomic
def withdraw_project(*, actor: Actor | User, project: Project) -> Project:
    """The proposer takes their proposal back, until it is reviewed."""
    actor = Actor.of(actor)
    policies.may_withdraw(project, user=actor.user).enforce()
    project.status = ProjectStatus.WITHDRAWN
    project.save(update_fields=["status"])
    record_audit(actor=actor, action="budget.withdrawn", target=project)
    return project


@transaction.atomic
def route_for_review(*, actor: Actor | User, project: Project, department: Department) -> Project:
    """The cycle's managers send a proposal to the department that can judge it."""
    actor = Actor.of(actor)
    policies.may_route(project, role=_role_in(actor, project.cycle.department)).enforce()
    if department.city_id != project.cycle.city_id:
        raise InvalidInput(_("That department is not in this city."), field="department")
    project.reviewing_department = department
    project.save(update_fields=["reviewing_department"])
    record_audit(
        actor=actor, action="budget.routed", target=project, data={"department": department.code}
    )
    return project


@transaction.atomic
def review_project(
    *,
    actor: Actor | User,
    project: Project,
    accept: bool,
    reasons: str,
    cost: int | None = None,
    area: Area | None = None,
) -> Project:
    """The reviewing department's decision: on the ballot with its estimated cost, or not
    feasible with the reasons (kept public). Possible until voting starts."""
    actor = Actor.of(actor)
    project = Project.objects.select_for_update().select_related("pool", "cycle").get(pk=project.pk)
    department = policies.reviewing_department(project)
    policies.may_review(project, role=_role_in(actor, department)).enforce()
    reasons = _clean(reasons, field="reasons", limit=5000, required=not accept)
    if accept:
        if cost is None or cost <= 0:
            raise InvalidInput(_("Give the estimated cost of the project."), field="cost")
        if cost > project.pool.budget:
            raise InvalidInput(
                _("The cost is more than the pool's whole budget (%(budget)s).")
                % {"budget": f"{project.pool.budget:,}"},
                field="cost",
            )
        project.cost = cost
    if area is not None:
        project.area = area
    project.status = ProjectStatus.ACCEPTED if accept else ProjectStatus.REJECTED
    project.review_reasons = reasons
    project.reviewed_at = timezone.now()
    project.save()
    record_audit(
        actor=actor,
        action="budget.reviewed",
        target=project,
        data={"accepted": accept, "cost": project.cost},
    )
    if project.proposer is not None:
        notify(
            recipient=project.proposer,
            kind="budget.project",
            title=(
                _("Your proposal “%(title)s” is on the ballot")
                if accept
                else _("Your proposal “%(title)s” was not found feasible")
            )
            % {"title": project.title},
            body=reasons,
            url=f"/budget/{project.cycle.slug}/projects/{project.code}/",
        )
    return project


# --- ballots -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastBallot:
    receipt: str
    pool: Pool
    void_reasons: tuple[str, ...] = ()


def ballot_rule_of(pool: Pool) -> ballot_rules.BallotRule:
    return ballot_rules.BallotRule(
        kind=pool.ballot_kind,
        budget=pool.budget,
        max_choices=pool.max_choices,
        min_spend_percent=pool.min_spend_percent,
    )


@dataclass(frozen=True)
class BallotEntry(ballot_rules.BallotProject):
    """A project on a pool's ballot: what the ballot rules read, and its row."""

    pk: int = 0


def ballot_projects_of(pool: Pool) -> dict[str, BallotEntry]:
    """The projects on a pool's ballot by code. During voting they cannot change (review ends
    when voting starts), so each web process may keep them for a minute: casting a ballot then
    reads no project rows at all."""
    key = f"budget:ballot:{pool.pk}"
    voting = policies.phase_allows(pool.cycle, policies.VOTE)
    entries = cache.get(key) if voting else None
    if entries is None:
        rows = pool.projects.filter(status=ProjectStatus.ACCEPTED).values_list(
            "code", "cost", "area__code", "pk"
        )
        entries = {code: BallotEntry(cost=cost, area=area, pk=pk) for code, cost, area, pk in rows}
        if voting:
            cache.set(key, entries, 60)
    return entries


def problem_message(problem: ballot_rules.Problem, *, pool: Pool) -> str:
    """What a voter reads about a ballot that would be void."""
    ids = ", ".join(problem.projects)
    if problem.code == "empty":
        return _("Choose at least one project.")
    if problem.code == "repeated":
        return _("Each project can be chosen once (%(ids)s).") % {"ids": ids}
    if problem.code == "unknown":
        return _("These are not projects on the %(pool)s ballot: %(ids)s.") % {
            "pool": pool.display_name,
            "ids": ids,
        }
    if problem.code == "too_many":
        return _("You chose %(n)d projects; this ballot allows at most %(limit)d.") % {
            "n": problem.amount,
            "limit": problem.limit,
        }
    if problem.code == "area_twice":
        area = Area.objects.filter(city_id=pool.cycle.city_id, code=problem.area).first()
        return _(
            "One project per area: you chose %(ids)s in %(area)s. A ballot with two in one area "
            "is void as a whole."
        ) % {"ids": ids, "area": area.display_name if area else problem.area}
    if problem.code == "over_budget":
        return _("Your choices cost %(spent)s, more than the budget of %(budget)s.") % {
            "spent": f"{problem.amount:,}",
            "budget": f"{problem.limit:,}",
        }
    if problem.code == "under_min_spend":
        return _("Your choices cost %(spent)s; spend at least %(least)s.") % {
            "spent": f"{problem.amount:,}",
            "least": f"{problem.limit:,}",
        }
    return problem.code


def ballot_problems(*, pool: Pool, choices: Sequence[str]) -> list[str]:
    """The messages that would make this ballot void; empty when it is valid. The ballot page
    asks this before the voter submits."""
    found = ballot_rules.ballot_problems(
        [str(c) for c in choices], rule=ballot_rule_of(pool), projects=ballot_projects_of(pool)
    )
    return [problem_message(problem, pool=pool) for problem in found]


def _seal_ballot(
    *, pool: Pool, choices: Sequence[str], channel: Channel, void_reasons: Sequence[str] = ()
) -> int:
    """Put a ballot into the pool's box, in the caller's transaction; returns its id (the
    receipt's number). What it chose, and its id, are inside the seal: the row in the queue
    shows only a random key, the pool and the channel."""
    ballot_id = new_ballot_id()
    entries = ballot_projects_of(pool)
    payload = {
        "id": ballot_id,
        "channel": str(channel),
        "choices": [] if void_reasons else [entries[code].pk for code in choices],
        "void": "+".join(void_reasons),
        "marks": ",".join(choices) if void_reasons else "",
    }
    sealed = ballot_pattern.seal(payload, box=PendingBallot.box(pool.pk))
    PendingBallot.objects.create(pool=pool, channel=channel, sealed=sealed)
    return ballot_id


def _record_ballot(
    *,
    pool: Pool,
    identity_key: str,
    district: District,
    choices: Sequence[str],
    user: User | None,
) -> int:
    """Register the person and seal their ballot into the pool's box in one transaction, so
    that an accepted ballot is stored for good (a crash after the commit loses nothing) and the
    register's unique constraint refuses a second ballot even when two arrive at once. The
    ballot reaches the ballot table later, in a shuffled batch (flush_ballots). Returns the
    ballot's id."""
    try:
        with transaction.atomic():
            Participation.objects.create(
                pool=pool,
                identity_key=identity_key,
                user=user,
                district=district,
                channel=Channel.ONLINE,
            )
            ballot_id = _seal_ballot(pool=pool, choices=choices, channel=Channel.ONLINE)
            # Checked again as the transaction ends: a ballot committed after the close could
            # land in a box already mixed (policies.BOX_CLOSES_AFTER is the margin for this).
            policies.voting_open(pool.cycle).enforce()
    except IntegrityError:
        if selectors.has_voted(pool, identity_key):
            policies.already_voted(pool).enforce()
        raise
    _flush_when_full(pool)
    return ballot_id


def cast_ballot(*, actor: Actor | User, pool: Pool, choices: Sequence[str]) -> CastBallot:
    """A verified resident's online ballot. A ballot that breaks the pool's rule is refused with
    the reasons (the page shows them before submitting); a stored ballot is final. The voter's
    identity is read here, once: the page that calls this has not read it. Call it outside a
    transaction, as the pages and the API do: the register row with the sealed ballot, and a
    flush of a full box, must each be a transaction of their own (the ballot pattern)."""
    actor = Actor.of(actor)
    identity, voted = selectors.voter_facts(actor.user, pool)
    policies.may_vote(pool, user=actor.user, identity=identity, voted=voted).enforce()
    choices = [str(c).strip() for c in choices]
    problems = ballot_problems(pool=pool, choices=choices)
    if problems:
        raise InvalidInput(" ".join(problems), code="void_ballot", field="choices")
    ballot_id = _record_ballot(
        pool=pool,
        identity_key=identity.identity_key,
        district=identity.district,
        choices=choices,
        user=actor.user,
    )
    return CastBallot(receipt=ballot_rules.receipt_of(ballot_id), pool=pool)


# --- paper ballots: the booth and its box ------------------------------------------------------


@dataclass(frozen=True)
class HandedOut:
    """A resident checked at a booth and given a ballot paper of `pool`."""

    pool: Pool
    district: District


def hand_out_paper_ballot(*, actor: Actor | User, pool: Pool, resident_id: str) -> HandedOut:
    """At a booth, an official of the cycle's department checks a resident's ID card against
    the residents register and registers them as voting on paper in `pool`; the resident then
    marks the paper alone and drops it, folded, into the booth's box. The official sees the
    identity and never the marks: those are entered from the box (enter_paper_ballot), with no
    name, against the number of papers handed out."""
    actor = Actor.of(actor)
    pool = Pool.objects.select_related("cycle", "cycle__department", "district").get(pk=pool.pk)
    role = _role_in(actor, pool.cycle.department)
    policies.may_enter_paper_ballot(pool, role=role).enforce()
    try:
        key = accounts_identity.resident_key(resident_id)
    except (ValueError, InvalidInput) as exc:
        raise InvalidInput(
            _("That is not a resident registration number."), field="resident_id"
        ) from exc
    record = account_selectors.census_record(key)
    if record is None:
        raise NotFound(
            _("No resident with that number is in the register: the person cannot vote here."),
            code="not_in_register",
        )
    policies.may_hand_out_paper_ballot(
        pool, role=role, district=record.district, voted=selectors.has_voted(pool, key)
    ).enforce()
    try:
        with transaction.atomic():
            Participation.objects.create(
                pool=pool,
                identity_key=key,
                district=record.district,
                channel=Channel.PAPER,
                entered_by=actor.user,
            )
    except IntegrityError:
        policies.already_voted(pool).enforce()
        raise
    return HandedOut(pool=pool, district=record.district)


def enter_paper_ballot(*, actor: Actor | User, pool: Pool, choices: Sequence[str]) -> CastBallot:
    """A paper from a booth's ballot box, entered by an official of the cycle's department: the
    marks only, never whose they are. A paper breaking the pool's rule is kept, void as a whole.
    Never more papers than the booths handed out in the pool. Its receipt is shown to the
    official, who may write it on the paper, so the paper and the published file can be compared."""
    actor = Actor.of(actor)
    pool = Pool.objects.select_related("cycle", "cycle__department", "district").get(pk=pool.pk)
    role = _role_in(actor, pool.cycle.department)
    policies.may_enter_paper_ballot(pool, role=role).enforce()
    choices = [str(c).strip() for c in choices]
    found = ballot_rules.ballot_problems(
        choices, rule=ballot_rule_of(pool), projects=ballot_projects_of(pool)
    )
    if any(problem.code == "unknown" for problem in found):
        raise InvalidInput(
            " ".join(problem_message(p, pool=pool) for p in found if p.code == "unknown"),
            field="choices",
        )
    with transaction.atomic():
        # One box entry at a time per pool, so two officials cannot both enter the last paper.
        ballot_pattern.lock_box(Pool.objects.filter(pk=pool.pk), wait=True)
        handed_out, entered = selectors.paper_papers(pool)
        policies.may_enter_ballot_from_box(
            pool, role=role, handed_out=handed_out, entered=entered
        ).enforce()
        ballot_id = _seal_ballot(
            pool=pool,
            choices=choices,
            channel=Channel.PAPER,
            void_reasons=[problem.code for problem in found],
        )
    _flush_when_full(pool)
    return CastBallot(
        receipt=ballot_rules.receipt_of(ballot_id),
        pool=pool,
        void_reasons=tuple(problem_message(p, pool=pool) for p in found),
    )


# --- the ballot box: shuffled batches, and the mix at the close --------------------------------


def _write_ballots(pool: Pool, payloads: Sequence[dict[str, Any]]) -> None:
    """Insert opened ballots and their choices, each table in its own random order."""
    ballots = [
        (p["id"], pool.pk, p["channel"], p["void"], p["marks"])
        for p in ballot_pattern.shuffled(payloads)
    ]
    choices = ballot_pattern.shuffled(
        (p["id"], project) for p in payloads for project in p["choices"]
    )
    with connection.cursor() as cursor:
        ballot_pattern.BulkInsert(
            Ballot, ("id", "pool", "channel", "void_reasons", "void_marks")
        ).run(cursor, ballots)
        ballot_pattern.BulkInsert(BallotChoice, ("ballot", "project")).run(cursor, choices)


def _delete_ballots(pool: Pool) -> None:
    """Every stored ballot of the pool and its choices, in two statements (the ORM's cascade
    would first read each ballot into memory)."""
    quote = connection.ops.quote_name
    ballots, choices = quote(Ballot._meta.db_table), quote(BallotChoice._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {choices} WHERE ballot_id IN "
            f"(SELECT id FROM {ballots} WHERE pool_id = %s)",
            [pool.pk],
        )
        cursor.execute(f"DELETE FROM {ballots} WHERE pool_id = %s", [pool.pk])


def flush_ballots(*, pool: Pool, minimum: int | None = None) -> int:
    """Write the pool's box out to the ballot table as one batch in a random order, when at
    least `minimum` ballots wait in it (by default a full batch, core.ballots.batch_size()).
    One transaction: the ballots are moved or left, never lost or doubled; while another flush
    of the pool runs, this one does nothing. Returns how many ballots were written."""
    minimum = ballot_pattern.batch_size() if minimum is None else max(1, minimum)
    if PendingBallot.objects.filter(pool=pool).count() < minimum:
        return 0
    with transaction.atomic():
        if not ballot_pattern.lock_box(Pool.objects.filter(pk=pool.pk)):
            return 0
        payloads = ballot_pattern.drain(
            PendingBallot.objects.filter(pool=pool), box=PendingBallot.box(pool.pk), minimum=minimum
        )
        _write_ballots(pool, payloads)
    return len(payloads)


def _flush_when_full(pool: Pool) -> None:
    """After a ballot is accepted: write the box out if a batch is full. A failure here leaves
    the ballots sealed in the box for the next flush; it never refuses the ballot just stored."""
    try:
        flush_ballots(pool=pool)
    except (DatabaseError, ballot_pattern.UnreadableBallot):
        logger.exception("budget: the ballot box of pool %s was not flushed", pool.pk)


def close_ballot_box(*, pool: Pool, now: datetime | None = None) -> int:
    """After voting: rewrite every ballot of the pool — the batches written while people voted
    and what is left in the box — as one batch in a random order, in one transaction. Then the
    whole pool is one crowd: no batch, transaction id or place tells any ballot's voter. Again
    whenever ballots are found in the box after that (none should be). Returns the ballots."""
    moment = now or timezone.now()
    pool = Pool.objects.select_related("cycle").get(pk=pool.pk)
    policies.ballot_box_closes(pool.cycle, now=moment).enforce()
    with transaction.atomic():
        # Unlike a flush, this one waits for a flush running elsewhere to finish.
        ballot_pattern.lock_box(Pool.objects.filter(pk=pool.pk), wait=True)
        closed = Pool.objects.filter(pk=pool.pk, box_closed_at__isnull=False).exists()
        waiting = PendingBallot.objects.filter(pool=pool)
        if closed and not waiting.exists():
            return 0
        payloads = ballot_pattern.drain(waiting, box=PendingBallot.box(pool.pk), minimum=0)
        choices: dict[int, list[int]] = defaultdict(list)
        for ballot_id, project_id in BallotChoice.objects.filter(ballot__pool=pool).values_list(
            "ballot_id", "project_id"
        ):
            choices[ballot_id].append(project_id)
        payloads += [
            {"id": pk, "channel": channel, "void": void, "marks": marks, "choices": choices[pk]}
            for pk, channel, void, marks in Ballot.objects.filter(pool=pool).values_list(
                "id", "channel", "void_reasons", "void_marks"
            )
        ]
        _delete_ballots(pool)
        _write_ballots(pool, payloads)
        Pool.objects.filter(pk=pool.pk).update(box_closed_at=moment)
    return len(payloads)


def close_ballot_boxes(*, cycle: Cycle | None = None, now: datetime | None = None) -> int:
    """Close the box of every pool whose voting is over and whose box is not closed yet (or
    has ballots waiting), of `cycle` or of all cycles; then, on PostgreSQL and outside a
    transaction, VACUUM the ballot tables so the rewritten rows' old versions are gone. For the
    periodic task, the command and the publication. Returns the ballots mixed."""
    moment = now or timezone.now()
    pools = Pool.objects.select_related("cycle").filter(
        cycle__scoring_from__lte=moment - policies.BOX_CLOSES_AFTER
    )
    if cycle is not None:
        pools = pools.filter(cycle=cycle)
    waiting = PendingBallot.objects.values("pool")
    pools = pools.filter(Q(box_closed_at__isnull=True) | Q(pk__in=waiting))
    mixed = sum(close_ballot_box(pool=pool, now=moment) for pool in pools)
    ballot_pattern.forget_dead_rows(PendingBallot, Ballot, BallotChoice)
    return mixed


# --- survey and committee ----------------------------------------------------------------------


def _survey_rows(data: bytes) -> list[tuple[int, str, str]]:
    if len(data) > MAX_SURVEY_BYTES:
        raise InvalidInput(_("The survey file is larger than 2 MB."), field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The survey file is not UTF-8 text."), field="file") from exc
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header[:2] != ["project", "score"]:
        raise InvalidInput(
            _("Line 1: the header must be “project,score”."), code="bad_header", field="file"
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise InvalidInput(
                _("Line %(line)d: give a project id and a score.") % {"line": line}, field="file"
            )
        rows.append((line, row[0].strip(), row[1].strip()))
    if not rows:
        raise InvalidInput(_("The survey file has no scores."), field="file")
    return rows


@transaction.atomic
def import_survey(*, actor: Actor | User, cycle: Cycle, data: bytes) -> int:
    """The survey's per-project scores from a CSV `project,score` (UTF-8). All or nothing: any
    unknown project, bad number or repeated row refuses the whole file, naming its lines."""
    actor = Actor.of(actor)
    policies.may_import_survey(cycle, role=_role_in(actor, cycle.department)).enforce()
    projects = dict(cycle.projects.filter(status=ProjectStatus.ACCEPTED).values_list("code", "pk"))
    problems: list[str] = []
    scores: dict[int, Decimal] = {}
    for line, code, raw in _survey_rows(data):
        if code not in projects:
            problems.append(_("line %(line)d: no project “%(code)s” on this cycle's ballots"))
            problems[-1] = problems[-1] % {"line": line, "code": code}
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0 or value >= Decimal(10**6):
            problems.append(
                _("line %(line)d: “%(raw)s” is not a score (a number, 0 or more)")
                % {"line": line, "raw": raw}
            )
            continue
        if projects[code] in scores:
            problems.append(
                _("line %(line)d: project %(code)s again") % {"line": line, "code": code}
            )
            continue
        scores[projects[code]] = value.quantize(Decimal("0.001"))
    if problems:
        shown = "; ".join(problems[:10]) + ("; …" if len(problems) > 10 else "")
        raise InvalidInput(
            _("Nothing was imported: %(problems)s.") % {"problems": shown}, field="file"
        )
    SurveyScore.objects.filter(project__cycle=cycle).delete()
    SurveyScore.objects.bulk_create(
        SurveyScore(project_id=pk, score=score) for pk, score in scores.items()
    )
    record_audit(
        actor=actor, action="budget.survey_imported", target=cycle, data={"rows": len(scores)}
    )
    return len(scores)


@transaction.atomic
def appoint_committee_member(*, actor: Actor | User, cycle: Cycle, member: User) -> CommitteeMember:
    """The cycle's managers put a person (an official or an outside expert) on its committee."""
    actor = Actor.of(actor)
    policies.may_appoint_committee(cycle, role=_role_in(actor, cycle.department)).enforce()
    appointed, created = CommitteeMember.objects.get_or_create(cycle=cycle, user=member)
    if not created:
        raise Conflict(_("%(name)s is on the committee already.") % {"name": member.public_name})
    record_audit(
        actor=actor, action="budget.committee_appointed", target=cycle, data={"member": member.pk}
    )
    return appointed


def score_project(*, actor: Actor | User, project: Project, score: int) -> CommitteeScore:
    """A committee member's score of a project on the ballot, 0–100, during scoring; once."""
    actor = Actor.of(actor)
    seat = selectors.committee_seat(actor.user, project.cycle) if actor.user is not None else None
    policies.may_score(project, seat=seat).enforce()
    if not isinstance(score, int) or not 0 <= score <= 100:
        raise InvalidInput(_("A score is a whole number from 0 to 100."), field="score")
    try:
        with transaction.atomic():
            given = CommitteeScore.objects.create(member=seat, project=project, score=score)
            record_audit(
                actor=actor,
                action="budget.committee_scored",
                target=project,
                data={"score": score},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have scored this project already; a score is final."), code="already_scored"
        ) from exc
    return given


# --- results and implementation ---------------------------------------------------------------


@transaction.atomic
def publish_results(*, actor: Actor | User | None, cycle: Cycle) -> Cycle:
    """Count, score and select, then publish the anonymised ballot files with their hash chain
    (see publication.py) and mark the selected projects. Once, when the results phase starts.
    `actor` None is the system (the demo, a command), which needs no role."""
    by_system = actor is None
    actor = Actor.of(actor)
    cycle = Cycle.objects.select_for_update().select_related("department").get(pk=cycle.pk)
    role = None if by_system else _role_in(actor, cycle.department)
    policies.may_publish(cycle, role=role, by_system=by_system).enforce()
    # Every ballot out of the boxes and mixed, if the periodic task has not done it yet.
    close_ballot_boxes(cycle=cycle)
    published = selectors.published_cycle(cycle)
    files, outcome = publication.publish_with_outcomes(published)
    folder = f"budget/{cycle.city.slug}/{cycle.slug}/"
    for name, text in files.items():
        path = folder + name
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, ContentFile(text.encode("utf-8")))
    manifest = publication.read_manifest(files["manifest.json"])
    for pool in cycle.pools.all():
        entry = manifest["pools"][pool.code]
        pool.ballots_file = folder + entry["file"]
        pool.ballots_sha256 = entry["sha256"]
        pool.chain_head = entry["chain_head"]
        pool.save(update_fields=["ballots_file", "ballots_sha256", "chain_head"])
    projects = {p.code: p for p in cycle.projects.filter(status=ProjectStatus.ACCEPTED)}
    for code, result in outcome.items():
        project = projects[code]
        project.votes = result.votes
        project.final_score = Decimal(result.score.numerator) / Decimal(result.score.denominator)
        project.final_score = project.final_score.quantize(Decimal("0.0001"))
        project.rank = result.rank
        project.selected = result.selected
    Project.objects.bulk_update(projects.values(), ["votes", "final_score", "rank", "selected"])
    cycle.results_published_at = timezone.now()
    cycle.save(update_fields=["results_published_at"])
    record_audit(actor=actor, action="budget.results_published", target=cycle)
    _publish_results_on_plaza(cycle, list(projects.values()))
    for project in projects.values():
        if project.proposer is not None:
            notify(
                recipient=project.proposer,
                kind="budget.project",
                title=(
                    _("Your project “%(title)s” was selected")
                    if project.selected
                    else _("Your project “%(title)s” was not selected")
                )
                % {"title": project.title},
                url=f"/budget/{cycle.slug}/projects/{project.code}/",
            )
    return cycle


def _publish_results_on_plaza(cycle: Cycle, projects: Sequence[Project]) -> None:
    """The results made public on the Plaza the moment they are published, in the city's
    language: per pool, the selected projects by rank with their cost, score and votes;
    linking back to the results page. Publishing again updates the same document."""
    pools = {pool.pk: pool for pool in cycle.pools.all()}
    selected = sorted(
        (p for p in projects if p.selected), key=lambda p: (pools[p.pool_id].code, p.rank or 0)
    )
    with translation.override(cycle.city.default_language):
        title = _("Participatory budgeting results: %(cycle)s") % {"cycle": cycle.display_title}
        lines = [
            _("%(count)d projects selected, %(total)s in all.")
            % {"count": len(selected), "total": f"{sum(p.cost or 0 for p in selected):,}"}
        ]
        for pool_id, pool in pools.items():
            chosen = [p for p in selected if p.pool_id == pool_id]
            if chosen:
                lines.append("")
                lines.append(f"{pool.display_name} ({pool.budget:,})")
            for project in chosen:
                lines.append(
                    _("%(rank)s. %(title)s — %(cost)s, score %(score)s, %(votes)s votes")
                    % {
                        "rank": project.rank,
                        "title": project.title,
                        "cost": f"{project.cost or 0:,}",
                        "score": project.final_score,
                        "votes": project.votes,
                    }
                )
    plaza_services.publish_decision(
        source_key=plaza_services.decision_source(cycle),
        title=title,
        body="\n".join(lines),
        department=cycle.department,
        url=reverse("budget:results", args=[cycle.slug]),
        category="budget",
    )


@transaction.atomic
def record_implementation(
    *, actor: Actor | User, project: Project, implementation: str, note: str = ""
) -> ProjectUpdate:
    """A dated step of a selected project's implementation, by the reviewing department."""
    actor = Actor.of(actor)
    department = policies.reviewing_department(project)
    policies.may_record_implementation(project, role=_role_in(actor, department)).enforce()
    if implementation not in Implementation.values:
        raise InvalidInput(_("Unknown implementation status."), field="implementation")
    update = ProjectUpdate.objects.create(
        project=project,
        implementation=implementation,
        note=_clean(note, field="note", limit=5000, required=False),
        author=actor.user,
    )
    project.implementation = implementation
    project.save(update_fields=["implementation"])
    record_audit(
        actor=actor, action="budget.implementation", target=project, data={"status": implementation}
    )
    return update


def forget_voter(user: User) -> None:
    """Account deletion: the register keeps that someone voted (so they cannot vote again with a
    new account) but no longer which account."""
    Participation.objects.filter(user=user).update(user=None)
    Participation.objects.filter(entered_by=user).update(entered_by=None)
