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
from datetime import date

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


def _fuzz(
    operation, mode: GenerationMode, checks: list, session: str, path: dict | None = None
) -> str | None:
    """Run one operation's examples of one mode; the failures schemathesis found, or None.
    `path` fixes path parameters (a real poll's slug) where the operation has them."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        if path and case.path_parameters:
            fixed = {name: path[name] for name in case.path_parameters if name in path}
            case.path_parameters = {**case.path_parameters, **fixed}
        response = case.call(cookies={"sessionid": session})
        case.validate_response(response, checks=checks)

    try:
        fuzz()
    except Unsatisfiable:
        return None  # no input of this mode exists for the operation
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its failures
        where = f" at {path}" if path else ""
        return f"{operation.label} ({mode}){where}:\n{exc}"
    return None


def _checks_of(schema, operation) -> list:
    if _holds_a_tuple(schema.raw_schema, operation.definition.raw.get("responses", {})):
        return CHECKS
    return [*CHECKS, response_schema_conformance]


def _modes_of(operation) -> list[GenerationMode]:
    if _negatable(operation):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _operations_under(prefix: str, *, but: str = ""):
    """The API's schema and its operations whose path starts with `prefix` (and not `but`)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path.startswith(prefix) and not (but and operation.path.startswith(but))
    ]
    return schema, operations


def _fuzz_on(schema, operations, session: str, paths_of=lambda operation: [None]) -> list[str]:
    """Each operation's examples of each mode, once for each path `paths_of(operation)` gives
    (its path parameters fixed to real rows; None: none fixed); the failures found."""
    failures: list[str] = []
    for operation in operations:
        checks = _checks_of(schema, operation)
        for path in paths_of(operation):
            for mode in _modes_of(operation):
                if (failure := _fuzz(operation, mode, checks, session, path)) is not None:
                    failures.append(failure)
    return failures


def _paths_from(rows: dict):
    """paths_of for a fixture of real values by path parameter: the operation's first such
    parameter, each of its values."""

    def paths_of(operation) -> list[dict | None]:
        names = [p.name for p in operation.path_parameters if p.name in rows]
        return [{names[0]: value} for value in rows[names[0]]] if names else [None]

    return paths_of


def test_no_operation_answers_5xx_or_a_status_it_does_not_document(
    city, citizen_session, quiet_request_log
):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40  # the document lists every app's operations
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        checks = _checks_of(schema, operation)
        for mode in _modes_of(operation):
            if (failure := _fuzz(operation, mode, checks, citizen_session)) is not None:
                failures.append(failure)
    print(f"fuzzed {len(operations)} operations in {time.monotonic() - started:.0f}s")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_polls(city) -> dict:
    """Polls the fuzz reaches by their slugs, one of each kind that answers differently: open
    to every account with live results and re-voting, closed and published with a ballot, a
    citizen's proposal, open to code holders. Returns the slugs, a receipt and the session of
    a manager of their department (logged in with the second factor)."""
    from datetime import timedelta

    from django.utils import timezone

    from hamkke.accounts.models import Role
    from hamkke.polls import services
    from tests.polls.conftest import draft, options_of, phone_voter, polls_department

    department = polls_department()
    manager = factories.make_official(role=Role.MANAGER, department=department)
    now = timezone.now()

    def pose(slug: str, **fields):
        return services.create_poll(
            actor=manager, department=department, draft=draft(**fields), slug=slug
        )

    pose("fuzz-open", eligibility="signed_in", results_live=True, revote=True)
    pose("fuzz-codes", eligibility="codes")
    closed = pose("fuzz-closed", opens_at=now - timedelta(days=2))
    (q1, q2), (single, ranking) = options_of(closed)
    cast = services.cast_ballot(
        actor=phone_voter(), poll=closed, answers={q1: [single[0]], q2: [ranking[1], ranking[0]]}
    )
    services.close_poll(actor=manager, poll=closed)
    proposal = services.propose_poll(actor=phone_voter(), draft=draft(title="fuzz proposal"))
    client = Client()
    factories.log_in_official(client, manager)
    return {
        "slugs": ["fuzz-open", "fuzz-codes", "fuzz-closed", proposal.slug],
        "receipt": cast.receipt,
        "official_session": client.cookies["sessionid"].value,
    }


