"""Citizens' and the public's pages of participatory budgeting: the cycle and its phases, the
projects and each project's page, the proposal form, the voter's hub, the ballot (choose, confirm,
cast, receipt; all without JavaScript), the receipt lookup and the published results."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL

from hamkke.budget import policies, selectors, services
from hamkke.budget.forms import ProjectFilterForm, ProposalForm, ReceiptForm
from hamkke.budget.models import BallotKind, Cycle, Phase, Pool, Project
from hamkke.core import ratelimit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.errors import Conflict, DomainError, NotFound
from hamkke.core.policies import Decision
from hamkke.core.ratelimit import Limit, throttled
from hamkke.core.registries import commentable_for
from hamkke.core.web import responses

PAGE_SIZE = 30
# Proposing takes a while to write; a person sends a few a day, a script many a minute.
PROPOSE = Limit("budget.propose", per_person="10/h", per_address="100/h")
WITHDRAW = Limit("budget.withdraw", per_person="20/h", per_address="200/h")
# Reviewing and casting a ballot: generous for a person changing their mind, and for the many
# voters of a community centre behind one address.
BALLOT = Limit("budget.ballot", per_person="30/m", per_address="600/m")
# Receipt codes are 62 random bits, so guessing finds nothing; the limit keeps scripts off.
RECEIPT_LOOKUP = Limit("budget.receipt", per_address="60/m", methods=ALL)
RULE_TEXT = {
    "greedy": gettext_lazy(
        "Projects are funded from the highest final score down while the money lasts; a project "
        "that costs more than what is left is skipped and the next one tried."
    ),
    "greedy-no-skip": gettext_lazy(
        "Projects are funded from the highest final score down; funding stops at the first "
        "project that costs more than what is left."
    ),
    "greedy-threshold": gettext_lazy(
        "Projects with at least %(min)s points are funded from the highest final score down "
        "while the money lasts; one that does not fit is skipped."
    ),
    "knapsack": gettext_lazy(
        "The set of projects that fits the budget and gives the voters the most (each voter "
        "counts the cost of the chosen projects they voted for) is funded."
    ),
    "mes": gettext_lazy(
        "The method of equal shares: the budget is split equally among the voters, and projects "
        "are funded by their supporters' shares, so that every group of voters gets its part."
    ),
}


def _city():
    return city_selectors.current_city()


def _cycle_or_404(slug: str) -> Cycle:
    return responses.found_or_404(selectors.cycle_by_slug, _city(), slug)


def _pool_or_404(cycle: Cycle, code: str) -> Pool:
    return responses.found_or_404(selectors.pool_by_code, cycle, code)


def _project_or_404(cycle: Cycle, code: str) -> Project:
    return responses.found_or_404(selectors.project_by_code, cycle, code)


# --- the cycle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseStep:
    phase: Phase
    starts: datetime
    ends: datetime | None
    state: str  # "past", "now" or "next"


def timeline_of(cycle: Cycle, now: datetime) -> list[PhaseStep]:
    """The phases with their dates, and which one is now."""
    return [
        PhaseStep(
            phase=Phase(entry.spec.code), starts=entry.starts, ends=entry.ends, state=entry.state
        )
        for entry in policies.schedule_of(cycle).timeline(now)
    ]


def _cycle_context(cycle: Cycle) -> dict:
    now = timezone.now()
    phase = cycle.phase_at(now)
    return {
        "cycle": cycle,
        "phase": phase,
        "phase_label": phase.label,
        "steps": timeline_of(cycle, now),
        "published": cycle.results_published_at is not None,
        "voting_started": now >= cycle.voting_from,
        # Templates offer the ballot by this flag, the policy's answer, not by the phase's name.
        "voting_open": policies.voting_open(cycle, now=now),
        "now": now,
    }


def index(request: HttpRequest) -> HttpResponse:
    """The current cycle, and the cycles before it."""
    city = _city()
    cycle = selectors.current_cycle(city)
    if cycle is None:
        return render(request, "budget/index.html", {"cycle": None, "other_cycles": []})
    return _cycle_page(request, cycle)


def cycle_page(request: HttpRequest, cycle: str) -> HttpResponse:
    return _cycle_page(request, _cycle_or_404(cycle))


def _cycle_page(request: HttpRequest, cycle: Cycle) -> HttpResponse:
    summary = selectors.cycle_summary(cycle)
    context = {
        **_cycle_context(cycle),
        "pool_rows": summary.pools,
        "total_budget": summary.total_budget,
        "proposal_count": summary.proposals,
        "ballot_count": summary.on_ballot,
        "rejected_count": summary.rejected,
        "voter_count": selectors.participation_count(cycle),
        "other_cycles": selectors.other_cycles(cycle),
    }
    return render(request, "budget/index.html", context)


# --- projects -----------------------------------------------------------------------------------


def projects(request: HttpRequest, cycle: str) -> HttpResponse:
    cycle = _cycle_or_404(cycle)
    form = ProjectFilterForm(
        request.GET or None,
        pools=selectors.pools_of(cycle),
        areas=selectors.areas_of(cycle.city),
    )
    found = selectors.projects_of(cycle, **form.filters())
    page, query = responses.page_of(request, found, PAGE_SIZE)
    context = {**_cycle_context(cycle), "form": form, "page": page, "query": query}
    return render(request, "budget/projects.html", context)


def project(request: HttpRequest, cycle: str, code: str) -> HttpResponse:
    cycle = _cycle_or_404(cycle)
    project = _project_or_404(cycle, code)
    context = {
        **_cycle_context(cycle),
        "project": project,
        "updates": list(project.updates.all()),
        "may_withdraw": policies.may_withdraw(project, user=request.actor.user),
    }
    if commentable_for(project) is not None:
        context["thread"] = comment_selectors.comment_thread(project, viewer=request.actor)
    return render(request, "budget/project.html", context)


# --- proposing ----------------------------------------------------------------------------------


def _proposal_form(cycle: Cycle, data=None) -> ProposalForm:
    return ProposalForm(
        data,
        pools=selectors.pools_of(cycle),
        areas=selectors.areas_of(cycle.city),
        districts=city_selectors.districts_of(cycle.city),
    )


def _propose_page(request, cycle: Cycle, form: ProposalForm | None, *, status: int = 200):
    mine = selectors.proposals_by(request.user, cycle)
    context = {
        **_cycle_context(cycle),
        "form": form,
        "mine": mine,
        "withdrawable": {
            project.code
            for project in mine
            if policies.may_withdraw(project, user=request.actor.user)
        },
        "script_messages": {
            "pin": _("The place of the project"),
            "placeSet": _("Place set: %(lat)s, %(lon)s. Tap the map again to move it."),
        },
    }
    return render(request, "budget/propose.html", context, status=status)


@require_http_methods(["GET", "POST"])
@throttled(PROPOSE)
def propose(request: HttpRequest, cycle: str) -> HttpResponse:
    """The proposal form, during the proposals phase; outside it, when proposals open or that
    they have closed, with the person's own proposals either way."""
    cycle = _cycle_or_404(cycle)
    if not policies.proposals_open(cycle):
        return _propose_page(request, cycle, None, status=200 if request.method == "GET" else 409)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "GET":
        return _propose_page(request, cycle, _proposal_form(cycle))
    form = _proposal_form(cycle, request.POST)

    def propose() -> Project:
        data = form.cleaned_data
        return services.propose_project(
            actor=request.actor,
            pool=data["pool"],
            area=data["area"],
            title=data["title"],
            summary=data["summary"],
            description=data["description"],
            district=data["district"],
            point=(data["latitude"], data["longitude"]) if form.has_point else None,
            address=data["address"],
            requested_cost=data["requested_cost"],
        )

    if not form.submit(propose):
        return _propose_page(request, cycle, form, status=form.status_code)
    messages.success(
        request,
        _(
            "Thank you: your proposal is received. The department reviews it and you will hear "
            "whether it goes on the ballot."
        ),
    )
    return redirect("budget:project", cycle.slug, form.result.code)


