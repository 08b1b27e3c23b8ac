"""A person's notifications and their preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hamkke.core.notifications import selectors as notification_selectors
from hamkke.core.notifications import services as notification_services
from hamkke.core.notifications.forms import NotificationPreferencesForm
from hamkke.core.web.responses import found_or_404


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    context = {
        "notifications": notification_selectors.notifications_for(request.user),
        "unread": notification_selectors.unread_notification_count(request.user),
    }
    return render(request, "core/notifications.html", context)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notification_services.mark_all_notifications_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with `open`, then go to what it is about."""
    notification = found_or_404(
        notification_selectors.notification_by_id, request.user, notification_id
    )
    notification_services.mark_notification_read(notification=notification, user=request.user)
    if (
        request.POST.get("open")
        and notification.url
        and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notification.url)
    return redirect("core:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    rows = notification_selectors.notification_preferences_of(request.user)
    form = NotificationPreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST":
        saved = form.submit(
            lambda: notification_services.set_notification_preferences(
                user=request.user, preferences=form.preferences()
            )
        )
        if saved:
            messages.success(request, _("Your choices are saved."))
            return redirect("core:notification-preferences")
    return render(
        request, "core/notification_preferences.html", {"form": form}, status=form.status_code
    )
