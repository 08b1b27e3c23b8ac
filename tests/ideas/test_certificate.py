"""The certificate of award: a one-page A4 landscape PDF that pypdf opens, whose text holds the
Korean idea title, the winner's public name, the tier, the prize and the certificate number;
the shipped NanumGothic embedded (a /FontFile2 in its font descriptor); worded in Korean or
English by the active language; and how prizes are written."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from hamkke.ideas import certificate, selectors, services
from hamkke.ideas.models import Award
from tests.ideas.test_contests import during, enter, make_contest
from tests.polls.conftest import phone_voter

TITLE = "한강 위에 떠 있는 야외 도서관"


@pytest.fixture
def award(office_manager, theme) -> Award:
    contest = make_contest(
        office_manager,
        "ended",
        title="2025 한강 아이디어 공모전",
        tiers=[("대상", 10_000_000, 1)],
    )
    enter(contest, theme, TITLE, author=phone_voter(display_name="김상상"))
    services.award_contest(actor=office_manager, contest=contest, now=during(contest, "ended"))
    (row,) = selectors.public_winners(contest)
    return row


def rendered(award: Award, language: str) -> PdfReader:
    pdf = certificate.render_certificate(
        award,
        authors=selectors.author_names(award.idea),
        verify_url=f"https://seoul.example/ideas/contests/certificates/{award.certificate}/",
        language=language,
    )
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return " ".join(reader.pages[0].extract_text().split())


def embedded_fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """Each font of the page: its base name and whether its descriptor carries an embedded
    TrueType program (/FontFile2), looking through a composite font's descendants."""
    found = []
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        parts = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
        for part in parts:
            descriptor = part.get("/FontDescriptor")
            if descriptor is not None:
                embedded = "/FontFile2" in descriptor.get_object()
                found.append((str(part["/BaseFont"]), embedded))
    return found


@pytest.mark.django_db
def test_the_pdf_opens_and_states_the_award_in_korean(award):
    reader = rendered(award, "ko")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    # A4 landscape: 297 × 210 mm is 842 × 595 points.
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = text_of(reader)
    for stated in (TITLE, award.certificate, "김상상", "대상", "10,000,000원", "상 장"):
        assert stated in text, stated
    assert "2025 한강 아이디어 공모전" in text
    assert "Certificate of Award" not in text


@pytest.mark.django_db
def test_the_shipped_korean_font_is_embedded(award):
    fonts = embedded_fonts(rendered(award, "ko"))
    nanum = [(name, embedded) for name, embedded in fonts if "NanumGothic" in name]
    assert nanum, fonts
    assert all(embedded for _name, embedded in nanum)
    # A subset (reportlab's TrueType subsets are named SUBSET+font), not the 4.6 MB font.
    pdf = certificate.render_certificate(
        award, authors=["김상상"], verify_url="https://seoul.example/", language="ko"
    )
    assert len(pdf) < 400_000


@pytest.mark.django_db
def test_the_pdf_is_worded_in_english_for_english(award):
    text = text_of(rendered(award, "en"))
    assert "Certificate of Award" in text and "Presented to 김상상" in text
    assert f"Certificate No. {award.certificate}" in text
    assert TITLE in text and "₩10,000,000" in text
    assert "상 장" not in text


@pytest.mark.django_db
def test_the_active_language_chooses_the_wording(award):
    with translation.override("en"):
        assert "Certificate of Award" in text_of(rendered(award, None))
    with translation.override("ko"):
        assert "상 장" in text_of(rendered(award, None))


def test_prizes_are_written_in_the_currency_and_the_language():
    assert certificate.prize_text(10_000_000, "KRW", language="ko") == "10,000,000원"
    assert certificate.prize_text(10_000_000, "KRW", language="en") == "₩10,000,000"
    assert certificate.prize_text(2500, "USD", language="ko") == "$2,500"
    assert certificate.prize_text(100_000, "INR", language="en") == "₹100,000"
    # A symbol the font cannot show is written as the code.
    assert certificate.prize_text(100_000, "INR", language="en", shows=lambda s: False) == (
        "100,000 INR"
    )
    assert certificate.prize_text(7, "CHF", language="en") == "7 CHF"
    assert certificate.font_shows("₩") and not certificate.font_shows("₹")
