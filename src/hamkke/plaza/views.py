"""The public pages of the Plaza's documents: home, search, a document and its files, the lists
of a category and of a department, and the sitemap. Every page starts from the selectors'
public documents, so a closed document or a withheld part has nothing here to appear in."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib.sitemaps import views as sitemap_views
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from hamkke.core.city import selectors as city_selectors
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.registries import commentable_for
from hamkke.core.web import responses
from hamkke.plaza import files, selectors, services
from hamkke.plaza.attachments import PDF
from hamkke.plaza.feeds import SITEMAPS
from hamkke.plaza.forms import SearchForm
from hamkke.plaza.models import Attachment

LIST_PAGE_SIZE = 20
HOME_NEWEST = 10


# --- home ---------------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    themes, types = selectors.browse()
    context = {
        "documents": selectors.newest(HOME_NEWEST),
        "themes": themes,
        "types": types,
        "meetings": [
            (meeting, reverse("plaza:meeting", args=[meeting.pk]))
            for meeting in selectors.todays_meetings()
        ],
        "data_url": reverse("plaza:datasets"),
        "requests_url": reverse("plaza:requests"),
        "meetings_url": reverse("plaza:meetings"),
    }
    return render(request, "plaza/index.html", context)


# --- search -------------------------------------------------------------------------------------


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    city = city_selectors.current_city()
    form = SearchForm(
        request.GET,
        departments=city_selectors.departments_of(city),
        categories=selectors.categories(),
    )
    found = form.search()
    context = {
        "form": form,
        "found": found,
        "facets": [],
        "query": "",
        "filters_open": any(
            request.GET.get(name) for name in form.fields if name not in ("q", "page")
        ),
    }
    if found is not None:
        context["facets"] = _facet_links(request, found)
        asked = request.GET.copy()
        asked.pop("page", None)
        context["query"] = asked.urlencode()
    return render(request, "plaza/search.html", context, status=form.status_code)


def _facet_links(request: HttpRequest, found: selectors.SearchPage) -> list:
    """Each facet's values as links that add (or replace) its filter, back on page one; under
    the label of the form's field for that filter."""
    out = []
    for facet, rows in found.facets.items():
        parameter = selectors.PARAMETER_OF[facet]
        values = []
        for value, label, count in rows:
            asked = request.GET.copy()
            asked.pop("page", None)
            asked[parameter] = value
            chosen = request.GET.get(parameter) == value
            values.append((label, count, f"?{asked.urlencode()}", chosen))
        if values:
            out.append((SearchForm.base_fields[parameter].label, values))
    return out


# --- a document and its files -------------------------------------------------------------------


@require_safe
def document(request: HttpRequest, pk: int) -> HttpResponse:
    document = responses.found_or_404(selectors.public_document, pk)
    if request.method == "GET":
        services.record_view(document)
        document.view_count += 1
    grounds = selectors.ground_names()
    attachments = list(document.attachments.all())
    shown = [a for a in attachments if not a.withheld]
    context = {
        "document": document,
        "ground": grounds.get(document.legal_ground, document.legal_ground),
        "attachments": [
            (a, grounds.get(a.legal_ground, a.legal_ground) if a.withheld else "")
            for a in attachments
        ],
        "viewer": next((a for a in shown if a.content_type == PDF.content_type), None),
        "related": list(document.related.all()),
        "tags": list(document.tags.all()),
        "link_back": _link_back(document.source_url),
        "ask_url": (
            reverse("plaza:request-new")
            + "?"
            + urlencode({"document": document.pk, "kind": "question"})
        ),
    }
    if commentable_for(document) is not None:
        context["thread"] = comment_selectors.comment_thread(document, viewer=request.actor)
    return render(request, "plaza/document.html", context)


def _link_back(url: str) -> str:
    """The decision's page in the service that made it: a path of this site or an http(s)
    address, nothing a browser would run."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    return ""


def _file(attachment: Attachment, *, as_attachment: bool) -> FileResponse:
    return responses.found_or_404(files.stored_file_response, attachment, download=as_attachment)


@require_safe
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A PDF shown in the browser's own viewer (the document page frames it); any other kind of
    file is downloaded."""
    attachment = responses.found_or_404(selectors.public_attachment, pk)
    if attachment.content_type != PDF.content_type:
        return _download(request, attachment)
    return _file(attachment, as_attachment=False)


@require_safe
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, responses.found_or_404(selectors.public_attachment, pk))


def _download(request: HttpRequest, attachment: Attachment) -> HttpResponse:
    response = _file(attachment, as_attachment=True)
    if request.method == "GET":
        services.record_download(attachment)
    return response


# --- lists --------------------------------------------------------------------------------------


@require_safe
def category(request: HttpRequest, code: str) -> HttpResponse:
    category = responses.found_or_404(selectors.category_by_code, code)
    documents = selectors.in_category(category)
    return _list_page(request, documents, "category", category, parent=category.parent)


@require_safe
def department(request: HttpRequest, code: str) -> HttpResponse:
    department = responses.found_or_404(selectors.department_by_code, code)
    documents = selectors.of_department(department)
    return _list_page(request, documents, "department", department, parent=None)


def _list_page(request, documents, kind: str, owner, *, parent) -> HttpResponse:
    """A category's or a department's documents (`kind` names the filter, the feeds' routes
    and the search parameter)."""
    page, query = responses.page_of(request, documents, LIST_PAGE_SIZE)
    context = {
        "title": owner.display_name,
        "parent": parent,
        "page": page,
        "query": query,
        "rss_url": reverse(f"plaza:{kind}-feed", args=[owner.code]),
        "atom_url": reverse(f"plaza:{kind}-feed-atom", args=[owner.code]),
        "search_url": f"{reverse('plaza:search')}?{urlencode({kind: owner.code})}",
    }
    return render(request, "plaza/list.html", context)


# --- the sitemap --------------------------------------------------------------------------------


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    """The public documents' addresses: one sitemap while they fit in one (50,000), else an
    index of its pages (/plaza/sitemap-documents.xml?p=2 …)."""
    if SITEMAPS["documents"]().paginator.num_pages > 1:
        return sitemap_views.index(request, SITEMAPS, sitemap_url_name="plaza:sitemap-section")
    return sitemap_views.sitemap(request, SITEMAPS)


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
