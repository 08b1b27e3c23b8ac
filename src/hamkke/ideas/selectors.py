"""Every read of the Oasis beyond a one-liner: the public list with its filters and sorts (one
query for the page, the supports read from the idea's own counter), an idea with its timeline,
similar ideas, supporters' identities, followers, reviews and their progress, adopted ideas and
their counts, the hall of fame, contests' tallies and winners, and a person's data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import User, VerifiedIdentity
from hamkke.core.city.selectors import current_city
from hamkke.core.models import City, District
from hamkke.ideas import pipeline, policies, scoring, similarity
from hamkke.ideas.models import (
    Award,
    AwardTier,
    Contest,
    ContestVote,
    Expert,
    Follow,
    Idea,
    IdeaShingle,
    Juror,
    JuryScore,
    Review,
    State,
    Support,
    Theme,
    Transition,
)

SORTS = {
    "newest": ("-created_at", "-id"),
    "supports": ("-supports", "-id"),
    # Closing soon: the ideas whose support period ends first (only ideas still collecting).
    "closing": ("supports_due", "id"),
}
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def public_ideas() -> QuerySet[Idea]:
    """Every idea the public may see: the start of every public surface."""
    return Idea.objects.filter(city=current_city(), hidden_at=None)


def themes() -> list[Theme]:
    return list(Theme.objects.filter(city=current_city()).select_related("department"))


@dataclass(frozen=True)
class IdeaFilter:
    state: str = ""
    theme: str = ""
    district: str = ""
    sort: str = "newest"
    query: str = ""


def idea_list(filters: IdeaFilter) -> QuerySet[Idea]:
    """The public list, filtered and sorted (the sorts follow the model's indexes); unknown
    filter values are the caller's to refuse."""
    ideas = public_ideas()
    if filters.state:
        ideas = ideas.filter(state=filters.state)
    if filters.theme:
        ideas = ideas.filter(theme__code=filters.theme)
    if filters.district:
        ideas = ideas.filter(district__code=filters.district)
    if filters.query:
        ideas = ideas.filter(Q(title__icontains=filters.query) | Q(body__icontains=filters.query))
    if filters.sort == "closing":
        ideas = ideas.filter(state__in=pipeline.COLLECTING, supports_due__gt=timezone.now())
    return ideas.select_related("theme", "district").order_by(*SORTS[filters.sort])


# What a list card (and the API's list item) shows: the page reads these columns only. Themes
# and districts are a few dozen rows, read once per page and attached, rather than joined to
# every idea (on SQLite each date column read costs a conversion in Python, so fewer is faster).
LIST_FIELDS = (
    "id",
    "title",
    "state",
    "supports",
    "created_at",
    "supports_due",
    "theme",
    "district",
)


# Per process, rebuilt when the profile is loaded again (the key carries loaded_at, which
# `hamkke city load` moves; themes and districts change only then).
_names_memo: dict[tuple[int, str], tuple[dict[int, Theme], dict[int, District]]] = {}


def _names_of(city: City) -> tuple[dict[int, Theme], dict[int, District]]:
    """The city's themes and districts by id, read once per profile load."""
    key = (city.pk, city.loaded_at.isoformat())
    names = _names_memo.get(key)
    if names is None:
        names = (
            {theme.pk: theme for theme in Theme.objects.filter(city=city)},
            {district.pk: district for district in District.objects.filter(city=city)},
        )
        _names_memo.clear()
        _names_memo[key] = names
    return names


def idea_page_rows(filters: IdeaFilter, *, page: int, page_size: int) -> QuerySet[Idea]:
    """The one query of a page of the list: its columns, and a row more than asked."""
    start = (page - 1) * page_size
    ideas = idea_list(filters).select_related(None).only(*LIST_FIELDS)
    return ideas[start : start + page_size + 1]


def idea_page(filters: IdeaFilter, *, page: int, page_size: int) -> tuple[list[Idea], bool]:
    """One page of the list and whether another follows: one query for the ideas (a row more
    than asked), whatever the list's length, and one each for the city's themes and districts."""
    rows = list(idea_page_rows(filters, page=page, page_size=page_size))
    themes_by_id, districts_by_id = _names_of(current_city())
    for idea in rows:
        idea.theme = themes_by_id[idea.theme_id]
        idea.district = districts_by_id.get(idea.district_id)
    return rows[:page_size], len(rows) > page_size


def idea_by_id(idea_id: int, *, for_staff: bool = False) -> Idea | None:
    ideas = Idea.objects.filter(city=current_city())
    if not for_staff:
        ideas = ideas.filter(hidden_at=None)
    return (
        ideas.select_related(
            "theme", "district", "department", "author", "location", "meeting", "contest"
        )
        .filter(pk=idea_id)
        .first()
    )


def public_idea(idea_id: int) -> Idea:
    """A visible idea, or the NotFound refusal."""
    idea = idea_by_id(idea_id)
    policies.idea_found(idea).enforce()
    return idea


def timeline_of(idea: Idea) -> list[Transition]:
    return list(Transition.objects.filter(idea=idea).order_by("at", "id"))


def updates_of(idea: Idea) -> list[Any]:
    return list(idea.updates.order_by("on", "id"))


def photos_of(idea: Idea) -> list[Any]:
    from django.contrib.contenttypes.models import ContentType

    from hamkke.core.models import Media

    return list(
        Media.objects.filter(
            target_type=ContentType.objects.get_for_model(Idea),
            target_id=str(idea.pk),
            hidden=False,
        ).order_by("pk")
    )


def coauthor_ids(idea: Idea) -> frozenset[int]:
    return frozenset(idea.coauthors.values_list("pk", flat=True))


def supporter_identity(user: Any) -> VerifiedIdentity | None:
    """The phone-verified identity a person supports ideas and votes in contests with."""
    if user is None or not user.is_authenticated:
        return None
    return account_selectors.verified_identity(user, methods=policies.SUPPORT_METHODS)


def has_supported(idea: Idea, identity: VerifiedIdentity | None) -> bool:
    if identity is None:
        return False
    return Support.objects.filter(idea=idea, identity_key=identity.identity_key).exists()


def follows(idea: Idea, user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Follow.objects.filter(idea=idea, user=user).exists()


def followers_of(idea: Idea) -> list[User]:
    return list(
        User.objects.filter(pk__in=Follow.objects.filter(idea=idea).values("user"), is_active=True)
    )


def similar_ideas(
    text: str, *, limit: int = 5, least: float = 0.2, exclude: int | None = None
) -> list[tuple[Idea, float]]:
    """Visible ideas most like `text` (the similar-idea suggestion while writing): candidates
    are the ideas sharing the most shingles (one grouped query on the index), ranked by
    similarity.likeness."""
    query = similarity.shingles(text)
    if not query:
        return []
    shared = (
        IdeaShingle.objects.filter(
            shingle__in=[s[:64] for s in query], idea__city=current_city(), idea__hidden_at=None
        )
        .values("idea")
        .annotate(shared=Count("id"))
        .order_by("-shared", "idea")[:50]
    )
    candidate_ids = [row["idea"] for row in shared if row["idea"] != exclude]
    if not candidate_ids:
        return []
    found: dict[int, set[str]] = {pk: set() for pk in candidate_ids}
    for idea_id, shingle in IdeaShingle.objects.filter(idea__in=candidate_ids).values_list(
        "idea", "shingle"
    ):
        found[idea_id].add(shingle)
    ranked = similarity.rank(
        query, {k: frozenset(v) for k, v in found.items()}, limit=limit, least=least
    )
    ideas = Idea.objects.select_related("theme").in_bulk([pk for pk, _ in ranked])
    return [(ideas[pk], score) for pk, score in ranked if pk in ideas]


# --- experts and reviews ---------------------------------------------------------------------


def expert_of(user: Any, city: City) -> Expert | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(city=city, user=user).first()


def experts(*, active_only: bool = True) -> list[Expert]:
    rows = Expert.objects.filter(city=current_city()).select_related("user")
    if active_only:
        rows = rows.filter(active=True)
    return list(rows.order_by("user__email"))


def review_for(idea: Idea, user: Any, *, lock: bool = False) -> Review | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    rows = Review.objects.filter(idea=idea, expert__user=user).select_related("expert")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


def reviews_of(idea: Idea) -> list[Review]:
    return list(idea.reviews.select_related("expert__user").order_by("assigned_at", "id"))


def review_progress(idea: Idea) -> tuple[int, int]:
    """(waiting, scored): the assigned reviews without scores, and with them."""
    counts = Review.objects.filter(idea=idea).aggregate(
        waiting=Count("id", filter=Q(scored_at__isnull=True)),
        scored=Count("id", filter=Q(scored_at__isnull=False)),
    )
    return counts["waiting"], counts["scored"]


def rubric_of(idea: Idea) -> dict[str, Any] | None:
    """The reviewers' mean scores (None before anyone scored)."""
    scored = Review.objects.filter(idea=idea, scored_at__isnull=False)
    return scoring.rubric_means(
        [scoring.RubricScore(r.feasibility, r.effect, r.cost, r.originality) for r in scored]
    )


def reviews_assigned_to(user: Any) -> list[Review]:
    return list(
        Review.objects.filter(expert__user=user, idea__state=State.REVIEW)
        .select_related("idea", "idea__theme")
        .order_by("scored_at", "assigned_at")
    )


# --- desks -------------------------------------------------------------------------------------


def ideas_to_answer(department_ids: Iterable[int]) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(department_id__in=list(department_ids), state=State.FORWARDED)
        .select_related("theme", "department")
        .order_by("answer_due", "id")
    )


def ideas_in(states: Iterable[str]) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(city=current_city(), state__in=list(states))
        .select_related("theme", "department")
        .order_by("state_since", "id")
    )


