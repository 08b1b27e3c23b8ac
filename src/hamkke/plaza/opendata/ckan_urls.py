"""CKAN's action API paths (/api/3/action/…), for harvesters that speak CKAN."""

urlpatterns: list = []
