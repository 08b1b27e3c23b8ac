"""Browser fixtures: Debian's Chromium driven by Playwright (sync API) against `live_server`.

No browser is downloaded: Chromium comes from Debian (`apt-get install chromium fonts-nanum`).
Without it the tests skip, or fail when HAMKKE_REQUIRE_BROWSER=1 (as in CI)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SCREENSHOTS = Path(os.environ.get("HAMKKE_E2E_SCREENSHOTS") or tempfile.gettempdir()) / "hamkke-e2e"


def _why_no_browser() -> str:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium fonts-nanum)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return ""


@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One Chromium for all browser tests. Playwright's sync API keeps an event loop running in
    this thread, which Django would take for async code and refuse the ORM; the ORM calls here
    are plain synchronous test code, so the check is lifted while the browser is up."""
    if reason := _why_no_browser():
        if os.environ.get("HAMKKE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and HAMKKE_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # Playwright gives each launch a fresh temporary profile of its own.
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with Seoul loaded; its URL without a trailing slash."""
    factories.load_seoul()
    return live_server.url


def _new_page(browser, **context_options):
    # An English-speaking browser: the site must still speak the city's language first.
    context = browser.new_context(locale="en-US", **context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, viewport=DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(
        browser, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot for a person to look at (not compared, not committed)."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
