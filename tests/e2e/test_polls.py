"""A person votes in M-Voting from a phone-sized Chromium: a single choice and a ranking ordered
with the ranking's buttons, the receipt code, and the lookup that finds the ballot again. And
the same ballot without JavaScript, where the ranking is numbered selects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hamkke.polls import selectors
from hamkke.polls.models import Ballot, Participation
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.conftest import PHONE
from tests.e2e.test_budget import log_in
from tests.polls.conftest import options_of, phone_voter, polls_department
from tests.polls.test_views import park_poll as park_poll_of

pytestmark = pytest.mark.e2e

RECEIPT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$")


@pytest.fixture(autouse=True)
def ballots_leave_the_box_at_once(settings):
    """A batch of one (core/ballots.py): each ballot is stored as soon as it is cast."""
    settings.HAMKKE_BALLOT_BATCH = 1


def park_poll():
    from hamkke.accounts.models import Role

    department = polls_department()
    return park_poll_of(
        factories.make_official(role=Role.MANAGER, department=department), department
    )


def rank_button(page, question: int, option: int, action: str):
    """A button of the ranking's script: "add", "up", "down" or "remove" for an option."""
    return page.locator(
        f"#question-{question} .rank-widget li[data-option='{option}'] "
        f"button[data-action='{action}']"
    )


def test_a_verified_person_votes_ranks_with_buttons_and_looks_the_receipt_up(
    site, phone_page, screenshot
):
    page = phone_page
    poll = park_poll()
    (q1, q2), (single, ranking) = options_of(poll)
    play, library, lawn, parking = ranking
    phone_voter(email="voter@example.org")
    log_in(page, site, "voter@example.org")

    page.goto(f"{site}/polls/")
    page.locator(f"#open a[href='/polls/{poll.slug}/']").click()
    page.wait_for_url(f"{site}/polls/{poll.slug}/")
    assert_page_basics(page)
    # The page speaks the city's language (Korean) first: controls are found by what they
    # are, not by their words.
    page.locator(f"label[for=id_q{q1}_1]").click()
    expect(page.locator(f"input[name=q{q1}][value='{single[1]}']")).to_be_checked()

    # The script replaces the numbered selects with a list ordered by buttons.
    expect(page.locator(f"#question-{q2} .rank-selects")).to_be_hidden()
    ranked = page.locator(f"#question-{q2} .rank-list .rank-item")
    for option in (lawn, play, library):
        rank_button(page, q2, option, "add").click()
    expect(ranked).to_have_count(3)
    # Library up one place: Lawn, Library, Playground.
    rank_button(page, q2, library, "up").click()
    expect(ranked.nth(0)).to_contain_text("Lawn")
    expect(ranked.nth(1)).to_contain_text("Library")
    expect(ranked.nth(2)).to_contain_text("Playground")
    expect(page.locator(f"#question-{q2} .rank-status")).to_contain_text("“Library”")
    expect(page.locator(f"#question-{q2} .rank-status")).to_contain_text("2")
    expect(rank_button(page, q2, library, "up")).to_be_focused()
    # Taken out and back: it goes to the end.
    rank_button(page, q2, play, "remove").click()
    expect(ranked).to_have_count(2)
    rank_button(page, q2, play, "add").click()
    expect(ranked.nth(2)).to_contain_text("Playground")
    # The hidden selects the server reads follow the list.
    values = [page.locator(f"select[name=q{q2}_{rank}]").input_value() for rank in range(1, 5)]
    assert values == [str(lawn), str(library), str(play), ""]
    screenshot(page, "polls-ballot-phone")

    page.locator("#ballot button[type=submit]").click()
    code = page.locator("#receipt-code")
    expect(code).to_be_visible()
    receipt = code.inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    expect(page.locator("#receipt-does-not-prove")).to_be_visible()
    assert_page_basics(page)
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    found = selectors.find_ballot(poll, receipt)
    assert found.answers == {q1: [single[1]], q2: [lawn, library, play]}
    screenshot(page, "polls-receipt-phone")

    page.locator("#lookup-link").click()
    page.wait_for_url(re.compile(r".*/receipt/\?receipt="))
    section = page.locator(".receipt-found")
    expect(section).to_contain_text(receipt)
    expect(section.locator("ol.ranked li")).to_have_text(["Lawn", "Library", "Playground"])
    expect(section.locator("ol.chosen-list > li").first.locator("li")).to_have_text(["No"])
    expect(section).not_to_contain_text("Parking")
    assert_page_basics(page)

    # Back at the poll: voted, no second ballot offered.
    page.goto(f"{site}/polls/{poll.slug}/")
    expect(page.locator("#ballot")).to_have_count(0)
    expect(page.locator("#vote-refusal")).to_be_visible()
    assert parking  # listed, never ranked


def test_without_javascript_the_ranking_is_numbered_selects(site, browser):
    poll = park_poll()
    (q1, q2), (single, ranking) = options_of(poll)
    phone_voter(email="nojs@example.org")
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site, "nojs@example.org")
        page.goto(f"{site}/polls/{poll.slug}/")
        expect(page.locator(f"#question-{q2} .rank-selects")).to_be_visible()
        page.locator(f"label[for=id_q{q1}_2]").click()
        page.locator(f"select[name=q{q2}_1]").select_option(label="Parking")
        page.locator(f"select[name=q{q2}_2]").select_option(label="Parking")
        page.locator("#ballot button[type=submit]").click()
        # Parking twice: refused beside the question, the choices kept, nothing stored.
        expect(page.locator(f"#question-{q2} .errorlist")).to_contain_text("Parking")
        expect(page.locator(f"input[name=q{q1}][value='{single[2]}']")).to_be_checked()
        assert not Participation.objects.filter(poll=poll).exists()
        page.locator(f"select[name=q{q2}_2]").select_option(label="Playground")
        page.locator("#ballot button[type=submit]").click()
        receipt = page.locator("#receipt-code").inner_text().strip()
        assert RECEIPT.match(receipt), receipt
        found = selectors.find_ballot(poll, receipt)
        assert found.answers == {q1: [single[2]], q2: [ranking[3], ranking[0]]}
    finally:
        context.close()