def meetings() -> list[Any]:
    from hamkke.ideas.models import ReviewMeeting

    return list(ReviewMeeting.objects.filter(city=current_city()).order_by("-held_on", "-id"))


# --- adopted to policy -------------------------------------------------------------------------


def adopted_ideas() -> QuerySet[Idea]:
    return (
        public_ideas()
        .filter(state__in=pipeline.TAKEN_UP)
        .select_related("theme", "district")
        .order_by("-decided_at", "-id")
    )


def adoption_counts() -> dict[str, Any]:
    """Adopted ideas per year (of the decision) and per theme."""
    adopted = public_ideas().filter(state__in=pipeline.TAKEN_UP)
    by_year = (
        adopted.annotate(year=ExtractYear("decided_at"))
        .values("year")
        .annotate(count=Count("id"))
        .order_by("year")
    )
    by_theme = (
        adopted.values("theme__code", "theme__name", "theme__name_en")
        .annotate(count=Count("id"))
        .order_by("-count", "theme__code")
    )
    return {
        "total": adopted.count(),
        "by_year": [(row["year"], row["count"]) for row in by_year],
        "by_theme": [
            {
                "code": row["theme__code"],
                "name": row["theme__name"],
                "name_en": row["theme__name_en"],
                "count": row["count"],
            }
            for row in by_theme
        ],
    }


