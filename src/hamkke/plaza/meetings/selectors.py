"""Reads of the Plaza's meetings. `public_meetings` is the one definition of the meetings the
public sees (a closed one is never listed or served); `public_meeting` is a meeting as every
public surface shows it: its agenda linking only the papers the public may read
(`plaza.selectors.public_documents`), attendees, playable videos and chapter marks. The desk's
lists are here too."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.core.city.selectors import current_city
from hamkke.core.days import day_start
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.bounds import EARLIEST_DAY, LATEST_DAY
from hamkke.plaza.meetings import chapters as chapter_marks
from hamkke.plaza.models import (
    PUBLIC_CLASSES,
    AgendaItem,
    Attendee,
    Committee,
    Document,
    Meeting,
    VideoClip,
)
from hamkke.plaza.selectors import public_documents
from hamkke.plaza.services import plaza_settings

# The largest key a table holds: a larger number in an address names nothing (and would
# overflow the database's integer).
MAX_ID = 2**63 - 1
# Links a browser plays in a <video> by themselves: files of these kinds. Any other link (a
# video site's page) is shown as a link.
PLAYABLE_EXTENSIONS = (".mp4", ".m4v", ".webm", ".ogv", ".ogg", ".mov")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
WHEN = ("upcoming", "past")


def public_meetings() -> QuerySet[Meeting]:
    """The city's meetings that are not closed: what anyone may see."""
    return Meeting.objects.filter(
        disclosure__in=PUBLIC_CLASSES, committee__city=current_city()
    ).select_related("committee")


def committees() -> list[Committee]:
    return list(Committee.objects.filter(city=current_city()).select_related("department"))


def committee(pk: int) -> Committee:
    found = Committee.objects.filter(city=current_city(), pk=pk).first() if pk <= MAX_ID else None
    if found is None:
        raise NotFound(_("There is no such committee."), code="not_found")
    return found


def legal_ground_name(code: str) -> str:
    """The name of one of the profile's legal grounds, in the active language."""
    for ground in plaza_settings().legal_grounds:
        if ground.code == code:
            english = (get_language() or "").startswith("en") and ground.name_en
            return ground.name_en if english else ground.name
    return code


# --- lists -----------------------------------------------------------------------------------


