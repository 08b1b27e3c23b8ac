"""Every write of parking sharing: lots, spot holders (an official's registration, a resident's
claim and its confirmation), share windows, reservations (made, cancelled, released as
no-shows) and the confirmation sent through core notifications.

No double booking: a window and a reservation are written under a row lock on the spot's asset
(SELECT … FOR UPDATE), and the overlap is checked again inside that transaction, so two
requests for the same spot take turns and the second sees the first's row. On SQLite the
database takes one writer at a time, which serialises them the same way."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import User
from hamkke.core import codes
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import Conflict, InvalidInput, NotFound
from hamkke.core.geo import cell_for
from hamkke.core.models import City
from hamkke.core.notifications.services import notify
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.iot import services as iot_services
from hamkke.iot.models import Asset, AssetKind
from hamkke.iot.parking import policies
from hamkke.iot.parking.models import (
    HOLDING,
    Reservation,
    ReservationStatus,
    ShareWindow,
    SpotHolder,
)
from hamkke.places.services import located

NOTIFICATION_KIND = "iot.parking"
# A share window lasts at most two weeks; a reservation at most a day; both at least 15 minutes.
MAX_WINDOW = timedelta(days=14)
MAX_RESERVATION = timedelta(hours=24)
MIN_LENGTH = timedelta(minutes=15)
# How far ahead a window may be shared.
MAX_AHEAD = timedelta(days=90)
# A request's clock and ours may differ by this much before "now" counts as the past.
LEEWAY = timedelta(minutes=1)
CODE_LENGTH = 8


def grace(city: City | None = None) -> timedelta:
    """How long a reservation waits for its car (`[iot] parking_grace_minutes`)."""
    return timedelta(minutes=iot_services.iot_settings(city).parking_grace_minutes)


def _user(actor: Actor | User | None) -> User | None:
    return Actor.of(actor).user


def _identity(user: User | None):
    if user is None:
        return None
    return account_selectors.verified_identity(user, methods=policies.METHODS)


def _locked_spot(spot: Asset) -> Asset:
    """The spot's row, locked until the transaction ends: every window and reservation of the
    spot is written under it."""
    return Asset.objects.select_for_update().get(pk=spot.pk)


def check_span(
    start: Any, end: Any, *, now: datetime, longest: timedelta, ahead: timedelta = MAX_AHEAD
) -> tuple[datetime, datetime]:
    """A [start, end) in the allowed range: aware moments between 1900 and 2999, start before
    end, not in the past, not too far ahead, at least 15 minutes and at most `longest`."""
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise InvalidInput(_("Give the start and the end as date and time."), field="start")
    if timezone.is_naive(start) or timezone.is_naive(end):
        start, end = timezone.make_aware(start), timezone.make_aware(end)
    if not (moment_in_range(start) and moment_in_range(end)):
        raise InvalidInput(
            _("Times must lie between %(range)s.") % {"range": MOMENTS_TEXT}, field="start"
        )
    if end <= start:
        raise InvalidInput(_("The end must come after the start."), field="end")
    if start < now - LEEWAY:
        raise InvalidInput(_("The start is in the past."), code="in_the_past", field="start")
    if start > now + ahead:
        raise InvalidInput(
            _("The start may be at most %(days)s days ahead.") % {"days": ahead.days},
            field="start",
        )
    if end - start < MIN_LENGTH:
        raise InvalidInput(_("Give at least 15 minutes."), field="end")
    if end - start > longest:
        raise InvalidInput(
            _("At most %(hours)s hours at a time.")
            % {"hours": int(longest.total_seconds() // 3600)},
            code="too_long",
            field="end",
        )
    return start, end


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


# --- lots and holders ---------------------------------------------------------------------------


@transaction.atomic
def create_lot(
    *,
    name: str,
    latitude: Any,
    longitude: Any,
    actor: Actor | User | None = None,
    city: City | None = None,
    ref: str = "",
) -> Asset:
    """A parking lot (OffStreetParking); its spots are parking devices' assets naming it."""
    city = city or city_selectors.current_city()
    iot_services.require_manager(actor, city, None)
    name = iot_services._text(name, field_name="name", limit=200)
    if not name:
        raise InvalidInput(_("Give the lot a name."), field="name")
    ref = iot_services._text(ref, field_name="ref", limit=64) or f"lot-{secrets.token_hex(4)}"
    if "/" in ref or not ref.isprintable():
        raise InvalidInput(_("A reference may not contain / or control characters."), field="ref")
    if Asset.objects.filter(city=city, ref=ref).exists():
        raise Conflict(
            _("An asset with the reference %(ref)s exists already.") % {"ref": ref},
            code="duplicate_ref",
        )
    lat, lon, district = located(city, latitude, longitude)
    kind = AssetKind.OFF_STREET_PARKING
    lot = Asset.objects.create(
        city=city,
        kind=kind,
        ref=ref,
        name=name,
        entity_id=iot_services.entity_id(city, kind, ref),
        latitude=lat,
        longitude=lon,
        cell=cell_for(lat, lon),
        district=district,
    )
    record_audit(actor=actor, action="iot.parking.lot.create", target=lot)
    return lot


