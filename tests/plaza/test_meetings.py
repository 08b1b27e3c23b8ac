"""The Plaza's public meetings: the list, a meeting's page (agenda, papers only when public,
attendees, minutes, video and chapters), the WebVTT chapters track and the JSON API. A closed
meeting is on none of them. The fixtures here are shared with the desk's and OParl's tests."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hamkke.core.media.services import store_video
from hamkke.core.models import Media
from hamkke.plaza.meetings.selectors import meetings_on
from hamkke.plaza.models import (
    AgendaItem,
    Attendee,
    Committee,
    Disclosure,
    Meeting,
    MeetingStatus,
    VideoClip,
)
from tests.core.test_video import make_video

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SEOUL = ZoneInfo("Asia/Seoul")
GROUND = "art9-1-1"  # a legal ground of Seoul's profile


# --- shared fixtures ---------------------------------------------------------------------------


@pytest.fixture
def committee(city, department):
    return Committee.objects.create(
        city=city,
        department=department,
        name="기획경제위원회",
        name_en="Planning and Economy Committee",
        kind="standing committee",
    )


@pytest.fixture
def make_meeting(committee):
    """A meeting of the committee (open, in the future unless told), with agenda items given as
    (title, offset seconds, paper document or None)."""

    def make(*, agenda=(), **fields):
        fields.setdefault("title", "제5차 기획경제위원회")
        fields.setdefault("starts_at", datetime.now(SEOUL) + timedelta(days=3))
        if fields.get("disclosure", Disclosure.OPEN) != Disclosure.OPEN:
            fields.setdefault("legal_ground", GROUND)
        meeting = Meeting.objects.create(committee=fields.pop("committee", committee), **fields)
        for order, (title, offset, paper) in enumerate(agenda, start=1):
            AgendaItem.objects.create(
                meeting=meeting,
                order=order,
                number=str(order),
                title=title,
                video_offset_seconds=offset,
                paper=paper,
            )
        return meeting

    return make


@pytest.fixture
def closed_paper(make_document):
    return make_document(
        title="비공개 인사 자료", disclosure=Disclosure.CLOSED, legal_ground=GROUND
    )


def text_of(response) -> str:
    return response.content.decode()


# --- the list ----------------------------------------------------------------------------------


def test_the_list_shows_upcoming_and_past_meetings_and_never_a_closed_one(client, make_meeting):
    now = datetime.now(SEOUL)
    make_meeting(title="다가오는 회의", starts_at=now + timedelta(days=2))
    make_meeting(title="지난 회의", starts_at=now - timedelta(days=10))
    make_meeting(title="비밀 인사 회의", starts_at=now + timedelta(days=1), disclosure="closed")
    make_meeting(title="비밀 지난 회의", starts_at=now - timedelta(days=3), disclosure="closed")

    page = text_of(client.get(reverse("plaza:meetings")))

    upcoming, past = page.split('id="past-title"')
    assert "다가오는 회의" in upcoming and "지난 회의" not in upcoming
    assert "지난 회의" in past and "다가오는 회의" not in past
    assert "1 past meeting" in past
    assert "비밀" not in page


def test_the_list_filters_by_committee_and_month(client, city, make_meeting, department):
    other = Committee.objects.create(city=city, department=department, name="교통위원회")
    make_meeting(title="3월 회의", starts_at=datetime(2025, 3, 10, 10, tzinfo=SEOUL))
    make_meeting(title="4월 회의", starts_at=datetime(2025, 4, 1, 0, 30, tzinfo=SEOUL))
    make_meeting(
        title="교통 3월 회의", starts_at=datetime(2025, 3, 5, tzinfo=SEOUL), committee=other
    )

    march = text_of(client.get(reverse("plaza:meetings"), {"month": "2025-03"}))
    assert "3월 회의" in march and "교통 3월 회의" in march and "4월 회의" not in march

    # 00:30 on 1 April in Seoul is still 31 March in UTC: the month is the city's.
    april = text_of(client.get(reverse("plaza:meetings"), {"month": "2025-04"}))
    assert "4월 회의" in april and "3월 회의" not in april

    traffic = text_of(client.get(reverse("plaza:meetings"), {"committee": other.pk}))
    assert "교통 3월 회의" in traffic and "4월 회의" not in traffic


@pytest.mark.parametrize("month", ["9999-12", "2025-13", "٢٠٢٥-٠٣", "March"])
def test_a_bad_month_is_said_and_left_out(client, make_meeting, month):
    make_meeting(title="지난 회의", starts_at=datetime(2025, 3, 10, tzinfo=SEOUL))
    response = client.get(reverse("plaza:meetings"), {"month": month})
    assert response.status_code == 200
    page = text_of(response)
    assert "Some filters could not be read" in page
    assert "지난 회의" in page  # the other filters (none) still apply


def test_the_past_list_is_paginated(client, make_meeting):
    start = datetime(2024, 1, 1, 10, tzinfo=SEOUL)
    for day in range(25):
        make_meeting(title=f"회의 {day:02d}번", starts_at=start + timedelta(days=day))
    first = text_of(client.get(reverse("plaza:meetings")))
    second = text_of(client.get(reverse("plaza:meetings"), {"page": "2"}))
    assert "회의 24번" in first and "회의 04번" not in first
    assert "회의 04번" in second and "회의 24번" not in second
    assert 'rel="next"' in first


# --- a meeting's page --------------------------------------------------------------------------


def test_a_closed_meeting_has_no_page_and_no_chapters(client, make_meeting):
    closed = make_meeting(title="비밀 회의", disclosure="closed", agenda=[("안건", 10, None)])
    for name in ("plaza:meeting", "plaza:meeting-chapters"):
        response = client.get(reverse(name, args=[closed.pk]))
        assert response.status_code == 404
        assert "비밀 회의" not in text_of(response)


def test_huge_and_missing_ids_are_404(client, make_meeting):
    make_meeting()
    for pk in (2**63, 10**30, 999999):
        assert client.get(f"/plaza/meetings/{pk}/").status_code == 404


def test_the_agenda_links_only_public_papers(client, make_meeting, make_document, closed_paper):
    public = make_document(title="2026년 예산안 설명자료")
    meeting = make_meeting(
        agenda=[("예산안 심사", None, public), ("인사 안건", None, closed_paper)],
        record=closed_paper,
    )
    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "예산안 심사" in page and "인사 안건" in page  # both items are on the agenda
    assert "2026년 예산안 설명자료" in page and "비공개 인사 자료" not in page
    agenda = page[page.index('id="agenda-title"') : page.index('id="minutes-title"')]
    links = re.findall(r'href="([^"]+)"', agenda)
    assert len(links) == 1 and links[0].rstrip("/").endswith(f"/{public.pk}")
    assert "Meeting record" not in page  # the record is closed too


def test_a_public_record_is_linked(client, make_meeting, make_document):
    record = make_document(title="제5차 회의록")
    meeting = make_meeting(record=record)
    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "Meeting record" in page and "제5차 회의록" in page


def test_attendees_by_role_and_the_minutes(client, make_meeting, department):
    meeting = make_meeting(minutes="회의를 개회합니다.\n예산안을 의결하였습니다.")
    Attendee.objects.create(meeting=meeting, role_title="위원", name="박위원")
    Attendee.objects.create(meeting=meeting, role_title="위원장", name="김위원장", is_chair=True)
    Attendee.objects.create(meeting=meeting, role_title="정보기획관", department=department)
    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    table = page[page.index('id="attendees-title"') :]
    assert table.index("위원장") < table.index("박위원") < table.index("정보기획관")
    assert department.name_en in table or department.name in table
    assert "Chair" in table
    assert "<p>회의를 개회합니다.<br>예산안을 의결하였습니다.</p>" in page


def test_minutes_are_escaped(client, make_meeting):
    meeting = make_meeting(minutes="<script>alert(1)</script>")
    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


# --- video and chapters ------------------------------------------------------------------------


def test_a_linked_video_file_plays_with_chapters_and_the_policy_lets_it(client, make_meeting):
    meeting = make_meeting(agenda=[("개회", 0, None), ("예산안 심사", 95, None)])
    VideoClip.objects.create(
        meeting=meeting, title="본회의 영상", url="https://video.seoul.example/m/5.mp4"
    )
    response = client.get(reverse("plaza:meeting", args=[meeting.pk]))
    page = text_of(response)
    assert '<video id="meeting-player" src="https://video.seoul.example/m/5.mp4"' in page
    track = reverse("plaza:meeting-chapters", args=[meeting.pk])
    assert f'<track kind="chapters" src="{track}"' in page
    # Each chapter seeks the player with the script, and links to the moment without it.
    assert (
        '<a href="https://video.seoul.example/m/5.mp4#t=95" data-seek="95">'
        '<time datetime="PT95S">1:35</time> 2 예산안 심사</a>'
    ) in page
    assert re.search(r'<script src="[^"]*plaza/meeting-player\.js"></script>', page)
    assert "<script>" not in page  # no inline script: the policy forbids them
    policy = response["Content-Security-Policy"]
    media_src = re.search(r"media-src ([^;]*)", policy).group(1).split()
    assert "https://video.seoul.example" in media_src
    assert "'self'" in media_src


def test_a_link_to_a_video_page_is_a_link_and_chapters_are_plain_times(client, make_meeting):
    meeting = make_meeting(agenda=[("개회", 0, None), ("질의", 600, None)])
    VideoClip.objects.create(
        meeting=meeting, title="유튜브 생중계", url="https://www.youtube.com/watch?v=abc123"
    )
    response = client.get(reverse("plaza:meeting", args=[meeting.pk]))
    page = text_of(response)
    assert "<video" not in page
    assert 'href="https://www.youtube.com/watch?v=abc123"' in page
    assert '<time datetime="PT600S">10:00</time> 2 질의' in page
    assert "data-seek" not in page
    assert "youtube" not in response["Content-Security-Policy"]


def test_an_uploaded_video_plays_from_the_site_while_the_meeting_is_public(client, make_meeting):
    meeting = make_meeting(agenda=[("개회", 0, None)])
    upload = SimpleUploadedFile("clip.mov", make_video(seconds=2), content_type="video/quicktime")
    media = store_video(upload=upload, target=meeting)
    VideoClip.objects.create(meeting=meeting, title="회의 영상", media=media)

    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert f'src="{media.url}"' in page and f'poster="{media.thumbnail_url}"' in page
    assert client.get(media.url).status_code == 200

    # Closing the meeting takes the video's address offline as well.
    Meeting.objects.filter(pk=meeting.pk).update(disclosure="closed", legal_ground=GROUND)
    assert client.get(media.url).status_code == 404


def test_the_chapters_track_is_webvtt_from_the_agenda(client, make_meeting):
    meeting = make_meeting(
        agenda=[
            ("개회 <인사>", 0, None),
            ("2026년 예산안 & 기금운용계획안", 3725, None),
            ("질의 답변", 95, None),
            ("기타 안건 (영상 없음)", None, None),
        ]
    )
    VideoClip.objects.create(
        meeting=meeting, title="영상", url="https://v.example/a.mp4", duration_seconds=5400
    )
    response = client.get(reverse("plaza:meeting-chapters", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    # In the video's order, each to the next one's start, the last to the video's end.
    assert text_of(response) == (
        "WEBVTT\n"
        "\n"
        "1\n"
        "00:00:00.000 --> 00:01:35.000\n"
        "1 개회 &lt;인사&gt;\n"
        "\n"
        "2\n"
        "00:01:35.000 --> 01:02:05.000\n"
        "3 질의 답변\n"
        "\n"
        "3\n"
        "01:02:05.000 --> 01:30:00.000\n"
        "2 2026년 예산안 &amp; 기금운용계획안\n"
    )


def test_a_meeting_without_video_has_an_empty_track(client, make_meeting):
    meeting = make_meeting(agenda=[("개회", 30, None)])
    response = client.get(reverse("plaza:meeting-chapters", args=[meeting.pk]))
    assert text_of(response) == "WEBVTT\n"


# --- the JSON API ------------------------------------------------------------------------------


def test_the_api_lists_public_meetings_only(client, make_meeting, committee):
    now = datetime.now(SEOUL)
    shown = make_meeting(title="공개 회의", starts_at=now + timedelta(days=1))
    make_meeting(title="비밀 회의", starts_at=now + timedelta(days=2), disclosure="closed")
    partial = make_meeting(
        title="일부 공개 회의", starts_at=now - timedelta(days=5), disclosure="partial"
    )
    body = client.get("/api/v1/plaza/meetings").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [shown.pk, partial.pk]  # latest first
    assert body["items"][0]["committee"] == {
        "id": committee.pk,
        "name": "기획경제위원회",
        "name_en": "Planning and Economy Committee",
        "kind": "standing committee",
    }
    assert body["items"][0]["url"].endswith(f"/plaza/meetings/{shown.pk}/")
    upcoming = client.get("/api/v1/plaza/meetings", {"when": "upcoming"}).json()
    assert [item["id"] for item in upcoming["items"]] == [shown.pk]
    past = client.get("/api/v1/plaza/meetings", {"when": "past"}).json()
    assert [item["id"] for item in past["items"]] == [partial.pk]


def test_the_api_filters_and_pages(client, make_meeting, city, department):
    other = Committee.objects.create(city=city, department=department, name="교통위원회")
    for day in range(1, 6):
        make_meeting(starts_at=datetime(2025, 3, day, 10, tzinfo=SEOUL))
    make_meeting(starts_at=datetime(2025, 4, 2, 10, tzinfo=SEOUL), committee=other)
    march = client.get("/api/v1/plaza/meetings", {"month": "2025-03", "page_size": 2}).json()
    assert (march["count"], march["pages"], len(march["items"])) == (5, 3, 2)
    last = client.get("/api/v1/plaza/meetings", {"month": "2025-03", "page_size": 2, "page": 3})
    assert len(last.json()["items"]) == 1
    by_committee = client.get("/api/v1/plaza/meetings", {"committee": other.pk}).json()
    assert by_committee["count"] == 1
    assert client.get("/api/v1/plaza/meetings", {"committee": 10**20}).json()["count"] == 0
    committees = client.get("/api/v1/plaza/meetings/committees").json()
    assert {c["name"] for c in committees} >= {"기획경제위원회", "교통위원회"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "9999-12"}, "month"),
        ({"month": "2025-3"}, "month"),
        ({"month": "１２３４-０１"}, "month"),
        ({"when": "tomorrow"}, "when"),
    ],
)
def test_the_api_refuses_bad_filters_by_name(client, make_meeting, params, field):
    response = client.get("/api/v1/plaza/meetings", params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["code"] == "invalid"


def test_the_api_refuses_non_ascii_page_numbers(client, make_meeting):
    response = client.get("/api/v1/plaza/meetings", {"page": "²"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_the_api_detail(client, make_meeting, make_document, closed_paper):
    public = make_document(title="예산안 설명자료")
    meeting = make_meeting(
        agenda=[("개회", 0, None), ("예산안 심사", 120, public), ("인사", None, closed_paper)],
        minutes="회의록 본문",
        status=MeetingStatus.HELD,
    )
    VideoClip.objects.create(
        meeting=meeting, title="영상", url="https://v.example/a.webm", duration_seconds=600
    )
    VideoClip.objects.create(meeting=meeting, title="중계", url="https://tv.example/live/5")
    body = client.get(f"/api/v1/plaza/meetings/{meeting.pk}").json()
    assert body["status"] == "held" and body["minutes"] == "회의록 본문"
    papers = [item["paper"] for item in body["agenda"]]
    assert papers[0] is None and papers[2] is None
    assert papers[1]["id"] == public.pk and papers[1]["title"] == "예산안 설명자료"
    assert "비공개" not in str(body)
    assert body["chapters"] == [
        {"start_seconds": 0, "end_seconds": 120, "title": "1 개회"},
        {"start_seconds": 120, "end_seconds": 600, "title": "2 예산안 심사"},
    ]
    assert [(v["kind"], v["url"]) for v in body["videos"]] == [
        ("file", "https://v.example/a.webm"),
        ("page", "https://tv.example/live/5"),
    ]
    assert body["chapters_url"].endswith(f"/plaza/meetings/{meeting.pk}/chapters.vtt")


def test_the_api_answers_404_for_a_closed_meeting(client, make_meeting):
    closed = make_meeting(title="비밀 회의", disclosure="closed")
    for pk in (closed.pk, 2**63, 0):
        response = client.get(f"/api/v1/plaza/meetings/{pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert "비밀" not in text_of(response)


def test_a_video_a_moderator_hid_is_not_shown_nor_marked(client, make_meeting):
    meeting = make_meeting(agenda=[("개회", 0, None), ("안건", 1, None)])
    upload = SimpleUploadedFile("clip.mov", make_video(seconds=2), content_type="video/quicktime")
    media = store_video(upload=upload, target=meeting)
    VideoClip.objects.create(meeting=meeting, order=1, title="숨긴 영상", media=media)
    VideoClip.objects.create(
        meeting=meeting, order=2, title="다른 영상", url="https://v.example/other.mp4"
    )
    Media.objects.filter(pk=media.pk).update(hidden=True)
    page = text_of(client.get(reverse("plaza:meeting", args=[meeting.pk])))
    assert "숨긴 영상" not in page and media.url not in page
    assert "다른 영상" in page
    # The agenda's marks point into the hidden first video: none are offered on the other one.
    assert "<track" not in page and "data-seek" not in page
    chapters = client.get(reverse("plaza:meeting-chapters", args=[meeting.pk]))
    assert text_of(chapters) == "WEBVTT\n"


def test_todays_meetings_for_the_plaza_home(make_meeting):
    day = datetime(2026, 3, 2, tzinfo=SEOUL).date()
    late = make_meeting(title="저녁 회의", starts_at=datetime(2026, 3, 2, 23, 30, tzinfo=SEOUL))
    early = make_meeting(title="아침 회의", starts_at=datetime(2026, 3, 2, 0, 0, tzinfo=SEOUL))
    make_meeting(title="다음 날", starts_at=datetime(2026, 3, 3, 0, 0, tzinfo=SEOUL))
    make_meeting(
        title="비밀", starts_at=datetime(2026, 3, 2, 10, tzinfo=SEOUL), disclosure="closed"
    )
    assert meetings_on(day) == [early, late]
