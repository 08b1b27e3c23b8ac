"""HTML routes of the Plaza's open data, included at "data/" in the "plaza" namespace: the
public list and pages (views.py) and the officials' desk (desk_views.py). The desk's words come
first, and no dataset may be named after them."""

from django.urls import path

from hamkke.plaza.opendata import desk_views, views

urlpatterns = [
    path("", views.datasets, name="datasets"),
    path("desk/", desk_views.index, name="datasets-desk"),
    path("desk/new/", desk_views.new, name="dataset-new"),
    path("desk/<slug:name>/", desk_views.edit, name="dataset-edit"),
    path("desk/<slug:name>/resources/", desk_views.add_resource, name="dataset-add-resource"),
    path(
        "desk/<slug:name>/resources/<int:pk>/remove/",
        desk_views.remove_resource,
        name="dataset-remove-resource",
    ),
    path("<slug:name>/", views.dataset, name="dataset"),
    path("<slug:name>/resources/<int:pk>/download/", views.resource_file, name="dataset-resource"),
]
