"""App config for M-Voting: polls posed by the city or by citizens, one person one vote,
results that feed policy; plugged in through the platform's contract (core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class PollsConfig(service_app.ServiceAppConfig):
    name = "hamkke.polls"
    label = "polls"
    verbose_name = "M-Voting"

    navigation = service_app.Navigation(
        slug="polls",
        name=_("M-Voting"),
        summary=_("Vote on the city's questions, or propose one of your own."),
        icon="core/icons/polls.svg",
        url_name="polls:index",
        desk_url_name="polls:desk",
        order=30,
    )
    urls = (service_app.UrlMount("polls/", "hamkke.polls.urls"),)
    api_routers = (
        service_app.ApiMount("/polls/desk", "hamkke.polls.desk.api.router"),
        service_app.ApiMount("/polls", "hamkke.polls.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="polls",
        schema="hamkke.polls.profile.PollsSection",
        check="hamkke.polls.profile.check_references",
    )
    demo_seeder = "hamkke.polls.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("polls.proposal", _("News of polls I proposed")),
    )
    # People discuss a poll on its page; a rejected proposal is not shown at all.
    commentables = (
        service_app.CommentableModel(
            "polls.Poll",
            label=_("poll"),
            is_open="hamkke.polls.policies.takes_comments",
            is_visible="hamkke.polls.policies.is_visible",
        ),
    )
    personal_data = (
        service_app.PersonalDataPart(
            "polls",
            export="hamkke.polls.selectors.personal_data_of",
            erase="hamkke.polls.services.forget_voter",
        ),
    )
    media_owners = (
        service_app.MediaOwner(
            "polls.Option",
            is_public="hamkke.polls.media.option_is_public",
            may_see_hidden="hamkke.polls.media.may_see_hidden_of_option",
        ),
    )
    # Each closed poll's published ballot list, results and description (services.close_poll).
    public_files = ("polls/",)
    # The home page shows the polls open now.
    home_panels = (
        service_app.HomePanel("polls/_home_panel.html", "hamkke.polls.views.home_panel", order=10),
    )
    importers = ()
    periodic_tasks = (
        # A poll whose time is up is sealed and published a few minutes after it closes.
        service_app.PeriodicTask("polls-close-due", "hamkke.polls.tasks.close_due_polls", 300),
        # Proposals whose support period passed without enough supports are not approved.
        service_app.PeriodicTask(
            "polls-expire-proposals", "hamkke.polls.tasks.expire_proposals", 3600
        ),
    )
