"""The Content Security Policy in a real browser: the pages with maps, charts and htmx run
without one violation, and the maps still draw (Leaflet's panes are there)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.mark.parametrize("path", ["/", "/complaints/", "/complaints/new/", "/budget/"])
def test_pages_run_without_a_policy_violation(site, page, path):
    violations = _violations(page)
    response = page.goto(site + path)
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_report_forms_map_draws_under_the_policy(site, page):
    violations = _violations(page)
    page.goto(site + "/complaints/new/")
    page.locator(".leaflet-container").first.wait_for()
    assert page.locator(".leaflet-tile-pane").count() >= 1
    assert violations == []
