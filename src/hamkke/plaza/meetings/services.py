"""Every write of the Plaza's meetings: committees, a meeting with its agenda and attendees,
its videos (uploaded through core's media checks, or linked by an http(s) address), its minutes
(personal data masked before they are stored), and marking it held or cancelled. Each is one
transaction, audited, enforcing meetings/policies.py; bad input is refused by name."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput
from hamkke.core.media.services import store_video
from hamkke.core.models import Department, Media
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.plaza import masking
from hamkke.plaza import policies as plaza_policies
from hamkke.plaza.meetings import policies, selectors
from hamkke.plaza.models import (
    AgendaItem,
    Attendee,
    Committee,
    Disclosure,
    Document,
    Meeting,
    MeetingStatus,
    VideoClip,
)
from hamkke.plaza.services import plaza_settings

MAX_AGENDA_ITEMS = 200
MAX_ATTENDEES = 500
MAX_VIDEOS = 20
MAX_MINUTES_CHARS = 500_000
# No recording of a meeting runs two days; an offset or a length past that is a typing error.
MAX_VIDEO_SECONDS = 48 * 3600
_URLS = URLValidator(schemes=["http", "https"])


# --- what the entry points parse ---------------------------------------------------------------


@dataclass
class AgendaFields:
    title: str
    number: str = ""
    result: str = ""
    video_offset_seconds: int | None = None
    paper_number: str = ""  # a document's registration number


@dataclass
class AttendeeFields:
    role_title: str
    name: str = ""
    department_code: str = ""
    is_chair: bool = False


@dataclass
class MeetingFields:
    committee: Committee
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str = ""
    disclosure: str = Disclosure.OPEN
    legal_ground: str = ""
    record_number: str = ""
    agenda: Sequence[AgendaFields] = field(default_factory=tuple)
    attendees: Sequence[AttendeeFields] = field(default_factory=tuple)


# --- committees --------------------------------------------------------------------------------


@transaction.atomic
def create_committee(
    *, actor: Actor | User, department: Department, name: str, name_en: str = "", kind: str = ""
) -> Committee:
    """A committee that meets, kept by a department's handlers."""
    actor = Actor.of(actor)
    committee = Committee(city=current_city(), department=department)
    policies.may_keep(policies.seat_for(actor, committee)).enforce()
    committee.name = _text(name, 200, "name", required=_("Give the committee a name."))
    committee.name_en = _text(name_en, 200, "name_en")
    committee.kind = _text(kind, 64, "kind")
    committee.save()
    record_audit(actor=actor, action="plaza.committee.created", target=committee)
    return committee


# --- meetings ----------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(*, actor: Actor | User, fields: MeetingFields) -> Meeting:
    """A meeting of a committee with its agenda and attendees."""
    actor = Actor.of(actor)
    policies.may_keep(policies.seat_for(actor, fields.committee)).enforce()
    return _save(actor, Meeting(status=MeetingStatus.SCHEDULED), fields, "created")


@transaction.atomic
def update_meeting(*, actor: Actor | User, meeting: Meeting, fields: MeetingFields) -> Meeting:
    """Change a meeting, its agenda (items keep their ids by position) and attendees (the
    lists given replace the old ones)."""
    actor = Actor.of(actor)
    meeting = _locked(meeting)
    policies.may_keep(policies.seat_for(actor, meeting.committee)).enforce()
    if fields.committee.pk != meeting.committee_id:
        policies.may_keep(policies.seat_for(actor, fields.committee)).enforce()
    return _save(actor, meeting, fields, "updated")


def _save(actor: Actor, meeting: Meeting, fields: MeetingFields, action: str) -> Meeting:
    found = _apply(meeting, fields)
    meeting.save()
    _write_parts(meeting, fields, found)
    record_audit(
        actor=actor,
        action=f"plaza.meeting.{action}",
        target=meeting,
        data={"agenda": len(fields.agenda), "disclosure": meeting.disclosure},
    )
    return meeting


@dataclass
class _Found:
    """What the fields name, looked up: documents by number and departments by code."""

    papers: dict[str, Document]
    departments: dict[str, Department]