@require_POST
@login_required
@throttled(WITHDRAW)
def withdraw(request: HttpRequest, cycle: str, code: str) -> HttpResponse:
    cycle = _cycle_or_404(cycle)
    project = _project_or_404(cycle, code)
    responses.carry_out(
        request,
        lambda: services.withdraw_project(actor=request.actor, project=project),
        _("Your proposal “%(title)s” is withdrawn.") % {"title": project.title},
    )
    return redirect("budget:propose", cycle.slug)


# --- voting -------------------------------------------------------------------------------------


def vote(request: HttpRequest, cycle: str) -> HttpResponse:
    """The voter's hub: each pool, whether the person may vote there and whether they have."""
    cycle = _cycle_or_404(cycle)
    identity = selectors.voter_identity(request.user)
    context = {
        **_cycle_context(cycle),
        "standings": selectors.standings_for(identity, cycle),
        "identity": identity,
        "verified": identity is not None,
    }
    return render(request, "budget/vote.html", context)


def ballot_instructions(pool: Pool) -> str:
    if pool.ballot_kind == BallotKind.QUOTA:
        return _(
            "Choose at most one project in each area. A ballot with two projects in one area is "
            "void as a whole."
        )
    if pool.ballot_kind == BallotKind.KNAPSACK:
        text = _(
            "Spend the budget of %(budget)s: choose projects whose costs add up to no more than it."
        ) % {"budget": f"{pool.budget:,}"}
        if pool.min_spend_percent:
            least = services.ballot_rule_of(pool).min_spend
            text += " " + _("Spend at least %(least)s (%(percent)s%% of it).") % {
                "least": f"{least:,}",
                "percent": pool.min_spend_percent,
            }
        return text
    if pool.max_choices:
        return _("Choose the projects you support: at most %(max)s.") % {"max": pool.max_choices}
    return _("Choose every project you support.")


