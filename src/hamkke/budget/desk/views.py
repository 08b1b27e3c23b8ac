"""The screens of the participatory budgeting desk: the cycles an official's departments run, a
new cycle and its pools, the review of proposals, the paper-ballot booth, the survey upload, the
committee, the tally and its publication, implementation updates; and the committee member's
scoring screen. Thin: a selector reads, a policy says what to offer, a form parses, a service
acts, a refusal is shown beside the field it concerns (a missing role: 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import forbidden, official_required
from hamkke.budget import policies, selectors, services
from hamkke.budget.desk.forms import (
    AppointForm,
    BoothForm,
    CycleForm,
    ImplementationForm,
    PaperBallotForm,
    PoolForm,
    ReviewFilterForm,
    ReviewForm,
    RouteForm,
    ScoreForm,
    SurveyForm,
)
from hamkke.budget.desk.screens import RowForms, screen_context, screens_for
from hamkke.budget.models import Cycle, Pool, Project, ProjectStatus
from hamkke.budget.policies import least_role
from hamkke.core.audit import selectors as audit_selectors
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, NotAllowed
from hamkke.core.web.responses import carry_out, found_or_404, page_of

PAGE_SIZE = 50
# Where the booth and the box keep what the last POST stored for the page after the redirect.
PAPER_RESULT = "budget_paper_result"


# --- who sees what ----------------------------------------------------------------------------


def _cycle(slug: str) -> Cycle:
    return found_or_404(selectors.cycle_by_slug, city_selectors.current_city(), slug)


def _access(request: HttpRequest, cycle: Cycle) -> policies.DeskAccess:
    """What the official may see of the cycle; 403 for an official with no part in it."""
    access = selectors.desk_access(request.user, cycle)
    policies.may_open_cycle(cycle, access).enforce()
    return access


def _cycle_seen(request: HttpRequest, slug: str) -> tuple[Cycle, policies.DeskAccess]:
    """The cycle, for officials of its department or of a department reviewing its proposals."""
    cycle = _cycle(slug)
    return cycle, _access(request, cycle)


def _cycle_for(request: HttpRequest, slug: str, action: str) -> tuple[Cycle, Role]:
    """The cycle, for officials whose role in the department running it allows `action`
    (others: 403); with that role."""
    cycle = _cycle(slug)
    role = account_selectors.highest_role(request.user, department=cycle.department)
    policies.holds_role(role, action, department=cycle.department).enforce()
    return cycle, role


# --- cycles and pools --------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The cycles run by the official's departments (or with proposals routed to them)."""
    city = city_selectors.current_city()
    roles = account_selectors.roles_by_department(request.user, city=city)
    cycles = selectors.desk_cycles(city, roles)
    rows = [
        {
            "cycle": cycle,
            "phase": cycle.phase,
            "runs": cycle.department_id in roles,
            # The overview is the cycle's own link.
            "screens": screens_for(cycle, roles.get(cycle.department_id))[1:],
            "counts": selectors.desk_counts(cycle),
        }
        for cycle in cycles
    ]
    context = {
        "rows": rows,
        "may_create": bool(account_selectors.departments_managed_by(request.user)),
    }
    return render(request, "budget/desk/index.html", context)


@official_required(role=least_role(policies.CREATE_CYCLE))
@require_http_methods(["GET", "POST"])
def new_cycle(request: HttpRequest) -> HttpResponse:
    departments = account_selectors.departments_managed_by(request.user)
    if not departments:
        raise NotAllowed(_("Managers of a department create its cycles."), code="role_required")
    if request.method != "POST":
        form = CycleForm(departments=departments)
    else:
        form = CycleForm(request.POST, departments=departments)
        created = form.submit(
            lambda: services.create_cycle(
                actor=request.actor, city=city_selectors.current_city(), **form.service_kwargs()
            ),
            reraise=(NotAllowed,),
        )
        if created:
            cycle = form.result
            messages.success(
                request,
                _("The cycle “%(title)s” is created. Now add the pools of money it spends.")
                % {"title": cycle.title},
            )
            return redirect("budget:desk-cycle", cycle.slug)
    return render(request, "budget/desk/new_cycle.html", {"form": form}, status=form.status_code)


