"""Back-office screens of participatory budgeting. Cycles are created and run at the desk; here
staff correct a cycle's dates, weights and pools before its results are published, moderate the
text of projects, and look up the register and the ballots — two lists that never show anything
linking one to the other. Every change goes through its service, which checks the policy and
writes the audit log, as the desk's do."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.budget import ballots as ballot_rules
from hamkke.budget import policies, scoring, services
from hamkke.budget.models import (
    PHASE_STARTS,
    Area,
    Ballot,
    CommitteeMember,
    CommitteeScore,
    Cycle,
    Participation,
    Pool,
    Project,
    ProjectUpdate,
    SurveyScore,
)
from hamkke.core.errors import DomainError
from hamkke.core.lookup_admin import ReadOnlyAdmin
from hamkke.core.web.forms import DomainErrorsInline


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    """Written by `hamkke city load` from the profile's `[[budget.areas]]`."""

    list_display = ["code", "name", "name_en", "order", "city"]
    list_filter = ["city"]
    search_fields = ["code", "name", "name_en"]


# --- cycles and pools --------------------------------------------------------------------------


class CycleAdminForm(DomainErrorsInline, forms.ModelForm):
    """The phases in order and weights that fit the rule, checked as the desk checks them."""

    class Meta:
        model = Cycle
        fields = list(services.CYCLE_CORRECTIONS)

    def clean(self):
        cleaned = super().clean()
        dates = {field: cleaned.get(field) for _phase, field in PHASE_STARTS}
        numbers = [cleaned.get(f) for f in ("weight_vote", "weight_survey", "weight_committee")]
        if None in dates.values() or None in numbers or cleaned.get("min_score") is None:
            return cleaned  # the missing field has its own error
        try:
            services.check_cycle_settings(
                dates=dates,
                weights=scoring.Weights(*numbers),
                rule=cleaned.get("rule") or "",
                min_score=cleaned["min_score"],
            )
        except DomainError as exc:
            self.add_domain_error(exc)
        return cleaned


class PoolAdminForm(DomainErrorsInline, forms.ModelForm):
    class Meta:
        model = Pool
        fields = list(services.POOL_CORRECTIONS)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("budget") is None or not cleaned.get("ballot_kind"):
            return cleaned
        try:
            services.check_pool_settings(
                budget=cleaned["budget"],
                ballot_kind=cleaned["ballot_kind"],
                max_choices=cleaned.get("max_choices"),
                min_spend_percent=cleaned.get("min_spend_percent") or 0,
            )
        except DomainError as exc:
            self.add_domain_error(exc)
        return cleaned