def _spot(spot: Asset) -> None:
    if spot.kind != AssetKind.PARKING_SPOT:
        raise InvalidInput(_("Only a parking spot has a holder."), field="spot")


@transaction.atomic
def register_holder(*, spot: Asset, user: User, actor: Actor | User | None = None) -> SpotHolder:
    """An official registers the spot as `user`'s (confirmed at once); replaces a claim."""
    _spot(spot)
    iot_services.require_manager(actor, spot.city, None)
    _locked_spot(spot)
    holder = SpotHolder.objects.filter(spot=spot).first()
    if holder is not None and holder.user_id != user.pk:
        if ShareWindow.objects.filter(holder=holder, end__gt=timezone.now()).exists():
            raise Conflict(
                _("The spot's current holder shares it still; withdraw their windows first."),
                code="held",
            )
        holder.delete()
        holder = None
    now = timezone.now()
    if holder is None:
        holder = SpotHolder.objects.create(
            spot=spot, user=user, confirmed_at=now, confirmed_by=_user(actor)
        )
    elif not holder.is_confirmed:
        holder.confirmed_at, holder.confirmed_by = now, _user(actor)
        holder.save(update_fields=["confirmed_at", "confirmed_by"])
    record_audit(actor=actor, action="iot.parking.holder.register", target=spot)
    return holder


@transaction.atomic
def claim_spot(*, spot: Asset, actor: Actor | User) -> SpotHolder:
    """A verified resident says the spot is theirs; an official confirms it
    (`register_holder`) before they may share it."""
    user = _user(actor)
    policies.verified(user, _identity(user)).enforce()
    _spot(spot)
    _locked_spot(spot)
    holder = SpotHolder.objects.filter(spot=spot).first()
    if holder is not None:
        if holder.user_id == user.pk:
            return holder
        raise Conflict(_("This spot is registered to someone else."), code="held")
    holder = SpotHolder.objects.create(spot=spot, user=user)
    record_audit(actor=actor, action="iot.parking.holder.claim", target=spot)
    return holder


# --- share windows ------------------------------------------------------------------------------


def _overlapping(rows, start: datetime, end: datetime):
    return rows.filter(start__lt=end, end__gt=start)


@transaction.atomic
def share_window(
    *, spot: Asset, start: Any, end: Any, actor: Actor | User, now: datetime | None = None
) -> ShareWindow:
    """The holder shares the spot for [start, end): refused when it overlaps another of the
    spot's windows."""
    now = now or timezone.now()
    user = _user(actor)
    holder = SpotHolder.objects.filter(spot=spot).first()
    policies.may_share(user, _identity(user), holder).enforce()
    start, end = check_span(start, end, now=now, longest=MAX_WINDOW)
    _locked_spot(spot)
    clash = _overlapping(ShareWindow.objects.filter(spot=spot), start, end).first()
    if clash is not None:
        raise Conflict(
            _("This overlaps the spot's window %(start)s – %(end)s.")
            % {"start": _moment(clash.start), "end": _moment(clash.end)},
            code="overlap",
        )
    window = ShareWindow.objects.create(spot=spot, holder=holder, start=start, end=end)
    record_audit(actor=actor, action="iot.parking.share", target=window)
    return window


@transaction.atomic
def withdraw_window(*, window: ShareWindow, actor: Actor | User) -> None:
    """The holder takes back a window no one has reserved."""
    user = _user(actor)
    holder = window.holder
    policies.may_share(user, _identity(user), holder).enforce()
    _locked_spot(window.spot)
    if window.reservations.filter(status__in=HOLDING).exists():
        raise Conflict(
            _("Someone has reserved part of this window; it stays."), code="window_reserved"
        )
    record_audit(actor=actor, action="iot.parking.withdraw", target=window)
    window.reservations.all().delete()
    window.delete()


# --- reservations -------------------------------------------------------------------------------


def _new_code() -> str:
    return codes.random_code(CODE_LENGTH)


def reserve(
    *,
    window: ShareWindow,
    start: Any,
    end: Any,
    actor: Actor | User,
    now: datetime | None = None,
) -> Reservation:
    """Reserve [start, end) of a shared window: refused (409 `overlap`) when another
    reservation of the spot holds any of that time. The citizen is told, in the site and by
    email, with the confirmation code."""
    for _attempt in range(3):
        try:
            return _reserve(window=window, start=start, end=end, actor=actor, now=now)
        except IntegrityError:  # a confirmation code drawn twice: draw again
            continue
    raise Conflict(_("Please try again."), code="retry")