def _apply(meeting: Meeting, fields: MeetingFields) -> _Found:
    """Check the fields and set them on the meeting (unsaved); refuse bad input by name."""
    meeting.committee = fields.committee
    meeting.title = _masked(
        _text(fields.title, 300, "title", required=_("Give the meeting a title.")), 300
    )
    _check_moment(fields.starts_at, "starts_at")
    if fields.ends_at is not None:
        _check_moment(fields.ends_at, "ends_at")
        if fields.ends_at <= fields.starts_at:
            raise InvalidInput(_("The meeting must end after it starts."), field="ends_at")
    meeting.starts_at, meeting.ends_at = fields.starts_at, fields.ends_at
    meeting.place = _text(fields.place, 200, "place")
    grounds = {ground.code for ground in plaza_settings().legal_grounds}
    plaza_policies.check_disclosure(fields.disclosure, fields.legal_ground, grounds)
    meeting.disclosure = fields.disclosure
    meeting.legal_ground = fields.legal_ground if fields.disclosure != Disclosure.OPEN else ""
    if len(fields.agenda) > MAX_AGENDA_ITEMS:
        raise InvalidInput(
            _("A meeting has at most %(n)d agenda items.") % {"n": MAX_AGENDA_ITEMS},
            field="agenda",
        )
    if len(fields.attendees) > MAX_ATTENDEES:
        raise InvalidInput(
            _("A meeting lists at most %(n)d attendees.") % {"n": MAX_ATTENDEES},
            field="attendees",
        )
    numbers = {clean_text(fields.record_number)} | {
        clean_text(item.paper_number) for item in fields.agenda
    }
    papers = {d.number: d for d in Document.objects.filter(number__in=numbers - {""})}
    record_number = clean_text(fields.record_number)
    if record_number and record_number not in papers:
        raise InvalidInput(
            _("No document is numbered %(n)s.") % {"n": record_number}, field="record"
        )
    meeting.record = papers.get(record_number)
    codes = {clean_text(a.department_code) for a in fields.attendees} - {""}
    departments = {
        d.code: d for d in Department.objects.filter(city=current_city(), code__in=codes)
    }
    _check_agenda(fields.agenda, papers, duration=_first_video_duration(meeting))
    _check_attendees(fields.attendees, departments)
    return _Found(papers=papers, departments=departments)


def _check_agenda(
    agenda: Sequence[AgendaFields], papers: dict[str, Document], *, duration: int | None
) -> None:
    offsets: dict[int, int] = {}
    for index, item in enumerate(agenda, start=1):
        where = f"agenda-{index}"
        _text(item.title, 300, where, required=_("Agenda item %(n)d needs a title.") % {"n": index})
        _text(item.number, 16, where)
        _text(item.result, 200, where)
        number = clean_text(item.paper_number)
        if number and number not in papers:
            raise InvalidInput(
                _("Agenda item %(n)d: no document is numbered %(number)s.")
                % {"n": index, "number": number},
                field=where,
            )
        offset = item.video_offset_seconds
        if offset is None:
            continue
        _check_offset(offset, index, duration, where)
        if offset in offsets:
            raise InvalidInput(
                _("Agenda items %(a)d and %(b)d start at the same moment of the video.")
                % {"a": offsets[offset], "b": index},
                field=where,
            )
        offsets[offset] = index


def _check_offset(offset: int, index: int, duration: int | None, where: str) -> None:
    if offset < 0 or offset > MAX_VIDEO_SECONDS:
        raise InvalidInput(
            _("Agenda item %(n)d: the start in the video is a number of seconds from 0.")
            % {"n": index},
            field=where,
        )
    if duration is not None and offset >= duration:
        raise InvalidInput(
            _(
                "Agenda item %(n)d starts %(offset)d seconds into the video, but the video "
                "lasts %(duration)d seconds."
            )
            % {"n": index, "offset": offset, "duration": duration},
            field=where,
        )


def _check_attendees(attendees: Sequence[AttendeeFields], departments: dict) -> None:
    for index, attendee in enumerate(attendees, start=1):
        where = f"attendee-{index}"
        _text(
            attendee.role_title,
            100,
            where,
            required=_("Attendee %(n)d needs the role they attend in.") % {"n": index},
        )
        _text(attendee.name, 100, where)
        code = clean_text(attendee.department_code)
        if code and code not in departments:
            raise InvalidInput(
                _("Attendee %(n)d: “%(code)s” is not one of the city's departments.")
                % {"n": index, "code": code},
                field=where,
            )


