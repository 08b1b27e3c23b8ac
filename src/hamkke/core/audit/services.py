"""The append-only audit log: one entry per official action, written in the action's transaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from hamkke.core.actors import Actor
from hamkke.core.models import (
    AuditEntry,
)

if TYPE_CHECKING:
    from hamkke.accounts.models import User


def record_audit(
    *,
    actor: Actor | User | None,
    action: str,
    target: models.Model | None = None,
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry to the audit log. Called inside the service's own transaction, so the
    entry is written exactly when the action is."""
    who = Actor.of(actor)
    entry = AuditEntry(
        actor=who.user,
        actor_label=who.label[:200],
        action=action[:100],
        # Round-trip through JSON so dates, decimals and lazy strings are stored as text and
        # a value JSON cannot hold fails here, loudly, not at commit.
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        ip_address=who.address,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:300]
    with transaction.atomic():
        entry.save(force_insert=True)
    return entry
