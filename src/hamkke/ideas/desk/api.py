"""The officials' API of the Oasis (/api/v1/ideas/desk): the ideas one's departments must
answer, and answering them; the Oasis office's review (assigning experts), meetings and
decisions; implementation updates; carrying an adopted idea into the budget or a poll; and
appointing experts. Session sign-in with CSRF on writes; the role and the second factor as on
the desk pages (official_api), then the same services, whose policies check the role in the
idea's department or the office and the move the pipeline allows."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.accounts.seats import Seat, seat_at
from hamkke.budget import selectors as budget_selectors
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.ideas import policies, selectors, services
from hamkke.ideas.api import count_free_page, detailed
from hamkke.ideas.models import Expert, Idea, ReviewMeeting
from hamkke.ideas.schemas import (
    AnswerIn,
    BudgetPromotionIn,
    DecisionIn,
    DeskDetailOut,
    DeskIdeaPageOut,
    ExpertIn,
    ExpertOut,
    MeetingIn,
    MeetingOut,
    PageQuery,
    PollPromotionIn,
    ProgressIn,
    ReviewerIn,
    ReviewerOut,
    StartReviewIn,
    action_of,
    scores_of,
)

router = Router(tags=["ideas desk"], auth=SessionWithCsrf())


# --- conversions ---------------------------------------------------------------------------------


def _idea(idea_id: int) -> Idea:
    """Any idea of the city, hidden ones too (officials still answer and decide them)."""
    idea = selectors.idea_by_id(idea_id, for_staff=True)
    if idea is None:
        policies.idea_found(None).enforce()
    return idea


def _detail(request: HttpRequest, idea_id: int) -> Idea:
    """The idea as the public sees it, with its reviewers (for the office)."""
    idea = detailed(request, _idea(idea_id))
    idea.api_reviewers = [
        ReviewerOut(
            expert=review.expert_id,
            name=str(review.expert.user.public_name),
            field=review.expert.field,
            assigned_at=review.assigned_at,
            scored_at=review.scored_at,
            scores=scores_of(review),
            opinion=review.opinion,
        )
        for review in selectors.reviews_of(idea)
    ]
    return idea


def _may_view_office(request: HttpRequest) -> bool:
    """Whether the caller may read the Oasis office's lists (NotAllowed when they hold no role
    there). A city without an office has none of its meetings or experts: nothing to read."""
    office = services.office_of(current_city())
    if office is None:
        return False
    policies.may_view_desk(seat_at(request.actor, office)).enforce()
    return True


def _expert(expert_id: int, *, field: str) -> Expert:
    found = {expert.pk: expert for expert in selectors.experts(active_only=False)}.get(expert_id)
    if found is None:
        raise InvalidInput(_("No expert has the id %(id)s.") % {"id": expert_id}, field=field)
    return found


def _meeting(meeting_id: int) -> ReviewMeeting:
    found = {meeting.pk: meeting for meeting in selectors.meetings()}.get(meeting_id)
    if found is None:
        raise InvalidInput(
            _("No review meeting has the id %(id)s.") % {"id": meeting_id}, field="meeting"
        )
    return found


def _moment(value: datetime, field: str) -> datetime:
    """A moment a request names: with its offset, between the calendar's ends we keep."""
    if value.tzinfo is None or not moment_in_range(value):
        raise InvalidInput(
            _("Give a moment with its offset, between %(range)s.") % {"range": MOMENTS_TEXT},
            field=field,
        )
    return value


def _named_in_cycle(lookup, *args, field: str):
    """A budget look-up by code, its NotFound worded as this request's bad input."""
    try:
        return lookup(*args)
    except NotFound as exc:
        raise InvalidInput(exc.message, field=field) from exc


# --- ideas to answer -----------------------------------------------------------------------------


@router.get("/", response=DeskIdeaPageOut, summary="Ideas my departments must answer")
@official_api(role=Role.HANDLER)
def ideas_to_answer(request: HttpRequest, query: Query[PageQuery]):
    """Ideas with one of the caller's departments, waiting for its written answer, the answer
    due soonest first; each says whether the caller may answer it now (an escalated idea is
    answered by a manager)."""
    roles = account_selectors.roles_by_department(request.user, city=current_city())
    page = count_free_page(selectors.ideas_to_answer(roles), query.page, query.page_size)
    for idea in page["items"]:
        seat = Seat(
            user=request.user, role=roles.get(idea.department_id), department=idea.department
        )
        idea.api_may_answer = action_of(policies.may_answer(idea, seat))
    return page


