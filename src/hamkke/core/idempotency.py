"""Idempotency keys on POSTs that create something, after the IETF draft "The Idempotency-Key
HTTP Header Field": a client that retries a POST with the same key gets the first answer again
instead of doing the work twice.

The key is the `Idempotency-Key` header (a bare token or an sf-string in quotes, at most 255
visible ASCII characters); an endpoint may also read it from a form field for clients that
cannot set headers. For 24 hours, per endpoint and per client (an API key, an account or an
address), the first successful answer (status and body) is kept with a hash of the request's
content:
- the same key with the same content answers the kept response, with `Idempotent-Replayed: true`;
- the same key with different content is refused, 409 `idempotency_key_reused`;
- a request that failed (any status outside 2xx) keeps nothing, so its retry runs afresh: a
  failed request changed nothing.
The key's row is written first, in the transaction of the work itself, so a second request with
the same key waits on the unique constraint until the first commits (then answers its response)
or rolls back (then does the work itself): concurrent double submits do the work once."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core.errors import Conflict, DomainError, InvalidInput
from hamkke.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# How an endpoint that takes the header says so in its OpenAPI schema (`openapi_extra`).
OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
    "description": "Any unique string (a UUID is best). A retry with the same key and the same "
    "content within 24 hours answers the first response again (with `Idempotent-Replayed: "
    "true`) and does nothing twice; the same key with other content answers 409 "
    "`idempotency_key_reused`.",
}
# Form fields that are not part of what the request asks for.
_NOT_CONTENT = {"csrfmiddlewaretoken"}


def key_of(request: HttpRequest, *, form: QueryDict | None = None, field: str = "") -> str | None:
    """The request's idempotency key: the header, else (when the endpoint reads one) the form
    field `field` of `form`. None without a key; InvalidInput for a malformed one."""
    raw = request.headers.get(HEADER)
    if raw is None and form is not None and field:
        raw = form.get(field)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]  # the draft's sf-string form: "8e03978e-40d5-43e8-bc93-6894a57f9324"
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise InvalidInput(
            _("The idempotency key must be 1 to %(max)d visible ASCII characters.")
            % {"max": MAX_KEY_LENGTH},
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    return key


def respond_once(
    request: HttpRequest,
    *,
    scope: str,
    client: str,
    key: str | None,
    respond: Callable[[], HttpResponse],
) -> HttpResponse:
    """Answer `respond()` once per key: see the module's docstring. Without a key, just
    `respond()`. Raises Conflict (409) for a key reused with other content."""
    if key is None:
        return respond()
    fingerprint = request_fingerprint(request)
    client_hash = _client_hash(scope, client)
    with transaction.atomic():
        claimed, earlier = _claim(scope=scope, client=client_hash, key=key, fingerprint=fingerprint)
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                raise Conflict(
                    _("This idempotency key was already used for a different request."),
                    code="idempotency_key_reused",
                )
            return _replay(earlier)
        response = respond()
        if not 200 <= response.status_code < 300 or response.streaming:
            transaction.set_rollback(True)
            return response
        claimed.status_code = response.status_code
        claimed.content_type = response.get("Content-Type", "")
        claimed.body = response.content.decode(response.charset or "utf-8")
        claimed.save(update_fields=["status_code", "content_type", "body"])
    return response


def idempotent(scope: str, *, client: Callable[[HttpRequest], str]) -> Callable:
    """respond_once for a django-ninja operation, applied with `ninja.decorators.decorate_view`
    (so it sees the final HttpResponse, errors included). A malformed or reused key answers the
    API's JSON error {detail, code}."""

    def decorate(run: Callable) -> Callable:
        @wraps(run)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return respond_once(
                    request,
                    scope=scope,
                    client=client(request),
                    key=key_of(request),
                    respond=lambda: run(request, *args, **kwargs),
                )
            except DomainError as exc:
                return JsonResponse(exc.as_dict(), status=exc.status)

        return wrapper

    return decorate


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks for: its path, query, form fields and files (by their
    content), or its raw body when it is not a form. A multipart body is compared by its parts,
    not its bytes: a client that retries with a new boundary sends the same request."""
    content: dict[str, object] = {
        "method": request.method,
        "path": request.path,
        "query": sorted(request.GET.lists()),
    }
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        content["form"] = sorted(
            (name, values) for name, values in request.POST.lists() if name not in _NOT_CONTENT
        )
        content["files"] = sorted(
            (name, [_file_digest(upload) for upload in uploads])
            for name, uploads in request.FILES.lists()
        )
    else:
        content["body"] = hashlib.sha256(request.body).hexdigest()
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def delete_expired_keys(*, now: datetime | None = None) -> int:
    """Forget keys older than 24 hours (the periodic task `delete-expired-idempotency-keys`)."""
    deleted, _by_model = IdempotencyKey.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted


def _claim(
    *, scope: str, client: str, key: str, fingerprint: str
) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(our new row, None), or (None, the earlier request's committed row)."""
    now = timezone.now()
    mine = {"scope": scope, "client": client, "key": key}
    for _attempt in range(3):
        IdempotencyKey.objects.filter(**mine, expires_at__lte=now).delete()  # free again
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    **mine, request_hash=fingerprint, created_at=now, expires_at=now + KEEP_FOR
                )
            return row, None
        except IntegrityError:
            # Another request holds the key; the insert waited for it to commit.
            earlier = IdempotencyKey.objects.filter(**mine).first()
            if earlier is not None:
                return None, earlier
    raise Conflict(
        _("Another request with this idempotency key is in progress; try again."),
        code="idempotency_key_in_use",
    )


def _replay(earlier: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        earlier.body, status=earlier.status_code, content_type=earlier.content_type or None
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _client_hash(scope: str, client: str) -> str:
    """A keyed hash: the table holds no address or API key in the clear."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}\n{client}".encode(), hashlib.sha256).hexdigest()


def _file_digest(upload) -> list:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return [upload.name, upload.size, digest.hexdigest()]
