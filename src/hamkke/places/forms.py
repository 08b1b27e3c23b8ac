"""Forms of the places' public pages: the map's filters (which layers, a facility's kind, a WiFi
install type, a district, words in the name), "near me" (a point typed, located by the browser
or found by its address or landmark) and the walk planner (the chosen places, in the order
chosen, and how to walk them). They only parse what was sent: the nearest places and the
shortest order are the selectors'."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hamkke.core.errors import DomainError
from hamkke.core.models import City
from hamkke.core.profiles import Named
from hamkke.core.web.forms import DomainErrorsInline, coordinate_field
from hamkke.places import selectors, services
from hamkke.places.models import PLACE_LAYERS, Layer

# The layers the map and its lists show until a person chooses: the access points are many
# (thousands in Seoul) and are drawn on request.
DEFAULT_LAYERS = [
    Layer.WIFI_SITES.value,
    Layer.CHARGERS.value,
    Layer.FACILITIES.value,
    Layer.EVENTS.value,
    Layer.ROUTES.value,
]
MAX_QUERY = 100
NEAR_COUNTS = (3, 5, 10, 20, 50)
NEAR_RADII = (500, 1_000, 2_000, 5_000, 10_000)


def named_choices(kinds: Sequence[Named], blank: str) -> list[tuple[str, str]]:
    """A profile's kinds (code, name in the page's language) after a blank choice."""
    english = (get_language() or "").startswith("en")
    return [("", blank)] + [
        (kind.code, (kind.name_en if english and kind.name_en else kind.name)) for kind in kinds
    ]


def district_choices(city: City, blank: str) -> list[tuple[str, str]]:
    districts = sorted(city.districts.all(), key=lambda d: d.display_name)
    return [("", blank)] + [(d.code, d.display_name) for d in districts]


def _text_field(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_QUERY,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@dataclass(frozen=True)
class MapFilters:
    layers: list[str]
    kind: str = ""
    install_type: str = ""
    district: str = ""
    q: str = ""

    def kind_of(self, layer: str) -> str:
        """The kind filter that applies to a layer's rows (as the API's `kind` reads it)."""
        if layer == Layer.FACILITIES:
            return self.kind
        if layer in (Layer.WIFI_SITES, Layer.WIFI_APS):
            return self.install_type
        return ""


class MapFilterForm(forms.Form):
    """What the map draws and the lists show. A field that cannot be read is left out (the
    page says so), the others still apply."""

    layers = forms.MultipleChoiceField(
        label=_("Show"),
        required=False,
        choices=Layer.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label=_("Kind of facility"), required=False)
    install_type = forms.ChoiceField(label=_("Where the WiFi is"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    q = _text_field(_("Name contains"))

    def __init__(self, *args, city: City, **kwargs):
        super().__init__(*args, **kwargs)
        section = services.places_settings(city)
        self.fields["kind"].choices = named_choices(section.facility_kinds, _("Every kind"))
        self.fields["install_type"].choices = named_choices(section.install_types, _("Everywhere"))
        self.fields["district"].choices = district_choices(city, _("Every district"))

    def chosen(self) -> MapFilters:
        """The filters that could be read; the defaults for the rest (the default layers on a
        first visit, or when the layers sent could not be read)."""
        if not self.is_bound:
            return MapFilters(layers=list(DEFAULT_LAYERS))
        self.is_valid()
        data = self.cleaned_data
        # A form sent with every layer unticked asks for none (its hidden `shown` field says it
        # was sent); a link naming only a filter gets the default layers.
        layers = data.get("layers")
        if layers is None or (not layers and "shown" not in self.data):
            layers = list(DEFAULT_LAYERS)
        return MapFilters(
            layers=[layer for layer in Layer.values if layer in layers],
            kind=data.get("kind") or "",
            install_type=data.get("install_type") or "",
            district=data.get("district") or "",
            q=data.get("q") or "",
        )


class NearForm(DomainErrorsInline, forms.Form):
    """The point to search around — typed, filled in by the browser's location, or found by an
    address or a landmark — and what to look for there."""

    layer = forms.ChoiceField(label=_("Look for"), choices=Layer.choices, initial=Layer.CHARGERS)
    address = _text_field(
        _("Address or landmark"),
        _("A street address, a station, a landmark or a district."),
    )
    latitude = coordinate_field(_("Latitude"))
    longitude = coordinate_field(_("Longitude"))
    n = forms.TypedChoiceField(
        label=_("How many"),
        coerce=int,
        choices=[(n, str(n)) for n in NEAR_COUNTS],
        initial=10,
        required=False,
        empty_value=10,
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        coerce=int,
        choices=[(m, _("%(km)s km") % {"km": f"{m / 1000:g}"}) for m in NEAR_RADII],
        initial=2_000,
        required=False,
        empty_value=2_000,
    )

    def __init__(
        self, *args, find_places: Callable[[str], Sequence] | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # Given, an address without coordinates is looked up (core's find_places): the best
        # match is the point, the others are offered.
        self.find_places = find_places
        self.found = None
        self.other_places: Sequence = []

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise ValidationError(_("The latitude goes from -90 to 90."))
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise ValidationError(_("The longitude goes from -180 to 180."))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.has_error("latitude") or self.has_error("longitude"):
            return cleaned
        given = [cleaned.get("latitude") is not None, cleaned.get("longitude") is not None]
        if all(given):
            return cleaned
        if any(given):
            self.add_error("latitude", _("Give both the latitude and the longitude."))
            return cleaned
        if cleaned.get("address") and self.find_places is not None:
            self._point_from_address(cleaned)
        else:
            self.add_error(
                "address",
                _("Use your location, or type an address, a landmark or the coordinates."),
            )
        return cleaned

    def _point_from_address(self, cleaned: dict) -> None:
        address = cleaned["address"]
        try:
            found = list(self.find_places(address))
        except DomainError as exc:
            self.add_error("address", exc.message)
            return
        if not found:
            self.add_error(
                "address",
                _(
                    "No place called “%(address)s” was found. Try a landmark, a station or a "
                    "district, or use your location."
                )
                % {"address": address},
            )
            return
        self.found, self.other_places = found[0], found[1:]
        cleaned["latitude"] = self.found.place.latitude
        cleaned["longitude"] = self.found.place.longitude


class PlaceIdsField(forms.Field):
    """Place ids as sent by checkboxes (`place=3&place=7`), in the order sent, each once."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids: list[int] = []
        for item in values:
            written = str(item).strip()
            if not (written.isascii() and written.isdigit()) or len(written) > 12:
                raise ValidationError(_("Choose places from the list."), code="invalid")
            if int(written) not in ids:
                ids.append(int(written))
        return ids


