"""The alarms desk in a real browser: the keeping department's handler logs in with password and
authenticator code, finds the illegal-parking alarm the sensor raised (active, first in the
list), acknowledges it, and sees on its page the status of the complaint it filed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.core.models import Department
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_complaints_desk import _log_in
from tests.e2e.test_places import _in_english
from tests.iot.alarms.conftest import KEEPER, evaluate, send, zone

pytestmark = pytest.mark.e2e


def test_an_official_acknowledges_an_alarm_and_sees_the_complaints_status(site, page, screenshot):
    from hamkke.core.models import City
    from hamkke.iot.alarms.models import Alarm

    city = City.objects.get(slug="seoul")
    user = factories.make_official(
        role=Role.HANDLER,
        department=Department.objects.get(city=city, code=KEEPER),
        email="sensors@example.org",
        display_name="김주무관",
    )
    secret = factories.activate_totp(user)
    now = timezone.now().replace(microsecond=0)
    device = zone()
    send(device, now - timedelta(minutes=15), status="occupied")
    send(device, now - timedelta(minutes=1), status="occupied")
    evaluate(city, now)
    alarm = Alarm.objects.get(device=device)
    number = alarm.complaint.tracking_number

    _in_english(page, site)
    _log_in(page, site, user.email, secret)
    page.goto(site + "/iot/alarms/")
    assert_page_basics(page)
    row = page.locator(f"tr[data-alarm='{alarm.pk}']")
    expect(row).to_contain_text("Illegal parking")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(number)
    screenshot(page, "iot-alarms")
    row.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text(f"Alarm {alarm.pk} acknowledged.")).to_be_visible()
    expect(page.locator(f"tr[data-alarm='{alarm.pk}'] .alarm-state")).to_have_text("Acknowledged")
    page.locator(f"tr[data-alarm='{alarm.pk}']").get_by_role("link", name="Illegal parking").click()
    page.wait_for_url(f"**/iot/alarms/{alarm.pk}/")
    assert_page_basics(page)
    expect(page.locator("#alarm .alarm-state")).to_have_text("Acknowledged")
    expect(page.locator("#alarm")).to_contain_text("김주무관")
    expect(page.locator("#alarm-complaint")).to_contain_text(number)
    expect(page.locator("#alarm-complaint .complaint-status")).to_have_text("received")
    screenshot(page, "iot-alarm")
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged" and alarm.acknowledged_by == user
