"""HTML routes of the M-Voting desk, included by polls/urls.py at "desk/"."""

from django.urls import path

from hamkke.polls.desk import views

urlpatterns = [
    path("", views.index, name="desk"),
]
