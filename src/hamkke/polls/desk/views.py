"""The officials' screens of M-Voting: the polls of the official's departments with their
turnout and the proposals waiting; creating a poll and changing it before it opens; a poll's
page (settings, turnout, results when the public may see them too) with its actions — close now
(after a confirmation), make one-time codes (a CSV to print, shown this once), option photos,
the city's decision; approving or rejecting a citizen's proposal. Thin: a selector reads, a
policy says what to offer, a form parses, a service acts; a missing role answers 403."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat, holds
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import NotAllowed
from hamkke.core.models import Department
from hamkke.core.web.responses import carry_out
from hamkke.polls import policies, selectors, services
from hamkke.polls.desk.forms import (
    ApproveForm,
    CodesForm,
    DecisionForm,
    OptionImageForm,
    PollForm,
    RejectForm,
)
from hamkke.polls.models import Eligibility, Option, Poll, State

# --- who sees what ----------------------------------------------------------------------------


def _seats(request: HttpRequest) -> dict[int, Seat]:
    """The official's seat in each department of the city where they hold a role (read once)."""
    city = city_selectors.current_city()
    roles = account_selectors.roles_by_department(request.user, city=city)
    departments = Department.objects.filter(pk__in=list(roles)).order_by("name")
    return {d.pk: Seat(user=request.user, role=roles[d.pk], department=d) for d in departments}


def _departments_where(seats: dict[int, Seat], role: Role) -> list[Department]:
    return [seat.department for seat in seats.values() if holds(seat, role)]


def _poll(slug: str) -> Poll:
    poll = selectors.poll_by_slug(slug, for_staff=True)
    if poll is None:
        raise Http404(_("There is no such poll."))
    return poll


def _poll_seen(request: HttpRequest, slug: str) -> tuple[Poll, Seat]:
    """A poll of a department where the official holds a role; 403 for others. A citizen's
    proposal has no department yet: its screen is the proposal's."""
    poll = _poll(slug)
    if poll.department is None:
        raise NotAllowed(_("This is a proposal: approve or reject it first."), code="proposal")
    seat = _seats(request).get(poll.department_id) or Seat(
        user=request.user, role=None, department=poll.department
    )
    policies.may_view_desk(seat).enforce()
    return poll, seat


# --- the index ----------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    seats = _seats(request)
    viewing = [pk for pk, seat in seats.items() if policies.may_view_desk(seat)]
    polls = selectors.desk_polls(viewing)
    reviewers = _departments_where(seats, policies.LEAST_ROLE[policies.APPROVE])
    context = {
        "rows": [{"poll": poll, "status": poll.status()} for poll in polls],
        "proposals": selectors.proposals_to_review(),
        "may_review": bool(reviewers),
        "may_create": bool(_departments_where(seats, policies.LEAST_ROLE[policies.CREATE])),
    }
    return render(request, "polls/desk/index.html", context)


# --- creating and changing a poll ------------------------------------------------------------


def _creating_departments(request: HttpRequest) -> list[Department]:
    departments = _departments_where(_seats(request), policies.LEAST_ROLE[policies.CREATE])
    if not departments:
        raise NotAllowed(
            _("Handlers and managers of a department create its polls."), code="role_required"
        )
    return departments


@official_required(role=policies.LEAST_ROLE[policies.CREATE])
@require_http_methods(["GET", "POST"])
def new_poll(request: HttpRequest) -> HttpResponse:
    departments = _creating_departments(request)
    city = city_selectors.current_city()
    if request.method != "POST":
        form = PollForm(city=city, departments=departments)
    else:
        form = PollForm(request.POST, city=city, departments=departments)
        created = form.submit(
            lambda: services.create_poll(
                actor=request.actor, department=form.cleaned_data["department"], draft=form.draft()
            ),
            reraise=(NotAllowed,),
        )
        if created:
            messages.success(
                request, _("The poll “%(title)s” is created.") % {"title": form.result.title}
            )
            return redirect("polls:desk-poll", form.result.slug)
    context = {"form": form, "poll": None}
    return render(request, "polls/desk/poll_form.html", context, status=form.status_code)


