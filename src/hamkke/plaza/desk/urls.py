"""The officials' screens of the Plaza's documents (meetings, datasets and requests have their
desks in their own packages)."""

from django.urls import path

from hamkke.plaza.desk import views

urlpatterns = [
    path("", views.desk, name="desk"),
    path("documents/new/", views.new_document, name="desk-new"),
    path("documents/<int:pk>/", views.document, name="desk-document"),
    path("documents/<int:pk>/approve/", views.approve, name="desk-approve"),
    path("documents/<int:pk>/publish/", views.publish, name="desk-publish"),
    path("documents/<int:pk>/withdraw/", views.withdraw, name="desk-withdraw"),
    path("documents/<int:pk>/reclassify/", views.reclassify, name="desk-reclassify"),
    path("documents/<int:pk>/attach/", views.attach, name="desk-attach"),
    path(
        "documents/<int:pk>/files/<int:attachment_id>/",
        views.attachment,
        name="desk-attachment",
    ),
]
