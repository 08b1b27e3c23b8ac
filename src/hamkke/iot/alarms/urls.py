"""HTML routes of the alarms desk, included by iot/urls.py at "alarms/": "iot:alarms:list",
"iot:alarms:detail", "iot:alarms:acknowledge"."""

from django.urls import path

from hamkke.iot.alarms import views

app_name = "alarms"
urlpatterns = [
    path("", views.alarm_list, name="list"),
    path("<int:alarm_id>/", views.alarm_detail, name="detail"),
    path("<int:alarm_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
