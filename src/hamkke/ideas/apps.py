"""App config for the Oasis of 10 Million Imagination: citizens' ideas from suggestion to
adopted policy, and contests; plugged in through the platform's contract
(core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class IdeasConfig(service_app.ServiceAppConfig):
    name = "hamkke.ideas"
    label = "ideas"
    verbose_name = "Oasis of 10 Million Imagination"

    navigation = service_app.Navigation(
        slug="ideas",
        name=_("Oasis of 10 Million Imagination"),
        summary=_("Propose ideas for the city, support others, follow them to policy."),
        icon="core/icons/ideas.svg",
        url_name="ideas:index",
        desk_url_name="ideas:desk",
        order=20,
    )
    urls = (service_app.UrlMount("ideas/", "hamkke.ideas.urls"),)
    api_routers = (
        service_app.ApiMount("/ideas/desk", "hamkke.ideas.desk.api.router"),
        service_app.ApiMount("/ideas/contests", "hamkke.ideas.contest_api.router"),
        service_app.ApiMount("/ideas", "hamkke.ideas.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="ideas",
        schema="hamkke.ideas.profile.IdeasSection",
        loader="hamkke.ideas.services.load_themes",
        check="hamkke.ideas.profile.check_references",
    )
    demo_seeder = "hamkke.ideas.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("ideas.followed", _("News of ideas I follow")),
        service_app.NotificationKind("ideas.desk", _("Ideas my department must answer")),
        service_app.NotificationKind("ideas.review", _("Ideas assigned to me for review")),
    )
    # People discuss an idea on its page (officials and experts too); a closed, withdrawn or
    # refused idea takes no more comments; a hidden one is not shown at all.
    commentables = (
        service_app.CommentableModel(
            "ideas.Idea",
            label=_("idea"),
            is_open="hamkke.ideas.policies.takes_comments",
            is_visible="hamkke.ideas.policies.is_visible",
        ),
    )
    personal_data = (
        service_app.PersonalDataPart(
            "ideas",
            export="hamkke.ideas.selectors.personal_data_of",
            erase="hamkke.ideas.services.forget_person",
        ),
    )
    media_owners = (
        service_app.MediaOwner(
            "ideas.Idea",
            is_public="hamkke.ideas.media.idea_is_public",
            may_see_hidden="hamkke.ideas.media.may_see_hidden_of_idea",
        ),
    )
    public_files = ()
    home_panels = ()
    importers = ()
    periodic_tasks = (
        # Thresholds, support periods and answer deadlines, checked every five minutes.
        service_app.PeriodicTask("ideas-check-due", "hamkke.ideas.tasks.check_due_ideas", 300),
    )