@router.get("/{int:idea_id}", response=DeskDetailOut, summary="One idea, with its reviewers")
@official_api(role=Role.VIEWER)
def get_idea(request: HttpRequest, idea_id: int):
    """As the public sees it, with its assigned experts, their scores and opinions. An idea
    hidden by a moderator is shown only to the Oasis office's officials (403 for others), as
    its photos are."""
    if not policies.is_visible(_idea(idea_id)) and not _may_view_office(request):
        policies.idea_found(None).enforce()
    return _detail(request, idea_id)


@router.post("/{int:idea_id}/answer", response=DeskDetailOut, summary="Answer an idea in writing")
@official_api(role=Role.HANDLER)
def answer(request: HttpRequest, idea_id: int, payload: AnswerIn):
    """A handler of the idea's department, by its deadline (once escalated, a manager, by the
    new one); the answer is public and the idea then collects supports for a discussion. 403
    `role_required` (another department's official too); 409 `answer_overdue`, `wrong_state`;
    400 for an empty or too long answer."""
    services.answer_idea(actor=request.actor, idea=_idea(idea_id), text=payload.text)
    return _detail(request, idea_id)


# --- the office's review -------------------------------------------------------------------------


@router.post(
    "/{int:idea_id}/start-review", response=DeskDetailOut, summary="Send an idea to expert review"
)
@official_api(role=Role.MANAGER)
def start_review(request: HttpRequest, idea_id: int, payload: StartReviewIn):
    """A manager of the Oasis office, once the public discussion has run its time, assigns
    the experts (their ids) who score it. 409 `discussion_running`, `wrong_state`; 400 for an
    unknown or retired expert."""
    experts = [_expert(expert_id, field="experts") for expert_id in payload.experts]
    services.start_review(actor=request.actor, idea=_idea(idea_id), experts=experts)
    return _detail(request, idea_id)


@router.post(
    "/{int:idea_id}/reviewers",
    response={201: DeskDetailOut},
    summary="Assign one more expert to an idea under review",
)
@official_api(role=Role.MANAGER)
def add_reviewer(request: HttpRequest, idea_id: int, payload: ReviewerIn):
    """A manager of the Oasis office; assigning an expert twice changes nothing. 409
    `not_in_review`; 400 for an unknown or retired expert."""
    services.assign_reviewer(
        actor=request.actor, idea=_idea(idea_id), expert=_expert(payload.expert, field="expert")
    )
    return Status(201, _detail(request, idea_id))


@router.get("/meetings", response=list[MeetingOut], summary="Review meetings, latest first")
@official_api(role=Role.VIEWER)
def list_meetings(request: HttpRequest):
    """The Oasis office's review meetings, where ideas under review are decided."""
    return selectors.meetings() if _may_view_office(request) else []


@router.post("/meetings", response={201: MeetingOut}, summary="Record a review meeting")
@official_api(role=Role.MANAGER)
def create_meeting(request: HttpRequest, payload: MeetingIn):
    """A manager of the Oasis office. 400 for an empty title or a day outside 1900 to 2999."""
    meeting = services.create_meeting(
        actor=request.actor,
        title=payload.title,
        held_on=payload.held_on,
        minutes=payload.minutes.replace("\r\n", "\n"),
    )
    return Status(201, meeting)


@router.post(
    "/{int:idea_id}/decision", response=DeskDetailOut, summary="Decide an idea under review"
)
@official_api(role=Role.MANAGER)
def decide(request: HttpRequest, idea_id: int, payload: DecisionIn):
    """At a review meeting (its id), once every assigned expert has scored: `outcome`
    adopted, partly_adopted or not_adopted, with public reasons; an adoption is published on
    the Plaza at once. 409 `scores_missing`, `wrong_state`; 400 for an unknown outcome or
    meeting."""
    services.decide_idea(
        actor=request.actor,
        idea=_idea(idea_id),
        outcome=payload.outcome,
        reasons=payload.reasons,
        meeting=_meeting(payload.meeting),
    )
    return _detail(request, idea_id)


# --- implementation and promotion ----------------------------------------------------------------


