"""What every app's views share: a lookup that answers 404, a page of a list, carrying out a
form through a service, a domain error rendered as a page, a safe `next` address."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from hamkke.core.errors import DomainError, NotFound, TooManyAttempts

T = TypeVar("T")


def render_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal that belongs to no form, as a page with the error's status."""
    response = render(request, "core/error.html", {"message": exc.message}, status=exc.status)
    add_retry_after(response, exc)
    return response


def add_retry_after(response: HttpResponse, exc: DomainError | None) -> None:
    if isinstance(exc, TooManyAttempts) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the page's own `next` if it is on this site, else the fallback."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def found_or_404(lookup: Callable[..., T], *args, **kwargs) -> T:
    """What a selector finds by an address's key; its NotFound is the 404 page, with its
    message."""
    try:
        return lookup(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def page_of(request: HttpRequest, items, per_page: int) -> tuple[Page, str]:
    """The page of `items` the address asks for (?page=; the last for a number past it), and the
    address's other parameters (the filters) for the links to the other pages."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def carry_out(
    request: HttpRequest,
    service: Callable[[], object],
    success: str,
    *,
    reraise: tuple[type[DomainError], ...] = (),
) -> bool:
    """A button with no form to fill: call `service` and say how it went on the next page, with
    `success` or the refusal's reason. The refusals in `reraise` go on to their error page (at
    the desk, a missing role is 403). True when it was done."""
    try:
        service()
    except reraise:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
