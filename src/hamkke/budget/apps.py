"""App config for budget: participatory budgeting."""

from django.apps import AppConfig


class BudgetConfig(AppConfig):
    name = "hamkke.budget"
    label = "budget"
    verbose_name = "Participatory budgeting"
    city_profile_loader = "hamkke.budget.services.load_areas"
    demo_seeder = "hamkke.budget.demo.seed"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from hamkke.accounts.personal_data import register_eraser, register_exporter
        from hamkke.budget.models import Project, ProjectStatus
        from hamkke.core.registries import register_commentable, register_notification_kind

        def export(user):
            from hamkke.budget.selectors import personal_data_of

            return personal_data_of(user)

        def erase(user):
            from hamkke.budget.services import forget_voter

            forget_voter(user)

        register_notification_kind("budget.project", _("News of budget projects I proposed"))
        # People discuss a project on its public page; a withdrawn one takes no more comments.
        register_commentable(
            Project,
            label=_("budget project"),
            is_open=lambda project: project.status != ProjectStatus.WITHDRAWN,
        )
        register_exporter("budget", export)
        register_eraser("budget", erase)