def _ballot_script_messages(pool: Pool) -> dict[str, str]:
    """What the ballot's script says, translated here: it has no catalogue of its own."""
    return {
        "left": _("Left: %(left)s of %(budget)s"),
        "spent": _("Chosen: %(spent)s"),
        "over": _("Over the budget by %(over)s: remove a project."),
        "underMin": _("Spend at least %(least)s."),
        "doesNotFit": _("Does not fit in what is left"),
        "chosen": _("%(n)s of %(max)s chosen"),
        "chosenNoMax": _("%(n)s chosen"),
        "limitReached": _("You have chosen the most projects this ballot allows."),
        "areas": _("%(n)s of %(areas)s areas chosen"),
        "replaced": _("One project per area: “%(new)s” replaces “%(old)s”."),
    }


def _grouped_by_area(projects: list[Project]) -> list[tuple]:
    """(area, its projects) in the areas' order; ballot_projects comes sorted by area."""
    return [
        (area, list(group))
        for area, group in itertools.groupby(projects, key=lambda project: project.area)
    ]


def _ballot_page(request, cycle, pool, chosen=(), *, status: int = 200) -> HttpResponse:
    projects = selectors.ballot_projects(pool)
    rule = services.ballot_rule_of(pool)
    context = {
        **_cycle_context(cycle),
        "pool": pool,
        "groups": _grouped_by_area(projects),
        "area_count": len({project.area_id for project in projects}),
        "chosen": set(chosen),
        "instructions": ballot_instructions(pool),
        "min_spend": rule.min_spend,
        "script_messages": _ballot_script_messages(pool),
    }
    return render(request, "budget/ballot.html", context, status=status)


def _chosen_projects(pool: Pool, choices: list[str]) -> tuple[list[Project], int]:
    by_code = {project.code: project for project in selectors.ballot_projects(pool)}
    chosen = [by_code[code] for code in dict.fromkeys(choices) if code in by_code]
    return chosen, sum(project.cost for project in chosen)


def _confirm_page(request, cycle, pool, choices: list[str], *, status: int = 200):
    """The ballot as it would be stored, its total and every reason it would be void. Nothing
    is stored here."""
    chosen, total = _chosen_projects(pool, choices)
    context = {
        **_cycle_context(cycle),
        "pool": pool,
        "choices": choices,
        "chosen": chosen,
        "total": total,
        "left": pool.budget - total,
        "problems": services.ballot_problems(pool=pool, choices=choices),
    }
    return render(request, "budget/ballot_confirm.html", context, status=status)


# What the refused ballot page says for each refusal of policies.may_vote (and of cast_ballot,
# which enforces it); any other refusal is shown with its own words.
REFUSAL_PAGES = {
    "wrong_phase": "phase",
    "already_voted": "voted",
    "verification_required": "verify",
    "not_resident": "district",
    "other_district": "district",
}


def _refused_page(request, cycle, pool, *, code: str, message: str, status: int):
    """The refusal as a page. A state the person cannot change (voting closed, voted already)
    is no error when they only look: 200 for GET, the refusal's own status when they send."""
    if request.method == "GET" and status == Conflict.status:
        status = 200
    reason = REFUSAL_PAGES.get(code, "other")
    context = {**_cycle_context(cycle), "pool": pool, "reason": reason, "message": message}
    return render(request, "budget/ballot_refused.html", context, status=status)


def _vote_decision(request: HttpRequest, pool: Pool) -> Decision:
    """Whether this person may vote in this pool now, from their identity read once here."""
    identity, voted = selectors.voter_facts(request.actor.user, pool)
    return policies.may_vote(pool, user=request.actor.user, identity=identity, voted=voted)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@throttled(BALLOT)
