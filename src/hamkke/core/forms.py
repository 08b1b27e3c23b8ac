"""Forms of core's pages, and the one way every app's form shows a domain error inline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.errors import DomainError
from hamkke.core.selectors import PreferenceRow
from hamkke.core.services import COMMENT_MAX_CHARS, REASON_MAX_CHARS


class DomainErrorsInline:
    """Mix into any form: `form.add_domain_error(exc)` puts a service's refusal beside the field
    it names, or at the top of the form when it names none (or one the form lacks)."""

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)


class ServiceForm(DomainErrorsInline, forms.Form):
    """A plain form whose data goes to a service."""


class CommentForm(ServiceForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be kind and stay on topic. Others see your display name, never your email."),
    )


class ReasonForm(ServiceForm):
    """Why a comment is reported, or why a moderator hides it."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_CHARS)


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
