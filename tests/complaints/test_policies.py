"""complaints.policies: who may do what to a report, as Decisions. The citizens' rules are pure
(unsaved objects, no database); the desk's are checked against the services that enforce
them, so that what the desk offers is exactly what it allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from hamkke.accounts.models import Role, User
from hamkke.complaints import policies, services
from hamkke.complaints.models import Complaint, Status
from hamkke.complaints.selectors import DeskPlace
from hamkke.core.actors import Actor
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.core.models import AuditEntry, Department
from tests import factories
from tests.complaints.conftest import JONGNO

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def person(pk: int) -> User:
    return User(pk=pk, email=f"p{pk}@example.org")


def report(**fields) -> Complaint:
    fields.setdefault("status", Status.RECEIVED)
    fields.setdefault("is_open", fields["status"] not in ("resolved", "rejected", "closed"))
    return Complaint(**fields)


# --- citizens (pure) ---------------------------------------------------------------------------


def test_anyone_may_follow_an_open_public_report_but_not_their_own():
    open_report = report(reporter_id=1)
    assert policies.may_follow(None, open_report)  # offered; logging in comes first
    assert policies.may_follow(person(2), open_report)
    own = policies.may_follow(Actor(user=person(1), address="10.0.0.1"), open_report)
    assert not own and own.error is Conflict
    closed = policies.may_follow(person(2), report(status=Status.CLOSED))
    assert not closed and closed.error is InvalidInput
    assert not policies.may_follow(person(2), report(hidden=True))


def test_only_the_reporter_rates_and_only_an_answer():
    answered = report(reporter_id=1, status=Status.RESOLVED)
    assert policies.may_rate(person(1), answered)
    stranger = policies.may_rate(person(2), answered)
    assert not stranger and stranger.error is NotAllowed
    early = policies.may_rate(person(1), report(reporter_id=1))
    assert not early and early.error is Conflict
    with pytest.raises(NotAllowed, match="Only the person who reported it"):
        policies.may_rate(None, answered).enforce()


def test_reopening_is_the_reporters_within_the_window():
    answered = report(reporter_id=1, status=Status.RESOLVED, resolved_at=NOW)
    within = NOW + timedelta(days=14)
    assert policies.may_reopen(person(1), answered, now=within, reopen_days=14)
    late = policies.may_reopen(person(1), answered, now=within + timedelta(hours=1), reopen_days=14)
    assert not late and late.error is Conflict and "14 days" in late.reason
    assert not policies.may_reopen(person(2), answered, now=NOW, reopen_days=14)


def test_the_public_page_offers_what_the_rules_allow():
    answered = report(reporter_id=1, status=Status.RESOLVED, resolved_at=NOW)
    mine = policies.report_offers(person(1), answered, now=NOW, reopen_days=14)
    assert mine.is_reporter and mine.rate and mine.reopen and not mine.follow
    theirs = policies.report_offers(person(2), answered, now=NOW, reopen_days=14)
    assert not theirs.is_reporter and not theirs.rate and not theirs.reopen


def test_a_banned_account_may_not_file():
    assert policies.may_file(None)
    assert policies.may_file(person(1))
    banned = User(pk=3, banned_at=NOW)
    with pytest.raises(NotAllowed, match="may not file"):
        policies.may_file(banned).enforce()


def test_the_queue_and_bulk_actions_by_place():
    office = Department(code="office", name="Office")
    viewer, handler = DeskPlace(office, Role.VIEWER), DeskPlace(office, Role.HANDLER)
    assert not policies.may_use_desk([])
    assert policies.may_use_desk([viewer])
    assert policies.may_see_queue([viewer], "office")
    refused = policies.may_see_queue([viewer], "transport")
    assert refused.code == "role_required" and "transport" in refused.reason
    assert not policies.may_act_in_bulk([viewer])
    assert policies.may_act_in_bulk([viewer, handler])


# --- the desk: offers agree with the services --------------------------------------------------


def file(category, **kwargs):
    return services.file_complaint(
        category=category,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="골목에 쓰레기가 쌓여 있습니다.",
        **kwargs,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.VIEWER, Role.HANDLER, Role.MANAGER])
def test_desk_offers_match_what_the_services_allow(city, category, citizen, make_official, role):
    complaint = file(category, reporter=citizen)
    official = make_official("office-11110", role)
    offers = policies.desk_offers(policies.seat_at(official, complaint.department), complaint)

    assert bool(offers.handle) == (role >= Role.HANDLER)
    assert bool(offers.assign) == bool(offers.moderate) == (role >= Role.MANAGER)
    assert bool(offers.ban) == (role >= Role.MANAGER) and not offers.unban

    def allowed(service) -> bool:
        try:
            service()
        except NotAllowed:
            return False
        return True

    assert allowed(
        lambda: services.assign_handler(complaint=complaint, actor=official, handler=None)
    ) == bool(offers.assign)
    assert allowed(
        lambda: services.change_status(complaint=complaint, actor=official, status=Status.ACCEPTED)
    ) == bool(offers.handle)
    assert allowed(
        lambda: services.ban_reporter(complaint=complaint, actor=official, reason="abuse")
    ) == bool(offers.ban)


@pytest.mark.django_db
def test_a_closed_report_offers_handlers_no_move(city, category, make_official):
    complaint = file(category)
    handler = make_official("office-11110", Role.HANDLER)
    services.change_status(complaint=complaint, actor=handler, status=Status.ACCEPTED)
    services.change_status(
        complaint=complaint, actor=handler, status=Status.RESOLVED, public_note="치웠습니다"
    )
    services.change_status(complaint=complaint, actor=handler, status=Status.CLOSED)
    complaint.refresh_from_db()
    seat = policies.seat_at(handler, complaint.department)
    assert policies.may_handle(seat)
    assert not policies.may_answer(seat, complaint)
    assert policies.moves_offered(seat, complaint) == frozenset()
    refused = policies.may_change_status(seat, complaint, Status.REOPENED)
    assert not refused and refused.error is Conflict


@pytest.mark.django_db
def test_other_departments_and_anonymous_are_refused_in_requires_words(city, category):
    complaint = file(category)
    outsider = factories.make_user()
    factories.make_membership(
        user=outsider, department=Department.objects.get(code="transport"), role=Role.MANAGER
    )
    refused = policies.may_read(policies.seat_at(outsider, complaint.department))
    assert refused.code == "role_required" and complaint.department.display_name in refused.reason
    nobody = policies.may_read(policies.seat_at(None, complaint.department))
    assert nobody.code == "not_official"


@pytest.mark.django_db
def test_an_actors_address_is_in_the_audit_log(city, category, make_official):
    complaint = file(category)
    manager = make_official("office-11110", Role.MANAGER)
    services.moderate_complaint(
        complaint=complaint,
        actor=Actor(user=manager, address="203.0.113.7"),
        hidden=True,
        reason="개인정보",
    )
    entry = AuditEntry.objects.get(action="complaint.moderate")
    assert entry.actor == manager and entry.ip_address == "203.0.113.7"
