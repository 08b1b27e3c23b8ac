"""The Oasis's pages (and, under desk/, the officials' and experts' screens)."""

from django.urls import include, path

from hamkke.ideas import views

app_name = "ideas"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:idea_id>/", views.idea, name="idea"),
    path("review/<int:idea_id>/", views.review, name="review"),
    path("contests/<slug:slug>/winners/", views.contest_winners, name="contest-winners"),
    path("desk/", include("hamkke.ideas.desk.urls")),
]
