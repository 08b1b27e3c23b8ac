"""Site-wide HTML routes of core: service placeholders, comments and moderation, notifications."""

from django.urls import path

from hamkke.core import views
from hamkke.core.comments import views as comment_views
from hamkke.core.notifications import views as notification_views

app_name = "core"
urlpatterns = [
    path("s/<slug:slug>/", views.service_not_built, name="service-not-built"),
    # A thread is addressed by its target, "app_label.model" and primary key.
    path(
        "comments/on/<str:target_type>/<str:target_id>/",
        comment_views.comment_thread,
        name="comment-thread",
    ),
    path("comments/<int:comment_id>/report/", comment_views.comment_report, name="comment-report"),
    path("comments/<int:comment_id>/hide/", comment_views.comment_hide, name="comment-hide"),
    path("comments/<int:comment_id>/unhide/", comment_views.comment_unhide, name="comment-unhide"),
    path(
        "comments/<int:comment_id>/dismiss-reports/",
        comment_views.comment_dismiss_reports,
        name="comment-dismiss-reports",
    ),
    path("moderation/comments/", comment_views.moderation_queue, name="moderation-queue"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification-preferences",
    ),
]
