"""Schemas of the Oasis API (/api/v1/ideas and the officials' /api/v1/ideas/desk): ideas as
anyone sees them, with their timeline and what they became; what the signed-in caller may do;
experts' reviews; and what people and officials send. No public schema has a field for an
account's email address or phone: people are named by the public name they chose, and the
timeline names nobody."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.urls import reverse
from ninja import Field, Schema

from hamkke.ideas import pipeline, scoring
from hamkke.ideas.models import Event, Idea, Implementation, State

# Ids and whole numbers people send: JSON numbers only (no "12", no "١٢", no true), within 63
# bits; the services word any further range (a score of 1 to 5, a progress of 0 to 100).
Id = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]
Whole = Annotated[int, Field(strict=True, ge=-(2**63), le=2**63 - 1)]

SORTS = ("newest", "supports", "closing")


def _one_of(values) -> str:
    return "One of: " + ", ".join(str(value) for value in values)


class NamedOut(Schema):
    """A theme, district or department: its code and its name in the request's language."""

    code: str
    name: str = Field(description="In the request's language (Accept-Language)")


def named(obj) -> NamedOut | None:
    if obj is None:
        return None
    return NamedOut(code=obj.code, name=obj.display_name)


class ActionOut(Schema):
    """Whether the caller may do something now, and why not (the policy's own words)."""

    allowed: bool
    reason: str = Field(description="For people; empty when allowed")
    code: str = Field(description="Stable, for programs; empty when allowed")


def action_of(decision) -> ActionOut:
    return ActionOut(allowed=bool(decision), reason=decision.reason, code=decision.code)


# --- ideas ---------------------------------------------------------------------------------------


class IdeaOut(Schema):
    """An idea as a list shows it."""

    id: int
    title: str
    state: str = Field(description=_one_of(State.values))
    state_label: str = Field(description="The state in the request's language")
    supports: int = Field(description="Supports of verified people, one per person")
    theme: NamedOut
    district: NamedOut | None
    created_at: datetime
    supports_due: datetime | None = Field(
        description="Until when supports move it on (while open or answered); null otherwise"
    )
    url: str = Field(description="The idea's public page")

    @staticmethod
    def resolve_state_label(obj: Idea) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_theme(obj: Idea) -> NamedOut | None:
        return named(obj.theme)

    @staticmethod
    def resolve_district(obj: Idea) -> NamedOut | None:
        return named(obj.district)

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        return reverse("ideas:idea", args=[obj.pk])


class IdeaPageOut(Schema):
    """One page of a list, without a count (a count of every idea matching costs a scan of
    them all): `has_next` says whether asking for page + 1 finds more."""

    page: int
    page_size: int
    has_next: bool
    items: list[IdeaOut]


class LocationOut(Schema):
    latitude: float
    longitude: float
    address: str


class DeadlinesOut(Schema):
    """The current stage's deadlines (null where the stage has none)."""

    supports_due: datetime | None = Field(description="Open or answered: supports counted until")
    answer_due: datetime | None = Field(description="With the department: its answer is due by")
    escalated_at: datetime | None = Field(description="When an overdue answer was escalated")
    discussion_ends: datetime | None = Field(description="In discussion: it ends then")
    review_due: datetime | None = Field(description="Under review: the experts score by then")


class MeetingRefOut(Schema):
    title: str
    held_on: date


class DecisionOut(Schema):
    outcome: str = Field(description=_one_of(sorted(pipeline.DECIDED)))
    reasons: str
    decided_at: datetime | None
    meeting: MeetingRefOut | None = Field(description="The review meeting that decided")


class UpdateOut(Schema):
    on: date
    status: str = Field(description=_one_of(Implementation.values))
    progress: int = Field(description="Percent, 0 to 100")
    text: str
    link: str = Field(description="A page it led to (https://… or a page of this site), or empty")


class ImplementationOut(Schema):
    status: str = Field(description=_one_of(Implementation.values))
    progress: int = Field(description="Percent, 0 to 100")
    updates: list[UpdateOut] = Field(description="Dated steps, oldest first")


