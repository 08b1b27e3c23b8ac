"""HTML routes of the Oasis desk (desk/views.py), included by ideas/urls.py at "desk/" in the
"ideas" namespace: "ideas:desk" and "ideas:desk-…". Ideas are numbered; the experts' and
meetings' screens are fixed words no number can shadow."""

from django.urls import path

from hamkke.ideas.desk import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("<int:idea_id>/", views.desk_idea, name="desk-idea"),
    # An action of the idea's page (views.ACTIONS: answer, review, reviewer, decision, …).
    path("<int:idea_id>/<slug:action>/", views.act, name="desk-act"),
    path("experts/", views.experts, name="desk-experts"),
    path("experts/<int:expert_id>/retire/", views.retire_expert, name="desk-retire-expert"),
    path("meetings/", views.meetings, name="desk-meetings"),
]
