"""Routes of Open311 GeoReport v2, mounted at /open311/v2/. The suffix picks the format."""

from django.urls import re_path

from hamkke.complaints.open311 import views

FMT = r"(?P<fmt>[a-z0-9]+)"
app_name = "open311"
urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.services_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests\.{FMT}$", views.requests_collection, name="requests"),
    re_path(rf"^requests/(?P<request_id>[^/]+)\.{FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", views.token_detail, name="token"),
    re_path(rf"^servicerequestupdates\.{FMT}$", views.request_updates, name="updates"),
]
