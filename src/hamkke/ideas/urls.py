"""The Oasis's pages: ideas (views.py), contests (contest_urls.py) and, under desk/, the
officials' screens."""

from django.urls import include, path

from hamkke.ideas import views

app_name = "ideas"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:idea_id>/", views.idea, name="idea"),
    path("review/<int:idea_id>/", views.review, name="review"),
    path("contests/", include("hamkke.ideas.contest_urls")),
    path("desk/", include("hamkke.ideas.desk.urls")),
]
