"""HTML routes of the Plaza's disclosure pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
