"""Routes of OParl 1.1, mounted at /oparl/v1/ (namespace "oparl"). Objects' addresses are their
OParl ids, so they have no trailing slash; any other path is a 404 in OParl's error format."""

from django.urls import path, re_path

from hamkke.plaza.meetings import oparl_views as views

app_name = "oparl"
urlpatterns = [
    path("", views.system, name="root"),
    path("system", views.system, name="system"),
    path("body", views.bodies, name="bodies"),
    path("body/<slug:slug>", views.body, name="body"),
    path("body/<slug:slug>/organization", views.organizations, name="organizations"),
    path("body/<slug:slug>/meeting", views.meetings, name="meetings"),
    path("body/<slug:slug>/paper", views.papers, name="papers"),
    path("body/<slug:slug>/person", views.people, name="people"),
    path("organization/<int:pk>", views.organization, name="organization"),
    path(
        "organization/<int:pk>/meeting", views.organization_meetings, name="organization-meetings"
    ),
    path("meeting/<int:pk>", views.meeting, name="meeting"),
    path("agendaItem/<int:pk>", views.agenda_item, name="agenda-item"),
    path("location/<int:pk>", views.location, name="location"),
    path("paper/<int:pk>", views.paper, name="paper"),
    path("file/<int:pk>", views.file, name="file"),
    path("file/<int:pk>/access", views.file_access, name="file-access"),
    path("file/<int:pk>/download", views.file_download, name="file-download"),
    re_path(r"^(?P<path>.*)$", views.unknown, name="unknown"),
]
