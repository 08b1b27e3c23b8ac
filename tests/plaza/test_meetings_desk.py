"""The meetings desk, driven through its pages as an official does: handlers of the committee's
department (with their second factor) create and edit meetings with agenda, attendees and
videos, write the minutes (masked, with the findings shown first) and mark meetings held or
cancelled; others are refused; bad input is refused by name and nothing is half-written."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hamkke.accounts.models import Role
from hamkke.core.models import AuditEntry, Department, Media
from hamkke.plaza.models import (
    AgendaItem,
    Attendee,
    Committee,
    Meeting,
    MeetingStatus,
    VideoClip,
)
from tests import factories
from tests.core.test_video import make_video
from tests.plaza import test_meetings as shared
from tests.plaza.test_meetings import SEOUL, text_of

# The meetings' fixtures, shared with the public pages' tests.
committee = shared.committee
make_meeting = shared.make_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def official(client):
    """Log the client in as a new official of `department` with `role` (password and code)."""

    def make(department, role=Role.HANDLER):
        user = factories.make_official(role=role, department=department)
        factories.log_in_official(client, user)
        return user

    return make


@pytest.fixture
def transport(city):
    return Department.objects.get(city=city, code="transport")


def rows(prefix: str, items: list[dict], extra: int = 1) -> dict:
    """A formset's fields as the browser sends them: `items`, then empty rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def meeting_form(committee, *, agenda=(), attendees=(), **fields) -> dict:
    data = {
        "committee": str(committee.pk),
        "title": "제7차 기획경제위원회",
        "starts_at": "2026-12-01T10:00",
        "ends_at": "2026-12-01T12:00",
        "place": "서울시청 본관 3층 회의실",
        "disclosure": "open",
        "legal_ground": "",
        "record_number": "",
    }
    data.update(fields)
    data.update(rows("agenda", list(agenda)))
    data.update(rows("attendee", list(attendees)))
    return data


AGENDA = [
    {"number": "1", "title": "2027년 예산안", "video_offset": "0", "paper_number": ""},
    {"number": "2", "title": "조례 개정안", "result": "원안 가결", "video_offset": "25:30"},
]
ATTENDEES = [
    {"role_title": "위원장", "name": "김위원장", "is_chair": "on"},
    {"role_title": "정보기획관", "department": "information-planning"},
]


# --- who may ------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, city):
    response = client.get(reverse("plaza:meetings-desk"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_citizens_and_viewers_are_refused(client, citizen, department, official):
    factories.log_in(client, citizen)
    assert client.get(reverse("plaza:meetings-desk")).status_code == 403
    official(department, Role.VIEWER)
    assert client.get(reverse("plaza:meetings-desk")).status_code == 403
    assert client.get(reverse("plaza:meetings-desk-new")).status_code == 403


def test_an_official_without_the_second_factor_is_asked_for_it(client, department):
    user = factories.make_official(role=Role.HANDLER, department=department)
    factories.log_in(client, user)
    response = client.get(reverse("plaza:meetings-desk"))
    assert response.status_code == 302 and "/accounts/login/" not in response.url


def test_another_departments_handler_can_neither_see_nor_change_the_meeting(
    client, committee, make_meeting, transport, official
):
    meeting = make_meeting(title="원래 제목")
    official(transport)
    assert client.get(reverse("plaza:meetings-desk-meeting", args=[meeting.pk])).status_code == 403
    response = client.post(
        reverse("plaza:meetings-desk-meeting", args=[meeting.pk]),
        meeting_form(committee, title="바뀐 제목"),
    )
    assert response.status_code == 403
    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "영상", "url": "https://v.example/a.mp4"},
    )
    assert response.status_code == 403
    response = client.post(reverse("plaza:meetings-desk-cancel", args=[meeting.pk]))
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.title == "원래 제목" and meeting.status == MeetingStatus.SCHEDULED
    assert not meeting.videos.exists()
    # Nor can they create a meeting for the committee: it is not among their choices.
    response = client.post(reverse("plaza:meetings-desk-new"), meeting_form(committee))
    assert response.status_code == 400
    assert Meeting.objects.count() == 1
    # And their desk does not list it.
    assert "원래 제목" not in text_of(client.get(reverse("plaza:meetings-desk")))


# --- creating and editing ----------------------------------------------------------------------


