"""DCAT catalogues at the site's root (/data.json, /catalog.jsonld), where harvesters look."""

from django.urls import path

from hamkke.plaza.opendata import views

app_name = "dcat"
urlpatterns = [
    path("data.json", views.data_json, name="data-json"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog-jsonld"),
]
