"""The places' public pages. Until the map is built, the service's page says plainly that it
is not ready (the navigation's placeholder page)."""

from django.http import HttpRequest, HttpResponse

from hamkke.core.views import service_not_built


def index(request: HttpRequest) -> HttpResponse:
    return service_not_built(request, "places")
