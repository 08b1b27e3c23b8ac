"""The sensors desk: who gets in (a role in the keeping department and the second factor), the
registry with its filters and a constant number of queries, the ingest counters of the last
day, a device's page, rotating a secret (shown once, on the answer to the POST, never stored
or shown again) and revoking, each refused without the handler's role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.core.models import Department
from hamkke.iot import services
from hamkke.iot.models import Device, DeviceStatus, IngestCounter
from hamkke.iot.pages.models import IngestTally
from tests import factories
from tests.iot.conftest import CITY_HALL, PALACE, payload, provision
from tests.iot.pages.test_pages import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

KEEPER = "information-planning"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def keeper(city):
    return Department.objects.get(city=city, code=KEEPER)


def official(client, role, department, *, second_factor=True):
    user = factories.make_official(role=role, department=department)
    if second_factor:
        factories.log_in_official(client, user)
    else:
        client.force_login(user)
    return user


@pytest.fixture
def devices():
    return [
        provision("parking", ref="S-1", model_name="Nedap SENSIT"),
        provision("waste-container", point=CITY_HALL, ref="B-1", model_name="CleanCUBE"),
        provision("illegal-parking", point=PALACE, ref="Z-1"),
    ]


DESK_GETS = ["/iot/desk/", "/iot/desk/devices/{id}/"]


def test_the_public_and_citizens_do_not_get_in(client, devices):
    for path in DESK_GETS:
        url = path.format(id=devices[0].device.pk)
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(factories.make_user())
    for path in DESK_GETS:
        assert client.get(path.format(id=devices[0].device.pk)).status_code == 403


def test_an_official_without_the_second_factor_is_sent_to_confirm_it(client, keeper, devices):
    official(client, Role.MANAGER, keeper, second_factor=False)
    response = client.get("/iot/desk/")
    assert response.status_code == 302 and "/iot/desk/" not in response["Location"]
    rotate = client.post(f"/iot/desk/devices/{devices[0].device.pk}/rotate/")
    assert rotate.status_code == 302
    before = Device.objects.get(pk=devices[0].device.pk).secret_hash
    assert before == services.secret_hash(devices[0].secret)


def test_an_official_of_another_department_is_refused(client, city, devices):
    other = Department.objects.filter(city=city).exclude(code=KEEPER).first()
    official(client, Role.MANAGER, other)
    assert client.get("/iot/desk/").status_code == 403
    response = client.post(f"/iot/desk/devices/{devices[0].device.pk}/rotate/")
    assert response.status_code == 403
    assert (
        services.secret_hash(devices[0].secret)
        == Device.objects.get(pk=devices[0].device.pk).secret_hash
    )


def test_the_registry_lists_filters_and_pages_in_constant_queries(client, keeper, devices):
    official(client, Role.VIEWER, keeper)
    spot = devices[0].device
    Device.objects.filter(pk=spot.pk).update(battery=12, last_seen=timezone.now())
    body = client.get("/iot/desk/").content.decode()
    rows = re.search(r'<table class="desk-queue" id="devices">(.*?)</table>', body, re.S)[1]
    assert rows.count("<tr>") == 1 + len(devices)
    assert "Nedap SENSIT" in rows and "12 %" in rows and "never" in rows

    def listed(**params) -> set[int]:
        page = client.get("/iot/desk/", params).content.decode()
        return {int(n) for n in re.findall(r'href="/iot/desk/devices/(\d+)/"', page)}

    names = ("spot", "bin", "zone")
    ids = {name: made.device.pk for name, made in zip(names, devices, strict=True)}
    assert listed(kind="waste-container") == {ids["bin"]}
    assert listed(district="11140") == {ids["bin"]}
    assert listed(health="low") == {ids["spot"]}
    assert listed(health="silent") == {ids["bin"], ids["zone"]}
    assert listed(q="cleancube") == {ids["bin"]}
    services.revoke(device=devices[2].device)
    assert listed(status="revoked") == {ids["zone"]}
    refused = client.get("/iot/desk/", {"kind": "toaster"})
    assert refused.status_code == 400 and "could not be read" in text_of(refused.content.decode())

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/iot/desk/").status_code == 200
        return len(captured.captured_queries)

    few = count_queries()
    for number in range(20):
        provision("parking", ref=f"S-more-{number}")
    assert count_queries() == few


def test_the_counters_of_the_last_day_leave_older_hours_out(client, keeper, devices, city):
    official(client, Role.VIEWER, keeper)
    made = devices[0]
    now = timezone.now()
    good = services.Message(made.device.pk, payload(now, status="free"), now)
    services.ingest([good, good, services.Message(made.device.pk, b"{", now)])
    # A day and more ago: counted since the start, not in the last day.
    IngestTally.objects.create(
        city=city, reason="malformed", hour=now - timedelta(hours=30), count=7
    )
    IngestCounter.objects.filter(city=city, reason="malformed").update(count=8)
    body = client.get("/iot/desk/").content.decode()

    def row(reason: str) -> list[str]:
        found = re.search(rf'<tr data-reason="{reason}">(.*?)</tr>', body, re.S)[1]
        return re.findall(r"<td>(\d+)</td>", found)

    assert row("accepted") == ["1", "1"]
    assert row("duplicate") == ["1", "1"]
    assert row("malformed") == ["1", "8"]
    assert row("future") == ["0", "0"]
    assert IngestTally.objects.filter(reason="malformed").count() == 2


def test_a_handler_rotates_a_secret_shown_once(client, keeper, devices):
    official(client, Role.HANDLER, keeper)
    made = devices[1]
    page = client.get(f"/iot/desk/devices/{made.device.pk}/").content.decode()
    assert "Give it a new secret" in page and 'id="secret"' not in page
    response = client.post(f"/iot/desk/devices/{made.device.pk}/rotate/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="secret">([^<]+)</code>', response.content.decode())[1]
    device = Device.objects.get(pk=made.device.pk)
    assert device.secret_hash == services.secret_hash(secret) != services.secret_hash(made.secret)
    assert services.authenticate(device.city, device.pk, secret) == device
    again = client.get(f"/iot/desk/devices/{made.device.pk}/").content.decode()
    assert secret not in again and 'id="secret"' not in again
    assert client.get(f"/iot/desk/devices/{made.device.pk}/rotate/").status_code == 405


def test_a_viewer_sees_the_device_but_may_not_rotate_or_revoke(client, keeper, devices):
    official(client, Role.VIEWER, keeper)
    made = devices[0]
    page = client.get(f"/iot/desk/devices/{made.device.pk}/").content.decode()
    assert "Give it a new secret" not in page and "Revoke" not in page
    assert client.post(f"/iot/desk/devices/{made.device.pk}/rotate/").status_code == 403
    assert client.post(f"/iot/desk/devices/{made.device.pk}/revoke/").status_code == 403
    device = Device.objects.get(pk=made.device.pk)
    assert device.status == DeviceStatus.ACTIVE
    assert device.secret_hash == services.secret_hash(made.secret)


def test_a_handler_revokes_and_a_revoked_device_keeps_its_status(client, keeper, devices):
    official(client, Role.HANDLER, keeper)
    made = devices[0]
    response = client.post(f"/iot/desk/devices/{made.device.pk}/revoke/", follow=True)
    text = text_of(response.content.decode())
    assert "The device is revoked" in text
    assert Device.objects.get(pk=made.device.pk).status == DeviceStatus.REVOKED
    assert "Give it a new secret" not in response.content.decode()
    again = client.post(f"/iot/desk/devices/{made.device.pk}/rotate/", follow=True)
    assert "revoked" in text_of(again.content.decode())
    assert Device.objects.get(pk=made.device.pk).secret_hash == services.secret_hash(made.secret)
    assert client.get("/iot/desk/devices/999999/").status_code == 404
