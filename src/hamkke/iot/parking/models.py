"""Parking sharing: who holds a parking spot (`SpotHolder`), the time windows a holder shares
it for (`ShareWindow`, never overlapping on one spot), and the citizens' reservations of a
window or part of it (`Reservation`, never overlapping while reserved or arrived). The lots are
part 1's assets of kind OffStreetParking; a spot's `lot` names its lot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SpotHolder(models.Model):
    """The resident a spot belongs to (or who rents it): one per spot. A resident's own claim
    waits for an official's confirmation (`confirmed_at`); an official's registration is
    confirmed at once. Only a confirmed holder shares the spot."""

    spot = models.OneToOneField(
        "iot.Asset", on_delete=models.CASCADE, related_name="holder", verbose_name=_("spot")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parking_spots"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spot"]

    def __str__(self) -> str:
        return f"{self.spot_id} held by {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ShareWindow(models.Model):
    """A time the holder shares the spot for, [start, end)."""

    spot = models.ForeignKey("iot.Asset", on_delete=models.CASCADE, related_name="share_windows")
    holder = models.ForeignKey(SpotHolder, on_delete=models.CASCADE, related_name="windows")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="iot_window_forward"
            ),
        ]
        indexes = [models.Index(fields=["spot", "end"], name="iot_window_spot")]

    def __str__(self) -> str:
        return f"{self.spot_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    ARRIVED = "arrived", _("Arrived")
    RELEASED = "released", pgettext_lazy("parking reservation", "Left")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show, released")


# The statuses that keep the spot for the reservation's time.
HOLDING = (ReservationStatus.RESERVED, ReservationStatus.ARRIVED)


class Reservation(models.Model):
    """A citizen's reservation of [start, end) within one share window. `code` is the
    confirmation code the citizen shows or reads aloud."""

    spot = models.ForeignKey("iot.Asset", on_delete=models.CASCADE, related_name="reservations")
    window = models.ForeignKey(ShareWindow, on_delete=models.PROTECT, related_name="reservations")
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parking_reservations"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED
    )
    code = models.CharField(max_length=12, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    arrived_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="iot_reservation_forward"
            ),
        ]
        indexes = [
            models.Index(fields=["spot", "status", "end"], name="iot_reservation_spot"),
            models.Index(fields=["status", "start"], name="iot_reservation_due"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING
