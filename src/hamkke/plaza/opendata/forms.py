"""Forms of the open-data pages: the public list's filters, and the desk's dataset and
resource forms (their data goes to opendata/services.py; refusals show beside their field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.models import Department
from hamkke.core.web.forms import ServiceForm
from hamkke.plaza.models import Category, Dataset
from hamkke.plaza.opendata import selectors
from hamkke.plaza.opendata.services import DatasetFields, ResourceFields


def _licence_choices(licences: list[selectors.LicenceInfo]) -> list[tuple[str, str]]:
    return [(lic.code, lic.display_name) for lic in licences]


def _category_choices(categories: list[Category], blank) -> list:
    return [("", blank)] + [
        (c.code, f"{c.parent.display_name} › {c.display_name}" if c.parent else c.display_name)
        for c in categories
    ]


class FilterForm(forms.Form):
    """The public list's search and filters; a filter that cannot be read is left out and
    said on the page."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    organization = forms.ChoiceField(label=_("Department"), required=False)
    category = forms.ChoiceField(label=pgettext_lazy("plaza", "Category"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False)
    licence = forms.ChoiceField(label=_("Licence"), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("All departments"))] + [
            (d.code, d.display_name) for d in selectors.publishing_departments()
        ]
        self.fields["category"].choices = _category_choices(
            selectors.categories(), pgettext_lazy("plaza", "All categories")
        )
        self.fields["format"].choices = [("", _("Any format"))] + [
            (f, f) for f in selectors.public_formats()
        ]
        licences = _licence_choices(selectors.licences())
        self.fields["licence"].choices = [("", _("Any licence")), *licences]

    def filters(self) -> selectors.DatasetFilters:
        self.is_valid()
        values = {
            name: self.cleaned_data.get(name) or ""
            for name in self.fields
            if name not in self.errors
        }
        return selectors.DatasetFilters(
            text=values.get("q", ""),
            organization=values.get("organization", ""),
            category=values.get("category", ""),
            format=values.get("format", ""),
            licence=values.get("licence", ""),
            tag=values.get("tag", "").strip(),
        )


class DatasetForm(ServiceForm):
    """A dataset as its department's officials describe it."""

    domain_error_fields = {"license_id": "licence"}

    department = forms.ChoiceField(label=_("Department"))
    name = forms.CharField(
        label=_("Name in addresses"),
        max_length=100,
        help_text=_("Lower-case letters, digits, “-” and “_”: /plaza/data/<name>/ (CKAN's name)."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    notes = forms.CharField(
        label=pgettext_lazy("dataset", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(label=pgettext_lazy("plaza", "Category"), required=False)
    licence = forms.ChoiceField(label=_("Licence"))
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas."),
    )
    frequency = forms.CharField(
        label=_("Refreshed"),
        required=False,
        max_length=32,
        help_text=_("An ISO 8601 period: P1D daily, P1M monthly, P1Y yearly; or “irregular”."),
    )
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.CharField(
        label=_("Plaza document (registration number)"),
        required=False,
        max_length=64,
        help_text=_("Shown on the public page only while the document itself is public."),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        initial=True,
        help_text=_("A dataset that is not public appears on no public page, API or catalogue."),
    )

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {d.code: d for d in departments}
        self.fields["department"].choices = [(d.code, d.display_name) for d in departments]
        self.fields["category"].choices = _category_choices(selectors.categories(), "—")
        licences = selectors.licences()
        self.fields["licence"].choices = _licence_choices(licences)
        if not self.is_bound and "licence" not in self.initial:
            self.initial["licence"] = selectors.default_licence()

    @classmethod
    def initial_of(cls, dataset: Dataset) -> dict:
        return {
            "department": dataset.department.code,
            "name": dataset.name,
            "title": dataset.title,
            "notes": dataset.notes,
            "category": dataset.category.code if dataset.category else "",
            "licence": dataset.license_id,
            "tags": ", ".join(tag.name for tag in dataset.tags.all()),
            "frequency": dataset.frequency,
            "temporal_start": dataset.temporal_start,
            "temporal_end": dataset.temporal_end,
            "document": dataset.document.number if dataset.document else "",
            "is_public": dataset.is_public,
        }

    def service_fields(self) -> DatasetFields:
        data = self.cleaned_data
        return DatasetFields(
            name=data["name"],
            title=data["title"],
            department=self.departments[data["department"]],
            notes=data["notes"],
            category=data["category"],
            license_id=data["licence"],
            tags=[tag for tag in data["tags"].split(",") if tag.strip()],
            frequency=data["frequency"],
            temporal_start=data["temporal_start"],
            temporal_end=data["temporal_end"],
            document_number=data["document"],
            is_public=data["is_public"],
        )


class ResourceForm(ServiceForm):
    """A resource: a file uploaded here, or a link to where the data is served."""

    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=300,
        help_text=_("Left blank: the file's name, or the link's last part."),
    )
    description = forms.CharField(
        label=pgettext_lazy("dataset", "Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("CSV, JSON, XLSX, PDF and the like, recognised by their content."),
    )
    url = forms.CharField(
        label=_("Or a link"),
        required=False,
        max_length=500,
        help_text=_("A full http:// or https:// address."),
        widget=forms.URLInput,
    )
    format = forms.CharField(
        label=_("Format of the link"),
        required=False,
        max_length=32,
        help_text=_("For a link only (CSV, JSON, API…); a file's format is read from it."),
    )

    def service_fields(self) -> ResourceFields:
        data = self.cleaned_data
        return ResourceFields(
            name=data["name"],
            description=data["description"],
            format=data["format"],
            url=data["url"],
            upload=data["file"],
        )
