"""The contests' pages (being built)."""

from django.http import HttpRequest, HttpResponse


def winners(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("")
