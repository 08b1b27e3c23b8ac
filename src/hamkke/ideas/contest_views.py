"""The contests' public pages: the list with each contest's phase, a contest (description, theme,
award tiers, phase timeline, entries with their votes once the public vote opens, the entry form
while submissions are open, vote buttons during the vote), the jury's scoring page, the winners,
and the certificates of award (the PDF and its verification page). Thin: a selector reads, a
policy says what to offer, a form parses, a service acts. Every page works without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL

from hamkke.accounts import policies as account_policies
from hamkke.accounts.permissions import forbidden, second_factor_redirect
from hamkke.core.errors import DomainError
from hamkke.core.policies import Decision
from hamkke.core.ratelimit import Limit, throttled
from hamkke.ideas import certificate, policies, selectors, services
from hamkke.ideas.contest_forms import EntryForm, JuryForm
from hamkke.ideas.models import Award, AwardTier, Contest, Idea

PHASE_LABELS = {
    "upcoming": pgettext_lazy("contest phase", "Upcoming"),
    "submissions": pgettext_lazy("contest phase", "Taking entries"),
    "voting": pgettext_lazy("contest phase", "Public vote"),
    "jury": pgettext_lazy("contest phase", "Jury"),
    "ended": pgettext_lazy("contest phase", "Ended"),
}
# Refusals that concern the person, not one entry: said once above the entries.
PERSONAL = frozenset({"not_signed_in", "banned", "verification_required", "no_votes_left"})
VOTE = Limit("ideas.contest_vote", per_person="30/m", per_address="600/m")
ENTER = Limit("ideas.contest_enter", per_person="10/h", per_address="100/h")
SCORE = Limit("ideas.contest_score", per_person="60/m")
# Drawing a PDF costs: scripts are kept off.
CERTIFICATES = Limit("ideas.certificate", per_address="60/m", methods=ALL)
NO_RESULTS = gettext_lazy("The winners are published once the jury has finished.")


def contest_or_404(slug: str) -> Contest:
    contest = selectors.contest_by_slug(slug)
    if contest is None:
        raise Http404(_("There is no such contest."))
    return contest


@dataclass(frozen=True)
class PhaseStep:
    code: str
    label: str
    starts: Any
    ends: Any
    state: str  # core.phases PAST, NOW or NEXT


def phase_of(contest: Contest) -> tuple[str, str]:
    """The contest's phase now: its code and its label."""
    code = policies.contest_phase(contest)
    return code, str(PHASE_LABELS[code])


def timeline_of(contest: Contest) -> list[PhaseStep]:
    entries = policies.schedule_of(contest).timeline(timezone.now())
    return [
        PhaseStep(e.spec.code, str(PHASE_LABELS[e.spec.code]), e.starts, e.ends, e.state)
        for e in entries
    ]


@dataclass(frozen=True)
class TierRow:
    tier: AwardTier
    prize: str


def tier_rows(contest: Contest) -> list[TierRow]:
    return [
        TierRow(tier, certificate.prize_text(tier.prize_amount, contest.currency))
        for tier in contest.tiers.all()
    ]


# --- the list ----------------------------------------------------------------------------------


def contest_rows() -> list[dict[str, Any]]:
    """Every contest of the city, latest first, with its phase (code and label)."""
    rows = []
    for contest in selectors.contests():
        code, label = phase_of(contest)
        rows.append({"contest": contest, "phase": code, "phase_label": label})
    return rows


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every contest of the city, latest first, with its phase and dates."""
    rows = contest_rows()
    judged = list(selectors.contests_judged_by(request.actor.user))
    return render(request, "ideas/contests/index.html", {"rows": rows, "judged": judged})


# --- a contest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    idea: Idea
    votes: int | None  # None while counts are not shown
    decision: Decision | None  # the vote button, during the vote
    voted: bool


def _contest_context(request: HttpRequest, contest: Contest) -> dict[str, Any]:
    code, label = phase_of(contest)
    user = request.actor.user
    entries = list(selectors.contest_entries(contest))
    context: dict[str, Any] = {
        "contest": contest,
        "phase": code,
        "phase_label": label,
        "timeline": timeline_of(contest),
        "tiers": tier_rows(contest),
        "may_enter": policies.may_enter(contest, user) if code == "submissions" else None,
        "juror": selectors.juror_of(contest, user) is not None,
        "awarded": contest.awarded_at is not None,
    }
    if code != "voting":
        context["entries"] = [
            EntryRow(idea, idea.votes if code in policies.VOTES_SHOWN else None, None, False)
            for idea in entries
        ]
        return context
    identity = selectors.supporter_identity(user)
    used = selectors.contest_votes_used(contest, identity)
    rows = []
    for idea in entries:
        decision = policies.may_vote_for(
            contest, idea, user, identity, used=len(used), voted_for_it=idea.pk in used
        )
        rows.append(EntryRow(idea, idea.votes, decision, idea.pk in used))
    standing = next((r.decision for r in rows if r.decision.code in PERSONAL), None)
    context.update(
        entries=rows,
        votes_left=max(contest.votes_per_person - len(used), 0) if identity else None,
        standing=standing,
        standing_action=_standing_action(request, standing),
    )
    return context


def _standing_action(request: HttpRequest, decision: Decision | None) -> tuple[str, str] | None:
    """The step that would lift a personal refusal: logging in, or verifying one's phone."""
    if decision is None:
        return None
    if decision.code == "not_signed_in":
        return f"{reverse('account_login')}?{urlencode({'next': request.path})}", _("Log in")
    if decision.code == "verification_required":
        url = account_policies.verification_page(list(policies.SUPPORT_METHODS))
        return url, _("Verify my phone")
    return None


