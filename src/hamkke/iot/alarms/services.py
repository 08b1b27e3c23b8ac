"""Every write of the alarms: the evaluation of the rules (raising what is met, clearing what is
over, filing the one Smart Complaint an illegal-parking alarm needs) and an official's
acknowledgement.

The evaluation is idempotent and safe to run concurrently: an alarm is raised by an INSERT the
partial unique index (asset, type) lets through once while it is open, in a transaction of its
own with the complaint it files, so a second evaluator's INSERT fails and files nothing; a
clearing is one conditional UPDATE; a complaint left unfiled (its filing refused) is filed
later under the alarm's row lock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.complaints import selectors as complaints_selectors
from hamkke.complaints import services as complaints_services
from hamkke.complaints.models import Channel
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError
from hamkke.core.models import City
from hamkke.iot.alarms import policies, rules
from hamkke.iot.alarms.models import OPEN_STATES, Alarm, AlarmState
from hamkke.iot.alarms.profile import BATTERY_LOW, ILLEGAL_PARKING, OFFLINE, AlarmsSettings
from hamkke.iot.alarms.selectors import desk_seat
from hamkke.iot.models import Asset, AssetKind, AssetState, Device, DeviceStatus, Reading
from hamkke.iot.services import iot_settings

HISTORY_PAGE = 200


def alarm_settings(city: City) -> AlarmsSettings:
    return iot_settings(city).alarms


def state_rules(settings: AlarmsSettings) -> list[rules.Rule]:
    """The rules judged on an asset's state: battery low, illegal parking and the profile's
    thresholds (offline is judged on the devices, apart)."""
    found = [
        rules.Rule(
            code=BATTERY_LOW,
            attribute="batteryLevel",
            test=rules.threshold("<", settings.battery_low),
            severity="info",
        ),
        rules.Rule(
            code=ILLEGAL_PARKING,
            attribute="status",
            test=rules.equals("occupied"),
            minutes=settings.illegal_parking_minutes,
            asset_kinds=(AssetKind.NO_PARKING_ZONE,),
            # Free again clears it; "unknown" or "closed" says nothing of the car.
            clear_test=rules.equals("free"),
        ),
    ]
    for rule in settings.rules:
        found.append(
            rules.Rule(
                code=rule.code,
                attribute=rule.attribute,
                test=rules.threshold(rule.op, rule.value),
                minutes=rule.minutes,
                severity=rule.severity,
                asset_kinds=(rule.asset_kind,),
            )
        )
    return found


@dataclass
class Evaluation:
    """What one evaluation did: alarms raised and cleared per type, complaints filed."""

    raised: Counter = field(default_factory=Counter)
    cleared: Counter = field(default_factory=Counter)
    complaints: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.raised.values()) or sum(self.cleared.values()) or self.complaints)


@dataclass(frozen=True)
class _Watched:
    """An asset with at least one active device: the first device, and when any was last heard
    (a device never heard counts from its provisioning)."""

    asset_id: int
    device_id: int
    last_heard: datetime


def evaluate(*, city: City | None = None, now: datetime | None = None) -> Evaluation:
    """Run every rule over every asset of the city at `now`: raise what is met (and has lasted
    its minutes, by device time), clear what is over, file the complaints still owed."""
    city = city or city_selectors.current_city()
    now = now or timezone.now()
    settings = alarm_settings(city)
    result = Evaluation()
    watched = {
        row["asset_id"]: _Watched(row["asset_id"], row["device"], row["heard"])
        for row in Device.objects.filter(city=city, status=DeviceStatus.ACTIVE)
        .values("asset_id")
        .annotate(device=Min("pk"), heard=Max(Coalesce("last_seen", "created_at")))
    }
    open_alarms: dict[tuple[int, str], int] = {
        (asset_id, kind): pk
        for pk, asset_id, kind in Alarm.objects.filter(city=city, state__in=OPEN_STATES)
        .values_list("pk", "asset_id", "type")
        .iterator()
    }
    # An asset no active device watches any more: its alarms are over.
    for (asset_id, kind), pk in open_alarms.items():
        if asset_id not in watched:
            _clear(pk, kind, now, _("No active device watches this asset any more."), result)
    for one in watched.values():
        is_open = (one.asset_id, OFFLINE) in open_alarms
        if rules.silent(one.last_heard, now, settings.offline_minutes):
            if not is_open:
                observed = {"last_heard": one.last_heard.isoformat()}
                _raise(city, one, OFFLINE, "warning", one.last_heard, observed, now, result)
        elif is_open:
            _clear(open_alarms[one.asset_id, OFFLINE], OFFLINE, now, _("Heard again."), result)
    states = AssetState.objects.filter(asset__city=city, asset_id__in=list(watched)).values_list(
        "asset_id", "asset__kind", "attributes"
    )
    state_rule_list = state_rules(settings)
    for asset_id, asset_kind, attributes in states.iterator():
        for rule in state_rule_list:
            if rule.applies_to(asset_kind):
                _judge(city, watched[asset_id], rule, attributes, open_alarms, now, result)
    _file_owed_complaints(city, now, result)
    return result


def _judge(city, one: _Watched, rule: rules.Rule, attributes, open_alarms, now, result) -> None:
    value = attributes.get(rule.attribute)
    pk = open_alarms.get((one.asset_id, rule.code))
    if pk is not None:
        if rule.clears(value):
            note = (
                _("Cleared by the sensor: the zone is free again.")
                if (rule.code == ILLEGAL_PARKING)
                else _("Cleared by the sensor: back within the rule.")
            )
            _clear(pk, rule.code, now, note, result)
        return
    if not rule.met(value):
        return
    start = rules.run_start(_history(one.asset_id), rule)
    if rules.lasted(start, now, rule.minutes):
        observed = {"attribute": rule.attribute, "value": value}
        _raise(city, one, rule.code, rule.severity, start, observed, now, result)


def _history(asset_id: int) -> Iterator[tuple[datetime, dict]]:
    """The asset's readings, newest device time first, read a page at a time: a run is
    usually found within the first page."""
    rows = Reading.objects.filter(asset_id=asset_id).order_by("-device_time", "-pk")
    offset = 0
    while True:
        page = list(rows.values_list("device_time", "attributes")[offset : offset + HISTORY_PAGE])
        yield from page
        if len(page) < HISTORY_PAGE:
            return
        offset += HISTORY_PAGE


def _raise(city, one: _Watched, kind, severity, started_at, observed, now, result) -> None:
    """Insert the alarm, and file its complaint, in one transaction; nothing when the same
    alarm is open already (another evaluator raised it a moment ago)."""
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                city=city,
                asset_id=one.asset_id,
                device_id=one.device_id,
                type=kind,
                severity=severity,
                started_at=started_at,
                raised_at=now,
                observed=observed,
            )
            if kind == ILLEGAL_PARKING:
                result.complaints += _file_complaint(alarm, now)
    except IntegrityError:
        return
    result.raised[kind] += 1


def _clear(pk: int, kind: str, now: datetime, note: str, result: Evaluation) -> None:
    done = Alarm.objects.filter(pk=pk, state__in=OPEN_STATES).update(
        state=AlarmState.CLEARED, cleared_at=now, clear_note=note[:200]
    )
    if done:
        result.cleared[kind] += 1


# --- the Smart Complaint of an illegal-parking alarm --------------------------------------------


def complaint_text(asset: Asset, started_at: datetime | None, minutes: int) -> str:
    """What the sensor saw, in the city's language: no plate, no person."""
    since = date_format(timezone.localtime(started_at or timezone.now()), "DATETIME_FORMAT")
    return _(
        "Illegal-parking sensor: the no-parking zone %(zone)s has been occupied since %(since)s, "
        "more than the %(minutes)d minutes allowed. Reported automatically by the sensor."
    ) % {"zone": asset.name or asset.ref, "since": since, "minutes": minutes}