class PhotoOut(Schema):
    url: str = Field(description="Answers 404 once a moderator hides the photo or the idea")
    thumbnail_url: str


class RubricOut(Schema):
    """The reviewers' mean scores, 1 to 5, to two places."""

    feasibility: Decimal
    effect: Decimal
    cost: Decimal
    originality: Decimal
    overall: Decimal
    reviewers: int


class StepOut(Schema):
    """A step of the timeline. It never names who made it."""

    event: str = Field(description=_one_of(Event.values))
    event_label: str
    from_state: str = Field(description="Empty for the posting")
    to_state: str
    at: datetime
    note: str = Field(description="The answer, the rescue's or decision's reasons, and the like")


class MeOut(Schema):
    """What the signed-in caller may do with the idea now, asked of the same policies the
    services enforce."""

    author: bool = Field(description="The caller wrote it (or is named as a co-author)")
    supported: bool
    following: bool
    support: ActionOut
    withdraw: ActionOut
    rescue: ActionOut = Field(description="Appointed experts only")


class IdeaDetailOut(IdeaOut):
    """An idea with everything the public may know of it. The API puts what is read apart on
    the idea first (the `api_…` attributes)."""

    body: str
    authors: list[str] = Field(description="The authors' public names (never an email or phone)")
    location: LocationOut | None
    department: NamedOut | None = Field(description="The department answering it, once forwarded")
    supports_needed: int | None = Field(
        description="The supports that move it on from its current stage; null where supports "
        "move nothing"
    )
    deadlines: DeadlinesOut
    answer: str = Field(description="The department's written answer; empty before")
    answered_at: datetime | None
    decision: DecisionOut | None = Field(description="The review meeting's decision, once made")
    rubric: RubricOut | None = Field(description="The reviewers' mean scores, once decided")
    implementation: ImplementationOut | None = Field(description="Adopted ideas only")
    budget_project_url: str | None = Field(description="The budget proposal it became")
    poll_url: str | None = Field(description="The M-Voting poll it became")
    contest: str | None = Field(description="The contest it was entered in (its slug)")
    photos: list[PhotoOut]
    timeline: list[StepOut] = Field(description="Oldest first")
    me: MeOut | None = Field(description="For a signed-in caller; null for anyone else")

    @staticmethod
    def resolve_authors(obj: Idea) -> list[str]:
        return obj.api_authors

    @staticmethod
    def resolve_location(obj: Idea) -> LocationOut | None:
        where = obj.location
        if where is None:
            return None
        return LocationOut(
            latitude=where.latitude, longitude=where.longitude, address=where.address
        )

    @staticmethod
    def resolve_department(obj: Idea) -> NamedOut | None:
        return named(obj.department)

    @staticmethod
    def resolve_supports_needed(obj: Idea) -> int | None:
        return obj.api_supports_needed

    @staticmethod
    def resolve_deadlines(obj: Idea) -> DeadlinesOut:
        return DeadlinesOut(
            supports_due=obj.supports_due,
            answer_due=obj.answer_due,
            escalated_at=obj.escalated_at,
            discussion_ends=obj.discussion_ends,
            review_due=obj.review_due,
        )

    @staticmethod
    def resolve_decision(obj: Idea) -> DecisionOut | None:
        if obj.state not in pipeline.DECIDED:
            return None
        meeting = obj.meeting
        return DecisionOut(
            outcome=obj.state,
            reasons=obj.decision_reasons,
            decided_at=obj.decided_at,
            meeting=MeetingRefOut(title=meeting.title, held_on=meeting.held_on)
            if meeting
            else None,
        )

    @staticmethod
    def resolve_rubric(obj: Idea) -> RubricOut | None:
        return obj.api_rubric

    @staticmethod
    def resolve_implementation(obj: Idea) -> ImplementationOut | None:
        if obj.state not in pipeline.TAKEN_UP:
            return None
        return ImplementationOut(
            status=obj.implementation,
            progress=obj.progress,
            updates=[
                UpdateOut(on=u.on, status=u.status, progress=u.progress, text=u.text, link=u.link)
                for u in obj.api_updates
            ],
        )

    @staticmethod
    def resolve_budget_project_url(obj: Idea) -> str | None:
        return obj.api_budget_project_url

    @staticmethod
    def resolve_poll_url(obj: Idea) -> str | None:
        return reverse("polls:poll", args=[obj.poll.slug]) if obj.poll_id else None

    @staticmethod
    def resolve_contest(obj: Idea) -> str | None:
        return obj.contest.slug if obj.contest_id else None

    @staticmethod
    def resolve_photos(obj: Idea) -> list[PhotoOut]:
        return obj.api_photos

    @staticmethod
    def resolve_timeline(obj: Idea) -> list[StepOut]:
        return [
            StepOut(
                event=step.event,
                event_label=str(step.get_event_display()),
                from_state=step.from_state,
                to_state=step.to_state,
                at=step.at,
                note=step.note,
            )
            for step in obj.api_timeline
        ]

    @staticmethod
    def resolve_me(obj: Idea) -> MeOut | None:
        return obj.api_me


