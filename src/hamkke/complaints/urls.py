"""HTML routes of the Smart Complaint Report: citizens' pages, and the officials' desk."""

from django.urls import path

from hamkke.complaints import desk, views

app_name = "complaints"
urlpatterns = [
    # Citizens and the public (views.py)
    path("", views.index, name="index"),
    # Officials (desk.py)
    path("desk/", desk.queue, name="desk"),
]
