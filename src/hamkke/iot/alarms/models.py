"""An alarm: a rule met by an asset (offline, battery low, a threshold lasting its minutes, a
no-parking zone occupied too long). Active → acknowledged (by whom, when) → cleared; never two
open alarms of one type per asset, by a partial unique index. An illegal-parking alarm keeps
the Smart Complaint it filed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["OPEN_STATES", "Alarm", "AlarmState", "Severity"]


class Severity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlarmState(models.TextChoices):
    ACTIVE = "active", _("Active")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLEARED = "cleared", _("Cleared")


OPEN_STATES = (AlarmState.ACTIVE, AlarmState.ACKNOWLEDGED)


class Alarm(models.Model):
    """`type` is the rule's code: offline, battery-low, illegal-parking or a threshold rule of
    the profile. `started_at` is the device time the condition began (for offline: the last
    time the device was heard); `observed` what the rule saw ({"attribute", "value"})."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey("iot.Asset", on_delete=models.CASCADE, related_name="alarms")
    device = models.ForeignKey(
        "iot.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="alarms"
    )
    type = models.CharField(max_length=40)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    state = models.CharField(max_length=12, choices=AlarmState.choices, default=AlarmState.ACTIVE)
    started_at = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField()
    observed = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clear_note = models.CharField(max_length=200, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why filing the complaint failed (tried again at the next evaluation).
    complaint_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "type"],
                condition=~Q(state="cleared"),
                name="iot_alarm_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["device", "raised_at"], name="iot_alarm_device"),
            models.Index(fields=["city", "state", "raised_at"], name="iot_alarm_state"),
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.asset_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state != AlarmState.CLEARED
