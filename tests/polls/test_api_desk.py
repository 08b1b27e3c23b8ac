"""The officials' M-Voting API (/api/v1/polls/desk): the role and the second factor, posing a
poll (and its refusals), reviewing citizens' proposals, voting codes, closing and publishing,
recording the decision; CSRF on writes; every refusal 4xx JSON with nothing half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.core.models import Department
from hamkke.polls import services
from hamkke.polls.models import Poll, State, VotingCode
from tests import factories
from tests.polls.conftest import draft, options_of, phone_voter

pytestmark = pytest.mark.django_db

DESK = "/api/v1/polls/desk"
API = "/api/v1/polls"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages."""


def post(client, path, payload=None, **extra):
    return client.post(f"{DESK}{path}", payload or {}, content_type="application/json", **extra)


@pytest.fixture
def as_official(client):
    """Log the test client in as a new official of `department` holding `role`, with their
    password and authenticator code, as officials log in."""

    def log_in(department, role):
        official = factories.make_official(role=role, department=department)
        factories.log_in_official(client, official)
        return official

    return log_in


def poll_json(issuer, **values) -> dict:
    now = timezone.now()
    data = {
        "department": issuer.code,
        "slug": "night-buses",
        "title": "Night buses on weekdays",
        "description": "Should the night buses run every night?",
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "questions": [
            {"text": "Run them every night?", "options": ["Yes", "No"]},
            {
                "text": "Which lines first?",
                "kind": "multiple",
                "options": ["N13", "N26", "N37"],
                "max_choices": 2,
            },
        ],
        "eligibility": "signed_in",
    }
    data.update(values)
    return data


def test_officials_only_with_their_second_factor(client, department):
    body = poll_json(department)
    assert post(client, "/polls", body).status_code == 401
    client.force_login(factories.make_user())
    citizen = post(client, "/polls", body)
    assert (citizen.status_code, citizen.json()["code"]) == (403, "role_required")
    official = factories.make_official(role=Role.MANAGER, department=department)
    factories.activate_totp(official)
    client.force_login(official)  # a session without the authenticator code
    refused = post(client, "/polls", body)
    assert (refused.status_code, refused.json()["code"]) == (403, "second_factor_required")
    assert not Poll.objects.exists()


def test_posing_a_poll(client, department, as_official):
    as_official(department, Role.HANDLER)
    answer = post(client, "/polls", poll_json(department))
    assert answer.status_code == 201, answer.json()
    poll = answer.json()
    assert (poll["slug"], poll["status"], poll["origin"], poll["eligibility"]) == (
        "night-buses",
        "open",
        "city",
        "signed_in",
    )
    assert poll["department"] == {"code": department.code, "name": department.display_name}
    assert [q["kind"] for q in poll["questions"]] == ["single", "multiple"]
    assert poll["questions"][1]["max_choices"] == 2
    assert [o["text"] for o in poll["questions"][1]["options"]] == ["N13", "N26", "N37"]
    # The public sees it at once.
    assert Client().get(f"{API}/night-buses").json()["title"] == "Night buses on weekdays"


