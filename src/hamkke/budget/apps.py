"""App config for budget: participatory budgeting, plugged in through the platform's contract
(core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class BudgetConfig(service_app.ServiceAppConfig):
    name = "hamkke.budget"
    label = "budget"
    verbose_name = "Participatory budgeting"

    navigation = service_app.Navigation(
        slug="budget",
        name=_("Participatory Budgeting"),
        summary=_("Propose and choose the projects a share of the budget pays for."),
        icon="core/icons/budget.svg",
        url_name="budget:index",
        desk_url_name="budget:desk",
        order=40,
    )
    urls = (service_app.UrlMount("budget/", "hamkke.budget.urls"),)
    api_routers = (service_app.ApiMount("/budget", "hamkke.budget.api.router"),)
    profile_section = service_app.ProfileSection(
        key="budget",
        schema="hamkke.budget.profile.BudgetSection",
        loader="hamkke.budget.services.load_areas",
    )
    demo_seeder = "hamkke.budget.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("budget.project", _("News of budget projects I proposed")),
    )
    # People discuss a project on its public page; a withdrawn one takes no more comments.
    commentables = (
        service_app.CommentableModel(
            "budget.Project",
            label=_("budget project"),
            is_open="hamkke.budget.policies.project_takes_comments",
        ),
    )
    personal_data = (
        service_app.PersonalDataPart(
            "budget",
            export="hamkke.budget.selectors.personal_data_of",
            erase="hamkke.budget.services.forget_voter",
        ),
    )
    media_owners = ()
    # The published ballot files and manifests of each cycle (services.publish_results).
    public_files = ("budget/",)
    home_panels = ()
    importers = ()
    # A pool's ballot box is mixed and closed a few minutes after voting ends (the ballot pattern).
    periodic_tasks = (
        service_app.PeriodicTask(
            "budget-close-ballot-boxes", "hamkke.budget.tasks.close_ballot_boxes", 300
        ),
    )
