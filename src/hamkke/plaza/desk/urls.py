"""The officials' screens of the Plaza (documents, meetings, datasets, requests)."""

from django.urls import path

from hamkke.plaza.desk import views

urlpatterns = [
    path("", views.desk, name="desk"),
]
