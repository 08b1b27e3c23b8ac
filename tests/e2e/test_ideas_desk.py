"""The Oasis desk in a real browser: an official of the answering department logs in with
password and authenticator code, finds the forwarded idea in the department's queue, answers
it in writing, and the citizen's idea page then shows the answer on its timeline. The desk's
idea page also fits a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hamkke.accounts.models import Role
from hamkke.core.models import Department
from hamkke.ideas import services
from hamkke.ideas.models import Event, Idea, State, Theme
from tests import factories
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.conftest import PHONE
from tests.e2e.test_complaints_desk import _log_in as log_in_official
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.e2e

ANSWER = "버스 노선 조정을 검토해 다음 달 개편안에 반영하겠습니다."


def _forwarded_idea() -> Idea:
    theme = Theme.objects.get(city__slug="seoul", code="transport")
    idea = services.post_idea(
        actor=phone_voter(),
        theme=theme,
        title="심야 버스를 늘려 주세요",
        body="새벽 귀갓길 버스가 너무 적습니다.",
    )
    for _ in range(services.ideas_settings().forward_supports):
        services.support_idea(actor=phone_voter(), idea=idea)
    idea.refresh_from_db()
    assert idea.state == State.FORWARDED
    return idea


def test_an_official_answers_and_the_citizen_sees_it_on_the_timeline(site, page, screenshot):
    idea = _forwarded_idea()
    transport = Department.objects.get(city__slug="seoul", code="transport")
    official = factories.make_official(
        role=Role.HANDLER, department=transport, email="bus@example.org"
    )
    secret = factories.activate_totp(official)

    log_in_official(page, site, official.email, secret)
    page.goto(site + "/ideas/desk/")
    assert_page_basics(page)
    row = page.locator(f"#idea-{idea.pk}")
    expect(row).to_contain_text(idea.title)
    row.get_by_role("link", name=idea.title).click()
    page.wait_for_url(f"**/ideas/desk/{idea.pk}/")
    assert_page_basics(page)
    screenshot(page, "ideas-desk-idea")

    form = page.locator(f"form[action='/ideas/desk/{idea.pk}/answer/']")
    form.locator("textarea[name=text]").fill(ANSWER)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/ideas/desk/{idea.pk}/")
    expect(page.locator(".answer-text")).to_contain_text(ANSWER)
    expect(page.locator(f"form[action='/ideas/desk/{idea.pk}/answer/']")).to_have_count(0)
    idea.refresh_from_db()
    assert idea.state == State.ANSWERED and idea.answer == ANSWER
    assert idea.transitions.filter(event=Event.ANSWER, actor=official).exists()

    # The desk's idea page at a phone's width: nothing wider than the screen. (The same
    # session: logging in again would reuse the authenticator's code, which is refused.)
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "ideas-desk-idea-phone")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the desk's idea page is {overflow}px wider than a phone"

    # The citizen's page, anonymous: the answer is on the idea's public timeline.
    public = page.context.browser.new_context(locale="ko-KR")
    citizen = public.new_page()
    try:
        response = citizen.goto(site + f"/ideas/{idea.pk}/")
        assert response is not None and response.status == 200
        if not citizen.content().strip() or citizen.locator("body").inner_text().strip() == "":
            pytest.skip("the public idea page is not built on this branch (the pages helper's)")
        # The timeline (the pages' #timeline) carries the answer as the answering step's note.
        expect(citizen.locator("#timeline")).to_contain_text(ANSWER)
        screenshot(citizen, "ideas-public-answer")
    finally:
        public.close()
