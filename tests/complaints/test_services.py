"""Filing, routing, duplicates, the officials' workflow, SLA escalation and the reporter's
rating and reopening, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.complaints import selectors, services
from hamkke.complaints.models import Category, Complaint, ComplaintEvent, Status
from hamkke.core.errors import Conflict, InvalidInput, InvalidUpload, NotAllowed, OutsideCity
from hamkke.core.models import AuditEntry, Department, Location, Media, Notification
from tests import factories
from tests.complaints.conftest import BUKCHON, BUSAN, JONGNO, MAPO, jpeg

pytestmark = pytest.mark.django_db


def file(category, where=JONGNO, **kwargs):
    kwargs.setdefault("description", "골목에 쓰레기가 쌓여 있습니다.")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], **kwargs
    )


# --- routing -------------------------------------------------------------------------------


def test_categories_come_from_the_profile(city):
    codes = set(Category.objects.filter(city=city, active=True).values_list("code", flat=True))
    assert {"road-damage", "illegal-parking", "litter", "streetlight"} <= codes


def test_district_route_goes_to_the_gu_office(city, category):
    complaint = file(category, where=MAPO)
    assert complaint.department.name == "마포구청"
    assert complaint.district.name == "마포구"


def test_department_route_ignores_the_district(city):
    streetlight = Category.objects.get(city=city, code="streetlight")
    assert file(streetlight, where=MAPO).department.code == "road-management"


def test_profile_override_for_one_district(city):
    parking = Category.objects.get(city=city, code="illegal-parking")
    # Seoul's profile sends illegal parking in Jongno-gu (the Bukchon pilot) to transport.
    assert file(parking, where=BUKCHON, answers={}).department.code == "transport"
    assert file(parking, where=MAPO).department.name == "마포구청"


# --- filing --------------------------------------------------------------------------------


def test_filing_sets_receipt_sla_and_history(
    city, category, citizen, django_capture_on_commit_callbacks
):
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(category, reporter=citizen)
    assert complaint.status == Status.RECEIVED and complaint.is_open
    assert len(complaint.tracking_number) == 12
    expected = complaint.created_at + timedelta(days=category.sla_days)
    assert complaint.expected_at == expected
    assert complaint.created_at >= before
    events = list(complaint.events.all())
    assert [e.status for e in events] == [Status.RECEIVED]
    assert Notification.objects.filter(recipient=citizen, kind="complaints.status").count() == 1


def test_tracking_numbers_differ(city, category):
    numbers = {file(category).tracking_number for _ in range(20)}
    assert len(numbers) == 20


def test_outside_the_city_leaves_nothing(city, category):
    with pytest.raises(OutsideCity):
        file(category, where=BUSAN, photos=[jpeg()])
    assert not Complaint.objects.exists()
    assert not Location.objects.exists()
    assert not Media.objects.exists()


def test_a_fake_photo_leaves_no_report_and_no_file(city, category, settings):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", "image/jpeg")
    with pytest.raises(InvalidUpload):
        file(category, photos=[jpeg(), fake])
    assert not Complaint.objects.exists()
    assert not Media.objects.exists()
    stored = (
        [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
        if settings.MEDIA_ROOT.exists()
        else []
    )
    assert stored == []


def test_photos_are_attached_and_limited_to_five(city, category):
    complaint = file(category, photos=[jpeg(), jpeg()])
    assert len(selectors.media_of(complaint)) == 2
    with pytest.raises(InvalidInput, match="5"):
        file(category, photos=[jpeg() for _ in range(6)])


def test_description_of_10000_characters_is_refused(city, category):
    with pytest.raises(InvalidInput) as error:
        file(category, description="가" * 10_000)
    assert "4000" in error.value.message or "4,000" in error.value.message
    assert not Complaint.objects.exists()


def test_empty_report_is_refused(city, category):
    with pytest.raises(InvalidInput):
        file(category, description="   ")


def test_required_extra_question(city, english):
    road = Category.objects.get(city=city, code="road-damage")
    with pytest.raises(InvalidInput, match="Size of the damage"):
        file(road)
    with pytest.raises(InvalidInput, match="one of"):
        file(road, answers={"pothole_size": "enormous"})
    with pytest.raises(InvalidInput, match="no question"):
        file(road, answers={"pothole_size": "small", "colour": "red"})
    assert file(road, answers={"pothole_size": "large"}).answers == {"pothole_size": "large"}


def test_banned_account_cannot_file(city, category, citizen):
    citizen.banned_at = timezone.now()
    citizen.save()
    with pytest.raises(NotAllowed):
        file(category, reporter=citizen)


def test_anonymous_contact_stays_on_the_report(city, category):
    complaint = file(category, contact=services.Contact(name="홍길동", email="hong@example.org"))
    assert complaint.reporter is None
    assert complaint.contact_email == "hong@example.org"


# --- duplicates ----------------------------------------------------------------------------


def test_open_reports_nearby_are_suggested(city, category):
    near = file(category, where=JONGNO)
    # About 55 m north: inside the default 100 m radius.
    close_by = (JONGNO[0] + 0.0005, JONGNO[1])
    far = file(category, where=(JONGNO[0] + 0.003, JONGNO[1]))  # about 330 m away
    found = selectors.open_nearby(category, *close_by)
    assert [n.complaint.pk for n in found] == [near.pk]
    assert 50 < found[0].distance_m < 60
    assert far.pk not in [n.complaint.pk for n in found]


def test_closed_or_other_category_reports_are_not_suggested(city, category, make_official):
    official = make_official("office-11110", Role.HANDLER)
    done = file(category, where=JONGNO)
    services.change_status(
        complaint=done, actor=official, status=Status.RESOLVED, public_note="치웠습니다."
    )
    other = Category.objects.get(city=city, code="streetlight")
    file(other, where=JONGNO)
    assert selectors.open_nearby(category, *JONGNO) == []


def test_me_too_follows_once(city, category, citizen):
    complaint = file(category)
    services.follow_complaint(complaint=complaint, actor=citizen)
    with pytest.raises(Conflict):
        services.follow_complaint(complaint=complaint, actor=citizen)
    complaint.refresh_from_db()
    assert complaint.followers_count == 1


# --- officials -----------------------------------------------------------------------------


def test_handler_of_the_department_moves_the_report(
    city, category, make_official, citizen, django_capture_on_commit_callbacks
):
    handler = make_official("office-11110", Role.HANDLER)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(category, reporter=citizen)
        services.change_status(complaint=complaint, actor=handler, status=Status.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            complaint=complaint,
            actor=handler,
            status=Status.RESOLVED,
            public_note="수거를 마쳤습니다.",
            internal_note="청소차 3호",
        )
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and not complaint.is_open
    assert complaint.resolved_at is not None
    assert complaint.public_answer == "수거를 마쳤습니다."
    statuses = list(complaint.events.values_list("status", flat=True))
    assert statuses == [Status.RECEIVED, Status.ACCEPTED, Status.RESOLVED]
    assert AuditEntry.objects.filter(action="complaint.resolved", actor=handler).count() == 1
    titles = list(Notification.objects.filter(recipient=citizen).values_list("title", flat=True))
    assert len(titles) == 3
    assert len(mail.outbox) == 3


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_viewer_or_other_department_is_refused(city, category, make_official, role):
    complaint = file(category)
    viewer = make_official("office-11110", role)
    other = make_official("office-11440", Role.MANAGER)  # Mapo's office
    for actor in (viewer, other):
        with pytest.raises(NotAllowed):
            services.change_status(complaint=complaint, actor=actor, status=Status.ACCEPTED)
    assert complaint.events.count() == 1


def test_rejecting_needs_a_reason_and_illegal_moves_are_refused(city, category, make_official):
    complaint = file(category)
    handler = make_official("office-11110")
    with pytest.raises(InvalidInput):
        services.change_status(complaint=complaint, actor=handler, status=Status.REJECTED)
    with pytest.raises(Conflict):
        services.change_status(complaint=complaint, actor=handler, status=Status.CLOSED)


def test_duplicate_links_to_the_original(city, category, make_official):
    original, copy = file(category), file(category)
    handler = make_official("office-11110")
    with pytest.raises(InvalidInput):
        services.change_status(complaint=copy, actor=handler, status=Status.DUPLICATE)
    services.change_status(
        complaint=copy,
        actor=handler,
        status=Status.DUPLICATE,
        duplicate_of=original,
        public_note="",
    )
    copy.refresh_from_db()
    assert copy.duplicate_of == original and not copy.is_open


def test_transfer_moves_the_report_to_another_department(city, category, make_official):
    complaint = file(category)
    handler = make_official("office-11110")
    environment = Department.objects.get(city=city, code="climate-environment")
    services.change_status(
        complaint=complaint,
        actor=handler,
        status=Status.TRANSFERRED,
        department=environment,
        public_note="환경부서로 이관합니다.",
    )
    complaint.refresh_from_db()
    assert complaint.department == environment and complaint.is_open
    # The old department's handler no longer may act; the new one's may.
    with pytest.raises(NotAllowed):
        services.change_status(complaint=complaint, actor=handler, status=Status.ACCEPTED)
    newcomer = make_official("climate-environment")
    services.change_status(complaint=complaint, actor=newcomer, status=Status.ACCEPTED)


def test_manager_assigns_only_handlers_of_the_department(city, category, make_official):
    complaint = file(category)
    manager = make_official("office-11110", Role.MANAGER)
    handler = make_official("office-11110", Role.HANDLER)
    outsider = make_official("office-11440", Role.HANDLER)
    services.assign_handler(complaint=complaint, actor=manager, handler=handler)
    complaint.refresh_from_db()
    assert complaint.handler == handler
    with pytest.raises(InvalidInput):
        services.assign_handler(complaint=complaint, actor=manager, handler=outsider)
    with pytest.raises(NotAllowed):
        services.assign_handler(complaint=complaint, actor=handler, handler=handler)


# --- SLA -----------------------------------------------------------------------------------


def test_overdue_reports_are_escalated_once_to_managers(city, category, make_official):
    manager = make_official("office-11110", Role.MANAGER)
    make_official("office-11110", Role.HANDLER)
    past = timezone.now() - timedelta(days=category.sla_days + 1)
    late = file(category, now=past)
    on_time = file(category)
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.escalated_at is not None and on_time.escalated_at is None
    assert Notification.objects.filter(recipient=manager, kind="complaints.overdue").count() == 1


# --- the reporter --------------------------------------------------------------------------


def _resolved(category, citizen, make_official, when=None):
    complaint = file(category, reporter=citizen)
    handler = make_official("office-11110")
    services.change_status(
        complaint=complaint,
        actor=handler,
        status=Status.RESOLVED,
        public_note="처리했습니다.",
        now=when,
    )
    return complaint


def test_reporter_rates_the_answer(city, category, citizen, make_official):
    complaint = _resolved(category, citizen, make_official)
    with pytest.raises(InvalidInput):
        services.rate_answer(complaint=complaint, actor=citizen, rating=6)
    services.rate_answer(complaint=complaint, actor=citizen, rating=4, comment="빨랐어요")
    stranger = factories.make_user()
    with pytest.raises(NotAllowed):
        services.rate_answer(complaint=complaint, actor=stranger, rating=1)
    complaint.refresh_from_db()
    assert complaint.rating == 4


def test_reporter_reopens_within_the_window_only(city, category, citizen, make_official):
    fresh = _resolved(category, citizen, make_official)
    services.reopen_by_reporter(complaint=fresh, actor=citizen, reason="아직 그대로입니다.")
    fresh.refresh_from_db()
    assert fresh.status == Status.REOPENED and fresh.is_open
    old = _resolved(category, citizen, make_official, when=timezone.now() - timedelta(days=30))
    with pytest.raises(Conflict, match="14"):
        services.reopen_by_reporter(complaint=old, actor=citizen, reason="다시 봐 주세요")


# --- moderation ----------------------------------------------------------------------------


def test_manager_hides_a_report_from_the_public(city, category, make_official):
    complaint = file(category)
    handler = make_official("office-11110", Role.HANDLER)
    manager = make_official("office-11110", Role.MANAGER)
    with pytest.raises(NotAllowed):
        services.moderate_complaint(
            complaint=complaint, actor=handler, hidden=True, reason="개인정보"
        )
    services.moderate_complaint(
        complaint=complaint, actor=manager, hidden=True, reason="개인정보 포함"
    )
    from hamkke.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.public_complaint(city, complaint.tracking_number)
    assert AuditEntry.objects.filter(action="complaint.moderate").count() == 1


def test_events_keep_internal_notes_apart(city, category, make_official):
    complaint = file(category)
    handler = make_official("office-11110")
    services.change_status(
        complaint=complaint,
        actor=handler,
        status=Status.ACCEPTED,
        public_note="접수했습니다",
        internal_note="내부 메모",
    )
    event = ComplaintEvent.objects.get(complaint=complaint, status=Status.ACCEPTED)
    assert (event.public_note, event.internal_note) == ("접수했습니다", "내부 메모")


def test_anonymous_reporter_hears_by_email_and_text(
    city, category, make_official, settings, django_capture_on_commit_callbacks
):
    from hamkke.accounts.sms import MemorySMSBackend

    settings.HAMKKE_SMS_BACKEND = "hamkke.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    complaint = file(
        category, contact=services.Contact(email="anon@example.org", phone="010-2222-3333")
    )
    handler = make_official("office-11110")
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(complaint=complaint, actor=handler, status=Status.ACCEPTED)
    assert [m.to for m in mail.outbox] == [["anon@example.org"]]
    assert complaint.tracking_number in mail.outbox[0].body
    assert [m.phone for m in MemorySMSBackend.outbox] == ["010-2222-3333"]
