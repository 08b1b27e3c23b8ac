"""Schemas of the M-Voting API (/api/v1/polls and the officials' /api/v1/polls/desk): polls as
anyone sees them, what a signed-in caller may do, ballots and receipts, results, and what people
and officials send. No schema has a field for an account, a district or a moment of a ballot:
the register (who voted) and the ballots (what was chosen) never meet in an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Field, Schema

from hamkke.polls import policies
from hamkke.polls.models import Eligibility, Kind, Option, Origin, Outcome, Poll, Status

# Ids people send: JSON numbers only (no "12", no "١٢", no true), positive, within 63 bits.
Id = Annotated[int, Field(strict=True, ge=1, le=2**63 - 1)]

STATUSES = (Status.OPEN, Status.CLOSED, Status.UPCOMING, Status.PROPOSED)


def answers_409(description: str) -> dict:
    """The OpenAPI `responses` entry of a read that may answer 409 (writes list it already)."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {409: {"description": description, "content": error}}


def _one_of(values) -> str:
    return "One of: " + ", ".join(str(value) for value in values)


class DepartmentOut(Schema):
    code: str
    name: str = Field(description="In the request's language")


def department_of(poll: Poll) -> DepartmentOut | None:
    if poll.department is None:
        return None
    return DepartmentOut(code=poll.department.code, name=poll.department.display_name)


# --- polls ---------------------------------------------------------------------------------------


class PollOut(Schema):
    """A poll as anyone may see it. Who may vote follows from `eligibility` (and, on the detail,
    `districts` and the ages); whether one may vote now from `status`."""

    slug: str = Field(description="Names the poll in every other path")
    title: str
    status: str = Field(
        description=_one_of(STATUSES)
        + " (the officials' desk may also see rejected: a proposal not approved)"
    )
    eligibility: str = Field(description=_one_of(Eligibility.values))
    opens_at: datetime = Field(description="A proposal's dates are provisional until it opens")
    closes_at: datetime
    origin: str = Field(description=_one_of(Origin.values))
    results_live: bool = Field(description="Results are shown while the poll is open")
    revote: bool = Field(description="A voter may replace their ballot while the poll is open")
    department: DepartmentOut | None = Field(
        description="The department answering for the poll; null for a proposal not taken on yet"
    )
    ballots: int | None = Field(
        description="Ballots cast, where the results may be seen (null where they may not yet)"
    )
    url: str = Field(description="The poll's public page")
    outcome: str | None = Field(
        description="What the city decided from the result, once decided: "
        + ", ".join(Outcome.values)
    )

    @staticmethod
    def resolve_status(obj: Poll) -> str:
        return str(obj.status())

    @staticmethod
    def resolve_department(obj: Poll) -> DepartmentOut | None:
        return department_of(obj)

    @staticmethod
    def resolve_ballots(obj: Poll) -> int | None:
        # The count the selector annotated (the register's: equal to the ballots at any moment).
        return obj.ballots_count if policies.results_visible(obj) else None

    @staticmethod
    def resolve_url(obj: Poll) -> str:
        return reverse("polls:poll", args=[obj.slug])

    @staticmethod
    def resolve_outcome(obj: Poll) -> str | None:
        return obj.outcome or None


class PollPageOut(Schema):
    count: int = Field(description="Polls matching the filter")
    page: int
    page_size: int
    pages: int
    items: list[PollOut]


class OptionOut(Schema):
    id: int = Field(description="What a ballot names to choose it")
    text: str
    image: str | None = Field(description="The option's picture's address, or null")

    @staticmethod
    def resolve_image(obj: Option) -> str | None:
        return obj.image.file.url if obj.image_id else None


class QuestionOut(Schema):
    id: int = Field(description="What a ballot's answer names")
    text: str
    kind: str = Field(
        description=_one_of(Kind.values)
        + ". single: one option; multiple: up to max_choices (null: any number); ranking: "
        "options in order of preference, each once; scale: one of five options, 1 to 5"
    )
    max_choices: int | None
    required: bool = Field(description="A ballot must answer it")
    options: list[OptionOut] = Field(description="In the order shown")

    @staticmethod
    def resolve_options(obj) -> list[Option]:
        return list(obj.options.all())


