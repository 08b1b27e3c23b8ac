"""App config for core: what every Hamkke service shares. Core plugs in through the same
contract as the services (core/service_app.py): its pages, its API router, its notification
kind."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class CoreConfig(service_app.ServiceAppConfig):
    name = "hamkke.core"
    label = "core"
    verbose_name = "Hamkke core"

    navigation = None
    urls = (
        service_app.UrlMount("", "hamkke.core.site_urls"),
        service_app.UrlMount("", "hamkke.core.urls"),
    )
    api_routers = (
        service_app.ApiMount("/", "hamkke.core.city.api.router"),
        service_app.ApiMount("/", "hamkke.core.comments.api.router"),
        service_app.ApiMount("/", "hamkke.core.notifications.api.router"),
        service_app.ApiMount("/imports", "hamkke.core.imports.api.router"),
    )
    profile_section = None  # core reads the profile's own tables (city, districts, departments)
    demo_seeder = None
    # An author learns when a moderator hides one of their comments, and why.
    notification_kinds = (
        service_app.NotificationKind("comment_hidden", _("A moderator hid one of my comments")),
    )
    commentables = ()
    personal_data = ()  # core's parts are declared by accounts, which can read both
    media_owners = ()
    public_files = ()
    home_panels = ()
    importers = ()
    periodic_tasks = (
        service_app.PeriodicTask(
            "delete-orphan-media", "hamkke.core.tasks.delete_orphan_media_files", 6 * 3600
        ),
        # The outbox's retries (core/outbox): what is due, every minute; what is done, daily.
        service_app.PeriodicTask(
            "send-due-outbox-messages", "hamkke.core.tasks.send_due_outbox_messages", 60
        ),
        service_app.PeriodicTask("purge-outbox", "hamkke.core.tasks.purge_outbox", 24 * 3600),
        # Idempotency keys are honoured for 24 hours (core/idempotency.py).
        service_app.PeriodicTask(
            "delete-expired-idempotency-keys",
            "hamkke.core.tasks.delete_expired_idempotency_keys",
            3600,
        ),
    )

    def ready(self) -> None:
        super().ready()
        from hamkke.core import checks  # noqa: F401  (registers the contract's system checks)
