"""The officials' desk in a real browser: an official logs in with password and authenticator
code, filters the queue, opens a report, starts from a response template and resolves it; the
public Open311 answer then carries the note. And the statistics page draws its charts."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import Category, ResponseTemplate, Status
from hamkke.core.models import Department
from tests import factories
from tests.e2e.accessibility import assert_page_basics

pytestmark = pytest.mark.e2e

JONGNO = (37.5704, 126.9920)
TEMPLATE_BODY = "쓰레기를 수거했습니다. 신고해 주셔서 감사합니다."


def _file(code: str, description: str):
    return services.file_complaint(
        category=Category.objects.get(code=code),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description=description,
        answers={"facility_type": "bench"} if code == "broken-facility" else None,
    )


def _official(role: Role = Role.HANDLER):
    office = Department.objects.get(code="office-11110")
    user = factories.make_official(
        role=role, department=office, email="official@example.org", display_name="김주무관"
    )
    return user, factories.activate_totp(user)


def _log_in(page, site: str, email: str, secret: str) -> None:
    page.goto(site + "/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=login]").fill(email)
    password = form.locator("input[type=password]")
    password.fill(factories.PASSWORD)
    password.press("Enter")
    code = page.locator("input[name=code]")
    code.wait_for()
    code.fill(factories.totp_code(secret))
    code.press("Enter")
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url and "/login/" not in url)


def test_official_resolves_a_report_with_a_template(site, page, browser, screenshot):
    litter = _file("litter", "골목에 쓰레기 봉투가 쌓여 있습니다.")
    bench = _file("broken-facility", "벤치가 부서졌습니다.")
    ResponseTemplate.objects.create(
        city=litter.city,
        category=litter.category,
        status=Status.RESOLVED,
        title="수거 완료",
        body=TEMPLATE_BODY,
    )
    user, secret = _official()

    _log_in(page, site, user.email, secret)
    page.goto(site + "/complaints/desk/")
    assert_page_basics(page)
    expect(page.locator(f"#row-{litter.tracking_number}")).to_have_count(1)
    expect(page.locator(f"#row-{bench.tracking_number}")).to_have_count(1)
    screenshot(page, "desk-queue")

    # Filter by category: htmx swaps the results in place.
    page.locator("#filter-category").select_option("litter")
    expect(page.locator(f"#row-{bench.tracking_number}")).to_have_count(0)
    expect(page.locator(f"#row-{litter.tracking_number}")).to_have_count(1)
    assert "category=litter" in page.url  # the filtered view is a link one can share

    page.get_by_role("link", name=litter.tracking_number).click()
    page.wait_for_url(f"{site}/complaints/desk/{litter.tracking_number}/")
    assert_page_basics(page)
    expect(page.get_by_text("골목에 쓰레기 봉투가 쌓여 있습니다.")).to_be_visible()

    # By id, not by label: the page speaks the city's language (Korean) once translated.
    page.locator("#template-choice").select_option(label="수거 완료")
    expect(page.locator("#id_public_note")).to_have_value(TEMPLATE_BODY)
    expect(page.locator("#id_status")).to_have_value("resolved")
    screenshot(page, "desk-report")
    page.locator("#change-status button[type=submit]").last.click()
    page.wait_for_url(f"{site}/complaints/desk/{litter.tracking_number}/")
    expect(page.locator(".messages .success")).to_be_visible()
    litter.refresh_from_db()
    assert litter.status == Status.RESOLVED

    # Anyone, without logging in, reads the answer through Open311.
    context = browser.new_context()
    try:
        public = context.new_page()
        response = public.goto(f"{site}/open311/v2/requests/{litter.tracking_number}.json")
        assert response is not None and response.status == 200
        (request,) = json.loads(public.locator("body").inner_text())
        assert request["service_request_id"] == litter.tracking_number
        assert request["status"] == "closed"
        assert request["status_notes"] == TEMPLATE_BODY
    finally:
        context.close()


def test_statistics_page_on_a_phone(site, phone_page, screenshot):
    page = phone_page
    _file("litter", "쓰레기")
    user, secret = _official(Role.VIEWER)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _log_in(page, site, user.email, secret)
    page.goto(site + "/complaints/desk/stats/")
    assert_page_basics(page)
    expect(page.locator("#stat-total")).to_have_text("1")
    # Chart.js drew into the canvases (a drawn chart has a chart instance on its canvas).
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".filter(c => window.Chart && Chart.getChart(c)).length"
    )
    assert drawn == 4
    # Mobile first: nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert errors == []
    screenshot(page, "desk-stats-phone")
