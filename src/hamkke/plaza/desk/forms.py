"""Forms of the Plaza's desk: the list's filters, registering a document (text first, for the
preview; files with the save), and the actions on one document. They parse; the policies say
what to offer and the services decide."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.models import Department
from hamkke.core.web import bounds
from hamkke.core.web.forms import ServiceForm
from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza import services
from hamkke.plaza.desk.preview import text_digest
from hamkke.plaza.desk.selectors import ANY_STATE, SORTS, STATES, DeskPlace
from hamkke.plaza.models import ApproverLevel, Disclosure, DocumentType

ALL_DEPARTMENTS = "all"
# File fields of the registering form; more files are added on the document's page.
ATTACHMENT_SLOTS = 5
WITHHELD_HELP = _(
    "To withhold a passage of a partly open document, put it between [[withheld:GROUND]] and "
    "[[/withheld]], GROUND being the code of a legal ground below, e.g. "
    "[[withheld:art9-1-6]]the negotiated unit prices[[/withheld]]. The public reads a marker "
    "naming the ground in its place; officials of the department read the passage. Phone "
    "numbers, resident registration numbers and email addresses are masked in every field: "
    "the preview shows each one before you save."
)


def _day_in_range(day) -> None:
    if day is not None and not bounds.day_in_range(day):
        raise ValidationError(_("Give a day between %(range)s.") % {"range": bounds.DAYS_TEXT})


def _moment_in_range(moment) -> None:
    if moment is not None and not bounds.moment_in_range(moment):
        raise ValidationError(
            _("Give a moment between %(range)s.") % {"range": bounds.MOMENTS_TEXT}
        )


def split_list(text: str) -> list[str]:
    """Items typed one a line or separated by commas."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


def _ground_choices() -> list[tuple[str, str]]:
    grounds = services.plaza_settings().legal_grounds
    return [("", _("None (open)"))] + [(g.code, f"{g.code} · {g.display_name}") for g in grounds]


def _category_choices() -> list:
    """Themes with their topics beneath, as option groups; a theme is a choice too."""
    categories = plaza_selectors.categories()
    choices: list = [("", _("No category"))]
    for theme in (c for c in categories if c.parent_id is None):
        topics = [(c.code, c.display_name) for c in categories if c.parent_id == theme.pk]
        choices.append((theme.display_name, [(theme.code, theme.display_name), *topics]))
    return choices


def _with_blank(choices, label) -> list:
    return [("", label), *choices]


# --- the list ------------------------------------------------------------------------------------


