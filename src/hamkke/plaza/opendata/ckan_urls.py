"""CKAN's action API paths, for harvesters that speak CKAN: mounted at /api/3/action/ and, as
CKAN also answers, at /api/action/. Any other path here is a 404 in CKAN's envelope."""

from django.urls import re_path

from hamkke.plaza.opendata import ckan_views

urlpatterns = [
    re_path(r"^(?P<name>[A-Za-z_]{1,64})/?$", ckan_views.action),
    re_path(r"^(?P<path>.*)$", ckan_views.unknown_path),
]
