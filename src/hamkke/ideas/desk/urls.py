"""HTML routes of the Oasis desk (desk/views.py), included by ideas/urls.py at "desk/" in the
"ideas" namespace: "ideas:desk" and "ideas:desk-…". Ideas are numbered; the experts' and
meetings' screens are fixed words no number can shadow."""

from django.urls import path

from hamkke.ideas.desk import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("<int:idea_id>/", views.desk_idea, name="desk-idea"),
    path("<int:idea_id>/answer/", views.answer, name="desk-answer"),
    path("<int:idea_id>/review/", views.start_review, name="desk-start-review"),
    path("<int:idea_id>/reviewers/", views.add_reviewer, name="desk-add-reviewer"),
    path("<int:idea_id>/decision/", views.decide, name="desk-decide"),
    path("<int:idea_id>/progress/", views.progress, name="desk-progress"),
    path("<int:idea_id>/budget/", views.to_budget, name="desk-to-budget"),
    path("<int:idea_id>/poll/", views.to_poll, name="desk-to-poll"),
    path("<int:idea_id>/visibility/", views.moderate, name="desk-moderate"),
    path("experts/", views.experts, name="desk-experts"),
    path("experts/<int:expert_id>/retire/", views.retire_expert, name="desk-retire-expert"),
    path("meetings/", views.meetings, name="desk-meetings"),
]
