"""Every write of the smart bins: the trucks (saved and deleted by the keeping department's
handlers), the day's collection plan (the due bins routed to the active trucks by
bins.routing, stored with its routes, stops and left-overs), the morning task's plan, and the
stops marked collected when their bins' sensors read them emptied."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.geo import cell_for
from hamkke.core.models import City, District
from hamkke.iot.bins import routing, selectors
from hamkke.iot.bins.models import CollectionPlan, LeftOver, Route, Stop, Truck
from hamkke.iot.services import _text, iot_settings, require_manager
from hamkke.places.services import located

MAX_CAPACITY = 1_000_000  # litres: far more than any truck


# --- trucks -------------------------------------------------------------------------------------


def _capacity(value: Any) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not 0 < number <= MAX_CAPACITY:
        raise InvalidInput(
            _("The capacity is a whole number of litres from 1 to %(most)s.")
            % {"most": MAX_CAPACITY},
            field="capacity_litres",
        )
    return number


def _districts(city: City, codes: Iterable[str]) -> list[District]:
    codes = list(dict.fromkeys(codes))
    found = {d.code: d for d in District.objects.filter(city=city, code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise InvalidInput(
            _("Unknown district: %(codes)s.") % {"codes": ", ".join(unknown)}, field="districts"
        )
    return [found[code] for code in codes]


@transaction.atomic
def save_truck(
    *,
    actor: Actor | User | None,
    name: Any,
    capacity_litres: Any,
    latitude: Any,
    longitude: Any,
    districts: Iterable[str] = (),
    active: bool = True,
    truck: Truck | None = None,
    city: City | None = None,
) -> Truck:
    """A new truck, or `truck` changed: its name (unique in the city), capacity in litres, its
    depot's point and the districts it serves (none: the whole city)."""
    city = city or city_selectors.current_city()
    require_manager(actor, city, None)
    name = _text(name, field_name="name", limit=100)
    if not name:
        raise InvalidInput(_("Give the truck a name."), field="name")
    capacity = _capacity(capacity_litres)
    lat, lon, district = located(city, latitude, longitude)
    served = _districts(city, districts)
    same_name = Truck.objects.filter(city=city, name=name)
    if truck is not None:
        same_name = same_name.exclude(pk=truck.pk)
    if same_name.exists():
        raise Conflict(
            _("A truck named %(name)s exists already.") % {"name": name}, code="duplicate_name"
        )
    if truck is None:
        truck = Truck(city=city)
    else:
        truck = Truck.objects.select_for_update().get(pk=truck.pk, city=city)
    truck.name, truck.capacity_litres, truck.active = name, capacity, bool(active)
    truck.latitude, truck.longitude, truck.district = lat, lon, district
    truck.cell = cell_for(lat, lon)
    try:
        with transaction.atomic():
            truck.save()
    except IntegrityError as error:  # the same name saved at the same moment
        raise Conflict(
            _("A truck named %(name)s exists already.") % {"name": name}, code="duplicate_name"
        ) from error
    truck.districts.set(served)
    record_audit(actor=actor, action="iot.bins.truck.save", target=truck, data={"name": name})
    return truck


@transaction.atomic
def delete_truck(*, actor: Actor | User | None, truck: Truck) -> None:
    """A truck no plan names; one that has driven a route is kept: make it inactive instead."""
    require_manager(actor, truck.city, None)
    if Route.objects.filter(truck=truck).exists():
        raise Conflict(
            _("This truck has routes in collection plans: make it inactive instead."),
            code="truck_in_plans",
        )
    record_audit(
        actor=actor, action="iot.bins.truck.delete", target=truck, data={"name": truck.name}
    )
    truck.delete()


# --- the day's plan ----------------------------------------------------------------------------


def make_plan(
    *,
    day: date,
    actor: Actor | User | None = None,
    city: City | None = None,
    seconds: float | None = None,
) -> CollectionPlan:
    """The day's plan: the bins due now routed to the active trucks (the search stops after
    `seconds`, by default the profile's routing_seconds). A plan the day has already is made
    again, unless a bin of it was collected. The search runs outside the transaction; what it
    found is written in one."""
    city = city or city_selectors.current_city()
    require_manager(actor, city, None)
    section = iot_settings(city)
    seconds = section.routing_seconds if seconds is None else seconds
    _not_started(city, day)
    due = {row.asset.pk: row for row in selectors.due_bins(city)}
    fleet = {truck.pk: truck for truck in selectors.trucks(city, active=True)}
    found = routing.plan_routes(
        [
            routing.Bin(
                key=pk,
                latitude=row.asset.latitude,
                longitude=row.asset.longitude,
                load=row.load_litres,
                district=row.district.code if row.district else "",
            )
            for pk, row in due.items()
        ],
        [
            routing.Truck(
                key=pk,
                capacity=truck.capacity_litres,
                latitude=truck.latitude,
                longitude=truck.longitude,
                districts=frozenset(d.code for d in truck.districts.all()),
            )
            for pk, truck in fleet.items()
        ],
        seconds=seconds,
    )
    try:
        with transaction.atomic():
            return _store(city, day, actor, seconds, due, fleet, found)
    except IntegrityError as error:  # another plan of the day written meanwhile
        raise Conflict(
            _("The plan of this day was being made at the same time: look at it again."),
            code="plan_busy",
        ) from error


