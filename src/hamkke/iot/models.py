"""IoT: the devices (sensors) and the assets they watch (a parking spot, a bin, a no-parking
zone), the readings' history, each asset's latest state kept apart from it, hourly and daily
roll-ups of the history, and the ingest counters per reason. Points keep their H3 cell and
district like places' rows (places.models.Located)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hamkke.iot import readings
from hamkke.places.models import Located


class Kind(models.TextChoices):
    PARKING = readings.PARKING, _("Parking spot sensor")
    ILLEGAL_PARKING = readings.ILLEGAL_PARKING, _("Illegal-parking sensor")
    WASTE_CONTAINER = readings.WASTE_CONTAINER, _("Smart bin sensor")


class AssetKind(models.TextChoices):
    """What a device watches, named as the Smart Data Models name it."""

    PARKING_SPOT = "ParkingSpot", _("Parking spot")
    OFF_STREET_PARKING = "OffStreetParking", _("Parking lot")
    NO_PARKING_ZONE = "NoParkingZone", _("No-parking zone")
    WASTE_CONTAINER = "WasteContainer", _("Waste container")


# The asset a new device of each kind watches.
ASSET_OF_KIND = {
    Kind.PARKING: AssetKind.PARKING_SPOT,
    Kind.ILLEGAL_PARKING: AssetKind.NO_PARKING_ZONE,
    Kind.WASTE_CONTAINER: AssetKind.WASTE_CONTAINER,
}


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Asset(Located):
    """A parking spot (optionally in a lot), a parking lot, a no-parking zone or a bin.
    `entity_id` is its NGSI-LD id: urn:ngsi-ld:<type>:<city>:<ref>."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    ref = models.CharField(max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    entity_id = models.CharField(max_length=200, unique=True)
    lot = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="spots"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["city", "ref"], name="iot_asset_ref_unique"),
        ]
        indexes = [models.Index(fields=["kind", "cell"], name="iot_asset_near")]

    def __str__(self) -> str:
        return self.name or self.ref


class Device(Located):
    """A sensor. Its secret is stored only as a keyed hash (`secret_hash`) and as the PBKDF2
    hash Mosquitto's password file needs (`mqtt_hash`, mosquitto_passwd's `$7$` format), both
    made when the secret is made: the plain secret is shown once."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    model_name = models.CharField(max_length=100, blank=True)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="devices")
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    battery = models.PositiveSmallIntegerField(null=True, blank=True)  # percent
    last_seen = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE
    )
    secret_hash = models.CharField(max_length=64)
    mqtt_hash = models.CharField(max_length=200)
    secret_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["city", "kind", "status"], name="iot_device_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == DeviceStatus.ACTIVE


class Reading(models.Model):
    """One accepted reading: the history. A device's time is unique per device, so a replayed
    message inserts nothing."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="+")
    device_time = models.DateTimeField()
    received_at = models.DateTimeField()
    attributes = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "device_time"], name="iot_reading_once"),
        ]
        indexes = [models.Index(fields=["asset", "device_time"], name="iot_reading_asset")]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.device_time:%Y-%m-%d %H:%M:%S}"


class AssetState(models.Model):
    """The latest state of an asset: each attribute as its newest reading gave it, and the
    device time of that reading. Moved only by a newer device time."""

    asset = models.OneToOneField(
        Asset, primary_key=True, on_delete=models.CASCADE, related_name="state"
    )
    attributes = models.JSONField(default=dict)
    observed_at = models.DateTimeField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.asset_id} as of {self.observed_at:%Y-%m-%d %H:%M:%S}"


class Period(models.TextChoices):
    HOUR = "hour", _("Hour")
    DAY = "day", _("Day")


class ReadingRollup(models.Model):
    """An asset's readings in one hour or day: how many, and min/max/avg of each numeric
    attribute (`stats`: {"fillingLevel": {"min": …, "max": …, "avg": …}}) and how often each
    status was reported (`statuses`)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=4, choices=Period.choices)
    bucket = models.DateTimeField()
    count = models.PositiveIntegerField()
    stats = models.JSONField(default=dict)
    statuses = models.JSONField(default=dict)

    class Meta:
        ordering = ["asset", "period", "bucket"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "period", "bucket"], name="iot_rollup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.period} {self.bucket:%Y-%m-%d %H:00}"


class Reason(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DUPLICATE = "duplicate", _("Duplicate")
    UNKNOWN_DEVICE = "unknown_device", _("Unknown device")
    REVOKED = "revoked", _("Revoked device")
    TOO_OLD = readings.TOO_OLD, _("Older than a day")
    FUTURE = readings.FUTURE, _("From the future")
    MALFORMED = readings.MALFORMED, _("Malformed")
    INVALID_VALUE = readings.INVALID_VALUE, _("Invalid value")


class IngestCounter(models.Model):
    """How many messages the city's ingestion took or refused, per reason, since the start."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    count = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["reason"]
        constraints = [
            models.UniqueConstraint(fields=["city", "reason"], name="iot_counter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.count}"


from hamkke.iot.alarms.models import *  # noqa: F403, E402
from hamkke.iot.bins.models import *  # noqa: F403, E402
from hamkke.iot.pages.models import IngestTally  # noqa: F401,E402
from hamkke.iot.parking.models import *  # noqa: F403, E402