@transaction.atomic
def _reserve(*, window, start, end, actor, now) -> Reservation:
    now = now or timezone.now()
    user = _user(actor)
    policies.verified(user, _identity(user)).enforce()
    start, end = check_span(start, end, now=now, longest=MAX_RESERVATION)
    spot = _locked_spot(window.spot)
    window = ShareWindow.objects.filter(pk=window.pk).first()
    if window is None:
        raise NotFound(_("This window is no longer shared."))
    if start < window.start or end > window.end:
        raise InvalidInput(
            _("Reserve within the shared window %(start)s – %(end)s.")
            % {"start": _moment(window.start), "end": _moment(window.end)},
            code="outside_window",
            field="start",
        )
    if window.holder.user_id == user.pk:
        raise InvalidInput(_("This is your own spot."), code="own_spot")
    taken = Reservation.objects.filter(spot=spot, status__in=HOLDING)
    if _overlapping(taken, start, end).exists():
        raise Conflict(_("This time is already reserved; choose another time."), code="overlap")
    with transaction.atomic():
        reservation = Reservation.objects.create(
            spot=spot, window=window, citizen=user, start=start, end=end, code=_new_code()
        )
    notify(
        recipient=user,
        kind=NOTIFICATION_KIND,
        title=_("Parking reserved: %(spot)s, %(start)s – %(end)s")
        % {"spot": spot, "start": _moment(start), "end": _moment(end)},
        body=_(
            "Your confirmation code is %(code)s. Park within %(minutes)s minutes of the start, "
            "or the spot is released for others."
        )
        % {"code": reservation.code, "minutes": int(grace(spot.city).total_seconds() // 60)},
        url=reverse("iot:parking-reservation", args=[reservation.code]),
    )
    record_audit(actor=actor, action="iot.parking.reserve", target=reservation)
    return reservation


def _locked_reservation(reservation: Reservation) -> Reservation:
    return Reservation.objects.select_for_update().select_related("spot").get(pk=reservation.pk)


@transaction.atomic
def cancel_reservation(*, reservation: Reservation, actor: Actor | User) -> Reservation:
    """The citizen gives back a reservation before arriving: the time is free again."""
    reservation = _locked_reservation(reservation)
    policies.may_cancel(_user(actor), reservation).enforce()
    reservation.status = ReservationStatus.CANCELLED
    reservation.closed_at = timezone.now()
    reservation.save(update_fields=["status", "closed_at"])
    record_audit(actor=actor, action="iot.parking.cancel", target=reservation)
    return reservation


def release_no_shows(*, city: City | None = None, now: datetime | None = None) -> int:
    """Reservations whose car has not come within the grace period after their start become
    no-shows, and their time is free again; the citizen is told. A spot whose sensor has said
    `occupied` since the reservation was made (a car that came early and stayed) counts as
    arrived instead. Returns how many were released."""
    city = city or city_selectors.current_city()
    now = now or timezone.now()
    due = Reservation.objects.filter(
        spot__city=city, status=ReservationStatus.RESERVED, start__lte=now - grace(city)
    ).values_list("pk", flat=True)
    released = 0
    for pk in list(due):
        released += _release_one(pk, now)
    return released


@transaction.atomic
def _release_one(pk: int, now: datetime) -> int:
    reservation = (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("spot", "spot__state")
        .get(pk=pk)
    )
    if reservation.status != ReservationStatus.RESERVED:
        return 0  # arrived or cancelled meanwhile
    state = getattr(reservation.spot, "state", None)
    if (
        state is not None
        and state.attributes.get("status") == "occupied"
        and state.observed_at >= reservation.created_at
        and state.observed_at < reservation.end
    ):
        reservation.status, reservation.arrived_at = ReservationStatus.ARRIVED, state.observed_at
        reservation.save(update_fields=["status", "arrived_at"])
        return 0
    reservation.status, reservation.closed_at = ReservationStatus.NO_SHOW, now
    reservation.save(update_fields=["status", "closed_at"])
    notify(
        recipient=reservation.citizen,
        kind=NOTIFICATION_KIND,
        title=_("Parking released: no car came by %(time)s")
        % {"time": _moment(reservation.start + grace(reservation.spot.city))},
        body=_("Reservation %(code)s was released so that others may park.")
        % {"code": reservation.code},
        url=reverse("iot:parking-reservation", args=[reservation.code]),
    )
    record_audit(actor=None, action="iot.parking.no_show", target=reservation)
    return 1
