"""The open API of participatory budgeting (/api/v1/budget): cycles, pools and projects for
anyone; proposing, the ballot check, casting a ballot, one's standing and committee scores for a
signed-in session (which must send its CSRF token on writes); receipts and published results.

Refusals answer 4xx JSON {detail, code[, field]} through the API's handler: 401 not signed in,
403 not allowed (not verified, another district's pool, not on the committee, no CSRF token),
400 bad input (a void ballot with its reasons), 404 unknown, 409 the wrong phase or done already."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hamkke.budget import selectors, services
from hamkke.budget.models import Cycle, Pool
from hamkke.budget.schemas import (
    CastOut,
    CheckOut,
    ChoiceOut,
    ChoicesIn,
    CommitteeScoreIn,
    CommitteeScoreOut,
    CycleDetailOut,
    CycleOut,
    MeOut,
    PoolResultOut,
    ProjectDetailOut,
    ProjectFiltersIn,
    ProjectPageOut,
    ProjectTallyOut,
    ProposalIn,
    ReceiptOut,
    ResultsOut,
    StandingOut,
    TurnoutOut,
    ref_of,
    weights_of,
)
from hamkke.core.city.selectors import current_city, district_by_code
from hamkke.core.errors import Conflict, InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf, one_page

router = Router(tags=["budget"])


# The signed-in session; a write must carry its CSRF token, so another site cannot vote or
# propose in a person's name.
session_auth = SessionWithCsrf()


# --- lookups -----------------------------------------------------------------------------------


def _cycle(slug: str) -> Cycle:
    return selectors.cycle_by_slug(current_city(), slug)


def _pool_named(cycle: Cycle, code: str | None, *, field: str = "pool") -> Pool:
    """A pool named in a request's body or query: an unknown one is bad input (400)."""
    try:
        return selectors.pool_by_code(cycle, (code or "").strip())
    except NotFound as exc:
        raise InvalidInput(
            _("No pool “%(code)s” in this cycle.") % {"code": code or ""}, field=field
        ) from exc


def _area_named(cycle: Cycle, code: str | None):
    areas = {area.code: area for area in selectors.areas_of(cycle.city)}
    area = areas.get((code or "").strip())
    if area is None:
        raise InvalidInput(
            _("No project area “%(code)s”; use one of: %(known)s.")
            % {"code": code or "", "known": ", ".join(areas)},
            field="area",
        )
    return area


def _statuses(asked: Sequence[str]) -> tuple[str, ...]:
    known = selectors.PUBLIC_STATUSES
    unknown = sorted(set(asked) - set(known))
    if unknown:
        raise InvalidInput(
            _("Unknown status %(statuses)s; use one of: %(known)s.")
            % {"statuses": ", ".join(unknown), "known": ", ".join(known)},
            field="status",
        )
    return tuple(asked) or known


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(default_storage.url(path)) if path else ""


# --- cycles and projects -----------------------------------------------------------------------


@router.get("/cycles", response=list[CycleOut], summary="The city's budget cycles, newest first")
def list_cycles(request: HttpRequest):
    return list(selectors.cycles_of(current_city()))


@router.get("/cycles/{slug}", response=CycleDetailOut, summary="One cycle: phases, pools, areas")
def get_cycle(request: HttpRequest, slug: str):
    """Its phases with their start dates and the current one, the weights of the score, the
    selection rule, the pools with their budgets and ballots, and the project areas."""
    cycle = _cycle(slug)
    cycle.public_pools = selectors.pools_of(cycle)
    cycle.public_areas = selectors.areas_of(cycle.city)
    return cycle


@router.get("/cycles/{slug}/projects", response=ProjectPageOut, summary="Projects, with filters")
def list_projects(
    request: HttpRequest,
    slug: str,
    filters: Query[ProjectFiltersIn],
    page: int = 1,
    page_size: int = 20,
):
    """Proposals and projects by pool, area and code; `page_size` is at most 100. `results`
    stays null until the cycle's results are published."""
    cycle = _cycle(slug)
    projects = selectors.projects_of(
        cycle,
        statuses=_statuses(filters.status),
        pool=_pool_named(cycle, filters.pool) if filters.pool else None,
        area=_area_named(cycle, filters.area) if filters.area else None,
        with_proposer=True,
    )
    return ProjectPageOut(**one_page(projects, page, page_size))