def _write_parts(meeting: Meeting, fields: MeetingFields, found: _Found) -> None:
    """The agenda in the order given (rows reused by position, so an item keeps its id while
    its meeting is edited) and the attendees, replaced."""
    existing = list(meeting.agenda.order_by("order", "id")) if meeting.pk else []
    # Out of the way first: the new orders 1…n may be taken by other rows until they move.
    AgendaItem.objects.filter(meeting=meeting).update(order=F("order") + 1000)
    for index, item_fields in enumerate(fields.agenda):
        item = existing[index] if index < len(existing) else AgendaItem(meeting=meeting)
        item.order = index + 1
        item.number = clean_text(item_fields.number)
        item.title = _masked(clean_text(item_fields.title), 300)
        item.result = _masked(clean_text(item_fields.result), 200)
        item.video_offset_seconds = item_fields.video_offset_seconds
        item.paper = found.papers.get(clean_text(item_fields.paper_number))
        item.save()
    AgendaItem.objects.filter(pk__in=[item.pk for item in existing[len(fields.agenda) :]]).delete()
    Attendee.objects.filter(meeting=meeting).delete()
    Attendee.objects.bulk_create(
        Attendee(
            meeting=meeting,
            role_title=clean_text(attendee.role_title),
            name=clean_text(attendee.name),
            department=found.departments.get(clean_text(attendee.department_code)),
            is_chair=attendee.is_chair,
        )
        for attendee in fields.attendees
    )


# --- videos ------------------------------------------------------------------------------------


def check_video_url(url: str) -> str:
    """An http(s) address of a video or of its page; anything else (javascript:, data:, a
    file on the official's computer) is refused."""
    url = clean_text(url)
    try:
        _URLS(url)
    except ValidationError as exc:
        raise InvalidInput(
            _("Give the video's web address, starting with https:// or http://."), field="url"
        ) from exc
    if len(url) > 500:
        raise InvalidInput(_("A video's address may be at most 500 characters."), field="url")
    return url