def test_a_handler_creates_a_meeting_with_agenda_attendees_and_a_video_link(
    client, committee, department, make_document, official
):
    user = official(department)
    paper = make_document(title="예산안 설명서", number="SEOUL-2026-001")
    agenda = [dict(AGENDA[0], paper_number="SEOUL-2026-001"), AGENDA[1]]
    response = client.post(
        reverse("plaza:meetings-desk-new"),
        meeting_form(committee, agenda=agenda, attendees=ATTENDEES),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert response.url == reverse("plaza:meetings-desk-meeting", args=[meeting.pk])
    assert meeting.starts_at == datetime(2026, 12, 1, 10, tzinfo=SEOUL)
    items = list(meeting.agenda.values_list("order", "number", "title", "result"))
    assert items == [(1, "1", "2027년 예산안", ""), (2, "2", "조례 개정안", "원안 가결")]
    assert [i.video_offset_seconds for i in meeting.agenda.all()] == [0, 25 * 60 + 30]
    assert meeting.agenda.get(order=1).paper == paper
    chair, planner = meeting.attendees.all()
    assert (chair.role_title, chair.name, chair.is_chair) == ("위원장", "김위원장", True)
    assert planner.department == department and not planner.is_chair

    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "본회의 영상", "url": "https://video.seoul.example/7.mp4", "duration": "2:00:00"},
    )
    assert response.status_code == 302
    clip = VideoClip.objects.get()
    assert (clip.url, clip.duration_seconds) == ("https://video.seoul.example/7.mp4", 7200)

    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "2027년 예산안" in page and "예산안 설명서" in page and "김위원장" in page
    assert 'data-seek="1530"' in page
    actions = list(
        AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["plaza.meeting.created", "plaza.meeting.video_added"]


def test_editing_keeps_the_agenda_items_ids_and_clearing_a_row_removes_it(
    client, committee, department, official
):
    official(department)
    client.post(reverse("plaza:meetings-desk-new"), meeting_form(committee, agenda=AGENDA))
    meeting = Meeting.objects.get()
    first, second = meeting.agenda.all()
    edit = text_of(client.get(reverse("plaza:meetings-desk-meeting", args=[meeting.pk])))
    assert 'value="25:30"' in edit  # the offset is shown as people write it

    changed = [dict(AGENDA[1], title="조례 개정안(수정)"), AGENDA[0]]
    response = client.post(
        reverse("plaza:meetings-desk-meeting", args=[meeting.pk]),
        meeting_form(committee, agenda=changed),
    )
    assert response.status_code == 302
    assert list(meeting.agenda.values_list("pk", "order", "title")) == [
        (first.pk, 1, "조례 개정안(수정)"),
        (second.pk, 2, "2027년 예산안"),
    ]
    blank = {"number": "", "title": "", "result": "", "video_offset": "", "paper_number": ""}
    response = client.post(
        reverse("plaza:meetings-desk-meeting", args=[meeting.pk]),
        meeting_form(committee, agenda=[blank, AGENDA[0]]),
    )
    assert response.status_code == 302
    assert list(meeting.agenda.values_list("pk", "title")) == [(first.pk, "2027년 예산안")]


def test_a_handler_adds_a_committee(client, department, official):
    official(department)
    response = client.post(
        reverse("plaza:meetings-desk-committee"),
        {
            "name": "도시계획위원회",
            "name_en": "Urban Planning",
            "kind": "",
            "department": department.pk,
        },
    )
    assert response.status_code == 302
    added = Committee.objects.get(name="도시계획위원회")
    assert (added.name_en, added.department) == ("Urban Planning", department)
    page = text_of(client.get(reverse("plaza:meetings-desk")))
    assert "Urban Planning" in page  # the English page shows the English name


def test_a_closed_meeting_is_kept_at_the_desk_but_never_public(
    client, committee, department, official
):
    official(department)
    form = meeting_form(
        committee, title="인사 위원회", disclosure="closed", legal_ground="art9-1-1"
    )
    assert client.post(reverse("plaza:meetings-desk-new"), form).status_code == 302
    meeting = Meeting.objects.get()
    assert "인사 위원회" in text_of(client.get(reverse("plaza:meetings-desk")))
    client.logout()
    assert client.get(reverse("plaza:meeting", args=[meeting.pk])).status_code == 404
    assert "인사 위원회" not in text_of(client.get(reverse("plaza:meetings")))


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at": "9999-12-31T10:00", "ends_at": ""}, "The date must be between"),
        ({"ends_at": "2026-12-01T09:00"}, "The meeting must end after it starts."),
        ({"title": ""}, "This field is required."),
        ({"disclosure": "closed"}, "needs the legal ground"),
        ({"record_number": "NO-SUCH-DOC"}, "No document is numbered NO-SUCH-DOC."),
    ],
)
def test_bad_meetings_are_refused_by_name_and_nothing_is_written(
    client, committee, department, official, fields, message
):
    official(department)
    form = meeting_form(committee, agenda=AGENDA, attendees=ATTENDEES, **fields)
    response = client.post(reverse("plaza:meetings-desk-new"), form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Meeting.objects.exists()
    assert not AgendaItem.objects.exists() and not Attendee.objects.exists()


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        ("-5", "Write the moment as seconds"),
        ("1:75", "Write the moment as seconds"),
        ("١٢", "Write the moment as seconds"),
        ("999999", "the start in the video is a number of seconds from 0"),
    ],
)
def test_bad_offsets_are_refused(client, committee, department, official, offset, message):
    official(department)
    agenda = [dict(AGENDA[0], video_offset=offset)]
    response = client.post(
        reverse("plaza:meetings-desk-new"), meeting_form(committee, agenda=agenda)
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Meeting.objects.exists()


def test_two_items_cannot_start_at_the_same_moment(client, committee, department, official):
    official(department)
    agenda = [dict(AGENDA[0], video_offset="1:00"), dict(AGENDA[1], video_offset="60")]
    response = client.post(
        reverse("plaza:meetings-desk-new"), meeting_form(committee, agenda=agenda)
    )
    assert response.status_code == 400
    assert "Agenda items 1 and 2 start at the same moment" in text_of(response)


def test_offsets_beyond_the_videos_length_are_refused(client, committee, department, official):
    official(department)
    client.post(reverse("plaza:meetings-desk-new"), meeting_form(committee, agenda=AGENDA))
    meeting = Meeting.objects.get()
    # The second item starts at 25:30; a 20-minute first video cannot hold it.
    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "영상", "url": "https://v.example/a.mp4", "duration": "20:00"},
    )
    assert response.status_code == 400
    assert "starts 1530 seconds into the video, but the video lasts 1200 seconds" in text_of(
        response
    )
    assert not VideoClip.objects.exists()

    client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "영상", "url": "https://v.example/a.mp4", "duration": "30:00"},
    )
    late = [AGENDA[0], dict(AGENDA[1], video_offset="31:00")]
    response = client.post(
        reverse("plaza:meetings-desk-meeting", args=[meeting.pk]),
        meeting_form(committee, agenda=late),
    )
    assert response.status_code == 400
    assert "but the video lasts 1800 seconds" in text_of(response)
    assert meeting.agenda.get(order=2).video_offset_seconds == 1530


