"""The IoT pages: the public status of each kind of asset and the officials' device registry."""

from django.urls import include, path

from hamkke.iot import views

app_name = "iot"
urlpatterns = [
    path("", views.index, name="index"),
    path("status/<slug:kind>/", views.status, name="status"),
    path("desk/", views.desk, name="desk"),
    path("desk/devices/<int:device_id>/", views.device, name="device"),
    path("desk/devices/<int:device_id>/rotate/", views.rotate, name="rotate"),
    path("desk/devices/<int:device_id>/revoke/", views.revoke, name="revoke"),
    path("parking/", include("hamkke.iot.parking.urls")),
    path("alarms/", include("hamkke.iot.alarms.urls")),
    path("bins/", include("hamkke.iot.bins.urls")),
]