class IdeasQuery(Schema):
    state: str = Field("", max_length=32, description=_one_of(State.values))
    theme: str = Field("", max_length=64, description="A theme's code (GET /themes)")
    district: str = Field("", max_length=32, description="A district's code")
    sort: str = Field(
        "newest",
        max_length=16,
        description=_one_of(SORTS) + ". closing: ideas still collecting supports whose period "
        "ends soonest",
    )
    page: int = Field(1, description="From 1")
    page_size: int = Field(20, description="1 to 100")


class PageQuery(Schema):
    page: int = Field(1, description="From 1")
    page_size: int = Field(20, description="1 to 100")


class IdeaIn(Schema):
    """A new idea. Co-authors and photos are named on the idea's page, not here."""

    title: str = Field(max_length=2000, description="At most 150 characters")
    body: str = Field(max_length=50_000, description="At most 10,000 characters")
    theme: str = Field(max_length=64, description="A theme's code (GET /themes)")
    district: str | None = Field(
        None, max_length=32, description="A district's code; the point's district when left out"
    )
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    address: str = Field("", max_length=300, description="Of the point, for people")


class SupportsOut(Schema):
    supports: int = Field(description="The idea's supports, this one included")
    state: str = Field(description="Where the idea stands now (enough supports move it on)")


class FollowOut(Schema):
    following: bool


class SimilarOut(Schema):
    id: int
    title: str
    state: str
    supports: int
    score: float = Field(description="Likeness to the text, 0 to 1 (Dice over shingles)")
    url: str


class ThemeOut(NamedOut):
    department: NamedOut | None = Field(
        description="The department answering its ideas; null: the Oasis office"
    )


class AdoptedOut(IdeaOut):
    decided_at: datetime | None
    implementation: str = Field(description=_one_of(Implementation.values))
    progress: int = Field(description="Percent, 0 to 100")


class YearCountOut(Schema):
    year: int | None
    count: int


class ThemeCountOut(Schema):
    code: str
    name: str
    name_en: str
    count: int


class AdoptionCountsOut(Schema):
    total: int
    by_year: list[YearCountOut] = Field(description="By the year of the decision")
    by_theme: list[ThemeCountOut] = Field(description="Most adopted first")


class AdoptedPageOut(Schema):
    page: int
    page_size: int
    has_next: bool
    items: list[AdoptedOut] = Field(description="Latest decision first")
    counts: AdoptionCountsOut


class FameOut(Schema):
    name: str = Field(description="The proposer's public name")
    adopted: int
    latest: datetime | None = Field(description="Their latest adoption")


# --- experts -------------------------------------------------------------------------------------


class ScoresOut(Schema):
    feasibility: int
    effect: int
    cost: int
    originality: int


def scores_of(review) -> ScoresOut | None:
    """A review's rubric scores, None until given."""
    if review.scored_at is None:
        return None
    return ScoresOut(**{item: getattr(review, item) for item in scoring.RUBRIC})