def _not_started(city: City, day: date, *, lock: bool = False) -> CollectionPlan | None:
    plans = CollectionPlan.objects.filter(city=city, day=day)
    plan = (plans.select_for_update() if lock else plans).first()
    if plan is not None and Stop.objects.filter(plan=plan, collected_at__isnull=False).exists():
        raise Conflict(
            _("Bins of this day's plan are collected already: it cannot be made again."),
            code="plan_started",
        )
    return plan


def _store(city, day, actor, seconds, due, fleet, found: routing.Plan) -> CollectionPlan:
    old = _not_started(city, day, lock=True)
    if old is not None:
        old.delete()
    plan = CollectionPlan.objects.create(
        city=city,
        day=day,
        made_by=Actor.of(actor).user,
        seconds=seconds,
        length_m=found.length,
    )
    stops = []
    number = 0
    for truck_id, order in found.routes.items():
        if not order:
            continue
        number += 1
        truck = fleet[truck_id]
        route = Route.objects.create(
            plan=plan,
            truck=truck,
            number=number,
            depot_latitude=truck.latitude,
            depot_longitude=truck.longitude,
            capacity_litres=truck.capacity_litres,
            load_litres=sum(due[pk].load_litres for pk in order),
            length_m=found.lengths[truck_id],
        )
        stops += [
            Stop(
                plan=plan,
                route=route,
                asset_id=pk,
                position=position,
                level=due[pk].level,
                load_litres=due[pk].load_litres,
            )
            for position, pk in enumerate(order, start=1)
        ]
    Stop.objects.bulk_create(stops)
    LeftOver.objects.bulk_create(
        [
            LeftOver(
                plan=plan,
                asset_id=pk,
                level=due[pk].level,
                load_litres=due[pk].load_litres,
                reason=reason,
            )
            for pk, reason in sorted(found.left_over.items())
        ]
    )
    record_audit(
        actor=actor,
        action="iot.bins.plan",
        target=plan,
        data={"day": day.isoformat(), "stops": len(stops), "left_over": len(found.left_over)},
    )
    return plan


def make_morning_plan(*, now: datetime | None = None, city: City | None = None):
    """Today's plan, once the city's clock passes the profile's plan_at and today has none;
    None otherwise (the periodic task calls this every few minutes)."""
    city = city or city_selectors.current_city()
    local = timezone.localtime(now or timezone.now())
    if local.time() < iot_settings(city).plan_at:
        return None
    if CollectionPlan.objects.filter(city=city, day=local.date()).exists():
        return None
    try:
        return make_plan(day=local.date(), city=city)
    except Conflict:  # made meanwhile by someone else
        return None


# --- collected by the sensors ------------------------------------------------------------------


def mark_collected(*, city: City, levels: Iterable[tuple[int, datetime, Any]]) -> int:
    """Called by ingestion after its commit with (asset, device time, fillingLevel) of the
    readings it took: a bin read below `[iot] bin_collected_below` after a plan that has it
    waiting was emptied, so its stop is marked collected. Returns the stops marked."""
    below = iot_settings(city).bin_collected_below
    emptied: dict[int, datetime] = {}
    for asset_id, moment, level in levels:
        if isinstance(level, int | float) and not isinstance(level, bool) and level < below:
            emptied[asset_id] = max(moment, emptied.get(asset_id, moment))
    if not emptied:
        return 0
    marked = 0
    now = timezone.now()
    with transaction.atomic():
        waiting = Stop.objects.filter(
            asset_id__in=list(emptied), collected_at__isnull=True, plan__city=city
        ).select_related("plan")
        for stop in waiting:
            if emptied[stop.asset_id] > stop.plan.made_at:
                marked += Stop.objects.filter(pk=stop.pk, collected_at__isnull=True).update(
                    collected_at=now
                )
    return marked