@require_GET
def contest_page(request: HttpRequest, slug: str) -> HttpResponse:
    contest = contest_or_404(slug)
    return render(request, "ideas/contests/contest.html", _contest_context(request, contest))


@require_POST
@throttled(VOTE)
def vote(request: HttpRequest, slug: str, idea_id: int) -> HttpResponse:
    """A vote for an entry (the button beside it), then back to it on the contest's page."""
    contest = contest_or_404(slug)
    back = f"{reverse('ideas:contest', args=[contest.slug])}#entry-{idea_id}"
    if request.actor.user is None:
        return redirect_to_login(back)
    idea = selectors.idea_by_id(idea_id)
    if idea is None:
        raise Http404(policies.idea_found(idea).reason)
    try:
        left = services.vote_for_entry(actor=request.actor, contest=contest, idea=idea)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext(
                "Your vote for “%(title)s” is counted. You have %(left)s vote left.",
                "Your vote for “%(title)s” is counted. You have %(left)s votes left.",
                left,
            )
            % {"title": idea.title, "left": left},
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
@throttled(ENTER)
def enter(request: HttpRequest, slug: str) -> HttpResponse:
    """An idea entered into the contest while it takes submissions (services.post_idea)."""
    contest = contest_or_404(slug)
    offer = policies.may_enter(contest, request.actor.user)
    form = EntryForm(
        request.POST if request.method == "POST" else None,
        themes=selectors.themes(),
        fixed=contest.theme,
    )
    context = {"contest": contest, "offer": offer, "form": form}
    if not offer:
        return render(request, "ideas/contests/enter.html", context, status=409)
    if request.method != "POST":
        return render(request, "ideas/contests/enter.html", context)
    posted = form.submit(
        lambda: services.post_idea(
            actor=request.actor,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            theme=form.chosen_theme(),
            contest=contest,
        )
    )
    if not posted:
        return render(request, "ideas/contests/enter.html", context, status=form.status_code)
    messages.success(request, _("Your idea is entered into the contest."))
    return redirect(f"{reverse('ideas:contest', args=[contest.slug])}#entry-{form.result.pk}")


# --- the jury ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@throttled(SCORE)
def jury(request: HttpRequest, slug: str) -> HttpResponse:
    """A juror's page: every entry with a score field, 0 to 100, while the jury sits; the
    scores given, read only, before and after."""
    contest = contest_or_404(slug)
    juror = selectors.juror_of(contest, request.actor.user)
    decision = policies.may_judge(contest, request.actor, juror=juror is not None)
    if decision.code == "not_juror":
        return forbidden(request, decision.reason)
    if decision.code == "second_factor_required":
        return second_factor_redirect(request)
    entries = list(selectors.contest_entries(contest))
    scores = selectors.scores_by(juror)
    form = JuryForm(
        request.POST if request.method == "POST" and decision else None,
        entries=entries,
        scores=scores,
    )
    status = 200
    if request.method == "POST":
        if not decision:
            messages.error(request, decision.reason)
            status = 409
        elif form.submit(
            lambda: services.score_entries(
                actor=request.actor, contest=contest, scores=form.given()
            )
        ):
            messages.success(
                request,
                ngettext("%(count)s score is kept.", "%(count)s scores are kept.", form.result)
                % {"count": form.result},
            )
            return redirect("ideas:contest-jury", contest.slug)
        else:
            status = form.status_code
    context = {
        "contest": contest,
        "decision": decision,
        "form": form,
        "scored": len(scores),
        "phase_label": phase_of(contest)[1],
        "entries": [(idea, scores.get(idea.pk)) for idea in entries],
    }
    return render(request, "ideas/contests/jury.html", context, status=status)


# --- the winners and their certificates ------------------------------------------------------


@dataclass(frozen=True)
class WinnerRow:
    award: Award
    prize: str
    authors: list[str]


@require_GET
def winners(request: HttpRequest, slug: str) -> HttpResponse:
    """The awards by rank: the idea, its tier and prize, its combined score with the jury's and
    the public's parts, its authors' public names, and its certificate."""
    contest = contest_or_404(slug)
    rows = [
        WinnerRow(
            award,
            certificate.prize_text(award.tier.prize_amount, contest.currency),
            selectors.author_names(award.idea),
        )
        for award in selectors.public_winners(contest)
    ]
    context = {
        "contest": contest,
        "rows": rows,
        "awarded": contest.awarded_at is not None,
        "not_yet": NO_RESULTS,
        "phase_label": phase_of(contest)[1],
    }
    return render(request, "ideas/contests/winners.html", context)


def award_or_404(code: str) -> Award:
    award = selectors.award_by_certificate(code.strip().upper())
    if award is None or not policies.is_visible(award.idea):
        raise Http404(_("No certificate has this number."))
    return award


@require_GET
@throttled(CERTIFICATES)
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The winner's certificate of award, as a PDF to print."""
    award = award_or_404(code)
    verify_url = request.build_absolute_uri(
        reverse("ideas:contest-certificate", args=[award.certificate])
    )
    pdf = certificate.render_certificate(
        award, authors=selectors.author_names(award.idea), verify_url=verify_url
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{award.certificate}.pdf"'
    return response


@require_GET
@throttled(CERTIFICATES)
def certificate_page(request: HttpRequest, code: str) -> HttpResponse:
    """What a certificate states, for anyone checking a printed one by its number."""
    award = award_or_404(code)
    facts = certificate.facts_of(award, selectors.author_names(award.idea))
    return render(request, "ideas/contests/certificate.html", {"award": award, "facts": facts})
