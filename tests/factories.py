"""Factories for tests: plain functions that build valid objects with overridable fields."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def load_seoul():
    from hamkke.core.city.services import load_city

    return load_city(slug="seoul")


def make_user(
    *, email: str | None = None, password: str = PASSWORD, email_verified: bool = True, **fields
):
    """An account whose owner confirmed the email address (as allauth records it), unless
    `email_verified` is False."""
    from allauth.account.models import EmailAddress

    email = email or f"person{next(_counter)}@example.org"
    user = get_user_model().objects.create_user(email=email, password=password, **fields)
    if email_verified:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_district(*, code: str | None = None, name: str | None = None):
    """A district of a tiny test city, without loading a real profile (fast)."""
    from hamkke.core.models import City, District

    city, _created = City.objects.get_or_create(
        slug="testville",
        defaults={
            "name": "Testville",
            "center_lat": 37.5,
            "center_lon": 127.0,
            "boundary": {"type": "Polygon", "coordinates": []},
        },
    )
    number = next(_counter)
    return District.objects.create(
        city=city,
        code=code or f"D{number}",
        name=name or f"District {number}",
    )


def make_official(*, role: int, department=None, email: str | None = None, **fields):
    """The one way tests make an official: a new user holding `role` (accounts.Role value) in
    `department`, or in a new department of a tiny test city when None. Officials who log in
    also need `activate_totp(user)`."""
    from hamkke.core.models import Department

    user = make_user(email=email, **fields)
    if department is None:
        district = make_district()
        department = Department.objects.create(
            city=district.city, code=f"dept-{next(_counter)}", name="Test department"
        )
    make_membership(user=user, department=department, role=role)
    return user


def make_comment(*, target, author=None, body: str = "A comment."):
    from hamkke.core.comments.services import add_comment

    return add_comment(author=author or make_user(), target=target, body=body)


def make_membership(*, user, department, role: int):
    """`user` takes `role` (accounts.Role value) in an existing department."""
    from hamkke.accounts.models import Membership

    return Membership.objects.create(user=user, department=department, role=role)


def activate_totp(user) -> str:
    """Set up an authenticator app for `user`, as allauth stores it; returns the base32 secret
    the app would hold."""
    import base64
    import secrets

    from allauth.mfa.totp.internal.auth import TOTP

    secret = base64.b32encode(secrets.token_bytes(20)).decode()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The 6-digit code an authenticator app shows now (RFC 6238: HMAC-SHA1, 30-second steps),
    computed here independently of allauth. Waits out the last second of a step so the code
    is still valid when the server checks it."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    if 30 - time.time() % 30 < 1.5:
        time.sleep(30 - time.time() % 30 + 0.1)
    counter = int(time.time()) // 30
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def census_csv(rows, *, header: str = "resident_id,name,birth_date,district_code") -> bytes:
    """A residents register file: `rows` are tuples (resident_id, name, birth_date, code)."""
    lines = [header, *(",".join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def log_in(client, user, *, secret: str | None = None) -> None:
    """Log in through allauth's pages: email and password, then the authenticator code when
    the person has one."""
    from django.conf import settings
    from django.core.cache import cache
    from django.urls import reverse

    # Whoever the client was before leaves; its other cookies (the language) stay.
    kept = {name: morsel.value for name, morsel in client.cookies.items()}
    client.logout()
    for name, value in kept.items():
        if name not in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            client.cookies[name] = value
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    if secret is None:
        assert response.url != reverse("mfa_authenticate")
        return
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    # allauth refuses a code used twice; tests that log in again within the same 30 seconds
    # start from a clean slate.
    cache.clear()


def log_in_official(client, user) -> str:
    """Log `user` in as an official does: password, then a code from a new authenticator app.
    Returns the app's secret."""
    secret = activate_totp(user)
    log_in(client, user, secret=secret)
    return secret
