"""Reads of the audit log."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from hamkke.core.models import (
    AuditEntry,
)

# An official of this role or higher in any department moderates (accounts.Role.MANAGER).


def audit_trail(target: models.Model, *, limit: int = 200) -> list[AuditEntry]:
    """What officials did to one object, newest first."""
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
