"""Forms of the M-Voting desk: a poll and its questions (a repeated block of question slots,
enough without JavaScript), approving or rejecting a citizen's proposal, making voting codes,
an option's image and the city's decision. They parse; the services decide and word the
refusals (a poll closing before it opens, an option given twice …)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django import forms
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.errors import DomainError
from hamkke.core.models import City, Department, District
from hamkke.core.web.forms import ServiceForm
from hamkke.polls.models import Eligibility, Kind, Outcome, Poll, Question
from hamkke.polls.services import MAX_QUESTIONS, PollDraft, QuestionDraft

# Question slots on an empty poll form: enough for most polls with no script to add more.
QUESTION_SLOTS = 5
LIVE, AFTER = "live", "after"


def datetime_field(label, *, required: bool = True) -> forms.DateTimeField:
    """A moment typed in the city's time zone (the site's TIME_ZONE), to the minute."""
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def department_field(label, departments: Sequence[Department]) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=label,
        queryset=Department.objects.filter(pk__in=[d.pk for d in departments]).order_by("name"),
    )
    field.label_from_instance = lambda department: department.display_name
    if len(departments) == 1:
        field.initial = departments[0].pk
    return field


def option_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(forms.Form):
    """One question slot; a slot left empty is no question."""

    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.SINGLE)
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A scale needs none (1 to 5), or five labels."),
    )
    max_choices = forms.IntegerField(
        label=_("At most this many choices (several choices only; empty: any number)"),
        required=False,
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)

    def given(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data.get("text") or option_lines(data.get("options", "")))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("text") and option_lines(cleaned.get("options", "")):
            self.add_error("text", _("Write the question these options answer."))
        return cleaned

    def draft(self) -> QuestionDraft:
        data = self.cleaned_data
        return QuestionDraft(
            text=data["text"],
            kind=data["kind"],
            options=option_lines(data["options"]),
            max_choices=data.get("max_choices"),
            required=bool(data.get("required")),
        )


class PollForm(ServiceForm):
    """A poll's settings and its questions: what services.create_poll and change_poll take.
    A service's refusal of a question is shown beside that question."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("poll", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    opens_at = datetime_field(_("Opens at"))
    closes_at = datetime_field(_("Closes at"))
    results = forms.ChoiceField(
        label=_("Results"),
        choices=[(AFTER, _("Shown after the poll closes")), (LIVE, _("Shown while it runs"))],
        initial=AFTER,
        widget=forms.RadioSelect,
    )
    revote = forms.BooleanField(
        label=_("Voters may change their ballot while the poll is open"), required=False
    )
    eligibility = forms.ChoiceField(
        label=_("Who may vote"),
        choices=Eligibility.choices,
        initial=Eligibility.VERIFIED,
        widget=forms.RadioSelect,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Districts (residents of districts only)"),
        queryset=District.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    age_min = forms.IntegerField(label=_("Youngest age (age range only)"), required=False)
    age_max = forms.IntegerField(label=_("Oldest age (age range only)"), required=False)

    def __init__(
        self,
        data=None,
        *,
        city: City,
        departments: Sequence[Department],
        questions: Sequence[dict[str, Any]] = (),
        **kwargs,
    ):
        super().__init__(data, **kwargs)
        self.fields["department"] = department_field(_("Department"), departments)
        self.fields["districts"].queryset = District.objects.filter(city=city).order_by("name")
        self.fields["districts"].label_from_instance = lambda district: district.display_name
        slots = min(MAX_QUESTIONS, max(QUESTION_SLOTS, len(questions) + 2))
        formset = forms.formset_factory(
            QuestionForm,
            extra=slots - len(questions),
            max_num=MAX_QUESTIONS,
            absolute_max=MAX_QUESTIONS,
            validate_max=True,
        )
        self.questions = formset(data, initial=list(questions), prefix="q")

    @classmethod
    def initial_of(cls, poll: Poll, questions: Sequence[Question]) -> dict[str, Any]:
        """What the form shows to change `poll` (questions as `questions_of` reads them)."""
        return {
            "initial": {
                "title": poll.title,
                "description": poll.description,
                "department": poll.department_id,
                "opens_at": localtime(poll.opens_at),
                "closes_at": localtime(poll.closes_at),
                "results": LIVE if poll.results_live else AFTER,
                "revote": poll.revote,
                "eligibility": poll.eligibility,
                "districts": [d.pk for d in poll.districts.all()],
                "age_min": poll.age_min,
                "age_max": poll.age_max,
            },
            "questions": [
                {
                    "text": q.text,
                    "kind": q.kind,
                    "options": "\n".join(o.text for o in q.options.all()),
                    "max_choices": q.max_choices,
                    "required": q.required,
                }
                for q in questions
            ],
        }

    def is_valid(self) -> bool:
        # Both, so that both show their errors.
        valid = super().is_valid()
        return self.questions.is_valid() and valid

    def given_questions(self) -> list[QuestionForm]:
        return [form for form in self.questions.forms if form.given()]

    def add_domain_error(self, exc: DomainError) -> None:
        # The services name a question "questions.N", N counting the questions given.
        if exc.field and exc.field.startswith("questions."):
            given = self.given_questions()
            number = int(exc.field.split(".", 1)[1])
            if 1 <= number <= len(given):
                given[number - 1].add_error(None, exc.message)
                return
        super().add_domain_error(exc)

    def draft(self) -> PollDraft:
        data = self.cleaned_data
        moments: dict[str, datetime] = {k: data[k] for k in ("opens_at", "closes_at")}
        return PollDraft(
            title=data["title"],
            description=data["description"],
            questions=[form.draft() for form in self.given_questions()],
            eligibility=data["eligibility"],
            districts=list(data["districts"]),
            age_min=data.get("age_min"),
            age_max=data.get("age_max"),
            results_live=data["results"] == LIVE,
            revote=bool(data.get("revote")),
            **moments,
        )


class ApproveForm(ServiceForm):
    """A citizen's proposal taken on by a department; it opens now or when given."""

    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    opens_at = datetime_field(_("Opens at (empty: now)"), required=False)
    closes_at = datetime_field(
        _("Closes at (empty: the profile's number of days after it opens)"), required=False
    )

    def __init__(self, *args, departments: Sequence[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = department_field(_("Department taking it on"), departments)


class RejectForm(ServiceForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    reason = forms.CharField(
        label=_("Reason, shown to the proposer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, departments: Sequence[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"] = department_field(_("Department deciding"), departments)


class CodesForm(ServiceForm):
    # The limits are the service's (services.MAX_CODES_AT_ONCE), worded there.
    count = forms.IntegerField(label=_("How many codes"), initial=100)


class OptionImageForm(ServiceForm):
    image = forms.FileField(label=_("Photo"), required=False)
    remove = forms.BooleanField(label=_("Remove the photo"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("image") and not cleaned.get("remove"):
            raise forms.ValidationError(_("Choose a photo, or tick “Remove the photo”."))
        return cleaned


class DecisionForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=_("What the city decided"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("The decision, for everyone to read"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
