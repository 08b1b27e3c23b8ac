"""HTML routes of the M-Voting desk (desk/views.py), included by polls/urls.py at "desk/" in the
"polls" namespace: "polls:desk" and "polls:desk-…". Polls live under "polls/" and proposals
under "proposals/", so that no slug (a poll titled "New" is "new") can shadow a fixed word."""

from django.urls import path

from hamkke.polls.desk import views

urlpatterns = [
    path("", views.index, name="desk"),
    path("new/", views.new_poll, name="desk-new"),
    path("polls/<slug:slug>/", views.poll_page, name="desk-poll"),
    path("polls/<slug:slug>/edit/", views.edit_poll, name="desk-edit"),
    path("polls/<slug:slug>/close/", views.close, name="desk-close"),
    path("polls/<slug:slug>/codes/", views.make_codes, name="desk-codes"),
    path("polls/<slug:slug>/decision/", views.decide, name="desk-decide"),
    path(
        "polls/<slug:slug>/options/<int:option>/image/",
        views.option_image,
        name="desk-option-image",
    ),
    path("proposals/<slug:slug>/", views.proposal, name="desk-proposal"),
    path("proposals/<slug:slug>/approve/", views.approve, name="desk-approve"),
    path("proposals/<slug:slug>/reject/", views.reject, name="desk-reject"),
]
