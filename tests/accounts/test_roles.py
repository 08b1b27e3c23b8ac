"""Officials' roles: viewer < handler < manager < administrator, enforced on every official
action in the pages (403) and the API (403), and each action written to the audit log."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from hamkke.accounts.models import CensusRecord, Membership, Role
from hamkke.accounts.permissions import require_role
from hamkke.core.errors import NotAllowed
from hamkke.core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db

ALL_ROLES = [Role.VIEWER, Role.HANDLER, Role.MANAGER, Role.ADMINISTRATOR]


def _members_url(department) -> str:
    return reverse("accounts:department-members", args=[department.code])


def _census_file() -> bytes:
    return factories.census_csv([("900101-1234567", "홍길동", "1990-01-01", "11110")])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_members_page_is_for_managers_and_up(client, official_client, transport, role):
    official_client(role, transport)
    response = client.get(_members_url(transport))
    if role >= Role.MANAGER:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "manager" in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_members_api_is_for_managers_and_up(client, official_client, transport, role):
    official = official_client(role, transport)
    response = client.get(f"/api/v1/accounts/departments/{transport.code}/members")
    if role >= Role.MANAGER:
        assert response.status_code == 200
        assert [member["email"] for member in response.json()] == [official.email]
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "role_required"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_census_page_is_for_administrators(client, official_client, transport, role):
    official_client(role, transport)
    response = client.get(reverse("accounts:census-upload"))
    assert response.status_code == (200 if role == Role.ADMINISTRATOR else 403)
    upload = client.post(
        reverse("accounts:census-upload"),
        {"file": io.BytesIO(_census_file())},
    )
    if role == Role.ADMINISTRATOR:
        assert upload.status_code == 302
        assert CensusRecord.objects.count() == 1
    else:
        assert upload.status_code == 403
        assert CensusRecord.objects.count() == 0


@pytest.mark.parametrize("role", ALL_ROLES)
def test_census_api_is_for_administrators(client, official_client, transport, role):
    official_client(role, transport)
    upload = io.BytesIO(_census_file())
    upload.name = "register.csv"
    response = client.post("/api/v1/accounts/census", {"file": upload})
    if role == Role.ADMINISTRATOR:
        assert response.status_code == 201
        assert response.json()["rows"] == 1
        assert CensusRecord.objects.count() == 1
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "role_required"
        assert CensusRecord.objects.count() == 0


@pytest.mark.parametrize("role", [Role.VIEWER, Role.HANDLER])
def test_role_change_is_refused_below_manager(client, official_client, transport, role):
    official_client(role, transport)
    other = factories.make_user()
    membership = factories.make_membership(user=other, department=transport, role=Role.VIEWER)
    url = reverse("accounts:department-member-role", args=[transport.code, membership.pk])
    assert client.post(url, {"role": Role.HANDLER}).status_code == 403
    api = client.patch(
        f"/api/v1/accounts/departments/{transport.code}/members/{membership.pk}",
        {"role": Role.HANDLER},
        content_type="application/json",
    )
    assert api.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert not AuditEntry.objects.filter(action="accounts.member_role_changed").exists()


def test_manager_changes_a_role_and_the_audit_log_says_so(client, official_client, transport):
    manager = official_client(Role.MANAGER, transport)
    other = factories.make_user()
    membership = factories.make_membership(user=other, department=transport, role=Role.VIEWER)
    url = reverse("accounts:department-member-role", args=[transport.code, membership.pk])
    response = client.post(url, {"role": Role.HANDLER}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.HANDLER
    entry = AuditEntry.objects.get(action="accounts.member_role_changed")
    assert entry.actor == manager
    assert entry.actor_label == manager.email
    assert entry.target_id == str(membership.pk)
    assert entry.data["from"] == "viewer" and entry.data["to"] == "handler"
    assert entry.ip_address == "203.0.113.9"


def test_manager_adds_and_removes_members_through_the_api(client, official_client, transport):
    official_client(Role.MANAGER, transport)
    newcomer = factories.make_user(email="newcomer@example.org")
    added = client.post(
        f"/api/v1/accounts/departments/{transport.code}/members",
        {"email": "Newcomer@Example.org", "role": Role.HANDLER},
        content_type="application/json",
    )
    assert added.status_code == 201
    membership = Membership.objects.get(user=newcomer, department=transport)
    assert membership.role == Role.HANDLER
    again = client.post(
        f"/api/v1/accounts/departments/{transport.code}/members",
        {"email": "newcomer@example.org", "role": Role.VIEWER},
        content_type="application/json",
    )
    assert again.status_code == 409
    removed = client.delete(
        f"/api/v1/accounts/departments/{transport.code}/members/{membership.pk}"
    )
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert list(
        AuditEntry.objects.filter(action__startswith="accounts.member_")
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    ) == ["accounts.member_added", "accounts.member_removed"]


def test_manager_cannot_grant_or_touch_administrator(client, official_client, transport):
    official_client(Role.MANAGER, transport)
    viewer = factories.make_membership(
        user=factories.make_user(), department=transport, role=Role.VIEWER
    )
    admin = factories.make_membership(
        user=factories.make_user(), department=transport, role=Role.ADMINISTRATOR
    )
    promote = client.post(
        reverse("accounts:department-member-role", args=[transport.code, viewer.pk]),
        {"role": Role.ADMINISTRATOR},
    )
    assert promote.status_code == 403
    demote = client.patch(
        f"/api/v1/accounts/departments/{transport.code}/members/{admin.pk}",
        {"role": Role.VIEWER},
        content_type="application/json",
    )
    assert demote.status_code == 403
    viewer.refresh_from_db()
    admin.refresh_from_db()
    assert (viewer.role, admin.role) == (Role.VIEWER, Role.ADMINISTRATOR)


def test_manager_of_another_department_is_refused(client, official_client, transport, parks):
    official_client(Role.MANAGER, parks)
    assert client.get(_members_url(parks)).status_code == 200
    assert client.get(_members_url(transport)).status_code == 403
    api = client.get(f"/api/v1/accounts/departments/{transport.code}/members")
    assert api.status_code == 403


def test_administrator_of_any_department_manages_every_department(
    client, official_client, transport, parks
):
    official_client(Role.ADMINISTRATOR, parks)
    member = factories.make_membership(
        user=factories.make_user(), department=transport, role=Role.VIEWER
    )
    assert client.get(_members_url(transport)).status_code == 200
    response = client.post(
        reverse("accounts:department-member-role", args=[transport.code, member.pk]),
        {"role": Role.ADMINISTRATOR},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.ADMINISTRATOR


def test_citizens_and_anonymous_people_are_refused(client, citizen, transport):
    assert client.get(_members_url(transport)).status_code == 302  # to log in
    assert client.get(f"/api/v1/accounts/departments/{transport.code}/members").status_code == 401
    client.force_login(citizen)
    assert client.get(_members_url(transport)).status_code == 403
    assert client.get(reverse("accounts:census-upload")).status_code == 403
    api = client.get(f"/api/v1/accounts/departments/{transport.code}/members")
    assert api.status_code == 403


def test_require_role_rules(transport, parks):
    viewer = factories.make_user()
    factories.make_membership(user=viewer, department=transport, role=Role.VIEWER)
    superuser = factories.make_user(is_superuser=True, is_staff=True)
    assert require_role(viewer, role=Role.VIEWER, department=transport) == Role.VIEWER
    with pytest.raises(NotAllowed, match="handler"):
        require_role(viewer, role=Role.HANDLER, department=transport)
    with pytest.raises(NotAllowed, match="viewer"):
        require_role(viewer, role=Role.VIEWER, department=parks)
    assert require_role(superuser, role=Role.ADMINISTRATOR, department=parks)
