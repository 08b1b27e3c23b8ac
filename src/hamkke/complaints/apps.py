"""App config for complaints: the Smart Complaint Report service."""

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "hamkke.complaints"
    label = "complaints"
    verbose_name = "Smart Complaint Report"
    city_profile_loader = "hamkke.complaints.services.load_categories"
    demo_seeder = "hamkke.complaints.demo.seed"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hamkke.accounts.personal_data import register_eraser, register_exporter
        from hamkke.complaints import selectors, services
        from hamkke.core.registries import register_notification_kind

        register_notification_kind("complaints.status", _("News of reports I filed or follow"))
        register_notification_kind("complaints.overdue", _("Overdue reports in my department"))
        register_exporter("complaints", selectors.personal_data_of)
        register_eraser("complaints", services.forget_reporter)
