"""The registries' desk (being built)."""

from django.http import HttpRequest, HttpResponse


def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
