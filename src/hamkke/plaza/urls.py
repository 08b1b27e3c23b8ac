"""HTML routes of the Plaza: documents and search (views.py), meetings, open data, disclosure
requests, and the officials' desk."""

from django.urls import include, path

from hamkke.plaza import views

app_name = "plaza"
urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", include("hamkke.plaza.desk.urls")),
    path("meetings/", include("hamkke.plaza.meetings.urls")),
    path("data/", include("hamkke.plaza.opendata.urls")),
    path("requests/", include("hamkke.plaza.disclosure.urls")),
]