@router.get("/cycles/{slug}/projects/{code}", response=ProjectDetailOut, summary="One project")
def get_project(request: HttpRequest, slug: str, code: str):
    """Its description, place, review and implementation updates; a withdrawn proposal answers
    404 like a missing one."""
    return selectors.project_by_code(_cycle(slug), code)


@router.post(
    "/cycles/{slug}/projects",
    response={201: ProjectDetailOut},
    auth=session_auth,
    summary="Propose a project (signed in, during the proposals phase)",
)
def propose(request: HttpRequest, slug: str, payload: ProposalIn):
    """400 for an unknown pool or area, a place outside the pool's district or the city, or a
    cost beyond the pool's budget; 409 outside the proposals phase."""
    cycle = _cycle(slug)
    pool = _pool_named(cycle, payload.pool)
    area = _area_named(cycle, payload.area)
    district = None
    if payload.district:
        try:
            district = district_by_code(cycle.city, payload.district.strip())
        except NotFound as exc:
            raise InvalidInput(exc.message, field="district") from exc
    if (payload.latitude is None) != (payload.longitude is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="location")
    point = None if payload.latitude is None else (payload.latitude, payload.longitude)
    project = services.propose_project(
        actor=request.actor,
        pool=pool,
        area=area,
        title=payload.title,
        summary=payload.summary,
        description=payload.description.replace("\r\n", "\n"),
        district=district,
        point=point,
        address=payload.address,
        requested_cost=payload.requested_cost,
    )
    return Status(201, selectors.project_by_code(cycle, project.code))


# --- voters and ballots ------------------------------------------------------------------------


@router.get(
    "/cycles/{slug}/me",
    response=MeOut,
    auth=session_auth,
    summary="My standing: where I may vote and have voted, my proposals",
)
def me(request: HttpRequest, slug: str):
    cycle = _cycle(slug)
    identity = selectors.voter_identity(request.user)
    return MeOut(
        verified=identity is not None,
        district=ref_of(identity.district) if identity else None,
        committee_member=selectors.committee_seat(request.user, cycle) is not None,
        pools=[
            StandingOut(
                pool=s.pool.code,
                pool_name=s.pool.display_name,
                eligible=s.eligible,
                voted=s.voted,
            )
            for s in selectors.standings_for(identity, cycle)
        ],
        proposals=selectors.proposals_by(request.user, cycle),
    )


@router.post(
    "/cycles/{slug}/pools/{code}/ballot/check",
    response=CheckOut,
    summary="Check a ballot before submitting it",
)
def check_ballot(request: HttpRequest, slug: str, code: str, payload: ChoicesIn):
    """What would make these choices a void ballot under the pool's rule, in words; nothing is
    stored, and no session is needed."""
    pool = selectors.pool_by_code(_cycle(slug), code)
    problems = services.ballot_problems(pool=pool, choices=[c.strip() for c in payload.choices])
    return CheckOut(valid=not problems, problems=problems)


@router.post(
    "/cycles/{slug}/pools/{code}/ballots",
    response={201: CastOut},
    auth=session_auth,
    summary="Cast my ballot in a pool (verified residents, during voting)",
)
def cast_ballot(request: HttpRequest, slug: str, code: str, payload: ChoicesIn):
    """A ballot is final. 403 `verification_required` without a residents-register identity,
    `other_district` for another district's pool; 400 `void_ballot` with the reasons; 409
    `already_voted`, or `wrong_phase` outside the voting phase."""
    cycle = _cycle(slug)
    pool = selectors.pool_by_code(cycle, code)
    cast = services.cast_ballot(actor=request.actor, pool=pool, choices=payload.choices)
    return Status(
        201,
        CastOut(
            receipt=cast.receipt,
            pool=pool.code,
            receipt_url=f"/api/v1/budget/cycles/{cycle.slug}/receipts/{cast.receipt}",
        ),
    )


