"""The open API of the Oasis of 10 Million Imagination (/api/v1/ideas): ideas for anyone, with
their timeline and what they became; posting, supporting, following and withdrawing for a
signed-in session (which must send its CSRF token); similar ideas while writing; themes,
adopted ideas and the hall of fame; and appointed experts' reviews and rescues.

Refusals answer 4xx JSON {detail, code[, field]} through the API's handler: 400 bad input (an
unknown filter value, text empty or too long), 401 not signed in, 403 not allowed (not
verified, one's own idea, no second factor), 404 unknown or hidden, 409 the wrong moment (an
idea that no longer collects supports, a move the pipeline does not allow)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from hamkke.core import idempotency
from hamkke.core.city.selectors import current_city, districts_of
from hamkke.core.errors import InvalidInput
from hamkke.core.models import District
from hamkke.core.web.api import MAX_PAGE_SIZE, SessionWithCsrf
from hamkke.ideas import pipeline, policies, selectors, services
from hamkke.ideas.models import Idea, State, Theme
from hamkke.ideas.profile import IdeasSection
from hamkke.ideas.schemas import (
    SORTS,
    AdoptedPageOut,
    AssignedOut,
    FameOut,
    FollowOut,
    IdeaDetailOut,
    IdeaIn,
    IdeaPageOut,
    IdeasQuery,
    MeOut,
    PageQuery,
    PhotoOut,
    RescueIn,
    ReviewIn,
    RubricOut,
    SimilarOut,
    SupportsOut,
    ThemeOut,
    action_of,
    named,
    scores_of,
)

router = Router(tags=["ideas"])

# The signed-in session; a write must carry its CSRF token, so another site cannot post or
# support in a person's name.
session_auth = SessionWithCsrf()

# Deeper than this no one reads a list page by page; it keeps OFFSET a sane number.
MAX_PAGE = 10_000
SIMILAR_TEXT_LIMIT = 10_000


# --- conversions ---------------------------------------------------------------------------------


def check_page(page: int, page_size: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            _("`page` is a whole number from 1 to %(max)s.") % {"max": f"{MAX_PAGE:,}"},
            field="page",
        )
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("`page_size` is a whole number from 1 to %(max)s.") % {"max": MAX_PAGE_SIZE},
            field="page_size",
        )


def count_free_page(rows: QuerySet, page: int, page_size: int) -> dict:
    """One page of `rows` (already ordered) and whether another follows, in one query: a row
    more than asked says so. Lists of ideas answer this way, without counting them all."""
    check_page(page, page_size)
    start = (page - 1) * page_size
    found = list(rows[start : start + page_size + 1])
    return {
        "page": page,
        "page_size": page_size,
        "has_next": len(found) > page_size,
        "items": found[:page_size],
    }


def theme_by_code(code: str, *, field: str = "theme") -> Theme:
    found = {theme.code: theme for theme in selectors.themes()}.get(code.strip())
    if found is None:
        raise InvalidInput(
            _("No theme has the code “%(code)s”.") % {"code": code[:64]}, field=field
        )
    return found


def district_by_code(code: str, *, field: str = "district") -> District:
    found = {d.code: d for d in districts_of(current_city())}.get(code.strip())
    if found is None:
        raise InvalidInput(
            _("No district has the code “%(code)s”.") % {"code": code[:32]}, field=field
        )
    return found


def _filters(query: IdeasQuery) -> selectors.IdeaFilter:
    """The list's filters, each unknown value refused by its parameter's name."""
    if query.state and query.state not in State.values:
        raise InvalidInput(
            _("`state` is one of: %(states)s.") % {"states": ", ".join(State.values)},
            field="state",
        )
    if query.sort not in SORTS:
        raise InvalidInput(
            _("`sort` is one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}, field="sort"
        )
    if query.theme:
        theme_by_code(query.theme)
    if query.district:
        district_by_code(query.district)
    return selectors.IdeaFilter(
        state=query.state,
        theme=query.theme.strip(),
        district=query.district.strip(),
        sort=query.sort,
    )


def detailed(request: HttpRequest, idea: Idea) -> Idea:
    """The idea with what IdeaDetailOut reads besides its own fields: authors' public names,
    the supports its stage needs, the rubric once decided, implementation updates, what it
    became, photos, the timeline and the caller's standing."""
    section = services.ideas_settings()
    idea.api_authors = selectors.author_names(idea)
    idea.api_supports_needed = pipeline.supports_needed(idea.state, services.stages_of(section))
    idea.api_rubric = _rubric(idea) if idea.state in pipeline.DECIDED else None
    idea.api_updates = selectors.updates_of(idea) if idea.state in pipeline.TAKEN_UP else []
    idea.api_budget_project_url = selectors.budget_project_url(idea)
    idea.api_photos = [
        PhotoOut(
            url=request.build_absolute_uri(photo.url),
            thumbnail_url=request.build_absolute_uri(photo.thumbnail_url)
            if photo.thumbnail_url
            else "",
        )
        for photo in selectors.photos_of(idea)
    ]
    idea.api_timeline = selectors.timeline_of(idea)
    idea.api_me = _me(request, idea, section)
    return idea


