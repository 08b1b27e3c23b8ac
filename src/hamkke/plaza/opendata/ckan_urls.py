"""CKAN's action API paths (/api/3/action/…), for harvesters that speak CKAN. Any other path
here is a 404 in CKAN's envelope."""

from django.urls import re_path

from hamkke.plaza.opendata import ckan_views

app_name = "ckan"
urlpatterns = [
    re_path(r"^(?P<name>[A-Za-z_]{1,64})/?$", ckan_views.action, name="action"),
    re_path(r"^(?P<path>.*)$", ckan_views.unknown_path, name="unknown"),
]
