"""The JSON API fuzzed from its own OpenAPI document (/api/v1/openapi.json) with schemathesis:
every operation gets inputs that fit its schema and inputs that do not, sent in process through
Django's own request handler, as a signed-in citizen (so writes get past the sign-in and reach
the services). No answer may be a 5xx, and every status must be one the document lists for the
operation, in the format it lists.

Bounded: HAMKKE_FUZZ_EXAMPLES examples per operation and mode (6 by default: under a minute on
the project's two-core machine), derandomised so a run is repeatable; raise it to search deeper."""

from __future__ import annotations

import logging
import os
import time

import pytest
import schemathesis
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HAMKKE_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


class InProcessApp:
    """A WSGI app over Django's test request handler: the handler of every request, but in the
    test's database transaction (Django's WSGIHandler would close the connection after each
    request) and with the address a real server always sets."""

    def __init__(self):
        # The session's CSRF check is tested apart; here it would stop every write at 403.
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        environ.setdefault("REMOTE_ADDR", "127.0.0.1")
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", c.output(header="").strip()) for c in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response) if response.streaming else response.content]


@pytest.fixture
def quiet_request_log():
    """Thousands of refused requests are each logged as a warning; only errors are of use."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def citizen_session(city) -> str:
    client = Client()
    client.force_login(factories.make_user(email="fuzz@example.org", display_name="Fuzz"))
    assert client.session[SESSION_KEY]
    return client.cookies["sessionid"].value


def _negatable(operation) -> bool:
    """Whether inputs that break the schema exist: a path's text parameter takes any text, so an
    operation with nothing else has none (schemathesis would search for them in vain)."""
    if operation.query or operation.body:
        return True
    return any(
        p.definition.get("schema", {}).get("type") != "string" for p in operation.path_parameters
    )


def _holds_a_tuple(document: dict, node, seen: frozenset = frozenset()) -> bool:
    """Whether a schema, refs followed, declares a tuple (`prefixItems`): schemathesis 4.32
    rewrites those in a form its own response validator then refuses, so their answers cannot be
    checked against the schema (their status and format still are)."""
    if isinstance(node, list):
        return any(_holds_a_tuple(document, child, seen) for child in node)
    if not isinstance(node, dict):
        return False
    if "prefixItems" in node:
        return True
    ref = node.get("$ref")
    if isinstance(ref, str) and ref not in seen:
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return _holds_a_tuple(document, target, seen | {ref})
    return any(_holds_a_tuple(document, child, seen) for child in node.values())


def _fuzz(operation, mode: GenerationMode, checks: list, session: str) -> str | None:
    """Run one operation's examples of one mode; the failures schemathesis found, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        response = case.call(cookies={"sessionid": session})
        case.validate_response(response, checks=checks)

    try:
        fuzz()
    except Unsatisfiable:
        return None  # no input of this mode exists for the operation
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures
        return f"{operation.label} ({mode}):\n{exc}"
    return None


def test_no_operation_answers_5xx_or_a_status_it_does_not_document(
    city, citizen_session, quiet_request_log
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the document lists every app's operations
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        checks = CHECKS
        if not _holds_a_tuple(schema.raw_schema, operation.definition.raw.get("responses", {})):
            checks = [*CHECKS, response_schema_conformance]
        modes = [GenerationMode.POSITIVE]
        if _negatable(operation):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:
            if (failure := _fuzz(operation, mode, checks, citizen_session)) is not None:
                failures.append(failure)
    print(f"fuzzed {len(operations)} operations in {time.monotonic() - started:.0f}s")
    assert not failures, "\n\n".join(failures)
