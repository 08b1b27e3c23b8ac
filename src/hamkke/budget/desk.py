"""The participatory budgeting desk: the cycles an official's departments run, a new cycle and its
pools, the review of proposals, the paper-ballot booth, the survey upload, the committee, the
tally and its publication, implementation updates; and the committee member's scoring screen.
Thin: a form parses, a service acts, a refusal is shown beside the field it concerns (a missing
role: 403)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from hamkke.budget.models import Ballot, Cycle, Phase, Pool, Project, ProjectStatus
from hamkke.core import selectors as core_selectors
from hamkke.core.errors import DomainError, NotAllowed, NotFound
from hamkke.core.models import Department

PAGE_SIZE = 50
# Where the booth keeps the last ballot's receipt between the POST and the page after it.
PAPER_RESULT = "budget_paper_result"
POOL_PHASES = (Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW)
REVIEW_PHASES = (Phase.PROPOSALS, Phase.REVIEW)
PUBLISH_PHASES = (Phase.RESULTS, Phase.IMPLEMENTATION)


# --- who sees what ----------------------------------------------------------------------------


def _cycle(slug: str) -> Cycle:
    try:
        return selectors.cycle_by_slug(core_selectors.current_city(), slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _roles_by_department(user: User) -> dict[int, Role]:
    """The user's role in each department of the city (superusers: administrator in all)."""
    city = core_selectors.current_city()
    if user.is_superuser:
        return {d.pk: Role.ADMINISTRATOR for d in core_selectors.departments_of(city)}
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


def _cycle_for(request: HttpRequest, slug: str, role: Role) -> tuple[Cycle, Role]:
    """The cycle, for officials holding `role` in the department that runs it (others: 403)."""
    cycle = _cycle(slug)
    return cycle, require_role(request.user, role=role, department=cycle.department)


def _context(cycle: Cycle, role: Role | None, tab: str, **extra) -> dict:
    phase = cycle.phase
    return {
        "cycle": cycle,
        "phase": phase,
        "Phase": Phase,
        "role": role,
        "is_handler": role is not None and role >= Role.HANDLER,
        "is_manager": role is not None and role >= Role.MANAGER,
        "tab": tab,
        **extra,
    }


def _counts(cycle: Cycle) -> dict:
    statuses = dict(cycle.projects.values_list("status").annotate(n=Count("id")).order_by())
    progress = selectors.committee_progress(cycle)
    wanted = progress["members"] * progress["projects"]
    return {
        "to_review": statuses.get(ProjectStatus.PROPOSED, 0),
        "accepted": statuses.get(ProjectStatus.ACCEPTED, 0),
        "rejected": statuses.get(ProjectStatus.REJECTED, 0),
        "ballots": Ballot.objects.filter(pool__cycle=cycle).count(),
        "members": progress["members"],
        "scores": progress["scores"],
        "scores_wanted": wanted,
        "scores_percent": round(100 * progress["scores"] / wanted) if wanted else None,
    }


