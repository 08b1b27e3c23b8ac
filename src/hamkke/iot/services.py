"""Every write of IoT: provisioning a device with its asset (the plain secret returned once),
rotating its secret, revoking it, ingesting a batch of readings in one transaction (history
inserted once per device time, each asset's latest state moved only by a newer reading, the
counters), and rolling up then pruning the history past the profile's retention."""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.accounts.seats import seat_at
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import Conflict, InvalidInput, NotSignedIn
from hamkke.core.geo import cell_for
from hamkke.core.models import City, Department
from hamkke.core.text import clean_text
from hamkke.iot import mosquitto, policies, readings
from hamkke.iot.models import (
    ASSET_OF_KIND,
    Asset,
    AssetKind,
    AssetState,
    Device,
    DeviceStatus,
    IngestCounter,
    Kind,
    Period,
    Reading,
    ReadingRollup,
    Reason,
)
from hamkke.iot.parking import arrivals as parking_arrivals
from hamkke.iot.profile import IotSection
from hamkke.places.services import located

SECRET_BYTES = 24


def iot_settings(city: City | None = None) -> IotSection:
    city = city or city_selectors.current_city()
    cached = getattr(city, "_iot_section", None)
    if cached is None or cached[0] is not city.profile:
        cached = (city.profile, IotSection.model_validate(city.profile.get("iot") or {}))
        city._iot_section = cached
    return cached[1]


def keeper_of(city: City) -> Department | None:
    """The department that keeps the sensors (`[iot] department`)."""
    code = iot_settings(city).department
    return Department.objects.filter(city=city, code=code).first() if code else None


def require_manager(actor: Actor | User | None, city: City, department: Department | None) -> None:
    """The owning (or keeping) department's handler with the second factor; None: the site's
    operator, from a command."""
    if actor is None:
        return
    department = department or keeper_of(city)
    if department is None:
        raise Conflict(
            _("No department keeps the sensors: set [iot] department in the profile."),
            code="no_department",
        )
    who = Actor.of(actor)
    policies.may_manage(seat_at(who, department), who).enforce()


# --- secrets ----------------------------------------------------------------------------------


def secret_hash(secret: str) -> str:
    """The keyed hash a device's secret is stored as (HMAC-SHA256 under SECRET_KEY)."""
    return salted_hmac("hamkke.iot.device-secret", secret, algorithm="sha256").hexdigest()


def _new_secret(device: Device) -> str:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    device.secret_hash = secret_hash(secret)
    device.mqtt_hash = mosquitto.password_hash(secret)
    device.secret_changed_at = timezone.now()
    return secret


def authenticate(city: City, device_id: Any, secret: str) -> Device:
    """The active device `device_id` whose secret is `secret`; a wrong or missing secret, an
    unknown or revoked device is counted and refused alike (401), so the answer tells a
    prober nothing."""
    device = None
    if isinstance(device_id, int) and 0 < device_id < 2**63:
        device = Device.objects.filter(city=city, pk=device_id).select_related("asset").first()
    if (
        device is None
        or not secret
        or not constant_time_compare(device.secret_hash, secret_hash(secret))
    ):
        count(city, {Reason.UNKNOWN_DEVICE: 1})
        raise NotSignedIn(
            _("Unknown device or wrong secret: send Authorization: Bearer <the device's secret>."),
            code="not_authenticated",
        )
    if not device.is_active:
        count(city, {Reason.REVOKED: 1})
        raise NotSignedIn(_("This device is revoked."), code="revoked")
    return device


# --- provisioning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioned:
    device: Device
    secret: str  # the plain secret: shown once, never stored

    @property
    def entity(self) -> str:
        return self.device.asset.entity_id


def entity_id(city: City, kind: str, ref: str) -> str:
    # Percent-encoded (RFC 3986 unreserved characters kept) so any reference is a URN.
    return f"urn:ngsi-ld:{kind}:{city.slug}:{quote(ref, safe='-._~')}"


