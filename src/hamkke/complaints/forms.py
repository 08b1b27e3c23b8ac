"""Forms of the citizens' pages: the report form (two steps without JavaScript: what and where,
then the details with the category's questions), the public list's filters, and the reporter's
rating and reopening. Every rule of filing stays in complaints.filing and services."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hamkke.complaints import selectors
from hamkke.complaints.models import Category, Status
from hamkke.complaints.services import MAX_DESCRIPTION, MAX_PHOTOS, Contact
from hamkke.core.errors import DomainError
from hamkke.core.media.files import photo_formats
from hamkke.core.web import bounds
from hamkke.core.web.forms import DomainErrorsInline, coordinate_field

PLACE_FIELDS = ("category", "latitude", "longitude", "address")
ANSWER_PREFIX = "answer_"
# What the phone's picker offers; core.media decides by the file's content what is accepted.
VIDEO_ACCEPT = "video/mp4,video/quicktime,video/webm,.mp4,.mov,.webm"


def grouped_category_choices(groups, *, blank: str) -> list:
    """Choices whose groups Django's Select renders as <optgroup>s."""
    return [("", blank)] + [
        (str(group.display_name), [(c.code, c.display_name) for c in categories])
        for group, categories in groups
    ]


def question_label(question: dict) -> str:
    """A profile question's label in the page's language (the local one when no English)."""
    if (get_language() or "").startswith("en") and question.get("label_en"):
        return question["label_en"]
    return question["label"]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by content later, in the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for upload in files:
            cleaned.append(super().clean(upload, initial))
        return cleaned


