"""App config for complaints: the Smart Complaint Report service, plugged in through the
platform's contract (core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class ComplaintsConfig(service_app.ServiceAppConfig):
    name = "hamkke.complaints"
    label = "complaints"
    verbose_name = "Smart Complaint Report"

    navigation = service_app.Navigation(
        slug="complaints",
        name=_("Smart Complaint Report"),
        summary=_("Report a damaged road, litter, illegal parking or a broken facility."),
        icon="core/icons/complaints.svg",
        url_name="complaints:index",
        desk_url_name="complaints:desk",
        order=10,
    )
    urls = (
        service_app.UrlMount("complaints/", "hamkke.complaints.urls"),
        service_app.UrlMount("open311/v2/", "hamkke.complaints.open311.urls"),
    )
    # The desk's router first: its paths would otherwise be taken for a report's id.
    api_routers = (
        service_app.ApiMount("/complaints/desk", "hamkke.complaints.desk.api.router"),
        service_app.ApiMount("/complaints", "hamkke.complaints.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="complaints",
        schema="hamkke.complaints.profile.ComplaintsSection",
        check="hamkke.complaints.profile.check_references",
        loader="hamkke.complaints.services.load_categories",
    )
    demo_seeder = "hamkke.complaints.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("complaints.status", _("News of reports I filed or follow")),
        service_app.NotificationKind("complaints.overdue", _("Overdue reports in my department")),
    )
    commentables = ()
    personal_data = (
        service_app.PersonalDataPart(
            "complaints",
            export="hamkke.complaints.selectors.personal_data_of",
            erase="hamkke.complaints.services.forget_reporter",
        ),
    )
    # Who may see a report's files, and its steps' result photos (complaints/media.py).
    public_files = ()
    home_panels = ()
    importers = ()
    media_owners = (
        service_app.MediaOwner(
            "complaints.Complaint",
            is_public="hamkke.complaints.media.report_is_public",
            may_see_hidden="hamkke.complaints.media.may_see_hidden_of_report",
        ),
        service_app.MediaOwner(
            "complaints.ComplaintEvent",
            is_public="hamkke.complaints.media.step_is_public",
            may_see_hidden="hamkke.complaints.media.may_see_hidden_of_step",
        ),
    )
    periodic_tasks = (
        service_app.PeriodicTask(
            "escalate-overdue-complaints",
            "hamkke.complaints.tasks.escalate_overdue_complaints",
            15 * 60,
        ),
    )