class AssignedOut(Schema):
    """An idea assigned to the caller for review, and their scores once given."""

    idea: IdeaOut
    assigned_at: datetime
    review_due: datetime | None
    scores: ScoresOut | None = Field(description="Null until scored")
    opinion: str
    scored_at: datetime | None


class ReviewIn(Schema):
    feasibility: Whole = Field(description="1 to 5")
    effect: Whole = Field(description="1 to 5")
    cost: Whole = Field(description="1 to 5 (5: cheap)")
    originality: Whole = Field(description="1 to 5")
    opinion: str = Field("", max_length=50_000, description="At most 5,000 characters")

    def scores(self) -> dict[str, int]:
        return {item: getattr(self, item) for item in scoring.RUBRIC}


class RescueIn(Schema):
    reason: str = Field(max_length=50_000, description="Why it should move on; public")


# --- the officials' desk -------------------------------------------------------------------------


class DeskIdeaOut(IdeaOut):
    department: NamedOut | None
    answer_due: datetime | None
    escalated_at: datetime | None
    may_answer: ActionOut = Field(description="Whether the caller may answer it now")

    @staticmethod
    def resolve_department(obj: Idea) -> NamedOut | None:
        return named(obj.department)

    @staticmethod
    def resolve_may_answer(obj: Idea) -> ActionOut:
        return obj.api_may_answer


class DeskIdeaPageOut(Schema):
    page: int
    page_size: int
    has_next: bool
    items: list[DeskIdeaOut] = Field(description="Answer due soonest first")


class ReviewerOut(Schema):
    expert: int = Field(description="The expert's id")
    name: str = Field(description="Their public name")
    field: str
    assigned_at: datetime
    scored_at: datetime | None
    scores: ScoresOut | None
    opinion: str


class DeskDetailOut(IdeaDetailOut):
    reviewers: list[ReviewerOut]

    @staticmethod
    def resolve_reviewers(obj: Idea) -> list[ReviewerOut]:
        return obj.api_reviewers


class AnswerIn(Schema):
    text: str = Field(max_length=50_000, description="At most 5,000 characters; public")


class StartReviewIn(Schema):
    experts: list[Id] = Field(max_length=50, description="The experts' ids (GET /experts)")


class ReviewerIn(Schema):
    expert: Id = Field(description="The expert's id (GET /experts)")


class MeetingIn(Schema):
    title: str = Field(max_length=2000)
    held_on: date
    minutes: str = Field("", max_length=100_000)


class MeetingOut(Schema):
    id: int
    title: str
    held_on: date
    minutes: str


class DecisionIn(Schema):
    outcome: str = Field(max_length=32, description=_one_of(sorted(pipeline.DECIDED)))
    reasons: str = Field(max_length=50_000, description="Public; at most 5,000 characters")
    meeting: Id = Field(description="The review meeting's id (GET /meetings)")


class ProgressIn(Schema):
    on: date
    status: str = Field(max_length=32, description=_one_of(Implementation.values))
    progress: Whole = Field(description="Percent, 0 to 100")
    text: str = Field(max_length=50_000)
    link: str = Field("", max_length=2000, description="https://… or a page of this site (/…)")


class BudgetPromotionIn(Schema):
    cycle: str = Field(max_length=64, description="The budget cycle's slug")
    pool: str = Field(max_length=64, description="The pool's code in that cycle")
    area: str = Field(max_length=64, description="The project area's code")
    summary: str = Field("", max_length=2000, description="The idea's start when left out")
    requested_cost: Whole | None = None


class PollPromotionIn(Schema):
    """Moments carry their offset (2026-05-01T09:00:00+09:00)."""

    question: str = Field(max_length=2000)
    options: list[str] = Field(max_length=30, description="At least two")
    opens_at: datetime
    closes_at: datetime


class ExpertIn(Schema):
    email: str = Field(max_length=320, description="The account's email address")
    field: str = Field("", max_length=2000, description="Their field of expertise")


class ExpertOut(Schema):
    id: int
    name: str = Field(description="Their public name")
    email: str = Field(description="For the office only")
    field: str
    active: bool
    appointed_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.user.public_name)

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email