def _text(value: Any, *, field_name: str, limit: int) -> str:
    cleaned = clean_text(None if value is None else str(value))
    if len(cleaned) > limit:
        raise InvalidInput(
            _("Keep this under %(limit)s characters.") % {"limit": limit}, field=field_name
        )
    return cleaned


@transaction.atomic
def lot_by_ref(city: City, ref: str) -> Asset:
    """The city's parking lot of that reference (a spot's `lot` in a file or a command)."""
    lot = Asset.objects.filter(
        city=city, kind=AssetKind.OFF_STREET_PARKING, ref=str(ref).strip()
    ).first()
    if lot is None:
        raise InvalidInput(
            _("There is no parking lot with the reference %(ref)s.") % {"ref": ref}, field="lot"
        )
    return lot


def provision_device(
    *,
    kind: str,
    latitude: Any,
    longitude: Any,
    actor: Actor | User | None = None,
    city: City | None = None,
    ref: str = "",
    name: str = "",
    model_name: str = "",
    department: Department | None = None,
    lot: Asset | None = None,
) -> Provisioned:
    """A new device of `kind` at the point, with the asset it watches (a new one, named by
    `ref`, or given a reference of its own), and its secret, returned once."""
    city = city or city_selectors.current_city()
    section = iot_settings(city)
    if kind not in Kind.values or kind not in section.allowed_kinds:
        raise InvalidInput(
            _("Unknown device kind; this city runs: %(kinds)s.")
            % {"kinds": ", ".join(section.allowed_kinds)},
            field="kind",
        )
    department = department or keeper_of(city)
    require_manager(actor, city, department)
    lat, lon, district = located(city, latitude, longitude)
    ref = _text(ref, field_name="ref", limit=64)
    if ref and ("/" in ref or not ref.isprintable()):
        raise InvalidInput(_("A reference may not contain / or control characters."), field="ref")
    if ref and Asset.objects.filter(city=city, ref=ref).exists():
        raise Conflict(
            _("An asset with the reference %(ref)s exists already.") % {"ref": ref},
            code="duplicate_ref",
        )
    asset_kind = ASSET_OF_KIND[Kind(kind)]
    if lot is not None and (lot.kind != AssetKind.OFF_STREET_PARKING or lot.city_id != city.pk):
        raise InvalidInput(_("A spot's lot must be a parking lot of the city."), field="lot")
    point = {"latitude": lat, "longitude": lon, "cell": cell_for(lat, lon), "district": district}
    asset = Asset(
        city=city,
        kind=asset_kind,
        ref=ref or f"pending-{secrets.token_hex(8)}",
        name=_text(name, field_name="name", limit=200),
        lot=lot if asset_kind == AssetKind.PARKING_SPOT else None,
        entity_id="",
        **point,
    )
    asset.entity_id = entity_id(city, asset_kind, asset.ref)
    asset.save(force_insert=True)
    device = Device(
        city=city,
        kind=kind,
        model_name=_text(model_name, field_name="model", limit=100),
        asset=asset,
        department=department,
        **point,
    )
    secret = _new_secret(device)
    device.save(force_insert=True)
    if not ref:  # named after its first device: D<id>
        asset.ref = f"D{device.pk}"
        asset.entity_id = entity_id(city, asset_kind, asset.ref)
        asset.save(update_fields=["ref", "entity_id"])
    record_audit(actor=actor, action="iot.device.provision", target=device, data={"kind": kind})
    return Provisioned(device=device, secret=secret)


def _locked(device: Device) -> Device:
    return Device.objects.select_for_update().select_related("asset").get(pk=device.pk)


@transaction.atomic
def rotate_secret(*, device: Device, actor: Actor | User | None = None) -> str:
    """A new secret for the device (the old one stops working at once), returned once."""
    device = _locked(device)
    if actor is not None:
        who = Actor.of(actor)
        department = device.department or keeper_of(device.city)
        policies.may_rotate(seat_at(who, department), device, who).enforce()
    else:
        policies.device_active(device).enforce()
    secret = _new_secret(device)
    device.save(update_fields=["secret_hash", "mqtt_hash", "secret_changed_at"])
    record_audit(actor=actor, action="iot.device.rotate", target=device)
    return secret


