"""Personal data masked out of a text before it is published, pure Python: resident
registration numbers, phone numbers and email addresses. The official sees the findings before
the document is saved; what is stored for the public is the masked text only.

Digits may be any Unicode decimal digits (full-width ９ included) and dashes any dash, since
documents arrive from many word processors; they are matched on a copy with ASCII digits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DASH = "[-\u2010-\u2015\u2212\uff0d]"
_SEP = rf"(?:\s*{_DASH}\s*|\s|\.)"
_NOT_DIGIT_BEFORE = r"(?<![0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"

# YYMMDD-SNNNNNN: the seventh digit (sex and century) is 1–8 for citizens and foreigners.
_RESIDENT_NUMBER = re.compile(
    rf"{_NOT_DIGIT_BEFORE}[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    rf"\s*{_DASH}?\s*[1-8][0-9]{{6}}{_NOT_DIGIT_AFTER}"
)
# Mobile (010…), area codes (02, 031…) and nationwide numbers (050x, 070, 15xx/16xx/18xx).
_PHONE = re.compile(
    rf"{_NOT_DIGIT_BEFORE}(?:(?:\+\s*82{_SEP}?\(?0?|\(?0)[0-9]{{1,2}}\)?{_SEP}?[0-9]{{3,4}}{_SEP}?[0-9]{{4}}"
    rf"|1[568][0-9]{{2}}{_DASH}[0-9]{{4}}){_NOT_DIGIT_AFTER}"
)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    kind: str  # "resident_number", "phone", "email"
    start: int
    end: int
    original: str
    masked: str


@dataclass(frozen=True)
class Masked:
    text: str
    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)


def _mask_digits(text: str, keep_first: int, keep_last: int) -> str:
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    hide = set(digits[keep_first : len(digits) - keep_last])
    return "".join("*" if i in hide else char for i, char in enumerate(text))


def _mask_resident_number(text: str) -> str:
    # Birth date kept (it is often needed to tell people apart in a decision); the rest hidden.
    return _mask_digits(text, keep_first=6, keep_last=0)


def _mask_phone(text: str) -> str:
    """010-1234-5678 -> 010-****-5678, as Korean notices do: the block before the last is
    hidden (the last one for a two-block number, the middle digits for an unbroken one)."""
    groups = [m.span() for m in re.finditer(r"\d+", text)]
    if len(groups) == 1:
        return _mask_digits(text, keep_first=3, keep_last=4)
    start, end = groups[-2] if len(groups) > 2 else groups[-1]
    return text[:start] + "*" * (end - start) + text[end:]


def _mask_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return local[:2] + "*" * max(3, len(local) - 2) + "@" + domain


_RULES = (
    ("resident_number", _RESIDENT_NUMBER, _mask_resident_number),
    ("email", _EMAIL, _mask_email),
    ("phone", _PHONE, _mask_phone),
)


def _ascii_digits(text: str) -> str:
    """The text with every decimal digit as its ASCII digit: one character for one, so offsets
    into it are offsets into the text."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, none overlapping (a resident number
    is not also read as a phone number)."""
    plain = _ascii_digits(text)
    taken: list[Finding] = []
    for kind, pattern, mask in _RULES:
        for match in pattern.finditer(plain):
            start, end = match.span()
            if any(start < f.end and f.start < end for f in taken):
                continue
            original = text[start:end]
            taken.append(Finding(kind, start, end, original, mask(original)))
    return sorted(taken, key=lambda f: f.start)


def mask(text: str) -> Masked:
    """The text with its personal data masked, and what was masked where (offsets into the
    original text, for showing the official)."""
    findings = find_personal_data(text)
    out, last = [], 0
    for finding in findings:
        out.append(text[last : finding.start])
        out.append(finding.masked)
        last = finding.end
    out.append(text[last:])
    return Masked("".join(out), tuple(findings))
