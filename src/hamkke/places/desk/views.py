"""The registries' desk. Until it is built, it says plainly that it is not ready."""

from django.http import HttpRequest, HttpResponse

from hamkke.core.views import service_not_built


def desk(request: HttpRequest) -> HttpResponse:
    return service_not_built(request, "places")
