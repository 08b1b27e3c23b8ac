"""Reads of the Plaza's open data. `public_datasets` is the one definition of what the public may
see of them, and every public surface (the pages, the JSON API, CKAN's action API, the DCAT
catalogues) starts from it; a dataset's linked document is shown only while it is public
(`plaza.selectors.public_documents`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotFound
from hamkke.core.models import Department
from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza.models import Category, Dataset, Document, Resource, Tag
from hamkke.plaza.services import plaza_settings


def public_datasets() -> QuerySet[Dataset]:
    """What anyone may see: datasets marked public (a private one is on no public surface)."""
    return Dataset.objects.filter(is_public=True)


def with_details(datasets: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """What a dataset's page, its CKAN package and its DCAT entry show, in a fixed number of
    queries however many datasets there are."""
    return datasets.select_related("department", "category", "category__parent").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch("resources", queryset=Resource.objects.order_by("order", "id")),
    )


def public_dataset(name: str) -> Dataset:
    """One public dataset by its name; NotFound for a private or missing one alike."""
    dataset = with_details(public_datasets()).filter(name=name).first()
    if dataset is None:
        raise NotFound(_("There is no public dataset here."), code="not_found")
    return dataset


def public_resource(name: str, pk: int) -> Resource:
    """An uploaded file of a public dataset."""
    resource = (
        Resource.objects.select_related("dataset")
        .filter(pk=pk, dataset__name=name, dataset__in=public_datasets())
        .exclude(file="")
        .first()
    )
    if resource is None:
        raise NotFound(_("There is no public file here."), code="not_found")
    return resource


def public_documents_of(datasets: Iterable[Dataset]) -> dict[int, Document]:
    """The linked documents that are public, by id: a closed, withdrawn or unpublished one is
    never linked (the dataset itself stays listed)."""
    ids = {d.document_id for d in datasets if d.document_id}
    if not ids:
        return {}
    return plaza_selectors.public_documents().only("pk", "title").in_bulk(ids)


# --- searching -----------------------------------------------------------------------------------


def matching_text(datasets: QuerySet[Dataset], text: str) -> QuerySet[Dataset]:
    """Datasets holding every word of `text` (a substring of the title, the description, the
    name or a tag, so 예산 finds 추경예산안)."""
    for word in text.split():
        datasets = datasets.filter(text_match(word))
    return datasets


def text_match(word: str) -> Q:
    tagged = Tag.objects.filter(datasets=OuterRef("pk"), name__icontains=word)
    return (
        Q(title__icontains=word)
        | Q(notes__icontains=word)
        | Q(name__icontains=word)
        | Q(Exists(tagged))
    )


@dataclass(frozen=True)
class DatasetFilters:
    """The public list's filters (the page and the JSON API)."""

    text: str = ""
    organization: str = ""  # a department code
    category: str = ""  # a category code; a theme includes its topics
    format: str = ""
    licence: str = ""
    tag: str = ""

    def apply(self, datasets: QuerySet[Dataset]) -> QuerySet[Dataset]:
        datasets = matching_text(datasets, self.text)
        if self.organization:
            datasets = datasets.filter(department__code=self.organization)
        if self.category:
            datasets = datasets.filter(
                Q(category__code=self.category) | Q(category__parent__code=self.category)
            )
        if self.format:
            datasets = datasets.filter(
                Exists(Resource.objects.filter(dataset=OuterRef("pk"), format__iexact=self.format))
            )
        if self.licence:
            datasets = datasets.filter(license_id=self.licence)
        if self.tag:
            datasets = datasets.filter(
                Exists(Tag.objects.filter(datasets=OuterRef("pk"), name=self.tag))
            )
        return datasets


def search(filters: DatasetFilters) -> QuerySet[Dataset]:
    """Public datasets matching the filters, last modified first."""
    return with_details(filters.apply(public_datasets())).order_by("-modified_at", "name")


# --- what the filters offer ----------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceInfo:
    """A licence of the profile's [[plaza.licences]], named in the language of the page."""

    code: str
    name: str
    name_en: str
    url: str

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


def licences() -> list[LicenceInfo]:
    return [
        LicenceInfo(lic.code, lic.name, lic.name_en, lic.url) for lic in plaza_settings().licences
    ]


def default_licence() -> str:
    return plaza_settings().default_licence


def licence(code: str) -> LicenceInfo | None:
    return next((lic for lic in licences() if lic.code == code), None)


def publishing_departments() -> list[Department]:
    """Departments with a public dataset, by name."""
    return list(
        Department.objects.filter(city=current_city())
        .filter(Exists(public_datasets().filter(department=OuterRef("pk"))))
        .order_by("name")
    )


def categories() -> list[Category]:
    return plaza_selectors.categories()


def public_formats() -> list[str]:
    """The resource formats of public datasets, upper-cased, in order."""
    formats = (
        Resource.objects.filter(dataset__in=public_datasets())
        .exclude(format="")
        .values_list("format", flat=True)
        .distinct()
    )
    return sorted({f.upper() for f in formats})


def public_tags(limit: int = 200) -> list[tuple[str, int]]:
    """Tags of public datasets with how many carry each, most used first."""
    return list(
        Tag.objects.filter(datasets__in=public_datasets())
        .annotate(n=Count("datasets", distinct=True))
        .order_by("-n", "name")
        .values_list("name", "n")[:limit]
    )


# --- the desk ------------------------------------------------------------------------------------


def desk_datasets(department_ids: Iterable[int]) -> QuerySet[Dataset]:
    """The datasets of these departments, public or not, last modified first."""
    return (
        Dataset.objects.filter(department_id__in=list(department_ids))
        .select_related("department")
        .annotate(resource_count=Count("resources"))
        .order_by("-modified_at", "name")
    )


def desk_dataset(name: str, department_ids: Iterable[int]) -> Dataset:
    """A dataset of one of these departments (NotFound for any other)."""
    dataset = (
        with_details(Dataset.objects.filter(department_id__in=list(department_ids)))
        .select_related("document")
        .filter(name=name)
        .first()
    )
    if dataset is None:
        raise NotFound(_("None of your departments has a dataset by this name."), code="not_found")
    return dataset
