"""The smart bins in a real browser: the public map colours the bins by level; the keeping
department's handler logs in with password and authenticator code, makes the day's plan with
the desk's button, sees each route drawn with its numbered stops, and opens a crew's sheet,
which prints without the site's navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.iot.bins.models import Stop
from hamkke.iot.services import keeper_of
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_complaints_desk import _log_in
from tests.e2e.test_places import _in_english
from tests.iot.bins.conftest import bin_at, truck

pytestmark = pytest.mark.e2e


def test_the_plan_on_the_map_and_the_crews_printable_sheet(site, page, screenshot):
    from hamkke.core.city.selectors import current_city

    for i in range(1, 6):
        bin_at((0.0015 * i, 0.001 * (i % 2)), 0.9, ref=f"BIN-{i}")
    bin_at((0.004, -0.003), 0.3, ref="BIN-LOW")
    truck("East 1", capacity=800)
    truck("East 2", capacity=800, point=(37.5790, 126.9850))
    user = factories.make_official(
        role=Role.HANDLER, department=keeper_of(current_city()), email="bins@example.org"
    )
    secret = factories.activate_totp(user)
    _in_english(page, site)

    page.goto(site + "/iot/bins/")
    bins_map = page.locator(".bins-map")
    expect(bins_map).to_have_attribute("data-features", "6")
    expect(page.locator("#bins tbody tr.due")).to_have_count(5)
    assert_page_basics(page)

    _log_in(page, site, user.email, secret)
    page.goto(site + "/iot/bins/desk/")
    expect(page.locator("#no-plan")).to_be_visible()
    page.locator("#make-plan").click()
    expect(page.locator("#progress")).to_contain_text("0 of 5 bins collected")
    routes_map = page.locator(".bins-routes")
    expect(routes_map).to_have_attribute("data-drawn-stops", "5")
    routes = int(routes_map.get_attribute("data-drawn-routes"))
    assert routes == 2  # 5 bins of 216 litres do not fit one truck of 800
    expect(page.locator(".bins-stop")).to_have_count(5)
    expect(page.locator("path.bins-line")).to_have_count(2)
    assert_page_basics(page)
    screenshot(page, "iot-bins-desk")

    page.get_by_role("link", name="Route 1: crew sheet").click()
    rows = page.locator("#stops tbody tr")
    first_route = list(
        Stop.objects.filter(route__number=1)
        .order_by("position")
        .values_list("asset__ref", flat=True)
    )
    expect(rows).to_have_count(len(first_route))
    for position, ref in enumerate(first_route):
        expect(rows.nth(position)).to_contain_text(ref)
    expect(page.locator(".sheet-map")).to_have_attribute("data-drawn-stops", str(len(first_route)))
    page.emulate_media(media="print")
    assert not page.locator(".no-print").is_visible()
    assert page.locator("#stops").is_visible()
    screenshot(page, "iot-bins-sheet-print")
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
