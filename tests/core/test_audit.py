"""The audit log: who did what to which object, from where; append-only; read-only in the
back office."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory

from hamkke.core.actors import Actor, client_address
from hamkke.core.audit.services import record_audit
from hamkke.core.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_entry_names_the_actor_the_target_and_the_address():
    official = factories.make_user(email="official@example.org")
    district = factories.make_district(name="Mapo-gu")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.44")

    entry = record_audit(
        actor=Actor(user=official, address=client_address(request)),
        action="district.rename",
        target=district,
        data={"when": dt.date(2026, 1, 2), "old": "Mapo"},
    )

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor == official
    assert entry.actor_label == "official@example.org"
    assert entry.target_type.model == "district"
    assert entry.target_id == str(district.pk)
    assert entry.target_label == "Mapo-gu"
    assert entry.data == {"when": "2026-01-02", "old": "Mapo"}
    assert entry.ip_address == "192.0.2.44"


def test_without_an_actor_the_system_acted():
    entry = record_audit(actor=None, action="sla.escalate")
    assert entry.actor is None
    assert entry.actor_label == "system"
    assert entry.ip_address is None
    assert entry.target_type is None


def test_behind_the_sites_proxy_the_last_forwarded_hop_is_the_client(settings):
    settings.HAMKKE_TRUSTED_PROXIES = ["10.0.0.0/8"]  # as behind the documented TLS proxy
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23"
    )
    assert record_audit(actor=Actor.from_request(request), action="x").ip_address == "198.51.100.23"


def test_a_malformed_address_is_not_stored():
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-ip")
    assert record_audit(actor=Actor.from_request(request), action="x").ip_address is None


def test_the_log_is_append_only():
    entry = record_audit(actor=None, action="x")
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="changed")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().action == "x"


def test_the_back_office_cannot_add_change_or_delete_entries():
    superuser = factories.make_user(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/core/auditentry/")
    request.user = superuser
    model_admin = admin.site._registry[AuditEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert "action" in model_admin.list_filter