def month_of(text: str) -> date:
    """The first day of the month written YYYY-MM (ASCII digits), within the days the site
    takes; InvalidInput naming `month` otherwise."""
    match = _MONTH.match(text or "")
    month = int(match.group(2)) if match else 0
    if match is None or not 1 <= month <= 12:
        raise InvalidInput(_("Write the month as YYYY-MM, e.g. 2026-11."), field="month")
    first = date(int(match.group(1)), month, 1)
    if not EARLIEST_DAY <= first <= LATEST_DAY.replace(day=1):
        raise InvalidInput(
            _("The month must be between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.strftime("%Y-%m"), "last": LATEST_DAY.strftime("%Y-%m")},
            field="month",
        )
    return first


@dataclass(frozen=True)
class MeetingFilters:
    committee: int | None = None
    month: date | None = None  # the first day of a month

    def apply(self, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
        if self.committee is not None:
            if not 0 < self.committee <= MAX_ID:
                return meetings.none()  # names no committee (and would overflow the query)
            meetings = meetings.filter(committee_id=self.committee)
        if self.month is not None:
            following = (self.month + timedelta(days=32)).replace(day=1)
            meetings = meetings.filter(
                starts_at__gte=day_start(self.month), starts_at__lt=day_start(following)
            )
        return meetings


def _today_start(now: datetime | None) -> datetime:
    return day_start(timezone.localdate(now or timezone.now()))


def upcoming(filters: MeetingFilters = MeetingFilters(), *, now=None) -> QuerySet[Meeting]:
    """Today's public meetings and those after, soonest first."""
    return (
        filters.apply(public_meetings())
        .filter(starts_at__gte=_today_start(now))
        .order_by("starts_at", "id")
    )


def past(filters: MeetingFilters = MeetingFilters(), *, now=None) -> QuerySet[Meeting]:
    """Public meetings before today, latest first."""
    return (
        filters.apply(public_meetings())
        .filter(starts_at__lt=_today_start(now))
        .order_by("-starts_at", "-id")
    )


def listed(filters: MeetingFilters, when: str = "") -> QuerySet[Meeting]:
    """The API's list: upcoming, past, or all of them (latest first)."""
    if when == "upcoming":
        return upcoming(filters)
    if when == "past":
        return past(filters)
    if when:
        raise InvalidInput(_("`when` is upcoming or past."), field="when")
    return filters.apply(public_meetings()).order_by("-starts_at", "-id")


def meetings_on(day: date) -> list[Meeting]:
    """The public meetings of one day (the Plaza's home shows today's)."""
    following = day + timedelta(days=1)
    return list(
        public_meetings()
        .filter(starts_at__gte=day_start(day), starts_at__lt=day_start(following))
        .order_by("starts_at", "id")
    )


# --- one meeting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    paper: Document | None  # the item's paper, only when the public may read it


@dataclass(frozen=True)
class Video:
    clip: VideoClip
    src: str  # what a <video> plays (an uploaded file, a linked video file); "" when not
    poster: str
    link: str  # a linked page to open (a video site), when there is nothing to play here
    content_type: str
    duration: int | None

    @property
    def length(self) -> str:
        return chapter_marks.clock(self.duration) if self.duration is not None else ""

    @property
    def origin(self) -> str:
        """Where a linked file is played from (the page's Content Security Policy lets the
        player fetch it); "" for the site's own files."""
        if not self.src.startswith(("http://", "https://")):
            return ""
        parts = urlsplit(self.src)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaRow]
    attendees: list[Attendee]
    videos: list[Video]
    record: Document | None
    chapters: list[chapter_marks.Chapter]

    @property
    def player(self) -> Video | None:
        """The first video, which the agenda's offsets point into, when it plays here."""
        if self.chapters and self.videos[0].src:
            return self.videos[0]
        return None


def is_playable_link(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(PLAYABLE_EXTENSIONS)


def clip_duration(clip: VideoClip) -> int | None:
    """The clip's length in whole seconds: as recorded for a link, as measured for an upload."""
    if clip.duration_seconds is not None:
        return clip.duration_seconds
    if clip.media_id is not None and clip.media.duration_seconds is not None:
        return math.ceil(clip.media.duration_seconds)
    return None


def _video(clip: VideoClip) -> Video:
    duration = clip_duration(clip)
    if clip.media_id is not None:
        media = clip.media
        return Video(clip, media.url, media.thumbnail_url, "", media.content_type, duration)
    if is_playable_link(clip.url):
        return Video(clip, clip.url, "", "", "", duration)
    return Video(clip, "", "", clip.url, "", duration)


def with_parts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings with everything their pages show, in a fixed number of queries."""
    return meetings.select_related("committee", "record").prefetch_related(
        Prefetch(
            "agenda",
            queryset=AgendaItem.objects.select_related("paper").prefetch_related(
                "paper__attachments"
            ),
        ),
        Prefetch("attendees", queryset=Attendee.objects.select_related("department")),
        Prefetch("videos", queryset=VideoClip.objects.select_related("media")),
        "record__attachments",
    )


def public_meeting(pk: int) -> MeetingPage:
    """A meeting the public may see, with its parts; NotFound for a closed or missing one
    (they look the same)."""
    meeting = with_parts(public_meetings()).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if meeting is None:
        raise NotFound(_("There is no public meeting here."), code="not_found")
    return meeting_page(meeting, public=True)


def meeting_page(meeting: Meeting, *, public: bool) -> MeetingPage:
    return meeting_pages([meeting], public=public)[0]


def meeting_pages(meetings: list[Meeting], *, public: bool) -> list[MeetingPage]:
    """Meetings' parts as pages show them (`meetings` from `with_parts`). For the public,
    papers and records appear only when public, and a video a moderator hid does not appear;
    the desk sees all."""
    named = set()
    for meeting in meetings:
        named |= {item.paper_id for item in meeting.agenda.all() if item.paper_id}
        if meeting.record_id:
            named.add(meeting.record_id)
    readable = (
        set(public_documents().filter(pk__in=named).values_list("pk", flat=True))
        if public and named
        else named
    )
    return [_page(meeting, readable, public=public) for meeting in meetings]


def _page(meeting: Meeting, readable: set[int], *, public: bool) -> MeetingPage:
    items = list(meeting.agenda.all())
    agenda = [AgendaRow(item, item.paper if item.paper_id in readable else None) for item in items]
    every_clip = list(meeting.videos.all())
    clips = [
        clip
        for clip in every_clip
        if not (public and clip.media_id is not None and clip.media.hidden)
    ]
    videos = [_video(clip) for clip in clips]
    marks = [
        (item.video_offset_seconds, item.number, item.title)
        for item in items
        if item.video_offset_seconds is not None
    ]
    # The marks point into the first video: none when that one is not shown.
    marked = bool(clips) and clips[0] is every_clip[0]
    return MeetingPage(
        meeting=meeting,
        agenda=agenda,
        attendees=list(meeting.attendees.all()),
        videos=videos,
        record=meeting.record if meeting.record_id in readable else None,
        chapters=chapter_marks.chapters(marks, videos[0].duration) if marked else [],
    )


def public_agenda_item(pk: int) -> AgendaRow:
    """An agenda item of a public meeting, with its paper when the public may read it."""
    item = (
        AgendaItem.objects.select_related("meeting", "meeting__committee", "paper")
        .prefetch_related("paper__attachments")
        .filter(pk=pk, meeting__in=public_meetings())
        .first()
        if 0 < pk <= MAX_ID
        else None
    )
    if item is None:
        raise NotFound(_("There is no public agenda item here."), code="not_found")
    readable = item.paper_id and public_documents().filter(pk=item.paper_id).exists()
    return AgendaRow(item, item.paper if readable else None)


def public_papers() -> QuerySet[Document]:
    """Public documents a public meeting names: its agenda items' papers and its record."""
    meetings = public_meetings()
    return public_documents().filter(
        pk__in=AgendaItem.objects.filter(meeting__in=meetings).values("paper_id")
    ) | public_documents().filter(pk__in=meetings.values("record_id"))


def public_paper(pk: int) -> Document:
    paper = (
        public_papers().prefetch_related("attachments").filter(pk=pk).first()
        if 0 < pk <= MAX_ID
        else None
    )
    if paper is None:
        raise NotFound(_("There is no public paper here."), code="not_found")
    return paper


# --- the desk --------------------------------------------------------------------------------


def desk_meetings(department_ids: set[int]) -> QuerySet[Meeting]:
    """Every meeting (closed ones too) of the committees of these departments, latest first."""
    return (
        Meeting.objects.filter(
            committee__city=current_city(), committee__department_id__in=department_ids
        )
        .select_related("committee", "committee__department")
        .order_by("-starts_at", "-id")
    )


def desk_committees(department_ids: set[int]) -> list[Committee]:
    return list(
        Committee.objects.filter(city=current_city(), department_id__in=department_ids)
        .select_related("department")
        .order_by("name")
    )


def desk_meeting(pk: int) -> Meeting:
    """A meeting of this city with everything the desk edits; NotFound when there is none
    (whether the official may edit it is the policy's to say)."""
    meeting = (
        with_parts(Meeting.objects.filter(committee__city=current_city()))
        .select_related("committee__department")
        .filter(pk=pk)
        .first()
        if 0 < pk <= MAX_ID
        else None
    )
    if meeting is None:
        raise NotFound(_("There is no such meeting."), code="not_found")
    return meeting
