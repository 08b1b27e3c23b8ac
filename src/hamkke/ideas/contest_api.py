"""The contests' JSON API (/api/v1/ideas/contests): the contests and one contest with its award
tiers, phase and the caller's standing; its entries; a public vote (people verified by phone);
the winners with their certificates; and, for jurors, a score, for the Oasis office's managers,
giving the awards.

Refusals answer 4xx JSON {detail, code[, field]} through the API's handler: 401 not signed in,
403 not allowed (`verification_required`, `not_juror`, `role_required`, `own_idea`, no CSRF
token), 400 bad input, 404 unknown contest or entry, 409 the wrong phase (`wrong_phase`,
`jury_sitting`) or done already (`already_voted`, `no_votes_left`, `already_awarded`)."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from hamkke.accounts.permissions import official_api
from hamkke.core.errors import NotFound
from hamkke.core.ratelimit import Limit, throttled
from hamkke.core.web.api import SessionWithCsrf, one_page
from hamkke.ideas import policies, selectors, services
from hamkke.ideas.contest_schemas import (
    ContestDetailOut,
    ContestPageOut,
    EntryOut,
    MeOut,
    ScoreIn,
    ScoreOut,
    VoteOut,
    WinnersOut,
)
from hamkke.ideas.models import Contest, Idea

router = Router(tags=["ideas contests"])

# The signed-in session; a write must carry its CSRF token, so another site cannot vote or score
# in a person's name.
session_auth = SessionWithCsrf()

# Counted with the contest page's vote buttons (the same group).
VOTE = Limit("ideas.contest_vote", per_person="30/m", per_address="600/m")


def _contest(slug: str) -> Contest:
    contest = selectors.contest_by_slug(slug)
    if contest is None:
        raise NotFound(_("There is no such contest."), code="unknown_contest")
    return contest


def _idea(idea_id: int) -> Idea:
    """A visible idea; whether it is an entry of the contest, the policies say."""
    idea = selectors.idea_by_id(idea_id)
    policies.idea_found(idea).enforce()
    return idea


def _me(request: HttpRequest, contest: Contest) -> MeOut | None:
    user = request.actor.user
    if user is None:
        return None
    identity = selectors.supporter_identity(user)
    used = selectors.contest_votes_used(contest, identity)
    return MeOut(
        votes_left=max(contest.votes_per_person - len(used), 0) if identity else None,
        voted_for=sorted(used),
        juror=selectors.juror_of(contest, user) is not None,
    )


def _winners(contest: Contest) -> dict:
    return {"awarded_at": contest.awarded_at, "items": selectors.public_winners(contest)}


# --- reading -------------------------------------------------------------------------------------


@router.get("/", response=ContestPageOut, summary="Idea contests")
def list_contests(request: HttpRequest, page: int = 1, page_size: int = 20):
    """Every contest of the city, latest first, with its phase and dates. `page_size` is at
    most 100."""
    return one_page(selectors.contests(), page, page_size)


@router.get("/{slug}", response=ContestDetailOut, summary="One contest, with its award tiers")
def get_contest(request: HttpRequest, slug: str):
    """Its description, theme, dates and phase, the weights of the jury and the public, the
    votes each person has, and the award tiers with their prizes. For a signed-in caller, `me`:
    votes left, the entries they voted for, whether they sit on the jury."""
    contest = _contest(slug)
    contest.api_me = _me(request, contest)
    return contest


@router.get("/{slug}/entries", response=list[EntryOut], summary="A contest's entries")
def list_entries(request: HttpRequest, slug: str):
    """The visible entries, most voted first once the public vote has opened (their `votes`
    are null before, and the order is the order of entry)."""
    contest = _contest(slug)
    shown = policies.votes_visible(contest)
    entries = selectors.contest_entries(contest)
    if not shown:
        entries = entries.order_by("id")
    rows = list(entries)
    for idea in rows:
        idea.api_votes_shown = shown
    return rows


@router.get("/{slug}/winners", response=WinnersOut, summary="A contest's winners")
def get_winners(request: HttpRequest, slug: str):
    """The awards by rank: the idea, its authors' public names, the tier and prize, the
    combined score with its jury and public parts, and the certificate. `items` is empty and
    `awarded_at` null until the winners are published."""
    return _winners(_contest(slug))


# --- taking part ---------------------------------------------------------------------------------


@router.post(
    "/{slug}/entries/{idea_id}/vote",
    response={201: VoteOut},
    auth=session_auth,
    summary="Vote for an entry (people verified by phone)",
)
@throttled(VOTE)
def vote(request: HttpRequest, slug: str, idea_id: int):
    """One vote per entry and at most the contest's `votes_per_person` in all, during the
    public vote. 409 `wrong_phase`, `already_voted`, `no_votes_left`; 403
    `verification_required`, `own_idea`; 404 `not_entry` for an idea of no such entry."""
    contest = _contest(slug)
    left = services.vote_for_entry(actor=request.actor, contest=contest, idea=_idea(idea_id))
    return Status(201, VoteOut(votes_left=left))


@router.post(
    "/{slug}/entries/{idea_id}/score",
    response=ScoreOut,
    auth=session_auth,
    summary="Score an entry (the contest's jurors)",
)
def score(request: HttpRequest, slug: str, idea_id: int, payload: ScoreIn):
    """A juror's score, 0 to 100, in the jury phase; scoring again changes it. 403
    `not_juror`, `second_factor_required` (a web session of an official without their code);
    409 `wrong_phase`."""
    contest = _contest(slug)
    row = services.score_entry(
        actor=request.actor, contest=contest, idea=_idea(idea_id), score=payload.score
    )
    return ScoreOut(idea=row.idea_id, score=row.score, scored_at=row.scored_at)


@router.post(
    "/{slug}/award",
    response={201: WinnersOut},
    auth=session_auth,
    summary="Give the awards (the Oasis office's managers)",
)
@official_api(role=policies.LEAST_ROLE[policies.CONTESTS])
def award(request: HttpRequest, slug: str):
    """Rank the entries by the contest's weights and give the tiers in rank order, each award
    with a certificate number; the winners are published at once. Only after the end: 409
    `jury_sitting` before, `already_awarded` a second time."""
    contest = _contest(slug)
    services.award_contest(actor=request.actor, contest=contest)
    return Status(201, _winners(_contest(slug)))
