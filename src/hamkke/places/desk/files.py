"""The registries' files at the desk: the import pages (core/imports, with the Places importer)
and the export of every row of a layer as CSV or GeoJSON (exporting.py), streamed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.urls import path

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.core.city.selectors import current_city
from hamkke.core.imports import views as import_views
from hamkke.places import exporting, importing
from hamkke.places.models import Layer

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@official_required(role=Role.VIEWER)
def export(request: HttpRequest, layer: str, file_format: str) -> StreamingHttpResponse:
    if layer not in Layer.values or file_format not in exporting.FORMATS:
        raise Http404("There is no such layer or format.")
    city = current_city()
    importing.PlacesImporter().may_import(request.actor, city=city).enforce()
    pieces = (
        exporting.as_csv(layer, city) if file_format == "csv" else exporting.as_geojson(layer, city)
    )
    response = StreamingHttpResponse(pieces, content_type=CONTENT_TYPES[file_format])
    name = exporting.file_name(layer, file_format, city)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


PLACES = {"importer": "places"}
urlpatterns = [
    path("imports/", import_views.imports_page, PLACES, name="desk-imports"),
    path("imports/<int:job_id>/", import_views.job_page, PLACES, name="desk-import"),
    path(
        "imports/<int:job_id>/confirm/",
        import_views.confirm_job,
        PLACES,
        name="desk-import-confirm",
    ),
    path(
        "imports/<int:job_id>/rejected.csv",
        import_views.rejected_csv,
        PLACES,
        name="desk-import-rejected",
    ),
    path("export/<slug:layer>.<slug:file_format>", export, name="desk-export"),
]
