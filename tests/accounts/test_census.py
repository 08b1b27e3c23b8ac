"""The residents register: an administrator's all-or-nothing CSV upload, stored as keyed
hashes; citizens verify against it by name, birth date and resident id."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from hamkke.accounts import services
from hamkke.accounts.models import CensusRecord, Role, VerifiedIdentity
from hamkke.core.errors import Conflict, InvalidInput, InvalidUpload, NotAllowed, TooManyAttempts
from hamkke.core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

JONGNO, GANGNAM = "11110", "11680"
ROWS = [
    ("900101-1234567", "홍길동", "1990-01-01", JONGNO),
    ("850505-2345678", "Kim Young-hee", "1985-05-05", GANGNAM),
    ("010303-3456789", "이민수", "2001-03-03", JONGNO),
]


@pytest.fixture
def administrator(transport):
    user = factories.make_user()
    factories.make_membership(user=user, department=transport, role=Role.ADMINISTRATOR)
    return user


def _upload(administrator, rows, **kwargs):
    return services.import_census(
        actor=administrator, file=io.BytesIO(factories.census_csv(rows, **kwargs))
    )


def test_a_good_register_is_stored_as_hashes_only(administrator):
    result = _upload(administrator, ROWS)
    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    assert CensusRecord.objects.count() == 3
    stored = " ".join(
        " ".join(str(value) for value in row)
        for row in CensusRecord.objects.values_list("record_key", "match_key", "batch")
    )
    for resident_id, name, birth_date, _code in ROWS:
        for raw in (resident_id, resident_id.replace("-", ""), name, birth_date):
            assert raw not in stored
    districts = sorted(CensusRecord.objects.values_list("district__code", flat=True))
    assert districts == sorted([JONGNO, GANGNAM, JONGNO])
    entry = AuditEntry.objects.get(action="accounts.census_uploaded")
    assert entry.actor == administrator
    assert entry.data["rows"] == 3


def test_a_register_with_bad_rows_stores_nothing_and_names_the_lines(administrator):
    rows = [
        ROWS[0],  # line 2: fine
        ("850505-2345678", "Kim", "1985-13-05", GANGNAM),  # line 3: no 13th month
        ROWS[2],  # line 4: fine
        ("770707-1111111", "박", "1977-07-07", "99999"),  # line 5: no such district
        ("900101-1234567", "홍길동", "1990-01-01", JONGNO),  # line 6: repeats line 2
        ("", "", "", JONGNO),  # line 7: missing values
    ]
    with pytest.raises(InvalidUpload) as refused:
        _upload(administrator, rows)
    message = refused.value.message
    assert "Nothing was stored" in message
    assert "4 problems" in message
    assert "Line 3:" in message and "1985-13-05" in message
    assert "Line 5:" in message and "99999" in message
    assert "Line 6:" in message and "repeats line 2" in message
    assert "Line 7:" in message and "resident id" in message and "name is missing" in message
    assert "Line 2:" not in message and "Line 4:" not in message
    assert CensusRecord.objects.count() == 0
    assert not AuditEntry.objects.filter(action="accounts.census_uploaded").exists()


def test_a_wrong_header_is_refused(administrator):
    with pytest.raises(InvalidUpload, match="Line 1: The first line must name the columns"):
        _upload(administrator, ROWS, header="id,name,born,district")
    assert CensusRecord.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused(administrator):
    data = factories.census_csv(ROWS).decode().encode("cp949")
    with pytest.raises(InvalidUpload, match="not UTF-8"):
        services.import_census(actor=administrator, file=io.BytesIO(data))
    assert CensusRecord.objects.count() == 0


def test_uploading_again_updates_a_resident_who_moved(administrator, citizen):
    _upload(administrator, ROWS)
    moved = [("900101-1234567", "홍길동", "1990-01-01", GANGNAM)]
    result = _upload(administrator, moved)
    assert (result.created, result.updated) == (0, 1)
    assert CensusRecord.objects.count() == 3
    identity = services.verify_by_census(
        user=citizen, name="홍길동", birth_date=date(1990, 1, 1), resident_id="9001011234567"
    )
    assert identity.district.code == GANGNAM


def test_a_verified_resident_who_moved_follows_the_new_register(administrator, citizen):
    _upload(administrator, ROWS)
    services.verify_by_census(
        user=citizen, name="홍길동", birth_date=date(1990, 1, 1), resident_id="900101-1234567"
    )
    bystander = factories.make_user()
    services.verify_by_census(
        user=bystander, name="이민수", birth_date=date(2001, 3, 3), resident_id="010303-3456789"
    )
    _upload(administrator, [("900101-1234567", "홍길동", "1990-01-01", GANGNAM), ROWS[2]])
    citizen.refresh_from_db()
    bystander.refresh_from_db()
    assert citizen.home_district.code == GANGNAM
    assert VerifiedIdentity.objects.get(user=citizen).district.code == GANGNAM
    assert bystander.home_district.code == JONGNO  # did not move


def test_only_administrators_upload(transport):
    manager = factories.make_user()
    factories.make_membership(user=manager, department=transport, role=Role.MANAGER)
    with pytest.raises(NotAllowed, match="administrator"):
        _upload(manager, ROWS)
    assert CensusRecord.objects.count() == 0


def test_a_matching_resident_is_verified_with_their_district(administrator, citizen):
    _upload(administrator, ROWS)
    identity = services.verify_by_census(
        user=citizen,
        name="  kim young hee ",  # case, spaces and the hyphen do not matter
        birth_date=date(1985, 5, 5),
        resident_id="8505052345678",
    )
    assert identity.method == "census"
    assert identity.district.code == GANGNAM
    citizen.refresh_from_db()
    assert citizen.home_district.code == GANGNAM


def test_a_mismatch_is_refused_and_counts_as_a_wrong_try(administrator, citizen):
    _upload(administrator, ROWS)
    with pytest.raises(InvalidInput) as refused:
        services.verify_by_census(
            user=citizen, name="홍길동", birth_date=date(1990, 1, 2), resident_id="900101-1234567"
        )
    assert "No resident in the register matches" in refused.value.message
    assert f"{settings.HAMKKE_OTP_MAX_ATTEMPTS - 1} tries left" in refused.value.message
    assert not VerifiedIdentity.objects.filter(user=citizen).exists()
    citizen.refresh_from_db()
    assert citizen.home_district is None


def test_wrong_tries_by_phone_and_census_share_one_lock(administrator, citizen, sms_outbox):
    _upload(administrator, ROWS)
    services.start_phone_verification(user=citizen, phone="010-2222-3333")
    for _ in range(settings.HAMKKE_OTP_MAX_ATTEMPTS - 1):
        with pytest.raises(InvalidInput):
            services.verify_by_census(
                user=citizen, name="누구", birth_date=date(1990, 1, 1), resident_id="1234567890"
            )
    with pytest.raises(TooManyAttempts, match="wait 15 minutes"):
        services.confirm_phone_verification(user=citizen, code="000000x")
    # Locked: even the right census entry waits.
    with pytest.raises(TooManyAttempts):
        services.verify_by_census(
            user=citizen, name="홍길동", birth_date=date(1990, 1, 1), resident_id="900101-1234567"
        )


def test_one_resident_verifies_one_account(administrator, citizen):
    _upload(administrator, ROWS)
    services.verify_by_census(
        user=citizen, name="홍길동", birth_date=date(1990, 1, 1), resident_id="900101-1234567"
    )
    other = factories.make_user()
    with pytest.raises(Conflict, match="already verified on another account"):
        services.verify_by_census(
            user=other, name="홍길동", birth_date=date(1990, 1, 1), resident_id="900101-1234567"
        )
    assert not VerifiedIdentity.objects.filter(user=other).exists()
    # And the first account cannot take a second register entry.
    with pytest.raises(Conflict, match="already verified"):
        services.verify_by_census(
            user=citizen, name="이민수", birth_date=date(2001, 3, 3), resident_id="010303-3456789"
        )


def test_census_pages_end_to_end(client, official_client, transport, citizen):
    official_client(Role.ADMINISTRATOR, transport)
    bad = client.post(
        reverse("accounts:census-upload"),
        {"file": io.BytesIO(factories.census_csv([("1", "x", "yesterday", JONGNO)]))},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Line 2:" in html
    assert 'aria-describedby="id_file_helptext id_file_error"' in html
    good = client.post(
        reverse("accounts:census-upload"), {"file": io.BytesIO(factories.census_csv(ROWS))}
    )
    assert good.status_code == 302
    assert "3 residents (3 new, 0 updated)" in client.get(good.url).content.decode()

    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logging out clears the cookies
    client.force_login(citizen)
    mismatch = client.post(
        reverse("accounts:verify-census"),
        {"name": "홍길동", "birth_date": "1999-01-01", "resident_id": "900101-1234567"},
    )
    assert mismatch.status_code == 400
    assert "No resident in the register matches" in mismatch.content.decode()
    match = client.post(
        reverse("accounts:verify-census"),
        {"name": "홍길동", "birth_date": "1990-01-01", "resident_id": "900101-1234567"},
    )
    assert match.status_code == 302
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Verified by residents register" in profile
    assert "Jongno" in profile or "종로구" in profile


def test_census_api(client, administrator, citizen):
    _upload(administrator, ROWS)
    client.force_login(citizen)
    wrong = client.post(
        "/api/v1/accounts/verification/census",
        {"name": "이민수", "birth_date": "2001-03-04", "resident_id": "010303-3456789"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "verification_failed"
    right = client.post(
        "/api/v1/accounts/verification/census",
        {"name": "이민수", "birth_date": "2001-03-03", "resident_id": "010303-3456789"},
        content_type="application/json",
    )
    assert right.status_code == 201
    assert right.json()["method"] == "census"
    assert right.json()["district"]["code"] == JONGNO