class MeOut(Schema):
    """The signed-in caller's standing: whether the poll's rule admits them and whether they
    voted. Never what they chose."""

    eligible: bool = Field(
        description="The poll's rule admits this account (whatever the dates; code polls admit "
        "holders of a code, not accounts)"
    )
    reason: str = Field(description="Why not, for people; empty when eligible")
    voted: bool


class DecisionOut(Schema):
    outcome: str = Field(description=_one_of(Outcome.values))
    text: str
    decided_at: datetime | None


class PollDetailOut(PollOut):
    """A poll with its description, who may vote, its questions and options, the caller's
    standing (signed in only), the city's decision and, for a proposal, its supports. The API
    puts the questions and the caller's standing on the poll first (`api_questions`, `api_me`)."""

    description: str
    districts: list[str] = Field(description="Districts' codes, where only residents vote")
    age_min: int | None = Field(description="Where only an age range votes")
    age_max: int | None
    questions: list[QuestionOut]
    me: MeOut | None = Field(description="For a signed-in caller; null for anyone else")
    decision: DecisionOut | None = Field(description="What the city decided, once decided")
    supports: int | None = Field(description="A proposal's supports; null for other polls")
    origin_url: str = Field(
        description="The page it came from in another service (an adopted citizens' idea); "
        "empty otherwise"
    )

    @staticmethod
    def resolve_districts(obj: Poll) -> list[str]:
        return sorted(district.code for district in obj.districts.all())

    @staticmethod
    def resolve_questions(obj: Poll) -> list:
        return obj.api_questions

    @staticmethod
    def resolve_me(obj: Poll) -> MeOut | None:
        return obj.api_me

    @staticmethod
    def resolve_decision(obj: Poll) -> DecisionOut | None:
        if not obj.outcome:
            return None
        return DecisionOut(outcome=obj.outcome, text=obj.decision, decided_at=obj.decided_at)

    @staticmethod
    def resolve_supports(obj: Poll) -> int | None:
        return obj.supports_count if obj.state == "proposed" else None


class PollsQuery(Schema):
    status: Literal["open", "closed", "upcoming", "proposed"] | None = Field(
        None, description="Only polls of this status; every public poll when left out"
    )
    page: int = Field(1, description="From 1; a page past the last answers the last")
    page_size: int = Field(20, description="At most 100")


class AdoptedPageOut(PollPageOut):
    counts: dict[str, int] = Field(
        description="How many polls the city decided on, by outcome: " + ", ".join(Outcome.values)
    )


# --- ballots -------------------------------------------------------------------------------------


class AnswerIn(Schema):
    question: Id = Field(description="The question's id")
    options: list[Id] = Field(
        max_length=30,
        description="The chosen options' ids; for a ranking in order of preference, first the "
        "most preferred. Empty (or the answer left out) skips a question that is not required",
    )


class BallotIn(Schema):
    code: str | None = Field(
        None,
        max_length=40,
        description="A one-time voting code (XXXX-XXXX-XXXX), for polls open to code holders: "
        "then no account is needed",
    )
    answers: list[AnswerIn] = Field(max_length=20, description="One per question, at most")


class CastOut(Schema):
    receipt: str = Field(
        description="Finds the ballot as stored (GET /{slug}/ballots/{receipt}) and, once "
        "published, in the ballot list; it proves what was counted, not who cast it"
    )
    replaced: bool = Field(description="It replaced the caller's earlier ballot (re-voting)")
    poll: str = Field(description="The poll's slug")


class BallotAnswerOut(Schema):
    question: int
    options: list[int] = Field(description="The chosen options, a ranking in its order")


class BallotOut(Schema):
    """A ballot as published: its receipt and answers, never who, where or when."""

    receipt: str
    answers: list[BallotAnswerOut]
    hash: str | None = Field(
        description="Its link in the hash chain (published lists); null while it is not published"
    )


class BallotPageOut(Schema):
    chain_start: str = Field(description="h_0 of the chain: sha256('hamkke-poll|city|slug')")
    chain_head: str = Field(description="The last ballot's link, announced at the close")
    next: str | None = Field(
        description="Pass as `after` for the next page; null when this page is the last"
    )
    items: list[BallotOut] = Field(description="In receipt order")


