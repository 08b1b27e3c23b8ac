"""Forms of the citizens' pages of participatory budgeting: the proposal, the projects' filters and
the receipt lookup. Every rule of proposing and voting stays in services.py; the ballot itself is
a plain list of checkboxes read in the view, so that a ballot breaking its rule still reaches the
server and is explained there."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.budget.models import Area, Pool
from hamkke.budget.selectors import PUBLIC_STATUSES
from hamkke.core.models import District
from hamkke.core.web.forms import DomainErrorsInline, coordinate_field


def pool_label(pool: Pool) -> str:
    return f"{pool.display_name} · {pool.budget:,}"


class ProposalForm(DomainErrorsInline, forms.Form):
    """A citizen's proposal: what, in which area, from which pool's money, and where (a point on
    the map, typed coordinates, or only a district)."""

    required_css_class = "required"
    # The service names a refused place (outside the city, too) "location"; the form asks for
    # it as coordinates.
    domain_error_fields = {"location": "latitude"}

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give your proposal a title.")},
        help_text=_("A short name, e.g. “Shade trees on the school road”."),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={"required": _("Say in a sentence or two what the project does.")},
        help_text=_("Up to 500 characters; shown in lists and on the ballot."),
    )
    description = forms.CharField(
        label=_("About the project (optional)"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 10000}),
        help_text=_(
            "Why it is needed and who benefits. It is published: do not write names or phone "
            "numbers."
        ),
    )
    area = forms.ChoiceField(
        label=_("Area"), error_messages={"required": _("Choose the project's area.")}
    )
    pool = forms.ChoiceField(
        label=_("Whose budget"),
        error_messages={"required": _("Choose the budget the project would be paid from.")},
        help_text=_("The citywide budget, or your district's."),
    )
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        help_text=_(
            "Where the project would be, if in one district. A district budget's projects are "
            "in its district."
        ),
    )
    requested_cost = forms.IntegerField(
        label=_("Estimated cost (optional)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Your guess; the department estimates the real cost when it reviews."),
    )
    latitude = coordinate_field(_("Latitude"))
    longitude = coordinate_field(_("Longitude"))
    address = forms.CharField(
        label=_("Place or address (optional)"),
        required=False,
        max_length=300,
        help_text=_("E.g. “the playground behind Mangwon market”."),
    )

    def __init__(
        self, *args, pools: list[Pool], areas: list[Area], districts: list[District], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self._pools = {pool.code: pool for pool in pools}
        self._areas = {area.code: area for area in areas}
        self._districts = {district.code: district for district in districts}
        self.fields["pool"].choices = [("", _("Choose…"))] + [
            (pool.code, pool_label(pool)) for pool in pools
        ]
        self.fields["area"].choices = [("", _("Choose…"))] + [
            (area.code, area.display_name) for area in areas
        ]
        self.fields["district"].choices = [("", _("Not in one district"))] + [
            (district.code, district.display_name) for district in districts
        ]

    def clean_pool(self) -> Pool:
        return self._pools[self.cleaned_data["pool"]]

    def clean_area(self) -> Area:
        return self._areas[self.cleaned_data["area"]]

    def clean_district(self) -> District | None:
        code = self.cleaned_data["district"]
        return self._districts[code] if code else None

    def clean_description(self) -> str:
        # Browsers send line breaks as CRLF; a person counts one character per break.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if self.has_error("latitude") or self.has_error("longitude"):
            return cleaned
        if (latitude is None) != (longitude is None):
            self.add_error(
                "latitude",
                _("Give both the latitude and the longitude, or neither: tap the map to set both."),
            )
        return cleaned

    @property
    def has_point(self) -> bool:
        return self.cleaned_data.get("latitude") is not None


class ProjectFilterForm(forms.Form):
    """The projects list's filters. Whatever is invalid is left out and said on the page."""

    pool = forms.ChoiceField(label=_("Budget"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, pools: list[Pool], areas: list[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self._pools = {pool.code: pool for pool in pools}
        self._areas = {area.code: area for area in areas}
        self.fields["pool"].choices = [("", _("All budgets"))] + [
            (pool.code, pool.display_name) for pool in pools
        ]
        self.fields["area"].choices = [("", _("All areas"))] + [
            (area.code, area.display_name) for area in areas
        ]
        self.fields["status"].choices = [("", _("Any status"))] + [
            (status.value, status.label) for status in PUBLIC_STATUSES
        ]

    def filters(self) -> dict:
        """Keyword arguments for selectors.projects_of: the valid part of the filters."""
        if not self.is_bound:
            return {"statuses": PUBLIC_STATUSES}
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status")
        return {
            "statuses": (status,) if status else PUBLIC_STATUSES,
            "pool": self._pools.get(data.get("pool") or ""),
            "area": self._areas.get(data.get("area") or ""),
        }


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        error_messages={"required": _("Type the code on your receipt.")},
        help_text=_("13 letters and digits, e.g. 0A1B-2C3D-4E5F6; dashes and case do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
