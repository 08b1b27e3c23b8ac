"""The IoT pages: the public map and each asset's status, and the officials' device desk. The
parts other helpers build mount below: parking/, bins/, alarms/."""

from django.urls import include, path

from hamkke.iot import views

app_name = "iot"
urlpatterns = [
    path("", views.index, name="index"),
    path("assets/<int:asset_id>/", views.asset, name="asset"),
    path("desk/", views.desk, name="desk"),
    path("desk/devices/<int:device_id>/", views.device, name="device"),
    path("desk/devices/<int:device_id>/rotate/", views.rotate, name="rotate"),
    path("desk/devices/<int:device_id>/revoke/", views.revoke, name="revoke"),
    path("parking/", include("hamkke.iot.parking.urls")),
    path("alarms/", include("hamkke.iot.alarms.urls")),
    path("bins/", include("hamkke.iot.bins.urls")),
]
