"""The ballot pattern (ARCHITECTURE.md, "The ballot pattern"), for every app that keeps secret
ballots beside a register of who voted (budget now, polls next): a ballot is sealed into a queue
in the voter's own transaction, then written out with others in shuffled batches, so that no key,
time, transaction id or place in a table ties a stored ballot to the person who cast it.

What lives here is what does not depend on the app: random ids, sealing and opening a queued
ballot, locking and draining a queue, writing rows in bulk in the order given, and clearing the
old versions of rewritten rows. The app keeps its models (a queue subclassing `SealedBallot`, its
ballots) and decides when a batch is full or a box is closed."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, models
from django.utils.crypto import salted_hmac

T = TypeVar("T")

ID_BITS = 62  # ids fit a signed 64-bit column and a 13-digit base32 receipt
# Ballots a queue holds before they are written out together. A batch is the smallest crowd a
# ballot hides in while voting runs (HAMKKE_BALLOT_BATCH overrides it; see batch_size).
DEFAULT_BATCH = 100
# A sealed ballot is padded to a multiple of this many bytes, so that its length does not tell
# how many projects (or options) it names.
PAD_TO = 1024
_VERSION = b"\x01"  # the first byte of a sealed ballot: AES-256-GCM, 12-byte nonce
_NONCE = 12


class UnreadableBallot(Exception):
    """A sealed ballot that no key of this server opens (SECRET_KEY and SECRET_KEY_FALLBACKS):
    the key it was sealed with is gone. The queue is left as it was; nothing is dropped."""


def new_ballot_id() -> int:
    """A random positive 62-bit id: no sequence number, no time."""
    return secrets.randbits(ID_BITS) or 1


def shuffled(items: Iterable[T]) -> list[T]:
    """`items` in an order drawn from the operating system's random source."""
    result = list(items)
    secrets.SystemRandom().shuffle(result)
    return result


def batch_size() -> int:
    """How many queued ballots make a batch: settings.HAMKKE_BALLOT_BATCH, else DEFAULT_BATCH."""
    return max(1, int(getattr(settings, "HAMKKE_BALLOT_BATCH", DEFAULT_BATCH)))


# --- sealing -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _cipher(secret: str) -> AESGCM:
    # A key of its own, derived from the site's secret: the database alone never opens a ballot.
    key = salted_hmac("hamkke.core.ballots", "sealing key", secret=secret, algorithm="sha256")
    return AESGCM(key.digest())


def seal(payload: dict[str, Any], *, box: str) -> bytes:
    """The JSON `payload` encrypted and authenticated for the queue of `box` (a name such as
    "budget.pool:12"): a sealed ballot moved to another box does not open there."""
    plain = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    # JSON allows trailing blanks, so the padding needs no length field.
    plain = plain.ljust(-(-(len(plain) + 1) // PAD_TO) * PAD_TO)
    nonce = secrets.token_bytes(_NONCE)
    return _VERSION + nonce + _cipher(settings.SECRET_KEY).encrypt(nonce, plain, box.encode())


def unseal(sealed: bytes | memoryview, *, box: str) -> dict[str, Any]:
    """The payload of a sealed ballot of `box`. Tries SECRET_KEY, then SECRET_KEY_FALLBACKS (a
    key rotated while ballots wait must stay in the fallbacks until the box is written out)."""
    data = bytes(sealed)
    if data[:1] != _VERSION or len(data) < 1 + _NONCE + 16:
        raise UnreadableBallot("not a sealed ballot")
    nonce, body = data[1 : 1 + _NONCE], data[1 + _NONCE :]
    for secret in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())):
        try:
            plain = _cipher(secret).decrypt(nonce, body, box.encode())
        except InvalidTag:
            continue
        return json.loads(plain)
    raise UnreadableBallot(f"no key of this server opens a sealed ballot of {box}")


class SealedBallot(models.Model):
    """A ballot waiting in a queue: a random key and the sealed ballot, nothing else — no time,
    no sequence, nothing of the register. An app subclasses it and adds the box it belongs to
    (a pool, a poll). The key is not the ballot's id (that is inside the seal), so a row seen
    next to a register row says nothing of which published ballot it became."""

    id = models.BigIntegerField(primary_key=True, default=new_ballot_id, editable=False)
    sealed = models.BinaryField()

    class Meta:
        abstract = True


# --- draining a queue --------------------------------------------------------------------------


def lock_box(box_row: models.QuerySet, *, wait: bool = False) -> bool:
    """Inside a transaction: lock the row that stands for a box (a pool, a poll) for one writer
    of its batches. Without `wait`, False when another writer holds it (this one should leave
    the work to it); with `wait`, wait for it. FOR NO KEY UPDATE does not conflict with the
    key-share locks of the voters' foreign keys, so casting never waits on a flush. SQLite has
    one writer at a time anyway: always True there."""
    locked = box_row.order_by().select_for_update(no_key=True, skip_locked=not wait)
    return bool(list(locked.values_list("pk", flat=True)[:1]))


def drain(queue: models.QuerySet, *, box: str, minimum: int = 1) -> list[dict[str, Any]]:
    """Open and delete the sealed ballots of `queue` and return their payloads in a random
    order; nothing (and nothing deleted) when fewer than `minimum` wait. Call it inside the
    transaction that writes the payloads out, with the box locked (lock_box): the ballots are
    then moved or left, never lost or doubled."""
    rows = list(queue.values_list("pk", "sealed"))
    if not rows or len(rows) < minimum:
        return []
    payloads = [unseal(sealed, box=box) for _pk, sealed in rows]
    keys = [pk for pk, _sealed in rows]
    for start in range(0, len(keys), 10_000):
        queue.model.objects.filter(pk__in=keys[start : start + 10_000]).delete()
    return shuffled(payloads)


# --- writing rows in bulk ----------------------------------------------------------------------


class BulkInsert:
    """Rows into some fields of a model, in the order given (so a shuffled list lands in a
    shuffled physical order): COPY on PostgreSQL (psycopg 3), executemany of one prepared
    INSERT elsewhere. No model instances: ten times faster than bulk_create for 10^5 rows."""

    def __init__(self, model: type[models.Model], names: Sequence[str]):
        self.fields = {name: model._meta.get_field(name) for name in names}
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields.values())
        marks = ", ".join(["%s"] * len(names))
        self.table = f"{quote(model._meta.db_table)} ({columns})"
        self.sql = f"INSERT INTO {self.table} VALUES ({marks})"

    def adapt(self, name: str, value: Any) -> Any:
        """`value` as the database stores the field `name` (a datetime, for instance)."""
        return self.fields[name].get_db_prep_save(value, connection)

    def run(self, cursor, rows: Sequence[tuple], chunk: int = 10_000) -> None:
        if connection.vendor == "postgresql":
            # Through psycopg's own cursor: Django's wrapper has no COPY. Ten times faster than
            # executemany, which still waits on the server for every few rows.
            with cursor.cursor.copy(f"COPY {self.table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for start in range(0, len(rows), chunk):
            cursor.executemany(self.sql, rows[start : start + chunk])


def forget_dead_rows(*tables: type[models.Model]) -> bool:
    """VACUUM the tables of these models on PostgreSQL, so that the old versions of rows a mix
    rewrote (which keep their old transaction ids and places until vacuumed) are gone rather
    than only invisible. Possible only outside a transaction; False when nothing was done (not
    PostgreSQL, or inside a transaction: autovacuum will then do it later)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")
    return True
