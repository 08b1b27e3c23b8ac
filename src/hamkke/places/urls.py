"""The places' pages (the map, near me, a place, an event, a route, the walk planner, the
coverage) and, under desk/, the registries."""

from django.urls import include, path

from hamkke.places import views

app_name = "places"

urlpatterns = [
    path("", views.index, name="index"),
    path("near/", views.near, name="near"),
    path("plan/", views.plan, name="plan"),
    path("coverage/", views.coverage, name="coverage"),
    path("<int:place_id>/", views.place, name="place"),
    path("events/<int:event_id>/", views.event, name="event"),
    path("routes/<int:route_id>/", views.route, name="route"),
    path("desk/", include("hamkke.places.desk.urls")),
]
