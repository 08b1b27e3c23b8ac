"""Routes of Open311 GeoReport v2, mounted at /open311/v2/. The suffix picks the format. Leading
slashes are tolerated: clients that join an endpoint ending in "/" with "/requests.xml" ask for
/open311/v2//requests.xml. Any other path is a 404 in Open311's error format."""

from django.urls import re_path

from hamkke.complaints.open311 import views

FMT = r"(?P<fmt>[a-z0-9]+)"
# Any number of slashes before the resource, as clients build the address.
AT = r"^(?:/)*"
app_name = "open311"
urlpatterns = [
    re_path(AT + rf"discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(AT + rf"services\.{FMT}$", views.services_list, name="services"),
    re_path(AT + rf"services/(?P<code>[^/]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(AT + rf"requests\.{FMT}$", views.requests_collection, name="requests"),
    re_path(AT + rf"requests/(?P<request_id>[^/]+)\.{FMT}$", views.request_detail, name="request"),
    re_path(AT + rf"tokens/(?P<token>[^/]+)\.{FMT}$", views.token_detail, name="token"),
    re_path(AT + rf"servicerequestupdates\.{FMT}$", views.request_updates, name="updates"),
    re_path(r"^(?P<path>.*)$", views.unknown_path, name="unknown"),
]
