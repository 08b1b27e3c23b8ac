"""HTML routes of M-Voting: the public's and citizens' pages (views.py) and the officials'
desk (desk/urls.py)."""

from django.urls import include, path

from hamkke.polls import views

app_name = "polls"
urlpatterns = [
    path("", views.index, name="index"),
    # Officials, before the poll routes: a poll's slug must not take "desk".
    path("desk/", include("hamkke.polls.desk.urls")),
    # Likewise the fixed pages: no poll's slug may take "propose" or "adopted".
    path("propose/", views.propose, name="propose"),
    path("adopted/", views.adopted, name="adopted"),
    path("<slug:slug>/", views.poll_page, name="poll"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/receipt/", views.receipt, name="receipt"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/support/", views.support, name="support"),
]
