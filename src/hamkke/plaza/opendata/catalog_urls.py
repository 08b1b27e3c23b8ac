"""DCAT catalogues at the site's root (/data.json, /catalog.jsonld)."""

urlpatterns: list = []
