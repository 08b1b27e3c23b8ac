"""App config for Places: public WiFi and its coverage, free phone charging, facilities, guides
and visiting routes on one map; plugged in through the platform's contract
(core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class PlacesConfig(service_app.ServiceAppConfig):
    name = "hamkke.places"
    label = "places"
    verbose_name = "Places"

    navigation = service_app.Navigation(
        slug="places",
        name=_("Places"),
        summary=_("Public WiFi, free phone chargers, facilities, guides and routes."),
        icon="core/icons/places.svg",
        url_name="places:index",
        desk_url_name="places:desk",
        order=60,
    )
    urls = (service_app.UrlMount("places/", "hamkke.places.urls"),)
    api_routers = (
        service_app.ApiMount("/places/desk", "hamkke.places.desk.api.router"),
        service_app.ApiMount("/places", "hamkke.places.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="places",
        schema="hamkke.places.profile.PlacesSection",
        check="hamkke.places.profile.check_references",
    )
    demo_seeder = "hamkke.places.demo.seed"
    notification_kinds = ()
    commentables = ()
    personal_data = ()
    media_owners = ()
    public_files = ()
    home_panels = ()
    importers = (service_app.Importer("places", "hamkke.places.importing.PlacesImporter"),)
    periodic_tasks = ()
