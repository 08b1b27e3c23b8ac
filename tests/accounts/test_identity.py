"""What identifies a person: normalising numbers and names, keyed hashes, and
`require_verified`, which later services (voting) call."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.accounts import identity
from hamkke.accounts.models import VerificationMethod, VerifiedIdentity
from hamkke.accounts.permissions import require_verified
from hamkke.core.errors import InvalidInput, NotAllowed
from tests import factories

mobile_digits = st.text(alphabet=string.digits, min_size=8, max_size=8)
separators = st.sampled_from(["", " ", "-", ".", "  "])


@given(digits=mobile_digits, sep=separators)
def test_ways_of_writing_one_korean_mobile_number_give_one_number(digits, sep):
    expected = f"+8210{digits}"
    national = f"010{sep}{digits[:4]}{sep}{digits[4:]}"
    international = f"+82{sep}10{sep}{digits[:4]}{sep}{digits[4:]}"
    with_trunk = f"+82 010{sep}{digits}"
    dialled = f"0082{sep}10{digits}"
    for written in (national, international, with_trunk, dialled):
        assert identity.normalise_phone(written, country_code="82") == expected


def test_full_width_digits_are_read_as_digits():
    # As a Korean keyboard in full-width mode types them: U+FF10… and U+FF0D.
    full_width = "".join(chr(ord(char) + 0xFEE0) for char in "010-1234-5678")
    assert full_width != "010-1234-5678"
    assert identity.normalise_phone(full_width, country_code="82") == "+821012345678"


@pytest.mark.parametrize(
    "written", ["", "12345", "010-12", "+82 10 1234 5678 9999 99", "phone", "1012345678"]
)
def test_malformed_numbers_are_refused(written):
    with pytest.raises(InvalidInput) as refused:
        identity.normalise_phone(written, country_code="82")
    assert refused.value.field == "phone"


def test_other_countries_keep_their_code():
    assert identity.normalise_phone("+91 98765 43210", country_code="82") == "+919876543210"
    assert identity.normalise_phone("098765 43210", country_code="91") == "+919876543210"


@given(digits=st.text(alphabet=string.digits, min_size=13, max_size=13), sep=separators)
def test_resident_ids_with_or_without_separators_give_one_key(digits, sep):
    written = f"{digits[:6]}{sep}-{sep}{digits[6:]}"
    assert identity.resident_key(written) == identity.resident_key(digits)


def test_keys_differ_by_purpose_and_value():
    phone_key = identity.phone_key("+821012345678")
    assert phone_key != identity.phone_key("+821012345679")
    assert len(phone_key) == 64 and "12345678" not in phone_key
    # A resident id that happens to equal a phone's digits still gets another key.
    assert identity.resident_key("821012345678") != identity.phone_key("821012345678")


def test_keys_depend_on_the_secret_key(settings):
    before = identity.phone_key("+821012345678")
    settings.SECRET_KEY = "another secret entirely, for this test only"
    assert identity.phone_key("+821012345678") != before


def test_names_match_regardless_of_case_spaces_and_hyphens():
    key = identity.census_match_key(
        name="Kim Young-hee", birth_date=date(1985, 5, 5), resident_id="850505-2345678"
    )
    assert key == identity.census_match_key(
        name=" KIM youngHee ", birth_date=date(1985, 5, 5), resident_id="8505052345678"
    )
    assert key != identity.census_match_key(
        name="Kim Young-hee", birth_date=date(1985, 5, 6), resident_id="850505-2345678"
    )


def test_one_time_codes_hash_and_compare():
    stored = identity.hash_one_time_code("123456")
    assert "123456" not in stored
    assert identity.one_time_code_matches("123456", stored)
    assert identity.one_time_code_matches(" 123456 ", stored)
    assert not identity.one_time_code_matches("123457", stored)
    assert not identity.one_time_code_matches("", stored)
    # Equal codes are stored differently.
    assert identity.hash_one_time_code("123456") != stored


@pytest.mark.django_db
def test_require_verified_refuses_and_says_how(citizen):
    with pytest.raises(NotAllowed) as refused:
        require_verified(citizen, methods=[VerificationMethod.PHONE])
    assert refused.value.code == "verification_required"
    assert "/me/verify/phone/" in refused.value.message
    assert "mobile phone" in refused.value.message


@pytest.mark.django_db
def test_require_verified_accepts_only_the_methods_asked_for(citizen):
    VerifiedIdentity.objects.create(user=citizen, method="phone", identity_key="k" * 64)
    with pytest.raises(NotAllowed) as refused:
        require_verified(citizen, methods=[VerificationMethod.CENSUS])
    assert "/me/verify/census/" in refused.value.message
    found = require_verified(citizen, methods=[VerificationMethod.CENSUS, VerificationMethod.PHONE])
    assert found.method == "phone" and found.user == citizen


@pytest.mark.django_db
def test_require_verified_for_someone_not_logged_in():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed, match="Log in"):
        require_verified(AnonymousUser(), methods=[VerificationMethod.PHONE])


@pytest.mark.django_db
def test_the_database_keeps_one_identity_per_key_and_per_method(citizen):
    from django.db import IntegrityError, transaction

    other = factories.make_user()
    VerifiedIdentity.objects.create(user=citizen, method="phone", identity_key="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        VerifiedIdentity.objects.create(user=other, method="phone", identity_key="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        VerifiedIdentity.objects.create(user=citizen, method="phone", identity_key="b" * 64)
