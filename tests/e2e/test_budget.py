"""A resident votes in participatory budgeting from a phone-sized Chromium: the knapsack ballot
counts the money left as projects are ticked and greys out those that no longer fit, the
confirmation step shows the ballot and its total, casting gives a receipt code, and the code finds
the ballot again. Also the per-area ballot's one-per-area behaviour, and the same ballot without
JavaScript, where a ballot breaking the rule reaches the server and is explained there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hamkke.budget import selectors
from hamkke.budget.models import Ballot, Participation
from hamkke.core.models import City
from tests import factories
from tests.budget.conftest import JONGNO, MAPO, make_cycle, make_resident
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$")
# The narrowest phone the pages are made for.
NARROW_PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def ballots_leave_the_box_at_once(settings):
    """A batch of one (the ballot pattern, core/ballots.py): each ballot reaches the ballot table
    as soon as it is cast, so the tests below find it there."""
    settings.HAMKKE_BALLOT_BATCH = 1


def resident(district_code: str, email: str):
    user = factories.make_user(email=email)
    make_resident(district_code=district_code, user=user)
    return user


def log_in(page, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[type=password]").fill(factories.PASSWORD)
    form.locator("input[type=password]").press("Enter")
    page.wait_for_url(f"{site}/me/")


def test_a_mapo_resident_votes_on_the_knapsack_ballot_from_a_phone(site, phone_page, screenshot):
    page = phone_page
    cycle = make_cycle(City.objects.get(slug="seoul"), phase="voting")
    resident(MAPO, "voter@example.org")
    log_in(page, site, "voter@example.org")

    page.goto(f"{site}/budget/{cycle.slug}/vote/")
    assert_page_basics(page)
    page.locator(f"a[href='/budget/{cycle.slug}/vote/mapo/']").click()
    page.wait_for_url(f"{site}/budget/{cycle.slug}/vote/mapo/")
    assert_page_basics(page)

    status = page.locator("#ballot-status")
    # Mapo's budget is 1,000: m1 costs 600, m2 300, m3 250.
    expect(status).to_contain_text("1,000")
    expect(page.locator("#ballot-bar")).to_be_in_viewport()
    page.locator("#choice-m2").check()
    expect(status).to_contain_text("700")
    expect(page.locator("#choice-m1")).to_be_enabled()
    page.locator("#choice-m3").check()
    expect(status).to_contain_text("450")
    # m1 (600) no longer fits in the 450 left: greyed out, disabled, and said why.
    expect(page.locator("#choice-m1")).to_be_disabled()
    expect(page.locator("#project-m1")).to_have_class(re.compile(r"\bdoes-not-fit\b"))
    expect(page.locator("#fit-m1")).to_be_visible()
    # The bar stays on screen while scrolling the ballot, with the button to go on.
    page.mouse.wheel(0, 400)
    expect(page.locator("#ballot-bar")).to_be_in_viewport()
    screenshot(page, "budget-ballot-phone")
    # Unticking m3 gives the money back: m1 fits again.
    page.locator("#choice-m3").uncheck()
    expect(page.locator("#choice-m1")).to_be_enabled()
    page.locator("#choice-m3").check()
    expect(page.locator("#choice-m1")).to_be_disabled()

    page.locator("button[name=step][value=confirm]").click()
    expect(page.locator("#ballot-total")).to_have_text("550")
    expect(page.locator("#ballot-problems")).to_have_count(0)
    assert_page_basics(page)
    assert not Ballot.objects.exists()
    screenshot(page, "budget-confirm-phone")

    page.locator("button[name=step][value=cast]").click()
    code = page.locator("#receipt-code")
    expect(code).to_be_visible()
    receipt = code.inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    assert Participation.objects.count() == 1 and Ballot.objects.count() == 1
    found = selectors.ballot_by_receipt(cycle, receipt)
    assert sorted(project.code for project in found.choices) == ["m2", "m3"]
    assert_page_basics(page)
    screenshot(page, "budget-receipt-phone")

    page.locator(f"a[href^='/budget/{cycle.slug}/receipt/?code=']").click()
    page.wait_for_url(re.compile(r".*/receipt/\?code="))
    found_section = page.locator(".receipt-found")
    expect(found_section).to_contain_text(receipt)
    expect(found_section).to_contain_text("Project m2")
    expect(found_section).to_contain_text("Project m3")
    expect(found_section).not_to_contain_text("Project m1")
    assert_page_basics(page)

    # Back at the ballot: already voted, no second ballot offered.
    page.goto(f"{site}/budget/{cycle.slug}/vote/mapo/")
    expect(page.locator("input[name=choices]")).to_have_count(0)


def test_the_per_area_ballot_keeps_one_project_per_area(site, phone_page):
    page = phone_page
    cycle = make_cycle(City.objects.get(slug="seoul"), phase="voting")
    resident(JONGNO, "jongno@example.org")
    log_in(page, site, "jongno@example.org")
    page.goto(f"{site}/budget/{cycle.slug}/vote/jongno/")
    # j1 and j2 are both welfare projects: choosing j2 replaces j1.
    page.locator("#choice-j1").check()
    page.locator("#choice-j3").check()
    expect(page.locator("#ballot-status")).to_contain_text("2")
    page.locator("#choice-j2").check()
    expect(page.locator("#choice-j1")).not_to_be_checked()
    expect(page.locator("#choice-j2")).to_be_checked()
    expect(page.locator("#choice-j3")).to_be_checked()
    expect(page.locator("#ballot-status")).to_contain_text("Project j1")


def test_without_javascript_a_rule_breaking_ballot_is_explained_not_stored(site, browser):
    cycle = make_cycle(City.objects.get(slug="seoul"), phase="voting")
    resident(JONGNO, "nojs@example.org")
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site, "nojs@example.org")
        page.goto(f"{site}/budget/{cycle.slug}/vote/jongno/")
        page.locator("#choice-j1").check()
        page.locator("#choice-j2").check()
        expect(page.locator("#choice-j1")).to_be_checked()  # nothing unticks it
        page.locator("button[name=step][value=confirm]").click()
        problems = page.locator("#ballot-problems")
        expect(problems).to_be_visible()
        expect(problems).to_contain_text("j1, j2")
        expect(page.locator("button[name=step][value=cast]")).to_have_count(0)
        assert not Ballot.objects.exists()

        page.locator("button[name=step][value=edit]").click()
        expect(page.locator("#choice-j1")).to_be_checked()
        page.locator("#choice-j2").uncheck()
        page.locator("button[name=step][value=confirm]").click()
        page.locator("button[name=step][value=cast]").click()
        expect(page.locator("#receipt-code")).to_have_text(RECEIPT)
        assert Ballot.objects.count() == 1
    finally:
        context.close()


def test_the_receipt_page_keeps_the_recount_command_on_a_narrow_phone(site, browser, screenshot):
    """On a 360 px wide phone the recount command wraps inside its box: no part of it, and
    nothing else on the receipt page, reaches past the right edge of the screen."""
    cycle = make_cycle(City.objects.get(slug="seoul"), phase="voting")
    resident(JONGNO, "narrow@example.org")
    context = browser.new_context(
        locale="en-US", viewport=NARROW_PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site, "narrow@example.org")
        page.goto(f"{site}/budget/{cycle.slug}/vote/jongno/")
        page.locator("#choice-j1").check()
        page.locator("button[name=step][value=confirm]").click()
        page.locator("button[name=step][value=cast]").click()
        receipt = page.locator("#receipt-code").inner_text().strip()
        command = page.locator("pre.command")
        expect(command).to_contain_text(f"--receipt {receipt}")
        box = command.bounding_box()
        text_box = command.locator("code").bounding_box()
        assert box is not None and text_box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW_PHONE["width"], box
        # The command itself, not only its box: all of it on screen, none hidden past an edge.
        assert text_box["x"] + text_box["width"] <= NARROW_PHONE["width"], text_box
        assert text_box["x"] + text_box["width"] <= box["x"] + box["width"] + 0.5, text_box
        # The page itself does not scroll sideways.
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        screenshot(page, "budget-receipt-narrow-phone")
    finally:
        context.close()