def test_the_polls_operations_on_real_polls(city, citizen_session, fuzz_polls, quiet_request_log):
    """The polls operations again, each on every kind of poll (the first test's random slugs
    find none): the public ones as a citizen, the desk's as its manager (who may close polls
    and make codes, so they come last)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path.startswith("/api/v1/polls/")
    ]
    desk = [o for o in operations if o.path.startswith("/api/v1/polls/desk/")]
    public = [o for o in operations if o not in desk]
    assert len(public) >= 10 and len(desk) >= 6
    failures: list[str] = []
    for operations_of, session in (
        (public, citizen_session),
        (desk, fuzz_polls["official_session"]),
    ):
        for operation in operations_of:
            checks = _checks_of(schema, operation)
            on_a_poll = any(p.name == "slug" for p in operation.path_parameters)
            for slug in fuzz_polls["slugs"] if on_a_poll else [None]:
                path = {"slug": slug, "receipt": fuzz_polls["receipt"]} if slug else None
                for mode in _modes_of(operation):
                    if (failure := _fuzz(operation, mode, checks, session, path)) is not None:
                        failures.append(failure)
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_ideas(city) -> dict:
    """Ideas the fuzz reaches by their ids, one in each stage that answers differently: open,
    with the Oasis office to answer, answered, in a discussion that has ended, under review
    (assigned to an expert), adopted, and hidden. Returns the ids, the expert's id, and the
    sessions of the expert and of a manager of the office (both with the second factor)."""
    from datetime import timedelta

    from django.utils import timezone

    from hamkke.accounts.models import Role
    from hamkke.ideas import services
    from hamkke.ideas.models import Theme
    from tests.ideas.conftest import OFFICE, department, make_expert, post
    from tests.ideas.test_api import forward, taken_to
    from tests.polls.conftest import phone_voter

    office_manager = factories.make_official(role=Role.MANAGER, department=department(OFFICE))
    handler = factories.make_official(role=Role.HANDLER, department=department("transport"))
    expert = make_expert(office_manager)
    author = phone_voter()
    transport = Theme.objects.get(city=city, code="transport")
    welfare = Theme.objects.get(city=city, code="welfare")  # answered by the office itself

    def taken(stage: str):
        return taken_to(
            stage,
            author=author,
            theme=transport,
            expert=expert,
            handler=handler,
            office_manager=office_manager,
        )

    with_office = forward(post(author, welfare, title="fuzz welfare"), expert)
    hidden = post(author, transport, title="fuzz hidden")
    services.set_idea_hidden(actor=office_manager, idea=hidden, hidden=True)
    ideas = [
        post(author, transport, title="fuzz open", now=timezone.now() - timedelta(hours=1)),
        with_office,
        taken("answered"),
        taken("discussion"),
        taken("review"),
        taken("adopted"),
        hidden,
    ]
    sessions = {}
    for name, person in (("expert", expert.user), ("office", office_manager)):
        client = Client()
        factories.log_in_official(client, person)
        sessions[name] = client.cookies["sessionid"].value
    return {"ids": [idea.pk for idea in ideas], "expert": expert.pk, "sessions": sessions}


def test_the_ideas_operations_on_real_ideas(city, citizen_session, fuzz_ideas, quiet_request_log):
    """The ideas operations again, each on an idea in every stage (the first test's random ids
    find none): the public ones as a citizen, the experts' again as the assigned expert (who
    scores and rescues), the desk's as a manager of the Oasis office (who decides and promotes,
    so they come last)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
    operations = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path.startswith("/api/v1/ideas/")
        and not operation.path.startswith("/api/v1/ideas/contests/")
    ]
    desk = [o for o in operations if o.path.startswith("/api/v1/ideas/desk/")]
    public = [o for o in operations if o not in desk]
    experts = [o for o in public if o.path.rsplit("/", 1)[-1] in ("reviews", "review", "rescue")]
    assert len(public) >= 14 and len(experts) == 3 and len(desk) >= 12
    sessions = fuzz_ideas["sessions"]
    failures: list[str] = []
    for operations_of, session in (
        (public, citizen_session),
        (experts, sessions["expert"]),
        (desk, sessions["office"]),
    ):
        for operation in operations_of:
            checks = _checks_of(schema, operation)
            on_an_idea = any(p.name == "idea_id" for p in operation.path_parameters)
            for idea_id in fuzz_ideas["ids"] if on_an_idea else [None]:
                path = {"idea_id": idea_id, "expert_id": fuzz_ideas["expert"]}
                for mode in _modes_of(operation):
                    if (failure := _fuzz(operation, mode, checks, session, path)) is not None:
                        failures.append(failure)
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_places(city) -> dict:
    """Places the fuzz reaches by their ids, one of each layer that answers differently: a
    WiFi site with an access point in service and one retired, a charger site with hours, a
    facility, a retired facility (404), an event and a route visiting the facility; the
    coverage computed. Returns the ids by path parameter."""
    from datetime import timedelta

    from django.utils import timezone

    from hamkke.places import services
    from tests.places.conftest import BUKCHON, CITY_HALL, PALACE

    def place(layer: str, ref: str, point, **values):
        lat, lon = point
        fields = {"ref": ref, "name": f"fuzz {ref}", "latitude": lat, "longitude": lon}
        return services.save_place(actor=None, layer=layer, values={**fields, **values})[0]

    wifi = place("wifi-sites", "WF-1", CITY_HALL, kind="1. 주요거리", hours="Mo-Fr 09:00-18:00")
    services.save_access_point(actor=None, values={"ref": "AP-1", "site_ref": "WF-1"})
    services.save_access_point(
        actor=None, values={"ref": "AP-2", "site_ref": "WF-1", "status": "closed"}
    )
    plug = place("chargers", "CH-1", PALACE, charger_count=4, hours="24/7")
    museum = place("facilities", "F-1", BUKCHON, kind="museum")
    retired = services.retire(actor=None, place=place("facilities", "F-2", PALACE, kind="toilet"))
    now = timezone.now()
    lat, lon = BUKCHON
    event, _new = services.save_event(
        actor=None,
        values={
            "ref": "E-1",
            "title": "fuzz event",
            "latitude": lat,
            "longitude": lon,
            "starts_at": now,
            "ends_at": now + timedelta(hours=2),
            "hours": "Sa 10:00-12:00",
            "languages": "ko,en",
        },
    )
    route, _new = services.save_route(
        actor=None,
        values={"ref": "R-1", "name": "fuzz route"},
        stops=[
            services.StopDraft("museum", *BUKCHON, museum),
            services.StopDraft("plaza", *CITY_HALL),
        ],
    )
    services.recompute_coverage()
    return {
        "place_id": [wifi.pk, plug.pk, museum.pk, retired.pk],
        "event_id": [event.pk],
        "route_id": [route.pk],
        "layer": ["wifi-sites", "wifi-aps", "chargers", "facilities", "events", "routes"],
    }