@dataclass(frozen=True)
class FameEntry:
    name: str
    adopted: int
    latest: datetime | None


def hall_of_fame(limit: int = 50) -> list[FameEntry]:
    """Proposers whose ideas were adopted, by how many: their public display name only."""
    rows = (
        public_ideas()
        .filter(state__in=pipeline.TAKEN_UP, author__isnull=False)
        .values("author")
        .annotate(adopted=Count("id"), latest=Max("decided_at"))
        .order_by("-adopted", "-latest")[:limit]
    )
    people = User.objects.in_bulk([row["author"] for row in rows])
    return [
        FameEntry(
            name=public_name(people[row["author"]]), adopted=row["adopted"], latest=row["latest"]
        )
        for row in rows
        if row["author"] in people
    ]


def public_name(user: User | None) -> str:
    """How a citizen is named in public: the name they chose, never their email."""
    return "" if user is None else str(user.public_name)


# --- contests --------------------------------------------------------------------------------


def contests() -> QuerySet[Contest]:
    return (
        Contest.objects.filter(city=current_city())
        .select_related("theme")
        .order_by("-submissions_open")
    )


def contest_by_slug(slug: str) -> Contest | None:
    return contests().filter(slug=slug).prefetch_related("tiers").first()


def contest_entries(contest: Contest) -> QuerySet[Idea]:
    # A withdrawn entry has left the contest: neither listed nor ranked.
    return (
        public_ideas()
        .filter(contest=contest)
        .exclude(state=State.WITHDRAWN)
        .annotate(votes=Count("contest_votes", distinct=True))
        .select_related("theme")
        .order_by("-votes", "id")
    )


