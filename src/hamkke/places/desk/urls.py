from django.urls import path

from hamkke.places.desk import views

urlpatterns = [path("", views.desk, name="desk")]
