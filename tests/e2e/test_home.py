"""The home page in a real browser: the city's language first, the switch to English, phones."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from hamkke.core.navigation import services
from tests.e2e.accessibility import assert_page_basics

pytestmark = pytest.mark.e2e

HANGUL = re.compile(r"[가-힣]")


def _service_names(language: str) -> list[str]:
    with translation.override(language):
        return [str(service.name) for service in services()]


def _language_button(page, code: str):
    return page.locator(f"header form[action='/i18n/setlang/'] button[name=language][value={code}]")


def _nav_link_texts(page) -> list[str]:
    # textContent, not visibility: on small screens the list sits in a closed <details> menu.
    return [text.strip() for text in page.locator("header nav a").all_text_contents()]


def test_home_speaks_korean_first_and_lists_the_services(site, page, screenshot):
    page.goto(site + "/")

    assert page.locator("html").get_attribute("lang") == "ko"
    assert HANGUL.search(page.locator("h1").first.inner_text())
    links = _nav_link_texts(page)
    for name in _service_names("ko"):
        assert name in links, f"the navigation does not list {name!r}: {links}"
    assert_page_basics(page)
    screenshot(page, "home-ko")


def test_language_button_switches_to_english_and_back(site, page, screenshot):
    page.goto(site + "/")

    _language_button(page, "en").click()
    page.wait_for_function("document.documentElement.lang === 'en'")

    assert page.locator("html").get_attribute("lang") == "en"
    assert "Seoul" in page.locator("h1").first.inner_text()
    assert page.locator("main").get_by_text("Smart Complaint Report").first.is_visible()
    links = _nav_link_texts(page)
    for name in _service_names("en"):
        assert name in links
    assert_page_basics(page)
    screenshot(page, "home-en")

    # The choice is remembered on the next page, and the switch goes back.
    page.goto(site + "/s/ideas/")
    assert page.locator("html").get_attribute("lang") == "en"
    _language_button(page, "ko").click()
    page.wait_for_function("document.documentElement.lang === 'ko'")
    assert page.url.endswith("/s/ideas/")


def test_home_fits_a_phone_without_sideways_scrolling(site, phone_page, screenshot):
    phone_page.goto(site + "/")

    widths = phone_page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " viewport: window.innerWidth})"
    )
    assert widths["viewport"] == 375
    assert widths["page"] <= widths["viewport"], widths
    assert widths["body"] <= widths["viewport"], widths
    assert phone_page.locator("h1").first.is_visible()
    # The services menu opens on a tap and its links are inside the screen.
    phone_page.locator("header nav summary").first.tap()
    first_link = phone_page.locator("header nav details a").first
    assert first_link.is_visible()
    box = first_link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1
    screenshot(phone_page, "home-phone")
