"""The forms of parking sharing's pages: a time span (reserving, sharing), a spot's reference
(claiming), a holder's registration and a new lot (the desk)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.web.forms import ServiceForm

MOMENT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SpanForm(ServiceForm):
    start = forms.DateTimeField(label=_("From"), widget=MOMENT_WIDGET)
    end = forms.DateTimeField(label=_("Until"), widget=MOMENT_WIDGET)


class ClaimForm(ServiceForm):
    spot = forms.CharField(label=_("The spot's reference (on its sign or sensor)"), max_length=64)


class HolderForm(ServiceForm):
    spot = forms.CharField(label=_("Spot reference"), max_length=64)
    email = forms.EmailField(label=_("The holder's email address"))


class LotForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    latitude = forms.FloatField(label=_("Latitude"))
    longitude = forms.FloatField(label=_("Longitude"))
