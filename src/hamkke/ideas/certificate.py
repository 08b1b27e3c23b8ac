"""A contest winner's certificate of award: an A4 landscape PDF drawn with reportlab in the
shipped NanumGothic font (fonts/, SIL Open Font License), embedded as a subset so that it shows
and prints the same on any machine; worded in Korean or English by the active language. And how
a prize is written, on the certificate and on the pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from hamkke.ideas.models import Award

FONT_NAME = "NanumGothic"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NanumGothic.ttf"

# Currency symbols written before the amount; other currencies are written by their code.
SYMBOLS = {"KRW": "₩", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}

INK = Color(0.12, 0.16, 0.28)
GOLD = Color(0.66, 0.52, 0.2)
MUTED = Color(0.35, 0.38, 0.45)


def prize_text(
    amount: int,
    currency: str,
    *,
    language: str | None = None,
    shows: Callable[[str], bool] = lambda text: True,
) -> str:
    """A prize in whole units of its currency: "10,000,000원" in Korean for won, else the
    symbol and the amount ("₩10,000,000", "$500"), or the amount and the code where the
    symbol is unknown or cannot be shown (`shows`: whether a font has its glyph)."""
    language = language or translation.get_language() or ""
    number = f"{amount:,}"
    if currency == "KRW" and language.startswith("ko"):
        return f"{number}원"
    symbol = SYMBOLS.get(currency)
    if symbol and shows(symbol):
        return f"{symbol}{number}"
    return f"{number} {currency}"


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate states: also what its verification page shows."""

    number: str
    names: list[str]
    idea_title: str
    tier: str
    prize: str
    contest_title: str
    awarded_on: date
    city: str
    department: str


def facts_of(award: Award, authors: list[str], *, shows: Callable[[str], bool] | None = None):
    """The certificate's statements from the award row (contest, idea, tier loaded) and the
    authors' public names."""
    contest = award.contest
    moment = contest.awarded_at or timezone.now()
    return CertificateFacts(
        number=award.certificate,
        names=authors,
        idea_title=award.idea.title,
        tier=award.tier.name,
        prize=prize_text(award.tier.prize_amount, contest.currency, shows=shows or _any),
        contest_title=contest.title,
        awarded_on=timezone.localtime(moment).date(),
        city=contest.city.display_name,
        department=contest.department.display_name,
    )


def _any(text: str) -> bool:
    return True


# --- wording ---------------------------------------------------------------------------------

# A certificate is a formal document: its sentences are written for each language as such
# documents are worded there, not translated phrase by phrase.
WORDING = {
    "ko": {
        "heading": "상 장",
        "number": "제 {number} 호",
        "name": "성명  {names}",
        "idea": "제안  「{title}」",
        "body": (
            "위 사람은 「{contest}」에 위 아이디어를 제안하여 {tier}에 선정되었으므로 "
            "이 상장을 수여합니다."
        ),
        "prize": "상금  {prize}",
        "issuer": "{city} 천만상상 오아시스 · {department}",
        "verify": "진위 확인: {url}",
        "nameless": "(이름을 밝히지 않은 제안자)",
        "joiner": ", ",
    },
    "en": {
        "heading": "Certificate of Award",
        "number": "Certificate No. {number}",
        "name": "Presented to {names}",
        "idea": "for the idea “{title}”,",
        "body": (
            "chosen for the award “{tier}” of the contest “{contest}” of the Oasis of 10 Million "
            "Imagination."
        ),
        "prize": "Prize: {prize}",
        "issuer": "{city} · Oasis of 10 Million Imagination · {department}",
        "verify": "Verify this certificate at {url}",
        "nameless": "(an author who gave no name)",
        "joiner": ", ",
    },
}


def wording_language(language: str | None = None) -> str:
    language = language or translation.get_language() or ""
    return "ko" if language.startswith("ko") else "en"


# --- drawing ---------------------------------------------------------------------------------


def register_font() -> None:
    """The shipped font under FONT_NAME, once per process (reportlab keeps a registry)."""
    try:
        pdfmetrics.getFont(FONT_NAME)
    except KeyError:
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))


def font_shows(text: str) -> bool:
    """Whether the shipped font has a glyph for every character of `text`."""
    register_font()
    face = pdfmetrics.getFont(FONT_NAME).face
    return all(ord(char) in face.charToGlyph for char in text)


def render_certificate(
    award: Award, *, authors: list[str], verify_url: str, language: str | None = None
) -> bytes:
    """The certificate as PDF bytes: one A4 landscape page."""
    register_font()
    language = wording_language(language)
    words = WORDING[language]
    with translation.override(language):
        facts = facts_of(award, authors, shows=font_shows)
        awarded_on = date_format(facts.awarded_on, "DATE_FORMAT")
    names = words["joiner"].join(facts.names) or words["nameless"]

    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"{words['heading']} · {facts.number}")
    pdf.setAuthor(facts.city)
    pdf.setSubject(facts.contest_title)
    pdf.setCreator("Hamkke")

    _frame(pdf, width, height)
    pdf.setFillColor(MUTED)
    pdf.setFont(FONT_NAME, 11)
    pdf.drawRightString(width - 70, height - 70, words["number"].format(number=facts.number))

    pdf.setFillColor(INK)
    pdf.setFont(FONT_NAME, 40)
    pdf.drawCentredString(width / 2, height - 140, words["heading"])
    pdf.setFillColor(GOLD)
    pdf.setFont(FONT_NAME, 22)
    pdf.drawCentredString(width / 2, height - 180, facts.tier)

    pdf.setFillColor(INK)
    y = _centred_lines(
        pdf, words["name"].format(names=names), width, height - 235, size=20, leading=26
    )
    idea = words["idea"].format(title=facts.idea_title)
    y = _centred_lines(pdf, idea, width, y - 6, size=17, leading=24)
    body = words["body"].format(contest=facts.contest_title, tier=facts.tier)
    y = _centred_lines(pdf, body, width, y - 10, size=14, leading=21)
    y = _centred_lines(
        pdf, words["prize"].format(prize=facts.prize), width, y - 12, size=15, leading=22
    )

    pdf.setFont(FONT_NAME, 15)
    pdf.drawCentredString(width / 2, 150, awarded_on)
    pdf.setFont(FONT_NAME, 17)
    pdf.drawCentredString(
        width / 2, 118, words["issuer"].format(city=facts.city, department=facts.department)
    )
    pdf.setFillColor(MUTED)
    pdf.setFont(FONT_NAME, 9)
    pdf.drawCentredString(width / 2, 62, words["verify"].format(url=verify_url))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _frame(pdf: canvas.Canvas, width: float, height: float) -> None:
    """A double border, printable on any printer's margins (about 1 cm in)."""
    pdf.setStrokeColor(GOLD)
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(0.8)
    pdf.rect(38, 38, width - 76, height - 76)


def _centred_lines(
    pdf: canvas.Canvas, text: str, width: float, y: float, *, size: int, leading: int
) -> float:
    """`text` wrapped to the page's writing width and centred, from `y` down; returns the y
    below the last line. A long title wraps instead of running off the page."""
    pdf.setFont(FONT_NAME, size)
    for line in simpleSplit(text, FONT_NAME, size, width - 200):
        pdf.drawCentredString(width / 2, y, line)
        y -= leading
    return y
