"""The form of a person's notification preferences."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.notifications.selectors import PreferenceRow
from hamkke.core.web.forms import ServiceForm


class NotificationPreferencesForm(ServiceForm):
    """Two checkboxes per kind of notification: in the site, and by email."""

    def __init__(self, *args, rows: list[PreferenceRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"{row.kind}__in_site"] = forms.BooleanField(
                label=_("On this site"), required=False, initial=row.in_site
            )
            self.fields[f"{row.kind}__email"] = forms.BooleanField(
                label=_("By email"), required=False, initial=row.email
            )

    def kinds(self):
        """Rows for the template: the kind's label with its two bound fields."""
        for row in self.rows:
            yield row, self[f"{row.kind}__in_site"], self[f"{row.kind}__email"]

    def preferences(self) -> dict[str, tuple[bool, bool]]:
        return {
            row.kind: (
                self.cleaned_data[f"{row.kind}__in_site"],
                self.cleaned_data[f"{row.kind}__email"],
            )
            for row in self.rows
        }
