"""HTML routes of the Plaza's meetings pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
