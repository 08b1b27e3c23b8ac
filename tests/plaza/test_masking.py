"""Personal data masked before a document is published: resident registration numbers, phone
numbers (+82 and full-width digits too) and email addresses, with no false alarm on the dates
and amounts every administrative document is full of. Pure: no database."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.plaza.masking import find_personal_data, mask

ASCII_DIGITS = "0123456789"
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
SEPARATORS = ["-", " ", ".", "－", "‐", " - "]


def plain_digits(text: str) -> str:
    """The decimal digits of `text`, each as its ASCII digit, in order."""
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


@pytest.mark.parametrize(
    ("text", "kind", "masked"),
    [
        ("담당 010-1234-5678 연락", "phone", "담당 010-****-5678 연락"),
        ("전화 +82 10-1234-5678", "phone", "전화 +82 10-****-5678"),
        ("전화 +82-10-1234-5678", "phone", "전화 +82-10-****-5678"),
        ("전화 ０１０－１２３４－５６７８", "phone", "전화 ０１０－****－５６７８"),
        ("대표 02-123-4567", "phone", "대표 02-***-4567"),
        ("(031) 123-4567", "phone", "(031) ***-4567"),
        ("주민번호 900101-1234567", "resident_number", "주민번호 900101-*******"),
        (
            "등록번호 ９００１０１－１２３４５６７",
            "resident_number",
            "등록번호 ９００１０１－*******",
        ),
        ("메일 hong.gildong@seoul.go.kr 로", "email", "메일 ho**********@seoul.go.kr 로"),
    ],
)
def test_each_kind_is_masked(text, kind, masked):
    result = mask(text)
    assert [f.kind for f in result.findings] == [kind]
    assert result.text == masked


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01",
        "2024.05.01",
        "2024. 5. 1.",
        "2024-05-01 10:30",
        "1,234,567원",
        "금 3,000,000,000원정",
        "예산 12345678원",
        "제2024-123호",
        "2024년 5월 1일 14시",
    ],
)
def test_dates_and_amounts_are_not_personal_data(text):
    assert find_personal_data(text) == []
    assert mask(text).text == text


# --- properties ----------------------------------------------------------------------------------

# Text around the data: anything but digits (which would make another number of it), "@" and
# the characters a number or an address is written with.
around = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@+()-.－‐*_%"),
    max_size=20,
)


def digit_run(size: int):
    return st.sampled_from([ASCII_DIGITS, FULL_WIDTH_DIGITS]).flatmap(
        lambda alphabet: st.text(alphabet=alphabet, min_size=size, max_size=size)
    )


@st.composite
def phone_numbers(draw) -> str:
    sep = draw(st.sampled_from(SEPARATORS))
    middle = draw(digit_run(draw(st.sampled_from([3, 4]))))
    last = draw(digit_run(4))
    prefix = draw(
        st.sampled_from(["010", "011", "02", "031", "051", "070", "+82 10", "+82-10", "+82 2"])
    )
    return f"{prefix}{sep}{middle}{sep}{last}"


@st.composite
def resident_numbers(draw) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2029, 12, 31)))
    seventh = draw(st.sampled_from("12345678"))
    rest = draw(digit_run(6))
    sep = draw(st.sampled_from(["-", "", " - ", "－"]))
    return f"{born:%y%m%d}{sep}{seventh}{rest}"


@given(before=around, number=phone_numbers(), after=around)
def test_a_masked_phone_number_never_keeps_its_digits(before, number, after):
    result = mask(f"{before} {number} {after}")
    assert [f.kind for f in result.findings] == ["phone"]
    assert plain_digits(number) not in plain_digits(result.text)
    assert "*" in result.text


@given(before=around, number=resident_numbers(), after=around)
def test_a_masked_resident_number_never_keeps_its_digits(before, number, after):
    result = mask(f"{before} {number} {after}")
    assert [f.kind for f in result.findings] == ["resident_number"]
    assert plain_digits(number) not in plain_digits(result.text)
    # The birth date stays (it tells people apart in a decision); the other seven digits go.
    assert plain_digits(result.text).endswith(plain_digits(number)[:6])


@given(
    before=around,
    local=st.from_regex(r"[a-z0-9][a-z0-9._]{0,20}", fullmatch=True),
    domain=st.sampled_from(["seoul.go.kr", "example.org", "mail.co.kr"]),
    after=around,
)
def test_a_masked_email_never_keeps_the_address(before, local, domain, after):
    address = f"{local}@{domain}"
    result = mask(f"{before} {address} {after}")
    assert [f.kind for f in result.findings] == ["email"]
    assert address not in result.text
    assert f"@{domain}" in result.text


@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)),
    style=st.sampled_from(["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y년 %m월 %d일", "%Y%m%d"]),
    amount=st.integers(min_value=0, max_value=10**13),
)
def test_dates_and_amounts_are_never_masked(day, style, amount):
    text = f"{day.strftime(style)} 예산 {amount:,}원 ({amount:,})"
    assert find_personal_data(text) == []


@given(before=around, number=phone_numbers(), middle=around, email_local=st.just("kim.a"))
def test_findings_point_at_what_was_typed(before, number, middle, email_local):
    text = f"{before} {number} {middle} {email_local}@seoul.go.kr"
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["phone", "email"]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.original
