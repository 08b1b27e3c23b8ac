"""The Oasis's pages: ideas (views.py), contests (contest_urls.py) and, under desk/, the
officials' screens."""

from django.urls import include, path

from hamkke.ideas import views

app_name = "ideas"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("similar/", views.similar, name="similar"),
    path("adopted/", views.adopted, name="adopted"),
    path("hall-of-fame/", views.hall_of_fame, name="hall-of-fame"),
    path("<int:idea_id>/", views.idea, name="idea"),
    path("<int:idea_id>/support/", views.support, name="support"),
    path("<int:idea_id>/follow/", views.follow, name="follow"),
    path("<int:idea_id>/withdraw/", views.withdraw, name="withdraw"),
    path("reviews/", views.reviews, name="reviews"),
    path("review/<int:idea_id>/", views.review, name="review"),
    path("review/<int:idea_id>/rescue/", views.rescue, name="rescue"),
    path("contests/", include("hamkke.ideas.contest_urls")),
    path("desk/", include("hamkke.ideas.desk.urls")),
]
