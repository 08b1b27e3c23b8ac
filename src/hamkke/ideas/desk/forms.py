"""Forms of the Oasis desk: the department's answer, sending an idea to review and adding a
reviewer, the meeting's decision, implementation updates, carrying an adopted idea into the
budget or a poll, hiding an idea, appointing experts and creating review meetings. They parse;
the services decide and word the refusals (an answer after its deadline, a decision before
every score, a poll closing before it opens …)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.web.forms import ServiceForm
from hamkke.ideas.models import Expert, Implementation, ReviewMeeting, State

NOTE_ROWS = 5


def _text_area(label, *, required: bool = True, rows: int = NOTE_ROWS) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _moment_field(label) -> forms.DateTimeField:
    """A moment typed in the city's time zone (the site's TIME_ZONE), to the minute."""
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _day_field(label) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _expert_label(expert: Expert) -> str:
    return f"{expert.user.email} · {expert.field}" if expert.field else expert.user.email


class AnswerForm(ServiceForm):
    """The department's written answer, shown on the idea's public timeline."""

    domain_error_fields = {"answer": "text"}
    text = _text_area(_("The department's answer, for everyone to read"), rows=8)


class StartReviewForm(ServiceForm):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts who review it"),
        queryset=Expert.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        # Empty is the service's to refuse, in its words.
        required=False,
    )

    def __init__(self, *args, experts: QuerySet[Expert], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts
        self.fields["experts"].label_from_instance = _expert_label


class ReviewerForm(ServiceForm):
    expert = forms.ModelChoiceField(label=_("Another expert"), queryset=Expert.objects.none())

    def __init__(self, *args, experts: QuerySet[Expert], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts
        self.fields["expert"].label_from_instance = _expert_label


OUTCOMES = [
    (State.ADOPTED, State.ADOPTED.label),
    (State.PARTLY_ADOPTED, State.PARTLY_ADOPTED.label),
    (State.NOT_ADOPTED, State.NOT_ADOPTED.label),
]


class DecisionForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=_("The meeting's decision"), choices=OUTCOMES, widget=forms.RadioSelect
    )
    reasons = _text_area(_("Reasons, for everyone to read"))
    meeting = forms.ModelChoiceField(
        label=_("Review meeting"), queryset=ReviewMeeting.objects.none()
    )

    def __init__(self, *args, meetings: QuerySet[ReviewMeeting], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class ProgressForm(ServiceForm):
    """An implementation update; the service checks the percentage, the date and the link."""

    on = _day_field(_("Date"))
    status = forms.ChoiceField(
        label=pgettext_lazy("idea", "Implementation"), choices=Implementation.choices
    )
    progress = forms.IntegerField(label=_("Progress (%)"))
    text = _text_area(_("What was done, for everyone to read"))
    link = forms.CharField(
        label=_("Link (a web address or a page of this site; optional)"),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class BudgetPromotionForm(ServiceForm):
    """An adopted idea as a proposal of a participatory budget pool taking proposals now. The
    pools and areas are what budget's selectors read; `area` is cleaned to the area itself."""

    pool = forms.ModelChoiceField(label=_("Budget pool"), queryset=None)
    area = forms.ChoiceField(label=_("Project area"))
    summary = forms.CharField(
        label=_("Summary (empty: the start of the idea)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requested_cost = forms.IntegerField(label=_("Requested cost (optional)"), required=False)

    def __init__(self, *args, pools: QuerySet, areas: Sequence[Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools
        self.fields["pool"].label_from_instance = lambda pool: (
            f"{pool.cycle.title} · {pool.display_name}"
        )
        self.areas = {str(area.pk): area for area in areas}
        self.fields["area"].choices = [(pk, area.display_name) for pk, area in self.areas.items()]

    def clean_area(self) -> Any:
        return self.areas[self.cleaned_data["area"]]


class PollPromotionForm(ServiceForm):
    """An adopted idea put to the citizens as a poll of one question."""

    # The polls' service names its one question "questions.1".
    domain_error_fields = {"questions.1": "options"}
    question = forms.CharField(label=_("Question"), max_length=300)
    options = _text_area(_("Options, one per line"), rows=4)
    opens_at = _moment_field(_("Opens at"))
    closes_at = _moment_field(_("Closes at"))

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class ModerationForm(ServiceForm):
    hidden = forms.TypedChoiceField(
        choices=[("1", _("Hide")), ("0", pgettext_lazy("moderation", "Show"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), required=False)


class ExpertForm(ServiceForm):
    email = forms.EmailField(label=_("Email address of the expert's account"))
    field = forms.CharField(label=_("Field of expertise"), max_length=200, required=False)


class MeetingForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = _day_field(_("Held on"))
    minutes = _text_area(_("Minutes (optional)"), required=False, rows=6)
