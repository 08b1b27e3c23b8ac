"""The IoT pages."""

from django.http import HttpRequest, HttpResponse

from hamkke.core.views import service_not_built


def index(request: HttpRequest) -> HttpResponse:
    return service_not_built(request, "iot")


status = desk = device = rotate = revoke = index
