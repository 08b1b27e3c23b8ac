"""Forms of the Oasis's citizens' pages: the list's filters, writing an idea (with its place,
photos and co-authors, and the similar ideas the person has already been shown), an expert's
rubric scores and rescue. They only parse what was sent: every rule stays in services.py and
policies.py, whose refusals the forms show beside the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from hamkke.accounts import selectors as account_selectors
from hamkke.core.media.files import photo_formats
from hamkke.core.models import District
from hamkke.core.web.bounds import whole_number
from hamkke.core.web.forms import DomainErrorsInline
from hamkke.ideas import scoring, selectors, services
from hamkke.ideas.models import State, Theme

SORT_LABELS = {
    "newest": pgettext_lazy("ideas sort", "Newest"),
    "supports": pgettext_lazy("ideas sort", "Most supported"),
    "closing": pgettext_lazy("ideas sort", "Closing soon"),
}
# How many similar ideas' ids a form may say it has shown (the suggestion lists five).
MAX_SEEN = 50


class IdeaFilterForm(forms.Form):
    """The list's filters and sort (GET). Whatever is invalid is left out and said on the
    page; the sort is a tab, kept in a hidden field when the filters are sent."""

    theme = forms.ChoiceField(label=_("Theme"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), widget=forms.HiddenInput
    )

    def __init__(self, *args, themes: list[Theme], districts: list[District], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [
            (theme.code, theme.display_name) for theme in themes
        ]
        self.fields["district"].choices = [("", _("All districts"))] + [
            (district.code, district.display_name) for district in districts
        ]
        self.fields["state"].choices = [("", _("Any state")), *State.choices]

    def filters(self) -> selectors.IdeaFilter:
        """The valid part of the filters, for selectors.idea_page."""
        if not self.is_bound:
            return selectors.IdeaFilter()
        self.is_valid()
        data = self.cleaned_data
        return selectors.IdeaFilter(
            state=data.get("state") or "",
            theme=data.get("theme") or "",
            district=data.get("district") or "",
            sort=data.get("sort") or "newest",
        )


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos under one name; each is checked by its content in the service."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(upload, initial) for upload in files]


def _seen_ids(raw: str) -> frozenset[int]:
    numbers = (whole_number(part.strip()) for part in raw.split(",")[:MAX_SEEN])
    return frozenset(n for n in numbers if n is not None)


class IdeaForm(DomainErrorsInline, forms.Form):
    """A citizen's idea: title, text, theme; optionally a district or a point on the map (set
    by the map's script in hidden fields), photos and co-authors named by their email
    address. `seen` lists the similar ideas the person was already shown, by the page's
    script or by the confirmation step; `confirm` is the "post anyway" button."""

    required_css_class = "required"
    # The service names a refused point "location"; the page shows it in the place's box.
    domain_error_fields = {"location": "latitude", "photo": "photos", "media": "photos"}

    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_LIMIT,
        error_messages={"required": _("Give your idea a title.")},
        help_text=_("Your idea in a sentence, e.g. “Shade canopies at bus stops”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=pgettext_lazy("idea text", "Your idea"),
        # No max_length: the service counts after trimming and says how long it was.
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": services.BODY_LIMIT}),
        error_messages={"required": _("Describe your idea.")},
        help_text=_(
            "What the city should do, why, and who would benefit. It is published: do not write "
            "names or phone numbers."
        ),
    )
    theme = forms.ChoiceField(
        label=_("Theme"), error_messages={"required": _("Choose the theme of your idea.")}
    )
    district = forms.ChoiceField(
        label=_("District (optional)"),
        required=False,
        help_text=_("Where it would be, if in one district. A point on the map sets it."),
    )
    # Set by the map's script; without it the district stands for the place.
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
    )
    coauthors = forms.CharField(
        label=_("Co-authors (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_(
            "The email addresses of the accounts of people who wrote it with you, one per line. "
            "Only their names are shown, never their addresses."
        ),
    )
    seen = forms.CharField(required=False, max_length=600, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, themes: list[Theme], districts: list[District], **kwargs):
        super().__init__(*args, **kwargs)
        self._themes = {theme.code: theme for theme in themes}
        self._districts = {district.code: district for district in districts}
        self.fields["theme"].choices = [("", _("Choose a theme"))] + [
            (theme.code, theme.display_name) for theme in themes
        ]
        self.fields["district"].choices = [("", _("Not in one district"))] + [
            (district.code, district.display_name) for district in districts
        ]
        self.fields["photos"].help_text = gettext(
            "Up to %(count)s photos. Their location and camera data are removed when stored."
        ) % {"count": services.MAX_PHOTOS}
        photos = self.fields["photos"].widget
        photos.attrs["accept"] = ",".join(m for m in photo_formats() if m != "image/apng")
        photos.attrs["data-max"] = services.MAX_PHOTOS

    def clean_theme(self) -> Theme:
        return self._themes[self.cleaned_data["theme"]]

    def clean_district(self) -> District | None:
        code = self.cleaned_data["district"]
        return self._districts[code] if code else None

    def clean_body(self) -> str:
        # Browsers send line breaks as CRLF; a person counts one character per break.
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean_seen(self) -> frozenset[int]:
        return _seen_ids(self.cleaned_data["seen"])

    def clean_coauthors(self) -> list[Any]:
        """The accounts named, each by its email address. An address without an account is
        refused by name: the person typed it, so saying it back tells them nothing new."""
        people = []
        unknown = []
        for address in self.cleaned_data["coauthors"].replace(",", "\n").splitlines():
            address = address.strip()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                unknown.append(address)
                continue
            person = account_selectors.user_by_email(address, active_only=True)
            if person is None:
                unknown.append(address)
            elif person not in people:
                people.append(person)
        if unknown:
            raise ValidationError(
                _("No account uses %(addresses)s. Co-authors need an account of their own.")
                % {"addresses": ", ".join(f"“{address}”" for address in unknown)}
            )
        return people

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("latitude", _("The place on the map was incomplete: set it again."))
        return cleaned

    @property
    def point(self) -> tuple[float, float] | None:
        latitude = self.cleaned_data.get("latitude")
        longitude = self.cleaned_data.get("longitude")
        return None if latitude is None or longitude is None else (latitude, longitude)

    def text(self) -> str:
        """What the similar ideas are looked up by: the title and the text."""
        return f"{self.cleaned_data['title']}\n{self.cleaned_data['body']}"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "theme": data["theme"],
            "district": data["district"],
            "point": self.point,
            "coauthors": data["coauthors"],
            "uploads": data["photos"],
        }


def _score_field(label, help_text) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        coerce=int,
        choices=[(n, str(n)) for n in range(scoring.LOWEST, scoring.HIGHEST + 1)],
        widget=forms.RadioSelect,
        error_messages={"required": _("Give a score from 1 to 5.")},
    )


class RubricForm(DomainErrorsInline, forms.Form):
    """An assigned expert's scores, 1 (poor) to 5 (excellent) for each item, and opinion."""

    required_css_class = "required"

    feasibility = _score_field(_("Feasibility"), _("Can the city carry it out?"))
    effect = _score_field(_("Effect"), _("How much good would it do, for how many people?"))
    cost = _score_field(
        pgettext_lazy("rubric", "Cost"), _("5 when it costs little for what it does.")
    )
    originality = _score_field(_("Originality"), _("Is it new, or done elsewhere already?"))
    opinion = forms.CharField(
        label=_("Opinion (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": services.NOTE_LIMIT}),
        help_text=_("Shown to the Oasis office and the review meeting."),
    )

    def scores(self) -> dict[str, int]:
        return {item: self.cleaned_data[item] for item in scoring.RUBRIC}


class RescueForm(DomainErrorsInline, forms.Form):
    """An expert moves an idea on below the threshold, saying why (shown on its timeline)."""

    required_css_class = "required"

    reason = forms.CharField(
        label=_("Why this idea should move on"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": services.NOTE_LIMIT}),
        error_messages={"required": _("Say why the idea should move on.")},
        help_text=_("Published on the idea's timeline."),
    )
