"""Forms of the accounts pages: sign-up's extra field, profile, verification, census upload,
departments' members and account deletion. They parse input; the services decide."""

from __future__ import annotations

from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.accounts.models import Role

_ONE_TIME_CODE = {"autocomplete": "one-time-code", "inputmode": "numeric"}


class CitizenSignupForm(SignupForm):
    """allauth's email and password sign-up, plus the name shown publicly. The adapter stores
    it (AccountAdapter.save_user)."""

    display_name = forms.CharField(
        label=_("Display name (shown publicly, optional)"),
        max_length=80,
        required=False,
        help_text=_("Your email address is never shown to other people."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown with what you write. Leave empty to appear as “Citizen”."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class PhoneStartForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=32,
        help_text=_("We text a 6-digit code to this number. The number itself is not stored."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs=_ONE_TIME_CODE),
    )


class CensusVerifyForm(forms.Form):
    name = forms.CharField(
        label=_("Name, as in the residents register"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("As YYYY-MM-DD, e.g. 1990-01-31."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    resident_id = forms.CharField(
        label=_("Resident registration number"),
        max_length=40,
        help_text=_("Only a keyed hash of it is compared; the number is not stored."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class CensusUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Residents register (CSV)"),
        help_text=_(
            "UTF-8 CSV with the columns resident_id, name, birth_date (YYYY-MM-DD) and "
            "district_code. If any row is wrong, nothing is stored."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of the person's account"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.TypedChoiceField(label=_("Role"), choices=Role.choices, coerce=int)


class MemberRoleForm(forms.Form):
    role = forms.TypedChoiceField(label=_("Role"), choices=Role.choices, coerce=int)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be deleted for good."),
    )
