from django.urls import path

from hamkke.ideas.desk import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("<int:idea_id>/", views.desk_idea, name="desk-idea"),
]
