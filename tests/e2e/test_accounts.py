"""Accounts in a real browser: log in with email and password, land on one's own page."""

from __future__ import annotations

import pytest

from tests import factories
from tests.e2e.accessibility import assert_page_basics

pytestmark = pytest.mark.e2e


def test_login_with_email_and_password_lands_on_the_profile(site, page, screenshot):
    factories.make_user(email="minji@example.org")

    page.goto(site + "/accounts/login/")
    assert_page_basics(page)
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=login]").fill("minji@example.org")
    password = form.locator("input[type=password]")
    password.fill(factories.PASSWORD)
    password.press("Enter")

    page.wait_for_url(f"{site}/me/")
    assert page.locator("main").get_by_text("minji@example.org", exact=True).is_visible()
    assert_page_basics(page)
    screenshot(page, "profile")


def test_wrong_password_stays_on_the_login_page(site, page):
    factories.make_user(email="minji@example.org")

    page.goto(site + "/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=login]").fill("minji@example.org")
    form.locator("input[type=password]").fill("not-the-password")
    form.locator("input[type=password]").press("Enter")

    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    assert page.locator("input[type=password]").is_visible()
    assert_page_basics(page)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/s/complaints/"])
def test_public_pages_have_a_heading_and_labelled_controls(site, page, path):
    response = page.goto(site + path)

    assert response is not None and response.status == 200, path
    assert page.locator("html").get_attribute("lang") == "ko"
    assert_page_basics(page)