START_FIRST, START_FREE = "first", "free"


class PlanForm(DomainErrorsInline, forms.Form):
    """The planner: the places chosen so far (in the order chosen), a search for more, where
    the walk starts and whether it comes back."""

    place = PlaceIdsField(label=_("Places to visit"), required=False)
    q = _text_field(_("Find places by name or address"))
    layer = forms.ChoiceField(label=_("Among"), required=False)
    kind = forms.ChoiceField(label=_("Kind of facility"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    start = forms.ChoiceField(
        label=_("Start"),
        choices=[
            (START_FIRST, _("At the first place chosen")),
            (START_FREE, _("Wherever makes the walk shortest")),
        ],
        initial=START_FIRST,
        required=False,
        widget=forms.RadioSelect,
    )
    round_trip = forms.BooleanField(
        label=pgettext_lazy("walk", "Come back to the start"), required=False
    )

    def __init__(self, data=None, *args, city: City, **kwargs):
        if data is not None and not data.get("start"):
            data = data.copy()
            data["start"] = START_FIRST
        super().__init__(data, *args, **kwargs)
        section = services.places_settings(city)
        self.fields["layer"].choices = [("", _("All places"))] + [
            (layer.value, layer.label) for layer in PLACE_LAYERS
        ]
        self.fields["kind"].choices = named_choices(section.facility_kinds, _("Every kind"))
        self.fields["district"].choices = district_choices(city, _("Every district"))

    def plan(self) -> selectors.Plan:
        """The shortest order of the chosen places (the form is valid)."""
        data = self.cleaned_data
        return selectors.plan_visits(
            selectors.public_places(data["place"]),
            start_first=data.get("start") != START_FREE,
            round_trip=bool(data.get("round_trip")),
        )
