"""The smart bins' services: the due bins (the profile's threshold or a bin's own), the day's
plan stored with routes in order and left-overs, made again only before a collection, the
morning task, stops collected when the sensor reads the bin emptied (through ingestion), the
trucks' rules, and the command."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.iot.bins import selectors, services
from hamkke.iot.bins.models import BinSetting, CollectionPlan, LeftOver, Route, Stop, Truck
from tests.iot.bins.conftest import bin_at, read, truck

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def made_before(seconds: float) -> None:
    """The plans were made `seconds` ago (the sensors' readings are dated by their devices)."""
    CollectionPlan.objects.update(made_at=timezone.now() - timedelta(seconds=seconds))


def test_a_bin_is_due_at_its_threshold_the_profiles_or_its_own(city):
    full = bin_at((0.001, 0), 0.85)
    half = bin_at((0.002, 0), 0.5)
    bin_at((0.003, 0), None)  # never read: not due
    assert [row.asset.pk for row in selectors.due_bins(city)] == [full.device.asset_id]
    BinSetting.objects.create(asset_id=half.device.asset_id, threshold=0.4)
    due = {row.asset.pk for row in selectors.due_bins(city)}
    assert due == {full.device.asset_id, half.device.asset_id}


def test_the_plan_visits_every_due_bin_once_within_capacity(city):
    made = [bin_at((0.001 * i, 0.001 * (i % 3)), 0.9) for i in range(1, 9)]
    bin_at((0.02, 0), 0.3)  # not due
    truck("A", capacity=1000)
    truck("B", capacity=1000)
    plan = services.make_plan(day=timezone.localdate(), seconds=0.3)
    stops = list(Stop.objects.filter(plan=plan))
    assert sorted(s.asset_id for s in stops) == sorted(m.device.asset_id for m in made)
    for route in Route.objects.filter(plan=plan):
        mine = [s for s in stops if s.route_id == route.pk]
        assert route.load_litres == sum(s.load_litres for s in mine) <= route.capacity_litres
        assert sorted(s.position for s in mine) == list(range(1, len(mine) + 1))
        assert (route.depot_latitude, route.depot_longitude) == (
            route.truck.latitude,
            route.truck.longitude,
        )
    # 0.9 of 240 litres: 216 on a truck.
    assert {s.load_litres for s in stops} == {216}
    assert not LeftOver.objects.filter(plan=plan).exists()


def test_bins_that_do_not_fit_are_left_over_with_why(city):
    made = [bin_at((0.001 * i, 0), 1.0) for i in range(1, 5)]
    truck("Small", capacity=500)  # two bins of 240
    plan = services.make_plan(day=timezone.localdate(), seconds=0.2)
    assert Stop.objects.filter(plan=plan).count() == 2
    left = LeftOver.objects.filter(plan=plan)
    assert {item.reason for item in left} == {"no_room"}
    placed = set(Stop.objects.filter(plan=plan).values_list("asset_id", flat=True))
    assert placed | {item.asset_id for item in left} == {m.device.asset_id for m in made}
    document = selectors.plan_document(selectors.plan_of(city, plan.day))
    assert document["left_over"][0]["why"].startswith("No room")


def test_an_inactive_truck_takes_no_route(city):
    bin_at((0.001, 0), 0.9)
    truck("Parked", active=False)
    plan = services.make_plan(day=timezone.localdate(), seconds=0.1)
    assert not Route.objects.filter(plan=plan).exists()
    assert LeftOver.objects.get(plan=plan).reason == "no_truck"


def test_the_sensor_reading_the_bin_emptied_marks_its_stop_collected(city):
    first, second = bin_at((0.001, 0), 0.95, ago=120), bin_at((0.002, 0), 0.9, ago=120)
    truck()
    plan = services.make_plan(day=timezone.localdate(), seconds=0.1)
    made_before(60)
    read(first, 0.5, ago=20)  # lower, not emptied
    assert not Stop.objects.filter(collected_at__isnull=False).exists()
    read(first, 0.05, ago=10)
    collected = Stop.objects.get(asset_id=first.device.asset_id)
    assert collected.collected_at is not None
    assert Stop.objects.get(asset_id=second.device.asset_id).collected_at is None
    progress = selectors.progress_of(selectors.plan_of(city, plan.day))
    assert (progress.collected, progress.stops) == (1, 2)
    # Once collected, the plan is not made again.
    with pytest.raises(Conflict):
        services.make_plan(day=plan.day, seconds=0.1)


def test_a_reading_from_before_the_plan_collects_nothing(city):
    made = bin_at((0.001, 0), 0.95, ago=300)
    truck()
    services.make_plan(day=timezone.localdate(), seconds=0.1)
    made_before(100)
    read(made, 0.05, ago=200)  # a late message, measured before the plan was made
    assert Stop.objects.get().collected_at is None


def test_a_plan_is_made_again_while_nothing_is_collected(city):
    bin_at((0.001, 0), 0.9)
    truck()
    day = timezone.localdate()
    first = services.make_plan(day=day, seconds=0.1)
    bin_at((0.002, 0), 0.95)
    again = services.make_plan(day=day, seconds=0.1)
    assert CollectionPlan.objects.get().pk == again.pk != first.pk
    assert Stop.objects.filter(plan=again).count() == 2


def test_the_morning_plan_waits_for_the_profiles_hour_and_is_made_once(city):
    bin_at((0.001, 0), 0.9)
    truck()
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    early = timezone.make_aware(datetime.combine(today, time(5, 0)), tz)
    later = timezone.make_aware(datetime.combine(today, time(6, 30)), tz)
    assert services.make_morning_plan(now=early) is None
    made = services.make_morning_plan(now=later)
    assert made is not None and made.day == today
    assert services.make_morning_plan(now=later + timedelta(minutes=10)) is None
    assert CollectionPlan.objects.count() == 1


def test_only_the_keeping_departments_handler_makes_a_plan(city, viewer, handler):
    from hamkke.accounts.models import Role
    from tests import factories

    truck()
    stranger = factories.make_official(role=Role.HANDLER)
    for who in (viewer, stranger):
        with pytest.raises(NotAllowed):
            services.make_plan(day=timezone.localdate(), actor=who, seconds=0.1)
    assert not CollectionPlan.objects.exists()
    assert services.make_plan(day=timezone.localdate(), actor=handler, seconds=0.1)


def test_a_truck_is_checked(city):
    truck("A")
    with pytest.raises(Conflict):
        truck("A")
    with pytest.raises(InvalidInput) as caught:
        truck("B", capacity=0)
    assert caught.value.field == "capacity_litres"
    with pytest.raises(InvalidInput) as caught:
        truck("B", districts=["nowhere"])
    assert caught.value.field == "districts"
    with pytest.raises(InvalidInput) as caught:
        truck("B", point=(35.1, 129.0))  # Busan
    assert caught.value.field == "latitude"
    assert Truck.objects.count() == 1


def test_a_truck_with_routes_is_kept(city):
    bin_at((0.001, 0), 0.9)
    used, spare = truck("Used"), truck("Spare", point=(37.60, 126.99))
    services.make_plan(day=timezone.localdate(), seconds=0.1)
    assert Route.objects.get().truck == used
    with pytest.raises(Conflict):
        services.delete_truck(actor=None, truck=used)
    services.delete_truck(actor=None, truck=spare)
    assert list(Truck.objects.all()) == [used]


def test_the_command_makes_and_prints_the_plan(city, capsys):
    made = bin_at((0.001, 0), 0.9)
    truck()
    call_command("iot", "bins", "plan", "--date", "2030-01-02", "--seconds", "0.1", "--json")
    document = json.loads(capsys.readouterr().out)
    assert document["day"] == "2030-01-02"
    assert [s["bin"] for s in document["routes"][0]["stops"]] == [made.device.asset_id]
    call_command("iot", "bins", "plan", "--date", "2030-01-02", "--seconds", "0.1")
    assert "route 1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--date"):
        call_command("iot", "bins", "plan", "--date", "tomorrow")