@official_required(role=policies.LEAST_ROLE[policies.CREATE])
@require_http_methods(["GET", "POST"])
def edit_poll(request: HttpRequest, slug: str) -> HttpResponse:
    poll, seat = _poll_seen(request, slug)
    may_change = policies.may_change(poll, seat)
    if not may_change:
        messages.error(request, may_change.reason)
        return redirect("polls:desk-poll", poll.slug)
    departments = _creating_departments(request)
    city = city_selectors.current_city()
    if request.method != "POST":
        form = PollForm(
            city=city,
            departments=departments,
            **PollForm.initial_of(poll, selectors.questions_of(poll)),
        )
    else:
        form = PollForm(request.POST, city=city, departments=departments)
        changed = form.submit(
            lambda: services.change_poll(
                actor=request.actor,
                poll=poll,
                draft=form.draft(),
                department=form.cleaned_data["department"],
            ),
            reraise=(NotAllowed,),
        )
        if changed:
            messages.success(request, _("The poll is changed."))
            return redirect("polls:desk-poll", poll.slug)
    context = {"form": form, "poll": poll}
    return render(request, "polls/desk/poll_form.html", context, status=form.status_code)


# --- a poll's page -----------------------------------------------------------------------------


def _results(poll: Poll, questions) -> list[dict[str, Any]]:
    """Each question's counts beside its options' texts, for the table."""
    results = selectors.results_of(poll)
    shown = []
    for question, result in zip(questions, results.questions, strict=False):
        texts = {option.pk: option.text for option in question.options.all()}
        shown.append(
            {
                "question": question,
                "result": result,
                "rows": [(texts.get(o.id, o.id), o.votes, o.share) for o in result.options],
                "winner": texts.get(result.winner) if result.winner else None,
                "borda": [(texts.get(b.id, b.id), b.points) for b in result.borda],
            }
        )
    return shown


def _poll_page(
    request: HttpRequest,
    poll: Poll,
    seat: Seat,
    *,
    codes_form: CodesForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = selectors.questions_of(poll)
    visible = policies.results_visible(poll)
    may_decide = policies.may_decide(poll, seat)
    may_make_codes = policies.may_make_codes(poll, seat)
    if decision_form is None and may_decide:
        initial = {"outcome": poll.outcome, "text": poll.decision} if poll.outcome else None
        decision_form = DecisionForm(initial=initial, auto_id="decision-%s")
    if codes_form is None and may_make_codes:
        codes_form = CodesForm(auto_id="codes-%s")
    context = {
        "poll": poll,
        "status": poll.status(),
        "questions": questions,
        "turnout": selectors.turnout(poll),
        "eligibility": policies.eligibility_text(poll),
        "codes": poll.eligibility == Eligibility.CODES,
        "codes_made": selectors.codes_made(poll) if poll.eligibility == Eligibility.CODES else 0,
        "results": _results(poll, questions) if visible else None,
        "results_refusal": visible.reason,
        "may_change": policies.may_change(poll, seat),
        "may_close": policies.may_close(poll, seat),
        "may_make_codes": may_make_codes,
        "may_decide": may_decide,
        "codes_form": codes_form if may_make_codes else None,
        "decision_form": decision_form if may_decide else None,
        "image_form": OptionImageForm(auto_id=False),
        # A refusal of an action the page no longer offers (its form is gone) is said on top.
        "refusal": next(
            (
                form.refusal.message
                for form, shown in ((codes_form, may_make_codes), (decision_form, may_decide))
                if form is not None and form.refusal is not None and not shown
            ),
            "",
        ),
    }
    return render(request, "polls/desk/poll.html", context, status=status)


@official_required(role=policies.LEAST_ROLE[policies.VIEW])
@require_GET
def poll_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _poll_page(request, *_poll_seen(request, slug))


@official_required(role=policies.LEAST_ROLE[policies.CLOSE])
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: what closing does, and a button (the confirmation); POST: close (now, if it still
    runs) and publish, then back to the poll's page with how it went."""
    poll, seat = _poll_seen(request, slug)
    holds(seat, policies.LEAST_ROLE[policies.CLOSE]).enforce()
    if request.method == "POST":
        carry_out(
            request,
            lambda: services.close_poll(actor=request.actor, poll=poll),
            _("The poll is closed and its ballots and results are published."),
            reraise=(NotAllowed,),
        )
        return redirect("polls:desk-poll", poll.slug)
    decision = policies.may_close(poll, seat)
    context = {
        "poll": poll,
        "status": poll.status(),
        "turnout": selectors.turnout(poll),
        "may_close": decision,
    }
    return render(request, "polls/desk/close.html", context, status=200 if decision else 409)


@official_required(role=policies.LEAST_ROLE[policies.CODES])
@require_POST
def make_codes(request: HttpRequest, slug: str) -> HttpResponse:
    """The new codes as a CSV file to print, one code a row under the heading `code`. They are
    shown this once: only their keyed hashes are kept."""
    poll, seat = _poll_seen(request, slug)
    form = CodesForm(request.POST, auto_id="codes-%s")
    made = form.submit(
        lambda: services.make_codes(
            actor=request.actor, poll=poll, count=form.cleaned_data["count"]
        ),
        reraise=(NotAllowed,),
    )
    if not made:
        return _poll_page(request, poll, seat, codes_form=form, status=form.status_code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code"])
    writer.writerows([code] for code in form.result)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{poll.slug}-codes.csv"'
    response["Cache-Control"] = "no-store"
    return response


@official_required(role=policies.LEAST_ROLE[policies.DECIDE])
@require_POST
def decide(request: HttpRequest, slug: str) -> HttpResponse:
    poll, seat = _poll_seen(request, slug)
    form = DecisionForm(request.POST, auto_id="decision-%s")
    decided = form.submit(
        lambda: services.record_decision(actor=request.actor, poll=poll, **form.cleaned_data),
        reraise=(NotAllowed,),
    )
    if not decided:
        return _poll_page(request, poll, seat, decision_form=form, status=form.status_code)
    messages.success(request, _("The decision is recorded and published on the Plaza."))
    return redirect("polls:desk-poll", poll.slug)


@official_required(role=policies.LEAST_ROLE[policies.CREATE])
@require_POST
def option_image(request: HttpRequest, slug: str, option: int) -> HttpResponse:
    poll, _seat = _poll_seen(request, slug)
    found = Option.objects.filter(pk=option, question__poll=poll).first()
    if found is None:
        raise Http404(_("This poll has no such option."))
    form = OptionImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("__all__", [])) or _("Choose a photo."))
    else:
        upload = None if form.cleaned_data["remove"] else form.cleaned_data["image"]
        carry_out(
            request,
            lambda: services.set_option_image(actor=request.actor, option=found, upload=upload),
            _("The photo is removed.") if upload is None else _("The photo is shown."),
            reraise=(NotAllowed,),
        )
    return redirect(reverse("polls:desk-poll", args=[poll.slug]) + f"#option-{found.pk}")


