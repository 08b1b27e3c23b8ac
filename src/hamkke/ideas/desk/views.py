"""The Oasis desk: the ideas each of the official's departments must answer (deadlines,
overdue and escalated ones flagged) and, for the Oasis office, the ideas ready for review,
under review with their scores, and adopted ones being carried out; an idea's page with its
timeline, reviews and every action the official may take now (answer, send to review, add a
reviewer, decide, record implementation, carry into the budget or a poll, hide); experts and
review meetings. Thin: a selector reads, a policy says what to offer, a form parses, a service
acts; a missing role answers 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required, require_role
from hamkke.accounts.seats import Seat
from hamkke.budget import selectors as budget_selectors
from hamkke.core import moderation
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotAllowed
from hamkke.core.models import Department
from hamkke.core.policies import ALLOW, Decision, deny
from hamkke.core.web.forms import ServiceForm
from hamkke.core.web.responses import carry_out
from hamkke.ideas import policies, selectors, services
from hamkke.ideas.desk.forms import (
    AnswerForm,
    BudgetPromotionForm,
    DecisionForm,
    ExpertForm,
    MeetingForm,
    ModerationForm,
    PollPromotionForm,
    ProgressForm,
    ReviewerForm,
    StartReviewForm,
)
from hamkke.ideas.models import Expert, Idea, ReviewMeeting, State

# Refusals saying an action belongs to another stage of the pipeline: the page does not
# mention such an action at all. Any other refusal of an action (a deadline passed, scores
# missing, a role) is said where the action would be.
OTHER_STAGE = frozenset({"wrong_state", "not_in_review", "not_adopted"})

# --- who sees what ----------------------------------------------------------------------------


def _seats(request: HttpRequest) -> dict[int, Seat]:
    """The official's seat in each department of the city where they hold a role (read once)."""
    roles = account_selectors.roles_by_department(request.user, city=current_city())
    departments = Department.objects.filter(pk__in=list(roles)).order_by("name")
    return {d.pk: Seat(user=request.user, role=roles[d.pk], department=d) for d in departments}


def _seat(
    request: HttpRequest, seats: dict[int, Seat], department: Department | None
) -> Seat | None:
    """The official's seat in `department` (without a role where they hold none); None for no
    department."""
    if department is None:
        return None
    return seats.get(department.pk) or Seat(user=request.user, role=None, department=department)


def _no_office() -> Decision:
    return deny(
        _("The city has no Oasis office: set [ideas] department in the profile."),
        code="no_department",
    )


@dataclass(frozen=True)
class IdeaSeats:
    """The official's seats that count for one idea: at its answering department and at the
    Oasis office (None where there is none)."""

    department: Seat | None
    office: Seat | None

    @property
    def answering(self) -> Seat | None:
        return self.department or self.office

    @property
    def best(self) -> Seat | None:
        """The higher of the two, as services.record_progress weighs them."""
        seats = [seat for seat in (self.department, self.office) if seat is not None]
        return max(seats, key=lambda seat: seat.role or 0) if seats else None

    def viewing(self) -> Decision:
        """A role at the idea's department or at the office shows it; else the refusal."""
        decisions = [
            policies.may_view_desk(seat)
            for seat in (self.department, self.office)
            if seat is not None
        ]
        if any(decisions):
            return ALLOW
        return next(iter(decisions), _no_office())


def _idea_seen(request: HttpRequest, idea_id: int) -> tuple[Idea, IdeaSeats]:
    """An idea (hidden ones too) the official's department answers or the office runs; 403
    for other officials."""
    idea = selectors.idea_by_id(idea_id, for_staff=True)
    if idea is None:
        raise Http404(_("There is no such idea."))
    seats = _seats(request)
    where = IdeaSeats(
        department=_seat(request, seats, idea.department),
        office=_seat(request, seats, services.office_of(idea.city)),
    )
    where.viewing().enforce()
    return idea, where


def _office_seen(request: HttpRequest) -> Seat:
    """The official's seat at the Oasis office, which they must hold a role in; 403 else."""
    office = services.office_of(current_city())
    if office is None:
        _no_office().enforce()
    seat = _seat(request, _seats(request), office)
    policies.may_view_desk(seat).enforce()
    return seat