@transaction.atomic
def add_video(
    *,
    actor: Actor | User,
    meeting: Meeting,
    title: str,
    url: str = "",
    upload: UploadedFile | None = None,
    duration_seconds: int | None = None,
) -> VideoClip:
    """A video of the meeting: an uploaded file (checked and cleaned by core's media service,
    attached to the meeting so it is served as the meeting is public) or a link to one."""
    actor = Actor.of(actor)
    meeting = _locked(meeting)
    policies.may_keep(policies.seat_for(actor, meeting.committee)).enforce()
    title = _text(title, 200, "title", required=_("Give the video a title."))
    if upload is None and not clean_text(url):
        raise InvalidInput(_("Upload a video file or give its address."), field="url")
    if upload is not None and clean_text(url):
        raise InvalidInput(_("Upload a video file or give its address, not both."), field="url")
    if meeting.videos.count() >= MAX_VIDEOS:
        raise InvalidInput(
            _("A meeting has at most %(n)d videos.") % {"n": MAX_VIDEOS}, field="video"
        )
    if duration_seconds is not None and not 0 < duration_seconds <= MAX_VIDEO_SECONDS:
        raise InvalidInput(
            _("The video's length is a number of seconds, at most %(n)d.")
            % {"n": MAX_VIDEO_SECONDS},
            field="duration_seconds",
        )
    order = (meeting.videos.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    clip = VideoClip(meeting=meeting, order=order, title=title)
    with _media_removed_on_failure() as stored:
        if upload is not None:
            clip.media = store_video(upload=upload, uploaded_by=actor.user, target=meeting)
            stored.append(clip.media)
            clip.duration_seconds = math.ceil(clip.media.duration_seconds or 0) or None
        else:
            clip.url = check_video_url(url)
            clip.duration_seconds = duration_seconds
        clip.save()
        _check_offsets_fit(meeting)
        meeting.save(update_fields=["updated_at"])
        record_audit(
            actor=actor,
            action="plaza.meeting.video_added",
            target=meeting,
            data={"title": title, "uploaded": upload is not None, "url": clip.url},
        )
    return clip


@transaction.atomic
def remove_video(*, actor: Actor | User, clip: VideoClip) -> None:
    """Take a video off the meeting (an uploaded file goes with it)."""
    actor = Actor.of(actor)
    meeting = _locked(clip.meeting)
    policies.may_keep(policies.seat_for(actor, meeting.committee)).enforce()
    clip = VideoClip.objects.select_related("media").get(pk=clip.pk, meeting=meeting)
    media = clip.media
    clip.delete()
    _check_offsets_fit(meeting)
    meeting.save(update_fields=["updated_at"])
    record_audit(
        actor=actor,
        action="plaza.meeting.video_removed",
        target=meeting,
        data={"title": clip.title},
    )
    if media is not None:
        transaction.on_commit(lambda: _delete_media(media))


def _first_video_duration(meeting: Meeting) -> int | None:
    if meeting.pk is None:
        return None
    first = meeting.videos.select_related("media").order_by("order", "id").first()
    return selectors.clip_duration(first) if first is not None else None


def _check_offsets_fit(meeting: Meeting) -> None:
    """The agenda's chapter marks must lie within the (new) first video."""
    duration = _first_video_duration(meeting)
    for index, item in enumerate(meeting.agenda.order_by("order"), start=1):
        if item.video_offset_seconds is not None:
            _check_offset(item.video_offset_seconds, index, duration, "video")


@contextmanager
def _media_removed_on_failure() -> Iterator[list[Media]]:
    """Uploads stored inside the block lose their files if the block fails: the transaction
    takes their rows back, and nothing else would remove what they wrote to the storage."""
    stored: list[Media] = []
    try:
        yield stored
    except BaseException:
        for media in stored:
            _delete_files(media)
        raise


def _delete_files(media: Media) -> None:
    for stored_file in (media.file, media.thumbnail):
        if stored_file:
            stored_file.storage.delete(stored_file.name)


def _delete_media(media: Media) -> None:
    Media.objects.filter(pk=media.pk).delete()
    _delete_files(media)


# --- minutes and status ------------------------------------------------------------------------


def preview_minutes(text: str) -> masking.Masked:
    """The minutes as they would be stored, and what masking found: shown before saving."""
    text = clean_text(text)
    if len(text) > MAX_MINUTES_CHARS:
        raise InvalidInput(
            _("Minutes may be at most %(n)s characters.") % {"n": f"{MAX_MINUTES_CHARS:,}"},
            field="minutes",
        )
    return masking.mask(text)


@transaction.atomic
def set_minutes(*, actor: Actor | User, meeting: Meeting, text: str) -> masking.Masked:
    """Store the minutes with their personal data masked; returns what was masked."""
    actor = Actor.of(actor)
    meeting = _locked(meeting)
    policies.may_keep(policies.seat_for(actor, meeting.committee)).enforce()
    masked = preview_minutes(text)
    meeting.minutes = masked.text
    meeting.save(update_fields=["minutes", "updated_at"])
    record_audit(
        actor=actor,
        action="plaza.meeting.minutes_set",
        target=meeting,
        data={"masked": masked.count, "chars": len(masked.text)},
    )
    return masked


def mark_held(*, actor: Actor | User, meeting: Meeting) -> Meeting:
    """A scheduled meeting that has begun is marked held."""
    return _set_status(actor, meeting, MeetingStatus.HELD, policies.may_mark_held, "held")


def cancel_meeting(*, actor: Actor | User, meeting: Meeting) -> Meeting:
    return _set_status(actor, meeting, MeetingStatus.CANCELLED, policies.may_cancel, "cancelled")


@transaction.atomic
def _set_status(
    actor: Actor | User, meeting: Meeting, status: str, may: Callable, action: str
) -> Meeting:
    actor = Actor.of(actor)
    meeting = _locked(meeting)
    may(policies.seat_for(actor, meeting.committee), meeting).enforce()
    meeting.status = status
    meeting.save(update_fields=["status", "updated_at"])
    record_audit(actor=actor, action=f"plaza.meeting.{action}", target=meeting)
    return meeting


# --- small parts -------------------------------------------------------------------------------


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("committee", "committee__department")
        .get(pk=meeting.pk)
    )


def _text(value: str, limit: int, name: str, *, required: str = "") -> str:
    text = clean_text(value)
    if required and not text:
        raise InvalidInput(required, field=name)
    if len(text) > limit:
        raise InvalidInput(
            _("At most %(n)d characters, please (this has %(length)d).")
            % {"n": limit, "length": len(text)},
            field=name,
        )
    return text


def _masked(text: str, limit: int) -> str:
    """Personal data masked out of a short text (a masked address may be a little longer)."""
    return masking.mask(text).text[:limit]


def _check_moment(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or not moment_in_range(moment):
        raise InvalidInput(
            _("The date must be between %(range)s.") % {"range": MOMENTS_TEXT}, field=name
        )
