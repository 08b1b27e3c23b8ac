"""The parking sharing pages, under /iot/parking/ (included by iot/urls.py)."""

from django.urls import path

from hamkke.iot.parking import views

urlpatterns = [
    path("", views.index, name="parking-index"),
    path("map.geojson", views.map_geojson, name="parking-map"),
    path("windows/<int:window_id>/reserve/", views.reserve, name="parking-reserve"),
    path("windows/<int:window_id>/withdraw/", views.withdraw, name="parking-withdraw"),
    path("reservations/", views.mine, name="parking-mine"),
    path("reservations/<str:code>/", views.reservation, name="parking-reservation"),
    path("reservations/<str:code>/cancel/", views.cancel, name="parking-cancel"),
    path("share/", views.share, name="parking-share"),
    path("desk/", views.desk, name="parking-desk"),
    path("desk/claims/<int:holder_id>/confirm/", views.confirm, name="parking-confirm"),
]
