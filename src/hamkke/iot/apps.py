"""App config for IoT (the Bukchon pilot's sensors): devices and the assets they watch,
readings over MQTT and HTTPS, each asset's latest state, NGSI-LD entities; plugged in through
the platform's contract (core/service_app.py)."""

from django.utils.translation import gettext_lazy as _

# The module, not its class: Django picks the one AppConfig class defined in apps.py.
from hamkke.core import service_app


class IotConfig(service_app.ServiceAppConfig):
    name = "hamkke.iot"
    label = "iot"
    verbose_name = "IoT"

    navigation = service_app.Navigation(
        slug="iot",
        name=_("Smart Districts"),
        summary=_("Parking sensors and sharing, smart bins: the Bukchon pilot."),
        icon="core/icons/iot.svg",
        url_name="iot:index",
        desk_url_name="iot:desk",
        order=70,
    )
    urls = (
        service_app.UrlMount("iot/", "hamkke.iot.urls"),
        service_app.UrlMount("ngsi-ld/v1/", "hamkke.iot.ngsi_ld"),
    )
    api_routers = (
        service_app.ApiMount("/iot", "hamkke.iot.api.router"),
        service_app.ApiMount("/iot/parking", "hamkke.iot.parking.api.router"),
        # The alarms (iot/alarms): GET /api/v1/iot/alarms?device=ID, acknowledging.
        service_app.ApiMount("/iot/alarms", "hamkke.iot.alarms.api.router"),
        service_app.ApiMount("/iot/bins", "hamkke.iot.bins.api.router"),
        service_app.ApiMount("/iot", "hamkke.iot.pages.api.router"),
    )
    profile_section = service_app.ProfileSection(
        key="iot",
        schema="hamkke.iot.profile.IotSection",
        check="hamkke.iot.profile.check_references",
    )
    demo_seeder = "hamkke.iot.pages.demo.seed"
    notification_kinds = (
        service_app.NotificationKind("iot.parking", _("My parking reservations")),
    )
    commentables = ()
    personal_data = ()
    media_owners = ()
    public_files = ()
    home_panels = ()
    importers = (service_app.Importer("iot", "hamkke.iot.importing.DevicesImporter"),)
    periodic_tasks = (
        service_app.PeriodicTask(
            "release-parking-no-shows", "hamkke.iot.parking.tasks.release_no_shows", 60
        ),
        # The alarms' rules (iot/alarms), every minute.
        service_app.PeriodicTask(
            "iot-evaluate-rules", "hamkke.iot.alarms.tasks.evaluate_rules", 60
        ),
        # Each morning from [iot] plan_at: the day's bin collection plan, once.
        service_app.PeriodicTask(
            "iot-bins-morning-plan", "hamkke.iot.bins.tasks.make_morning_plan", 600
        ),
        # Each day: roll up, then delete, the readings past the retention.
        service_app.PeriodicTask("iot-prune", "hamkke.iot.tasks.prune", every_seconds=24 * 3600),
    )
