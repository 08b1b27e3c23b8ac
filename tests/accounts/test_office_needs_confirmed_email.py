"""An official's role, staff or administrator status goes only to an account whose owner
confirmed its email address: nobody can sign up with a future official's address first and
inherit what is given to it — on the members page, in the back office and through services."""

from __future__ import annotations

import pytest

from hamkke.accounts import services
from hamkke.accounts.models import Membership, Role, User
from hamkke.core.errors import NotAllowed
from tests import factories
from tests.accounts.test_admin import admin_client  # noqa: F401  (the staff back-office client)


@pytest.fixture
def squatter(db):
    """Signed up first with the address the city will give a role to; never confirmed it."""
    return factories.make_user(email="new.official@example.org", email_verified=False)


def test_a_role_is_refused_to_an_unconfirmed_address(city, transport, squatter):
    manager = factories.make_official(role=Role.MANAGER, department=transport)
    with pytest.raises(NotAllowed) as refused:
        services.add_member(
            actor=manager, department=transport, email=squatter.email, role=Role.HANDLER
        )
    assert refused.value.code == "email_unverified"
    assert not Membership.objects.filter(user=squatter).exists()


def test_once_confirmed_the_role_is_given(city, transport, squatter):
    from allauth.account.models import EmailAddress

    manager = factories.make_official(role=Role.MANAGER, department=transport)
    EmailAddress.objects.create(user=squatter, email=squatter.email, verified=True, primary=True)
    membership = services.add_member(
        actor=manager, department=transport, email=squatter.email, role=Role.HANDLER
    )
    assert membership.user == squatter and membership.role == Role.HANDLER


def test_the_members_page_says_why(client, official_client, transport, squatter):
    official_client(Role.MANAGER, transport)
    response = client.post(
        f"/me/departments/{transport.code}/members/",
        {"add-email": squatter.email, "add-role": Role.HANDLER},
    )
    assert response.status_code in (400, 403)
    assert "has not confirmed that email address" in response.content.decode()
    assert not Membership.objects.filter(user=squatter).exists()


def test_the_back_office_refuses_a_membership_for_an_unconfirmed_address(
    admin_client,  # noqa: F811
    transport,
    squatter,
):
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": squatter.pk, "department": transport.pk, "role": Role.HANDLER},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "has not confirmed that email address" in response.content.decode()
    assert not Membership.objects.filter(user=squatter).exists()


def test_the_back_office_refuses_staff_status_for_an_unconfirmed_address(
    admin_client,  # noqa: F811
    squatter,
):
    page = admin_client.get(f"/admin/accounts/user/{squatter.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "email": squatter.email,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
        }
    )
    data.update({"date_joined_1": "00:00:00", "date_joined": "2026-01-01 00:00:00"})
    response = admin_client.post(f"/admin/accounts/user/{squatter.pk}/change/", data)
    assert response.status_code == 200
    assert "has not confirmed that email address" in response.content.decode()
    assert User.objects.get(pk=squatter.pk).is_staff is False
