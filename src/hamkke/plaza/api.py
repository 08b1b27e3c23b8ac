"""The Plaza's public JSON API (/api/v1/plaza/…): search, the public documents and their files,
and the categories here; meetings, open data and disclosure requests from their packages'
routers. Everything starts from selectors.public_documents: a closed document answers 404 like
a missing one, and a withheld file is listed with its legal ground but no address."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from hamkke.core.web.api import one_page
from hamkke.plaza import selectors
from hamkke.plaza.attachments import PDF
from hamkke.plaza.disclosure import api as disclosure_api
from hamkke.plaza.meetings import api as meetings_api
from hamkke.plaza.models import Attachment, Document
from hamkke.plaza.opendata import api as opendata_api
from hamkke.plaza.schemas import (
    CategoryOut,
    DocumentDetailOut,
    DocumentPageOut,
    PageIn,
    SearchIn,
    SearchOut,
)

router = Router(tags=["plaza"])
router.add_router("/meetings", meetings_api.router)
router.add_router("/datasets", opendata_api.router)
router.add_router("/requests", disclosure_api.router)


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _api_url(request: HttpRequest, pk: int) -> str:
    return _absolute(request, reverse("api:plaza_document", args=[pk]))


def _document_out(request: HttpRequest, document: Document, grounds: dict[str, str]) -> dict:
    return {
        "id": document.pk,
        "number": document.number,
        "title": document.title,
        "summary": document.summary,
        "body": document.body,
        "doc_type": document.doc_type,
        "doc_type_label": document.get_doc_type_display(),
        "department": document.department.code,
        "department_name": document.department.display_name,
        "approver_level": document.approver_level,
        "approver_level_label": document.get_approver_level_display(),
        "approver_title": document.approver_title,
        "category": document.category.code if document.category else None,
        "category_name": document.category.display_name if document.category else None,
        "tags": [tag.name for tag in document.tags.all()],
        "disclosure": document.disclosure,
        "legal_ground": document.legal_ground,
        "legal_ground_name": grounds.get(document.legal_ground, document.legal_ground),
        "produced_on": document.produced_on,
        "published_at": document.published_at,
        "updated_at": document.updated_at,
        "view_count": document.view_count,
        "download_count": document.download_count,
        "source_url": document.source_url,
        "url": _absolute(request, document.get_absolute_url()),
    }


def _attachment_out(request: HttpRequest, file: Attachment, grounds: dict[str, str]) -> dict:
    if file.withheld:
        return {
            "id": file.pk,
            "name": file.original_name,
            "content_type": file.content_type,
            "size": None,
            "pages": None,
            "withheld": True,
            "legal_ground": file.legal_ground,
            "legal_ground_name": grounds.get(file.legal_ground, file.legal_ground),
            "download_url": None,
            "view_url": None,
            "download_count": 0,
        }
    is_pdf = file.content_type == PDF.content_type
    return {
        "id": file.pk,
        "name": file.original_name,
        "content_type": file.content_type,
        "size": file.size,
        "pages": file.pages,
        "withheld": False,
        "legal_ground": "",
        "legal_ground_name": "",
        "download_url": _absolute(request, reverse("plaza:attachment-download", args=[file.pk])),
        "view_url": _absolute(request, reverse("plaza:attachment", args=[file.pk]))
        if is_pdf
        else None,
        "download_count": file.download_count,
    }


@router.get("/search", response=SearchOut, summary="Search the public documents")
def search(request: HttpRequest, params: Query[SearchIn]):
    """Korean and English full text over titles, texts and attachments, with the search page's
    filters, order and facets. A value no document could have (an unknown type, department or
    category, a day outside 1900-01-01 to 2999-12-31, a query over 200 characters) answers 400
    naming the parameter in `field`."""
    found = selectors.search(
        params.q,
        filters=selectors.SearchFilters.from_parameters(params.dict()),
        sort=params.sort,
        page=params.page,
        page_size=params.page_size,
    )
    return {
        "count": found.count,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
        "results": [
            {
                "id": hit.document.pk,
                "title": hit.document.title,
                "title_highlighted": str(hit.title),
                "snippet": str(hit.snippet),
                "doc_type": hit.document.doc_type,
                "doc_type_label": hit.document.get_doc_type_display(),
                "department": hit.document.department.code,
                "department_name": hit.document.department.display_name,
                "category": hit.document.category.code if hit.document.category else None,
                "disclosure": hit.document.disclosure,
                "published_at": hit.document.published_at,
                "url": _absolute(request, hit.document.get_absolute_url()),
                "api_url": _api_url(request, hit.document.pk),
            }
            for hit in found.hits
        ],
        "facets": {
            selectors.PARAMETER_OF[facet]: [
                {"value": value, "label": label, "count": count} for value, label, count in rows
            ]
            for facet, rows in found.facets.items()
        },
    }


@router.get("/documents", response=DocumentPageOut, summary="Every public document, newest first")
def list_documents(request: HttpRequest, params: Query[PageIn]):
    """A page of all public documents with their public text (`page_size` at most 100)."""
    documents = (
        selectors.public_documents()
        .select_related("department", "category")
        .prefetch_related("tags")
        .order_by("-published_at", "-id")
    )
    page = one_page(documents, params.page, params.page_size)
    grounds = selectors.ground_names()
    page["items"] = [_document_out(request, d, grounds) for d in page["items"]]
    return page


@router.get(
    "/documents/{int:document_id}",
    response=DocumentDetailOut,
    url_name="plaza_document",
    summary="One public document, with its files and related documents",
)
def get_document(request: HttpRequest, document_id: int):
    """404 for a document that is not public (closed, withdrawn, not yet published) exactly as
    for one that does not exist. Withheld files are listed with their legal ground and no
    address."""
    document = selectors.public_document(document_id)
    grounds = selectors.ground_names()
    return {
        **_document_out(request, document, grounds),
        "attachments": [_attachment_out(request, a, grounds) for a in document.attachments.all()],
        "related": [
            {
                "id": other.pk,
                "title": other.title,
                "doc_type": other.doc_type,
                "published_at": other.published_at,
                "url": _absolute(request, other.get_absolute_url()),
                "api_url": _api_url(request, other.pk),
            }
            for other in document.related.all()
        ],
    }


@router.get("/categories", response=list[CategoryOut], summary="The category taxonomy")
def list_categories(request: HttpRequest):
    """Themes and their topics in the profile's order, with their public documents' counts."""
    rows = selectors.categories()
    counts = selectors.facet_counts(selectors.public_documents(), facets=("category",))
    by_code = {code: n for code, _label, n in counts["category"]}
    return [
        {
            "code": c.code,
            "name": c.name,
            "name_en": c.name_en,
            "parent": c.parent.code if c.parent else None,
            "documents": by_code.get(c.code, 0),
            "url": _absolute(request, reverse("plaza:category", args=[c.code])),
        }
        for c in rows
    ]
