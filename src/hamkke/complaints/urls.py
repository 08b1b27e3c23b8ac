"""HTML routes of the Smart Complaint Report: citizens' pages, and the officials' desk."""

from django.urls import path, re_path

from hamkke.complaints import views
from hamkke.complaints.desk import views as desk

app_name = "complaints"
urlpatterns = [
    # Citizens and the public (views.py)
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/questions/", views.questions, name="questions"),
    path("new/nearby/", views.nearby, name="nearby"),
    path("new/photo-location/", views.photo_location, name="photo-location"),
    path("mine/", views.mine, name="mine"),
    path("map.geojson", views.map_geojson, name="map-geojson"),
    # Tracking numbers only (YYMMDD-XXXXX), so that no other route can be taken for one.
    re_path(r"^(?P<tracking_number>\d{6}-[0-9A-Za-z]{5})/$", views.detail, name="detail"),
    re_path(r"^(?P<tracking_number>\d{6}-[0-9A-Za-z]{5})/receipt/$", views.receipt, name="receipt"),
    re_path(r"^(?P<tracking_number>\d{6}-[0-9A-Za-z]{5})/follow/$", views.follow, name="follow"),
    re_path(r"^(?P<tracking_number>\d{6}-[0-9A-Za-z]{5})/rate/$", views.rate, name="rate"),
    re_path(r"^(?P<tracking_number>\d{6}-[0-9A-Za-z]{5})/reopen/$", views.reopen, name="reopen"),
    # Officials (desk/views.py)
    path("desk/", desk.queue, name="desk"),
    path("desk/bulk/", desk.bulk, name="desk-bulk"),
    path("desk/stats/", desk.stats, name="desk-stats"),
    path("desk/stats.csv", desk.stats_csv, name="desk-stats-csv"),
    path("desk/reports.csv", desk.reports_csv, name="desk-reports-csv"),
    path("desk/<str:tracking_number>/", desk.report, name="desk-report"),
    path("desk/<str:tracking_number>/status/", desk.change_status, name="desk-status"),
    path("desk/<str:tracking_number>/assign/", desk.assign, name="desk-assign"),
    path("desk/<str:tracking_number>/moderate/", desk.moderate, name="desk-moderate"),
]
