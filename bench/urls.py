"""The site's routes plus `/_bench/bare`: the cheapest Django view, the served baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/bare", bare, name="bench-bare"),
    path("", include("hamkke.urls")),
]
