"""What every secret vote publishes the same way (budget's ballot files, polls' ballot lists):
receipt codes voters keep, and the SHA-256 hash chain that pins every published ballot and its
order. Pure Python: the recounts, which run without Django, read the same rules.

The chain, to re-implement exactly (sha256 is the lowercase hex SHA-256 digest of the UTF-8 bytes
of the string; `|` is literal):

    h_0 = chain_start = sha256(prefix + "|" + "|".join(names))
    h_i = sha256(h_(i-1) + "|" + receipt_i + "|" + cell_i)

where each app says what its prefix, names and cell are (budget: "hamkke-ballots", city, cycle,
pool and the chosen project ids sorted; polls: "hamkke-poll", city, poll and its answers)."""

from __future__ import annotations

import hashlib

from hamkke.core import codes

# Receipts are in Crockford's base32 (core/codes.py), so one read aloud or copied survives.
RECEIPT_LENGTH = 13  # 62 bits in 5-bit digits


def receipt_of(ballot_id: int) -> str:
    """The receipt code of a ballot id: 13 base32 digits, shown as XXXX-XXXX-XXXXX."""
    if not 0 < ballot_id < 1 << 65:
        raise ValueError("ballot ids are positive 62-bit numbers")
    code = codes.encode(ballot_id, digits=RECEIPT_LENGTH)
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def ballot_id_of(receipt: str) -> int | None:
    """The ballot id a receipt code names, forgiving case, spaces, dashes and the letters people
    mistake for digits; None when it cannot be a receipt."""
    value = codes.decode(receipt, digits=RECEIPT_LENGTH)
    return value if value is not None and 0 < value < 1 << 62 else None


def sha256(text: str | bytes) -> str:
    """The lowercase hex SHA-256 digest of `text` (UTF-8 when a string)."""
    return hashlib.sha256(text.encode("utf-8") if isinstance(text, str) else text).hexdigest()


def chain_start(prefix: str, *names: str) -> str:
    """h_0 of a chain: the hash of the prefix and the names of what is voted on."""
    return sha256("|".join((prefix, *names)))


def chain_link(previous: str, receipt: str, cell: str) -> str:
    """h_i from h_(i-1), the ballot's receipt and the text of what it chose."""
    return sha256(f"{previous}|{receipt}|{cell}")