def ballot(request: HttpRequest, cycle: str, pool: str) -> HttpResponse:
    """The ballot of one pool. POST with step "confirm" shows the ballot back with its problems
    (nothing stored), "edit" the ballot again with the choices ticked, "cast" stores it and
    shows the receipt, in that response only: the receipt is not kept anywhere that links it
    to the person."""
    cycle = _cycle_or_404(cycle)
    pool = _pool_or_404(cycle, pool)
    choices = [code.strip() for code in request.POST.getlist("choices") if code.strip()]
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "cast":
        return _cast(request, cycle, pool, choices)
    decision = _vote_decision(request, pool)
    if not decision:
        return _refused_page(
            request,
            cycle,
            pool,
            code=decision.code,
            message=decision.reason,
            status=decision.error.status,
        )
    if request.method == "GET" or step == "edit":
        return _ballot_page(request, cycle, pool, choices)
    return _confirm_page(request, cycle, pool, choices)


def _cast(request: HttpRequest, cycle: Cycle, pool: Pool, choices: list[str]) -> HttpResponse:
    """Store the ballot and show its receipt. cast_ballot enforces the same policy the other
    steps ask (reading the voter's identity itself, so it is read once here too); its refusal
    is the page the other steps would have shown."""
    try:
        cast = services.cast_ballot(actor=request.actor, pool=pool, choices=choices)
    except DomainError as exc:
        if exc.code == "void_ballot":
            return _confirm_page(request, cycle, pool, choices, status=exc.status)
        return _refused_page(
            request, cycle, pool, code=exc.code, message=exc.message, status=exc.status
        )
    chosen, total = _chosen_projects(pool, choices)
    context = {
        **_cycle_context(cycle),
        "pool": pool,
        "receipt": cast.receipt,
        "chosen": chosen,
        "total": total,
    }
    return render(request, "budget/ballot_receipt.html", context, status=201)


@require_GET
def receipt(request: HttpRequest, cycle: str) -> HttpResponse:
    """Look a ballot up by its receipt code: its pool and its choices, as stored."""
    cycle = _cycle_or_404(cycle)
    form = ReceiptForm(request.GET or None)
    context = {**_cycle_context(cycle), "form": form, "found": None}
    if not form.is_bound:
        return render(request, "budget/receipt.html", context)
    if ratelimit.exceeded(request, RECEIPT_LOOKUP):
        return ratelimit.rate_limited(request)
    if not form.is_valid():
        return render(request, "budget/receipt.html", context, status=400)
    try:
        found = selectors.ballot_by_receipt(cycle, form.cleaned_data["code"])
    except NotFound:
        form.add_error(
            "code",
            _(
                "No ballot has the receipt “%(code)s”. Check the code (the letters I, L and O "
                "are read as 1, 1 and 0)."
            )
            % {"code": form.cleaned_data["code"]},
        )
        context["not_found"] = True
        return render(request, "budget/receipt.html", context, status=404)
    context["found"] = found
    context["found_total"] = sum(project.cost or 0 for project in found.choices)
    return render(request, "budget/receipt.html", context)


# --- results ------------------------------------------------------------------------------------


def _published_url(path: str) -> str:
    return default_storage.url(path) if path else ""


def _results_context(cycle: Cycle) -> dict:
    tallies, turnout, _voters = selectors.published_figures(cycle)
    pools = []
    for pool_tally in tallies:
        pool = pool_tally.pool
        pools.append(
            {
                "tally": pool_tally,
                "file_url": _published_url(pool.ballots_file),
                "file_name": pool.ballots_file.rsplit("/", 1)[-1],
                "chart_id": f"chart-data-{pool.code}",
                "chart": [
                    {
                        "label": f"{row.project.code} · {row.project.title}"[:60],
                        "score": round(float(row.score), 2),
                        "selected": row.selected,
                    }
                    for row in pool_tally.projects
                ],
            }
        )
    rule_text = RULE_TEXT.get(cycle.rule) or (
        RULE_TEXT["mes"] if cycle.rule.startswith("mes") else ""
    )
    rule_text = str(rule_text)
    if cycle.rule == "greedy-threshold":
        rule_text = rule_text % {"min": cycle.min_score}
    return {
        "pools": pools,
        "turnout": turnout,
        "manifest_url": _published_url(selectors.manifest_path(tallies)),
        "folder_name": cycle.slug,
        "rule_text": rule_text,
        "selected": list(selectors.selected_projects(cycle)),
    }


def results(request: HttpRequest, cycle: str) -> HttpResponse:
    """Before publication only what is coming and when; no running totals while people vote."""
    cycle = _cycle_or_404(cycle)
    context = _cycle_context(cycle)
    context["voter_count"] = selectors.participation_count(cycle)
    if context["published"]:
        context.update(_results_context(cycle))
    return render(request, "budget/results.html", context)