# --- the index ----------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    seats = _seats(request)
    viewing = {pk: seat for pk, seat in seats.items() if policies.may_view_desk(seat)}
    waiting: dict[int, list[dict[str, Any]]] = {pk: [] for pk in viewing}
    for idea in selectors.ideas_to_answer(viewing):
        waiting[idea.department_id].append(
            {
                "idea": idea,
                "overdue": idea.answer_due is not None and idea.answer_due < now,
                "escalated": idea.escalated_at is not None,
            }
        )
    office = services.office_of(current_city())
    office_seat = _seat(request, seats, office)
    runs_office = office_seat is not None and bool(policies.may_view_desk(office_seat))
    context: dict[str, Any] = {
        "departments": [
            {"department": seat.department, "rows": waiting[pk]}
            for pk, seat in viewing.items()
            if waiting[pk]
        ],
        # Departments with nothing to answer are named in one line, not a section each (an
        # administrator holds a role in every department).
        "quiet": [seat.department for pk, seat in viewing.items() if not waiting[pk]],
        "office": office if runs_office else None,
        "contests_url": reverse("ideas:desk-contests") if runs_office else "",
    }
    if runs_office:
        context |= _office_queues(now)
    return render(request, "ideas/desk/index.html", context)


def _office_queues(now) -> dict[str, Any]:
    """The office's three lists: discussions (ready once they have run their time), reviews
    with their scores, adopted ideas being carried out."""
    return {
        "discussion": [
            {
                "idea": idea,
                "ready": idea.discussion_ends is None or idea.discussion_ends <= now,
            }
            for idea in selectors.ideas_in([State.DISCUSSION])
        ],
        "reviews": [
            {
                "idea": idea,
                "complete": bool(idea.scored) and not idea.waiting,
                "late": idea.review_due is not None and idea.review_due < now,
            }
            for idea in selectors.ideas_under_review()
        ],
        "implementing": list(selectors.ideas_being_implemented()),
    }


# --- an idea's page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """One action on the page: whether the official may take it now, its form when they may,
    and when they may not, why (empty for an action of another stage of the idea's, which the
    page does not mention)."""

    decision: Decision
    note: str = ""
    form: ServiceForm | None = None


Rule = Callable[[Seat], Decision]


def _rules(
    idea: Idea, where: IdeaSeats, *, waiting: int, scored: int
) -> dict[str, tuple[Seat | None, Rule]]:
    """Each action's policy and the seat it weighs: the answering department's for the
    answer, the higher of both for implementation, the office's for the rest."""
    return {
        "answer": (where.answering, lambda seat: policies.may_answer(idea, seat)),
        "review": (where.office, lambda seat: policies.may_start_review(idea, seat)),
        "reviewer": (where.office, lambda seat: policies.may_assign_reviewer(idea, seat)),
        "decision": (
            where.office,
            lambda seat: policies.may_decide(idea, seat, waiting=waiting, scored=scored),
        ),
        "progress": (where.best, lambda seat: policies.may_track(idea, seat)),
        "budget": (where.office, lambda seat: policies.may_promote(idea, seat, into="budget")),
        "poll": (where.office, lambda seat: policies.may_promote(idea, seat, into="poll")),
    }


def _weighed(seat: Seat | None, rule: Rule) -> tuple[Decision, str]:
    """The policy's decision for the official's seat, and what to say when it refuses: nothing
    when not even the city's administrator could act now, the action being of another stage
    (so a handler is not told about the review of an idea still waiting for its answer)."""
    if seat is None:
        refusal = _no_office()
        return refusal, refusal.reason
    decision = rule(seat)
    if decision:
        return decision, ""
    anyone = rule(replace(seat, role=Role.ADMINISTRATOR))
    return decision, "" if anyone.code in OTHER_STAGE else decision.reason


def _experts_to_choose(idea: Idea, *, assigned: bool = True):
    """The city's active experts (selectors.experts) as a queryset for a form; without those
    already reviewing the idea unless `assigned`."""
    chosen = [expert.pk for expert in selectors.experts()]
    rows = Expert.objects.filter(pk__in=chosen).select_related("user").order_by("user__email")
    return rows if assigned else rows.exclude(reviews__idea=idea)


