"""The filters of the IoT pages: the public map's (kind of asset, district) and the device
registry's (kind of device, district, status, health, words). A filter that cannot be read is
left out and said above the list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.iot.models import AssetKind, DeviceStatus, Kind
from hamkke.iot.pages.selectors import DeviceFilters, MapFilters

EVERY = [("", _("All"))]


def _district_choices(districts) -> list[tuple[str, str]]:
    return EVERY + [(d.code, d.display_name) for d in districts]


class _Filters(forms.Form):
    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = _district_choices(districts)

    def kept(self) -> dict[str, str]:
        """The fields that could be read (an invalid one is left out)."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class MapFilterForm(_Filters):
    kind = forms.ChoiceField(
        label=_("Kind of place"), required=False, choices=EVERY + AssetKind.choices
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def chosen(self) -> MapFilters:
        return MapFilters(**self.kept())


HEALTH_CHOICES = [
    ("silent", _("Silent for an hour or more")),
    ("low", _("Battery under 20 %")),
]


class DeviceFilterForm(_Filters):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=EVERY + Kind.choices)
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=EVERY + DeviceStatus.choices
    )
    health = forms.ChoiceField(label=_("Health"), required=False, choices=EVERY + HEALTH_CHOICES)
    q = forms.CharField(label=_("Number, reference or model"), required=False, max_length=100)

    def chosen(self) -> DeviceFilters:
        kept = self.kept()
        kept["query"] = kept.pop("q", "")
        return DeviceFilters(**kept)