@router.get(
    "/cycles/{slug}/receipts/{receipt}",
    response=ReceiptOut,
    summary="The ballot a receipt names, as stored",
)
def get_receipt(request: HttpRequest, slug: str, receipt: str):
    """404 for a code that names no ballot of this cycle (typos of I, L and O are forgiven)."""
    found = selectors.ballot_by_receipt(_cycle(slug), receipt)
    return ReceiptOut(
        receipt=found.receipt,
        pool=ref_of(found.pool),
        choices=[ChoiceOut(code=p.code, title=p.title) for p in found.choices],
        void=bool(found.void_reasons),
        void_reasons=[r for r in found.void_reasons.split("+") if r],
        void_marks=[m for m in found.void_marks.split(",") if m],
    )


# --- results -----------------------------------------------------------------------------------


def _pool_result(request: HttpRequest, pool_tally: selectors.PoolTally) -> PoolResultOut:
    pool = pool_tally.pool
    return PoolResultOut(
        code=pool.code,
        name=pool.display_name,
        name_en=pool.name_en,
        district=ref_of(pool.district),
        budget=pool.budget,
        spent=pool_tally.spent,
        left=pool_tally.left,
        ballots=pool_tally.ballots,
        void=pool_tally.void,
        projects=[
            ProjectTallyOut(
                code=t.project.code,
                title=t.project.title,
                area=t.project.area.code,
                cost=t.project.cost,
                votes=t.votes,
                survey=round(float(t.survey), 4),
                committee=round(float(t.committee), 4),
                score=round(float(t.score), 4),
                score_exact=str(t.score),
                rank=t.rank,
                selected=t.selected,
            )
            for t in pool_tally.projects
        ],
        ballots_file_url=_absolute(request, pool.ballots_file),
        ballots_sha256=pool.ballots_sha256,
        chain_head=pool.chain_head,
    )


@router.get("/cycles/{slug}/results", response=ResultsOut, summary="The published results")
def results(request: HttpRequest, slug: str):
    """Per pool: every project's votes, survey and committee scores, final score, rank and
    whether it was selected; the money spent; the ballots; the published ballot file with its
    SHA-256 and hash-chain head. Turnout by district. 409 `results_not_published` before."""
    cycle = _cycle(slug)
    if cycle.results_published_at is None:
        raise Conflict(
            _(
                "The results of this cycle are not published yet; the results phase starts on "
                "%(day)s."
            )
            % {"day": date_format(localtime(cycle.results_from), "DATE_FORMAT")},
            code="results_not_published",
        )
    tallies, turnout, participants = selectors.published_figures(cycle)
    return ResultsOut(
        cycle=cycle.slug,
        title=cycle.display_title,
        published_at=cycle.results_published_at,
        rule=cycle.rule,
        min_score=cycle.min_score,
        weights=weights_of(cycle),
        participants=participants,
        manifest_url=_absolute(request, selectors.manifest_path(tallies)),
        pools=[_pool_result(request, t) for t in tallies],
        turnout=[
            TurnoutOut(
                district=ref_of(t.district),
                voters=t.voters,
                residents=t.residents,
                percent=round(t.percent, 2) if t.percent is not None else None,
            )
            for t in turnout
        ],
    )


# --- the committee -----------------------------------------------------------------------------


@router.post(
    "/cycles/{slug}/projects/{code}/committee-score",
    response={201: CommitteeScoreOut},
    auth=session_auth,
    summary="Score a project (members of the cycle's committee, during scoring)",
)
def committee_score(request: HttpRequest, slug: str, code: str, payload: CommitteeScoreIn):
    """403 for anyone not on the committee; 400 a score outside 0–100 or a project not on the
    ballot; 409 outside the scoring phase, or a second score of the same project."""
    project = selectors.project_by_code(_cycle(slug), code)
    given = services.score_project(actor=request.actor, project=project, score=payload.score)
    return Status(
        201, CommitteeScoreOut(project=project.code, score=given.score, scored_at=given.scored_at)
    )