def _file_complaint(alarm: Alarm, now: datetime) -> int:
    """File the alarm's complaint (channel sensor, at the zone's point) and link it; a refusal
    is kept on the alarm, and the filing tried again at the next evaluation. 1 when filed."""
    asset = Asset.objects.select_related("city").get(pk=alarm.asset_id)
    settings = alarm_settings(asset.city)
    try:
        with transaction.atomic():
            category = complaints_selectors.category_by_code(
                asset.city, settings.illegal_parking_category
            )
            complaint = complaints_services.file_complaint(
                category=category,
                latitude=asset.latitude,
                longitude=asset.longitude,
                description=complaint_text(
                    asset, alarm.started_at, settings.illegal_parking_minutes
                ),
                channel=Channel.SENSOR,
                device_id=f"iot:{alarm.device_id or asset.pk}",
                now=now,
            )
    except complaints_services.RepeatedReport as repeat:
        complaint = repeat.original
    except DomainError as error:
        alarm.complaint_error = error.message[:300]
        alarm.save(update_fields=["complaint_error"])
        return 0
    alarm.complaint = complaint
    alarm.complaint_error = ""
    alarm.save(update_fields=["complaint", "complaint_error"])
    return 1


def _file_owed_complaints(city: City, now: datetime, result: Evaluation) -> None:
    owed = Alarm.objects.filter(
        city=city, type=ILLEGAL_PARKING, state__in=OPEN_STATES, complaint__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(owed):
        with transaction.atomic():
            alarm = (
                Alarm.objects.select_for_update()
                .filter(pk=pk, state__in=OPEN_STATES, complaint__isnull=True)
                .first()
            )
            if alarm is not None:
                result.complaints += _file_complaint(alarm, now)


# --- officials -----------------------------------------------------------------------------------


@transaction.atomic
def acknowledge(*, alarm: Alarm, actor: Actor | User, now: datetime | None = None) -> Alarm:
    """An official of the keeping department takes the alarm in hand: it stays open (and
    unique) until the rule clears it."""
    who = Actor.of(actor)
    alarm = Alarm.objects.select_for_update().get(pk=alarm.pk)
    policies.may_acknowledge(desk_seat(who), alarm, who).enforce()
    alarm.state = AlarmState.ACKNOWLEDGED
    alarm.acknowledged_at = now or timezone.now()
    alarm.acknowledged_by = who.user
    alarm.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    record_audit(actor=actor, action="iot.alarm.acknowledge", target=alarm)
    return alarm
