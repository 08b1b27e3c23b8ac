"""The back office for accounts: people by email, members with audit, read-only identities and
census, all behind the second factor."""

from __future__ import annotations

import pytest

from hamkke.accounts.models import Membership, Role, User, VerifiedIdentity
from hamkke.core.models import AuditEntry
from tests import factories
from tests.factories import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, city):
    staff = factories.make_user(email="staff@example.org", is_staff=True, is_superuser=True)
    log_in(client, staff, secret=factories.activate_totp(staff))
    client.staff = staff
    return client


def test_people_are_added_by_email(admin_client):
    form = admin_client.get("/admin/accounts/user/add/")
    assert form.status_code == 200
    assert 'name="email"' in form.content.decode()
    assert 'name="username"' not in form.content.decode()
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "clerk@example.org",
            "usable_password": "true",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase",
        },
    )
    assert response.status_code == 302
    clerk = User.objects.get(email="clerk@example.org")
    assert clerk.check_password("a long and unusual passphrase")
    assert admin_client.get(f"/admin/accounts/user/{clerk.pk}/change/").status_code == 200


def test_membership_changes_in_the_back_office_are_audited(admin_client, transport):
    person = factories.make_user(email="clerk@example.org")
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": person.pk, "department": transport.pk, "role": Role.HANDLER},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=person)
    entry = AuditEntry.objects.get(action="accounts.member_saved_in_admin")
    assert entry.actor == admin_client.staff
    assert entry.target_id == str(membership.pk)
    assert entry.data["member"] == "clerk@example.org"


def test_identities_and_the_census_are_read_only(admin_client, citizen):
    identity = VerifiedIdentity.objects.create(user=citizen, method="phone", identity_key="k" * 64)
    page = admin_client.get(f"/admin/accounts/verifiedidentity/{identity.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "k" * 64 not in html  # the key is not shown
    assert admin_client.get("/admin/accounts/verifiedidentity/add/").status_code == 403
    census = admin_client.get("/admin/accounts/censusrecord/").content.decode()
    assert 'href="/me/census/"' in census


def test_the_back_office_keeps_the_no_role_above_your_own_rule(transport):
    from hamkke.accounts import services
    from hamkke.core.errors import NotAllowed

    manager = factories.make_user(email="manager@example.org")
    Membership.objects.create(user=manager, department=transport, role=Role.MANAGER)
    person = factories.make_user(email="clerk@example.org")
    with pytest.raises(NotAllowed):
        services.save_membership_in_back_office(
            actor=manager, user=person, department=transport, role=Role.ADMINISTRATOR
        )
    assert not Membership.objects.filter(user=person).exists()
    saved = services.save_membership_in_back_office(
        actor=manager, user=person, department=transport, role=Role.HANDLER
    )
    assert saved.role == Role.HANDLER
    assert AuditEntry.objects.get(action="accounts.member_saved_in_admin").actor == manager
