"""The places' pages (the map, details, routes, coverage) and, under desk/, the registries."""

from django.urls import include, path

from hamkke.places import views

app_name = "places"

urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", include("hamkke.places.desk.urls")),
]
