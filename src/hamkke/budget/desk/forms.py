"""Forms of the participatory budgeting desk: a new cycle and its pools, the review queue's filters
and a proposal's review, the paper-ballot booth, the survey upload, the committee (appointing
members, and a member's score) and implementation updates. They parse; the services decide."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.accounts import selectors as account_selectors
from hamkke.budget import scoring
from hamkke.budget.models import (
    PHASE_STARTS,
    Area,
    BallotKind,
    Implementation,
    Pool,
    Project,
    ProjectStatus,
)
from hamkke.budget.services import MAX_SURVEY_BYTES
from hamkke.core.models import City, Department, District
from hamkke.core.web.forms import ServiceForm

# Paths under the desk that a cycle's slug would shadow (see desk/urls.py).
RESERVED_SLUGS = ("new", "committee")
ANY = "any"


def _datetime_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _percent_field(label, initial: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=100, initial=initial)


class CycleForm(ServiceForm):
    """A new cycle: its names, the department that runs it, the six phase starts, the weights of
    the three channels of the score and the selection rule."""

    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=64,
        help_text=_("Letters, digits and hyphens, e.g. 2027. It is part of every page's address."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    description = forms.CharField(
        label=pgettext_lazy("budget cycle", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    department = forms.ModelChoiceField(
        label=_("Department running the cycle"), queryset=Department.objects.none()
    )
    proposals_from = _datetime_field(_("Proposals open"))
    review_from = _datetime_field(_("Review starts"))
    voting_from = _datetime_field(_("Voting opens"))
    scoring_from = _datetime_field(_("Voting closes; committee scoring starts"))
    results_from = _datetime_field(_("Results phase starts"))
    implementation_from = _datetime_field(_("Implementation starts"))
    weight_vote = _percent_field(_("Weight of the vote (%)"), 45)
    weight_survey = _percent_field(_("Weight of the survey (%)"), 10)
    weight_committee = _percent_field(_("Weight of the committee (%)"), 45)
    rule = forms.ChoiceField(
        label=_("Selection rule"),
        choices=[(rule, rule) for rule in scoring.SCORE_RULES + scoring.BALLOT_RULES],
        initial="greedy",
        help_text=_(
            "greedy: the best final scores while the money lasts. greedy-threshold: only projects "
            "with at least the minimum score. knapsack and MES read the ballots only (put all "
            "the weight on the vote)."
        ),
    )
    min_score = _percent_field(_("Minimum score (points, greedy-threshold only)"), 0)

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            pk__in=[d.pk for d in departments]
        ).order_by("name")
        if len(departments) == 1:
            self.fields["department"].initial = departments[0].pk

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is reserved; choose another."), params={"slug": slug}
            )
        return slug

    def dates(self) -> dict[str, datetime]:
        return {field: self.cleaned_data[field] for _phase, field in PHASE_STARTS}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "slug": data["slug"],
            "title": data["title"],
            "title_en": data["title_en"],
            "description": data["description"],
            "department": data["department"],
            "dates": self.dates(),
            "weights": scoring.Weights(
                vote=data["weight_vote"],
                survey=data["weight_survey"],
                committee=data["weight_committee"],
            ),
            "rule": data["rule"],
            "min_score": data["min_score"],
        }


class PoolForm(ServiceForm):
    """Money to spend in a cycle, for the whole city or one district, with its kind of ballot."""

    code = forms.SlugField(
        label=_("Code"), max_length=64, help_text=_("Short and unique in the cycle, e.g. jongno.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Citywide (every resident votes)"),
    )
    budget = forms.IntegerField(label=_("Budget (whole currency units)"), min_value=1)
    ballot_kind = forms.ChoiceField(label=_("Ballot"), choices=BallotKind.choices)
    max_choices = forms.IntegerField(
        label=_("Most projects one may pick"),
        min_value=1,
        required=False,
        help_text=_("Approval ballots; leave empty for no limit."),
    )
    min_spend_percent = forms.IntegerField(
        label=_("Least share of the budget a ballot spends (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        help_text=_("Knapsack ballots."),
    )

    def __init__(self, *args, city: City, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.filter(city=city).order_by("name")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["min_spend_percent"] = data.get("min_spend_percent") or 0
        return data


# --- review ------------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    """The review queue's filters, read from the query string."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    pool = forms.ChoiceField(label=_("Pool"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    department = forms.ChoiceField(label=_("Reviewing department"), required=False)

    def __init__(self, data, *, pools: list[Pool], areas: list[Area], departments, **kwargs):
        super().__init__(data, **kwargs)
        self.pools = {pool.code: pool for pool in pools}
        self.areas = {area.code: area for area in areas}
        self.departments = {department.code: department for department in departments}
        self.fields["status"].choices = [*ProjectStatus.choices, (ANY, _("Any status"))]
        self.fields["pool"].choices = [("", _("All pools"))] + [
            (pool.code, pool.display_name) for pool in pools
        ]
        self.fields["area"].choices = [("", _("All areas"))] + [
            (area.code, area.display_name) for area in areas
        ]
        self.fields["department"].choices = [("", _("Any department"))] + [
            (department.code, department.display_name) for department in departments
        ]

    def statuses(self) -> tuple[str, ...] | None:
        status = self.cleaned_data.get("status") or ProjectStatus.PROPOSED
        return None if status == ANY else (status,)

    def chosen_pool(self) -> Pool | None:
        return self.pools.get(self.cleaned_data.get("pool") or "")

    def chosen_area(self) -> Area | None:
        return self.areas.get(self.cleaned_data.get("area") or "")

    def chosen_department(self) -> Department | None:
        return self.departments.get(self.cleaned_data.get("department") or "")