def _form(name: str, idea: Idea, data=None) -> ServiceForm:
    """The form of action `name`, empty or bound to `data`."""
    auto_id = f"{name}-%s"
    if name == "answer":
        return AnswerForm(data, auto_id=auto_id)
    if name == "review":
        return StartReviewForm(data, experts=_experts_to_choose(idea), auto_id=auto_id)
    if name == "reviewer":
        experts = _experts_to_choose(idea, assigned=False)
        return ReviewerForm(data, experts=experts, auto_id=auto_id)
    if name == "decision":
        meetings = ReviewMeeting.objects.filter(pk__in=[m.pk for m in selectors.meetings()])
        return DecisionForm(data, meetings=meetings, auto_id=auto_id)
    if name == "progress":
        return ProgressForm(data, auto_id=auto_id)
    if name == "budget":
        city = current_city()
        pools = budget_selectors.pools_taking_proposals(city)
        areas = budget_selectors.areas_of(city)
        return BudgetPromotionForm(data, pools=pools, areas=areas, auto_id=auto_id)
    if name == "poll":
        initial = {"question": idea.title[:300], "options": _("Agree\nDisagree")}
        return PollPromotionForm(data, initial=initial, auto_id=auto_id)
    if name == "visibility":
        initial = {"hidden": "0" if idea.hidden_at else "1"}
        return ModerationForm(data, initial=initial, auto_id=auto_id)
    raise ValueError(name)


