"""Schemas of the meetings API (/api/v1/plaza/meetings): public meetings with their agenda,
attendees, videos and chapters. A paper or a record is given only when the public may read it;
no field holds a closed meeting's anything."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class CommitteeOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str = ""


class MeetingOut(Schema):
    id: int
    title: str
    committee: CommitteeOut
    starts_at: datetime
    ends_at: datetime | None
    place: str
    status: str = Field(description="scheduled, held or cancelled")
    status_label: str
    disclosure: str = Field(description="open or partial (closed meetings are never listed)")
    url: str = Field(description="The meeting's page")


class MeetingPageOut(Schema):
    count: int = Field(description="Meetings matching the filters")
    page: int
    page_size: int
    pages: int
    items: list[MeetingOut]


class PaperOut(Schema):
    """A public document: an agenda item's paper, or the meeting's record."""

    id: int
    number: str
    title: str
    url: str


class AgendaItemOut(Schema):
    id: int
    order: int
    number: str
    title: str
    result: str
    video_offset_seconds: int | None = Field(
        description="Where the item starts in the meeting's first video"
    )
    paper: PaperOut | None = Field(description="Only when the paper is public")


class AttendeeOut(Schema):
    role_title: str
    name: str
    department: str | None
    is_chair: bool


class VideoOut(Schema):
    title: str
    kind: str = Field(
        description="upload (a file on this site), file (a linked video file) or page"
    )
    url: str
    poster_url: str = ""
    content_type: str = ""
    duration_seconds: int | None


class ChapterOut(Schema):
    start_seconds: int
    end_seconds: int
    title: str


class MeetingDetailOut(MeetingOut):
    legal_ground: str = Field(description="Why parts are withheld, for a partly open meeting")
    minutes: str = Field(description="Personal data masked")
    record: PaperOut | None = Field(description="The meeting record, only when public")
    agenda: list[AgendaItemOut]
    attendees: list[AttendeeOut]
    videos: list[VideoOut]
    chapters: list[ChapterOut] = Field(description="The agenda's marks in the first video")
    chapters_url: str = Field(description="The same chapters as WebVTT")
