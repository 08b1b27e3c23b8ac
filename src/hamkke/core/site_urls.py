"""The site's own routes outside any namespace: the home page and the health check."""

from django.urls import path

from hamkke.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
]
