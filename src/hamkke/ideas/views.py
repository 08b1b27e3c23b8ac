"""The Oasis's public pages (being built)."""

from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def idea(request: HttpRequest, idea_id: int) -> HttpResponse:
    return HttpResponse("")


def review(request: HttpRequest, idea_id: int) -> HttpResponse:
    return HttpResponse("")