class ReviewForm(ServiceForm):
    """The reviewing department's decision on a proposal."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", _("Accept: put it on the ballot")),
            ("reject", _("Reject: not feasible")),
        ],
    )
    cost = forms.IntegerField(
        label=_("Estimated cost (whole currency units)"),
        required=False,
        min_value=1,
        help_text=_("Needed to accept; voters see it on the ballot."),
    )
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Change it when the proposal belongs to another area."),
    )
    reasons = forms.CharField(
        label=_("Reasons (public)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed to reject. The proposer and the public read them."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault(
            "initial",
            {"cost": project.cost or project.requested_cost, "area": project.area_id},
        )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(city_id=project.cycle.city_id)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "accept": data["decision"] == "accept",
            "cost": data.get("cost"),
            "area": data.get("area"),
            "reasons": data.get("reasons", ""),
        }


class RouteForm(ServiceForm):
    department = forms.ModelChoiceField(
        label=_("Send for review to"), queryset=Department.objects.none()
    )

    def __init__(self, *args, city: City, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(city=city).order_by("name")


# --- the paper-ballot booth --------------------------------------------------------------------


class BoothForm(ServiceForm):
    """At the booth: whose ballot paper it is (the number on their ID card). No marks: the
    resident marks the paper alone and drops it into the box."""

    resident_id = forms.CharField(
        label=_("Resident registration number (from the ID card)"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "inputmode": "numeric",
                "placeholder": "900101-1234567",
            }
        ),
    )


class PaperBallotForm(ServiceForm):
    """One paper from a booth's ballot box: the marked projects. No name: the box mixed the
    papers, and the form never asks whose a paper is."""

    choices = forms.MultipleChoiceField(
        label=_("Projects marked on the ballot paper"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    blank = forms.BooleanField(
        label=_("The ballot paper has no mark (store it as a void ballot)"),
        required=False,
    )

    def __init__(self, *args, projects: list[Project], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [
            (
                project.code,
                f"{project.code} · {project.title} ({project.area.display_name}, {project.cost:,})",
            )
            for project in projects
        ]

    def clean(self):
        cleaned = super().clean()
        # Enter submits the form: an unmarked paper must be meant, or a paper of the box would
        # be spent by a slip of the finger.
        if not cleaned.get("choices") and not cleaned.get("blank"):
            raise ValidationError(
                _(
                    "Tick the projects marked on the ballot paper, or confirm that the paper has "
                    "no mark."
                ),
                code="no_marks",
            )
        return cleaned


# --- survey and committee ----------------------------------------------------------------------


class SurveyForm(ServiceForm):
    file = forms.FileField(
        label=_("Survey results (CSV)"),
        help_text=_(
            "UTF-8 text with the header “project,score” and one line per project on the "
            "ballots: its code and its score (a number, 0 or more). A new file replaces the "
            "scores imported before."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SURVEY_BYTES:
            raise ValidationError(_("The survey file is larger than 2 MB."))
        return upload


class AppointForm(ServiceForm):
    email = forms.EmailField(
        label=_("Email of the member's account"),
        help_text=_("Members sign up on this site first; they need no official role."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        self.member = account_selectors.user_by_email(email, active_only=True)
        if self.member is None:
            raise ValidationError(
                _("No account uses that email. Ask the person to sign up first, then appoint them.")
            )
        return email


class ScoreForm(ServiceForm):
    """A committee member's score of one project."""

    project = forms.CharField(widget=forms.HiddenInput)
    score = forms.IntegerField(
        label=_("Score (0–100)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )


class ImplementationForm(ServiceForm):
    implementation = forms.ChoiceField(label=_("Status"), choices=Implementation.choices)
    note = forms.CharField(
        label=_("Note (public)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