def _idea_page(
    request: HttpRequest,
    idea: Idea,
    where: IdeaSeats,
    *,
    bound: tuple[str, ServiceForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    sent_name, sent_form = bound or ("", None)

    def form_of(name: str, decision: Decision) -> ServiceForm | None:
        if not decision:
            return None
        return sent_form if name == sent_name else _form(name, idea)

    waiting, scored = selectors.review_progress(idea)
    offers: dict[str, Offer] = {}
    for name, (seat, rule) in _rules(idea, where, waiting=waiting, scored=scored).items():
        decision, note = _weighed(seat, rule)
        offers[name] = Offer(decision, note, form_of(name, decision))
    # Moderation is no step of the pipeline: offered to moderators, not mentioned to others.
    moderating = moderation.may_moderate(request.actor)
    offers["visibility"] = Offer(moderating, "", form_of("visibility", moderating))
    # A refusal of an action the page no longer offers (its form is gone) is said on top, once.
    refusal = ""
    if sent_form is not None and sent_form.refusal and not offers[sent_name].decision:
        refusal = sent_form.refusal.message
        offers[sent_name] = replace(offers[sent_name], note="")
    office_sees = where.office is not None and bool(policies.may_view_desk(where.office))
    context = {
        "idea": idea,
        "overdue": idea.answer_due is not None and idea.answer_due < timezone.now(),
        "offers": offers,
        "timeline": selectors.timeline_of(idea),
        "updates": selectors.updates_of(idea),
        # Experts' scores and opinions are the office's to read.
        "reviews": selectors.reviews_of(idea) if office_sees else None,
        "rubric": selectors.rubric_of(idea) if office_sees else None,
        "scored": scored,
        "author_name": selectors.public_name(idea.author),
        "budget_url": _budget_url(idea),
        "poll_url": reverse("polls:desk-poll", args=[idea.poll.slug]) if idea.poll else "",
        "no_pools": offers["budget"].form is not None
        and not offers["budget"].form.fields["pool"].queryset.exists(),
        "refusal": refusal,
    }
    return render(request, "ideas/desk/idea.html", context, status=status)


def _budget_url(idea: Idea) -> str:
    project = idea.budget_project
    if project is None:
        return ""
    return reverse("budget:project", args=[project.cycle.slug, project.code])


@official_required(role=policies.LEAST_ROLE[policies.VIEW])
@require_GET
def desk_idea(request: HttpRequest, idea_id: int) -> HttpResponse:
    return _idea_page(request, *_idea_seen(request, idea_id))


@dataclass(frozen=True)
class Action:
    """A form on an idea's page: the least role it asks for at the door (anywhere: the service
    then weighs the official's seat in the idea's department or the office), the service the
    form's fields are the arguments of (with `actor` and `idea`), and what to say once done."""

    least: Role
    service: Callable[..., Any]
    done: str


ACTIONS: dict[str, Action] = {
    "answer": Action(
        policies.LEAST_ROLE[policies.ANSWER],
        services.answer_idea,
        gettext_lazy("The answer is recorded and shown on the idea's public timeline."),
    ),
    "review": Action(
        policies.LEAST_ROLE[policies.REVIEW],
        services.start_review,
        gettext_lazy("The idea is sent to the experts for review."),
    ),
    "reviewer": Action(
        policies.LEAST_ROLE[policies.REVIEW],
        services.assign_reviewer,
        gettext_lazy("The expert is asked to review the idea."),
    ),
    "decision": Action(
        policies.LEAST_ROLE[policies.DECIDE],
        services.decide_idea,
        gettext_lazy("The decision is recorded and shown on the idea's page."),
    ),
    "progress": Action(
        policies.LEAST_ROLE[policies.TRACK],
        services.record_progress,
        gettext_lazy("The implementation update is published."),
    ),
    "budget": Action(
        policies.LEAST_ROLE[policies.PROMOTE],
        services.promote_to_budget,
        gettext_lazy("The idea is proposed to the participatory budget in its author's name."),
    ),
    "poll": Action(
        policies.LEAST_ROLE[policies.PROMOTE],
        services.promote_to_poll,
        gettext_lazy("The poll is created; change it at the M-Voting desk."),
    ),
    "visibility": Action(
        Role(moderation.MODERATOR_ROLE),
        services.set_idea_hidden,
        gettext_lazy("Done: the idea's visibility is changed."),
    ),
}


@official_required(role=Role.VIEWER)
@require_POST
def act(request: HttpRequest, idea_id: int, action: str) -> HttpResponse:
    """Send an action's form to its service; back to the idea's page saying it is done, or the
    page again with the form's errors (a missing role: 403)."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404(_("There is no such action."))
    require_role(request.user, role=chosen.least)
    idea, where = _idea_seen(request, idea_id)
    form = _form(action, idea, request.POST)
    done = form.submit(
        lambda: chosen.service(actor=request.actor, idea=idea, **form.cleaned_data),
        reraise=(NotAllowed,),
    )
    if not done:
        idea.refresh_from_db()
        return _idea_page(request, idea, where, bound=(action, form), status=form.status_code)
    messages.success(request, chosen.done)
    return redirect("ideas:desk-idea", idea.pk)


# --- experts --------------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def experts(request: HttpRequest) -> HttpResponse:
    """The city's experts (retired ones too); the office's managers appoint and retire them."""
    seat = _office_seen(request)
    may_appoint = policies.holds_office(seat, policies.REVIEW)
    form = ExpertForm(request.POST if request.method == "POST" else None, auto_id="expert-%s")
    if request.method == "POST":

        def appoint() -> Expert:
            user = account_selectors.user_by_email(form.cleaned_data["email"], active_only=True)
            if user is None:
                raise InvalidInput(_("No active account has this email address."), field="email")
            return services.appoint_expert(
                actor=request.actor, user=user, field=form.cleaned_data["field"]
            )

        if form.submit(appoint, reraise=(NotAllowed,)):
            messages.success(
                request, _("%(email)s is appointed an expert.") % {"email": form.result.user.email}
            )
            return redirect("ideas:desk-experts")
    context = {
        "experts": selectors.experts(active_only=False),
        "contests_url": reverse("ideas:desk-contests"),
        "may_appoint": may_appoint,
        "form": form if may_appoint else None,
    }
    return render(request, "ideas/desk/experts.html", context, status=form.status_code)


@official_required(role=policies.LEAST_ROLE[policies.REVIEW])
@require_POST
def retire_expert(request: HttpRequest, expert_id: int) -> HttpResponse:
    _office_seen(request)
    expert = next((e for e in selectors.experts() if e.pk == expert_id), None)
    if expert is None:
        raise Http404(_("There is no such active expert."))
    carry_out(
        request,
        lambda: services.retire_expert(actor=request.actor, expert=expert),
        _("%(email)s is retired as an expert.") % {"email": expert.user.email},
        reraise=(NotAllowed,),
    )
    return redirect("ideas:desk-experts")


# --- review meetings ----------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    """The office's review meetings and the ideas each decided; its managers create them."""
    seat = _office_seen(request)
    may_create = policies.holds_office(seat, policies.DECIDE)
    form = MeetingForm(request.POST if request.method == "POST" else None, auto_id="meeting-%s")
    if request.method == "POST":
        created = form.submit(
            lambda: services.create_meeting(actor=request.actor, **form.cleaned_data),
            reraise=(NotAllowed,),
        )
        if created:
            messages.success(
                request, _("The meeting “%(title)s” is created.") % {"title": form.result.title}
            )
            return redirect("ideas:desk-meetings")
    context = {
        "meetings": selectors.meetings_with_decisions(),
        "contests_url": reverse("ideas:desk-contests"),
        "may_create": may_create,
        "form": form if may_create else None,
    }
    return render(request, "ideas/desk/meetings.html", context, status=form.status_code)
