"""Codes people read aloud or copy by hand (ballot receipts, report numbers), in Crockford's
base32: digits and capitals without I, L, O or U, so nothing is mistaken for something else.
Reading forgives case, spaces, dashes and the letters people mistake for digits. Pure Python."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = {"I": "1", "L": "1", "O": "0"}


def encode(value: int, *, digits: int) -> str:
    """`value` as exactly `digits` base32 digits (leading zeros kept); ValueError if it does not
    fit or is negative."""
    if value < 0 or value >= 32**digits:
        raise ValueError(f"{value} does not fit in {digits} base32 digits")
    out = []
    for _position in range(digits):
        value, digit = divmod(value, 32)
        out.append(ALPHABET[digit])
    return "".join(reversed(out))


def normalise(text: str) -> str:
    """A code as typed, in canonical form: capitals, no spaces or dashes, I and L as 1, O as 0."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t")
    return "".join(_READ_AS.get(ch, ch) for ch in cleaned)


def decode(text: str, *, digits: int) -> int | None:
    """The number a code of `digits` digits names (forgiving, see normalise); None when the text
    cannot be such a code."""
    cleaned = normalise(text)
    if len(cleaned) != digits or any(ch not in ALPHABET for ch in cleaned):
        return None
    value = 0
    for ch in cleaned:
        value = value * 32 + ALPHABET.index(ch)
    return value


def random_code(length: int) -> str:
    """`length` random base32 digits from the operating system's secure source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
