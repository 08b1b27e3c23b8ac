"""The Oasis's desk (being built)."""

from django.http import HttpRequest, HttpResponse


def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def desk_idea(request: HttpRequest, idea_id: int) -> HttpResponse:
    return HttpResponse("")
