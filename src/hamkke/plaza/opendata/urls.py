"""HTML routes of the Plaza's opendata pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
