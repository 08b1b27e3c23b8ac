"""The public pages of the Plaza's open data (the list with its search and filters, a dataset,
its files) and the DCAT catalogues at the site's root (/data.json, /catalog.jsonld). A private
dataset is a 404 on every one of them, as a missing one is."""

from __future__ import annotations

import json

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hamkke.core.web.hostile import answers_errors_with, json_error
from hamkke.core.web.responses import found_or_404, page_of
from hamkke.plaza.opendata import ckan, dcat, selectors
from hamkke.plaza.opendata.forms import FilterForm

PAGE_SIZE = 20
# Served as what they are; any other file goes out as bytes to save (its name says the rest).
SHOWN_TYPES = frozenset({"text/csv", "application/json", "application/pdf", "text/plain"})


@require_safe
def datasets(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    found = selectors.search(form.filters() if form.is_bound else selectors.DatasetFilters())
    page, query = page_of(request, found, PAGE_SIZE)
    return render(
        request,
        "plaza/data/index.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "licences": {lic.code: lic for lic in selectors.licences()},
            "tags": selectors.public_tags(30),
        },
    )


@require_safe
def dataset(request: HttpRequest, name: str) -> HttpResponse:
    found = found_or_404(selectors.public_dataset, name)
    document = selectors.public_documents_of([found]).get(found.document_id)
    return render(
        request,
        "plaza/data/dataset.html",
        {
            "dataset": found,
            "resources": list(found.resources.all()),
            "tags": list(found.tags.all()),
            "licence": selectors.licence(found.license_id),
            "document": document,
            "document_url": document.get_absolute_url() if document else "",
            "groups": list(reversed(ckan.groups_of(found))),
            "ckan_url": f"/api/{ckan.API_VERSION}/action/package_show?id={found.name}",
        },
    )


@require_safe
def resource_file(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    """An uploaded file of a public dataset, always as a download: a browser never runs or
    guesses it (nosniff), whatever it holds."""
    resource = found_or_404(selectors.public_resource, name, pk)
    try:
        handle = resource.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("There is no public file here.") from exc
    extension = resource.file.name.rsplit(".", 1)[-1].lower()
    content_type = resource.media_type if resource.media_type in SHOWN_TYPES else ""
    content_type = content_type or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{resource.dataset.name}-{resource.pk}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- DCAT catalogues -----------------------------------------------------------------------------


def _json_error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return json_error(status, detail)


def _catalogue(body: dict, content_type: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type=content_type
    )
    response["Access-Control-Allow-Origin"] = "*"  # public data, read from any page
    return response


@answers_errors_with(_json_error)
@require_safe
def data_json(request: HttpRequest) -> HttpResponse:
    """The public datasets in DCAT-US 1.1 (Project Open Data)."""
    site = ckan.Site(url=request.build_absolute_uri("/").rstrip("/"))
    return _catalogue(dcat.data_json(site), "application/json; charset=utf-8")


@answers_errors_with(_json_error)
@require_safe
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    """The public datasets in DCAT-AP, as JSON-LD."""
    site = ckan.Site(url=request.build_absolute_uri("/").rstrip("/"))
    return _catalogue(dcat.catalog_jsonld(site), "application/ld+json; charset=utf-8")
