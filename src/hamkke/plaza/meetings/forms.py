"""The public meetings list's filters: a committee and a month. Whatever is invalid is left out
and said on the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.errors import InvalidInput
from hamkke.plaza.meetings import selectors
from hamkke.plaza.models import Committee


class MeetingFilterForm(forms.Form):
    committee = forms.ChoiceField(label=_("Committee"), required=False)
    month = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
        help_text=_("YYYY-MM"),
    )

    def __init__(self, *args, committees: list[Committee], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", _("All committees"))] + [
            (str(committee.pk), committee.display_name) for committee in committees
        ]

    def clean_month(self):
        text = self.cleaned_data["month"]
        if not text:
            return None
        try:
            return selectors.month_of(text)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def filters(self) -> selectors.MeetingFilters:
        """The valid part of the filters."""
        if not self.is_bound:
            return selectors.MeetingFilters()
        self.is_valid()
        data = self.cleaned_data
        committee = data.get("committee")
        return selectors.MeetingFilters(
            committee=int(committee) if committee else None, month=data.get("month")
        )