def test_the_places_operations_on_real_places(
    city, citizen_session, fuzz_places, quiet_request_log
):
    """The places operations again, each on real rows (the first test's random ids and
    layers find none): every layer, a WiFi site, charger, facility and a retired one, an
    event and a route, and the coverage once computed."""
    schema, operations = _operations_under("/api/v1/places/", but="/api/v1/places/desk/")
    assert len(operations) >= 9
    failures = _fuzz_on(schema, operations, citizen_session, _paths_from(fuzz_places))
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_imports(city) -> dict:
    """Import jobs the fuzz reaches by their ids (one checked, one done, one failed) and the
    session of a handler of the department that keeps the places (with the second factor)."""
    from hamkke.accounts.models import Role
    from hamkke.core.imports import engine
    from tests.places.conftest import KEEPER, PALACE
    from tests.places.test_importing import SEOUL_HEADER, csv_bytes, seoul_row

    def job(data: bytes):
        return engine.check(engine.submit("places", actor=None, data=data, file_name="f.csv").pk)

    wifi = csv_bytes([seoul_row("FZ-1"), seoul_row("FZ-2", point=PALACE)], SEOUL_HEADER)
    checked = job(wifi)
    done = job(wifi)
    engine.confirm(done.pk, actor=None, queue=False)
    engine.run(done.pk)
    failed = job(b"\xff\xfe\x00\xd8 not text")
    from hamkke.core.models import Department

    keeper = Department.objects.get(city=city, code=KEEPER)
    handler = factories.make_official(role=Role.HANDLER, department=keeper)
    client = Client()
    factories.log_in_official(client, handler)
    return {
        "importer": ["places"],
        "job_id": [checked.pk, done.pk, failed.pk],
        "session": client.cookies["sessionid"].value,
    }


