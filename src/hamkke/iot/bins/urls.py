"""The smart bins' pages, included by iot/urls.py at "bins/" ("iot:bins:…"): the public map and
table of fill levels, and the desk (plans, routes, crews' sheets, trucks)."""

from django.urls import path

from hamkke.iot.bins import views

app_name = "bins"
urlpatterns = [
    path("", views.index, name="index"),
    path("desk/", views.desk, name="desk"),
    path("desk/plan/", views.make_plan, name="make-plan"),
    path("desk/routes/<int:route_id>/sheet/", views.sheet, name="sheet"),
    path("desk/trucks/new/", views.truck, name="truck-new"),
    path("desk/trucks/<int:truck_id>/", views.truck, name="truck"),
    path("desk/trucks/<int:truck_id>/delete/", views.delete_truck, name="truck-delete"),
]
