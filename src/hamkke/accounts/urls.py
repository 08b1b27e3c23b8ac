"""Personal pages: profile, identity verification, personal data."""

from django.urls import path

from hamkke.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
]