def _cycle_page(
    request: HttpRequest,
    cycle: Cycle,
    access: policies.DeskAccess,
    *,
    pool_form: PoolForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_add_pool = policies.may_add_pool(cycle, role=access.role)
    if pool_form is None and may_add_pool:
        pool_form = PoolForm(city=city_selectors.current_city(), auto_id="pool-%s")
    context = screen_context(
        cycle,
        access.role,
        "cycle",
        pools=selectors.pools_of(cycle),
        counts=selectors.desk_counts(cycle),
        pool_form=pool_form if may_add_pool else None,
        # A manager is told why there is no form; others never had one.
        pools_fixed=access.allows(policies.CHANGE_POOLS) and not may_add_pool,
        weights=selectors.weights_of(cycle),
    )
    return render(request, "budget/desk/cycle.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def cycle_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One cycle: its phases and their dates, weights and rule, pools, and what to do next."""
    return _cycle_page(request, *_cycle_seen(request, slug))


@official_required(role=least_role(policies.CHANGE_POOLS))
@require_POST
def add_pool(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, _role = _cycle_for(request, slug, policies.CHANGE_POOLS)
    form = PoolForm(request.POST, city=city_selectors.current_city(), auto_id="pool-%s")
    added = form.submit(
        lambda: services.add_pool(actor=request.actor, cycle=cycle, **form.service_kwargs()),
        reraise=(NotAllowed,),
    )
    if added:
        messages.success(
            request, _("The pool “%(name)s” is added.") % {"name": form.result.display_name}
        )
        return redirect(reverse("budget:desk-cycle", args=[cycle.slug]) + "#pools")
    access = _access(request, cycle)
    return _cycle_page(request, cycle, access, pool_form=form, status=form.status_code)


# --- review ------------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The cycle's proposals by status (waiting for review first), oldest first."""
    cycle, access = _cycle_seen(request, slug)
    scope = selectors.review_scope(cycle, access)
    form = ReviewFilterForm(
        request.GET,
        pools=selectors.pools_of(cycle),
        areas=selectors.areas_of(cycle.city),
        departments=selectors.reviewing_departments_of(scope),
        auto_id="filter-%s",
    )
    form.is_valid()  # an invalid filter shows its error; the others still apply
    projects = selectors.review_queue(
        scope,
        statuses=form.statuses(),
        pool=form.chosen_pool(),
        area=form.chosen_area(),
        department=form.chosen_department(),
    )
    page, query = page_of(request, projects, PAGE_SIZE)
    status_counts = selectors.status_counts(scope)
    context = screen_context(
        cycle,
        access.role,
        "review",
        form=form,
        page=page,
        query=query,
        status_counts=[
            (value, label, status_counts.get(value, 0)) for value, label in ProjectStatus.choices
        ],
        may_review=policies.review_open(cycle),
    )
    return render(request, "budget/desk/review_queue.html", context)


def _project_for(
    request: HttpRequest, slug: str, code: str
) -> tuple[Cycle, Project, policies.DeskAccess]:
    """A proposal of the cycle, for officials who may see it (see policies.DeskAccess)."""
    cycle, access = _cycle_seen(request, slug)
    project = found_or_404(selectors.proposal_by_code, cycle, code)
    policies.may_see_proposal(project, access).enforce()
    return cycle, project, access


def _review_page(
    request: HttpRequest,
    cycle: Cycle,
    project: Project,
    access: policies.DeskAccess,
    *,
    review_form: ReviewForm | None = None,
    route_form: RouteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    role = access.role_for(project)
    may_decide = policies.may_review(project, role=role)
    may_route = policies.may_route(project, role=access.role)
    if review_form is None and may_decide:
        review_form = ReviewForm(project=project, auto_id="review-%s")
    if route_form is None and may_route:
        route_form = RouteForm(
            city=city_selectors.current_city(),
            initial={"department": project.reviewing_department_id},
            auto_id="route-%s",
        )
    context = screen_context(
        cycle,
        access.role,
        "review",
        project=project,
        review_form=review_form if may_decide else None,
        route_form=route_form if may_route else None,
        review_open=policies.review_open(cycle),
        reviewer_role=role,
        audit=audit_selectors.audit_trail(project, limit=50),
    )
    return render(request, "budget/desk/project.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def review_project(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One proposal with the forms to accept, reject or route it."""
    return _review_page(request, *_project_for(request, slug, code))


@official_required(role=least_role(policies.REVIEW))
@require_POST
def decide(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = ReviewForm(request.POST, project=project, auto_id="review-%s")
    reviewed = form.submit(
        lambda: services.review_project(
            actor=request.actor, project=project, **form.service_kwargs()
        ),
        reraise=(NotAllowed,),
    )
    if not reviewed:
        return _review_page(
            request, cycle, project, access, review_form=form, status=form.status_code
        )
    project = form.result
    if project.status == ProjectStatus.ACCEPTED:
        done = _("Project %(code)s is on the ballot at %(cost)s.") % {
            "code": project.code,
            "cost": f"{project.cost:,}",
        }
    else:
        done = _("Project %(code)s is rejected as not feasible.") % {"code": project.code}
    messages.success(request, done)
    return redirect("budget:desk-project", cycle.slug, project.code)


@official_required(role=least_role(policies.ROUTE))
@require_POST
def route(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = RouteForm(request.POST, city=city_selectors.current_city(), auto_id="route-%s")
    routed = form.submit(
        lambda: services.route_for_review(
            actor=request.actor, project=project, department=form.cleaned_data["department"]
        ),
        reraise=(NotAllowed,),
    )
    if not routed:
        return _review_page(
            request, cycle, project, access, route_form=form, status=form.status_code
        )
    messages.success(
        request,
        _("Project %(code)s is sent to %(department)s for review.")
        % {"code": project.code, "department": form.cleaned_data["department"].display_name},
    )
    return redirect("budget:desk-project", cycle.slug, project.code)


# --- the paper-ballot booth --------------------------------------------------------------------

# Headlines of the refusals an official at a booth must tell apart at a glance (lazy: in the
# language of the request, not of the moment the module was imported).
REFUSALS = {
    "already_voted": gettext_lazy("Already voted"),
    "not_in_register": gettext_lazy("Not in the residents register"),
    "other_district": gettext_lazy("Lives in another district"),
    "not_resident": gettext_lazy("Not a resident"),
    "wrong_phase": gettext_lazy("Voting is not open"),
    "more_papers_than_voters": gettext_lazy("More papers than voters"),
}


@official_required(role=least_role(policies.ENTER_PAPER_BALLOTS))
@require_GET
def paper_pools(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, role = _cycle_for(request, slug, policies.ENTER_PAPER_BALLOTS)
    pools = selectors.pools_of(cycle)
    if len(pools) == 1:
        return redirect("budget:desk-paper-booth", cycle.slug, pools[0].code)
    context = screen_context(
        cycle, role, "paper", pools=pools, voting_open=policies.voting_open(cycle)
    )
    return render(request, "budget/desk/paper_pools.html", context)


def _paper_page(
    request: HttpRequest,
    template: str,
    cycle: Cycle,
    role: Role,
    pool: Pool,
    form: BoothForm | PaperBallotForm,
    *,
    refusal: DomainError | None = None,
    result: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    handed_out, entered = selectors.paper_papers(pool)
    context = screen_context(
        cycle,
        role,
        "paper",
        pool=pool,
        pools=selectors.pools_of(cycle),
        form=form,
        refusal=refusal,
        refusal_title=REFUSALS.get(refusal.code, _("Not stored")) if refusal else "",
        result=result,
        paper_count=handed_out,
        entered_count=entered,
        voting_open=policies.voting_open(cycle),
    )
    return render(request, template, context, status=status)


def _refused(
    request: HttpRequest,
    template: str,
    cycle: Cycle,
    role: Role,
    pool: Pool,
    form: BoothForm | PaperBallotForm,
    exc: DomainError,
) -> HttpResponse:
    """A refusal beside the field it concerns, or above the form; a missing role is a 403."""
    if exc.code == "role_required":
        raise exc
    if exc.field in form.fields:
        form.add_domain_error(exc)
        return _paper_page(request, template, cycle, role, pool, form, status=exc.status)
    return _paper_page(request, template, cycle, role, pool, form, refusal=exc, status=exc.status)


def _last_result(request: HttpRequest, pool: Pool, step: str) -> dict | None:
    """What the previous POST of this step in this pool stored, shown once after the redirect
    (a reload cannot store it again, and nothing typed stays in the page)."""
    result = request.session.pop(PAPER_RESULT, None)
    if not result or result.get("pool") != pool.code or result.get("step") != step:
        return None
    return result


BOOTH = "budget/desk/paper_booth.html"
BOX = "budget/desk/paper_box.html"


@official_required(role=least_role(policies.ENTER_PAPER_BALLOTS))
@require_http_methods(["GET", "POST"])
def paper_booth(request: HttpRequest, slug: str, pool: str) -> HttpResponse:
    """The booth's table: the resident's number from their ID card, Enter; the register
    records that they vote on paper, and the official hands them a ballot paper. The marks are
    made alone and go into the box: this page never sees them."""
    cycle, role = _cycle_for(request, slug, policies.ENTER_PAPER_BALLOTS)
    the_pool = found_or_404(selectors.pool_by_code, cycle, pool)
    if request.method != "POST":
        result = _last_result(request, the_pool, "booth")
        return _paper_page(request, BOOTH, cycle, role, the_pool, BoothForm(), result=result)
    form = BoothForm(request.POST)
    if not form.is_valid():
        return _paper_page(request, BOOTH, cycle, role, the_pool, form, status=400)
    try:
        handed = services.hand_out_paper_ballot(
            actor=request.actor, pool=the_pool, resident_id=form.cleaned_data["resident_id"]
        )
    except DomainError as exc:
        return _refused(request, BOOTH, cycle, role, the_pool, form, exc)
    request.session[PAPER_RESULT] = {
        "step": "booth",
        "pool": the_pool.code,
        "district": handed.district.display_name,
    }
    return redirect("budget:desk-paper-booth", cycle.slug, the_pool.code)


@official_required(role=least_role(policies.ENTER_PAPER_BALLOTS))
@require_http_methods(["GET", "POST"])
def paper_box(request: HttpRequest, slug: str, pool: str) -> HttpResponse:
    """The booth's ballot box, opened: each paper's marks, Enter. No name is asked or shown;
    the receipt (or the refusal) shows above a fresh form."""
    cycle, role = _cycle_for(request, slug, policies.ENTER_PAPER_BALLOTS)
    the_pool = found_or_404(selectors.pool_by_code, cycle, pool)
    projects = selectors.ballot_projects(the_pool)
    if request.method != "POST":
        result = _last_result(request, the_pool, "box")
        form = PaperBallotForm(projects=projects)
        return _paper_page(request, BOX, cycle, role, the_pool, form, result=result)
    form = PaperBallotForm(request.POST, projects=projects)
    if not form.is_valid():
        return _paper_page(request, BOX, cycle, role, the_pool, form, status=400)
    try:
        cast = services.enter_paper_ballot(
            actor=request.actor, pool=the_pool, choices=form.cleaned_data["choices"]
        )
    except DomainError as exc:
        return _refused(request, BOX, cycle, role, the_pool, form, exc)
    request.session[PAPER_RESULT] = {
        "step": "box",
        "pool": the_pool.code,
        "receipt": cast.receipt,
        "void_reasons": list(cast.void_reasons),
    }
    return redirect("budget:desk-paper-box", cycle.slug, the_pool.code)


# --- survey and committee ----------------------------------------------------------------------


@official_required(role=least_role(policies.IMPORT_SURVEY))
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload the survey's scores (CSV); shows the scores imported so far."""
    cycle, role = _cycle_for(request, slug, policies.IMPORT_SURVEY)
    if request.method != "POST":
        form = SurveyForm()
    else:
        form = SurveyForm(request.POST, request.FILES)
        stored = form.submit(
            lambda: services.import_survey(
                actor=request.actor, cycle=cycle, data=form.cleaned_data["file"].read()
            ),
            reraise=(NotAllowed,),
        )
        if stored:
            messages.success(
                request,
                ngettext(
                    "The survey score of %(count)d project is imported.",
                    "The survey scores of %(count)d projects are imported.",
                    form.result,
                )
                % {"count": form.result},
            )
            return redirect("budget:desk-survey", cycle.slug)
    rows, imported = selectors.survey_rows(cycle)
    context = screen_context(
        cycle,
        role,
        "survey",
        form=form,
        rows=rows,
        imported=imported,
        may_import=policies.may_import_survey(cycle, role=role),
    )
    return render(request, "budget/desk/survey.html", context, status=form.status_code)


@official_required(role=least_role(policies.APPOINT_COMMITTEE))
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str) -> HttpResponse:
    """Appoint the committee's members and follow how far each has scored."""
    cycle, role = _cycle_for(request, slug, policies.APPOINT_COMMITTEE)
    if request.method != "POST":
        form = AppointForm()
    else:
        form = AppointForm(request.POST)
        appointed = form.submit(
            lambda: services.appoint_committee_member(
                actor=request.actor, cycle=cycle, member=form.member
            ),
            reraise=(NotAllowed,),
        )
        if appointed:
            messages.success(
                request,
                _("%(email)s is on the committee. Send them the address of their scoring page.")
                % {"email": form.member.email},
            )
            return redirect("budget:desk-committee", cycle.slug)
    context = screen_context(
        cycle,
        role,
        "committee",
        form=form,
        members=selectors.committee_members(cycle),
        progress=selectors.committee_progress(cycle),
        score_url=request.build_absolute_uri(reverse("budget:committee-score", args=[cycle.slug])),
    )
    return render(request, "budget/desk/committee.html", context, status=form.status_code)


@login_required
@require_http_methods(["GET", "POST"])
def committee_score(request: HttpRequest, slug: str) -> HttpResponse:
    """A committee member scores the projects on the ballots, one at a time; a score is final.
    Members may be outside experts: no official role is needed, only the seat."""
    cycle = _cycle(slug)
    seat = selectors.committee_seat(request.user, cycle)
    if seat is None:
        return forbidden(request, _("Only members of this cycle's committee score its projects."))
    row_forms, status = RowForms(), 200
    if request.method == "POST":
        code = request.POST.get("project", "")
        form = ScoreForm(request.POST, auto_id=f"score-{code}-%s")

        def score() -> Project:
            project = selectors.accepted_project(cycle, form.cleaned_data["project"])
            services.score_project(
                actor=request.actor, project=project, score=form.cleaned_data["score"]
            )
            return project

        if form.submit(score):
            messages.success(
                request,
                _("Your score %(score)d for project %(code)s is stored.")
                % {"score": form.cleaned_data["score"], "code": form.result.code},
            )
            return redirect("budget:committee-score", cycle.slug)
        row_forms, status = RowForms(refused=(code, form)), form.status_code
    rows = []
    may_score = policies.scoring_open(cycle)
    for project, score in selectors.projects_to_score(seat):
        form = None
        if score is None and may_score:
            form = row_forms.form_for(
                project,
                lambda p: ScoreForm(initial={"project": p.code}, auto_id=f"score-{p.code}-%s"),
            )
            if not any(row[2] for row in rows):
                # The next project to score takes the focus, so a member can go on typing.
                form.fields["score"].widget.attrs["autofocus"] = True
        rows.append((project, score, form))
    context = {
        "cycle": cycle,
        "phase": cycle.phase,
        "rows": rows,
        "may_score": may_score,
        "scored": sum(1 for _p, score, _f in rows if score is not None),
        # A refusal for a project that has no form on the page (scored already) goes on top.
        "error": row_forms.error_on_top("__all__", "score"),
    }
    return render(request, "budget/desk/committee_score.html", context, status=status)


# --- results -----------------------------------------------------------------------------------


@official_required(role=least_role(policies.PUBLISH))
@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The tally as it stands, with every channel of the score, and the button to publish."""
    cycle, role = _cycle_for(request, slug, policies.PUBLISH)
    by_channel = selectors.ballots_by_channel(cycle)
    context = screen_context(
        cycle,
        role,
        "results",
        tallies=selectors.tally(cycle),
        turnout=selectors.turnout_by_district(cycle),
        voters=selectors.participation_count(cycle),
        online=by_channel.get("online", 0),
        paper=by_channel.get("paper", 0),
        published=cycle.results_published_at is not None,
        may_publish=policies.may_publish(cycle, role=role),
        public_url=reverse("budget:results", args=[cycle.slug]),
    )
    return render(request, "budget/desk/results.html", context)


@official_required(role=least_role(policies.PUBLISH))
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, _role = _cycle_for(request, slug, policies.PUBLISH)
    carry_out(
        request,
        lambda: services.publish_results(actor=request.actor, cycle=cycle),
        _(
            "The results are published: the selected projects are marked and the ballot "
            "files with their hash chains are public."
        ),
        reraise=(NotAllowed,),
    )
    return redirect("budget:desk-results", cycle.slug)


# --- implementation ----------------------------------------------------------------------------


def _implementation_page(
    request: HttpRequest,
    cycle: Cycle,
    access: policies.DeskAccess,
    *,
    refused: tuple[str, ImplementationForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows, row_forms = [], RowForms(refused=refused)
    for project in selectors.projects_to_implement(cycle):
        if not access.may_see(project):
            continue
        form = None
        if policies.may_record_implementation(project, role=access.role_for(project)):
            form = row_forms.form_for(
                project,
                lambda p: ImplementationForm(
                    initial={"implementation": p.implementation}, auto_id=f"impl-{p.code}-%s"
                ),
            )
        rows.append((project, form))
    context = screen_context(
        cycle,
        access.role,
        "implementation",
        rows=rows,
        published=cycle.results_published_at is not None,
        # A refusal for a project without a form on the page (not selected) goes on top.
        error=row_forms.error_on_top("__all__"),
    )
    return render(request, "budget/desk/implementation.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def implementation(request: HttpRequest, slug: str) -> HttpResponse:
    """The selected projects with their implementation status and updates."""
    return _implementation_page(request, *_cycle_seen(request, slug))


@official_required(role=least_role(policies.RECORD_IMPLEMENTATION))
@require_POST
def implementation_update(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = ImplementationForm(request.POST, auto_id=f"impl-{project.code}-%s")
    recorded = form.submit(
        lambda: services.record_implementation(
            actor=request.actor,
            project=project,
            implementation=form.cleaned_data["implementation"],
            note=form.cleaned_data["note"],
        ),
        reraise=(NotAllowed,),
    )
    if not recorded:
        refused = (project.code, form)
        return _implementation_page(
            request, cycle, access, refused=refused, status=form.status_code
        )
    messages.success(
        request, _("Project %(code)s: the update is recorded.") % {"code": project.code}
    )
    return redirect(
        reverse("budget:desk-implementation", args=[cycle.slug]) + f"#project-{project.code}"
    )
