"""One-time voting codes of polls open to code holders (as meinBerlin hands them out): how a
code looks and the keyed hash kept instead of it."""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from hamkke.core import codes

CODE_LENGTH = 12  # 60 bits of Crockford base32: guessing one is hopeless, tries are limited too


def display(raw: str) -> str:
    """A code as printed: groups of four, XXXX-XXXX-XXXX."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def code_key(poll_id: int, code: str) -> str:
    """The keyed hash a code of poll `poll_id` is kept as, forgiving case, spaces and dashes
    as typed. The key is the site's secret: the database alone cannot test a guessed code."""
    normal = codes.normalise(code)
    return salted_hmac("hamkke.polls.code", f"{poll_id}:{normal}", algorithm="sha256").hexdigest()
