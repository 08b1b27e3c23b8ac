from django.urls import path

from hamkke.places.desk import files, views

urlpatterns = [path("", views.desk, name="desk")]
# The import pages and the export (desk/files.py).
urlpatterns += files.urlpatterns
