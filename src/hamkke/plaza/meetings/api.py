"""The Plaza's meetings JSON API (/api/v1/plaza/meetings): public meetings, paged and filtered,
and one meeting with its agenda (papers only when public), attendees, videos and chapter marks.
A closed meeting answers 404 like a missing one; bad filters answer 400 naming the parameter."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router

from hamkke.core.web.api import one_page
from hamkke.plaza.meetings import selectors
from hamkke.plaza.meetings.schemas import (
    AgendaItemOut,
    AttendeeOut,
    ChapterOut,
    CommitteeOut,
    MeetingDetailOut,
    MeetingOut,
    MeetingPageOut,
    PaperOut,
    VideoOut,
)
from hamkke.plaza.models import Committee, Disclosure, Document, Meeting, MeetingStatus

router = Router(tags=["plaza"])


def _absolute(request: HttpRequest, url: str) -> str:
    return request.build_absolute_uri(url) if url else ""


def _committee_out(committee: Committee) -> CommitteeOut:
    return CommitteeOut(
        id=committee.pk, name=committee.name, name_en=committee.name_en, kind=committee.kind
    )


def _meeting_fields(request: HttpRequest, meeting: Meeting) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "committee": _committee_out(meeting.committee),
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "status": meeting.status,
        "status_label": str(MeetingStatus(meeting.status).label),
        "disclosure": meeting.disclosure,
        "url": _absolute(request, reverse("plaza:meeting", args=[meeting.pk])),
    }


def _paper_out(request: HttpRequest, document: Document | None) -> PaperOut | None:
    if document is None:
        return None
    return PaperOut(
        id=document.pk,
        number=document.number,
        title=document.title,
        url=_absolute(request, document.get_absolute_url()),
    )


def _video_out(request: HttpRequest, video: selectors.Video) -> VideoOut:
    kind = "upload" if video.clip.media_id else ("file" if video.src else "page")
    return VideoOut(
        title=video.clip.title,
        kind=kind,
        url=_absolute(request, video.src or video.link),
        poster_url=_absolute(request, video.poster),
        content_type=video.content_type,
        duration_seconds=video.duration,
    )


@router.get("/committees", response=list[CommitteeOut], summary="Committees that meet")
def list_committees(request: HttpRequest):
    """The city's committees; filter the meetings by their `id`."""
    return [_committee_out(committee) for committee in selectors.committees()]


@router.get("", response=MeetingPageOut, summary="Public meetings")
def list_meetings(
    request: HttpRequest,
    committee: int | None = None,
    month: str = "",
    when: str = "",
    page: int = 1,
    page_size: int = 20,
):
    """Filters: `committee` (an id from /plaza/meetings/committees), `month` (YYYY-MM), `when`
    (upcoming: today and later, soonest first; past: before today, latest first; empty: all,
    latest first). `page_size` is at most 100. Closed meetings are never listed."""
    filters = selectors.MeetingFilters(
        committee=committee,
        month=selectors.month_of(month) if month else None,
    )
    found = one_page(selectors.listed(filters, when), page, page_size)
    found["items"] = [MeetingOut(**_meeting_fields(request, m)) for m in found["items"]]
    return MeetingPageOut(**found)


@router.get("/{meeting_id}", response=MeetingDetailOut, summary="One public meeting")
def get_meeting(request: HttpRequest, meeting_id: int):
    """Its agenda (each item's paper only when public), attendees by role, videos, chapter marks
    and masked minutes. A closed meeting answers 404 like a missing one."""
    shown = selectors.public_meeting(meeting_id)
    meeting = shown.meeting
    return MeetingDetailOut(
        **_meeting_fields(request, meeting),
        legal_ground=selectors.legal_ground_name(meeting.legal_ground)
        if meeting.disclosure != Disclosure.OPEN
        else "",
        minutes=meeting.minutes,
        record=_paper_out(request, shown.record),
        agenda=[
            AgendaItemOut(
                id=row.item.pk,
                order=row.item.order,
                number=row.item.number,
                title=row.item.title,
                result=row.item.result,
                video_offset_seconds=row.item.video_offset_seconds,
                paper=_paper_out(request, row.paper),
            )
            for row in shown.agenda
        ],
        attendees=[
            AttendeeOut(
                role_title=a.role_title,
                name=a.name,
                department=a.department.display_name if a.department else None,
                is_chair=a.is_chair,
            )
            for a in shown.attendees
        ],
        videos=[_video_out(request, video) for video in shown.videos],
        chapters=[
            ChapterOut(start_seconds=c.start, end_seconds=c.end, title=c.label)
            for c in shown.chapters
        ],
        chapters_url=_absolute(request, reverse("plaza:meeting-chapters", args=[meeting.pk])),
    )
