"""Identity verification by a one-time code texted to a phone: codes stored hashed, expiry,
limited wrong tries then a wait, limited sending, one phone number per account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from hamkke.accounts import services
from hamkke.accounts.models import PhoneChallenge, VerificationLock, VerifiedIdentity
from hamkke.core.errors import Conflict, InvalidInput, TooManyAttempts
from tests import factories

pytestmark = pytest.mark.django_db

NUMBER = "010-1234-5678"


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_texted_and_verifies_the_account(citizen, sms_outbox):
    challenge = services.start_phone_verification(user=citizen, phone=NUMBER)
    assert len(sms_outbox) == 1
    assert sms_outbox[0].phone == "+821012345678"
    code = _code_from(sms_outbox[0])
    # Neither the code nor the number is stored as such.
    challenge.refresh_from_db()
    assert code not in challenge.code_hash
    assert "12345678" not in challenge.phone_key
    assert challenge.phone_hint == "5678"

    identity = services.confirm_phone_verification(user=citizen, code=code)
    assert identity.method == "phone"
    assert identity.user == citizen
    assert "1012345678" not in identity.identity_key
    challenge.refresh_from_db()
    assert challenge.used_at is not None
    # The same code cannot be used twice.
    with pytest.raises(Conflict):
        services.confirm_phone_verification(user=citizen, code=code)


def test_wrong_codes_lock_verification_with_a_wait(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    code = _code_from(sms_outbox[0])
    tries = settings.HAMKKE_OTP_MAX_ATTEMPTS
    for used in range(1, tries):
        with pytest.raises(InvalidInput) as wrong:
            services.confirm_phone_verification(user=citizen, code=_wrong(code))
        left = tries - used
        assert f"You have {left} tr" in wrong.value.message
    with pytest.raises(TooManyAttempts) as locked:
        services.confirm_phone_verification(user=citizen, code=_wrong(code))
    minutes = settings.HAMKKE_OTP_LOCK_SECONDS // 60
    assert f"wait {minutes} minutes" in locked.value.message
    assert locked.value.retry_after == settings.HAMKKE_OTP_LOCK_SECONDS
    # Even the right code waits now, and asking for a new one too.
    with pytest.raises(TooManyAttempts, match="wait"):
        services.confirm_phone_verification(user=citizen, code=code)
    with pytest.raises(TooManyAttempts, match="wait"):
        services.start_phone_verification(user=citizen, phone=NUMBER)
    assert not VerifiedIdentity.objects.filter(user=citizen).exists()

    # After the wait, the old code is dead and a new one works.
    VerificationLock.objects.filter(user=citizen).update(until=timezone.now())
    with pytest.raises(InvalidInput, match="expired"):
        services.confirm_phone_verification(user=citizen, code=code)
    PhoneChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    services.start_phone_verification(user=citizen, phone=NUMBER)
    fresh = _code_from(sms_outbox[-1])
    assert services.confirm_phone_verification(user=citizen, code=fresh).method == "phone"


def test_an_expired_code_is_refused(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    code = _code_from(sms_outbox[0])
    PhoneChallenge.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="expired"):
        services.confirm_phone_verification(user=citizen, code=code)
    assert not VerifiedIdentity.objects.filter(user=citizen).exists()


def test_code_lifetime_follows_the_setting(citizen, settings):
    settings.HAMKKE_OTP_TTL_SECONDS = 120
    before = timezone.now()
    challenge = services.start_phone_verification(user=citizen, phone=NUMBER)
    lifetime = (challenge.expires_at - before).total_seconds()
    assert 119 <= lifetime <= 121


def test_the_same_phone_cannot_verify_a_second_account(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    services.confirm_phone_verification(user=citizen, code=_code_from(sms_outbox[-1]))

    other = factories.make_user()
    # Written differently, the same number.
    services.start_phone_verification(user=other, phone="+82 10 1234 5678")
    assert sms_outbox[-1].phone == "+821012345678"
    with pytest.raises(Conflict, match="already verifies another account"):
        services.confirm_phone_verification(user=other, code=_code_from(sms_outbox[-1]))
    assert not VerifiedIdentity.objects.filter(user=other).exists()


def test_an_account_verifies_one_phone_only(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    services.confirm_phone_verification(user=citizen, code=_code_from(sms_outbox[-1]))
    with pytest.raises(Conflict, match="already verified"):
        services.start_phone_verification(user=citizen, phone="010-9999-8888")
    assert VerifiedIdentity.objects.filter(user=citizen).count() == 1


def test_sending_codes_is_limited(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    with pytest.raises(TooManyAttempts, match="moment ago"):
        services.start_phone_verification(user=citizen, phone=NUMBER)
    assert len(sms_outbox) == 1
    # Five an hour, even spaced out.
    for _ in range(4):
        PhoneChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=2))
        services.start_phone_verification(user=citizen, phone=NUMBER)
    PhoneChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    with pytest.raises(TooManyAttempts, match="last hour"):
        services.start_phone_verification(user=citizen, phone=NUMBER)
    assert len(sms_outbox) == 5


def test_a_new_code_replaces_the_one_before(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone=NUMBER)
    first = _code_from(sms_outbox[-1])
    PhoneChallenge.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    services.start_phone_verification(user=citizen, phone=NUMBER)
    second = _code_from(sms_outbox[-1])
    if first != second:
        with pytest.raises(InvalidInput, match="not right"):
            services.confirm_phone_verification(user=citizen, code=first)
    assert services.confirm_phone_verification(user=citizen, code=second).method == "phone"


def test_a_bad_number_is_refused_without_sending(citizen, sms_outbox):
    with pytest.raises(InvalidInput, match="mobile phone number"):
        services.start_phone_verification(user=citizen, phone="call me maybe")
    assert sms_outbox == []


def test_phone_pages_end_to_end(client, citizen, sms_outbox):
    client.force_login(citizen)
    page = client.get(reverse("accounts:verify-phone"))
    assert '<label for="id_phone"' in page.content.decode()

    sent = client.post(reverse("accounts:verify-phone"), {"phone": NUMBER})
    assert sent.status_code == 302
    html = client.get(reverse("accounts:verify-phone")).content.decode()
    assert "ending in 5678" in html

    wrong = client.post(
        reverse("accounts:verify-phone-confirm"), {"code": _wrong(_code_from(sms_outbox[0]))}
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "That code is not right." in html
    # The error sits beside the code field and is linked to it.
    assert 'aria-describedby="id_code_error"' in html
    assert 'aria-invalid="true"' in html

    right = client.post(
        reverse("accounts:verify-phone-confirm"), {"code": _code_from(sms_outbox[0])}
    )
    assert right.status_code == 302
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Verified by mobile phone one-time code" in profile


def test_phone_lock_page_says_how_long_to_wait(client, citizen, sms_outbox):
    client.force_login(citizen)
    client.post(reverse("accounts:verify-phone"), {"phone": NUMBER})
    code = _code_from(sms_outbox[0])
    for _ in range(settings.HAMKKE_OTP_MAX_ATTEMPTS):
        response = client.post(reverse("accounts:verify-phone-confirm"), {"code": _wrong(code)})
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.HAMKKE_OTP_LOCK_SECONDS)
    assert "Please wait 15 minutes" in response.content.decode()
    assert "Please wait 15 minutes" in client.get(reverse("accounts:verify-phone")).content.decode()


def test_phone_api_end_to_end(client, citizen, sms_outbox):
    assert (
        client.post(
            "/api/v1/accounts/verification/phone/start",
            {"phone": NUMBER},
            content_type="application/json",
        ).status_code
        == 401
    )
    client.force_login(citizen)
    started = client.post(
        "/api/v1/accounts/verification/phone/start",
        {"phone": NUMBER},
        content_type="application/json",
    )
    assert started.status_code == 202
    assert started.json()["phone_hint"] == "5678"
    code = _code_from(sms_outbox[0])
    wrong = client.post(
        "/api/v1/accounts/verification/phone/confirm",
        {"code": _wrong(code)},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "verification_failed"
    confirmed = client.post(
        "/api/v1/accounts/verification/phone/confirm",
        {"code": code},
        content_type="application/json",
    )
    assert confirmed.status_code == 201
    assert confirmed.json()["method"] == "phone"
    assert "identity_key" not in confirmed.json()
    me = client.get("/api/v1/accounts/me").json()
    assert [identity["method"] for identity in me["identities"]] == ["phone"]


def test_code_sending_requests_are_rate_limited(client, citizen):
    client.force_login(citizen)
    answers = [
        client.post(
            "/api/v1/accounts/verification/phone/start",
            {"phone": NUMBER},
            content_type="application/json",
        )
        for _ in range(6)
    ]
    assert answers[0].status_code == 202
    assert all(answer.status_code == 429 for answer in answers[1:])
    # The first refusals come from the service; the sixth request never reaches it.
    assert answers[1].json()["code"] == "code_sent_recently"
    assert answers[5].json()["code"] == "rate_limited"
    assert PhoneChallenge.objects.filter(user=citizen).count() == 1