class DeskFilterForm(forms.Form):
    """The list's filters, read from the query string (a GET form, so links keep them)."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[(ANY_STATE, _("Any state")), *STATES],
    )
    doc_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=_with_blank(DocumentType.choices, _("Any type"))
    )
    q = forms.CharField(label=_("Number or title contains"), required=False, max_length=200)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORTS)

    def __init__(self, data, *, places: list[DeskPlace], **kwargs):
        super().__init__(data, **kwargs)
        self.places = places
        self.fields["department"].choices = [
            (ALL_DEPARTMENTS, _("All my departments")),
            *[(p.department.code, p.department.display_name) for p in places],
        ]

    def chosen_places(self) -> list[DeskPlace]:
        code = self.cleaned_data.get("department") or ALL_DEPARTMENTS
        if code == ALL_DEPARTMENTS:
            return self.places
        return [p for p in self.places if p.department.code == code]

    def value(self, name: str, default: str = "") -> str:
        return self.cleaned_data.get(name) or default


# --- registering ---------------------------------------------------------------------------------


class DocumentForm(ServiceForm):
    """Every field of services.DocumentFields. The preview step sends the text fields only;
    the save step sends them again with the files (a browser cannot keep chosen files across
    pages), and `previewed` ties the save to the text the official saw masked."""

    number = forms.CharField(
        label=_("Registration number"), max_length=64, help_text=_("As in the DMS")
    )
    doc_type = forms.ChoiceField(
        label=_("Type"), choices=_with_blank(DocumentType.choices, _("Choose a type"))
    )
    department = forms.ChoiceField(label=_("Department"))
    approver_level = forms.TypedChoiceField(
        label=_("Approver's level"),
        coerce=int,
        choices=_with_blank(ApproverLevel.choices, _("Choose a level")),
    )
    approver_title = forms.CharField(label=_("Approver's title"), max_length=100, required=False)
    category = forms.ChoiceField(label=pgettext_lazy("plaza document", "Category"), required=False)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=1_000_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=WITHHELD_HELP,
    )
    disclosure = forms.ChoiceField(
        label=_("Disclosure"), choices=Disclosure.choices, initial=Disclosure.OPEN
    )
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"),
        required=False,
        help_text=_("Required for a partly open or closed document."),
    )
    produced_on = forms.DateField(
        label=_("Produced on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_day_in_range],
    )
    approved_at = forms.DateTimeField(
        label=_("Approved at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[_moment_in_range],
        help_text=_(
            "Leave empty for a draft. An approved document is published by itself the next "
            "day, from the level the city publishes from."
        ),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas."),
    )
    related_numbers = forms.CharField(
        label=_("Related documents"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Registration numbers, separated by commas or one a line."),
    )
    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, places: list[DeskPlace], **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {p.department.code: p.department for p in places}
        self.fields["department"].choices = _with_blank(
            [(p.department.code, p.department.display_name) for p in places],
            _("Choose a department"),
        )
        if len(places) == 1:
            self.fields["department"].initial = places[0].department.code
        self.fields["category"].choices = _category_choices()
        grounds = _ground_choices()
        self.fields["legal_ground"].choices = grounds
        for slot in range(1, ATTACHMENT_SLOTS + 1):
            self.fields[f"file_{slot}"] = forms.FileField(
                label=_("File %(n)d") % {"n": slot}, required=False
            )
            self.fields[f"withheld_{slot}"] = forms.BooleanField(
                label=_("Withhold this file"), required=False
            )
            self.fields[f"ground_{slot}"] = forms.ChoiceField(
                label=_("Ground for withholding it"), required=False, choices=grounds
            )

    TEXT_FIELDS = (
        "number",
        "doc_type",
        "department",
        "approver_level",
        "approver_title",
        "category",
        "title",
        "summary",
        "body",
        "disclosure",
        "legal_ground",
        "produced_on",
        "approved_at",
        "tags",
        "related_numbers",
    )

    def text_fields(self):
        return [self[name] for name in self.TEXT_FIELDS]

    def attachment_slots(self):
        return [
            (self[f"file_{n}"], self[f"withheld_{n}"], self[f"ground_{n}"])
            for n in range(1, ATTACHMENT_SLOTS + 1)
        ]

    def department_chosen(self) -> Department:
        return self.places[self.cleaned_data["department"]]

    def digest(self) -> str:
        data = self.cleaned_data
        return text_digest(
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            disclosure=data["disclosure"],
        )

    def was_previewed(self) -> bool:
        return self.cleaned_data.get("previewed") == self.digest()

    def uploads(self) -> list[services.AttachmentUpload]:
        data = self.cleaned_data
        return [
            services.AttachmentUpload(
                file=data[f"file_{n}"],
                withheld=bool(data.get(f"withheld_{n}")),
                legal_ground=data.get(f"ground_{n}") or "",
            )
            for n in range(1, ATTACHMENT_SLOTS + 1)
            if data.get(f"file_{n}")
        ]

    def document_fields(self, *, with_files: bool) -> services.DocumentFields:
        data = self.cleaned_data
        return services.DocumentFields(
            number=data["number"],
            doc_type=data["doc_type"],
            department=self.department_chosen(),
            approver_level=data["approver_level"],
            approver_title=data["approver_title"],
            category=data["category"],
            title=data["title"],
            summary=data["summary"],
            body=data["body"].replace("\r\n", "\n"),
            disclosure=data["disclosure"],
            legal_ground=data["legal_ground"],
            produced_on=data["produced_on"],
            approved_at=data["approved_at"],
            tags=split_list(data["tags"]),
            related_numbers=split_list(data["related_numbers"]),
            attachments=self.uploads() if with_files else (),
        )

    def domain_error_field(self, exc) -> str | None:
        # The service names an attachment's refusal "attachments": it goes above the files.
        if exc.field == "attachments":
            return None
        return super().domain_error_field(exc)


# --- actions on one document ---------------------------------------------------------------------


class ApproveForm(ServiceForm):
    approved_at = forms.DateTimeField(
        label=_("Approved at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[_moment_in_range],
        help_text=_("Leave empty for now."),
    )


class WithdrawForm(ServiceForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=300,
        help_text=_("Kept in the document's history (a mistake, a court order, …)."),
    )


class ReclassifyForm(ServiceForm):
    disclosure = forms.ChoiceField(label=_("Disclosure"), choices=Disclosure.choices)
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"),
        required=False,
        help_text=_("Required for a partly open or closed document."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_ground"].choices = _ground_choices()


class AttachForm(ServiceForm):
    file = forms.FileField(label=_("File"))
    withheld = forms.BooleanField(label=_("Withhold this file"), required=False)
    legal_ground = forms.ChoiceField(label=_("Ground for withholding it"), required=False)

    domain_error_fields = {"attachments": "file"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_ground"].choices = _ground_choices()

    def upload(self) -> services.AttachmentUpload:
        data = self.cleaned_data
        return services.AttachmentUpload(
            file=data["file"],
            withheld=bool(data.get("withheld")),
            legal_ground=data.get("legal_ground") or "",
        )
