"""The back office (Django admin) and the `complaints` command write through services, so each
change to categories, response templates and apps' keys is in the audit log."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from hamkke.complaints import services
from hamkke.complaints.models import ApiClient, Category, ResponseTemplate
from hamkke.core.models import AuditEntry
from tests import factories
from tests.factories import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, city):
    user = factories.make_user(is_staff=True, is_superuser=True)
    log_in(client, user, secret=factories.activate_totp(user))
    return user


def test_switching_a_category_off_is_audited(client, city, staff, category):
    response = client.post(f"/admin/complaints/category/{category.pk}/change/", {"active": ""})
    assert response.status_code == 302, response.content
    category.refresh_from_db()
    assert not category.active
    entry = AuditEntry.objects.get(action="complaints.category_deactivated")
    assert entry.actor == staff and entry.target_id == str(category.pk)
    assert entry.ip_address == "127.0.0.1"


def test_response_templates_are_saved_and_deleted_with_an_audit(client, city, staff, category):
    client.post(
        "/admin/complaints/responsetemplate/add/",
        {"city": city.pk, "category": category.pk, "status": "", "title": "T", "body": "B"},
    )
    template = ResponseTemplate.objects.get(title="T")
    delete = f"/admin/complaints/responsetemplate/{template.pk}/delete/"
    response = client.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert not ResponseTemplate.objects.exists()
    actions = list(
        AuditEntry.objects.filter(target_id=str(template.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["complaints.template_created", "complaints.template_deleted"]


def test_keys_issued_revoked_and_restored_in_the_admin_are_audited(client, city, staff):
    client.post("/admin/complaints/apiclient/add/", {"name": "Seoul Smart App"})
    app = ApiClient.objects.get(name="Seoul Smart App")
    assert app.created_by == staff
    for action in ("revoke_keys", "restore_keys"):
        client.post(
            "/admin/complaints/apiclient/",
            {"action": action, "_selected_action": [app.pk]},
        )
    app.refresh_from_db()
    assert app.active
    actions = list(
        AuditEntry.objects.filter(target_id=str(app.pk), actor=staff)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "complaints.api_key_created",
        "complaints.api_key_revoked",
        "complaints.api_key_restored",
    ]


def test_the_command_revokes_through_the_service(city):
    app, _key = services.create_api_client(name="Old app")
    call_command("complaints", "apikey", "revoke", "Old app")
    app.refresh_from_db()
    assert not app.active
    assert AuditEntry.objects.filter(action="complaints.api_key_revoked", actor=None).exists()
    with pytest.raises(CommandError, match="No app named 'Nobody'"):
        call_command("complaints", "apikey", "revoke", "Nobody")


def test_categories_cannot_be_edited_beyond_active(city, category):
    services.set_category_active(category=category, active=True)
    assert not AuditEntry.objects.exists()  # nothing changed, nothing logged
    assert Category.objects.get(pk=category.pk).active
