"""Reads of the alarms: the keeping department's seat, the alarms filtered and ordered (open
ones first at the desk), one alarm with what its page shows, the rules' names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.actors import Actor
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed, NotFound
from hamkke.core.models import City
from hamkke.iot.alarms.models import OPEN_STATES, Alarm, AlarmState, Severity
from hamkke.iot.alarms.profile import BATTERY_LOW, ILLEGAL_PARKING, OFFLINE
from hamkke.iot.services import iot_settings, keeper_of


def desk_seat(actor: Actor) -> Seat:
    """The actor's seat at the department that keeps the sensors (`[iot] department`);
    NotAllowed when the profile names none."""
    keeper = keeper_of(current_city())
    if keeper is None:
        raise NotAllowed(
            _("No department keeps the sensors: set [iot] department in the profile."),
            code="no_department",
        )
    return seat_at(actor, keeper)


def rule_names(city: City) -> dict[str, str]:
    """Each alarm type's name, in the page's language."""
    english = (get_language() or "").startswith("en")
    names = {
        OFFLINE: _("Device offline"),
        BATTERY_LOW: _("Battery low"),
        ILLEGAL_PARKING: _("Illegal parking"),
    }
    for rule in iot_settings(city).alarms.rules:
        names[rule.code] = rule.name_en if english and rule.name_en else rule.name
    return names


@dataclass(frozen=True)
class AlarmFilters:
    device: int | None = None
    asset: int | None = None
    state: str = ""
    type: str = ""
    since: datetime | None = None  # raised at or after


_STATE_ORDER = Case(
    When(state=AlarmState.ACTIVE, then=Value(0)),
    When(state=AlarmState.ACKNOWLEDGED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_SEVERITY_ORDER = Case(
    When(severity=Severity.CRITICAL, then=Value(0)),
    When(severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def alarms(city: City, filters: AlarmFilters, *, open_first: bool = False) -> QuerySet[Alarm]:
    """The city's alarms matching `filters`, newest first, or (the desk) active, then
    acknowledged, then cleared, the most severe first within each."""
    rows = Alarm.objects.filter(city=city).select_related(
        "asset", "device", "complaint", "acknowledged_by"
    )
    if filters.device is not None:
        rows = rows.filter(device_id=filters.device)
    if filters.asset is not None:
        rows = rows.filter(asset_id=filters.asset)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.type:
        rows = rows.filter(type=filters.type)
    if filters.since is not None:
        rows = rows.filter(raised_at__gte=filters.since)
    if open_first:
        return rows.order_by(_STATE_ORDER, _SEVERITY_ORDER, "-raised_at", "-id")
    return rows.order_by("-raised_at", "-id")


def alarm(city: City, pk: int) -> Alarm:
    if not 0 < pk < 2**63:
        raise NotFound(_("There is no alarm %(id)s.") % {"id": pk})
    found = (
        Alarm.objects.filter(city=city, pk=pk)
        .select_related("asset", "device", "complaint", "acknowledged_by")
        .first()
    )
    if found is None:
        raise NotFound(_("There is no alarm %(id)s.") % {"id": pk})
    return found


def open_counts(city: City) -> dict[str, int]:
    """Open alarms per type."""
    counts: dict[str, int] = defaultdict(int)
    for kind in Alarm.objects.filter(city=city, state__in=OPEN_STATES).values_list(
        "type", flat=True
    ):
        counts[kind] += 1
    return dict(counts)


def complaint_of(alarm: Alarm) -> dict | None:
    """The complaint an illegal-parking alarm filed, as its public page shows it: number,
    status, channel and address (no reporter: a sensor filed it)."""
    complaint = alarm.complaint
    if complaint is None:
        return None
    return {
        "tracking_number": complaint.tracking_number,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "channel": complaint.channel,
        "url": reverse("complaints:detail", args=[complaint.tracking_number]),
        "desk_url": reverse("complaints:desk-report", args=[complaint.tracking_number]),
    }


def described(alarm: Alarm, names: dict[str, str]) -> dict:
    """An alarm as the API and the pages show it."""
    asset = alarm.asset
    who = alarm.acknowledged_by
    return {
        "id": alarm.pk,
        "type": alarm.type,
        "name": names.get(alarm.type, alarm.type),
        "severity": alarm.severity,
        "severity_label": alarm.get_severity_display(),
        "state": alarm.state,
        "state_label": alarm.get_state_display(),
        "device": alarm.device_id,
        "asset": {
            "id": asset.pk,
            "entity": asset.entity_id,
            "kind": asset.kind,
            "name": asset.name or asset.ref,
            "latitude": asset.latitude,
            "longitude": asset.longitude,
        },
        "started_at": alarm.started_at,
        "raised_at": alarm.raised_at,
        "observed": alarm.observed,
        "acknowledged_at": alarm.acknowledged_at,
        "acknowledged_by": (who.display_name or who.email) if who is not None else None,
        "cleared_at": alarm.cleared_at,
        "clear_note": alarm.clear_note,
        "complaint": complaint_of(alarm),
        "complaint_error": alarm.complaint_error,
    }
