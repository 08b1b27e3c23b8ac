"""Schemas of the participatory budgeting API (/api/v1/budget): cycles with their phases and pools,
projects as the public sees them, ballots and receipts, results, and what people send. No schema
has a field for an email or an account id: a proposer is shown by public name at most, a ballot
by its receipt code only, so personal data cannot leak by mistake."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from hamkke.budget.models import (
    BallotKind,
    Cycle,
    Implementation,
    Phase,
    Pool,
    Project,
    ProjectStatus,
    ProjectUpdate,
)
from hamkke.budget.services import ballot_rule_of

MONEY = "Whole currency units (won in Seoul)"


class Ref(Schema):
    """Something named by a code, with its name in the request's language and in English."""

    code: str
    name: str = Field(description="In the request's language (Accept-Language)")
    name_en: str


def ref_of(obj) -> Ref | None:
    """A district, area or pool as a Ref; None for none."""
    if obj is None:
        return None
    return Ref(code=obj.code, name=obj.display_name, name_en=obj.name_en)


# --- cycles ------------------------------------------------------------------------------------


class PhaseOut(Schema):
    phase: str = Field(description="One of: " + ", ".join(Phase.values))
    label: str
    starts_at: datetime


class WeightsOut(Schema):
    """The share of each channel in the final score, in percent."""

    vote: int
    survey: int
    committee: int


class PoolOut(Schema):
    """Money to spend, citywide (no district) or one district's, and its ballot."""

    code: str
    name: str
    name_en: str
    district: Ref | None = Field(description="Only its residents vote here; null: citywide")
    budget: int = Field(description=MONEY)
    ballot_kind: str = Field(description="One of: " + ", ".join(BallotKind.values))
    ballot_kind_label: str
    max_choices: int | None = Field(description="Approval: the most projects one may pick")
    min_spend_percent: int = Field(description="Knapsack: the least share of the budget to spend")
    min_spend: int = Field(description="Knapsack: that least share as an amount, rounded up")

    @staticmethod
    def resolve_name(obj: Pool) -> str:
        return obj.display_name

    @staticmethod
    def resolve_district(obj: Pool) -> Ref | None:
        return ref_of(obj.district)

    @staticmethod
    def resolve_ballot_kind_label(obj: Pool) -> str:
        return str(BallotKind(obj.ballot_kind).label)

    @staticmethod
    def resolve_min_spend(obj: Pool) -> int:
        return ballot_rule_of(obj).min_spend


class CycleOut(Schema):
    """One year's participatory budget. What people can do follows from `phase`."""

    slug: str
    title: str = Field(description="In the request's language when the cycle has it")
    title_en: str
    description: str
    department: str = Field(description="The department running the cycle")
    phase: str = Field(description="The current phase: one of " + ", ".join(Phase.values))
    phase_label: str
    phases: list[PhaseOut] = Field(description="Each phase and when it starts, in order")
    results_published_at: datetime | None
    url: str = Field(description="The cycle's public page")

    @staticmethod
    def resolve_title(obj: Cycle) -> str:
        return obj.display_title

    @staticmethod
    def resolve_department(obj: Cycle) -> str:
        return obj.department.display_name

    @staticmethod
    def resolve_phase_label(obj: Cycle) -> str:
        return str(obj.phase.label)

    @staticmethod
    def resolve_phases(obj: Cycle) -> list[PhaseOut]:
        return [
            PhaseOut(phase=phase.value, label=str(phase.label), starts_at=moment)
            for phase, moment in obj.phase_dates()
        ]

    @staticmethod
    def resolve_url(obj: Cycle) -> str:
        return f"/budget/{obj.slug}/"


def weights_of(cycle: Cycle) -> WeightsOut:
    return WeightsOut(
        vote=cycle.weight_vote, survey=cycle.weight_survey, committee=cycle.weight_committee
    )


class CycleDetailOut(CycleOut):
    """A cycle with how it scores and selects, its pools and the project areas; the API puts
    the pools and areas on the cycle first (`public_pools`, `public_areas`)."""

    rule: str = Field(description="The selection rule (see hamkke.budget.rules)")
    min_score: int = Field(description="Points out of 100 a project needs (threshold rule)")
    weights: WeightsOut
    pools: list[PoolOut]
    areas: list[Ref]

    @staticmethod
    def resolve_weights(obj: Cycle) -> WeightsOut:
        return weights_of(obj)

    @staticmethod
    def resolve_pools(obj: Cycle) -> list[Pool]:
        return obj.public_pools

    @staticmethod
    def resolve_areas(obj: Cycle) -> list[Ref]:
        return [ref_of(area) for area in obj.public_areas]


