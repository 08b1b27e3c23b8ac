"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CitizenSignupForm(forms.Form):
    """Extra sign-up fields, on top of allauth's email and password."""

    display_name = forms.CharField(
        label=_("Display name (shown publicly, optional)"), max_length=80, required=False
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])