BAD_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:video/mp4;base64,AAAA",
    "file:///etc/passwd",
    "ftp://video.example/a.mp4",
    "https://",
    "//video.example/a.mp4",
]
NOT_A_VIDEO = object()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        *[({"url": url}, "starting with https:// or http://") for url in BAD_URLS],
        ({"url": ""}, "Upload a video file or give its address."),
        ({"file": NOT_A_VIDEO}, "is not a video we can take"),
    ],
)
def test_bad_videos_are_refused(client, make_meeting, department, official, sent, message):
    meeting = make_meeting()
    official(department)
    if sent.get("file") is NOT_A_VIDEO:
        sent = {"file": SimpleUploadedFile("clip.mp4", b"not a video", content_type="video/mp4")}
    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]), {"title": "영상", **sent}
    )
    assert response.status_code == 400
    assert message in text_of(response)
    assert not VideoClip.objects.exists()


# --- uploads -----------------------------------------------------------------------------------


def test_an_uploaded_video_is_stored_for_the_meeting(client, make_meeting, department, official):
    meeting = make_meeting()
    official(department)
    upload = SimpleUploadedFile("clip.mov", make_video(seconds=2), content_type="video/quicktime")
    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "회의 영상", "file": upload},
    )
    assert response.status_code == 302
    clip = VideoClip.objects.select_related("media").get()
    assert clip.media.target == meeting
    assert clip.duration_seconds == 2
    client.logout()
    assert client.get(clip.media.url).status_code == 200


