"""The registries' checks and saves (by the registry's own number: saving again updates), the
swapped-coordinates refusal, routes and lending, and the nearest places against a scan."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hamkke.core.errors import InvalidInput, NotAllowed
from hamkke.core.geo import distance_m
from tests import factories
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def test_saving_again_by_the_same_number_updates(editor):
    from hamkke.places.models import Place

    first = site(editor, name="시청 앞")
    again = site(editor, name="서울광장")
    assert first.pk == again.pk
    assert Place.objects.filter(layer="wifi-sites").count() == 1
    assert again.name == "서울광장"
    assert again.district.code == "11140"  # City Hall is in Jung-gu
    # The file's words become the profile's install type.
    assert again.kind == "street"


def test_a_point_outside_the_city_or_swapped_is_refused(editor, english):
    from hamkke.places.models import Place

    with pytest.raises(InvalidInput) as outside:
        site(editor, point=(35.1796, 129.0756))  # Busan
    assert outside.value.code == "outside_city"
    with pytest.raises(InvalidInput) as swapped:
        site(editor, point=(CITY_HALL[1], CITY_HALL[0]))
    assert swapped.value.code == "swapped"
    assert "swapped" in swapped.value.message
    assert not Place.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"charger_count": -3}, "charger_count"),
        ({"charger_count": "١٢"}, "charger_count"),  # Arabic-Indic digits
        ({"charger_count": 0}, "charger_count"),
        ({"name": ""}, "name"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"install_year": 1}, "install_year"),
    ],
)
def test_bad_values_are_refused_naming_the_field(editor, values, field):
    from hamkke.places.models import Place

    with pytest.raises(InvalidInput) as refused:
        charger(editor, **values)
    assert refused.value.field == field
    assert not Place.objects.exists()


def test_a_facility_takes_a_kind_of_the_profile(editor):
    from hamkke.places.services import save_place

    lat, lon = PALACE
    values = {"ref": "F-1", "name": "국립고궁박물관", "latitude": lat, "longitude": lon}
    with pytest.raises(InvalidInput):
        save_place(actor=editor, layer="facilities", values={**values, "kind": "casino"})
    place, created = save_place(
        actor=editor, layer="facilities", values={**values, "kind": "museum"}
    )
    assert created and place.kind == "museum"


def test_only_the_keeping_department_edits(city):
    from hamkke.accounts.models import Role
    from hamkke.core.models import Department
    from hamkke.places.services import save_place

    other = factories.make_official(
        role=Role.ADMINISTRATOR, department=Department.objects.get(city=city, code="transport")
    )
    lat, lon = CITY_HALL
    with pytest.raises(NotAllowed):
        save_place(
            actor=other,
            layer="chargers",
            values={"ref": "X", "name": "x", "latitude": lat, "longitude": lon, "charger_count": 1},
        )


def test_an_access_point_takes_its_sites_point_and_type(editor):
    from hamkke.places.services import save_access_point

    wifi = site(editor, point=BUKCHON)
    point, created = save_access_point(
        actor=editor, values={"ref": "AP-1", "site_ref": "WF-1", "ssid": "Seoul_Free_WiFi"}
    )
    assert created
    assert (point.latitude, point.longitude, point.install_type) == (
        wifi.latitude,
        wifi.longitude,
        "street",
    )
    with pytest.raises(InvalidInput):
        save_access_point(actor=editor, values={"ref": "AP-2", "site_ref": "nowhere"})


def test_a_route_needs_two_stops_and_gets_its_walking_length(editor):
    from hamkke.places.services import StopDraft, save_route

    with pytest.raises(InvalidInput):
        save_route(
            actor=editor, values={"ref": "R", "name": "한 곳"}, stops=[StopDraft("경복궁", *PALACE)]
        )
    route, _created = save_route(
        actor=editor,
        values={"ref": "R", "name": "북촌 산책"},
        stops=[StopDraft("경복궁", *PALACE), StopDraft("북촌", *BUKCHON)],
    )
    expected = distance_m(*PALACE, *BUKCHON)
    assert abs(route.distance_m - expected) <= 1
    # 4 km/h: minutes = metres / 1000 / 4 * 60.
    assert route.minutes == max(1, round(expected / 1000 / 4 * 60))
    assert [s.name for s in route.stops.all()] == ["경복궁", "북촌"]


def test_an_event_ends_after_it_starts(editor):
    from hamkke.places.services import save_event

    now = timezone.now()
    lat, lon = BUKCHON
    values = {
        "ref": "E-1",
        "title": "한지 공예 체험",
        "latitude": lat,
        "longitude": lon,
        "starts_at": now,
        "ends_at": now - timedelta(hours=1),
        "languages": "ko, EN",
    }
    with pytest.raises(InvalidInput):
        save_event(actor=editor, values=values)
    event, _created = save_event(
        actor=editor, values={**values, "ends_at": now + timedelta(hours=2)}
    )
    assert event.languages == "ko,en"


def test_lending_counts_add_up(editor):
    from hamkke.places.selectors import lending_figures
    from hamkke.places.services import record_lending

    record_lending(
        actor=editor,
        event_name="서울 빛초롱 축제",
        held_on=date(2026, 11, 1),
        chargers_lent=40,
        citizens_served=310,
    )
    record_lending(
        actor=editor,
        event_name="한강 불꽃축제",
        held_on=date(2026, 10, 5),
        chargers_lent=60,
        citizens_served=500,
    )
    with pytest.raises(InvalidInput):
        record_lending(
            actor=editor,
            event_name="x",
            held_on=date(2026, 1, 1),
            chargers_lent=-1,
            citizens_served=1,
        )
    assert lending_figures() == {"events": 2, "chargers": 100, "citizens": 810}


def test_nearest_agrees_with_a_scan(editor, city):
    from hamkke.places.selectors import nearest
    from hamkke.places.services import save_place

    rng = random.Random(7)
    points = []
    while len(points) < 60:
        lat = 37.50 + rng.random() * 0.12
        lon = 126.90 + rng.random() * 0.15
        try:
            save_place(
                actor=None,
                layer="chargers",
                city=city,
                values={
                    "ref": f"C{len(points)}",
                    "name": "c",
                    "latitude": lat,
                    "longitude": lon,
                    "charger_count": 1,
                },
            )
        except InvalidInput:
            continue  # outside the city's outline (the river's edge)
        points.append((f"C{len(points)}", lat, lon))
    for origin in (CITY_HALL, YEOUIDO, (37.55, 126.97)):
        for n, radius in ((5, 20_000), (10, 3_000), (3, 800)):
            scan = sorted(
                (distance_m(*origin, lat, lon), ref)
                for ref, lat, lon in points
                if distance_m(*origin, lat, lon) <= radius
            )[:n]
            found = nearest("chargers", *origin, n=n, radius_m=radius)
            assert [near.row.ref for near in found] == [ref for _d, ref in scan]
            assert all(
                abs(near.distance_m - d) < 1e-6 for near, (d, _r) in zip(found, scan, strict=True)
            )
