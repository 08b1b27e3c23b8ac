"""Site-wide HTML routes of core."""

from django.urls import path

from hamkke.core import views

app_name = "core"
urlpatterns = [
    path("s/<slug:slug>/", views.service_not_built, name="service-not-built"),
]
