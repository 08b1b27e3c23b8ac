"""Schemas of the contests' API (/api/v1/ideas/contests): contests with their phase and award
tiers, the caller's standing, entries with their votes once the public vote opens, a vote, a
juror's score, and the winners with their certificates. People appear by their public names
only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Schema

from hamkke.ideas import certificate, policies, selectors
from hamkke.ideas.models import Award, AwardTier, Contest, Idea

PHASES = ("upcoming", "submissions", "voting", "jury", "ended")


class TierOut(Schema):
    name: str
    order: int = Field(description="0 is the best tier; tiers are given in this order")
    prize_amount: int = Field(description="Whole units of the contest's currency")
    prize: str = Field(description="The amount written for people, in the request's language")
    winners: int

    @staticmethod
    def resolve_prize(obj: AwardTier) -> str:
        return certificate.prize_text(obj.prize_amount, obj.contest.currency)


class ContestOut(Schema):
    slug: str = Field(description="Names the contest in every other path")
    title: str
    theme: str | None = Field(description="The theme's code; entries must be of it (null: any)")
    phase: str = Field(description="One of: " + ", ".join(PHASES))
    submissions_open: datetime
    voting_opens: datetime
    jury_opens: datetime
    ends: datetime
    awarded_at: datetime | None = Field(description="When the winners were published")
    url: str = Field(description="The contest's public page")

    @staticmethod
    def resolve_theme(obj: Contest) -> str | None:
        return obj.theme.code if obj.theme_id else None

    @staticmethod
    def resolve_phase(obj: Contest) -> str:
        return policies.contest_phase(obj)

    @staticmethod
    def resolve_url(obj: Contest) -> str:
        return reverse("ideas:contest", args=[obj.slug])


class ContestPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[ContestOut]


class MeOut(Schema):
    """The signed-in caller's standing in the contest."""

    votes_left: int | None = Field(
        description="Public votes the caller may still cast (null without a phone-verified "
        "identity, which voting needs)"
    )
    voted_for: list[int] = Field(description="Ids of the entries the caller voted for")
    juror: bool = Field(description="The caller scores the entries in the jury phase")


class ContestDetailOut(ContestOut):
    description: str
    jury_weight: int = Field(description="Percent of the combined score from the jury's mean")
    public_weight: int = Field(description="Percent from the public vote (most votes = 100)")
    votes_per_person: int
    currency: str = Field(description="ISO 4217 code of the prizes")
    tiers: list[TierOut]
    me: MeOut | None = Field(description="Null for an anonymous caller")

    @staticmethod
    def resolve_tiers(obj: Contest) -> list[AwardTier]:
        return list(obj.tiers.all())

    @staticmethod
    def resolve_me(obj: Contest) -> MeOut | None:
        return getattr(obj, "api_me", None)


class EntryOut(Schema):
    id: int = Field(description="The idea's id: what a vote or a score names")
    title: str
    theme: str = Field(description="The theme's code")
    created_at: datetime
    votes: int | None = Field(description="Public votes, from the public vote on (else null)")
    url: str = Field(description="The idea's public page")

    @staticmethod
    def resolve_theme(obj: Idea) -> str:
        return obj.theme.code

    @staticmethod
    def resolve_votes(obj: Idea) -> int | None:
        return obj.votes if getattr(obj, "api_votes_shown", False) else None

    @staticmethod
    def resolve_url(obj: Idea) -> str:
        return reverse("ideas:idea", args=[obj.pk])


class VoteOut(Schema):
    votes_left: int


class ScoreIn(Schema):
    # A JSON whole number only (no "80", no 80.5, no true).
    score: Annotated[int, Field(strict=True, ge=0, le=100)]


class ScoreOut(Schema):
    idea: int
    score: int
    scored_at: datetime


class WinnerOut(Schema):
    rank: int
    idea: int = Field(description="The idea's id")
    title: str
    authors: list[str] = Field(description="Public names of the author and co-authors")
    tier: str
    prize_amount: int
    prize: str
    score: float = Field(description="Combined score, 0 to 100")
    jury_score: float = Field(description="Mean jury score, 0 to 100")
    public_score: float = Field(description="Votes as a share of the most-voted entry's, 0 to 100")
    certificate: str = Field(description="The certificate's number")
    certificate_url: str = Field(description="The certificate as PDF")
    verify_url: str = Field(description="The page stating what the certificate states")

    @staticmethod
    def resolve_idea(obj: Award) -> int:
        return obj.idea_id

    @staticmethod
    def resolve_title(obj: Award) -> str:
        return obj.idea.title

    @staticmethod
    def resolve_authors(obj: Award) -> list[str]:
        return selectors.author_names(obj.idea)

    @staticmethod
    def resolve_tier(obj: Award) -> str:
        return obj.tier.name

    @staticmethod
    def resolve_prize_amount(obj: Award) -> int:
        return obj.tier.prize_amount

    @staticmethod
    def resolve_prize(obj: Award) -> str:
        return certificate.prize_text(obj.tier.prize_amount, obj.contest.currency)

    @staticmethod
    def resolve_certificate_url(obj: Award) -> str:
        return reverse("ideas:contest-certificate-pdf", args=[obj.certificate])

    @staticmethod
    def resolve_verify_url(obj: Award) -> str:
        return reverse("ideas:contest-certificate", args=[obj.certificate])


class WinnersOut(Schema):
    awarded_at: datetime | None = Field(description="Null until the winners are published")
    items: list[WinnerOut]
