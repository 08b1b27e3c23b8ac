"""Places: WiFi sites and their access points, phone-charger sites and public facilities (one
registry of places, a layer each), experience events and workshops, visiting routes with their
ordered stops, chargers lent at city events, and the latest WiFi coverage computed. Every row
with a point keeps its H3 cell, so "nearest" is an indexed lookup on both databases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Layer(models.TextChoices):
    """The map's layers, named as the API names them (`/layers/{layer}.geojson`)."""

    WIFI_SITES = "wifi-sites", _("WiFi sites")
    WIFI_APS = "wifi-aps", _("WiFi access points")
    CHARGERS = "chargers", _("Phone chargers")
    FACILITIES = "facilities", _("Facilities")
    EVENTS = "events", _("Events and workshops")
    ROUTES = "routes", _("Visiting routes")


# The layers kept in the Place table.
PLACE_LAYERS = (Layer.WIFI_SITES, Layer.CHARGERS, Layer.FACILITIES)


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("place status", "In service")
    REPAIR = "repair", _("Under repair")
    CLOSED = "closed", pgettext_lazy("place status", "Out of service")


class Located(models.Model):
    """A point in WGS84 with its H3 cell (core.geo.cell_for at NEAR_RESOLUTION) and district."""

    latitude = models.FloatField()
    longitude = models.FloatField()
    cell = models.CharField(max_length=16)
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Place(Located):
    """A WiFi site, a charger site or a public facility (its `layer`). `ref` is the registry's
    own number (a WiFi management number, a charger site's code): importing the same file again
    updates the rows it names instead of adding them twice."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    layer = models.CharField(max_length=12, choices=[(x.value, x.label) for x in PLACE_LAYERS])
    ref = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    # A facility's kind (the profile's facility_kinds) or a WiFi site's install type.
    kind = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=300, blank=True)
    # Opening hours in places.hours' format ("Mo-Fr 09:00-18:00; Sa 10:00-14:00"); empty: unknown.
    hours = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    # Who runs it: a WiFi site's installer, a charger site's partner, a facility's operator.
    operator = models.CharField(max_length=200, blank=True)
    # WiFi sites: the network (telecom company or the city's own).
    network = models.CharField(max_length=64, blank=True)
    install_year = models.PositiveSmallIntegerField(null=True, blank=True)
    indoor = models.BooleanField(null=True, blank=True)
    # Charger sites.
    charger_count = models.PositiveIntegerField(null=True, blank=True)
    charger_kinds = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["layer", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "layer", "ref"], name="places_place_ref_unique"
            ),
        ]
        indexes = [models.Index(fields=["layer", "cell"], name="places_place_near")]

    def __str__(self) -> str:
        return self.name


class AccessPoint(Located):
    """A WiFi access point of a site (`ref`: its management number, unique in the city)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="access_points")
    ref = models.CharField(max_length=64)
    ssid = models.CharField(max_length=64, blank=True)
    # The telecom company or network (KT, SKT, LGU+, the city's own).
    provider = models.CharField(max_length=64, blank=True)
    # Who installed and runs it (the city, a district office).
    operator = models.CharField(max_length=200, blank=True)
    install_type = models.CharField(max_length=64, blank=True)
    indoor = models.BooleanField(null=True, blank=True)
    install_year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["site", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["city", "ref"], name="places_ap_ref_unique"),
        ]
        indexes = [models.Index(fields=["cell"], name="places_ap_near")]

    def __str__(self) -> str:
        return self.ref


class Event(Located):
    """An experience event or craft workshop (Bukchon's guides): when, where, in which
    languages, and where to book."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    ref = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # A repeating schedule in places.hours' format for workshops open on set days; empty for
    # a one-off event.
    hours = models.CharField(max_length=300, blank=True)
    booking_url = models.URLField(max_length=500, blank=True)
    # Language codes, comma-separated ("ko,en,zh").
    languages = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "ref"], name="places_event_ref_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="places_event_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["cell"], name="places_event_near")]

    def __str__(self) -> str:
        return self.title


class Route(models.Model):
    """A visiting route: ordered stops, with its walking distance and time (computed from the
    stops when saved)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    ref = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    distance_m = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "ref"], name="places_route_ref_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    latitude = models.FloatField()
    longitude = models.FloatField()
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="places_stop_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} · {self.order} · {self.name}"


class Lending(models.Model):
    """Phone chargers lent at a city event, and how many citizens were served."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    event_name = models.CharField(max_length=200)
    held_on = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chargers_lent = models.PositiveIntegerField()
    citizens_served = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} · {self.event_name}"


class CoverageSnapshot(models.Model):
    """The WiFi coverage last computed (services.recompute_coverage, after each registry
    change): the figures for the city and each district, and the covered area for the map."""

    city = models.OneToOneField("core.City", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)
    crs = models.CharField(max_length=16)
    # {"install type code": radius in metres, …, "default": …}
    radius_m = models.JSONField(default=dict)
    access_points = models.PositiveIntegerField(default=0)
    area_km2 = models.FloatField(default=0)
    covered_km2 = models.FloatField(default=0)
    share = models.FloatField(default=0)
    # [{"code", "area_km2", "covered_km2", "share"}, …]
    districts = models.JSONField(default=list)
    # The covered area as a GeoJSON geometry (lon/lat), for the map layer.
    geometry = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.city_id} · {self.share:.2%}"
