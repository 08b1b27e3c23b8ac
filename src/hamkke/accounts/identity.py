"""Normalising what identifies a person (phone number, resident id, name) and the keyed hashes
that stand in for it, so the same person always gives the same key and no raw number is kept.

Keys are HMAC-SHA256 keyed with settings.SECRET_KEY (through Django's salted_hmac, one salt per
purpose so a phone key can never equal a resident key). Changing SECRET_KEY therefore changes
every key: the census must be uploaded again and people verified again.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from hamkke.core.errors import InvalidInput

# Korea's calling code; a city elsewhere sets HAMKKE_PHONE_COUNTRY_CODE (digits, no "+").
DEFAULT_PHONE_COUNTRY_CODE = "82"
OTP_DIGITS = 6

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_RESIDENT_ID_SEPARATORS = re.compile(r"[\s\-./]")
# Spaces, hyphens (ASCII, U+2010, U+2011), middle dots (U+00B7, U+318D) and full stops.
_NAME_IGNORED = re.compile("[\\s\\-\u2010\u2011\u00b7\u318d.]")
_RESIDENT_ID_SHAPE = re.compile(r"[0-9A-Z]{4,32}")


def phone_country_code() -> str:
    return str(getattr(settings, "HAMKKE_PHONE_COUNTRY_CODE", DEFAULT_PHONE_COUNTRY_CODE))


def normalise_phone(raw: str, *, country_code: str | None = None) -> str:
    """A phone number in E.164 form (+821012345678). National numbers (010-1234-5678) take the
    city's country code; separators and full-width digits are accepted."""
    country_code = country_code or phone_country_code()
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        # "+82 010-…" is how many people write a Korean mobile; the trunk 0 is not dialled
        # from abroad, so it is dropped to give the same key as "010-…".
        if digits.startswith(country_code + "0"):
            digits = country_code + digits[len(country_code) + 1 :]
    elif text.startswith("0"):
        digits = country_code + text[1:]
    else:
        digits = ""
    if not (digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 15):
        raise InvalidInput(
            _("Enter a mobile phone number such as 010-1234-5678 or +82 10 1234 5678."),
            code="invalid_phone",
            field="phone",
        )
    return "+" + digits


def phone_hint(phone: str) -> str:
    """The last four digits, to remind a person which number the code went to."""
    return phone[-4:]


def normalise_resident_id(raw: str) -> str:
    """Upper-case letters and digits only: "900101-1234567" and "9001011234567" are one id."""
    text = _RESIDENT_ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "").strip())
    text = text.upper()
    if not _RESIDENT_ID_SHAPE.fullmatch(text):
        raise InvalidInput(
            _("Enter the resident registration number as on the ID card, e.g. 900101-1234567."),
            code="invalid_resident_id",
            field="resident_id",
        )
    return text


def normalise_name(raw: str) -> str:
    """Case, spaces, hyphens and middle dots do not matter when matching a name."""
    return _NAME_IGNORED.sub("", unicodedata.normalize("NFKC", raw or "")).casefold()


def _keyed_hash(purpose: str, value: str) -> str:
    return salted_hmac(f"hamkke.accounts.{purpose}", value, algorithm="sha256").hexdigest()


def phone_key(phone_e164: str) -> str:
    return _keyed_hash("phone", phone_e164)


def resident_key(resident_id: str) -> str:
    """The census record key and the identity key of a census verification."""
    return _keyed_hash("resident", normalise_resident_id(resident_id))


def census_match_key(*, name: str, birth_date: date, resident_id: str) -> str:
    value = f"{normalise_name(name)}|{birth_date.isoformat()}|{normalise_resident_id(resident_id)}"
    return _keyed_hash("census-match", value)


def new_one_time_code() -> str:
    return f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"


def hash_one_time_code(code: str, *, salt: str | None = None) -> str:
    """ "salt$hmac". The salt is random per code so equal codes do not look equal in storage."""
    salt = salt or secrets.token_hex(8)
    return f"{salt}${_keyed_hash('phone-code', f'{salt}|{code}')}"


def one_time_code_matches(code: str, stored: str) -> bool:
    """Constant-time: how long the check takes says nothing about how close a guess was."""
    salt, _sep, _digest = stored.partition("$")
    candidate = (code or "").strip()
    return constant_time_compare(hash_one_time_code(candidate, salt=salt), stored)