@router.post(
    "/{int:idea_id}/progress",
    response={201: DeskDetailOut},
    summary="Record an adopted idea's implementation step",
)
@official_api(role=Role.HANDLER)
def record_progress(request: HttpRequest, idea_id: int, payload: ProgressIn):
    """By the idea's department or the Oasis office: the day, the status (planned,
    in_progress, completed, dropped), the progress in percent, a public text and a link to
    what it led to. 409 `not_adopted`; 400 for a progress outside 0 to 100, a day outside
    1900 to 2999, a link that is not a web address."""
    services.record_progress(
        actor=request.actor,
        idea=_idea(idea_id),
        on=payload.on,
        status=payload.status,
        progress=payload.progress,
        text=payload.text,
        link=payload.link,
    )
    return Status(201, _detail(request, idea_id))


@router.post(
    "/{int:idea_id}/promote/budget",
    response={201: DeskDetailOut},
    summary="Carry an adopted idea into participatory budgeting",
)
@official_api(role=Role.MANAGER)
def promote_to_budget(request: HttpRequest, idea_id: int, payload: BudgetPromotionIn):
    """A manager of the Oasis office proposes it, in its author's name, to a pool of a budget
    cycle taking proposals (the cycle's slug, the pool's and the area's codes). 409
    `already_promoted`, `not_adopted`, `no_author`, or the budget's own refusal when the cycle
    takes no proposals; 400 for an unknown cycle, pool or area."""
    city = current_city()
    cycle = _named_in_cycle(budget_selectors.cycle_by_slug, city, payload.cycle, field="cycle")
    pool = _named_in_cycle(budget_selectors.pool_by_code, cycle, payload.pool, field="pool")
    area = {a.code: a for a in budget_selectors.areas_of(city)}.get(payload.area)
    if area is None:
        raise InvalidInput(
            _("No project area has the code “%(code)s”.") % {"code": payload.area}, field="area"
        )
    services.promote_to_budget(
        actor=request.actor,
        idea=_idea(idea_id),
        pool=pool,
        area=area,
        summary=payload.summary,
        requested_cost=payload.requested_cost,
    )
    return Status(201, _detail(request, idea_id))


@router.post(
    "/{int:idea_id}/promote/poll",
    response={201: DeskDetailOut},
    summary="Put an adopted idea to the citizens as a poll",
)
@official_api(role=Role.MANAGER)
def promote_to_poll(request: HttpRequest, idea_id: int, payload: PollPromotionIn):
    """A manager of the Oasis office poses an M-Voting poll of one question (at least two
    options) between `opens_at` and `closes_at` (moments with their offset). 409
    `already_promoted`, `not_adopted`; 400 for a question without two options or dates out of
    order."""
    services.promote_to_poll(
        actor=request.actor,
        idea=_idea(idea_id),
        question=payload.question,
        options=payload.options,
        opens_at=_moment(payload.opens_at, "opens_at"),
        closes_at=_moment(payload.closes_at, "closes_at"),
    )
    return Status(201, _detail(request, idea_id))


# --- experts -------------------------------------------------------------------------------------


@router.get("/experts", response=list[ExpertOut], summary="The Oasis's experts")
@official_api(role=Role.VIEWER)
def list_experts(request: HttpRequest):
    """Every expert the office appointed, retired ones too (`active` false)."""
    return selectors.experts(active_only=False) if _may_view_office(request) else []


@router.post("/experts", response={201: ExpertOut}, summary="Appoint an expert")
@official_api(role=Role.MANAGER)
def appoint_expert(request: HttpRequest, payload: ExpertIn):
    """A manager of the Oasis office appoints the account with this email address (again, if
    retired) in their field. 400 when no active account has the address."""
    user = account_selectors.user_by_email(payload.email, active_only=True)
    if user is None:
        raise InvalidInput(_("No active account has this email address."), field="email")
    return Status(201, services.appoint_expert(actor=request.actor, user=user, field=payload.field))


@router.post("/experts/{int:expert_id}/retire", response=ExpertOut, summary="Retire an expert")
@official_api(role=Role.MANAGER)
def retire_expert(request: HttpRequest, expert_id: int):
    """A manager of the Oasis office. The expert's reviews stay; they are assigned no more and
    may no longer score or rescue. 404 for an unknown expert."""
    expert = {e.pk: e for e in selectors.experts(active_only=False)}.get(expert_id)
    if expert is None:
        raise NotFound(_("No expert has the id %(id)s.") % {"id": expert_id})
    return services.retire_expert(actor=request.actor, expert=expert)
