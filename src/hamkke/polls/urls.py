"""HTML routes of M-Voting: the public's and citizens' pages (views.py) and the officials'
desk (desk/urls.py)."""

from django.urls import include, path

from hamkke.polls import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    # Officials, before the poll routes: a poll's slug must not take "desk".
    path("desk/", include("hamkke.polls.desk.urls")),
    path("<slug:slug>/", views.poll_page, name="poll"),
]