# --- cycles and pools --------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The cycles run by the official's departments (or with proposals routed to them)."""
    city = core_selectors.current_city()
    roles = _roles_by_department(request.user)
    cycles = (
        selectors.cycles_of(city)
        .filter(Q(department_id__in=roles) | Q(projects__reviewing_department_id__in=roles))
        .distinct()
        .order_by("-proposals_from", "slug")
    )
    rows = []
    for cycle in cycles:
        role = roles.get(cycle.department_id)
        rows.append(
            {
                "cycle": cycle,
                "phase": cycle.phase,
                "runs": role is not None,
                "is_handler": role is not None and role >= Role.HANDLER,
                "is_manager": role is not None and role >= Role.MANAGER,
                "counts": _counts(cycle),
            }
        )
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
    status = 200
    if request.method != "POST":
        form = CycleForm(departments=departments)
    else:
        form = CycleForm(request.POST, departments=departments)
        status = 400
        if form.is_valid():
            try:
                cycle = services.create_cycle(
                    actor=request.user,
                    city=core_selectors.current_city(),
                    **form.service_kwargs(),
                )
            except NotAllowed:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("The cycle “%(title)s” is created. Now add the pools of money it spends.")
                    % {"title": cycle.title},
                )
                return redirect("budget:desk-cycle", cycle.slug)
    return render(request, "budget/desk/new_cycle.html", {"form": form}, status=status)


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
        pool_form = PoolForm(city=core_selectors.current_city(), auto_id="pool-%s")
    context = _context(
        cycle,
        access.role,
        "cycle",
        pools=selectors.pools_of(cycle),
        counts=_counts(cycle),
        pool_form=pool_form if may_add_pool else None,
        weights=selectors.weights_of(cycle),
    )
    return render(request, "budget/desk/cycle.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def cycle_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One cycle: its phases and their dates, weights and rule, pools, and what to do next."""
    cycle = _cycle(slug)
    return _cycle_page(request, cycle, _access(request, cycle))


@official_required(role=Role.MANAGER)
@require_POST
def add_pool(request: HttpRequest, slug: str) -> HttpResponse:
    cycle, _role = _cycle_for(request, slug, Role.MANAGER)
    form = PoolForm(request.POST, city=core_selectors.current_city(), auto_id="pool-%s")
    status = 400
    if form.is_valid():
        try:
            pool = services.add_pool(actor=request.user, cycle=cycle, **form.service_kwargs())
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            messages.success(
                request, _("The pool “%(name)s” is added.") % {"name": pool.display_name}
            )
            return redirect(reverse("budget:desk-cycle", args=[cycle.slug]) + "#pools")
    return _cycle_page(request, cycle, _access(request, cycle), pool_form=form, status=status)


# --- review ------------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def review_queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The cycle's proposals by status (waiting for review first), oldest first."""
    cycle = _cycle(slug)
    access = _access(request, cycle)
    city = core_selectors.current_city()
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
    page = Paginator(projects.order_by("created_at", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    status_counts = dict(scope.values_list("status").annotate(n=Count("id")).order_by())
    context = _context(
        cycle,
        access.role,
        "review",
        form=form,
        page=page,
        query=query.urlencode(),
        status_counts=[
            (value, label, status_counts.get(value, 0)) for value, label in ProjectStatus.choices
        ],
        may_review=cycle.phase in REVIEW_PHASES,
    )
    return render(request, "budget/desk/review_queue.html", context)


def _project_for(request: HttpRequest, cycle: Cycle, code: str) -> tuple[Project, Access]:
    access = _access(request, cycle)
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
    return project, access


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
            city=core_selectors.current_city(),
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
        audit=core_selectors.audit_trail(project, limit=50),
    )
    return render(request, "budget/desk/project.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def review_project(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """One proposal with the forms to accept, reject or route it."""
    cycle = _cycle(slug)
    project, access = _project_for(request, cycle, code)
    return _review_page(request, cycle, project, access)


@official_required(role=Role.HANDLER)
@require_POST
def decide(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle = _cycle(slug)
    project, access = _project_for(request, cycle, code)
    form = ReviewForm(request.POST, project=project, auto_id="review-%s")
    status = 400
    if form.is_valid():
        try:
            project = services.review_project(
                reviewer=request.user, project=project, **form.service_kwargs()
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            if project.status == ProjectStatus.ACCEPTED:
                done = _("Project %(code)s is on the ballot at %(cost)s.") % {
                    "code": project.code,
                    "cost": f"{project.cost:,}",
                }
            else:
                done = _("Project %(code)s is rejected as not feasible.") % {"code": project.code}
            messages.success(request, done)
            return redirect("budget:desk-project", cycle.slug, project.code)
    return _review_page(request, cycle, project, access, review_form=form, status=status)


@official_required(role=Role.MANAGER)
@require_POST
def route(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle = _cycle(slug)
    project, access = _project_for(request, cycle, code)
    form = RouteForm(request.POST, city=core_selectors.current_city(), auto_id="route-%s")
    status = 400
    if form.is_valid():
        department = form.cleaned_data["department"]
        try:
            services.route_for_review(actor=request.user, project=project, department=department)
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("Project %(code)s is sent to %(department)s for review.")
                % {"code": project.code, "department": department.display_name},
            )
            return redirect("budget:desk-project", cycle.slug, project.code)
    return _review_page(request, cycle, project, access, route_form=form, status=status)


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
    try:
        the_pool = selectors.pool_by_code(cycle, pool)
    except NotFound as exc:
        raise Http404(exc.message) from exc
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
    status = 200
    if request.method != "POST":
        form = SurveyForm()
    else:
        form = SurveyForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                imported = services.import_survey(
                    actor=request.user, cycle=cycle, data=form.cleaned_data["file"].read()
                )
            except NotAllowed:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    ngettext(
                        "The survey score of %(count)d project is imported.",
                        "The survey scores of %(count)d projects are imported.",
                        imported,
                    )
                    % {"count": imported},
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
    return render(request, "budget/desk/survey.html", context, status=status)


@official_required(role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def committee(request: HttpRequest, slug: str) -> HttpResponse:
    """Appoint the committee's members and follow how far each has scored."""
    cycle, role = _cycle_for(request, slug, Role.MANAGER)
    status = 200
    if request.method != "POST":
        form = AppointForm()
    else:
        form = AppointForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.appoint_committee_member(
                    actor=request.user, cycle=cycle, member=form.member
                )
            except NotAllowed:
                raise
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("%(email)s is on the committee. Send them the address of their scoring page.")
                    % {"email": form.member.email},
                )
                return redirect("budget:desk-committee", cycle.slug)
    members = cycle.committee.select_related("user").annotate(scored=Count("scores"))
    context = _context(
        cycle,
        role,
        "committee",
        form=form,
        members=members.order_by("appointed_at", "pk"),
        progress=selectors.committee_progress(cycle),
        score_url=request.build_absolute_uri(reverse("budget:committee-score", args=[cycle.slug])),
    )
    return render(request, "budget/desk/committee.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def committee_score(request: HttpRequest, slug: str) -> HttpResponse:
    """A committee member scores the projects on the ballots, one at a time; a score is final.
    Members may be outside experts: no official role is needed, only the seat."""
    cycle = _cycle(slug)
    seat = selectors.committee_seat(request.user, cycle)
    if seat is None:
        return forbidden(request, _("Only members of this cycle's committee score its projects."))
    failed: tuple[str, ScoreForm] | None = None
    status = 200
    if request.method == "POST":
        code = request.POST.get("project", "")
        form = ScoreForm(request.POST, auto_id=f"score-{code}-%s")
        status = 400
        if form.is_valid():
            project = (
                selectors.projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,))
                .filter(code=form.cleaned_data["project"])
                .first()
            )
            try:
                if project is None:
                    raise NotFound(_("No project with that code is on this cycle's ballots."))
                services.score_project(
                    member=request.user, project=project, score=form.cleaned_data["score"]
                )
            except DomainError as exc:
                form.add_domain_error(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Your score %(score)d for project %(code)s is stored.")
                    % {"score": form.cleaned_data["score"], "code": project.code},
                )
                return redirect("budget:committee-score", cycle.slug)
        failed = (code, form)
    rows = []
    shown_failed = False
    may_score = cycle.phase == Phase.SCORING
    for project, score in selectors.projects_to_score(seat):
        form = None
        if score is None and may_score:
            if failed and failed[0] == project.code:
                form, shown_failed = failed[1], True
            else:
                form = ScoreForm(
                    initial={"project": project.code}, auto_id=f"score-{project.code}-%s"
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
        "error": failed[1].errors.get("__all__") or failed[1].errors.get("score")
        if failed and not shown_failed
        else None,
    }
    return render(request, "budget/desk/committee_score.html", context, status=status)


# --- results -----------------------------------------------------------------------------------


@official_required(role=Role.MANAGER)
@require_GET
def results(request: HttpRequest, slug: str) -> HttpResponse:
    """The tally as it stands, with every channel of the score, and the button to publish."""
    cycle, role = _cycle_for(request, slug, Role.MANAGER)
    by_channel = dict(
        Ballot.objects.filter(pool__cycle=cycle)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
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
    try:
        cycle = services.publish_results(actor=request.user, cycle=cycle)
    except NotAllowed:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "The results are published: the selected projects are marked and the ballot "
                "files with their hash chains are public."
            ),
        )
    return redirect("budget:desk-results", cycle.slug)


