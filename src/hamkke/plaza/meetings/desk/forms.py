"""Forms of the meetings desk: a committee, a meeting with rows of agenda items and attendees
(formsets: a blank row is left out, so clearing a row removes it), a video (a file or a link),
the minutes. They parse; meetings/services.py decides."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hamkke.core.errors import DomainError
from hamkke.core.models import Department
from hamkke.core.web.forms import ServiceForm
from hamkke.plaza.meetings import chapters, services
from hamkke.plaza.models import Committee, Disclosure, Meeting
from hamkke.plaza.services import plaza_settings

EXTRA_ROWS = 3
# "75", "1:15" or "1:01:15": seconds, minutes and seconds, or hours, minutes and seconds.
_MOMENT = re.compile(r"^(?:(?:([0-9]{1,2}):)?([0-9]{1,3}):)?([0-9]{1,6})$")


class MomentField(forms.Field):
    """A moment of a video as people write it (1:02:03, 5:07 or 307), in seconds."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "size": 8})
    default_error_messages = {
        "invalid": _("Write the moment as seconds (307) or as minutes and seconds (5:07)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        match = _MOMENT.match(text) if text.isascii() and len(text) <= 12 else None
        if match is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
        if (match.group(2) and seconds >= 60) or (match.group(1) and minutes >= 60):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return hours * 3600 + minutes * 60 + seconds

    def prepare_value(self, value: Any) -> Any:
        return chapters.clock(value) if isinstance(value, int) else value


def _datetime_field(label, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CommitteeForm(ServiceForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    kind = forms.CharField(
        label=_("Kind"),
        max_length=64,
        required=False,
        help_text=_("E.g. standing committee, review board"),
    )
    department = forms.ChoiceField(label=_("Department"))

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self._departments = {str(d.pk): d for d in departments}
        self.fields["department"].choices = [
            (k, d.display_name) for k, d in self._departments.items()
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "department": self._departments[data["department"]],
            "name": data["name"],
            "name_en": data["name_en"],
            "kind": data["kind"],
        }


class MeetingForm(ServiceForm):
    domain_error_fields = {"record": "record_number"}

    committee = forms.ChoiceField(label=_("Committee"))
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    disclosure = forms.ChoiceField(label=_("Disclosure"), choices=Disclosure.choices)
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"),
        required=False,
        help_text=_("Needed when the meeting is partly open or closed."),
    )
    record_number = forms.CharField(
        label=_("Meeting record (document number)"),
        max_length=64,
        required=False,
        help_text=_("The registration number of the document that records the meeting."),
    )

    def __init__(self, *args, committees: list[Committee], **kwargs):
        super().__init__(*args, **kwargs)
        self._committees = {str(c.pk): c for c in committees}
        self.fields["committee"].choices = [
            (k, f"{c.display_name} ({c.department.display_name})")
            for k, c in self._committees.items()
        ]
        self.fields["legal_ground"].choices = [("", "—")] + [
            (ground.code, ground.name) for ground in plaza_settings().legal_grounds
        ]

    def chosen_committee(self) -> Committee:
        return self._committees[self.cleaned_data["committee"]]


class AgendaItemForm(forms.Form):
    number = forms.CharField(label=_("No."), max_length=16, required=False)
    title = forms.CharField(label=_("Agenda item"), max_length=300, required=False)
    result = forms.CharField(label=_("Result"), max_length=200, required=False)
    video_offset = MomentField(
        label=_("Starts in the video at"), help_text=_("e.g. 12:30 or 1:02:03")
    )
    paper_number = forms.CharField(
        label=_("Paper (document number)"), max_length=64, required=False
    )

    def fields_or_none(self) -> services.AgendaFields | None:
        data = getattr(self, "cleaned_data", {})
        if not any(data.get(name) not in (None, "") for name in self.fields):
            return None  # a blank row
        return services.AgendaFields(
            title=data["title"],
            number=data["number"],
            result=data["result"],
            video_offset_seconds=data["video_offset"],
            paper_number=data["paper_number"],
        )


class AttendeeForm(forms.Form):
    role_title = forms.CharField(label=_("Role"), max_length=100, required=False)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)
    is_chair = forms.BooleanField(label=_("Chair"), required=False)

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—")] + [
            (d.code, d.display_name) for d in departments
        ]

    def fields_or_none(self) -> services.AttendeeFields | None:
        data = getattr(self, "cleaned_data", {})
        if not any(data.get(name) for name in self.fields):
            return None
        return services.AttendeeFields(
            role_title=data["role_title"],
            name=data["name"],
            department_code=data["department"],
            is_chair=data["is_chair"],
        )


AgendaFormSet = forms.formset_factory(
    AgendaItemForm, extra=EXTRA_ROWS, max_num=services.MAX_AGENDA_ITEMS
)
AttendeeFormSet = forms.formset_factory(
    AttendeeForm, extra=EXTRA_ROWS, max_num=services.MAX_ATTENDEES
)


class MeetingEditor:
    """The meeting form and its two formsets, sent to one service call."""

    def __init__(
        self,
        data=None,
        *,
        committees: list[Committee],
        departments: list[Department],
        meeting: Meeting | None = None,
    ):
        initial, agenda, attendees = (None, None, None)
        if meeting is not None and data is None:
            initial, agenda, attendees = _initial(meeting)
        self.form = MeetingForm(data, committees=committees, initial=initial)
        self.agenda = AgendaFormSet(data, prefix="agenda", initial=agenda)
        self.attendees = AttendeeFormSet(
            data, prefix="attendee", initial=attendees, form_kwargs={"departments": departments}
        )
        self.status_code = 200
        self.result: Any = None

    def fields(self) -> services.MeetingFields:
        data = self.form.cleaned_data
        return services.MeetingFields(
            committee=self.form.chosen_committee(),
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            disclosure=data["disclosure"],
            legal_ground=data["legal_ground"],
            record_number=data["record_number"],
            agenda=[f for f in (form.fields_or_none() for form in self.agenda) if f is not None],
            attendees=[
                f for f in (form.fields_or_none() for form in self.attendees) if f is not None
            ],
        )

    def submit(self, service: Callable[[services.MeetingFields], Any], *, reraise=()) -> bool:
        self.status_code = 400
        valid = [self.form.is_valid(), self.agenda.is_valid(), self.attendees.is_valid()]
        if not all(valid):
            return False
        try:
            self.result = service(self.fields())
        except reraise:
            raise
        except DomainError as exc:
            self.form.add_domain_error(exc)
            self.status_code = exc.status
            return False
        return True


def _initial(meeting: Meeting) -> tuple[dict, list[dict], list[dict]]:
    form = {
        "committee": str(meeting.committee_id),
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "disclosure": meeting.disclosure,
        "legal_ground": meeting.legal_ground,
        "record_number": meeting.record.number if meeting.record else "",
    }
    agenda = [
        {
            "number": item.number,
            "title": item.title,
            "result": item.result,
            "video_offset": item.video_offset_seconds,
            "paper_number": item.paper.number if item.paper else "",
        }
        for item in meeting.agenda.all()
    ]
    attendees = [
        {
            "role_title": attendee.role_title,
            "name": attendee.name,
            "department": attendee.department.code if attendee.department else "",
            "is_chair": attendee.is_chair,
        }
        for attendee in meeting.attendees.all()
    ]
    return form, agenda, attendees


class VideoForm(ServiceForm):
    domain_error_fields = {"video": "file", "duration_seconds": "duration"}

    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("Video file"), required=False)
    url = forms.CharField(
        label=_("Video address"),
        max_length=500,
        required=False,
        help_text=_("https://… of a video file or of its page on a video site"),
    )
    duration = MomentField(label=_("Length"), help_text=_("For a link: e.g. 1:45:00"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "MP4, MOV or WebM of at most %(minutes)s minutes; link a longer recording below."
        ) % {"minutes": f"{settings.HAMKKE_MAX_VIDEO_SECONDS / 60:g}"}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "url": data["url"],
            "upload": data["file"],
            "duration_seconds": data["duration"],
        }


class MinutesForm(ServiceForm):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=services.MAX_MINUTES_CHARS,
        widget=forms.Textarea(attrs={"rows": 16}),
        strip=False,
    )
