"""The contests' pages (being built)."""

from django.urls import path

from hamkke.ideas import contest_views

urlpatterns = [
    path("<slug:slug>/winners/", contest_views.winners, name="contest-winners"),
]
