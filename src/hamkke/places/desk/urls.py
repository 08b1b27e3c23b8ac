"""HTML routes of the places desk (desk/views.py), included by places/urls.py at "desk/" in the
"places" namespace: "places:desk" and "places:desk-…". A registry is named by its layer (the
API's names); the words no layer takes (lending/, and imports/ and export/ of the import and
export pages) cannot be shadowed by one."""

from django.urls import path, register_converter

from hamkke.places.desk import files, views
from hamkke.places.models import Layer


class LayerConverter:
    """One of the layers' names: wifi-sites, wifi-aps, chargers, facilities, events, routes."""

    regex = "|".join(Layer.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(LayerConverter, "places_layer")

urlpatterns = [
    path("", views.desk, name="desk"),
    path("lending/", views.lending, name="desk-lending"),
    path("<places_layer:layer>/", views.registry, name="desk-registry"),
    path("<places_layer:layer>/new/", views.new, name="desk-new"),
    path("<places_layer:layer>/<int:pk>/", views.edit, name="desk-edit"),
    # Off the map ("retire") and back in service ("reinstate").
    path("<places_layer:layer>/<int:pk>/<slug:action>/", views.switch, name="desk-switch"),
]
# The import pages and the export (desk/files.py).
urlpatterns += files.urlpatterns
