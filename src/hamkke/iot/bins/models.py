"""Smart bins: a bin's own threshold and size (optional, over the profile's), the collection
trucks, and each day's collection plan: its routes (one per truck, stops in order) and the bins
left over with why. A stop is marked collected when its bin's sensor reads it empty."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hamkke.iot.bins import routing
from hamkke.places.models import Located

__all__ = ["BinSetting", "CollectionPlan", "LeftOver", "LeftOverReason", "Route", "Stop", "Truck"]


class BinSetting(models.Model):
    """What a bin has of its own: a threshold or a size other than the profile's."""

    asset = models.OneToOneField(
        "iot.Asset", primary_key=True, on_delete=models.CASCADE, related_name="bin_setting"
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    litres = models.PositiveIntegerField(_("litres"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True)
                | models.Q(threshold__gt=0, threshold__lte=1),
                name="iot_bin_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.threshold} {self.litres}"


class Truck(Located):
    """A collection truck and its crew: what it carries (litres), where its depot is (the
    point), which districts it serves (none: the whole city), whether it goes out."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    capacity_litres = models.PositiveIntegerField(_("capacity (litres)"))
    districts = models.ManyToManyField("core.District", blank=True, related_name="+")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="iot_truck_name_unique"),
            models.CheckConstraint(
                condition=models.Q(capacity_litres__gt=0), name="iot_truck_capacity"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CollectionPlan(models.Model):
    """The collection of one day in the city: made once (again only before any bin of it is
    collected), by the morning task, a command or an official."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.FloatField()  # the search's time limit
    length_m = models.FloatField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["city", "day"], name="iot_plan_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class Route(models.Model):
    """A truck's route of the day, from its depot through its stops and back."""

    plan = models.ForeignKey(CollectionPlan, on_delete=models.CASCADE, related_name="routes")
    truck = models.ForeignKey(Truck, on_delete=models.PROTECT, related_name="routes")
    number = models.PositiveSmallIntegerField()  # 1, 2, … within the plan
    depot_latitude = models.FloatField()
    depot_longitude = models.FloatField()
    capacity_litres = models.PositiveIntegerField()  # the truck's, as it was planned
    load_litres = models.PositiveIntegerField(default=0)
    length_m = models.FloatField(default=0)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="iot_route_number"),
            models.UniqueConstraint(fields=["plan", "truck"], name="iot_route_truck"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.number}"


class Stop(models.Model):
    """A bin on a route, at its place in the order; `collected_at` is set when its sensor reads
    it emptied after the plan was made."""

    plan = models.ForeignKey(CollectionPlan, on_delete=models.CASCADE, related_name="+")
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    asset = models.ForeignKey("iot.Asset", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()  # 1, 2, …
    level = models.FloatField()  # the fill level the plan was made with
    load_litres = models.PositiveIntegerField()
    collected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="iot_stop_position"),
            models.UniqueConstraint(fields=["plan", "asset"], name="iot_stop_once_a_plan"),
        ]
        indexes = [models.Index(fields=["asset", "collected_at"], name="iot_stop_open")]

    def __str__(self) -> str:
        return f"{self.route} {self.position}"


class LeftOverReason(models.TextChoices):
    TOO_LARGE = routing.TOO_LARGE, _("Larger than any truck that serves its district")
    NO_TRUCK = routing.NO_TRUCK, _("No active truck serves its district")
    NO_ROOM = routing.NO_ROOM, _("No room left on the trucks that serve its district")


class LeftOver(models.Model):
    """A full bin the day's plan could not place, and why."""

    plan = models.ForeignKey(CollectionPlan, on_delete=models.CASCADE, related_name="left_over")
    asset = models.ForeignKey("iot.Asset", on_delete=models.CASCADE, related_name="+")
    level = models.FloatField()
    load_litres = models.PositiveIntegerField()
    reason = models.CharField(max_length=12, choices=LeftOverReason.choices)

    class Meta:
        ordering = ["plan", "asset"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "asset"], name="iot_leftover_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.asset_id} {self.reason}"