def contest_tallies(contest: Contest) -> list[scoring.EntryTally]:
    """Every visible entry's jury scores and public votes (two grouped queries)."""
    entry_ids = list(
        public_ideas()
        .filter(contest=contest)
        .exclude(state=State.WITHDRAWN)
        .values_list("pk", flat=True)
    )
    votes = dict(
        ContestVote.objects.filter(contest=contest, idea__in=entry_ids)
        .values("idea")
        .annotate(n=Count("id"))
        .values_list("idea", "n")
    )
    scores: dict[int, list[int]] = {pk: [] for pk in entry_ids}
    for idea_id, score in JuryScore.objects.filter(
        idea__in=entry_ids, juror__contest=contest
    ).values_list("idea", "score"):
        scores[idea_id].append(score)
    return [
        scoring.EntryTally(entry=pk, jury_scores=tuple(scores[pk]), votes=votes.get(pk, 0))
        for pk in entry_ids
    ]


def winners_of(contest: Contest) -> list[Award]:
    return list(
        Award.objects.filter(contest=contest)
        .select_related("idea", "idea__author", "tier")
        .order_by("rank")
    )


def award_by_certificate(code: str) -> Award | None:
    return (
        Award.objects.filter(certificate=code)
        .select_related("contest", "idea", "idea__author", "tier")
        .first()
    )


def contest_votes_used(contest: Contest, identity: VerifiedIdentity | None) -> set[int]:
    if identity is None:
        return set()
    return set(
        ContestVote.objects.filter(contest=contest, identity_key=identity.identity_key).values_list(
            "idea", flat=True
        )
    )


# --- a person's data --------------------------------------------------------------------------


def personal_data_of(user: User) -> dict[str, Any]:
    return {
        "ideas": [
            {
                "id": idea.pk,
                "title": idea.title,
                "state": idea.state,
                "created_at": idea.created_at.isoformat(),
            }
            for idea in Idea.objects.filter(Q(author=user) | Q(coauthors=user)).distinct()
        ],
        "supports": [
            {"idea": idea_id, "at": at.isoformat()}
            for idea_id, at in Support.objects.filter(user=user).values_list("idea", "created_at")
        ],
        "follows": list(Follow.objects.filter(user=user).values_list("idea", flat=True)),
    }


# --- contests' pages, desk and API (helper contests) ------------------------------------------


@dataclass(frozen=True)
class Standing:
    """An entry's place in a contest's ranking (scoring.rank_entries), its idea, and the tier its
    rank would win (None past the prizes)."""

    ranked: scoring.RankedEntry
    idea: Idea
    tier: AwardTier | None


