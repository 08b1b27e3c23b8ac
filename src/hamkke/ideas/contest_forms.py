"""Forms of the contests' pages and desk screens: entering an idea, a juror's scores, creating a
contest (its award tiers written as lines "name | amount | winners") and appointing a juror by
email. They parse; the services decide and word the refusals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.accounts import selectors as account_selectors
from hamkke.core.web.forms import ServiceForm
from hamkke.ideas.models import Idea, Theme
from hamkke.ideas.services import BODY_LIMIT, TITLE_LIMIT

TIER_LINES_HELP = _(
    "One tier per line, best first: name | prize amount | winners, e.g. “Grand prize | "
    "10000000 | 1”."
)


class EntryForm(ServiceForm):
    """An idea entered into a contest: its theme is the contest's when the contest has one."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_LIMIT)
    body = forms.CharField(
        label=pgettext_lazy("contest", "Your idea"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    theme = forms.ModelChoiceField(
        label=pgettext_lazy("contest", "Theme"), queryset=Theme.objects.none()
    )

    def __init__(self, *args: Any, themes: Sequence[Theme], fixed: Theme | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fixed_theme = fixed
        if fixed is not None:
            # The contest decides the theme: no field to choose another.
            del self.fields["theme"]
        else:
            field = self.fields["theme"]
            field.queryset = Theme.objects.filter(pk__in=[t.pk for t in themes])
            field.label_from_instance = lambda theme: theme.display_name

    def chosen_theme(self) -> Theme:
        return self.fixed_theme or self.cleaned_data["theme"]


class JuryForm(ServiceForm):
    """A juror's scores, 0 to 100, one field per entry (`score_<idea id>`); a field left empty
    is an entry not scored yet."""

    def __init__(self, *args: Any, entries: Sequence[Idea], scores: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for idea in self.entries:
            self.fields[self.field_name(idea)] = forms.IntegerField(
                label=idea.title,
                required=False,
                min_value=0,
                max_value=100,
                initial=scores.get(idea.pk),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
            )

    @staticmethod
    def field_name(idea: Idea) -> str:
        return f"score_{idea.pk}"

    def rows(self) -> list[tuple[Idea, forms.BoundField]]:
        return [(idea, self[self.field_name(idea)]) for idea in self.entries]

    def given(self) -> list[tuple[Idea, int]]:
        """The entries given a score, with it."""
        return [
            (idea, self.cleaned_data[self.field_name(idea)])
            for idea in self.entries
            if self.cleaned_data.get(self.field_name(idea)) is not None
        ]


def datetime_field(label: Any) -> forms.DateTimeField:
    """A moment typed in the city's time zone (the site's TIME_ZONE), to the minute."""
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def tier_lines(text: str) -> list[tuple[str, int, int]]:
    """Award tiers from lines "name | amount | winners" (amount with or without thousands
    separators; winners 1 when left out). ValidationError naming the line that is wrong."""
    tiers = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) == 2:
            parts.append("1")
        amount = parts[1].replace(",", "").replace("_", "") if len(parts) == 3 else ""
        if (
            len(parts) != 3
            or not parts[0]
            or not (amount.isascii() and amount.isdigit())
            or not (parts[2].isascii() and parts[2].isdigit())
        ):
            raise forms.ValidationError(
                _("Line %(number)s: write name | prize amount | winners."),
                params={"number": number},
            )
        tiers.append((parts[0], int(amount), int(parts[2])))
    return tiers


class ContestForm(ServiceForm):
    """What services.create_contest takes."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("contest", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme (empty: any theme)"), queryset=Theme.objects.none(), required=False
    )
    submissions_open = datetime_field(_("Submissions open"))
    voting_opens = datetime_field(_("Public vote opens"))
    jury_opens = datetime_field(_("Jury opens"))
    ends = datetime_field(_("Ends"))
    jury_weight = forms.IntegerField(
        label=_("Jury weight (%)"), min_value=0, max_value=100, initial=70
    )
    public_weight = forms.IntegerField(
        label=_("Public vote weight (%)"), min_value=0, max_value=100, initial=30
    )
    votes_per_person = forms.IntegerField(
        label=_("Votes per person"), min_value=1, max_value=50, initial=3
    )
    currency = forms.CharField(
        label=_("Currency of the prizes (ISO code)"), min_length=3, max_length=3, initial="KRW"
    )
    tiers = forms.CharField(
        label=_("Award tiers"), widget=forms.Textarea(attrs={"rows": 4}), help_text=TIER_LINES_HELP
    )
    domain_error_fields = {"dates": "ends"}

    def __init__(self, *args: Any, themes: Sequence[Theme], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["theme"]
        field.queryset = Theme.objects.filter(pk__in=[t.pk for t in themes])
        field.label_from_instance = lambda theme: theme.display_name

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        if not (code.isascii() and code.isalpha()):
            raise forms.ValidationError(_("Give the currency's three-letter code, e.g. KRW."))
        return code

    def clean_tiers(self) -> list[tuple[str, int, int]]:
        return tier_lines(self.cleaned_data["tiers"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        jury, public = cleaned.get("jury_weight"), cleaned.get("public_weight")
        if jury is not None and public is not None and jury + public != 100:
            self.add_error("public_weight", _("The two weights add up to 100."))
        return cleaned

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class JurorForm(ServiceForm):
    """A juror named by the email address of their account."""

    email = forms.EmailField(label=_("Email address of the juror's account"))

    def clean_email(self) -> Any:
        user = account_selectors.user_by_email(self.cleaned_data["email"], active_only=True)
        if user is None:
            raise forms.ValidationError(
                _("No account has this email address: the juror signs up first.")
            )
        return user