# --- projects ----------------------------------------------------------------------------------


class ProjectResultOut(Schema):
    """A project's outcome, once the results are published."""

    votes: int = Field(description="Valid ballots choosing it")
    score: float = Field(description="Final score, points out of 100")
    rank: int = Field(description="Its place in its pool, by final score")
    selected: bool


class ProjectOut(Schema):
    """A project as anyone may see it. `cost` is the department's estimate once reviewed;
    `results` stays null until the cycle's results are published."""

    code: str = Field(description="The id on ballots and in the published files")
    title: str
    summary: str
    pool: str = Field(description="The pool's code")
    pool_name: str
    area: Ref
    district: Ref | None
    status: str = Field(description="One of: " + ", ".join(ProjectStatus.values))
    status_label: str
    requested_cost: int | None = Field(description="What the proposer asked for; " + MONEY)
    cost: int | None = Field(description="The reviewing department's estimate; " + MONEY)
    review_reasons: str = Field(description="The department's public reasons")
    proposer_name: str = Field(description="The proposer's public name; empty for the city's")
    implementation: str = Field(description="One of: " + ", ".join(Implementation.values))
    implementation_label: str
    results: ProjectResultOut | None
    url: str = Field(description="The project's public page")

    @staticmethod
    def resolve_pool(obj: Project) -> str:
        return obj.pool.code

    @staticmethod
    def resolve_pool_name(obj: Project) -> str:
        return obj.pool.display_name

    @staticmethod
    def resolve_area(obj: Project) -> Ref:
        return ref_of(obj.area)

    @staticmethod
    def resolve_district(obj: Project) -> Ref | None:
        return ref_of(obj.district)

    @staticmethod
    def resolve_status_label(obj: Project) -> str:
        return str(ProjectStatus(obj.status).label)

    @staticmethod
    def resolve_proposer_name(obj: Project) -> str:
        return str(obj.proposer.public_name) if obj.proposer_id else ""

    @staticmethod
    def resolve_implementation_label(obj: Project) -> str:
        return str(Implementation(obj.implementation).label)

    @staticmethod
    def resolve_results(obj: Project) -> ProjectResultOut | None:
        # Stored votes stay hidden until the cycle says the results are public.
        if obj.cycle.results_published_at is None or obj.votes is None:
            return None
        return ProjectResultOut(
            votes=obj.votes,
            score=float(obj.final_score or 0),
            rank=obj.rank or 0,
            selected=bool(obj.selected),
        )

    @staticmethod
    def resolve_url(obj: Project) -> str:
        return f"/budget/{obj.cycle.slug}/projects/{obj.code}/"


class PlaceOut(Schema):
    latitude: float
    longitude: float
    address: str


class UpdateOut(Schema):
    """A dated step of a selected project's implementation."""

    implementation: str
    implementation_label: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_implementation_label(obj: ProjectUpdate) -> str:
        return str(Implementation(obj.implementation).label)


class ProjectDetailOut(ProjectOut):
    description: str
    location: PlaceOut | None
    reviewing_department: str | None
    reviewed_at: datetime | None
    created_at: datetime
    updates: list[UpdateOut] = Field(description="Implementation updates, oldest first")
    origin_url: str = Field(
        description="The page it came from in another service (an adopted citizens' idea); "
        "empty for a citizen's own proposal"
    )

    @staticmethod
    def resolve_location(obj: Project) -> PlaceOut | None:
        if obj.location is None:
            return None
        return PlaceOut(
            latitude=round(obj.location.latitude, 6),
            longitude=round(obj.location.longitude, 6),
            address=obj.location.address,
        )

    @staticmethod
    def resolve_reviewing_department(obj: Project) -> str | None:
        department = obj.reviewing_department
        return department.display_name if department else None

    @staticmethod
    def resolve_updates(obj: Project) -> list[ProjectUpdate]:
        return list(obj.updates.all())


class ProjectPageOut(Schema):
    count: int = Field(description="Projects matching the filters")
    page: int
    page_size: int
    pages: int
    items: list[ProjectOut]


