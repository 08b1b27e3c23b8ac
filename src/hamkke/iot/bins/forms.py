"""The smart bins' forms: the public filter of the bins, a truck at the desk, a day's plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.models import City
from hamkke.core.web.forms import ServiceForm


class BinFilterForm(forms.Form):
    district = forms.ChoiceField(label=_("District"), required=False)
    due = forms.BooleanField(label=_("Only bins due for collection"), required=False)

    def __init__(self, *args, city: City, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", _("All districts"))] + [
            (d.code, d.display_name) for d in city.districts.all()
        ]


class TruckForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    capacity_litres = forms.IntegerField(label=_("Capacity (litres)"), min_value=1)
    latitude = forms.FloatField(
        label=_("Depot latitude"), widget=forms.NumberInput(attrs={"step": "any"})
    )
    longitude = forms.FloatField(
        label=_("Depot longitude"), widget=forms.NumberInput(attrs={"step": "any"})
    )
    districts = forms.MultipleChoiceField(
        label=_("Districts served (none: the whole city)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Goes out on collections"), required=False, initial=True)

    def __init__(self, *args, city: City, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d.code, d.display_name) for d in city.districts.all()]


class PlanForm(ServiceForm):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
