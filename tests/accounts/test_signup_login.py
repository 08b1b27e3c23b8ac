"""Sign-up and log-in with email through allauth, on pages in the site's own look."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from hamkke.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_sign_up_creates_an_account_with_argon2_and_display_name(client, settings):
    from hamkke import settings as configured

    # The suite hashes with a fast hasher; this test uses the configured one.
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Person@Example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
            "display_name": "  새   시민 ",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.display_name == "새 시민"
    assert user.password.startswith("argon2")
    assert user.check_password("a long and unusual passphrase")
    # Signed in straight away.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_sign_up_with_a_taken_email_says_so_and_creates_nothing(client, citizen):
    users, addresses = User.objects.count(), EmailAddress.objects.count()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "CITIZEN@example.org",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
            "display_name": "Someone else",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "A user is already registered with this email address." in html
    # The error is linked to the email field for screen readers.
    assert 'aria-describedby="id_email_error"' in html
    assert 'id="id_email_error"' in html
    assert User.objects.count() == users
    assert EmailAddress.objects.count() == addresses
    assert User.objects.get(email="citizen@example.org").display_name == "김시민"


def test_sign_up_page_uses_the_site_layout(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'class="site-header"' in html  # our base.html
    assert "core/hamkke" in html and "accounts/accounts" in html  # our stylesheets
    assert 'name="display_name"' in html
    assert '<label for="id_email"' in html


def test_log_in_with_email_and_password(client, citizen):
    response = client.post(
        reverse("account_login"), {"login": "citizen@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    assert "citizen@example.org" in page.content.decode()


def test_log_in_with_a_wrong_password_is_refused(client, citizen):
    response = client.post(
        reverse("account_login"), {"login": "citizen@example.org", "password": "not it at all"}
    )
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_my_page_needs_log_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_display_name_can_be_changed_on_my_page(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:profile"), {"display_name": "  Kim   Simin "})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.display_name == "Kim Simin"
