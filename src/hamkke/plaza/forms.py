"""The public search form of the Plaza: the query, its filters, the order and the page, read
from the address (GET) so that every search is a link. What the form cannot read is said on
the page (400); what it reads, selectors.search checks once more and carries out."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.models import Department
from hamkke.core.web import bounds
from hamkke.core.web.forms import DomainErrorsInline
from hamkke.plaza import search_terms, selectors
from hamkke.plaza.models import PUBLIC_CLASSES, ApproverLevel, Category, Disclosure, DocumentType

PAGE_SIZE = 20


def _a_day_in_range(day) -> None:
    if not bounds.day_in_range(day):
        raise forms.ValidationError(
            _("Give a day between %(range)s."),
            code="out_of_range",
            params={"range": bounds.DAYS_TEXT},
        )


class SearchForm(DomainErrorsInline, forms.Form):
    """The search page's form; its field names are the address's parameters (the JSON API
    takes the same)."""

    q = forms.CharField(
        label=_("Search the documents"),
        required=False,
        max_length=search_terms.MAX_QUERY_CHARS,
        strip=True,
        error_messages={
            "max_length": _("A search may be at most %(limit_value)d characters long.")
        },
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 예산, 도로 공사")}),
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    # Its own context: the complaints' "Category" is a kind of problem, this one a subject.
    category = forms.ChoiceField(label=pgettext_lazy("plaza", "Category"), required=False)
    level = forms.TypedChoiceField(
        label=_("Approved by"), required=False, coerce=int, empty_value=None
    )
    disclosure = forms.ChoiceField(label=_("Disclosure"), required=False)
    since = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_a_day_in_range],
    )
    until = forms.DateField(
        label=_("Published until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_a_day_in_range],
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=64)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("relevance", _("Best match first")),
            ("newest", pgettext_lazy("plaza", "Newest first")),
            ("oldest", _("Oldest first")),
        ],
    )
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departments: list[Department], categories: list[Category], **kw):
        super().__init__(*args, **kw)
        self.fields["type"].choices = [("", _("All types")), *DocumentType.choices]
        self.fields["department"].choices = [("", _("All departments"))] + [
            (d.code, d.display_name) for d in departments
        ]
        self.fields["category"].choices = [("", pgettext_lazy("plaza", "All categories"))] + [
            (c.code, f"{c.parent.display_name} · {c.display_name}" if c.parent else c.display_name)
            for c in categories
        ]
        self.fields["level"].choices = [("", _("Any level"))] + [
            (str(value), _("%(level)s and above") % {"level": label})
            for value, label in ApproverLevel.choices
        ]
        self.fields["disclosure"].choices = [("", _("Open and partly open"))] + [
            (value, label) for value, label in Disclosure.choices if value in PUBLIC_CLASSES
        ]

    def clean_page(self) -> int:
        raw = self.cleaned_data.get("page") or ""
        if raw == "":
            return 1
        page = bounds.whole_number(raw)
        if page is None or page < 1:
            raise forms.ValidationError(
                _("The page must be a whole number from 1, written in the digits 0-9.")
            )
        return page

    def search(self) -> selectors.SearchPage | None:
        """The search as asked: a page of results, or None with the reasons on the form (and
        `status_code` 400) when a parameter could not be used."""
        if not self.submit(self._search):
            return None
        self.status_code = 200
        return self.result

    def _search(self) -> selectors.SearchPage:
        data = self.cleaned_data
        return selectors.search(
            data["q"],
            filters=selectors.SearchFilters.from_parameters(data),
            sort=data["sort"] or "relevance",
            page=data["page"],
            page_size=PAGE_SIZE,
        )
