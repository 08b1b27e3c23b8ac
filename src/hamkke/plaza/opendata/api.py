"""The Plaza's open-data JSON API (/api/v1/plaza/datasets): the public datasets, filtered and
paged, and one dataset with its resources. Harvesters that speak CKAN or DCAT have their own
paths (/api/3/action/, /data.json, /catalog.jsonld)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from hamkke.core.web.api import one_page
from hamkke.plaza.models import Dataset
from hamkke.plaza.opendata import ckan, selectors
from hamkke.plaza.opendata.schemas import DatasetFiltersIn, DatasetOut, DatasetPageOut

router = Router(tags=["plaza"])


def _site(request: HttpRequest) -> ckan.Site:
    return ckan.Site(url=request.build_absolute_uri("/").rstrip("/"))


def _dataset_out(dataset: Dataset, site: ckan.Site) -> dict:
    licence = site.licences.get(dataset.license_id)
    document = site.linked_document(dataset)
    category = dataset.category
    return {
        "name": dataset.name,
        "ckan_id": ckan.ckan_id("dataset", dataset.pk, site.city),
        "title": dataset.title,
        "notes": dataset.notes,
        "organization": {
            "code": dataset.department.code,
            "name": dataset.department.display_name,
        },
        "category": {"code": category.code, "name": category.display_name} if category else None,
        "licence": {
            "id": dataset.license_id,
            "title": licence.display_name if licence else dataset.license_id,
            "url": licence.url if licence else "",
        },
        "tags": [tag.name for tag in dataset.tags.all()],
        "frequency": dataset.frequency,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "document": {
            "id": document.pk,
            "title": document.title,
            "url": site.document_url(dataset) or "",
        }
        if document is not None
        else None,
        "resources": [
            {
                "id": resource.pk,
                "name": resource.name,
                "description": resource.description,
                "format": resource.format,
                "media_type": resource.media_type,
                "url": ckan.resource_url(resource, dataset, site),
                "uploaded": bool(resource.file),
                "size": resource.size,
                "created_at": resource.created_at,
                "modified_at": resource.modified_at,
            }
            for resource in dataset.resources.all()
        ],
        "url": site.absolute(ckan.dataset_url(dataset)),
        "created_at": dataset.created_at,
        "modified_at": dataset.modified_at,
    }


@router.get("", response=DatasetPageOut, summary="Public datasets, last modified first")
def list_datasets(
    request: HttpRequest, filters: Query[DatasetFiltersIn], page: int = 1, page_size: int = 20
):
    """Statistics and public data with their resources; `page_size` is at most 100."""
    found = selectors.search(
        selectors.DatasetFilters(
            text=filters.q,
            organization=filters.organization,
            category=filters.category,
            format=filters.format,
            licence=filters.licence,
            tag=filters.tag,
        )
    )
    answer = one_page(found, page, page_size)
    site = _site(request)
    site.know_documents_of(answer["items"])
    answer["items"] = [_dataset_out(dataset, site) for dataset in answer["items"]]
    return answer


@router.get("/{name}", response=DatasetOut, summary="One public dataset")
def get_dataset(request: HttpRequest, name: str):
    """A private dataset answers 404, as a missing one does."""
    dataset = selectors.public_dataset(name)
    site = _site(request)
    site.know_documents_of([dataset])
    return _dataset_out(dataset, site)