def test_an_upload_too_short_for_the_agenda_is_refused_and_its_files_removed(
    client, make_meeting, department, official, settings
):
    meeting = make_meeting(agenda=[("개회", 0, None), ("안건", 30, None)])
    official(department)
    upload = SimpleUploadedFile("clip.mov", make_video(seconds=2), content_type="video/quicktime")
    response = client.post(
        reverse("plaza:meetings-desk-video", args=[meeting.pk]),
        {"title": "회의 영상", "file": upload},
    )
    assert response.status_code == 400
    assert "starts 30 seconds into the video, but the video lasts 2 seconds" in text_of(response)
    assert not VideoClip.objects.exists() and not Media.objects.exists()
    media_root = Path(settings.MEDIA_ROOT)
    assert [p for p in media_root.rglob("*") if p.is_file()] == []


def test_removing_a_video(client, make_meeting, department, official):
    meeting = make_meeting()
    clip = VideoClip.objects.create(meeting=meeting, title="영상", url="https://v.example/a.mp4")
    official(department)
    response = client.post(reverse("plaza:meetings-desk-video-remove", args=[meeting.pk, clip.pk]))
    assert response.status_code == 302
    assert not VideoClip.objects.exists()


# --- minutes and status ------------------------------------------------------------------------

MINUTES = (
    "위원장: 개회합니다.\n민원인 연락처 010-1234-5678, 주민번호 900101-1234567, hong@example.org"
)


def test_minutes_show_what_is_masked_before_they_are_saved(
    client, make_meeting, department, official
):
    meeting = make_meeting()
    official(department)
    url = reverse("plaza:meetings-desk-minutes", args=[meeting.pk])
    preview = text_of(client.post(url, {"minutes": MINUTES, "action": "preview"}))
    assert "3 pieces of personal data will be masked" in preview
    assert "010-1234-5678" in preview and "010-****-5678" in preview
    assert "phone number" in preview and "resident registration number" in preview
    meeting.refresh_from_db()
    assert meeting.minutes == ""  # nothing stored by the preview

    response = client.post(url, {"minutes": MINUTES, "action": "save"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert "010-****-5678" in meeting.minutes and "900101-*******" in meeting.minutes
    assert "1234-5678" not in meeting.minutes and "hong@example.org" not in meeting.minutes
    page = text_of(client.get(reverse("plaza:meetings-desk-meeting", args=[meeting.pk])))
    assert "3 pieces of personal data were masked" in page
    public = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "010-****-5678" in public and "010-1234-5678" not in public


def test_a_meeting_is_marked_held_once_it_has_begun(client, make_meeting, department, official):
    future = make_meeting(starts_at=datetime.now(SEOUL) + timedelta(days=1))
    begun = make_meeting(starts_at=datetime.now(SEOUL) - timedelta(hours=1))
    official(department)
    page = text_of(client.get(reverse("plaza:meetings-desk-meeting", args=[future.pk])))
    assert "Mark held" not in page and "Cancel the meeting" in page
    response = client.post(reverse("plaza:meetings-desk-held", args=[future.pk]), follow=True)
    assert "A meeting is marked held once it has begun." in text_of(response)
    future.refresh_from_db()
    assert future.status == MeetingStatus.SCHEDULED

    client.post(reverse("plaza:meetings-desk-held", args=[begun.pk]))
    begun.refresh_from_db()
    assert begun.status == MeetingStatus.HELD
    response = client.post(reverse("plaza:meetings-desk-cancel", args=[begun.pk]), follow=True)
    assert "Only a scheduled meeting can be marked held or cancelled." in text_of(response)

    client.post(reverse("plaza:meetings-desk-cancel", args=[future.pk]))
    future.refresh_from_db()
    assert future.status == MeetingStatus.CANCELLED
    assert "Cancelled" in text_of(client.get(reverse("plaza:meeting", args=[future.pk])))


# --- the back office ---------------------------------------------------------------------------


def test_staff_look_meetings_up_in_the_back_office_without_changing_them(client, make_meeting):
    meeting = make_meeting(title="백오피스에서 보는 회의", agenda=[("개회", 0, None)])
    staff = factories.make_user(is_staff=True, is_superuser=True)
    factories.log_in_official(client, staff)
    listed = client.get("/admin/plaza/meeting/")
    assert listed.status_code == 200 and "백오피스에서 보는 회의" in text_of(listed)
    shown = client.get(f"/admin/plaza/meeting/{meeting.pk}/change/")
    assert shown.status_code == 200 and "개회" in text_of(shown)
    assert 'name="_save"' not in text_of(shown)
    response = client.post(f"/admin/plaza/meeting/{meeting.pk}/change/", {"title": "바뀜"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.title == "백오피스에서 보는 회의"