@transaction.atomic
def revoke(*, device: Device, actor: Actor | User | None = None) -> Device:
    """The device's readings are refused from now on (over HTTPS at once; over MQTT by the
    worker, and by the broker once the password file is written again)."""
    device = _locked(device)
    if actor is not None:
        who = Actor.of(actor)
        department = device.department or keeper_of(device.city)
        policies.may_revoke(seat_at(who, department), device, who).enforce()
    else:
        policies.device_active(device).enforce()
    device.status = DeviceStatus.REVOKED
    device.save(update_fields=["status"])
    record_audit(actor=actor, action="iot.device.revoke", target=device)
    return device


# --- ingestion --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One message to ingest: the device it names (from the MQTT topic or the URL), what it
    carried, when it arrived. `device` is set when the caller has authenticated it already
    (HTTPS); over MQTT the broker did, and the worker still looks the device up."""

    device_id: int | None
    payload: bytes | str | dict
    received_at: datetime
    device: Device | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    reasons: Counter = field(default_factory=Counter)
    # Per message, in order: (reason, message for people; empty when accepted).
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    # The readings parsed, by the message's place in the batch.
    parsed: dict[int, readings.Reading] = field(default_factory=dict)

    @property
    def refused(self) -> int:
        return sum(n for reason, n in self.reasons.items() if reason != Reason.ACCEPTED)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ingest(
    messages: Sequence[Message], *, city: City | None = None, now: datetime | None = None
) -> IngestResult:
    """Check and write a batch of messages in one transaction: each accepted reading is
    inserted once (a replay of a device's time is a duplicate, inserting nothing), each asset's
    state takes the attributes of readings newer than it, devices are marked seen, and every
    message is counted under its reason. Never raises for a message's content."""
    city = city or city_selectors.current_city()
    now = now or timezone.now()
    result = IngestResult(outcomes=[("", "")] * len(messages))
    wanted = {m.device_id for m in messages if m.device is None and isinstance(m.device_id, int)}
    wanted = {pk for pk in wanted if 0 < pk < 2**63}
    devices = {d.pk: d for d in Device.objects.filter(city=city, pk__in=wanted)} if wanted else {}
    candidates: list[tuple[int, Device, readings.Reading, datetime]] = []
    for index, message in enumerate(messages):
        device = message.device or devices.get(message.device_id)  # type: ignore[arg-type]
        if device is None:
            result.outcomes[index] = (Reason.UNKNOWN_DEVICE, _("Unknown device."))
            continue
        if not device.is_active:
            result.outcomes[index] = (Reason.REVOKED, _("This device is revoked."))
            continue
        try:
            reading = readings.parse(device.kind, message.payload, now)
        except readings.Refused as refusal:
            result.outcomes[index] = (refusal.reason, refusal.message)
            continue
        result.parsed[index] = reading
        candidates.append((index, device, reading, message.received_at))
    with transaction.atomic():
        fresh = _new_readings(candidates, result)
        _write(fresh)
        result.accepted = len(fresh)
        result.reasons = Counter(reason for reason, _text in result.outcomes)
        count(city, result.reasons)
    parking_arrivals.note_readings(fresh)  # after the commit: reservations the sensors confirm
    # After the commit: bins read empty mark their stops in collection plans as collected.
    from hamkke.iot.bins.services import mark_collected

    mark_collected(
        city=city,
        levels=[
            (device.asset_id, reading.time, reading.attributes.get("fillingLevel"))
            for index, device, reading, _received in candidates
            if result.outcomes[index][0] == Reason.ACCEPTED and device.kind == Kind.WASTE_CONTAINER
        ],
    )
    return result


def _new_readings(candidates, result: IngestResult) -> list:
    """The candidates not stored yet (by device and device time), in a fixed order so that
    concurrent workers take their locks in the same order; the others are duplicates."""
    if not candidates:
        return []
    times = {reading.time for _i, _d, reading, _r in candidates}
    stored = set(
        Reading.objects.filter(
            device_id__in={device.pk for _i, device, _r, _t in candidates}, device_time__in=times
        ).values_list("device_id", "device_time")
    )
    fresh = []
    for index, device, reading, received in candidates:
        key = (device.pk, reading.time)
        if key in stored:
            result.outcomes[index] = (Reason.DUPLICATE, _("Already received."))
            continue
        stored.add(key)
        result.outcomes[index] = (Reason.ACCEPTED, "")
        fresh.append((device, reading, received))
    fresh.sort(key=lambda item: (item[0].pk, item[1].time))
    return fresh


def _write(fresh: list) -> None:
    if not fresh:
        return
    Reading.objects.bulk_create(
        [
            Reading(
                asset_id=device.asset_id,
                device_id=device.pk,
                device_time=reading.time,
                received_at=received,
                attributes=reading.attributes,
            )
            for device, reading, received in fresh
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    by_asset: dict[int, list[readings.Reading]] = defaultdict(list)
    for device, reading, _received in fresh:
        by_asset[device.asset_id].append(reading)
    states = _advance_states(by_asset)
    seen: dict[int, Device] = {}
    for device, _reading, received in fresh:
        seen[device.pk] = device
        device.last_seen = max(received, device.last_seen or received)
        level = states[device.asset_id].attributes.get("batteryLevel")
        if level is not None:
            device.battery = round(level * 100)
    update_each(Device, list(seen.values()), ["last_seen", "battery"])


def _advance_states(by_asset: dict[int, list[readings.Reading]]) -> dict[int, AssetState]:
    """Each asset's state takes, in device-time order, the attributes of its readings newer
    than the state; an older or equal one changes nothing. The rows are locked in asset order."""
    ids = sorted(by_asset)
    have = set(AssetState.objects.filter(asset_id__in=ids).values_list("asset_id", flat=True))
    missing = [pk for pk in ids if pk not in have]
    if missing:
        AssetState.objects.bulk_create(
            [AssetState(asset_id=pk, attributes={}, observed_at=_EPOCH) for pk in missing],
            ignore_conflicts=True,
        )
    states = {
        state.asset_id: state
        for state in AssetState.objects.select_for_update().filter(asset_id__in=ids).order_by("pk")
    }
    now = timezone.now()
    changed = []
    for pk, batch in by_asset.items():
        state = states[pk]
        moved = False
        for reading in sorted(batch, key=lambda r: r.time):
            if reading.time > state.observed_at:
                state.attributes = {**state.attributes, **reading.attributes}
                state.observed_at = reading.time
                moved = True
        if moved:
            state.updated_at = now
            changed.append(state)
    update_each(AssetState, changed, ["attributes", "observed_at", "updated_at"])
    return states


def update_each(model, rows: list, fields: list[str]) -> None:
    """One UPDATE per row, sent with executemany: for the hundreds of rows of a batch, several
    times cheaper than bulk_update's CASE over all of them (the ingest's largest cost)."""
    if not rows:
        return
    meta, quote_name = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote_name(column.column)} = %s" for column in columns)
    table, key = quote_name(meta.db_table), quote_name(meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"
    params = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def count(city: City, reasons: Counter | dict) -> None:
    """Add to the city's ingest counters (one UPDATE per reason; a missing row is made), and
    to this hour's (pages.models.IngestTally), which the desk's last day reads."""
    from hamkke.iot.pages.models import IngestTally

    hour = _bucket(timezone.now(), Period.HOUR)
    for reason, number in sorted(reasons.items()):
        if number:
            _bump(IngestCounter, number, city=city, reason=reason)
            _bump(IngestTally, number, city=city, reason=reason, hour=hour)


def _bump(model, number: int, **key) -> None:
    rows = model.objects.filter(**key)
    if not rows.update(count=F("count") + number):
        model.objects.bulk_create([model(**key, count=0)], ignore_conflicts=True)
        rows.update(count=F("count") + number)


# --- retention ----------------------------------------------------------------------------------


def _bucket(moment: datetime, period: str) -> datetime:
    moment = moment.astimezone(UTC)
    if period == Period.DAY:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def _summaries(rows: Iterable[tuple[int, datetime, dict]], periods: Sequence[str]) -> dict:
    """(asset, period, bucket) → {count, stats: {attr: [min, max, sum]}, statuses}."""
    found: dict = {}
    for asset_id, moment, attributes in rows:
        for period in periods:
            key = (asset_id, period, _bucket(moment, period))
            summary = found.setdefault(key, {"count": 0, "stats": {}, "statuses": Counter()})
            summary["count"] += 1
            for name, value in attributes.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    low, high, total, n = summary["stats"].get(name, (value, value, 0.0, 0))
                    summary["stats"][name] = (
                        min(low, value),
                        max(high, value),
                        total + value,
                        n + 1,
                    )
                elif name == "status":
                    summary["statuses"][value] += 1
    return found


def _merged(rollup: ReadingRollup | None, summary: dict) -> dict:
    stats = {
        name: (low, high, total, n) for name, (low, high, total, n) in summary["stats"].items()
    }
    statuses = Counter(summary["statuses"])
    total_count = summary["count"]
    if rollup is not None:
        total_count += rollup.count
        statuses.update(rollup.statuses)
        for name, old in rollup.stats.items():
            n_old = old.get("n", 0)
            mine = stats.get(name)
            sum_old = old["avg"] * n_old
            if mine is None:
                stats[name] = (old["min"], old["max"], sum_old, n_old)
            else:
                stats[name] = (
                    min(mine[0], old["min"]),
                    max(mine[1], old["max"]),
                    mine[2] + sum_old,
                    mine[3] + n_old,
                )
    return {
        "count": total_count,
        "statuses": dict(statuses),
        "stats": {
            name: {"min": low, "max": high, "avg": total / n, "n": n}
            for name, (low, high, total, n) in stats.items()
        },
    }


def prune(*, city: City | None = None, now: datetime | None = None) -> tuple[int, int]:
    """Roll up, then delete, the raw readings older than `[iot] retention_days` (cut at the
    start of a UTC day, so every bucket rolled up is complete: later readings of it would be
    too old to accept). One transaction per day of history; returns (roll-ups written,
    readings deleted)."""
    city = city or city_selectors.current_city()
    section = iot_settings(city)
    now = now or timezone.now()
    cutoff = _bucket(now - timedelta(days=section.retention_days), Period.DAY)
    city_readings = Reading.objects.filter(asset__city=city)
    written = deleted = 0
    while True:
        oldest = city_readings.filter(device_time__lt=cutoff).order_by("device_time").first()
        if oldest is None:
            return written, deleted
        day = _bucket(oldest.device_time, Period.DAY)
        end = min(day + timedelta(days=1), cutoff)
        with transaction.atomic():
            chunk = city_readings.filter(device_time__gte=day, device_time__lt=end)
            rows = chunk.values_list("asset_id", "device_time", "attributes").iterator(2000)
            written += _store_rollups(_summaries(rows, section.rollup))
            deleted += chunk.delete()[0]


def _store_rollups(found: dict) -> int:
    if not found:
        return 0
    existing = {
        (r.asset_id, r.period, r.bucket): r
        for r in ReadingRollup.objects.select_for_update().filter(
            asset_id__in={key[0] for key in found},
            bucket__in={key[2] for key in found},
        )
    }
    create, update = [], []
    for key, summary in found.items():
        rollup = existing.get(key)
        merged = _merged(rollup, summary)
        if rollup is None:
            asset_id, period, bucket = key
            create.append(ReadingRollup(asset_id=asset_id, period=period, bucket=bucket, **merged))
        else:
            for name, value in merged.items():
                setattr(rollup, name, value)
            update.append(rollup)
    ReadingRollup.objects.bulk_create(create, batch_size=500)
    ReadingRollup.objects.bulk_update(update, ["count", "stats", "statuses"], batch_size=500)
    return len(create) + len(update)
