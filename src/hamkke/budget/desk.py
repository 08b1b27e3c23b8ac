"""The participatory budgeting desk: the cycles an official's departments run, a new cycle and its
pools, the review of proposals, the paper-ballot booth, the survey upload, the committee, the
tally and its publication, implementation updates; and the committee member's scoring screen.
Thin: a form parses, a service acts, a refusal is shown beside the field it concerns (a missing
role: 403)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.accounts.permissions import forbidden, official_required, require_role
from hamkke.budget import selectors, services
from hamkke.budget.desk_forms import (
    AppointForm,
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
from hamkke.budget.models import Cycle, Phase, Pool, Project, ProjectStatus
from hamkke.core.audit import selectors as audit_selectors
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, NotAllowed, NotFound
from hamkke.core.models import Department
from hamkke.core.web.forms import ServiceForm
from hamkke.core.web.responses import carry_out, found_or_404, page_of

PAGE_SIZE = 50
# Where the booth keeps the last ballot's receipt between the POST and the page after it.
PAPER_RESULT = "budget_paper_result"
POOL_PHASES = (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW)
REVIEW_PHASES = (Phase.PROPOSALS, Phase.REVIEW)
PUBLISH_PHASES = (Phase.RESULTS, Phase.IMPLEMENTATION)
# The desk's screens of a cycle in the tabs' order: (tab, route, label, the least role in the
# cycle's department that opens it; None: every official who may see the cycle).
SCREENS = (
    ("cycle", "budget:desk-cycle", gettext_lazy("Overview"), None),
    ("review", "budget:desk-review", gettext_lazy("Review"), None),
    ("paper", "budget:desk-paper", gettext_lazy("Paper ballots"), Role.HANDLER),
    ("survey", "budget:desk-survey", gettext_lazy("Survey"), Role.MANAGER),
    ("committee", "budget:desk-committee", gettext_lazy("Committee"), Role.MANAGER),
    ("results", "budget:desk-results", gettext_lazy("Results"), Role.MANAGER),
    ("implementation", "budget:desk-implementation", gettext_lazy("Implementation"), None),
)


# --- who sees what ----------------------------------------------------------------------------


def _cycle(slug: str) -> Cycle:
    return found_or_404(selectors.cycle_by_slug, city_selectors.current_city(), slug)


def _roles_by_department(user: User) -> dict[int, Role]:
    """The user's role in each department of the city (superusers: administrator in all)."""
    city = city_selectors.current_city()
    if user.is_superuser:
        return {d.pk: Role.ADMINISTRATOR for d in city_selectors.departments_of(city)}
    return {
        m.department_id: Role(m.role)
        for m in account_selectors.memberships_of(user)
        if m.department.city_id == city.pk
    }


@dataclass(frozen=True)
class Access:
    """What an official may see of a cycle: all of it with a role in the department running it;
    otherwise only the proposals routed to their own departments for review."""

    role: Role | None  # in the cycle's department
    roles: dict[int, Role]  # in each of the official's departments
    reviewing: tuple[int, ...]  # the official's departments reviewing proposals of the cycle

    @property
    def runs(self) -> bool:
        return self.role is not None

    def at_least(self, role: Role) -> bool:
        return self.role is not None and self.role >= role

    def may_see(self, project: Project) -> bool:
        return self.runs or project.reviewing_department_id in self.reviewing

    def role_for(self, project: Project) -> Role | None:
        department = project.reviewing_department_id or project.cycle.department_id
        return self.roles.get(department)


def _access(request: HttpRequest, cycle: Cycle) -> Access:
    """What the official may see of the cycle; 403 for an official with no part in it."""
    roles = _roles_by_department(request.user)
    reviewing = tuple(
        cycle.projects.filter(reviewing_department_id__in=roles)
        .values_list("reviewing_department_id", flat=True)
        .distinct()
        .order_by()
    )
    access = Access(role=roles.get(cycle.department_id), roles=roles, reviewing=reviewing)
    if not access.runs and not reviewing:
        raise NotAllowed(
            _("This cycle is run by %(department)s; you work in none of its departments.")
            % {"department": cycle.department.display_name},
            code="role_required",
        )
    return access