class PoolInline(admin.TabularInline):
    """A cycle's pools: changed only until voting starts; the published files' names and hashes
    are written by publishing."""

    model = Pool
    form = PoolAdminForm
    extra = 0
    can_delete = False  # projects and ballots belong to it
    fields = [*PoolAdminForm.Meta.fields, "ballots_sha256"]
    readonly_fields = ["ballots_sha256"]

    def _open(self, cycle: Cycle | None) -> bool:
        return cycle is None or bool(policies.may_change_pools(cycle))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    """Created at the desk; corrected here until its results are published, then read-only."""

    form = CycleAdminForm
    inlines = [PoolInline]
    list_display = ["slug", "title", "department", "phase_now", "voting_from", "published"]
    list_filter = ["department", "rule"]
    search_fields = ["slug", "title", "title_en"]
    list_select_related = ["department"]
    readonly_fields = ["city", "slug", "results_published_at", "created_at", "desk_link"]
    fieldsets = [
        (None, {"fields": ["city", "slug", "title", "title_en", "description", "department"]}),
        (
            _("Phases"),
            {"fields": [field for _phase, field in PHASE_STARTS]},
        ),
        (
            _("Score and selection"),
            {
                "fields": [
                    "weight_vote",
                    "weight_survey",
                    "weight_committee",
                    "rule",
                    "min_score",
                ]
            },
        ),
        (None, {"fields": ["results_published_at", "created_at", "desk_link"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # at the desk, through services.create_cycle

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # ballots and the register belong to it

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not policies.may_correct_in_back_office(obj, user=request.user):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Cycle, form, change: bool) -> None:
        # Only changes: cycles are added at the desk (has_add_permission is False).
        services.correct_cycle(
            actor=request.actor,
            cycle=obj,
            changes={field: form.cleaned_data[field] for field in form.changed_data},
        )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """The pools, each added or corrected by the service. commit=False only sorts the
        forms into new and changed (and gives the admin its change message)."""
        formset.save(commit=False)
        for pool in formset.new_objects:
            fields = services.POOL_CORRECTIONS
            changes = {field: getattr(pool, field) for field in fields}
            services.correct_pool(
                actor=request.actor, cycle=form.instance, pool=None, changes=changes
            )
        for pool, changed in formset.changed_objects:
            services.correct_pool(
                actor=request.actor,
                cycle=form.instance,
                pool=pool,
                changes={field: getattr(pool, field) for field in changed},
            )

    @admin.display(description=_("phase"))
    def phase_now(self, cycle: Cycle) -> str:
        return str(cycle.phase.label)

    @admin.display(description=_("published"), boolean=True)
    def published(self, cycle: Cycle) -> bool:
        return cycle.results_published_at is not None

    @admin.display(description=_("desk"))
    def desk_link(self, cycle: Cycle) -> str:
        try:
            url = reverse("budget:desk-cycle", args=[cycle.slug])
        except NoReverseMatch:  # the desk's routes are not installed
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("open at the desk"))


# --- projects ----------------------------------------------------------------------------------


class ProjectUpdateInline(ReadOnlyInline):
    model = ProjectUpdate
    fields = ["created_at", "implementation", "note", "author"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects: the review, the tally and implementation happen at the desk; here only the
    wording may be corrected (personal data or abuse in a proposal)."""

    list_display = [
        "code",
        "title",
        "cycle",
        "pool",
        "area",
        "status",
        "cost",
        "votes",
        "final_score",
        "rank",
        "selected",
        "implementation",
    ]
    list_filter = ["cycle", "status", "area", "selected", "implementation"]
    search_fields = ["code", "title", "summary"]
    list_select_related = ["cycle", "pool", "area"]
    inlines = [ProjectUpdateInline]
    fields = [
        "cycle",
        "pool",
        "code",
        "title",
        "summary",
        "description",
        "area",
        "district",
        "proposer",
        "requested_cost",
        "status",
        "reviewing_department",
        "cost",
        "review_reasons",
        "reviewed_at",
        "votes",
        "final_score",
        "rank",
        "selected",
        "implementation",
        "created_at",
    ]
    readonly_fields = [f for f in fields if f not in services.PROJECT_CORRECTIONS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Project, form, change: bool) -> None:
        services.correct_project_text(
            actor=request.actor,
            project=obj,
            changes={field: form.cleaned_data[field] for field in form.changed_data},
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # withdrawn or rejected projects stay, as ballots may name them


# --- the register and the ballots --------------------------------------------------------------


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    """The register: who voted in which pool and when. The identity key stays hidden, and
    nothing here leads to a ballot."""

    list_display = ["pool", "district", "channel", "cast_at", "entered_by"]
    list_filter = ["channel", "pool__cycle"]
    list_select_related = ["pool", "district", "entered_by"]
    fields = ["pool", "user", "district", "channel", "entered_by", "cast_at"]
    readonly_fields = fields
    exclude = ["identity_key"]
    show_full_result_count = False


class BallotAdmin(ReadOnlyAdmin):
    """The anonymous ballots, by their receipt code, with what each chose (or its void marks).
    No time and no person: nothing here leads to the register."""

    list_display = ["receipt", "pool", "channel", "void_reasons"]
    list_filter = ["channel", "pool__cycle"]
    list_select_related = ["pool"]
    fields = ["receipt", "pool", "channel", "chosen", "void_reasons", "void_marks"]
    readonly_fields = fields
    # The search box takes a receipt code as a voter would read it out (see get_search_results).
    search_fields = ["id"]
    search_help_text = _("A receipt code, e.g. 0ABC-DEFG-HJKMN")
    show_full_result_count = False

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk=ballot_rules.ballot_id_of(search_term) or 0), False

    @admin.display(description=_("receipt"))
    def receipt(self, ballot: Ballot) -> str:
        return ballot_rules.receipt_of(ballot.pk)

    @admin.display(description=_("chosen projects"))
    def chosen(self, ballot: Ballot) -> str:
        codes = ballot.choices.order_by("project__code").values_list("project__code", flat=True)
        return ", ".join(codes) or "—"


admin.site.register(Ballot, BallotAdmin)


# --- survey and committee ----------------------------------------------------------------------


@admin.register(SurveyScore)
class SurveyScoreAdmin(ReadOnlyAdmin):
    """Imported from the survey's CSV at the desk."""

    list_display = ["project", "score", "imported_at"]
    list_filter = ["project__cycle"]
    list_select_related = ["project"]


class CommitteeScoreInline(ReadOnlyInline):
    model = CommitteeScore
    fields = ["project", "score", "scored_at"]
    readonly_fields = fields


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ReadOnlyAdmin):
    """Appointed at the desk; each member's scores, which are final."""

    list_display = ["user", "cycle", "appointed_at"]
    list_filter = ["cycle"]
    list_select_related = ["user", "cycle"]
    inlines = [CommitteeScoreInline]