def test_a_retried_poll_with_its_idempotency_key_is_posed_once(client, department, as_official):
    as_official(department, Role.HANDLER)
    headers = {"Idempotency-Key": "desk-poll-1"}
    body = poll_json(department)
    first = post(client, "/polls", body, headers=headers)
    again = post(client, "/polls", body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Poll.objects.count() == 1
    other = post(client, "/polls", {**body, "title": "Other"}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")


@pytest.mark.parametrize(
    ("values", "status", "field"),
    [
        ({"opens_at": "2026-05-01T09:00:00"}, 400, "opens_at"),  # no offset
        ({"closes_at": "9999-12-31T23:59:59+00:00"}, 400, "closes_at"),
        ({"department": "no-such-department"}, 400, "department"),
        ({"eligibility": "districts", "districts": ["11110", "99999"]}, 400, "districts"),
        ({"eligibility": "districts", "districts": []}, 400, "districts"),
        ({"eligibility": "age"}, 400, "age_min"),
        ({"eligibility": "everyone"}, 400, "eligibility"),
        ({"questions": []}, 400, "questions"),
        ({"questions": [{"text": "Yes?", "kind": "dice", "options": ["a", "b"]}]}, 400, None),
        ({"title": "A\x00B"}, 400, None),
        ({"age_min": -3, "eligibility": "age"}, 400, "age_min"),
    ],
)
def test_bad_polls_are_refused_and_leave_nothing(
    client, department, as_official, values, status, field
):
    as_official(department, Role.HANDLER)
    answer = post(client, "/polls", poll_json(department, **values))
    assert answer.status_code == status, answer.json()
    if field:
        assert answer.json()["field"] == field
    assert not Poll.objects.exists()


def test_a_slug_taken_is_refused(client, department, as_official):
    as_official(department, Role.HANDLER)
    assert post(client, "/polls", poll_json(department)).status_code == 201
    taken = post(client, "/polls", poll_json(department))
    assert (taken.status_code, taken.json()["field"]) == (400, "slug")
    assert Poll.objects.count() == 1


def test_only_for_ones_own_department(client, department, as_official):
    as_official(department, Role.MANAGER)
    other = Department.objects.exclude(pk=department.pk).filter(city=department.city).first()
    refused = post(client, "/polls", poll_json(other))
    assert (refused.status_code, refused.json()["code"]) == (403, "role_required")
    assert not Poll.objects.exists()


def proposed() -> Poll:
    return services.propose_poll(
        actor=phone_voter(), draft=draft(title="Benches in parks", description="More benches")
    )


def test_approving_a_proposal(client, department, as_official):
    poll = proposed()
    as_official(department, Role.HANDLER)
    handler = post(client, f"/{poll.slug}/approve", {"department": department.code})
    assert (handler.status_code, handler.json()["code"]) == (403, "role_required")
    as_official(department, Role.MANAGER)
    opens = timezone.now() + timedelta(days=1)
    answer = post(
        client,
        f"/{poll.slug}/approve",
        {"department": department.code, "opens_at": opens.isoformat()},
    )
    assert answer.status_code == 200, answer.json()
    approved = answer.json()
    assert (approved["status"], approved["department"]["code"]) == ("upcoming", department.code)
    # The profile's 14 days from the opening (Seoul's profile leaves the default).
    poll.refresh_from_db()
    assert poll.closes_at - poll.opens_at == timedelta(
        days=services.polls_settings().citizen_poll_days
    )
    again = post(client, f"/{poll.slug}/approve", {"department": department.code})
    assert (again.status_code, again.json()["code"]) == (409, "not_proposed")


def test_rejecting_a_proposal(client, department, as_official):
    poll = proposed()
    as_official(department, Role.MANAGER)
    empty = post(client, f"/{poll.slug}/reject", {"department": department.code, "reason": " "})
    assert (empty.status_code, empty.json()["field"]) == (400, "reason")
    answer = post(
        client, f"/{poll.slug}/reject", {"department": department.code, "reason": "Not ours"}
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "rejected"
    assert Poll.objects.get(pk=poll.pk).state == State.REJECTED
    assert Client().get(f"{API}/{poll.slug}").status_code == 404


def test_voting_codes_made_at_the_desk_vote_once(client, department, as_official):
    official = as_official(department, Role.HANDLER)
    services.create_poll(
        actor=official,
        department=department,
        draft=draft(eligibility="codes"),
        slug="coded",
    )
    answer = post(client, "/coded/codes", {"count": 3})
    assert answer.status_code == 201, answer.json()
    codes = answer.json()["codes"]
    assert len(set(codes)) == 3
    assert all(len(code) == 14 and code[4] == code[9] == "-" for code in codes)
    assert VotingCode.objects.filter(poll__slug="coded").count() == 3
    # Only their hashes are kept.
    assert not VotingCode.objects.filter(code_key__in=codes).exists()
    (q1, q2), (single, ranking) = options_of(Poll.objects.get(slug="coded"))
    body = {
        "code": codes[0],
        "answers": [
            {"question": q1, "options": [single[0]]},
            {"question": q2, "options": [ranking[0]]},
        ],
    }
    anyone = Client()
    vote = anyone.post(f"{API}/coded/ballots", body, content_type="application/json")
    assert vote.status_code == 201
    for count in (0, 100_001):
        refused = post(client, "/coded/codes", {"count": count})
        assert refused.status_code == 422


def test_codes_only_for_a_code_poll(client, department, as_official):
    official = as_official(department, Role.HANDLER)
    services.create_poll(actor=official, department=department, draft=draft(), slug="plain")
    refused = post(client, "/plain/codes", {"count": 2})
    assert (refused.status_code, refused.json()["code"]) == (409, "no_codes")
    assert not VotingCode.objects.exists()


def test_closing_publishes_and_then_the_decision(client, department, as_official):
    official = as_official(department, Role.MANAGER)
    poll = services.create_poll(actor=official, department=department, draft=draft(), slug="bus")
    (q1, q2), (single, ranking) = options_of(poll)
    services.cast_ballot(
        actor=phone_voter(), poll=poll, answers={q1: [single[1]], q2: [ranking[0]]}
    )
    early = post(client, "/bus/decision", {"outcome": "adopted", "text": "We will."})
    assert (early.status_code, early.json()["code"]) == (409, "not_published")

    closed = post(client, "/bus/close")
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["ballots"]) == ("closed", 1)
    listed = Client().get(f"{API}/bus/ballots").json()
    assert [a["options"] for a in listed["items"][0]["answers"]] == [[single[1]], [ranking[0]]]
    twice = post(client, "/bus/close")
    assert (twice.status_code, twice.json()["code"]) == (409, "published")

    bad = post(client, "/bus/decision", {"outcome": "maybe", "text": "Hm."})
    assert (bad.status_code, bad.json()["field"]) == (400, "outcome")
    decided = post(client, "/bus/decision", {"outcome": "partly_adopted", "text": "Some lines."})
    assert decided.status_code == 200
    assert decided.json()["outcome"] == "partly_adopted"
    assert decided.json()["decision"]["text"] == "Some lines."
    adopted = Client().get(f"{API}/adopted").json()
    assert [item["slug"] for item in adopted["items"]] == ["bus"]
    assert adopted["counts"]["partly_adopted"] == 1


def test_a_handler_may_not_close_or_decide(client, department, as_official):
    official = as_official(department, Role.HANDLER)
    services.create_poll(actor=official, department=department, draft=draft(), slug="bus")
    for path in ("/bus/close", "/bus/decision"):
        refused = post(client, path, {"outcome": "adopted", "text": "x"})
        assert (refused.status_code, refused.json()["code"]) == (403, "role_required"), path
    assert Poll.objects.get(slug="bus").published_at is None


def test_unknown_polls_are_404(client, department, as_official):
    as_official(department, Role.MANAGER)
    for path in ("/nothing/close", "/nothing/codes", "/nothing/approve"):
        answer = post(client, path, {"count": 1, "department": department.code})
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path


def test_desk_writes_need_the_csrf_token(client, department, as_official):
    as_official(department, Role.HANDLER)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = client.cookies  # the same signed-in session, sending no token
    refused = browser.post(f"{DESK}/polls", poll_json(department), content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    assert not Poll.objects.exists()
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"{DESK}/polls",
        poll_json(department),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201


def test_the_openapi_document_lists_the_desk(client, city):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/polls/desk/polls",
        "/api/v1/polls/desk/{slug}/approve",
        "/api/v1/polls/desk/{slug}/reject",
        "/api/v1/polls/desk/{slug}/codes",
        "/api/v1/polls/desk/{slug}/close",
        "/api/v1/polls/desk/{slug}/decision",
    ):
        operation = paths[path]["post"]
        assert operation["summary"] and operation["description"], path
        assert operation["tags"] == ["polls desk"]
        assert operation["security"], path