def _cycle_seen(request: HttpRequest, slug: str) -> tuple[Cycle, Access]:
    """The cycle, for officials of its department or of a department reviewing its proposals."""
    cycle = _cycle(slug)
    return cycle, _access(request, cycle)


def _cycle_for(request: HttpRequest, slug: str, role: Role) -> tuple[Cycle, Role]:
    """The cycle, for officials holding `role` in the department that runs it (others: 403)."""
    cycle = _cycle(slug)
    return cycle, require_role(request.user, role=role, department=cycle.department)


@dataclass(frozen=True)
class Screen:
    tab: str
    label: str
    url: str


def _screens(cycle: Cycle, role: Role | None) -> list[Screen]:
    """The screens of the cycle an official with `role` in its department opens."""
    return [
        Screen(tab=tab, label=label, url=reverse(route, args=[cycle.slug]))
        for tab, route, label, least in SCREENS
        if least is None or (role is not None and role >= least)
    ]


def _context(cycle: Cycle, role: Role | None, tab: str, **extra) -> dict:
    """What every screen of a cycle shows: its title, phases and tabs (`tab` the current one)."""
    return {
        "cycle": cycle,
        "phase": cycle.phase,
        "Phase": Phase,
        "role": role,
        "is_manager": role is not None and role >= Role.MANAGER,
        "tab": tab,
        "screens": _screens(cycle, role),
        **extra,
    }


@dataclass
class _RowForms:
    """The forms of a page listing projects, one per row. A form sent and refused (the project's
    code, the form) goes back in its row with the input and the errors; when its row has no form
    any more (the project is scored, or not selected), its error goes on top of the page."""

    refused: tuple[str, ServiceForm] | None = None
    shown: bool = False

    def form_for(self, project: Project, fresh: Callable[[Project], ServiceForm]) -> ServiceForm:
        if self.refused is None or self.refused[0] != project.code:
            return fresh(project)
        self.shown = True
        return self.refused[1]

    def error_on_top(self, *fields: str) -> list | None:
        """The first of these fields' errors of a refused form not shown in a row."""
        if self.refused is None or self.shown:
            return None
        errors = self.refused[1].errors
        return next((errors[field] for field in fields if errors.get(field)), None)


# --- cycles and pools --------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The cycles run by the official's departments (or with proposals routed to them)."""
    city = city_selectors.current_city()
    roles = _roles_by_department(request.user)
    cycles = (
        selectors.cycles_of(city)
        .filter(Q(department_id__in=roles) | Q(projects__reviewing_department_id__in=roles))
        .distinct()
        .order_by("-proposals_from", "slug")
    )
    rows = [
        {
            "cycle": cycle,
            "phase": cycle.phase,
            "runs": cycle.department_id in roles,
            # The overview is the cycle's own link.
            "screens": _screens(cycle, roles.get(cycle.department_id))[1:],
            "counts": selectors.desk_counts(cycle),
        }
        for cycle in cycles
    ]
    context = {
        "rows": rows,
        "may_create": bool(account_selectors.departments_managed_by(request.user)),
    }
    return render(request, "budget/desk/index.html", context)


