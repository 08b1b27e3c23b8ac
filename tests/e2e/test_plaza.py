"""A resident searches the Information Communication Plaza from a phone-sized Chromium: types
예산 on the Plaza's home page, gets the documents containing it (inside longer words too) with
the match highlighted, narrows by a facet, and opens a document: its facts, its text, the
original to download and the PDF in the page's viewer. Without JavaScript as well."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from hamkke.core.models import City, Department
from hamkke.plaza import services
from hamkke.plaza.models import ApproverLevel, DocumentType
from tests.e2e.accessibility import assert_page_basics
from tests.plaza.test_views import pdf_bytes

pytestmark = pytest.mark.e2e


def _register(number: str, title: str, body: str, **fields):
    city = City.objects.get(slug="seoul")
    fields.setdefault("department", Department.objects.get(city=city, code="information-planning"))
    return services.register_document(
        actor=None,
        by_system=True,
        fields=services.DocumentFields(
            number=number,
            doc_type=fields.pop("doc_type", DocumentType.APPROVAL),
            approver_level=ApproverLevel.DIRECTOR,
            title=title,
            body=body,
            produced_on=date(2026, 11, 2),
            approved_at=timezone.now() - timedelta(days=2),
            **fields,
        ),
    )


def test_a_resident_searches_for_budget_and_opens_a_document(site, phone_page, screenshot):
    page = phone_page
    document = _register(
        "E2E-1",
        "2027년 추경예산안 제출",
        "서울시 추가경정예산안을 시의회에 제출합니다.",
        doc_type=DocumentType.BUDGET,
        category="budget",
        summary="추가경정예산안의 규모와 내용",
        attachments=[
            services.AttachmentUpload(SimpleUploadedFile("추경 예산안.pdf", pdf_bytes("budget")))
        ],
    )
    _register("E2E-2", "예산을 절감한 사례", "청사 에너지 예산을 줄였습니다.")
    _register("E2E-3", "도로 포장 공사 계약 결과", "도로 보수 계약 결과를 알립니다.")

    page.goto(f"{site}/plaza/")
    assert_page_basics(page)
    page.locator("#plaza-q").fill("예산")
    page.locator("form[role=search] button[type=submit]").first.click()
    page.wait_for_url(f"{site}/plaza/search/?q=*")
    assert_page_basics(page)

    results = page.locator(".results .doc-item")
    expect(results).to_have_count(2)
    expect(page.locator(".results mark").first).to_have_text("예산")
    expect(page.locator(".results")).not_to_contain_text("도로 포장")
    screenshot(page, "plaza-search-phone")

    # A facet narrows the search: only the budget type.
    page.locator(".facets a[href*='type=budget']").click()
    expect(results).to_have_count(1)

    results.first.locator(".doc-title a").click()
    page.wait_for_url(f"{site}/plaza/documents/{document.pk}/")
    assert_page_basics(page)
    expect(page.locator("h1")).to_have_text("2027년 추경예산안 제출")
    expect(page.locator(".doc-body")).to_contain_text("추가경정예산안")
    viewer_path = f"/plaza/attachments/{document.attachments.get().pk}/"
    expect(page.locator("iframe.pdf-viewer")).to_have_attribute("src", viewer_path)
    # The browser shows the PDF in the frame: neither X-Frame-Options nor the Content Security
    # Policy blocks it (a blocked frame becomes Chromium's error page).
    page.wait_for_function(
        "path => [...document.querySelectorAll('iframe')].some(f => f.src.endsWith(path))",
        arg=viewer_path,
    )
    page.wait_for_timeout(500)
    frames = [frame.url for frame in page.frames]
    assert f"{site}{viewer_path}" in frames
    assert not any(url.startswith("chrome-error:") for url in frames), frames
    download = page.locator("a[download]").first
    expect(download).to_be_visible()
    with page.expect_download() as downloading:
        download.click()
    assert downloading.value.suggested_filename == "추경 예산안.pdf"
    screenshot(page, "plaza-document-phone")


def test_search_works_without_javascript(site, browser):
    _register("E2E-4", "추경예산안 공고", "예산 공고 본문")
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{site}/plaza/search/")
        page.locator("#id_q").fill("예산")
        page.locator("#id_q").press("Enter")
        expect(page.locator(".results .doc-item")).to_have_count(1)
        expect(page.locator(".results mark").first).to_have_text("예산")
    finally:
        context.close()
