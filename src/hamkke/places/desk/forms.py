"""Forms of the places desk: a registry's filters, a row of each registry (a WiFi site, an
access point, a charger site, a facility, an event, a route with its stops typed one a line)
and a lending record. They parse what was sent into the values the services take; the services
check them (numbers, points, hours, addresses), and a refusal is shown beside its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.models import City
from hamkke.core.web import bounds
from hamkke.core.web.forms import ServiceForm
from hamkke.places import selectors as places_selectors
from hamkke.places import services
from hamkke.places.desk import selectors
from hamkke.places.desk.editing import StopSpec, values_of
from hamkke.places.forms import district_choices, named_choices
from hamkke.places.models import Event, Layer, Route, Status

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50
HOURS_HELP = _(
    'Days and times, e.g. "Mo-Fr 09:00-18:00; Sa 10:00-14:00", "24/7" or "Mo-Su 10:00-02:00" '
    "for a night past midnight. Leave empty when not known."
)
POINT_HELP = _(
    "Degrees with a decimal point (latitude first: 37.5663 for Seoul), as a map shows them."
)
STOPS_HELP = _(
    'One stop a line, in the order walked: "name; latitude; longitude" (e.g. '
    '"Gyeongbokgung; 37.5796; 126.9770"), or "place:12" for the place numbered 12 on the desk '
    "(its name and point are the place's). At least two, at most 50."
)
MAX_STOP_LINES = 50
# In their own context: the catalogue's "Status" and "Description" are a complaint's.
STATUS_LABEL = pgettext_lazy("place status", "Status")
DESCRIPTION_LABEL = pgettext_lazy("place", "Description")


# --- a registry's list -------------------------------------------------------------------------


class RegistryFilterForm(forms.Form):
    """A list's filters, read from the query string (a GET form, so links keep them). The
    fields that do not apply to the layer are left out."""

    q = forms.CharField(label=_("Name or number contains"), required=False, max_length=100)
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(label=STATUS_LABEL, required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    size = forms.TypedChoiceField(
        label=_("Rows a page"),
        required=False,
        coerce=int,
        choices=[(size, str(size)) for size in PAGE_SIZES],
        initial=DEFAULT_PAGE_SIZE,
    )

    def __init__(self, data, *, layer: str, city: City, **kwargs):
        super().__init__(data, **kwargs)
        section = services.places_settings(city)
        self.fields["district"].choices = district_choices(city, _("Every district"))
        if layer == Layer.EVENTS:
            self.fields["status"].label = _("When")
            self.fields["status"].choices = [
                ("", _("Any time")),
                (selectors.EVENT_CURRENT, _("Not over yet")),
                (selectors.EVENT_OVER, _("Over")),
            ]
        elif layer in selectors.RETIRABLE:
            self.fields["status"].choices = [("", _("Any status")), *Status.choices]
        else:
            del self.fields["status"]
        if layer in (Layer.WIFI_SITES, Layer.WIFI_APS):
            self.fields["kind"].label = _("Where the WiFi is")
            self.fields["kind"].choices = named_choices(section.install_types, _("Everywhere"))
        elif layer == Layer.FACILITIES:
            self.fields["kind"].label = _("Kind of facility")
            self.fields["kind"].choices = named_choices(section.facility_kinds, _("Every kind"))
        else:
            del self.fields["kind"]

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) or ""

    def filters(self) -> selectors.RegistryFilters:
        """The filters that could be read (an unreadable one is shown with its error and left
        out)."""
        return selectors.RegistryFilters(
            query=self.value("q"),
            district=self.value("district"),
            status=self.value("status"),
            kind=self.value("kind"),
        )

    def page_size(self) -> int:
        return self.cleaned_data.get("size") or DEFAULT_PAGE_SIZE


# --- fields ------------------------------------------------------------------------------------


def _text(
    label,
    max_length: int,
    *,
    required: bool = False,
    help_text="",
    rows: int = 0,
    inputmode: str = "",
) -> forms.CharField:
    """Text passed to the service as typed (numbers too: the service reads them, in ordinary
    digits only, and says what is wrong beside the field)."""
    if rows:
        widget = forms.Textarea(attrs={"rows": rows})
    else:
        widget = forms.TextInput(attrs={"inputmode": inputmode} if inputmode else {})
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text, widget=widget
    )


def _number(label, help_text="") -> forms.CharField:
    """A whole number."""
    return _text(label, 20, help_text=help_text, inputmode="numeric")


def _coordinate(label, *, required: bool = True, help_text=POINT_HELP) -> forms.CharField:
    """A latitude or longitude: the service finds the point's district, and explains a point
    outside the city or with its two numbers swapped."""
    return _text(label, 40, required=required, help_text=help_text, inputmode="decimal")


def _moment(label, help_text="") -> forms.DateTimeField:
    """A date and time in the city's time; the service refuses one off the calendar we keep."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _indoor() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Indoor or outdoor"),
        required=False,
        choices=[("", _("Not known")), ("indoor", _("Indoor")), ("outdoor", _("Outdoor"))],
    )


