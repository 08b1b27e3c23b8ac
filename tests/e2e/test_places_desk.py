"""The places desk in a real browser: the keeping department's handler logs in with password and
authenticator code, adds a charger site (first refused for swapped coordinates, said beside the
field), finds it in the registry's list, takes it off the map and records a lending; on a phone
the desk's tabs and tables stay within the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.core.models import Department
from hamkke.places.models import Lending, Place, Status
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_complaints_desk import _log_in
from tests.e2e.test_places import _in_english
from tests.places.conftest import CITY_HALL, KEEPER

pytestmark = pytest.mark.e2e


def _handler():
    keeper = Department.objects.get(code=KEEPER)
    user = factories.make_official(
        role=Role.HANDLER, department=keeper, email="keeper@example.org", display_name="박주무관"
    )
    return user, factories.activate_totp(user)


def test_a_handler_adds_a_charger_site_retires_it_and_records_lending(site, page, screenshot):
    user, secret = _handler()
    _in_english(page, site)  # the steps name the desk's English words
    _log_in(page, site, user.email, secret)
    page.goto(site + "/places/desk/")
    assert_page_basics(page)
    screenshot(page, "places-desk")
    page.locator("#count-chargers").get_by_role("link", name="Add one").click()
    page.wait_for_url("**/places/desk/chargers/new/")  # the new page, not the one it leaves
    assert_page_basics(page)
    lat, lon = CITY_HALL
    page.locator("#id_ref").fill("CH-E2E")
    page.locator("#id_name").fill("시청 충전소")
    page.locator("#id_charger_count").fill("6")
    page.locator("#id_latitude").fill(str(lon))  # the two numbers the wrong way round
    page.locator("#id_longitude").fill(str(lat))
    page.get_by_role("button", name="Add to the registry").click()
    expect(page.locator("#id_latitude_error")).to_contain_text("swapped")
    assert not Place.objects.exists()
    page.locator("#id_latitude").fill(str(lat))
    page.locator("#id_longitude").fill(str(lon))
    page.get_by_role("button", name="Add to the registry").click()
    expect(page.get_by_text("Number CH-E2E is added to the registry.")).to_be_visible()
    page.get_by_role("button", name="Take off the map").click()
    expect(page.get_by_text("Out of service: off the public map", exact=True)).to_be_visible()
    assert Place.objects.get(ref="CH-E2E").status == Status.CLOSED
    page.goto(site + "/places/desk/chargers/")
    expect(page.locator("#rows")).to_contain_text("CH-E2E")
    screenshot(page, "places-desk-chargers")

    page.goto(site + "/places/desk/lending/")
    assert_page_basics(page)
    page.locator("#id_event_name").fill("서울 장미 축제")
    page.locator("#id_held_on").fill("2026-05-16")
    page.locator("#id_chargers_lent").fill("40")
    page.locator("#id_citizens_served").fill("312")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#lendings")).to_contain_text("서울 장미 축제")
    assert Lending.objects.get().chargers_lent == 40


def test_the_desk_fits_a_phone(site, phone_page, screenshot):
    user, secret = _handler()
    factories.load_seoul()
    _log_in(phone_page, site, user.email, secret)
    for path in ("/places/desk/", "/places/desk/wifi-sites/", "/places/desk/chargers/new/"):
        phone_page.goto(site + path)
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} runs {overflow}px off a phone's screen"
    screenshot(phone_page, "places-desk-phone")
