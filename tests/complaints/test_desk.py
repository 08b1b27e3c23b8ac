"""The officials' desk pages: who may see and do what, the queue's filters and order, the status
form (templates, duplicates, transfers, refusals shown inline), assignment, bulk actions,
moderation, and the escalation task that links managers to the desk."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.complaints import selectors, services, tasks
from hamkke.complaints.models import (
    ApiClient,
    Category,
    ComplaintEvent,
    ResponseTemplate,
    Status,
)
from hamkke.core.errors import NotAllowed, NotFound
from hamkke.core.models import AuditEntry, Department, Media, Notification
from tests import factories
from tests.complaints.conftest import JONGNO, jpeg
from tests.factories import log_in

pytestmark = pytest.mark.django_db

OFFICE = "office-11110"  # Jongno-gu's office: litter reported in Jongno goes there


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def office(city):
    return Department.objects.get(city=city, code=OFFICE)


@pytest.fixture
def transport(city):
    return Department.objects.get(city=city, code="transport")


def official(department, role, *, email=None):
    """A member of `department` with `role` and an authenticator app; returns (user, secret)."""
    user = factories.make_official(role=role, department=department, email=email)
    return user, factories.activate_totp(user)


@pytest.fixture
def logged_in(client):
    """Log the test client in as a new official, with password and authenticator code."""

    def make(department, role, *, email=None):
        user, secret = official(department, role, email=email)
        log_in(client, user, secret=secret)
        client.get(reverse("accounts:profile"))  # shows (and so clears) the log-in message
        return user

    return make


def file(category, where=JONGNO, **kwargs):
    kwargs.setdefault("description", "골목에 쓰레기가 쌓여 있습니다.")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], **kwargs
    )


def desk_url(complaint, action=""):
    name = {"": "desk-report", "status": "desk-status", "assign": "desk-assign"}.get(
        action, "desk-moderate"
    )
    return reverse(f"complaints:{name}", args=[complaint.tracking_number])


def page_text(response) -> str:
    return response.content.decode()


# --- who may see and do what ------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, city, category):
    complaint = file(category)
    for url in (reverse("complaints:desk"), desk_url(complaint), reverse("complaints:desk-stats")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_citizens_are_refused_the_desk(client, city, citizen):
    client.force_login(citizen)
    response = client.get(reverse("complaints:desk"))
    assert response.status_code == 403


def test_official_without_the_code_in_this_session_is_asked_for_it(client, city, office):
    user, _secret = official(office, Role.MANAGER)
    client.force_login(user)  # password only: the session never saw the code
    response = client.get(reverse("complaints:desk"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second-factor"))


def test_viewer_reads_but_cannot_change_the_status(client, city, category, office, logged_in):
    complaint = file(category, contact=services.Contact(email="anon@example.org"))
    logged_in(office, Role.VIEWER)

    page = client.get(desk_url(complaint))
    assert page.status_code == 200
    assert "anon@example.org" in page_text(page)  # private contact details, for officials
    assert 'name="status"' not in page_text(page)  # no status form for a viewer

    response = client.post(desk_url(complaint, "status"), {"status": Status.ACCEPTED})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_other_departments_officials_are_refused(client, city, category, transport, logged_in):
    complaint = file(category)  # goes to Jongno's office, not to transport
    logged_in(transport, Role.MANAGER)

    assert client.get(desk_url(complaint)).status_code == 403
    response = client.post(
        desk_url(complaint, "status"), {"status": Status.ACCEPTED, "public_note": "ok"}
    )
    assert response.status_code == 403
    queue = client.get(reverse("complaints:desk"))
    assert queue.status_code == 200
    assert complaint.tracking_number not in page_text(queue)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_handler_changes_status_but_cannot_assign_or_moderate(
    client, city, category, office, logged_in
):
    complaint = file(category)
    logged_in(office, Role.HANDLER)
    colleague, _secret = official(office, Role.HANDLER)

    response = client.post(
        desk_url(complaint, "status"), {"status": Status.ACCEPTED, "public_note": "접수했습니다"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED

    assert client.post(desk_url(complaint, "assign"), {"handler": colleague.pk}).status_code == 403
    hide = client.post(desk_url(complaint, "moderate"), {"action": "hide", "reason": "abuse"})
    assert hide.status_code == 403
    complaint.refresh_from_db()
    assert complaint.handler is None and not complaint.hidden


def test_manager_sees_assignment_and_moderation(client, city, category, office, logged_in):
    complaint = file(category)
    logged_in(office, Role.MANAGER)
    html = page_text(client.get(desk_url(complaint)))
    assert 'id="assignment"' in html
    assert 'id="moderation"' in html


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_the_departments_reports_and_flags_overdue_ones(
    client, city, category, office, logged_in
):
    late = file(category, now=timezone.now() - timedelta(days=category.sla_days + 2))
    fresh = file(category)
    elsewhere = file(Category.objects.get(city=city, code="streetlight"))  # road management
    logged_in(office, Role.VIEWER)

    html = page_text(client.get(reverse("complaints:desk")))
    assert late.tracking_number in html and fresh.tracking_number in html
    assert elsewhere.tracking_number not in html
    late_row = re.search(rf'<tr id="row-{late.tracking_number}"[^>]*>.*?</tr>', html, re.S)
    fresh_row = re.search(rf'<tr id="row-{fresh.tracking_number}"[^>]*>.*?</tr>', html, re.S)
    assert "Overdue" in late_row.group(0)
    assert "Overdue" not in fresh_row.group(0)

    overdue_only = page_text(client.get(reverse("complaints:desk"), {"overdue": "on"}))
    assert late.tracking_number in overdue_only
    assert fresh.tracking_number not in overdue_only


def test_the_sla_sets_the_expected_date_shown_to_officials(
    client, city, category, office, logged_in
):
    filed = datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    complaint = file(category, now=filed)  # litter: 3 days in Seoul's profile
    logged_in(office, Role.VIEWER)
    html = page_text(client.get(desk_url(complaint)))
    assert '<time datetime="2025-03-06T10:00:00+09:00">2025-03-06 10:00</time>' in html
    assert "Overdue" in html  # long past, still open


def test_queue_filters_and_sorts(client, city, category, office, logged_in):
    now = timezone.now()
    oldest = file(category, now=now - timedelta(days=10))
    middle = file(category, now=now - timedelta(days=5))
    newest = file(category, now=now - timedelta(days=1))
    bench = file(Category.objects.get(city=city, code="broken-facility"))
    user = logged_in(office, Role.MANAGER)
    services.assign_handler(complaint=middle, actor=user, handler=None)
    factories.make_membership(
        user=(handler := factories.make_user()), department=office, role=Role.HANDLER
    )
    services.assign_handler(complaint=oldest, actor=user, handler=handler)

    def numbers(**params) -> list[str]:
        html = page_text(client.get(reverse("complaints:desk"), params))
        return re.findall(r'<tr id="row-([0-9A-Z-]+)"', html)

    assert numbers(sort="age", category="litter") == [
        oldest.tracking_number,
        middle.tracking_number,
        newest.tracking_number,
    ]
    assert numbers(sort="newest", category="litter")[0] == newest.tracking_number
    assert numbers(category="broken-facility") == [bench.tracking_number]
    assert oldest.tracking_number not in numbers(assignee="none", category="litter")
    assert numbers(assignee="none", category="litter") == [
        middle.tracking_number,
        newest.tracking_number,
    ]
    start = timezone.localdate(now - timedelta(days=6)).isoformat()
    assert numbers(start=start, category="litter", sort="age") == [
        middle.tracking_number,
        newest.tracking_number,
    ]


def test_queue_hides_closed_reports_unless_asked(client, city, category, office, logged_in):
    complaint = file(category)
    handler, _secret = official(office, Role.HANDLER)
    services.change_status(
        complaint=complaint, actor=handler, status=Status.REJECTED, public_note="사유"
    )
    logged_in(office, Role.VIEWER)
    assert complaint.tracking_number not in page_text(client.get(reverse("complaints:desk")))
    assert complaint.tracking_number in page_text(
        client.get(reverse("complaints:desk"), {"status": "any"})
    )
    assert complaint.tracking_number in page_text(
        client.get(reverse("complaints:desk"), {"status": "rejected"})
    )


def test_queue_switches_between_the_officials_departments(
    client, city, category, office, transport, logged_in
):
    litter = file(category)
    signal = file(Category.objects.get(city=city, code="traffic-signal"))  # transport
    user = logged_in(office, Role.VIEWER)
    factories.make_membership(user=user, department=transport, role=Role.VIEWER)

    everything = page_text(client.get(reverse("complaints:desk")))
    assert litter.tracking_number in everything and signal.tracking_number in everything
    only_transport = page_text(client.get(reverse("complaints:desk"), {"department": "transport"}))
    assert signal.tracking_number in only_transport
    assert litter.tracking_number not in only_transport


def test_htmx_gets_only_the_results(client, city, category, office, logged_in):
    complaint = file(category)
    logged_in(office, Role.VIEWER)
    response = client.get(reverse("complaints:desk"), HTTP_HX_REQUEST="true")
    html = page_text(response)
    assert html.lstrip().startswith('<section id="queue-results"')
    assert complaint.tracking_number in html
    assert "<html" not in html
    # Restoring a page from the browser's history needs the whole page.
    restored = client.get(
        reverse("complaints:desk"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in page_text(restored)


# --- the status form ---------------------------------------------------------------------------


def test_only_allowed_moves_are_offered(client, city, category, office, logged_in):
    complaint = file(category)
    handler = logged_in(office, Role.HANDLER)
    services.change_status(complaint=complaint, actor=handler, status=Status.IN_PROGRESS)
    html = page_text(client.get(desk_url(complaint)))
    select = re.search(r'<select name="status".*?</select>', html, re.S).group(0)
    offered = set(re.findall(r'<option value="([a-z_]+)"', select))
    assert offered == {"resolved", "rejected", "transferred", "duplicate"}


def test_rejecting_without_a_reason_shows_an_error_and_writes_nothing(
    client, city, category, office, logged_in
):
    complaint = file(category)
    logged_in(office, Role.HANDLER)
    events_before = ComplaintEvent.objects.count()
    audit_before = AuditEntry.objects.count()

    response = client.post(desk_url(complaint, "status"), {"status": Status.REJECTED})

    assert response.status_code == 400
    html = page_text(response)
    field = re.search(r'<div class="field field-error">.*?</div>\s*</div>', html, re.S)
    assert field is not None and 'name="public_note"' in field.group(0)
    assert "Write the answer the public will see." in field.group(0)
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    assert ComplaintEvent.objects.count() == events_before
    assert AuditEntry.objects.count() == audit_before


def test_resolving_with_a_note_and_a_result_photo(client, city, category, office, logged_in):
    complaint = file(category)
    user = logged_in(office, Role.HANDLER)
    response = client.post(
        desk_url(complaint, "status"),
        {
            "status": Status.RESOLVED,
            "public_note": "수거를 마쳤습니다.",
            "internal_note": "청소차 2호",
            "result_photos": [jpeg()],
        },
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED and complaint.public_answer == "수거를 마쳤습니다."
    event = ComplaintEvent.objects.get(complaint=complaint, status=Status.RESOLVED)
    assert event.actor == user and event.internal_note == "청소차 2호"
    assert len(selectors.media_of(event)) == 1

    html = page_text(client.get(desk_url(complaint)))
    assert "청소차 2호" in html  # internal notes are on the officials' history
    assert user.email in html  # and who acted


def test_duplicate_links_to_the_original_by_tracking_number(
    client, city, category, office, logged_in
):
    original = file(category)
    copy = file(category)
    logged_in(office, Role.HANDLER)

    unknown = client.post(
        desk_url(copy, "status"), {"status": Status.DUPLICATE, "duplicate_of": "000000-XXXXX"}
    )
    assert unknown.status_code == 400
    assert "No report with number 000000-XXXXX" in page_text(unknown)

    response = client.post(
        desk_url(copy, "status"),
        {"status": Status.DUPLICATE, "duplicate_of": original.tracking_number.lower()},
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original
    assert copy.tracking_number in page_text(client.get(desk_url(original)))


def test_transfer_moves_the_report_out_of_the_queue(
    client, city, category, office, transport, logged_in
):
    complaint = file(category)
    logged_in(office, Role.HANDLER)

    missing = client.post(desk_url(complaint, "status"), {"status": Status.TRANSFERRED})
    assert missing.status_code == 400
    assert "Choose the department to transfer to." in page_text(missing)

    response = client.post(
        desk_url(complaint, "status"),
        {"status": Status.TRANSFERRED, "department": transport.pk, "internal_note": "교통 소관"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.department == transport and complaint.status == Status.TRANSFERRED
    # It is the transport department's now: the office's handler no longer sees it.
    assert client.get(desk_url(complaint)).status_code == 403
    assert complaint.tracking_number not in page_text(client.get(reverse("complaints:desk")))


def test_response_templates_fill_the_public_answer(client, city, category, office, logged_in):
    complaint = file(category)
    mine = ResponseTemplate.objects.create(
        city=city,
        category=category,
        status=Status.RESOLVED,
        title="Litter collected",
        body="The litter was collected today. Thank you.",
    )
    general = ResponseTemplate.objects.create(
        city=city, title="Under review", body="We are looking into it."
    )
    other = ResponseTemplate.objects.create(
        city=city,
        category=Category.objects.get(city=city, code="streetlight"),
        title="Lamp replaced",
        body="The lamp was replaced.",
    )
    logged_in(office, Role.HANDLER)

    plain = page_text(client.get(desk_url(complaint)))
    assert "Litter collected" in plain and "Under review" in plain
    assert "Lamp replaced" not in plain

    picked = page_text(client.get(desk_url(complaint), {"template": mine.pk}))
    note = re.search(r'<textarea name="public_note"[^>]*>(.*?)</textarea>', picked, re.S)
    assert note.group(1).strip() == "The litter was collected today. Thank you."
    assert '<option value="resolved" selected>' in picked

    general_picked = page_text(client.get(desk_url(complaint), {"template": general.pk}))
    note = re.search(r'<textarea name="public_note"[^>]*>(.*?)</textarea>', general_picked, re.S)
    assert note.group(1).strip() == "We are looking into it."

    # Another category's template is not applied even when asked for.
    foreign = page_text(client.get(desk_url(complaint), {"template": other.pk}))
    note = re.search(r'<textarea name="public_note"[^>]*>(.*?)</textarea>', foreign, re.S)
    assert note.group(1).strip() == ""


# --- assignment ----------------------------------------------------------------------------------


def test_manager_assigns_a_handler_of_the_department(client, city, category, office, logged_in):
    complaint = file(category)
    logged_in(office, Role.MANAGER)
    handler, _secret = official(office, Role.HANDLER)
    viewer, _secret = official(office, Role.VIEWER)

    refused = client.post(desk_url(complaint, "assign"), {"handler": viewer.pk})
    assert refused.status_code == 400  # a viewer is not among the choices
    complaint.refresh_from_db()
    assert complaint.handler is None

    response = client.post(desk_url(complaint, "assign"), {"handler": handler.pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.handler == handler
    assert AuditEntry.objects.filter(action="complaint.assign").count() == 1

    client.post(desk_url(complaint, "assign"), {"handler": ""})
    complaint.refresh_from_db()
    assert complaint.handler is None


def test_assigned_to_me_filter(client, city, category, office, logged_in):
    mine = file(category)
    theirs = file(category)
    handler = logged_in(office, Role.HANDLER)
    manager, _secret = official(office, Role.MANAGER)
    services.assign_handler(complaint=mine, actor=manager, handler=handler)
    html = page_text(client.get(reverse("complaints:desk"), {"assignee": "me"}))
    assert mine.tracking_number in html and theirs.tracking_number not in html


# --- bulk actions --------------------------------------------------------------------------------


def test_bulk_accept_reports_which_succeeded_and_which_failed(
    client, city, category, office, logged_in
):
    handler = logged_in(office, Role.HANDLER)
    fresh = file(category)
    already = file(category)
    services.change_status(complaint=already, actor=handler, status=Status.ACCEPTED)
    foreign = file(Category.objects.get(city=city, code="streetlight"))  # road management

    response = client.post(
        reverse("complaints:desk-bulk"),
        {
            "tracking_numbers": [
                fresh.tracking_number,
                already.tracking_number,
                foreign.tracking_number,
            ],
            "action": "accept",
            "next": reverse("complaints:desk") + "?sort=age",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("complaints:desk") + "?sort=age"
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == f"Done for 1 report: {fresh.tracking_number}."
    failures = messages[1:]
    assert len(failures) == 2
    assert failures[0].startswith(f"Not done for {already.tracking_number}: ")
    assert "cannot become" in failures[0]
    assert failures[1].startswith(f"Not done for {foreign.tracking_number}: ")
    assert "handler" in failures[1]
    for complaint in (fresh, already, foreign):
        complaint.refresh_from_db()
    assert fresh.status == Status.ACCEPTED
    assert already.status == Status.ACCEPTED
    assert ComplaintEvent.objects.filter(complaint=already, status=Status.ACCEPTED).count() == 1
    assert foreign.status == Status.RECEIVED


def test_bulk_close_and_transfer(client, city, category, office, transport, logged_in):
    handler = logged_in(office, Role.HANDLER)
    answered = file(category)
    services.change_status(
        complaint=answered, actor=handler, status=Status.RESOLVED, public_note="완료"
    )
    waiting = file(category)
    moving = file(category)

    client.post(
        reverse("complaints:desk-bulk"),
        {
            "tracking_numbers": [answered.tracking_number, waiting.tracking_number],
            "action": "close",
        },
    )
    client.post(
        reverse("complaints:desk-bulk"),
        {
            "tracking_numbers": [moving.tracking_number],
            "action": "transfer",
            "department": transport.pk,
        },
    )
    for complaint in (answered, waiting, moving):
        complaint.refresh_from_db()
    assert answered.status == Status.CLOSED and not answered.is_open
    assert waiting.status == Status.RECEIVED  # received cannot be closed directly
    assert moving.department == transport and moving.status == Status.TRANSFERRED


def test_bulk_assign_needs_a_manager(client, city, category, office, logged_in):
    first, second = file(category), file(category)
    colleague, _secret = official(office, Role.HANDLER)
    logged_in(office, Role.HANDLER)
    data = {
        "tracking_numbers": [first.tracking_number, second.tracking_number],
        "action": "assign",
        "handler": colleague.pk,
    }
    response = client.post(reverse("complaints:desk-bulk"), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 2 and all(m.startswith("Not done for") for m in messages)
    first.refresh_from_db()
    assert first.handler is None

    client.post(reverse("account_logout"))
    logged_in(office, Role.MANAGER)
    client.post(reverse("complaints:desk-bulk"), data)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.handler == colleague and second.handler == colleague


def test_bulk_without_reports_says_so(client, city, office, logged_in):
    logged_in(office, Role.HANDLER)
    response = client.post(reverse("complaints:desk-bulk"), {"action": "accept"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and messages[0].startswith("Reports:")


# --- moderation ----------------------------------------------------------------------------------


def test_hiding_a_report_takes_it_from_the_public(client, city, category, office, logged_in):
    complaint = file(category)
    logged_in(office, Role.MANAGER)

    no_reason = client.post(desk_url(complaint, "moderate"), {"action": "hide", "reason": ""})
    assert no_reason.status_code == 400
    complaint.refresh_from_db()
    assert not complaint.hidden

    response = client.post(
        desk_url(complaint, "moderate"), {"action": "hide", "reason": "개인정보 포함"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.hidden
    with pytest.raises(NotFound):
        selectors.public_complaint(city, complaint.tracking_number)
    assert client.get(f"/open311/v2/requests/{complaint.tracking_number}.json").status_code == 404
    try:
        public_url = reverse("complaints:detail", args=[complaint.tracking_number])
    except NoReverseMatch:
        public_url = None
    if public_url:
        assert client.get(public_url).status_code == 404
    # Officials still see it, flagged, and can show it again.
    assert "Hidden from the public" in page_text(client.get(desk_url(complaint)))
    client.post(desk_url(complaint, "moderate"), {"action": "unhide", "reason": "검토 완료"})
    complaint.refresh_from_db()
    assert not complaint.hidden
    assert selectors.public_complaint(city, complaint.tracking_number) == complaint


def test_editing_the_description_keeps_the_old_text_in_the_log(
    client, city, category, office, logged_in
):
    complaint = file(category, description="010-1234-5678 로 연락주세요. 쓰레기 있음")
    logged_in(office, Role.MANAGER)
    response = client.post(
        desk_url(complaint, "moderate"),
        {"action": "edit", "description": "쓰레기 있음", "reason": "전화번호 삭제"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.description == "쓰레기 있음"
    entry = AuditEntry.objects.get(action="complaint.moderate")
    assert entry.data["description_before"].startswith("010-1234-5678")
    assert entry.data["reason"] == "전화번호 삭제"


def test_hiding_a_photo(client, city, category, office, logged_in):
    complaint = file(category, photos=[jpeg(), jpeg(color=(0, 0, 200))])
    first, second = selectors.media_of(complaint)
    logged_in(office, Role.MANAGER)

    response = client.post(
        desk_url(complaint, "moderate"),
        {"action": "hide_photo", "media": first.pk, "reason": "얼굴이 보임"},
    )
    assert response.status_code == 302
    assert [m.pk for m in selectors.media_of(complaint)] == [second.pk]  # the public's photos
    assert Media.objects.get(pk=first.pk).hidden

    # A photo of another report cannot be reached through this one.
    other = file(category, photos=[jpeg()])
    foreign = selectors.media_of(other)[0]
    refused = client.post(
        desk_url(complaint, "moderate"),
        {"action": "hide_photo", "media": foreign.pk, "reason": "x"},
    )
    assert refused.status_code == 404
    assert not Media.objects.get(pk=foreign.pk).hidden

    client.post(
        desk_url(complaint, "moderate"),
        {"action": "show_photo", "media": first.pk, "reason": "모자이크 확인"},
    )
    assert not Media.objects.get(pk=first.pk).hidden


def test_banning_the_reporter_stops_them_filing(client, city, category, office, citizen, logged_in):
    complaint = file(category, reporter=citizen)
    logged_in(office, Role.MANAGER)

    no_reason = client.post(desk_url(complaint, "moderate"), {"action": "ban", "reason": " "})
    assert no_reason.status_code == 400
    citizen.refresh_from_db()
    assert citizen.banned_at is None

    response = client.post(
        desk_url(complaint, "moderate"), {"action": "ban", "reason": "반복적인 욕설"}
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.banned_at is not None and citizen.ban_reason == "반복적인 욕설"
    assert AuditEntry.objects.filter(action="accounts.ban", target_id=str(citizen.pk)).exists()
    with pytest.raises(NotAllowed):
        file(category, reporter=citizen)

    client.post(desk_url(complaint, "moderate"), {"action": "unban"})
    citizen.refresh_from_db()
    assert citizen.banned_at is None
    assert file(category, reporter=citizen).reporter == citizen


def test_handlers_cannot_ban_and_officials_are_not_banned(client, city, category, office):
    handler, _secret = official(office, Role.HANDLER)
    manager, _secret = official(office, Role.MANAGER)
    citizen = factories.make_user()
    with pytest.raises(NotAllowed):
        services.ban_reporter(complaint=file(category, reporter=citizen), actor=handler, reason="x")
    from hamkke.accounts import services as account_services

    with pytest.raises(NotAllowed):
        account_services.ban_account(actor=manager, user=handler, reason="x")
    citizen.refresh_from_db()
    handler.refresh_from_db()
    assert citizen.banned_at is None and handler.banned_at is None


# --- escalation ----------------------------------------------------------------------------------


def test_escalation_task_notifies_managers_with_a_link_to_the_desk(client, city, category, office):
    manager, secret = official(office, Role.MANAGER)
    official(office, Role.HANDLER)
    late = file(category, now=timezone.now() - timedelta(days=category.sla_days + 1))
    file(category)  # on time

    assert tasks.escalate_overdue_complaints.delay().get() == 1

    notification = Notification.objects.get(recipient=manager, kind="complaints.overdue")
    assert late.tracking_number in notification.title
    assert notification.url == f"/complaints/desk/{late.tracking_number}/"
    late.refresh_from_db()
    assert late.escalated_at is not None
    log_in(client, manager, secret=secret)
    page = client.get(notification.url)
    assert page.status_code == 200
    assert "Escalated to the managers" in page_text(page)


# --- back office -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, city):
    staff = factories.make_user(is_staff=True, is_superuser=True)
    log_in(client, staff, secret=factories.activate_totp(staff))
    return client


def test_back_office_issues_an_api_key_shown_once(admin_client, city):
    form = admin_client.get("/admin/complaints/apiclient/add/")
    assert form.status_code == 200
    response = admin_client.post("/admin/complaints/apiclient/add/", {"name": "Seoul Smart App"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'id="new-key"[^>]*value="([^"]+)"', page_text(response)).group(1)
    client_row = ApiClient.objects.get(name="Seoul Smart App")
    assert key not in (client_row.key_hash, client_row.key_prefix)
    # The key shown is the one that works: an app files a report with it.
    filed = admin_client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "litter",
            "lat": JONGNO[0],
            "long": JONGNO[1],
            "description": "쓰레기",
        },
    )
    assert filed.status_code == 201, filed.content
    # Never again: the list shows the prefix only.
    listing = page_text(admin_client.get("/admin/complaints/apiclient/"))
    assert "Seoul Smart App" in listing and key not in listing

    again = admin_client.post("/admin/complaints/apiclient/add/", {"name": "Seoul Smart App"})
    assert "already has a key" in page_text(again)
    assert ApiClient.objects.filter(name="Seoul Smart App").count() == 1


def test_back_office_reports_are_read_only_and_templates_editable(admin_client, city, category):
    complaint = file(category)
    change = admin_client.get(f"/admin/complaints/complaint/{complaint.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in page_text(change)
    assert admin_client.get("/admin/complaints/complaint/").status_code == 200
    assert admin_client.get("/admin/complaints/category/").status_code == 200
    assert admin_client.get("/admin/complaints/category/add/").status_code == 403

    response = admin_client.post(
        "/admin/complaints/responsetemplate/add/",
        {
            "city": city.pk,
            "category": category.pk,
            "status": "resolved",
            "title": "Collected",
            "body": "Collected today.",
        },
    )
    assert response.status_code == 302
    assert [t.title for t in selectors.templates_for(complaint)] == ["Collected"]