class ReportForm(DomainErrorsInline, forms.Form):
    """A report: what (category), where (a point and an address), the category's questions,
    the description, photos and a video, and for anonymous reporters private contact details."""

    required_css_class = "required"
    domain_error_fields = {"location": "latitude", "photo": "photos", "media": "photos"}

    category = forms.ChoiceField(
        label=_("What is the problem?"),
        error_messages={"required": _("Choose what kind of problem it is.")},
    )
    latitude = coordinate_field(_("Latitude"))
    longitude = coordinate_field(_("Longitude"))
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("Optional: helps the city find the spot, e.g. “in front of exit 3”."),
    )
    description = forms.CharField(
        label=_("What is wrong?"),
        required=False,
        # No max_length here: the service counts after trimming and says how long it was.
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_DESCRIPTION}),
        help_text=_(
            "Up to 4,000 characters. It is published: do not write names or phone numbers."
        ),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to 5 photos. Their location and camera data are removed when stored."),
    )
    video = forms.FileField(
        label=_("Video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": VIDEO_ACCEPT}),
        help_text=_("One short video (MP4, MOV or WebM)."),
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=100)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    contact_phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(
        self,
        *args,
        groups,
        category: Category | None = None,
        anonymous: bool,
        find_places: Callable[[str], Sequence] | None = None,
        **kw,
    ):
        super().__init__(*args, **kw)
        self.chosen_category = category
        # Given, an address without coordinates is looked up (core.selectors.find_places):
        # one place found sets the point, several are offered in `candidates`.
        self.find_places = find_places
        self.candidates: Sequence = []
        self.found_place = None
        self.fields["category"].choices = grouped_category_choices(
            groups, blank=_("Choose a category")
        )
        self.fields["photos"].widget.attrs["accept"] = ",".join(
            # An animated PNG is accepted as a PNG; phones need not be offered it apart.
            mime
            for mime in photo_formats()
            if mime != "image/apng"
        )
        # The page's script stops a sixth photo before it is sent; the service refuses it too.
        self.fields["photos"].widget.attrs["data-max"] = MAX_PHOTOS
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        if not anonymous:
            for name in ("contact_name", "contact_email", "contact_phone"):
                del self.fields[name]
        for question in category.questions if category else ():
            self.fields[ANSWER_PREFIX + question["code"]] = _question_field(question)

    # --- reading -------------------------------------------------------------------------

    @property
    def answer_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith(ANSWER_PREFIX)]

    @property
    def contact_fields(self) -> list:
        return [self[name] for name in self.fields if name.startswith("contact_")]

    def clean_description(self) -> str:
        # Browsers send line breaks as CRLF; a person counts one character per break.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def clean(self):
        cleaned = super().clean()
        missing = cleaned.get("latitude") is None or cleaned.get("longitude") is None
        if not missing or self.has_error("latitude") or self.has_error("longitude"):
            return cleaned
        if self.find_places is not None and cleaned.get("address"):
            self._place_from_address(cleaned)
        else:
            self.add_error(
                "latitude",
                _("Set the place: tap the map, use your location, or type its coordinates."),
            )
        return cleaned

    def _place_from_address(self, cleaned: dict) -> None:
        """Only a single match is taken; several are offered, and none is said: the report
        must not land at a place the person did not mean."""
        address = cleaned["address"]
        try:
            found = self.find_places(address)
        except DomainError as exc:
            self.add_error("address", exc.message)
            return
        if len(found) == 1:
            self.found_place = found[0]
            cleaned["latitude"] = found[0].place.latitude
            cleaned["longitude"] = found[0].place.longitude
            return
        self.candidates = found
        if found:
            message = _("Several places match “%(address)s”: choose one below.")
        else:
            message = _(
                "No place called “%(address)s” was found. Check the spelling or try a landmark, "
                "a station or a district; or set the place on the map or by its coordinates."
            )
        self.add_error("address", message % {"address": address})

    def place_is_valid(self) -> bool:
        """Step one: only the category and the place are checked, the rest waits."""
        self.full_clean()
        for name in list(self.errors):
            if name not in PLACE_FIELDS:
                del self.errors[name]
        return not self.errors

    def answers(self) -> dict:
        return {
            name.removeprefix(ANSWER_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(ANSWER_PREFIX) and value not in (None, "")
        }

    def contact(self) -> Contact:
        data = self.cleaned_data
        return Contact(
            name=data.get("contact_name", ""),
            email=data.get("contact_email", ""),
            phone=data.get("contact_phone", ""),
        )

    def domain_error_field(self, exc: DomainError) -> str | None:
        # A refused answer is named by its question's code; its field carries a prefix.
        field = self.domain_error_fields.get(exc.field, exc.field)
        if field and ANSWER_PREFIX + field in self.fields:
            return ANSWER_PREFIX + field
        return super().domain_error_field(exc)


def _question_field(question: dict) -> forms.Field:
    label = question_label(question)
    required = bool(question.get("required"))
    messages = {"required": _("Please answer: %(question)s.") % {"question": label}}
    kind = question.get("type", "text")
    if kind == "choice":
        choices = [("", _("Choose…"))] + [(c, c) for c in question["choices"]]
        return forms.ChoiceField(
            label=label, required=required, choices=choices, error_messages=messages
        )
    if kind == "boolean":
        choices = [("", _("Choose…")), ("yes", _("Yes")), ("no", _("No"))]
        return forms.ChoiceField(
            label=label, required=required, choices=choices, error_messages=messages
        )
    if kind == "number":
        # Left as text for the service to read, so its message names the question.
        return forms.CharField(
            label=label,
            required=required,
            error_messages=messages,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        )
    return forms.CharField(label=label, required=required, max_length=500, error_messages=messages)


# --- the public list and map ---------------------------------------------------------------

OPEN, CLOSED = "open", "closed"


class FilterForm(forms.Form):
    """The list's and the map's filters. Whatever is invalid is left out and said on the page."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args, groups, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = grouped_category_choices(
            groups, blank=_("All categories")
        )
        self.fields["status"].choices = [
            ("", _("Any status")),
            (OPEN, _("Open (not yet answered)")),
            (CLOSED, _("Closed")),
            (_("Status"), list(Status.choices)),
        ]
        self.fields["district"].choices = [("", _("All districts"))] + [
            (d.code, d.display_name) for d in districts
        ]
        # "from" and "to" are the natural names in a link, and Python keywords.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            validators=[_a_day_in_range],
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            validators=[_a_day_in_range],
        )

    def refusal(self) -> str | None:
        """Why the filters cannot be used as given — a day past the calendar's ends — or None.
        A filter that does not read as a day at all is left out instead, as it always was."""
        if not self.is_bound or self.is_valid():
            return None
        refused = [
            error.message % (error.params or {})
            for name in ("from", "to")
            for error in self.errors.as_data().get(name, ())
            if error.code == "out_of_range"
        ]
        return " ".join(refused) or None

    def filters(self) -> selectors.Filters:
        """The valid part of the filters (all of them for an unbound form: no filter)."""
        if not self.is_bound:
            return selectors.Filters()
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or ""
        return selectors.public_filters(
            categories=(data["category"],) if data.get("category") else (),
            statuses=(status,) if status not in ("", OPEN, CLOSED) else (),
            districts=(data["district"],) if data.get("district") else (),
            start=data.get("from"),
            end=data.get("to"),
            open_only={OPEN: True, CLOSED: False}.get(status),
        )


# --- the reporter ----------------------------------------------------------------------------


class RatingForm(DomainErrorsInline, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How good was the city's answer?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Rate the answer from 1 to 5.")},
        help_text=_("1 is poor, 5 is excellent."),
    )
    comment = forms.CharField(
        label=_("Comment for the department"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(DomainErrorsInline, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong, or what would you like to know?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the answer is not enough.")},
        help_text=_("Shown publicly in the report's history: do not write personal details."),
    )


def _a_day_in_range(day) -> None:
    # Days at the calendar's ends overflow the city's time zone or PostgreSQL: say so instead.
    if day is not None and not bounds.day_in_range(day):
        raise forms.ValidationError(
            _("Choose a day between %(first)s and %(last)s.")
            % {"first": bounds.EARLIEST_DAY.isoformat(), "last": bounds.LATEST_DAY.isoformat()},
            code="out_of_range",
        )
