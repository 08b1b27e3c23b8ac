"""Pages of M-Voting for citizens and the public."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hamkke.polls import selectors


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "polls/index.html", {"polls": selectors.polls_with_status()})


def poll_page(request: HttpRequest, slug: str) -> HttpResponse:
    poll = selectors.poll_by_slug(slug)
    if poll is None:
        raise Http404
    return render(request, "polls/poll.html", {"poll": poll})
