"""Smart Districts in a real browser: the front's map draws the Bukchon demo's assets (all
of them, then the bins when filtered), and the sensors desk's handler, logged in with
password and authenticator code, gives a device a new secret, shown once, that the device then
authenticates with."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.core.models import City, Department
from hamkke.iot import services
from hamkke.iot.models import Asset, Device
from hamkke.iot.pages import demo
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_complaints_desk import _log_in
from tests.e2e.test_places import _in_english, offline_map  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e


@pytest.fixture
def bukchon(site):
    list(demo.seed())
    return site


def test_the_map_shows_the_assets(bukchon, page, offline_map, screenshot):  # noqa: F811
    _in_english(page, bukchon)
    page.goto(bukchon + "/iot/")
    assert_page_basics(page)
    iot_map = page.locator("#iot-map")
    expect(iot_map).to_be_visible()
    expect(iot_map).to_have_attribute("data-features", str(Asset.objects.count()))
    # Clustered at the city's zoom: the clusters and lone points drawn.
    markers = iot_map.locator(".marker-cluster, .leaflet-overlay-pane path.leaflet-interactive")
    expect(markers.first).to_be_attached()
    # Filtered to the bins: the map reads the same filters as the list.
    page.goto(bukchon + "/iot/?kind=WasteContainer")
    expect(page.locator("#iot-map")).to_have_attribute(
        "data-features", str(Asset.objects.filter(kind="WasteContainer").count())
    )
    screenshot(page, "iot-map")
    expect(page.locator("#assets")).to_contain_text("full")


def test_the_desk_rotates_a_secret(bukchon, page, screenshot):
    keeper = Department.objects.get(code="information-planning")
    user = factories.make_official(
        role=Role.HANDLER, department=keeper, email="sensors@example.org", display_name="김주무관"
    )
    secret = factories.activate_totp(user)
    _in_english(page, bukchon)
    _log_in(page, bukchon, user.email, secret)
    page.goto(bukchon + "/iot/desk/?kind=waste-container")
    assert_page_basics(page)
    expect(page.locator("#counts")).to_contain_text("Accepted")
    device = Device.objects.filter(kind="waste-container").order_by("pk").first()
    page.locator("#devices").get_by_role("link", name=str(device.pk), exact=True).click()
    page.wait_for_url(f"**/iot/desk/devices/{device.pk}/")
    assert_page_basics(page)
    page.get_by_role("button", name="Give it a new secret").click()
    shown = page.locator("#secret")
    expect(shown).to_be_visible()
    new_secret = shown.inner_text().strip()
    city = City.objects.get()
    assert services.authenticate(city, device.pk, new_secret).pk == device.pk
    screenshot(page, "iot-desk-secret")
    page.goto(f"{bukchon}/iot/desk/devices/{device.pk}/")  # not shown again
    expect(page.locator("#secret")).to_have_count(0)
