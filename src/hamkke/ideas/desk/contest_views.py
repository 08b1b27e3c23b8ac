"""The Oasis office's contest screens: the contests with their phases, creating one (dates,
weights, votes per person, currency, award tiers), a contest's page (jurors and appointing one
by email, the ranking as it stands with the jury's, the public's and the combined scores), and
giving the awards after the end, once the ranking has been seen. Thin: the policies say what to
offer, the services act and refuse; a missing role answers 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.policies import Decision, deny
from hamkke.core.web.responses import carry_out
from hamkke.ideas import policies, selectors, services
from hamkke.ideas.contest_forms import ContestForm, JurorForm
from hamkke.ideas.contest_views import contest_or_404, contest_rows, phase_of, tier_rows
from hamkke.ideas.models import Contest

MANAGER = policies.LEAST_ROLE[policies.CONTESTS]


def _office_seat(request: HttpRequest) -> Seat | None:
    """The official's seat at the Oasis office, which runs the contests (None without one)."""
    office = services.office_of(current_city())
    return None if office is None else seat_at(request.actor, office)


def _may_manage(request: HttpRequest) -> Decision:
    seat = _office_seat(request)
    if seat is None:
        return deny(_("No office runs the contests: set [ideas] department."), code="no_office")
    return policies.may_manage_contests(seat)


def standing_rows(contest: Contest) -> list[dict[str, Any]]:
    """The ranking as it stands, each entry with the prize its place would win."""
    prizes = {row.tier.pk: row.prize for row in tier_rows(contest)}
    return [
        {"standing": standing, "prize": prizes.get(standing.tier.pk) if standing.tier else None}
        for standing in selectors.contest_standings(contest)
    ]


@official_required(role=Role.VIEWER)
@require_GET
def desk_contests(request: HttpRequest) -> HttpResponse:
    context = {"rows": contest_rows(), "may_create": _may_manage(request)}
    return render(request, "ideas/contests/desk_index.html", context)


@official_required(role=MANAGER)
@require_http_methods(["GET", "POST"])
def desk_new(request: HttpRequest) -> HttpResponse:
    decision = _may_manage(request)
    if not decision:
        raise NotAllowed(decision.reason, code=decision.code or None)
    themes = selectors.themes()
    form = ContestForm(request.POST if request.method == "POST" else None, themes=themes)
    if request.method == "POST" and form.submit(
        lambda: services.create_contest(actor=request.actor, **form.service_kwargs()),
        reraise=(NotAllowed,),
    ):
        messages.success(request, _("The contest “%(title)s” is created.") % {"title": form.result})
        return redirect("ideas:desk-contest", form.result.slug)
    return render(request, "ideas/contests/desk_form.html", {"form": form}, status=form.status_code)


def _contest_screen(
    request: HttpRequest,
    contest: Contest,
    *,
    juror_form: JurorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    seat = seat_at(request.actor, contest.department)
    code, label = phase_of(contest)
    context = {
        "contest": contest,
        "phase": code,
        "phase_label": label,
        "tiers": tier_rows(contest),
        "jurors": selectors.jurors_of(contest),
        "entries": selectors.contest_entries(contest).count(),
        "standings": standing_rows(contest),
        "may_manage": policies.may_manage_contests(seat),
        "may_award": policies.may_award(contest, seat),
        "juror_form": juror_form or JurorForm(),
    }
    return render(request, "ideas/contests/desk_contest.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def desk_contest(request: HttpRequest, slug: str) -> HttpResponse:
    return _contest_screen(request, contest_or_404(slug))


@official_required(role=MANAGER)
@require_POST
def desk_jurors(request: HttpRequest, slug: str) -> HttpResponse:
    """Appoint a juror by the email address of their account (who need not be an official)."""
    contest = contest_or_404(slug)
    form = JurorForm(request.POST)
    if form.submit(
        lambda: services.appoint_juror(
            actor=request.actor, contest=contest, user=form.cleaned_data["email"]
        ),
        reraise=(NotAllowed,),
    ):
        messages.success(
            request,
            _("%(email)s is a juror of this contest.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("ideas:desk-contest", contest.slug)
    return _contest_screen(request, contest, juror_form=form, status=form.status_code)


@official_required(role=MANAGER)
@require_http_methods(["GET", "POST"])
def desk_award(request: HttpRequest, slug: str) -> HttpResponse:
    """The ranking the award will give, with its tiers and prizes, and the button that gives
    it (services.award_contest): the official sees what is confirmed before confirming."""
    contest = contest_or_404(slug)
    decision = policies.may_award(contest, seat_at(request.actor, contest.department))
    if request.method == "POST":
        done = carry_out(
            request,
            lambda: services.award_contest(actor=request.actor, contest=contest),
            _("The awards are given and the winners published."),
            reraise=(NotAllowed,),
        )
        if done:
            return redirect("ideas:contest-winners", contest.slug)
        return redirect("ideas:desk-contest-award", contest.slug)
    context = {
        "contest": contest,
        "decision": decision,
        "phase_label": phase_of(contest)[1],
        "standings": standing_rows(contest),
    }
    return render(request, "ideas/contests/desk_award.html", context)
