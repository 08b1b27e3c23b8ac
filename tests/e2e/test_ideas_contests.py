"""A person takes part in the Oasis's contests from a phone-sized Chromium: finds the contest
whose public vote is running, votes for an entry (the votes left go down, the button becomes a
mark), then opens the winners of a finished contest and its certificate."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.ideas import services
from hamkke.ideas.models import Award, ContestVote, Theme
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.test_budget import log_in
from tests.ideas.conftest import OFFICE, THEME, department
from tests.ideas.test_contests import during, enter, jurors, make_contest, score
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.e2e


def test_a_person_votes_in_a_running_contest_and_sees_a_finished_ones_winners(
    site, phone_page, screenshot
):
    page = phone_page
    manager = factories.make_official(role=Role.MANAGER, department=department(OFFICE))
    theme = Theme.objects.get(city__slug="seoul", code=THEME)
    running = make_contest(manager, "voting", title="River ideas", votes_per_person=2)
    island = enter(running, theme, "한강 섬 공연장")
    library = enter(running, theme, "강변 야외 도서관")
    finished = make_contest(manager, "ended", title="Bridge ideas", tiers=[("대상", 5_000_000, 1)])
    winner = enter(finished, theme, "다리 위 정원", author=phone_voter(display_name="김정원"))
    enter(finished, theme, "다리 조명")
    (juror,) = jurors(manager, finished, 1)
    score(finished, winner, juror, 90)
    services.award_contest(actor=manager, contest=finished, now=during(finished, "ended"))
    phone_voter(email="voter@example.org")
    log_in(page, site, "voter@example.org")

    page.goto(f"{site}/ideas/contests/")
    assert_page_basics(page)
    expect(page.locator(f"#contest-{running.slug} .phase-voting")).to_be_visible()
    expect(page.locator(f"#contest-{finished.slug} .phase-ended")).to_be_visible()
    page.locator(f"#contest-{running.slug} a[href='/ideas/contests/{running.slug}/']").click()
    page.wait_for_url(f"{site}/ideas/contests/{running.slug}/")
    assert_page_basics(page)
    expect(page.locator("#votes-left")).to_contain_text("2")
    screenshot(page, "ideas-contest-voting-phone")

    page.locator(f"#entry-{island.pk} button[type=submit]").click()
    page.wait_for_url(f"{site}/ideas/contests/{running.slug}/#entry-{island.pk}")
    expect(page.locator("#votes-left")).to_contain_text("1")
    expect(page.locator(f"#entry-{island.pk} .done")).to_be_visible()
    expect(page.locator(f"#entry-{island.pk} button[type=submit]")).to_have_count(0)
    expect(page.locator(f"#entry-{library.pk} button[type=submit]")).to_be_visible()
    assert list(ContestVote.objects.values_list("idea", flat=True)) == [island.pk]

    page.goto(f"{site}/ideas/contests/{finished.slug}/")
    page.locator("#winners-link").click()
    page.wait_for_url(f"{site}/ideas/contests/{finished.slug}/winners/")
    assert_page_basics(page)
    first = page.locator("#award-1")
    expect(first).to_contain_text("다리 위 정원")
    expect(first).to_contain_text("대상")
    expect(first).to_contain_text("5,000,000원")
    expect(first).to_contain_text("김정원")
    expect(page.locator("#winners")).not_to_contain_text("다리 조명")
    screenshot(page, "ideas-contest-winners-phone")

    code = Award.objects.get(contest=finished).certificate
    first.locator(f"a[href='/ideas/contests/certificates/{code}/']").click()
    page.wait_for_url(f"{site}/ideas/contests/certificates/{code}/")
    expect(page.locator("#certificate")).to_contain_text("다리 위 정원")
    expect(page.locator("#certificate")).to_contain_text(code)
    pdf = page.request.get(f"{site}/ideas/contests/certificates/{code}.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