class ProposalIn(Schema):
    """A citizen's proposal, during the proposals phase. The place is optional: a district's
    code, or a point (latitude and longitude) inside the city."""

    pool: str = Field(description="The pool's code (GET /cycles/{slug})")
    area: str = Field(description="A project area's code")
    title: str = Field(max_length=1_000, description="At most 200 characters once trimmed")
    summary: str = Field(max_length=2_000, description="At most 500 characters once trimmed")
    description: str = Field("", max_length=20_000, description="At most 10000 characters")
    district: str | None = Field(None, description="A district's code")
    latitude: float | None = None
    longitude: float | None = None
    address: str = Field("", max_length=300)
    requested_cost: int | None = Field(None, description="What it might cost; " + MONEY)


# --- voters and ballots ------------------------------------------------------------------------


class StandingOut(Schema):
    pool: str
    pool_name: str
    eligible: bool = Field(description="The person may vote in this pool")
    voted: bool = Field(description="The register shows a ballot of theirs in this pool")


class MeOut(Schema):
    """The signed-in person and this cycle: where they may vote and have voted (never how),
    and their own proposals in any status."""

    verified: bool = Field(description="Verified against the residents register")
    district: Ref | None = Field(description="Where the register says they live")
    committee_member: bool
    pools: list[StandingOut]
    proposals: list[ProjectOut]


class ChoicesIn(Schema):
    choices: list[str] = Field(
        max_length=500, description="The codes of the chosen projects of this pool"
    )


class CheckOut(Schema):
    valid: bool
    problems: list[str] = Field(description="What would make the ballot void, in words")


class CastOut(Schema):
    """A stored ballot (committed with the register row; it reaches the ballot table in a
    shuffled batch later, and is counted and found by its receipt meanwhile). Keep the receipt:
    it finds the ballot, and nothing else, in the published file. It proves that a ballot with
    these choices is counted, not who cast it: the file lists every receipt."""

    receipt: str = Field(description="13 characters of Crockford base32")
    pool: str
    receipt_url: str = Field(description="Where to check the ballot as stored")


class ChoiceOut(Schema):
    code: str
    title: str


class ReceiptOut(Schema):
    receipt: str
    pool: Ref
    choices: list[ChoiceOut] = Field(description="The projects the ballot counts for")
    void: bool = Field(description="A paper ballot that broke the pool's rule; it counts for none")
    void_reasons: list[str] = Field(description="Why it is void (codes of hamkke.budget.ballots)")
    void_marks: list[str] = Field(description="A void ballot's marks as written")


# --- results -----------------------------------------------------------------------------------


class ProjectTallyOut(Schema):
    """One project's three channels, final score and outcome. Scores are rounded here; the
    published file has them as exact fractions (`score_exact`)."""

    code: str
    title: str
    area: str
    cost: int
    votes: int
    survey: float
    committee: float = Field(description="The mean of the committee members' scores")
    score: float = Field(description="Final score, points out of 100")
    score_exact: str = Field(description="The same as an exact fraction, e.g. 137/3")
    rank: int
    selected: bool


class PoolResultOut(Schema):
    code: str
    name: str
    name_en: str
    district: Ref | None
    budget: int
    spent: int = Field(description="What the selected projects cost")
    left: int
    ballots: int = Field(description="Every ballot, void ones included")
    void: int
    projects: list[ProjectTallyOut] = Field(description="By rank")
    ballots_file_url: str = Field(description="The anonymised ballots (Pabulib) to recount")
    ballots_sha256: str
    chain_head: str = Field(description="The last link of the ballots' hash chain")


class TurnoutOut(Schema):
    district: Ref
    voters: int = Field(description="People who voted in at least one pool")
    residents: int = Field(description="People in the residents register; 0 when not uploaded")
    percent: float | None


class ResultsOut(Schema):
    cycle: str
    title: str
    published_at: datetime
    rule: str
    min_score: int
    weights: WeightsOut
    participants: int = Field(description="People who voted in at least one pool")
    manifest_url: str = Field(description="manifest.json: every file with its SHA-256")
    pools: list[PoolResultOut]
    turnout: list[TurnoutOut] = Field(description="By district")


# --- the committee -----------------------------------------------------------------------------


class CommitteeScoreIn(Schema):
    score: int = Field(description="A whole number from 0 to 100; final once given")


class CommitteeScoreOut(Schema):
    project: str
    score: int
    scored_at: datetime


class ProjectFiltersIn(Schema):
    """Filters of the project list. Withdrawn proposals are never listed."""

    pool: str | None = Field(None, description="A pool's code")
    area: str | None = Field(None, description="An area's code")
    status: list[str] = Field(
        [], description="Repeat to give several: proposed, accepted, rejected"
    )