@official_required(role=Role.MANAGER)
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
                actor=request.user, city=city_selectors.current_city(), **form.service_kwargs()
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
    access: Access,
    *,
    pool_form: PoolForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_add_pool = access.at_least(Role.MANAGER) and cycle.phase in POOL_PHASES
    if pool_form is None and may_add_pool:
        pool_form = PoolForm(city=city_selectors.current_city(), auto_id="pool-%s")
    context = _context(
        cycle,
        access.role,
        "cycle",
        pools=selectors.pools_of(cycle),
        counts=selectors.desk_counts(cycle),
        pool_form=pool_form if may_add_pool else None,
        weights=selectors.weights_of(cycle),
    )
    return render(request, "budget/desk/cycle.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def cycle_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One cycle: its phases and their dates, weights and rule, pools, and what to do next."""
    return _cycle_page(request, *_cycle_seen(request, slug))


@official_required(role=Role.MANAGER)
@require_POST
def add_pool(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, _role = _cycle_for(request, slug, Role.MANAGER)
    form = PoolForm(request.POST, city=city_selectors.current_city(), auto_id="pool-%s")
    added = form.submit(
        lambda: services.add_pool(actor=request.user, cycle=cycle, **form.service_kwargs()),
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
    city = city_selectors.current_city()
    scope = selectors.projects_of(cycle).select_related("reviewing_department", "proposer")
    if not access.runs:
        scope = scope.filter(reviewing_department_id__in=access.reviewing)
    departments = Department.objects.filter(
        pk__in=scope.values("reviewing_department_id")
    ).order_by("name")
    form = ReviewFilterForm(
        request.GET,
        pools=selectors.pools_of(cycle),
        areas=selectors.areas_of(city),
        departments=list(departments),
        auto_id="filter-%s",
    )
    form.is_valid()  # an invalid filter shows its error; the others still apply
    projects = scope
    if form.statuses():
        projects = projects.filter(status__in=form.statuses())
    if form.chosen_pool() is not None:
        projects = projects.filter(pool=form.chosen_pool())
    if form.chosen_area() is not None:
        projects = projects.filter(area=form.chosen_area())
    if form.chosen_department() is not None:
        projects = projects.filter(reviewing_department=form.chosen_department())
    page, query = page_of(request, projects.order_by("created_at", "pk"), PAGE_SIZE)
    status_counts = dict(scope.values_list("status").annotate(n=Count("id")).order_by())
    context = _context(
        cycle,
        access.role,
        "review",
        form=form,
        page=page,
        query=query,
        status_counts=[
            (value, label, status_counts.get(value, 0)) for value, label in ProjectStatus.choices
        ],
        may_review=cycle.phase in REVIEW_PHASES,
    )
    return render(request, "budget/desk/review_queue.html", context)


def _project_for(request: HttpRequest, slug: str, code: str) -> tuple[Cycle, Project, Access]:
    """A proposal of the cycle, for officials who may see it (see Access)."""
    cycle, access = _cycle_seen(request, slug)
    project = (
        selectors.projects_of(cycle)
        .select_related("reviewing_department", "proposer", "location", "cycle")
        .filter(code=code)
        .first()
    )
    if project is None:
        raise Http404(_("No project with that code in this cycle."))
    if not access.may_see(project):
        raise NotAllowed(
            _("This proposal is reviewed by another department."), code="role_required"
        )
    return cycle, project, access


def _review_page(
    request: HttpRequest,
    cycle: Cycle,
    project: Project,
    access: Access,
    *,
    review_form: ReviewForm | None = None,
    route_form: RouteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    role = access.role_for(project)
    may_decide = (
        role is not None
        and role >= Role.HANDLER
        and cycle.phase in REVIEW_PHASES
        and project.status != ProjectStatus.WITHDRAWN
    )
    may_route = access.at_least(Role.MANAGER) and project.status == ProjectStatus.PROPOSED
    if review_form is None and may_decide:
        review_form = ReviewForm(project=project, auto_id="review-%s")
    if route_form is None and may_route:
        route_form = RouteForm(
            city=city_selectors.current_city(),
            initial={"department": project.reviewing_department_id},
            auto_id="route-%s",
        )
    context = _context(
        cycle,
        access.role,
        "review",
        project=project,
        review_form=review_form if may_decide else None,
        route_form=route_form if may_route else None,
        reviewer_role=role,
        audit=audit_selectors.audit_trail(project, limit=50),
    )
    return render(request, "budget/desk/project.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def review_project(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One proposal with the forms to accept, reject or route it."""
    return _review_page(request, *_project_for(request, slug, code))


@official_required(role=Role.HANDLER)
@require_POST
def decide(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = ReviewForm(request.POST, project=project, auto_id="review-%s")
    reviewed = form.submit(
        lambda: services.review_project(
            reviewer=request.user, project=project, **form.service_kwargs()
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


@official_required(role=Role.MANAGER)
@require_POST
def route(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = RouteForm(request.POST, city=city_selectors.current_city(), auto_id="route-%s")
    routed = form.submit(
        lambda: services.route_for_review(
            actor=request.user, project=project, department=form.cleaned_data["department"]
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

# Headlines of the refusals an official at a booth must tell apart at a glance.
REFUSALS = {
    "already_voted": _("Already voted"),
    "not_in_register": _("Not in the residents register"),
    "other_district": _("Lives in another district"),
    "not_resident": _("Not a resident"),
    "wrong_phase": _("Voting is not open"),
}


@official_required(role=Role.HANDLER)
@require_GET
def paper_pools(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, role = _cycle_for(request, slug, Role.HANDLER)
    pools = selectors.pools_of(cycle)
    if len(pools) == 1:
        return redirect("budget:desk-paper-booth", cycle.slug, pools[0].code)
    return render(
        request, "budget/desk/paper_pools.html", _context(cycle, role, "paper", pools=pools)
    )


def _booth_page(
    request: HttpRequest,
    cycle: Cycle,
    role: Role,
    pool: Pool,
    form: PaperBallotForm,
    *,
    refusal: DomainError | None = None,
    result: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _context(
        cycle,
        role,
        "paper",
        pool=pool,
        pools=selectors.pools_of(cycle),
        form=form,
        refusal=refusal,
        refusal_title=REFUSALS.get(refusal.code, _("Not stored")) if refusal else "",
        result=result,
        paper_count=pool.participations.filter(channel="paper").count(),
    )
    return render(request, "budget/desk/paper_booth.html", context, status=status)


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def paper_booth(request: HttpRequest, slug: str, pool: str) -> HttpResponse:
    """Enter paper ballots of one pool, one after another: the resident's number, the marks,
    Enter. The receipt (or the refusal) shows above a fresh form."""
    cycle, role = _cycle_for(request, slug, Role.HANDLER)
    the_pool = found_or_404(selectors.pool_by_code, cycle, pool)
    projects = selectors.ballot_projects(the_pool)
    if request.method != "POST":
        result = request.session.pop(PAPER_RESULT, None)
        if result and result.get("pool") != the_pool.code:
            result = None
        return _booth_page(
            request, cycle, role, the_pool, PaperBallotForm(projects=projects), result=result
        )
    form = PaperBallotForm(request.POST, projects=projects)
    if not form.is_valid():
        return _booth_page(request, cycle, role, the_pool, form, status=400)
    try:
        cast = services.cast_paper_ballot(
            official=request.user,
            pool=the_pool,
            resident_id=form.cleaned_data["resident_id"],
            choices=form.cleaned_data["choices"],
        )
    except DomainError as exc:
        if exc.code == "role_required":
            raise
        if exc.field in form.fields:
            form.add_domain_error(exc)
            return _booth_page(request, cycle, role, the_pool, form, status=exc.status)
        return _booth_page(request, cycle, role, the_pool, form, refusal=exc, status=exc.status)
    # The page after the redirect shows the receipt once, above an empty form (a reload cannot
    # enter the ballot again, and the number typed is not kept in the page).
    request.session[PAPER_RESULT] = {
        "pool": the_pool.code,
        "receipt": cast.receipt,
        "void_reasons": list(cast.void_reasons),
    }
    return redirect("budget:desk-paper-booth", cycle.slug, the_pool.code)


# --- survey and committee ----------------------------------------------------------------------


@official_required(role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload the survey's scores (CSV); shows the scores imported so far."""
    cycle, role = _cycle_for(request, slug, Role.MANAGER)
    if request.method != "POST":
        form = SurveyForm()
    else:
        form = SurveyForm(request.POST, request.FILES)
        stored = form.submit(
            lambda: services.import_survey(
                actor=request.user, cycle=cycle, data=form.cleaned_data["file"].read()
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
    scores = selectors.survey_scores(cycle)
    projects = selectors.projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,)).order_by(
        "pool__code", "code"
    )
    context = _context(
        cycle,
        role,
        "survey",
        form=form,
        rows=[(project, scores.get(project.pk)) for project in projects],
        imported=len(scores),
        may_import=cycle.phase in (Phase.VOTING, Phase.SCORING),
    )
    return render(request, "budget/desk/survey.html", context, status=form.status_code)


@official_required(role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str) -> HttpResponse:
    """Appoint the committee's members and follow how far each has scored."""
    cycle, role = _cycle_for(request, slug, Role.MANAGER)
    if request.method != "POST":
        form = AppointForm()
    else:
        form = AppointForm(request.POST)
        appointed = form.submit(
            lambda: services.appoint_committee_member(
                actor=request.user, cycle=cycle, member=form.member
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
    members = selectors.committee_members(cycle)
    context = _context(
        cycle,
        role,
        "committee",
        form=form,
        members=members.order_by("appointed_at", "pk"),
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
    row_forms, status = _RowForms(), 200
    if request.method == "POST":
        code = request.POST.get("project", "")
        form = ScoreForm(request.POST, auto_id=f"score-{code}-%s")

        def score() -> Project:
            project = (
                selectors.projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,))
                .filter(code=form.cleaned_data["project"])
                .first()
            )
            if project is None:
                raise NotFound(_("No project with that code is on this cycle's ballots."))
            services.score_project(
                member=request.user, project=project, score=form.cleaned_data["score"]
            )
            return project

        if form.submit(score):
            messages.success(
                request,
                _("Your score %(score)d for project %(code)s is stored.")
                % {"score": form.cleaned_data["score"], "code": form.result.code},
            )
            return redirect("budget:committee-score", cycle.slug)
        row_forms, status = _RowForms(refused=(code, form)), form.status_code
    rows = []
    may_score = cycle.phase == Phase.SCORING
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


@official_required(role=Role.MANAGER)
@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The tally as it stands, with every channel of the score, and the button to publish."""
    cycle, role = _cycle_for(request, slug, Role.MANAGER)
    by_channel = selectors.ballots_by_channel(cycle)
    context = _context(
        cycle,
        role,
        "results",
        tallies=selectors.tally(cycle),
        turnout=selectors.turnout_by_district(cycle),
        voters=selectors.participation_count(cycle),
        online=by_channel.get("online", 0),
        paper=by_channel.get("paper", 0),
        published=cycle.results_published_at is not None,
        may_publish=cycle.results_published_at is None and cycle.phase in PUBLISH_PHASES,
        public_url=reverse("budget:results", args=[cycle.slug]),
    )
    return render(request, "budget/desk/results.html", context)


@official_required(role=Role.MANAGER)
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, _role = _cycle_for(request, slug, Role.MANAGER)
    carry_out(
        request,
        lambda: services.publish_results(actor=request.user, cycle=cycle),
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
    access: Access,
    *,
    refused: tuple[str, ImplementationForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    projects = (
        selectors.projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,))
        .filter(selected=True)
        .select_related("reviewing_department", "cycle")
        .prefetch_related("updates")
        .order_by("pool__code", "rank", "code")
    )
    rows, row_forms = [], _RowForms(refused=refused)
    for project in projects:
        if not access.may_see(project):
            continue
        role = access.role_for(project)
        form = None
        if role is not None and role >= Role.HANDLER:
            form = row_forms.form_for(
                project,
                lambda p: ImplementationForm(
                    initial={"implementation": p.implementation}, auto_id=f"impl-{p.code}-%s"
                ),
            )
        rows.append((project, form))
    context = _context(
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


@official_required(role=Role.HANDLER)
@require_POST
def implementation_update(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle, project, access = _project_for(request, slug, code)
    form = ImplementationForm(request.POST, auto_id=f"impl-{project.code}-%s")
    recorded = form.submit(
        lambda: services.record_implementation(
            actor=request.user,
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
