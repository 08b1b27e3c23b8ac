"""The public IoT pages and the map's GeoJSON: the front shows each asset's state on the map's
data and in the list (filters by kind and district), an asset's page shows its state and last
readings and nothing personal or secret, the GeoJSON filters by kind, district and box and
answers bad input with 400 JSON, and the pages take the same number of queries for 3 assets
as for 30."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hamkke.iot import services
from hamkke.iot.models import AssetKind, Device
from tests.iot.conftest import BUKCHON, CITY_HALL, PALACE, payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

JONGNO, JUNG = "11110", "11140"
GEOJSON = "/api/v1/iot/assets.geojson"


@pytest.fixture
def client():
    browser = Client()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def text_of(body: str) -> str:
    main = body.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def send(made, ago: float = 5, **attributes):
    moment = timezone.now() - timedelta(seconds=ago)
    message = services.Message(made.device.pk, payload(moment, **attributes), timezone.now())
    result = services.ingest([message])
    assert result.accepted == 1, result.outcomes
    return moment


@pytest.fixture
def town():
    """A free spot and a taken one in Jongno, a bin 90 % full at City Hall (Jung), a clear
    no-parking zone, and a spot with no reading yet."""
    free = provision("parking", point=BUKCHON, ref="S-FREE", name="Spot free")
    taken = provision("parking", point=PALACE, ref="S-TAKEN", name="Spot taken")
    full = provision("waste-container", point=CITY_HALL, ref="B-FULL", name="Bin full")
    zone = provision("illegal-parking", point=BUKCHON, ref="Z-1", name="Zone one")
    silent = provision("parking", point=PALACE, ref="S-SILENT", name="Spot silent")
    send(free, status="free", batteryLevel=0.5)
    send(taken, status="occupied")
    send(full, fillingLevel=0.9)
    send(zone, status="free")
    return {"free": free, "taken": taken, "full": full, "zone": zone, "silent": silent}


def features(client, **params) -> dict:
    response = client.get(GEOJSON, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {f["properties"]["entity"]: f for f in body["features"]}


def test_the_geojson_gives_each_assets_latest_state(client, town):
    found = features(client)
    assert set(found) == {made.entity for made in town.values()}
    free = found[town["free"].entity]
    assert free["properties"]["status"] == "free"
    assert free["properties"]["batteryLevel"] == 0.5
    assert free["properties"]["kind"] == AssetKind.PARKING_SPOT
    assert free["properties"]["observedAt"].endswith("Z")
    asset = town["free"].device.asset
    assert free["geometry"]["coordinates"] == [
        round(asset.longitude, 6),
        round(asset.latitude, 6),
    ]
    assert found[town["full"].entity]["properties"]["fillingLevel"] == 0.9
    assert found[town["silent"].entity]["properties"]["observedAt"] is None
    # Nothing of the devices: no device id, no secret, no hash.
    text = client.get(GEOJSON).content.decode()
    for made in town.values():
        assert made.secret not in text
        assert Device.objects.get(pk=made.device.pk).secret_hash not in text
    assert "device" not in free["properties"]


def test_the_geojson_filters_by_kind_district_and_box(client, town):
    bins = features(client, kind="WasteContainer")
    assert set(bins) == {town["full"].entity}
    in_jung = features(client, district=JUNG)
    assert set(in_jung) == {town["full"].entity}
    in_jongno = features(client, district=JONGNO, kind="ParkingSpot")
    assert set(in_jongno) == {town[k].entity for k in ("free", "taken", "silent")}
    lat, lon = BUKCHON
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    assert set(features(client, bbox=box)) == {town["free"].entity, town["zone"].entity}


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "Unicorn"},
        {"district": "99999"},
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "127,37.6,126,37.5"},
        {"bbox": "126,37,200,38"},
        {"bbox": "nan,37,127,38"},
        {"bbox": "१,2,3,4"},
    ],
)
def test_bad_filters_are_400_json_with_a_message(client, town, params):
    response = client.get(GEOJSON, params)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"]
    assert body["field"] == next(iter(params))


def test_the_front_shows_the_figures_and_the_list_without_javascript(client, town):
    response = client.get("/iot/")
    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Spot free" in text and "Bin full" in text
    assert "90% full" in text
    assert "No reading yet" in text
    assert "/api/v1/iot/assets.geojson" in response.content.decode()
    figures = re.search(r'<ul id="figures">(.*?)</ul>', response.content.decode(), re.S)[1]
    spots = re.search(r'data-kind="ParkingSpot">(.*?)</li>', figures, re.S)[1]
    assert re.search(r"<strong>3</strong>", spots) and "1 free" in spots
    # Links left for the parts other pages build.
    for part in ("/iot/parking/", "/iot/bins/"):
        assert f'href="{part}"' in response.content.decode()


def test_the_front_filters_and_says_what_it_left_out(client, town):
    body = client.get("/iot/", {"kind": "WasteContainer"}).content.decode()
    text = text_of(body)
    assert "Bin full" in text and "Spot free" not in text
    assert "kind=WasteContainer" in body  # the map reads the same filters
    refused = client.get("/iot/", {"district": "nowhere"})
    assert refused.status_code == 400
    assert "could not be read" in text_of(refused.content.decode())
    # The rest is shown, unfiltered.
    assert "Spot free" in text_of(refused.content.decode())


def test_an_assets_page_shows_its_state_and_last_readings_and_nothing_secret(client, town):
    made = town["full"]
    send(made, ago=60, fillingLevel=0.4)  # an older time: the state stays at 90 %
    asset = made.device.asset
    body = client.get(f"/iot/assets/{asset.pk}/").content.decode()
    text = text_of(body)
    assert "Bin full" in text and "Waste container" in text
    assert "90% full" in text
    assert made.entity in text
    readings = re.search(r'<table class="iot-list" id="readings">(.*?)</table>', body, re.S)[1]
    assert readings.count("<tr>") == 3  # the header and two readings
    device = Device.objects.get(pk=made.device.pk)
    for secret in (made.secret, device.secret_hash, device.mqtt_hash):
        assert secret not in body
    assert f"/{device.pk}/attrs" not in body
    assert client.get("/iot/assets/999999/").status_code == 404


def test_a_lots_page_counts_its_free_spots(client, city):
    lot = services.Asset.objects.create(
        city=city,
        kind=AssetKind.OFF_STREET_PARKING,
        ref="LOT-1",
        name="The lot",
        entity_id=services.entity_id(city, AssetKind.OFF_STREET_PARKING, "LOT-1"),
        latitude=BUKCHON[0],
        longitude=BUKCHON[1],
        cell="x",
    )
    spots = [provision("parking", ref=f"LOT-1-{n}", lot=lot) for n in range(3)]
    send(spots[0], status="free")
    send(spots[1], status="occupied")
    text = text_of(client.get(f"/iot/assets/{lot.pk}/").content.decode())
    assert "1 of 3 spots free" in text
    found = features(client, kind="OffStreetParking")[lot.entity_id]["properties"]
    assert (found["availableSpotNumber"], found["totalSpotNumber"]) == (1, 3)


def queries(path: str, client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_pages_take_the_same_queries_for_few_assets_and_many(client, town, city):
    first = town["full"].device.asset.pk
    few = [queries(path, client) for path in ("/iot/", GEOJSON, f"/iot/assets/{first}/")]
    for number in range(25):
        made = provision("waste-container", point=CITY_HALL, ref=f"B-{number}")
        send(made, fillingLevel=number / 30)
    many = [queries(path, client) for path in ("/iot/", GEOJSON, f"/iot/assets/{first}/")]
    assert many == few