def test_the_imports_operations_as_the_registry_keeper(city, fuzz_imports, quiet_request_log):
    """The imports operations with a keeper's session on real jobs (the first test's citizen
    is refused everything): sending files, reading, confirming, the rejected rows."""
    schema, operations = _operations_under("/api/v1/imports/")
    assert len(operations) == 5

    def paths_of(operation) -> list[dict]:
        jobs = fuzz_imports["job_id"] if "job_id" in operation.path else [None]
        return [{"importer": "places", **({"job_id": job} if job else {})} for job in jobs]

    failures = _fuzz_on(schema, operations, fuzz_imports["session"], paths_of)
    assert not failures, "\n\n".join(failures)


def test_the_places_desk_operations_as_its_handler(city, fuzz_places, quiet_request_log):
    """The places desk's operations as a handler of the keeping department (signed in with the
    second factor), each on real registry numbers of its layer: a WiFi site, a charger site, a
    retired facility, an access point in service and one retired, an event, a route. Writes
    reach the services, so refusals of every kind are answered as documented."""
    from hamkke.accounts.models import Role
    from hamkke.places import services

    handler = factories.make_official(role=Role.HANDLER, department=services.keeper_of(city))
    client = Client()
    factories.log_in_official(client, handler)
    session = client.cookies["sessionid"].value
    refs = {
        "/api/v1/places/desk/places/": ["WF-1", "CH-1", "F-2"],
        "/api/v1/places/desk/wifi-aps/": ["AP-1", "AP-2"],
        "/api/v1/places/desk/events/": ["E-1"],
        "/api/v1/places/desk/routes/": ["R-1"],
    }
    schema, operations = _operations_under("/api/v1/places/desk/")
    assert len(operations) >= 19

    def paths_of(operation) -> list[dict | None]:
        if not any(p.name == "ref" for p in operation.path_parameters):
            return [None]
        values = next(v for prefix, v in refs.items() if operation.path.startswith(prefix))
        return [{"ref": ref} for ref in values]

    failures = _fuzz_on(schema, operations, session, paths_of)
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_parking(city, citizen_session) -> dict:
    """A lot with a shared spot, the fuzz citizen verified by phone, and their reservation."""
    from datetime import timedelta

    from django.utils import timezone

    from hamkke.accounts.identity import phone_key
    from hamkke.accounts.models import User, VerificationMethod, VerifiedIdentity
    from hamkke.iot.parking import services
    from tests.iot.conftest import BUKCHON, provision
    from tests.polls.conftest import phone_voter

    citizen = User.objects.get(email="fuzz@example.org")
    VerifiedIdentity.objects.create(
        user=citizen, method=VerificationMethod.PHONE, identity_key=phone_key("+821099990001")
    )
    lot = services.create_lot(name="Fuzz lot", latitude=BUKCHON[0], longitude=BUKCHON[1])
    spot = provision("parking", ref="FZ-P1", lot=lot).device.asset
    holder = phone_voter()
    services.register_holder(spot=spot, user=holder)
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    window = services.share_window(
        spot=spot, start=start, end=start + timedelta(hours=8), actor=holder
    )
    made = services.reserve(
        window=window, start=start, end=start + timedelta(hours=1), actor=citizen
    )
    return {"code": [made.code]}


