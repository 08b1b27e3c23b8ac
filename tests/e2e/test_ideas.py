"""A citizen writes an idea in the Oasis from a phone-sized Chromium: the similar idea already
posted appears under the title while typing, a tap on the map sets the place, the idea is
posted without a confirmation step (the script told the server what was shown), and another
citizen verified by phone supports it. No Content Security Policy violation on the way. And
the same without JavaScript, where the first submit shows the similar idea and asks to confirm."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.core.models import City
from hamkke.ideas.models import Idea, Support, Theme
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.conftest import PHONE
from tests.e2e.test_budget import log_in
from tests.e2e.test_content_policy import _violations
from tests.ideas.conftest import post
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.e2e

TITLE = "한강에 떠 있는 섬 공연장"
BODY = "한강에 인공 섬을 띄워 여름마다 공연을 엽니다."


def existing_idea():
    """ "한강에 떠 있는 섬을 만들자", posted by someone else under Transport."""
    theme = Theme.objects.get(city=City.objects.get(slug="seoul"), code="transport")
    return post(phone_voter(), theme)


def phone_context(browser, **options):
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True, **options
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_citizen_posts_an_idea_seeing_a_similar_one_and_another_supports_it(
    site, browser, screenshot
):
    existing = existing_idea()
    phone_voter(email="writer@example.org", display_name="김작가")
    phone_voter(email="fan@example.org")

    context, page = phone_context(browser)
    violations = _violations(page)
    try:
        log_in(page, site, "writer@example.org")
        page.goto(f"{site}/ideas/")
        page.locator("main a[href='/ideas/new/']").first.click()
        page.wait_for_url(f"{site}/ideas/new/")
        assert_page_basics(page)
        page.locator("#id_title").fill(TITLE)
        suggestion = page.locator(f"#similar-ideas li[data-idea='{existing.pk}']")
        expect(suggestion).to_be_visible()
        expect(suggestion).to_contain_text("한강에 떠 있는 섬을 만들자")
        expect(page.locator("input[name=seen]")).to_have_value(str(existing.pk))
        page.locator("#id_body").fill(BODY)
        page.locator("#id_theme").select_option("transport")
        # The map replaces the coordinates: a tap in its middle (the city's centre) sets them.
        page.locator("#proposal-map .leaflet-tile-pane").wait_for(state="attached")
        page.locator("#proposal-map").click()
        # The page speaks the city's language (Korean): the place is told by its numbers.
        expect(page.locator("#id_latitude")).not_to_have_value("")
        latitude = page.locator("#id_latitude").input_value()
        expect(page.locator("#place-status")).to_contain_text(latitude[:7])
        screenshot(page, "ideas-write-phone")

        page.locator("#post-idea").click()
        page.wait_for_url(f"{site}/ideas/*/")
        idea = Idea.objects.get(title=TITLE)
        assert page.url == f"{site}/ideas/{idea.pk}/"
        expect(page.locator("h1")).to_have_text(TITLE)
        expect(page.locator("main")).to_contain_text("김작가")
        expect(page.locator("#support-refusal")).to_be_visible()  # not one's own
        assert idea.location is not None and idea.district is not None
        assert_page_basics(page)
        screenshot(page, "ideas-idea-phone")
    finally:
        context.close()

    context, page = phone_context(browser)
    violations += _violations(page)
    try:
        log_in(page, site, "fan@example.org")
        page.goto(f"{site}/ideas/{idea.pk}/")
        page.locator("#support-form button").click()
        expect(page.locator("#supported")).to_be_visible()
        expect(page.locator("#support-count")).to_contain_text("1")
        expect(page.locator("#support-count")).to_contain_text("50")
        assert Support.objects.filter(idea=idea).count() == 1
        assert_page_basics(page)
    finally:
        context.close()
    assert violations == []


def test_without_javascript_the_similar_idea_is_confirmed_before_posting(site, browser):
    existing = existing_idea()
    phone_voter(email="nojs@example.org")
    context, page = phone_context(browser, java_script_enabled=False)
    try:
        log_in(page, site, "nojs@example.org")
        page.goto(f"{site}/ideas/new/")
        page.locator("#id_title").fill(TITLE)
        page.locator("#id_body").fill(BODY)
        page.locator("#id_theme").select_option("transport")
        page.locator("#post-idea").click()
        step = page.locator("#similar-step")
        expect(step).to_contain_text("한강에 떠 있는 섬을 만들자")
        expect(step.locator(f"li[data-idea='{existing.pk}']")).to_be_visible()
        expect(page.locator("#id_title")).to_have_value(TITLE)
        assert not Idea.objects.filter(title=TITLE).exists()
        assert_page_basics(page)
        page.locator("#post-anyway").click()
        page.wait_for_url(f"{site}/ideas/*/")
        expect(page.locator("h1")).to_have_text(TITLE)
        assert Idea.objects.filter(title=TITLE).count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/ideas/", "/ideas/adopted/", "/ideas/hall-of-fame/"])
def test_the_lists_are_labelled_and_run_without_a_policy_violation(site, page, path):
    from django.utils import timezone

    idea = existing_idea()
    adopted = existing_idea()
    Idea.objects.filter(pk=adopted.pk).update(
        state="adopted", decided_at=timezone.now(), progress=20
    )
    violations = _violations(page)
    response = page.goto(site + path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert_page_basics(page)
    if path == "/ideas/":
        expect(page.locator(f"#ideas a[href='/ideas/{idea.pk}/']")).to_be_visible()
        # The filters fold open, and filtering keeps the chosen order.
        page.locator(".sort-tabs a").nth(1).click()
        page.locator(".filters summary").click()
        page.locator("#id_theme").select_option("transport")
        page.locator(".filters button[type=submit]").click()
        page.wait_for_url("**/ideas/?*theme=transport*")
        assert "sort=supports" in page.url
    assert violations == []