# --- implementation ----------------------------------------------------------------------------


def _implementation_page(
    request: HttpRequest,
    cycle: Cycle,
    access: Access,
    *,
    failed: tuple[str, ImplementationForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    projects = (
        selectors.projects_of(cycle, statuses=(ProjectStatus.ACCEPTED,))
        .filter(selected=True)
        .select_related("reviewing_department", "cycle")
        .prefetch_related("updates")
        .order_by("pool__code", "rank", "code")
    )
    rows = []
    shown_failed = False
    for project in projects:
        if not access.may_see(project):
            continue
        role = access.role_for(project)
        form = None
        if role is not None and role >= Role.HANDLER:
            if failed and failed[0] == project.code:
                form, shown_failed = failed[1], True
            else:
                form = ImplementationForm(
                    initial={"implementation": project.implementation},
                    auto_id=f"impl-{project.code}-%s",
                )
        rows.append((project, form))
    context = _context(
        cycle,
        access.role,
        "implementation",
        rows=rows,
        published=cycle.results_published_at is not None,
        # A refusal for a project without a form on the page (not selected) goes on top.
        error=failed[1].errors.get("__all__") if failed and not shown_failed else None,
    )
    return render(request, "budget/desk/implementation.html", context, status=status)


@official_required(role=Role.VIEWER)
@require_GET
def implementation(request: HttpRequest, slug: str) -> HttpResponse:
    """The selected projects with their implementation status and updates."""
    cycle = _cycle(slug)
    return _implementation_page(request, cycle, _access(request, cycle))


@official_required(role=Role.HANDLER)
@require_POST
def implementation_update(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    cycle = _cycle(slug)
    project, access = _project_for(request, cycle, code)
    form = ImplementationForm(request.POST, auto_id=f"impl-{project.code}-%s")
    status = 400
    if form.is_valid():
        try:
            services.record_implementation(
                actor=request.user,
                project=project,
                implementation=form.cleaned_data["implementation"],
                note=form.cleaned_data["note"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status
        else:
            messages.success(
                request,
                _("Project %(code)s: the update is recorded.") % {"code": project.code},
            )
            return redirect(
                reverse("budget:desk-implementation", args=[cycle.slug])
                + f"#project-{project.code}"
            )
    return _implementation_page(request, cycle, access, failed=(project.code, form), status=status)
