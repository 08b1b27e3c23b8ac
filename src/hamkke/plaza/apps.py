"""App config for the Information Communication Plaza: administrative documents, meetings, open
data and disclosure requests, plugged in through the platform's contract (core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class PlazaConfig(service_app.ServiceAppConfig):
    name = "hamkke.plaza"
    label = "plaza"
    verbose_name = "Information Communication Plaza"

    navigation = service_app.Navigation(
        slug="plaza",
        name=_("Information Communication Plaza"),
        summary=_("Read the city's documents: approvals, budgets, meetings, contracts."),
        icon="core/icons/plaza.svg",
        url_name="plaza:index",
        desk_url_name="plaza:desk",
        order=50,
    )
    urls = (
        service_app.UrlMount("plaza/", "hamkke.plaza.urls"),
        # Standards' own paths, where harvesters and council tools look for them.
        service_app.UrlMount("api/3/action/", "hamkke.plaza.opendata.ckan_urls"),
        # CKAN answers its action API without the version too; ckanapi calls it there.
        service_app.UrlMount("api/action/", "hamkke.plaza.opendata.ckan_urls"),
        service_app.UrlMount("oparl/v1/", "hamkke.plaza.meetings.oparl_urls"),
        service_app.UrlMount("", "hamkke.plaza.opendata.catalog_urls"),
    )
    api_routers = (
        service_app.ApiMount("/plaza/desk", "hamkke.plaza.desk.api.router"),
        service_app.ApiMount("/plaza", "hamkke.plaza.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="plaza",
        schema="hamkke.plaza.profile.PlazaSection",
        loader="hamkke.plaza.services.load_categories",
        check="hamkke.plaza.profile.check_references",
    )
    demo_seeder = "hamkke.plaza.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("plaza.request", _("Answers to my disclosure requests")),
        service_app.NotificationKind(
            "plaza.request_due", _("Disclosure requests to my department nearing their deadline")
        ),
    )
    # People discuss a public document on its page; a withdrawn or closed one takes none.
    commentables = (
        service_app.CommentableModel(
            "plaza.Document",
            label=_("Plaza document"),
            is_open="hamkke.plaza.policies.document_takes_comments",
            is_visible="hamkke.plaza.policies.is_public",
        ),
    )
    personal_data = (
        service_app.PersonalDataPart(
            "plaza",
            export="hamkke.plaza.disclosure.selectors.personal_data_of",
            erase="hamkke.plaza.disclosure.services.forget_requester",
        ),
    )
    # Attachments and data files are served by the Plaza's views, which apply disclosure.
    public_files = ()
    home_panels = ()
    importers = ()
    media_owners = (
        service_app.MediaOwner(
            "plaza.Meeting",
            is_public="hamkke.plaza.meetings.media.meeting_is_public",
            may_see_hidden="hamkke.plaza.meetings.media.may_see_hidden_of_meeting",
        ),
    )
    periodic_tasks = (
        # Approved documents become public the day after approval (or at once): this publishes
        # what is due and writes its search terms.
        service_app.PeriodicTask(
            "plaza-publish-due", "hamkke.plaza.tasks.publish_due_documents", 300
        ),
        service_app.PeriodicTask(
            "plaza-request-deadlines", "hamkke.plaza.tasks.warn_of_request_deadlines", 3600
        ),
    )
