"""Importing a registry file in a real browser: the keeper of the places logs in with the
second factor, sends Seoul's WiFi file, reads the check (nothing stored yet, the rejected row
and why), confirms, and sees the rows in; a job being imported by a worker moves its progress
bar from the API and the page turns into the report when the job ends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.core.models import Department, ImportJob, ImportStatus
from hamkke.places.models import AccessPoint
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_complaints_desk import _log_in as log_in_official
from tests.e2e.test_places import _in_english
from tests.places.conftest import KEEPER, PALACE
from tests.places.test_importing import SEOUL_HEADER, csv_bytes, seoul_row

pytestmark = pytest.mark.e2e


@pytest.fixture
def keeper_page(site, page):
    keeper = Department.objects.get(city__slug="seoul", code=KEEPER)
    official = factories.make_official(role=Role.MANAGER, department=keeper)
    secret = factories.activate_totp(official)
    _in_english(page, site)
    log_in_official(page, site, official.email, secret)
    return page


def test_the_keeper_checks_then_imports_seoul_s_wifi_file(site, keeper_page, tmp_path, screenshot):
    page = keeper_page
    rows = [seoul_row("AP-1"), seoul_row("AP-2", point=PALACE)]
    rows.append(seoul_row("AP-9", point=(35.1796, 129.0756)))  # Busan
    path = tmp_path / "seoul-wifi.csv"
    path.write_bytes(csv_bytes(rows, SEOUL_HEADER, encoding="cp949"))

    page.goto(site + "/places/desk/imports/")
    assert_page_basics(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/places/desk/imports/*/")
    expect(page.locator("#import-counts")).to_contain_text(
        "3 rows checked: 2 to add, 0 to update, 1 rejected. Nothing is stored yet."
    )
    expect(page.locator("table")).to_contain_text("This point is outside the city.")
    assert AccessPoint.objects.count() == 0
    screenshot(page, "places-import-checked")

    page.get_by_role("button", name="Import, leaving out the rejected row").click()
    expect(page.locator("#import-counts")).to_contain_text("3 of 3 rows: 2 added, 0 updated")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    assert sorted(AccessPoint.objects.values_list("ref", flat=True)) == ["AP-1", "AP-2"]


def test_the_progress_bar_follows_a_worker_and_the_report_follows_the_end(site, keeper_page):
    from hamkke.core.city.selectors import current_city

    page = keeper_page
    job = ImportJob.objects.create(
        city=current_city(),
        importer="places",
        file_name="big.csv",
        status=ImportStatus.RUNNING,
        total=400,
        processed=100,
    )
    page.goto(site + f"/places/desk/imports/{job.pk}/")
    bar = page.locator("#import-progress")
    expect(bar).to_have_attribute("value", "25")
    # The worker moves on: the page asks the API and moves the bar, without a reload.
    ImportJob.objects.filter(pk=job.pk).update(processed=300)
    expect(bar).to_have_attribute("value", "75", timeout=5_000)
    expect(page.locator("#import-counts")).to_contain_text("300 / 400")
    # The job ends: the page becomes the report.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, processed=400, created=390, updated=10
    )
    expect(page.locator("#import-counts")).to_contain_text(
        "400 of 400 rows: 390 added, 10 updated, 0 rejected.", timeout=5_000
    )