# --- citizens' proposals ---------------------------------------------------------------------


def _proposal(slug: str) -> Poll:
    poll = _poll(slug)
    if poll.state != State.PROPOSED:
        raise Http404(_("This poll is not waiting for approval."))
    return poll


def _reviewers(request: HttpRequest) -> list[Department]:
    return _departments_where(_seats(request), policies.LEAST_ROLE[policies.APPROVE])


def _proposal_page(
    request: HttpRequest,
    poll: Poll,
    *,
    approve_form: ApproveForm | None = None,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    departments = _reviewers(request)
    context = {
        "poll": poll,
        "questions": selectors.questions_of(poll),
        "supports": selectors.support_count(poll),
        "threshold": services.polls_settings().support_threshold,
        "approve_form": approve_form or ApproveForm(departments=departments, auto_id="approve-%s"),
        "reject_form": reject_form or RejectForm(departments=departments, auto_id="reject-%s"),
        "may_review": bool(departments),
    }
    return render(request, "polls/desk/proposal.html", context, status=status)


@official_required(role=policies.LEAST_ROLE[policies.VIEW])
@require_GET
def proposal(request: HttpRequest, slug: str) -> HttpResponse:
    return _proposal_page(request, _proposal(slug))


def _reviewing(request: HttpRequest) -> list[Department]:
    departments = _reviewers(request)
    if not departments:
        raise NotAllowed(_("Managers of a department review proposals."), code="role_required")
    return departments


def _review(
    request: HttpRequest, slug: str, form_class: type[ApproveForm | RejectForm], act, done: str
) -> HttpResponse:
    """Approve or reject a proposal: the form's fields are the service's arguments."""
    poll = _proposal(slug)
    name = "approve" if form_class is ApproveForm else "reject"
    form = form_class(request.POST, departments=_reviewing(request), auto_id=f"{name}-%s")
    reviewed = form.submit(
        lambda: act(actor=request.actor, poll=poll, **form.cleaned_data), reraise=(NotAllowed,)
    )
    if not reviewed:
        page_forms = {f"{name}_form": form}
        return _proposal_page(request, poll, status=form.status_code, **page_forms)
    messages.success(request, done)
    return redirect("polls:desk-poll", poll.slug) if name == "approve" else redirect("polls:desk")


@official_required(role=policies.LEAST_ROLE[policies.APPROVE])
@require_POST
def approve(request: HttpRequest, slug: str) -> HttpResponse:
    return _review(
        request,
        slug,
        ApproveForm,
        services.approve_proposal,
        _("The proposal is approved; it runs as a poll of your department."),
    )


@official_required(role=policies.LEAST_ROLE[policies.APPROVE])
@require_POST
def reject(request: HttpRequest, slug: str) -> HttpResponse:
    return _review(
        request, slug, RejectForm, services.reject_proposal, _("The proposal is not approved.")
    )
