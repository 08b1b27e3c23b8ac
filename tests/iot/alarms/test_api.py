"""The alarms API at /api/v1/iot/alarms: a device's alarms with their state, the filters (state,
type, asset, since) and paging; acknowledging with the handler's role and the second factor;
4xx as JSON {detail, code[, field]} for anonymous callers, other departments, unknown values.
And the sensor's complaint in Open311 with extensions=true, as channel sensor."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hamkke.accounts.models import Role
from tests import factories
from tests.iot.alarms.conftest import bin_sensor, evaluate, minutes, send, zone
from tests.places.test_desk_api import refused

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

API = "/api/v1/iot/alarms"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def raised(city, now):
    """A full bin (bin-full and battery-low open) and a zone whose car left (illegal parking,
    cleared)."""
    full = bin_sensor()
    send(full, now - minutes(40), fillingLevel=0.95, batteryLevel=0.1)
    send(full, now - minutes(1), fillingLevel=0.96)
    parked = zone()
    send(parked, now - minutes(15), status="occupied")
    evaluate(city, now - minutes(2))
    send(parked, now - minutes(1), status="free")
    evaluate(city, now)
    return full, parked


def test_a_devices_alarms_with_their_state(client, viewer, raised):
    full, parked = raised
    factories.log_in_official(client, viewer)
    body = client.get(f"{API}?device={full.pk}").json()
    assert body["count"] == 2
    assert {(a["type"], a["state"]) for a in body["items"]} == {
        ("bin-full", "active"),
        ("battery-low", "active"),
    }
    assert all(a["device"] == full.pk for a in body["items"])
    [alarm] = client.get(f"{API}?device={parked.pk}").json()["items"]
    assert (alarm["type"], alarm["state"]) == ("illegal-parking", "cleared")
    assert alarm["complaint"]["channel"] == "sensor"
    assert alarm["complaint"]["status"] == "received"
    assert alarm["asset"]["entity"] == parked.asset.entity_id


def test_the_filters_and_paging(client, viewer, raised, now):
    full, _parked = raised
    factories.log_in_official(client, viewer)

    def types(query: str) -> list[str]:
        answer = client.get(f"{API}?{query}")
        assert answer.status_code == 200, answer.content
        return sorted(a["type"] for a in answer.json()["items"])

    assert types("state=cleared") == ["illegal-parking"]
    assert types("state=active&type=bin-full") == ["bin-full"]
    assert types(f"asset={full.asset_id}") == ["battery-low", "bin-full"]
    later = (now + minutes(1)).isoformat().replace("+00:00", "Z")
    assert types(f"since={later}") == []
    assert types("since=" + (now - minutes(3)).isoformat().replace("+", "%2B")) == [
        "battery-low",
        "bin-full",
        "illegal-parking",
    ]
    page = client.get(f"{API}?page_size=2&page=2").json()
    assert (page["count"], page["pages"], len(page["items"])) == (3, 2, 1)


def test_unknown_values_answer_4xx_with_a_message(client, viewer, raised):
    factories.log_in_official(client, viewer)
    refused(client.get(f"{API}?state=burning"), 400, field="state")
    refused(client.get(f"{API}?type=bin-empty"), 400, field="type")
    refused(client.get(f"{API}?since=2026-01-01T10:00:00"), 400, field="since")
    refused(client.get(f"{API}?device=999999"), 404, code="not_found")
    refused(client.get(f"{API}?device=abc"), 422)
    refused(client.get(f"{API}?device=0"), 422)
    refused(client.get(f"{API}?page_size=1000"), 422)
    refused(client.get(f"{API}/999999"), 404)
    refused(client.get(f"{API}/{2**70}"), 404)


def test_only_the_keeping_departments_officials_with_the_second_factor(
    client, city, raised, viewer
):
    from hamkke.core.models import Department

    refused(client.get(API), 401)
    factories.log_in(client, factories.make_user())
    refused(client.get(API), 403)
    official = factories.make_official(
        role=Role.HANDLER, department=viewer.memberships.first().department
    )
    factories.activate_totp(official)
    client.force_login(official)
    refused(client.get(API), 403, code="second_factor_required")
    transport = Department.objects.get(city=city, code="transport")
    factories.log_in_official(
        client, factories.make_official(role=Role.MANAGER, department=transport)
    )
    refused(client.get(API), 403, code="role_required")


def test_a_handler_acknowledges_an_active_alarm_once(client, handler, viewer, raised):
    from hamkke.iot.alarms.models import Alarm

    full, parked = raised
    bin_full = Alarm.objects.get(device=full, type="bin-full")
    cleared = Alarm.objects.get(device=parked)
    factories.log_in_official(client, viewer)
    refused(client.post(f"{API}/{bin_full.pk}/acknowledge"), 403, code="role_required")
    client.logout()
    factories.log_in_official(client, handler)
    answer = client.post(f"{API}/{bin_full.pk}/acknowledge")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["state"] == "acknowledged" and body["acknowledged_by"]
    bin_full.refresh_from_db()
    assert bin_full.acknowledged_by == handler
    assert bin_full.acknowledged_at <= timezone.now()
    refused(client.post(f"{API}/{bin_full.pk}/acknowledge"), 409, code="not_active")
    refused(client.post(f"{API}/{cleared.pk}/acknowledge"), 409, code="not_active")
    refused(client.post(f"{API}/999999/acknowledge"), 404)


def test_acknowledging_needs_the_csrf_token(client, handler, raised):
    from django.test import Client

    from hamkke.iot.alarms.models import Alarm

    full, _parked = raised
    alarm = Alarm.objects.get(device=full, type="bin-full")
    factories.log_in_official(client, handler)
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.cookies = client.cookies
    refused(strict.post(f"{API}/{alarm.pk}/acknowledge"), 403, code="csrf_failed")
    alarm.refresh_from_db()
    assert alarm.state == "active"


def test_the_sensors_complaint_in_open311_is_channel_sensor_with_extensions(client, raised, now):
    from hamkke.iot.alarms.models import Alarm

    _full, parked = raised
    number = Alarm.objects.get(device=parked).complaint.tracking_number
    answer = client.get(f"/open311/v2/requests/{number}.json?extensions=true")
    assert answer.status_code == 200, answer.content
    [request] = answer.json()
    assert request["extended_attributes"]["channel"] == "sensor"
    assert request["service_code"] == "illegal-parking"
    plain = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert "extended_attributes" not in plain


def test_the_public_pages_show_no_alarm(client, raised):
    from hamkke.iot.alarms.models import Alarm

    _full, parked = raised
    alarm = Alarm.objects.get(device=parked)
    for url in ("/iot/alarms/", f"/iot/alarms/{alarm.pk}/"):
        answer = client.get(url)
        assert answer.status_code == 302 and "login" in answer["Location"]
    public = client.get(f"/complaints/{alarm.complaint.tracking_number}/")
    assert public.status_code == 200
    assert b"alarm" not in public.content.lower()