def _rubric(idea: Idea) -> RubricOut | None:
    means = selectors.rubric_of(idea)
    if means is None:
        return None
    _waiting, scored = selectors.review_progress(idea)
    return RubricOut(**means, reviewers=scored)


def _me(request: HttpRequest, idea: Idea, section: IdeasSection) -> MeOut | None:
    user = request.user
    if not user.is_authenticated:
        return None
    identity = selectors.supporter_identity(user)
    supported = selectors.has_supported(idea, identity)
    coauthors = selectors.coauthor_ids(idea)
    expert = selectors.expert_of(user, current_city())
    return MeOut(
        author=policies.is_author(idea, user, coauthors),
        supported=supported,
        following=selectors.follows(idea, user),
        support=action_of(
            policies.may_support(
                idea,
                user,
                identity,
                supported=supported,
                own_support=section.own_support,
                coauthor_ids=coauthors,
            )
        ),
        withdraw=action_of(policies.may_withdraw(idea, user)),
        rescue=action_of(policies.may_rescue(idea, request.actor, expert)),
    )


def public_detail(request: HttpRequest, idea_id: int) -> Idea:
    return detailed(request, selectors.public_idea(idea_id))


def _user_client(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


# --- reads ---------------------------------------------------------------------------------------


@router.get("/", response=IdeaPageOut, summary="Ideas, with filters and sorts")
def list_ideas(request: HttpRequest, query: Query[IdeasQuery]):
    """Every idea the public may see, or those of one `state`, `theme` and `district` (codes;
    an unknown one answers 400 naming the parameter). `sort`: newest (the default), supports
    (most first) or closing (ideas still collecting supports, whose period ends first).
    Pages of `page_size` (1 to 100) without a count: `has_next` says whether page + 1 has
    more."""
    filters = _filters(query)
    check_page(query.page, query.page_size)
    items, has_next = selectors.idea_page(filters, page=query.page, page_size=query.page_size)
    return {"page": query.page, "page_size": query.page_size, "has_next": has_next, "items": items}


@router.get("/themes", response=list[ThemeOut], summary="The themes ideas are filed under")
def list_themes(request: HttpRequest):
    """In the city profile's order, with the department that answers each theme's ideas (null:
    the Oasis office)."""
    return [
        ThemeOut(code=theme.code, name=theme.display_name, department=named(theme.department))
        for theme in selectors.themes()
    ]


@router.get("/similar", response=list[SimilarOut], summary="Ideas like a text being written")
def similar(request: HttpRequest, text: str = "", exclude: int = 0):
    """Up to five visible ideas most like `text` (a title and a start of the idea), best
    first, to support one of them instead of posting it again. `exclude` leaves out one idea
    (the one being edited). Empty for a text too short to compare."""
    if len(text) > SIMILAR_TEXT_LIMIT:
        raise InvalidInput(
            _("Keep this under %(limit)s characters.") % {"limit": f"{SIMILAR_TEXT_LIMIT:,}"},
            field="text",
        )
    return [
        SimilarOut(
            id=idea.pk,
            title=idea.title,
            state=idea.state,
            supports=idea.supports,
            score=round(score, 4),
            url=reverse("ideas:idea", args=[idea.pk]),
        )
        for idea, score in selectors.similar_ideas(text, exclude=exclude or None)
    ]


@router.get("/adopted", response=AdoptedPageOut, summary="Adopted ideas and their progress")
def list_adopted(request: HttpRequest, query: Query[PageQuery]):
    """Ideas adopted wholly or in part, latest decision first, with their implementation's
    status and progress; and how many were adopted in all, by year of the decision and by
    theme. Pages as the list of ideas."""
    answer = count_free_page(selectors.adopted_ideas(), query.page, query.page_size)
    counts = selectors.adoption_counts()
    answer["counts"] = {
        "total": counts["total"],
        "by_year": [{"year": year, "count": count} for year, count in counts["by_year"]],
        "by_theme": counts["by_theme"],
    }
    return answer


@router.get("/hall-of-fame", response=list[FameOut], summary="Citizens whose ideas were adopted")
def hall_of_fame(request: HttpRequest):
    """Up to fifty proposers by how many of their ideas were adopted, by the public name they
    chose (never an email address)."""
    return [
        FameOut(name=entry.name, adopted=entry.adopted, latest=entry.latest)
        for entry in selectors.hall_of_fame()
    ]


@router.get(
    "/reviews",
    response=list[AssignedOut],
    auth=session_auth,
    summary="Ideas assigned to me for review (experts)",
)
def my_reviews(request: HttpRequest):
    """The ideas under review assigned to the caller, those not scored yet first, with their
    scores once given. 403 `not_expert` for anyone but an appointed, active expert;
    `second_factor_required` for a session not signed in with the authenticator code."""
    expert = selectors.expert_of(request.user, current_city())
    policies.acting_expert(request.actor, expert).enforce()
    return [
        _assigned(review)
        for review in selectors.reviews_assigned_to(request.user)
        if policies.is_visible(review.idea)
    ]


def _assigned(review) -> dict:
    """AssignedOut's fields, its idea left a model for IdeaOut's resolvers to read."""
    return {
        "idea": review.idea,
        "assigned_at": review.assigned_at,
        "review_due": review.idea.review_due,
        "scores": scores_of(review),
        "opinion": review.opinion,
        "scored_at": review.scored_at,
    }


@router.get("/{idea_id}", response=IdeaDetailOut, summary="One idea, with its timeline")
def get_idea(request: HttpRequest, idea_id: int):
    """Its text, theme, district and point, its authors' public names, the department
    answering it and its answer, the current stage's deadlines, the review meeting's decision
    and the reviewers' mean scores once decided, the implementation of an adopted idea, what
    it became (a budget proposal, a poll), its photos and its timeline (which names nobody).
    For a signed-in caller, `me`: what they may do with it now and why not. 404 for an
    unknown idea or one hidden by a moderator."""
    return public_detail(request, idea_id)


# --- citizens' actions ---------------------------------------------------------------------------


@router.post(
    "/",
    response={201: IdeaDetailOut},
    auth=session_auth,
    summary="Post an idea",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("ideas.post", client=_user_client))
def post_idea(request: HttpRequest, payload: IdeaIn):
    """Open for support from now for the city's number of days. `theme` and `district` are
    codes (400 naming the field for an unknown one); a point (`latitude` and `longitude`,
    both or neither) sets the district when none is named (400 `outside_city` outside the
    city). 400 for an empty or too long title or text; 429 after ten ideas in a day. Send an
    `Idempotency-Key` to retry without posting twice."""
    if (payload.latitude is None) != (payload.longitude is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="latitude")
    point = None if payload.latitude is None else (payload.latitude, payload.longitude)
    idea = services.post_idea(
        actor=request.actor,
        title=payload.title,
        body=payload.body.replace("\r\n", "\n"),
        theme=theme_by_code(payload.theme),
        district=district_by_code(payload.district) if payload.district else None,
        point=point,
        address=payload.address,
    )
    return Status(201, public_detail(request, idea.pk))


@router.post(
    "/{idea_id}/support",
    response={201: SupportsOut},
    auth=session_auth,
    summary="Support an idea (people verified by phone)",
)
def support(request: HttpRequest, idea_id: int):
    """One support per person (their phone-verified identity), never one's own idea; the
    supporter follows it from then on. Enough supports move it on at once. 403
    `verification_required` without a phone in the caller's name, `own_idea` for an author;
    409 `already_supported`, `not_collecting` once it no longer collects supports."""
    idea = selectors.public_idea(idea_id)
    count = services.support_idea(actor=request.actor, idea=idea)
    return Status(201, SupportsOut(supports=count, state=idea.state))


@router.post("/{idea_id}/follow", response=FollowOut, auth=session_auth, summary="Follow an idea")
def follow(request: HttpRequest, idea_id: int):
    """Be told of its every step. Following again changes nothing."""
    idea = selectors.public_idea(idea_id)
    return FollowOut(following=services.follow_idea(actor=request.actor, idea=idea))


@router.delete(
    "/{idea_id}/follow", response=FollowOut, auth=session_auth, summary="Stop following an idea"
)
def unfollow(request: HttpRequest, idea_id: int):
    """No more news of it. Authors and supporters follow by default and may stop too."""
    idea = selectors.public_idea(idea_id)
    return FollowOut(following=services.follow_idea(actor=request.actor, idea=idea, follow=False))


@router.post(
    "/{idea_id}/withdraw",
    response=IdeaDetailOut,
    auth=session_auth,
    summary="Withdraw one's idea (its author, while open)",
)
def withdraw(request: HttpRequest, idea_id: int):
    """Only its author, and only while it is open for support: 403 `not_author`, 409
    `wrong_state` once it moved on."""
    idea = selectors.public_idea(idea_id)
    services.withdraw_idea(actor=request.actor, idea=idea)
    return public_detail(request, idea_id)


# --- experts -------------------------------------------------------------------------------------


@router.post(
    "/{idea_id}/review",
    response=AssignedOut,
    auth=session_auth,
    summary="Score an idea assigned to me (experts)",
)
def review(request: HttpRequest, idea_id: int, payload: ReviewIn):
    """The rubric: feasibility, effect, cost and originality, each 1 to 5, and an opinion;
    scoring again changes them while the idea is under review. 404 `not_assigned` for an idea
    not assigned to the caller; 403 `second_factor_required` for a session not signed in with
    the authenticator code; 409 `not_in_review`; 400 for a score outside 1 to 5."""
    idea = selectors.public_idea(idea_id)
    scored = services.score_review(
        actor=request.actor, idea=idea, scores=payload.scores(), opinion=payload.opinion
    )
    scored.idea = idea
    return _assigned(scored)


@router.post(
    "/{idea_id}/rescue",
    response=IdeaDetailOut,
    auth=session_auth,
    summary="Move an idea on below its threshold (experts)",
)
def rescue(request: HttpRequest, idea_id: int, payload: RescueIn):
    """An appointed expert sends an open (or closed, never answered) idea to its department,
    or an answered one to public discussion, with a public reason. 403 `not_expert`,
    `second_factor_required`; 409 `wrong_state`, `already_answered`."""
    idea = selectors.public_idea(idea_id)
    services.rescue_idea(actor=request.actor, idea=idea, reason=payload.reason)
    return public_detail(request, idea_id)