def test_the_parking_operations_on_real_rows(
    city, citizen_session, fuzz_parking, quiet_request_log
):
    """The parking operations on a real lot, window and reservation of the fuzz citizen."""
    schema, operations = _operations_under("/api/v1/iot/parking/")
    assert len(operations) >= 6
    failures = _fuzz_on(schema, operations, citizen_session, _paths_from(fuzz_parking))
    assert not failures, "\n\n".join(failures)


def test_the_iot_alarms_operations_as_their_keeper(city, quiet_request_log):
    """The alarms API as a handler of the department that keeps the sensors, on real alarms:
    an active one (acknowledging it works once, then 409), a cleared illegal-parking alarm
    with its complaint, and ids that exist nowhere."""
    from django.utils import timezone

    from hamkke.accounts.models import Role
    from hamkke.iot import services
    from hamkke.iot.alarms.models import Alarm
    from tests.iot.alarms.conftest import bin_sensor, evaluate, minutes, send, zone

    now = timezone.now()
    full, parked = bin_sensor(), zone()
    send(full, now - minutes(40), fillingLevel=0.95, batteryLevel=0.05)
    send(parked, now - minutes(20), status="occupied")
    evaluate(city, now - minutes(2))
    send(parked, now - minutes(1), status="free")
    evaluate(city, now)
    handler = factories.make_official(role=Role.HANDLER, department=services.keeper_of(city))
    client = Client()
    factories.log_in_official(client, handler)
    session = client.cookies["sessionid"].value
    ids = list(Alarm.objects.values_list("pk", flat=True))
    schema, operations = _operations_under("/api/v1/iot/alarms")
    assert len(operations) == 3
    failures = _fuzz_on(schema, operations, session, _paths_from({"alarm_id": ids}))
    assert not failures, "\n\n".join(failures)


def test_the_iot_bins_operations_on_real_rows(city, quiet_request_log):
    """The smart bins' operations as a handler of the sensors' keeping department (signed in
    with the second factor), on real rows: a bin read half full (none due, so a plan made by
    the fuzz is quick), a truck, a day with a plan and one without."""
    from hamkke.accounts.models import Role
    from hamkke.iot.bins import services as bin_services
    from hamkke.iot.services import keeper_of
    from tests.iot.bins.conftest import bin_at, truck

    bin_at((0.001, 0), 0.5)
    kept = truck("Fuzz truck")
    bin_services.make_plan(day=date(2030, 1, 2), seconds=0.1)
    handler = factories.make_official(role=Role.HANDLER, department=keeper_of(city))
    client = Client()
    factories.log_in_official(client, handler)
    session = client.cookies["sessionid"].value
    schema, operations = _operations_under("/api/v1/iot/bins/")
    assert len(operations) >= 9
    rows = {"truck_id": [kept.pk], "day": ["2030-01-02", "2030-01-03"]}
    failures = _fuzz_on(schema, operations, session, _paths_from(rows))
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def fuzz_iot(city) -> None:
    """Assets the map's GeoJSON finds: a parking spot with its state, a bin, a zone with no
    reading yet, in two districts."""
    from django.utils import timezone

    from hamkke.iot import services
    from tests.iot.conftest import BUKCHON, CITY_HALL, payload, provision

    spot = provision("parking", point=BUKCHON)
    provision("waste-container", point=CITY_HALL)
    provision("illegal-parking", point=BUKCHON)
    now = timezone.now()
    message = services.Message(spot.device.pk, payload(now, status="free"), now)
    services.ingest([message])


def test_the_iot_map_operations_on_real_assets(city, citizen_session, fuzz_iot, quiet_request_log):
    """The map's GeoJSON, its filters thrown at real assets: 200 or a documented 400."""
    schema, operations = _operations_under("/api/v1/iot/assets")
    assert len(operations) == 1
    failures = _fuzz_on(schema, operations, citizen_session)
    assert not failures, "\n\n".join(failures)
