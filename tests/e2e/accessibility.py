"""Accessibility checks a browser test runs on the page it is on: a heading, labelled controls."""

from __future__ import annotations

# Controls a person fills in or picks; buttons name themselves by their text.
CONTROLS = (
    "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset])"
    ":not([type=image]), select, textarea"
)

# A control's name from aria-labelledby, aria-label or its <label>s — not from a placeholder or a
# title, which disappear or hide from many people.
_LABEL_TEXT = """el => {
  const textOf = id => (document.getElementById(id) || {}).textContent || "";
  const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
  const labelledBy = ids.map(textOf).join(" ");
  const labels = Array.from(el.labels || []).map(label => label.textContent).join(" ");
  return (labelledBy || el.getAttribute("aria-label") || labels).replace(/\\s+/g, " ").trim();
}"""


def _describe(locator) -> str:
    return locator.evaluate("el => el.outerHTML.slice(0, 200)")


def assert_has_h1(page) -> None:
    headings = page.locator("h1")
    assert headings.count() >= 1, f"{page.url}: the page has no <h1>"
    assert headings.first.inner_text().strip(), f"{page.url}: the <h1> is empty"


def assert_controls_are_labelled(page) -> int:
    """Every control has a label, and Playwright's get_by_label finds it by that label.
    Returns how many controls were checked."""
    controls = page.locator(CONTROLS)
    count = controls.count()
    for index in range(count):
        control = controls.nth(index)
        label = control.evaluate(_LABEL_TEXT)
        assert label, f"{page.url}: no label for {_describe(control)}"
        found = page.get_by_label(label).evaluate_all(
            "(elements, target) => elements.includes(target)", control.element_handle()
        )
        assert found, f"{page.url}: get_by_label({label!r}) does not find {_describe(control)}"
    return count


def assert_page_basics(page) -> None:
    assert_has_h1(page)
    assert_controls_are_labelled(page)