def contest_standings(contest: Contest) -> list[Standing]:
    """The ranking the award would give now: every visible entry with its jury, public and
    combined scores, and the tiers in rank order (three queries)."""
    ranked = scoring.rank_entries(
        contest_tallies(contest),
        jury_weight=contest.jury_weight,
        public_weight=contest.public_weight,
    )
    ideas = Idea.objects.select_related("author").in_bulk([entry.entry for entry in ranked])
    places = [tier for tier in contest.tiers.order_by("order") for _ in range(tier.winners)]
    return [
        Standing(ranked=entry, idea=ideas[entry.entry], tier=places[i] if i < len(places) else None)
        for i, entry in enumerate(ranked)
    ]


def juror_of(contest: Contest, user: Any) -> Juror | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Juror.objects.filter(contest=contest, user=user).first()


def jurors_of(contest: Contest) -> list[Juror]:
    return list(
        Juror.objects.filter(contest=contest)
        .select_related("user")
        .annotate(scored=Count("scores"))
        .order_by("user__email")
    )


def scores_by(juror: Juror | None) -> dict[int, int]:
    """The juror's scores by entry id."""
    if juror is None:
        return {}
    return dict(JuryScore.objects.filter(juror=juror).values_list("idea", "score"))


def contests_judged_by(user: Any) -> QuerySet[Contest]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Contest.objects.none()
    return contests().filter(jurors__user=user)


def public_winners(contest: Contest) -> list[Award]:
    """The awards the public sees, by rank: those of entries still shown (a moderator may have
    hidden one since), with their authors (author_names reads them without a query each)."""
    awards = (
        Award.objects.filter(contest=contest)
        .select_related("contest", "idea", "idea__author", "tier")
        .prefetch_related("idea__coauthors")
        .order_by("rank")
    )
    return [award for award in awards if policies.is_visible(award.idea)]


def author_names(idea: Idea) -> list[str]:
    """The idea's authors as the public sees them (their chosen names, never an email): the
    author, then the co-authors. An erased author is left out."""
    people = [idea.author] if idea.author is not None else []
    people += sorted(idea.coauthors.all(), key=lambda person: person.pk)
    return [public_name(person) for person in people]


def budget_project_url(idea: Idea) -> str | None:
    """The page of the budget proposal the idea became (None before it became one)."""
    from django.urls import reverse

    project = idea.budget_project
    if project is None:
        return None
    return reverse("budget:project", args=[project.cycle.slug, project.code])


# --- the desk's queues (helper desk) -----------------------------------------------------------


def ideas_under_review() -> QuerySet[Idea]:
    """Ideas under expert review with their reviews still waiting and already scored, counted
    in the same query (`waiting`, `scored`)."""
    return ideas_in([State.REVIEW]).annotate(
        waiting=Count("reviews", filter=Q(reviews__scored_at__isnull=True)),
        scored=Count("reviews", filter=Q(reviews__scored_at__isnull=False)),
    )


def ideas_being_implemented() -> QuerySet[Idea]:
    """Adopted ideas whose implementation is neither completed nor dropped, with the date of
    their latest update (`last_update`): the ones longest without news first."""
    from django.db.models import F

    from hamkke.ideas.models import Implementation

    return (
        ideas_in(pipeline.TAKEN_UP)
        .exclude(implementation__in=[Implementation.COMPLETED, Implementation.DROPPED])
        .annotate(last_update=Max("updates__on"))
        .order_by(F("last_update").asc(nulls_first=True), "decided_at", "id")
    )


def meetings_with_decisions() -> list[Any]:
    """The city's review meetings, newest first, each with the ideas it decided."""
    from django.db.models import Prefetch

    from hamkke.ideas.models import ReviewMeeting

    decided = Idea.objects.select_related("theme").order_by("decided_at", "id")
    return list(
        ReviewMeeting.objects.filter(city=current_city())
        .prefetch_related(Prefetch("decisions", queryset=decided))
        .order_by("-held_on", "-id")
    )


def ideas_for_operator(state: str = "") -> QuerySet[Idea]:
    """Every idea of the city, hidden ones too, by id (the operator's list); of one state when
    given."""
    ideas = Idea.objects.filter(city=current_city())
    if state:
        ideas = ideas.filter(state=state)
    return ideas.order_by("id")
