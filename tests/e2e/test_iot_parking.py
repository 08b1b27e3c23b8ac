"""A citizen reserves a shared parking spot in Chromium: the map page shows the lot and the
shared spot, the reserve form takes a part of the window, the confirmation page shows the
code, and the reservation is in "My reservations" with a cancel button. No Content Security
Policy violation on the way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hamkke.iot.parking import services
from hamkke.iot.parking.models import Reservation
from tests.e2e.test_budget import log_in
from tests.e2e.test_content_policy import _violations
from tests.e2e.test_places import _in_english
from tests.iot.conftest import BUKCHON, provision
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.e2e
FORMAT = "%Y-%m-%dT%H:%M"


def shared_window():
    lot = services.create_lot(name="Bukchon public lot", latitude=BUKCHON[0], longitude=BUKCHON[1])
    spot = provision("parking", ref="BK-1", name="Bukchon 1", lot=lot).device.asset
    holder = phone_voter()
    services.register_holder(spot=spot, user=holder)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    return services.share_window(
        spot=spot, start=start, end=start + timedelta(hours=6), actor=holder
    )


def test_a_citizen_reserves_a_window_in_the_browser(site, page):
    window = shared_window()
    phone_voter(email="driver@example.org")
    violations = _violations(page)
    _in_english(page, site)  # the steps name the page's English words
    log_in(page, site, "driver@example.org")
    page.goto(f"{site}/iot/parking/")
    expect(page.locator("table.lots")).to_contain_text("Bukchon public lot")
    map_element = page.locator("#parking-map")
    expect(map_element).to_have_attribute("data-features", "2")  # the lot and the shared spot
    page.get_by_role("link", name="Reserve").first.click()
    start = timezone.localtime(window.start + timedelta(hours=1))
    page.wait_for_url(f"{site}/iot/parking/windows/{window.pk}/reserve/")
    page.locator("input[name=start]").fill(start.strftime(FORMAT))
    page.locator("input[name=end]").fill((start + timedelta(hours=2)).strftime(FORMAT))
    page.locator("form.reserve-form button[type=submit]").click()
    made = Reservation.objects.get()
    expect(page.locator("#confirmation-code")).to_have_text(made.code)
    assert made.start == start and made.end == start + timedelta(hours=2)
    page.get_by_role("link", name="All my reservations").click()
    expect(page.locator("ul.reservations")).to_contain_text(made.code)
    page.locator("ul.reservations form button").click()
    expect(page.locator("ul.reservations form")).to_have_count(0)
    made.refresh_from_db()
    assert made.status == "cancelled"
    assert violations == []
