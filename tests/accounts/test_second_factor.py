"""Officials need a session signed in with their authenticator code (TOTP) before they act: in
the pages, the API and the back office."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from hamkke.accounts.models import Role
from tests import factories
from tests.factories import log_in

pytestmark = pytest.mark.django_db


def _members_url(department) -> str:
    return reverse("accounts:department-members", args=[department.code])


def test_official_sets_up_totp_then_logs_in_with_code_to_act(client, transport):
    manager = factories.make_user()
    factories.make_membership(user=manager, department=transport, role=Role.MANAGER)
    log_in(client, manager)  # password only: no authenticator yet

    # 1. Without an authenticator app, official pages send the official to set one up.
    response = client.get(_members_url(transport))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")

    # 2. allauth asks for the password again before a second factor is added, then the
    #    set-up page shows the secret and the app's code activates it.
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm.status_code == 302
    assert confirm.url.startswith(reverse("account_reauthenticate"))
    reauthenticated = client.post(confirm.url, {"password": factories.PASSWORD})
    assert reauthenticated.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "City officials log in with a code from an authenticator app" in html  # why
    assert 'class="site-header"' in html  # allauth's page, in the site's layout
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html)
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]{32})"', html)
    assert secret, html[:3000]
    secret = secret.group(1)
    activated = client.post(reverse("mfa_activate_totp"), {"code": factories.totp_code(secret)})
    assert activated.status_code == 302

    # 3. This session was still signed in with the password only: asked to confirm.
    response = client.get(_members_url(transport))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second-factor"))
    explanation = client.get(response.url).content.decode()
    assert "authenticator code" in explanation
    assert reverse("mfa_reauthenticate") in explanation

    # 4. Log out, log in again: password, then the code; now the page opens.
    client.post(reverse("account_logout"))
    cache.clear()
    response = client.post(
        reverse("account_login"), {"login": manager.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get(_members_url(transport)).status_code == 302  # not logged in yet
    response = client.post(reverse("mfa_authenticate"), {"code": factories.totp_code(secret)})
    assert response.status_code == 302
    page = client.get(_members_url(transport))
    assert page.status_code == 200
    assert manager.email in page.content.decode()


def test_a_wrong_code_at_log_in_does_not_let_the_official_in(client, transport):
    manager = factories.make_user()
    factories.make_membership(user=manager, department=transport, role=Role.MANAGER)
    secret = factories.activate_totp(manager)
    client.post(reverse("account_login"), {"login": manager.email, "password": factories.PASSWORD})
    right = factories.totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert client.get(_members_url(transport)).status_code == 302
    assert client.get("/api/v1/accounts/me").status_code == 401


def test_password_only_session_is_sent_to_confirm_and_code_confirms_it(client, transport):
    manager = factories.make_user()
    factories.make_membership(user=manager, department=transport, role=Role.MANAGER)
    secret = factories.activate_totp(manager)
    client.force_login(manager)  # a session that never saw the code

    response = client.get(_members_url(transport))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second-factor"))

    # Giving the code now (allauth's reauthentication) opens official actions.
    reauth = client.post(
        f"{reverse('mfa_reauthenticate')}?next={_members_url(transport)}",
        {"code": factories.totp_code(secret)},
    )
    assert reauth.status_code == 302
    assert client.get(_members_url(transport)).status_code == 200


def test_api_refuses_an_official_without_a_second_factor(client, transport):
    manager = factories.make_user()
    factories.make_membership(user=manager, department=transport, role=Role.MANAGER)
    factories.activate_totp(manager)
    client.force_login(manager)  # a session that never saw the code
    response = client.get(f"/api/v1/accounts/departments/{transport.code}/members")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "second_factor_required"
    assert "authenticator code" in body["detail"]


def test_citizens_need_no_second_factor_for_their_own_pages(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("accounts:verify-phone")).status_code == 200


def test_admin_site_needs_staff_with_totp(client, city):
    staff = factories.make_user(is_staff=True, is_superuser=True)
    secret = factories.activate_totp(staff)

    # Anonymous: sent to allauth's log-in (where the code is asked), not the admin's form.
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response.url)
    assert login.status_code == 302
    assert login.url.startswith(reverse("account_login"))

    # Password only: not enough.
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:second-factor"))

    # With the code: the back office opens.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # logging out clears the cookies
    log_in(client, staff, secret=secret)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Hamkke back office" in page.content.decode()


def test_admin_site_refuses_non_staff_even_with_totp(client, city):
    person = factories.make_user()
    secret = factories.activate_totp(person)
    log_in(client, person, secret=secret)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