# --- results -------------------------------------------------------------------------------------


class OptionResultOut(Schema):
    id: int
    votes: int = Field(description="For a ranking, the first preferences")
    share: float = Field(description="votes / respondents, rounded to 4 places")


class TallyOut(Schema):
    id: int
    votes: int


class RoundOut(Schema):
    round: int
    tallies: list[TallyOut]
    exhausted: int = Field(description="Ballots with no option left")
    eliminated: int | None
    winner: int | None
    tie_broken_by: str | None


class BordaOut(Schema):
    id: int
    points: int


class QuestionResultOut(Schema):
    """One question's count. `mean` for a scale; `rounds` (instant runoff), `borda`, `winner`
    and `borda_winner` for a ranking."""

    id: int
    kind: str
    respondents: int = Field(description="Ballots answering this question")
    options: list[OptionResultOut]
    mean: float | None = None
    rounds: list[RoundOut] | None = None
    borda: list[BordaOut] | None = None
    winner: int | None = None
    borda_winner: int | None = Field(None, description="Null when the top score is shared")


class GroupOptionOut(Schema):
    id: int
    votes: int = Field(description="For a ranking, the first preferences")


class GroupOut(Schema):
    group: str = Field(description="A district's code, or an age band (20-29, 70+)")
    voters: int
    options: list[GroupOptionOut]


class BreakdownsOut(Schema):
    district: list[GroupOut]
    age: list[GroupOut]


class ResultsOut(Schema):
    poll: str
    ballots: int
    final: bool = Field(description="The box is closed and the list published: it changes no more")
    questions: list[QuestionResultOut]
    breakdowns: BreakdownsOut = Field(
        description="By district and age band of the voters verified against the residents "
        "register; a group too small to keep its voters' choices secret is left out"
    )


# --- proposals and supports ----------------------------------------------------------------------


class QuestionIn(Schema):
    text: str = Field(max_length=2000)
    kind: str = Field("single", description=_one_of(Kind.values))
    options: list[str] = Field(
        [], max_length=100, description="At least two; a scale has five labels, or none (1 to 5)"
    )
    max_choices: int | None = Field(None, description="Several choices: at most this many")
    required: bool = True


class ProposalIn(Schema):
    title: str = Field(max_length=2000)
    description: str = Field(max_length=50_000)
    questions: list[QuestionIn] = Field(max_length=100)


class SupportsOut(Schema):
    supports: int = Field(description="The proposal's supports, this one included")


# --- the officials' desk -------------------------------------------------------------------------


class PollIn(Schema):
    """A poll posed by the city. Moments carry their offset (2026-05-01T09:00:00+09:00)."""

    department: str = Field(description="The department's code: the official's own")
    slug: str = Field("", max_length=200, description="Its address; made from the title if empty")
    title: str = Field(max_length=2000)
    description: str = Field("", max_length=50_000)
    opens_at: datetime
    closes_at: datetime
    questions: list[QuestionIn] = Field(max_length=100)
    eligibility: str = Field(Eligibility.VERIFIED, description=_one_of(Eligibility.values))
    districts: list[str] = Field(
        [], max_length=100, description="Districts' codes, for the districts rule"
    )
    age_min: int | None = Field(None, description="For the age rule")
    age_max: int | None = None
    results_live: bool = False
    revote: bool = False


class ApproveIn(Schema):
    department: str = Field(description="The department taking the proposal on")
    opens_at: datetime | None = Field(None, description="Now when left out")
    closes_at: datetime | None = Field(None, description="The profile's number of days later")


class RejectIn(Schema):
    department: str = Field(description="The department answering for the refusal")
    reason: str = Field(max_length=10_000)


class CodesIn(Schema):
    count: int = Field(ge=1, le=100_000)


class CodesOut(Schema):
    codes: list[str] = Field(description="Shown this once: only their hashes are kept")


class DecisionIn(Schema):
    outcome: str = Field(description=_one_of(Outcome.values))
    text: str = Field(max_length=50_000)
