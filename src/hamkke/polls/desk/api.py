"""The officials' API of M-Voting (/api/v1/polls/desk): posing a poll for one's department,
approving or rejecting a citizen's proposal, making one-time voting codes, closing a poll and
recording what the city decided. Session sign-in with CSRF on writes; the role and the second
factor as on the desk pages, and the same policies and services (which check the role in the
poll's department)."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.decorators import decorate_view

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.core import idempotency
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput
from hamkke.core.models import Department, District
from hamkke.core.web.api import SessionWithCsrf
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.polls import selectors, services
from hamkke.polls.api import detailed, question_drafts
from hamkke.polls.schemas import (
    ApproveIn,
    CodesIn,
    CodesOut,
    DecisionIn,
    PollDetailOut,
    PollIn,
    RejectIn,
)

router = Router(tags=["polls desk"], auth=SessionWithCsrf())


# --- conversions ---------------------------------------------------------------------------------


def _department(code: str) -> Department:
    department = Department.objects.filter(city=current_city(), code=code.strip()).first()
    if department is None:
        raise InvalidInput(
            _("No department has the code “%(code)s”.") % {"code": code}, field="department"
        )
    return department


def _districts(codes: list[str]) -> list[District]:
    wanted = {code.strip() for code in codes}
    found = list(District.objects.filter(city=current_city(), code__in=wanted))
    unknown = sorted(wanted - {district.code for district in found})
    if unknown:
        raise InvalidInput(
            _("No district has the code %(codes)s.") % {"codes": ", ".join(unknown)},
            field="districts",
        )
    return found


def _moment(value: datetime | None, field: str) -> datetime | None:
    """A moment a request names: with its offset, between the calendar's ends we keep."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise InvalidInput(
            _("Give the moment with its offset, e.g. 2026-05-01T09:00:00+09:00."), field=field
        )
    if not moment_in_range(value):
        raise InvalidInput(
            _("Give a moment between %(range)s.") % {"range": MOMENTS_TEXT}, field=field
        )
    return value


def _poll_detail(request: HttpRequest, slug: str):
    return detailed(request, selectors.desk_poll(slug))


def _official(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


# --- endpoints -----------------------------------------------------------------------------------


@router.post(
    "/polls",
    response={201: PollDetailOut},
    summary="Pose a poll for one's department",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("polls.desk.create", client=_official))
@official_api(role=Role.HANDLER)
def create_poll(request: HttpRequest, payload: PollIn):
    """A handler (or higher) of `department`. 400 for dates out of order or over a year apart,
    a question without two options, an eligibility rule missing its districts or ages, a slug
    taken. Send an `Idempotency-Key` to retry without posing it twice."""
    poll = services.create_poll(
        actor=request.actor,
        department=_department(payload.department),
        slug=payload.slug,
        draft=services.PollDraft(
            title=payload.title,
            description=payload.description.replace("\r\n", "\n"),
            opens_at=_moment(payload.opens_at, "opens_at"),
            closes_at=_moment(payload.closes_at, "closes_at"),
            questions=question_drafts(payload.questions),
            eligibility=payload.eligibility,
            districts=_districts(payload.districts),
            age_min=payload.age_min,
            age_max=payload.age_max,
            results_live=payload.results_live,
            revote=payload.revote,
        ),
    )
    return Status(201, _poll_detail(request, poll.slug))


@router.post("/{slug}/approve", response=PollDetailOut, summary="Approve a citizen's proposal")
@official_api(role=Role.MANAGER)
def approve_proposal(request: HttpRequest, slug: str, payload: ApproveIn):
    """A manager of `department`, which then answers for the poll; it opens at `opens_at` (now
    when left out). 409 `not_proposed` for a poll that is not a waiting proposal."""
    services.approve_proposal(
        actor=request.actor,
        poll=selectors.desk_poll(slug),
        department=_department(payload.department),
        opens_at=_moment(payload.opens_at, "opens_at"),
        closes_at=_moment(payload.closes_at, "closes_at"),
    )
    return _poll_detail(request, slug)


@router.post("/{slug}/reject", response=PollDetailOut, summary="Reject a citizen's proposal")
@official_api(role=Role.MANAGER)
def reject_proposal(request: HttpRequest, slug: str, payload: RejectIn):
    """A manager of `department`, with the reason the proposer reads. The poll leaves every
    public list (its status becomes `rejected`)."""
    services.reject_proposal(
        actor=request.actor,
        poll=selectors.desk_poll(slug),
        department=_department(payload.department),
        reason=payload.reason,
    )
    return _poll_detail(request, slug)


@router.post("/{slug}/codes", response={201: CodesOut}, summary="Make one-time voting codes")
@official_api(role=Role.HANDLER)
def make_codes(request: HttpRequest, slug: str, payload: CodesIn):
    """`count` new codes of a poll open to code holders, shown this once (only their hashes are
    kept): print them, one per paper. 409 `no_codes` for a poll of another rule, `poll_closed`
    after it closed."""
    codes = services.make_codes(
        actor=request.actor, poll=selectors.desk_poll(slug), count=payload.count
    )
    return Status(201, CodesOut(codes=codes))


@router.post("/{slug}/close", response=PollDetailOut, summary="Close a poll and publish it")
@official_api(role=Role.MANAGER)
def close_poll(request: HttpRequest, slug: str):
    """An open poll closes now; then its box is mixed, its ballot list and results published
    and its result put on the Plaza. 409 `not_open` before it opens, `published` when done."""
    services.close_poll(actor=request.actor, poll=selectors.desk_poll(slug))
    return _poll_detail(request, slug)


@router.post("/{slug}/decision", response=PollDetailOut, summary="Record the city's decision")
@official_api(role=Role.MANAGER)
def record_decision(request: HttpRequest, slug: str, payload: DecisionIn):
    """`outcome` adopted, partly_adopted or not_adopted, with the text, published to the Plaza
    at once; recording again corrects it. 409 `not_published` before the poll is closed and
    published."""
    services.record_decision(
        actor=request.actor,
        poll=selectors.desk_poll(slug),
        outcome=payload.outcome,
        text=payload.text,
    )
    return _poll_detail(request, slug)
