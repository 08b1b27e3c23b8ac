"""NGSI-LD read API (placeholder)."""

urlpatterns: list = []