def indoor_word(value: bool | None) -> str:
    return "" if value is None else "indoor" if value else "outdoor"


# --- a row of a registry -----------------------------------------------------------------------


class RegistryForm(ServiceForm):
    """A row of a registry. Adding, the registry's own number is asked for (and must be new);
    editing, it names the row and is not a field. `values()` are what the service takes."""

    layer: str = ""
    ref = forms.CharField(
        label=_("Registry number"),
        max_length=64,
        help_text=_("The registry's own number (a WiFi management number, a site's code)."),
    )

    def __init__(self, *args, city: City, editing: Any = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.city = city
        self.editing = editing
        if editing is not None:
            del self.fields["ref"]

    def offer_current(self, name: str) -> None:
        """Keep a row's value among a field's choices when the profile no longer lists it (an
        install type a file named in its own words), so an edit need not change it."""
        current = getattr(self.editing, name, "") if self.editing is not None else ""
        field = self.fields.get(name)
        if current and field is not None and current not in dict(field.choices):
            field.choices = [*field.choices, (current, current)]

    def clean_ref(self) -> str:
        ref = self.cleaned_data["ref"].strip()
        if selectors.row_by_ref(self.layer, ref) is not None:
            raise ValidationError(
                _(
                    "A row numbered %(ref)s is already in this registry: open it from the list "
                    "to edit it."
                )
                % {"ref": ref}
            )
        return ref

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# The fields of each place layer's form, in the order shown.
_NAMED = ("ref", "name", "name_en")
_OPEN = ("address", "hours", "phone", "url")
_PLACED = ("latitude", "longitude", "status", "description")
PLACE_FORM_FIELDS = {
    Layer.WIFI_SITES: (
        *_NAMED,
        *("kind", "network", "operator", "install_year", "indoor", "address"),
        *_PLACED,
    ),
    Layer.CHARGERS: (
        *_NAMED,
        *("charger_count", "charger_kinds", "operator", "indoor"),
        *_OPEN,
        *_PLACED,
    ),
    Layer.FACILITIES: (*_NAMED, "kind", "operator", *_OPEN, *_PLACED),
}


class PlaceForm(RegistryForm):
    """A WiFi site, a charger site or a facility (the fields its layer uses; an edit keeps the
    others as they are)."""

    name = _text(_("Name"), 200, required=True)
    name_en = _text(_("Name in English"), 200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    network = _text(_("Network"), 64, help_text=_("The telecom company or the city's own."))
    operator = _text(_("Run by"), 200)
    install_year = _number(_("Year installed"))
    indoor = _indoor()
    charger_count = _number(_("Chargers"), help_text=_("How many chargers the site has."))
    charger_kinds = _text(
        _("Connectors"), 200, help_text=_("Separated by commas, e.g. USB-C, Lightning.")
    )
    address = _text(_("Address"), 300)
    hours = _text(_("Opening hours"), 300, help_text=HOURS_HELP)
    phone = _text(_("Phone"), 40)
    url = _text(_("Web site"), 500, help_text=_("Starting with https://."))
    latitude = _coordinate(_("Latitude"))
    longitude = _coordinate(_("Longitude"))
    status = forms.ChoiceField(label=STATUS_LABEL, choices=Status.choices, initial=Status.ACTIVE)
    description = _text(DESCRIPTION_LABEL, 5000, rows=4)

    def __init__(self, *args, layer: str, **kwargs):
        self.layer = layer
        super().__init__(*args, **kwargs)
        shown = PLACE_FORM_FIELDS[layer]
        for name in [name for name in self.fields if name not in shown]:
            del self.fields[name]
        self.order_fields(shown)
        section = services.places_settings(self.city)
        if layer == Layer.WIFI_SITES:
            self.fields["kind"].label = _("Where the WiFi is")
            self.fields["kind"].choices = named_choices(section.install_types, _("Not known"))
            self.fields["operator"].label = _("Installed by")
        elif layer == Layer.FACILITIES:
            self.fields["kind"].label = _("Kind of facility")
            self.fields["kind"].required = True
            self.fields["kind"].choices = named_choices(section.facility_kinds, _("Choose a kind"))
        elif layer == Layer.CHARGERS:
            self.fields["operator"].label = _("Partner")
            self.fields["charger_count"].required = True
        self.offer_current("kind")


class AccessPointForm(RegistryForm):
    layer = Layer.WIFI_APS
    ref = forms.CharField(
        label=_("Management number"),
        max_length=64,
        help_text=_("The access point's own number in the WiFi registry."),
    )
    site_ref = forms.CharField(
        label=_("WiFi site number"),
        max_length=64,
        help_text=_("The registry number of the WiFi site it belongs to."),
    )
    ssid = _text(_("Network name (SSID)"), 64)
    provider = _text(_("Provider"), 64, help_text=_("The telecom company or the city's own."))
    operator = _text(_("Run by"), 200)
    install_type = forms.ChoiceField(label=_("Where the WiFi is"), required=False)
    indoor = _indoor()
    install_year = _number(_("Year installed"))
    latitude = _coordinate(
        _("Latitude"), required=False, help_text=_("Leave both empty for the site's point.")
    )
    longitude = _coordinate(_("Longitude"), required=False, help_text="")
    status = forms.ChoiceField(label=STATUS_LABEL, choices=Status.choices, initial=Status.ACTIVE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = services.places_settings(self.city)
        self.fields["install_type"].choices = named_choices(section.install_types, _("As its site"))
        self.offer_current("install_type")


class EventForm(RegistryForm):
    layer = Layer.EVENTS
    title = _text(_("Title"), 200, required=True)
    title_en = _text(_("Title in English"), 200)
    kind = _text(pgettext_lazy("event", "Kind"), 64, help_text=_("e.g. workshop, festival, tour."))
    venue = _text(_("Venue"), 200)
    address = _text(_("Address"), 300)
    latitude = _coordinate(_("Latitude"))
    longitude = _coordinate(_("Longitude"))
    starts_at = _moment(_("Starts at"), help_text=_("In the city's time."))
    ends_at = _moment(_("Ends at"))
    hours = _text(
        _("Schedule"),
        300,
        help_text=_(
            "For a workshop open on set days between its start and end, e.g. "
            '"Tu-Su 10:00-17:00". Leave empty for a one-off event.'
        ),
    )
    booking_url = _text(_("Booking link"), 500, help_text=_("Starting with https://."))
    languages = _text(
        _("Languages"),
        100,
        help_text=_("Language codes separated by commas, e.g. ko, en, zh."),
    )
    description = _text(DESCRIPTION_LABEL, 5000, rows=4)


def stop_lines(route: Route) -> str:
    """A route's stops as the form shows them: a stop at a place in service as "place:<id>",
    any other as "name; latitude; longitude"."""
    stops = list(route.stops.all())
    public = places_selectors.public_place_ids([s.place_id for s in stops if s.place_id])
    return "\n".join(
        f"place:{stop.place_id}"
        if stop.place_id in public
        else f"{stop.name}; {stop.latitude:.6f}; {stop.longitude:.6f}"
        for stop in stops
    )


def parse_stop_lines(text: str) -> list[StopSpec]:
    """The stops typed one a line (blank lines skipped): "place:<id>" or "name; lat; lon"."""
    specs = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_STOP_LINES:
        raise ValidationError(_("A route has at most 50 stops."))
    for number, line in enumerate(lines, start=1):
        if line.lower().startswith("place:"):
            place_id = bounds.whole_number(line[len("place:") :].strip())
            if place_id is None:
                raise ValidationError(
                    _("Line %(n)s: give the place's number after place:, e.g. place:12.")
                    % {"n": number}
                )
            specs.append(StopSpec(place=place_id))
            continue
        parts = [part.strip() for part in line.split(";")]
        if len(parts) != 3:
            raise ValidationError(
                _(
                    "Line %(n)s: write the stop's name, latitude and longitude separated by "
                    'semicolons ("Gyeongbokgung; 37.5796; 126.9770"), or place:12.'
                )
                % {"n": number}
            )
        specs.append(StopSpec(name=parts[0], latitude=parts[1], longitude=parts[2]))
    return specs


class RouteForm(RegistryForm):
    layer = Layer.ROUTES
    name = _text(_("Name"), 200, required=True)
    name_en = _text(_("Name in English"), 200)
    description = _text(DESCRIPTION_LABEL, 5000, rows=4)
    stops = forms.CharField(
        label=_("Stops"),
        max_length=20_000,
        help_text=STOPS_HELP,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_stops(self) -> list[StopSpec]:
        return parse_stop_lines(self.cleaned_data["stops"])

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "stops"}


def initial_of(row: Any) -> dict[str, Any]:
    """What an edit's form starts from: the row's values as its fields show them."""
    initial = values_of(row)
    if "indoor" in initial:
        initial["indoor"] = indoor_word(initial["indoor"])
    if isinstance(row, Event):
        initial["languages"] = ", ".join(code for code in row.languages.split(",") if code)
    if isinstance(row, Route):
        initial["stops"] = stop_lines(row)
    return initial


def registry_form(layer: str, data=None, *, city: City, editing: Any = None, initial=None):
    """The form of a layer's row, bound to `data` when sent."""
    kwargs = {"city": city, "editing": editing, "initial": initial}
    if layer in selectors.PLACE_LAYER_VALUES:
        return PlaceForm(data, layer=layer, **kwargs)
    form_class = {
        Layer.WIFI_APS: AccessPointForm,
        Layer.EVENTS: EventForm,
        Layer.ROUTES: RouteForm,
    }[Layer(layer)]
    return form_class(data, **kwargs)


# --- lending -----------------------------------------------------------------------------------


class LendingForm(ServiceForm):
    event_name = _text(_("City event"), 200, required=True)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    venue = _text(_("Venue"), 200)
    district = forms.ChoiceField(label=_("District"), required=False)
    chargers_lent = _number(_("Chargers lent"))
    citizens_served = _number(_("Citizens served"))

    def __init__(self, *args, city: City, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = district_choices(city, _("Not in one district"))
        for name in ("chargers_lent", "citizens_served"):
            self.fields[name].required = True
