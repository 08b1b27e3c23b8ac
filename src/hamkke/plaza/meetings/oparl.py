"""The Plaza's meetings as OParl 1.1 objects (https://schema.oparl.org/1.1/): System, Body (the
city), Organization (a committee), Meeting with its AgendaItems embedded, Paper (a public
document a public meeting names), File (a public attachment that is not withheld) and Location
(a meeting's place). Every `id` is the object's absolute address under /oparl/v1/; dates are
ISO 8601 in the city's time zone, as the spec writes them (2026-11-02T10:00:00+09:00). Only
what meetings/selectors.py lets the public see is ever shaped here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from hamkke.core.models import City
from hamkke.plaza.meetings.selectors import MeetingPage
from hamkke.plaza.models import (
    AgendaItem,
    Attachment,
    Committee,
    Document,
    DocumentType,
    Meeting,
    MeetingStatus,
)
from hamkke.plaza.services import plaza_settings

VERSION = "https://schema.oparl.org/1.1/"
# OParl's recommended words for a meeting's state (the spec is German): planned, and held.
MEETING_STATES = {
    MeetingStatus.SCHEDULED: "terminiert",
    MeetingStatus.HELD: "durchgeführt",
    MeetingStatus.CANCELLED: "terminiert",
}
# OParl's rough kind of an organization: a committee is a "Gremium".
ORGANIZATION_TYPE = "Gremium"


def type_of(name: str) -> str:
    return f"{VERSION}{name}"


def moment(value: datetime | None) -> str | None:
    """yyyy-mm-ddThh:mm:ss±hh:mm in the city's time zone (no fractions of a second)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def compact(obj: dict) -> dict:
    """The spec asks for no null values, empty lists or empty strings on optional properties."""
    return {key: value for key, value in obj.items() if value not in (None, "", [])}


class Addresses:
    """Absolute addresses of the OParl objects, lists and pages, for one request's host."""

    def __init__(self, request: HttpRequest):
        self.request = request

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)

    def of(self, name: str, *args) -> str:
        return self.absolute(reverse(f"oparl:{name}", args=args))

    def system(self) -> str:
        return self.of("system")

    def body(self, city: City) -> str:
        return self.of("body", city.slug)

    def body_list(self, city: City, kind: str) -> str:
        return self.of(kind, city.slug)

    def organization(self, pk: int) -> str:
        return self.of("organization", pk)

    def meeting(self, pk: int) -> str:
        return self.of("meeting", pk)

    def agenda_item(self, pk: int) -> str:
        return self.of("agenda-item", pk)

    def paper(self, pk: int) -> str:
        return self.of("paper", pk)

    def file(self, pk: int) -> str:
        return self.of("file", pk)

    def location(self, pk: int) -> str:
        return self.of("location", pk)


def licence_url() -> str:
    """The address of the licence the city publishes its information under, when it names one."""
    section = plaza_settings()
    return next(
        (lic.url for lic in section.licences if lic.code == section.default_licence and lic.url),
        "",
    )


def system(links: Addresses, city: City) -> dict:
    return compact(
        {
            "id": links.system(),
            "type": type_of("System"),
            "oparlVersion": VERSION,
            "body": links.of("bodies"),
            "name": f"{city.display_name} · Information Communication Plaza",
            "website": links.absolute(reverse("plaza:index")),
            "license": licence_url(),
            "web": links.absolute(reverse("plaza:meetings")),
        }
    )


def body(links: Addresses, city: City) -> dict:
    return compact(
        {
            "id": links.body(city),
            "type": type_of("Body"),
            "system": links.system(),
            "name": city.name,
            "shortName": city.name_en,
            "website": links.absolute(reverse("home")),
            "license": licence_url(),
            "classification": "city",
            "organization": links.body_list(city, "organizations"),
            "person": links.body_list(city, "people"),
            "meeting": links.body_list(city, "meetings"),
            "paper": links.body_list(city, "papers"),
            "legislativeTerm": [],
            "web": links.absolute(reverse("plaza:meetings")),
            "modified": moment(city.loaded_at),
        }
    ) | {"legislativeTerm": []}  # required: an empty list is given, not left out


def organization(links: Addresses, committee: Committee, city: City) -> dict:
    return compact(
        {
            "id": links.organization(committee.pk),
            "type": type_of("Organization"),
            "body": links.body(city),
            "name": committee.name,
            "shortName": committee.name_en,
            "organizationType": ORGANIZATION_TYPE,
            "classification": committee.kind,
            "meeting": links.of("organization-meetings", committee.pk),
            "web": links.absolute(reverse("plaza:meetings") + f"?committee={committee.pk}"),
            "created": moment(committee.created_at),
            "modified": moment(committee.updated_at),
        }
    )


def file(links: Addresses, attachment: Attachment, *, paper_ids: set[int] = frozenset()) -> dict:
    document = attachment.document
    return compact(
        {
            "id": links.file(attachment.pk),
            "type": type_of("File"),
            "name": attachment.original_name,
            "fileName": attachment.original_name,
            "mimeType": attachment.content_type,
            "size": attachment.size,
            "date": day(document.produced_on),
            "accessUrl": links.of("file-access", attachment.pk),
            "downloadUrl": links.of("file-download", attachment.pk),
            "paper": [links.paper(document.pk)] if document.pk in paper_ids else [],
            "created": moment(document.created_at),
            "modified": moment(document.updated_at),
        }
    )


def _files(links: Addresses, attachments: Iterable[Attachment], paper_ids: set[int]) -> list:
    return [file(links, a, paper_ids=paper_ids) for a in attachments if not a.withheld]


def paper(links: Addresses, document: Document, city: City) -> dict:
    files = _files(links, document.attachments.all(), {document.pk})
    return compact(
        {
            "id": links.paper(document.pk),
            "type": type_of("Paper"),
            "body": links.body(city),
            "name": document.title,
            "reference": document.number,
            "date": day(document.produced_on),
            "paperType": str(DocumentType(document.doc_type).label)
            if document.doc_type in DocumentType.values
            else document.doc_type,
            "mainFile": files[0] if files else None,
            "auxiliaryFile": files[1:],
            "created": moment(document.created_at),
            "modified": moment(document.updated_at),
            "web": links.absolute(document.get_absolute_url()),
        }
    )


def agenda_item(
    links: Addresses, item: AgendaItem, paper_doc: Document | None, *, meeting: Meeting
) -> dict:
    files = _files(links, paper_doc.attachments.all(), {paper_doc.pk}) if paper_doc else []
    return compact(
        {
            "id": links.agenda_item(item.pk),
            "type": type_of("AgendaItem"),
            "meeting": links.meeting(meeting.pk),
            "number": item.number,
            "order": item.order,
            "name": item.title,
            "public": True,
            "result": item.result,
            "auxiliaryFile": files,
            "web": links.absolute(reverse("plaza:meeting", args=[meeting.pk]) + f"#item-{item.pk}"),
            "created": moment(meeting.created_at),
            "modified": moment(meeting.updated_at),
        }
    )


def location(links: Addresses, meeting: Meeting) -> dict:
    return compact(
        {
            "id": links.location(meeting.pk),
            "type": type_of("Location"),
            "description": meeting.place,
            "meetings": [links.meeting(meeting.pk)],
            "created": moment(meeting.created_at),
            "modified": moment(meeting.updated_at),
        }
    )


def meeting(links: Addresses, shown: MeetingPage, *, omit_internal: bool = False) -> dict:
    held = shown.meeting
    record = shown.record
    record_files = _files(links, record.attachments.all(), {record.pk}) if record else []
    agenda = [agenda_item(links, row.item, row.paper, meeting=held) for row in shown.agenda]
    return compact(
        {
            "id": links.meeting(held.pk),
            "type": type_of("Meeting"),
            "name": held.title,
            "meetingState": MEETING_STATES.get(held.status, held.status),
            "cancelled": True if held.status == MeetingStatus.CANCELLED else None,
            "start": moment(held.starts_at),
            "end": moment(held.ends_at),
            "location": location(links, held) if held.place else None,
            "organization": [links.organization(held.committee_id)],
            "resultsProtocol": record_files[0] if record_files else None,
            "auxiliaryFile": [] if omit_internal else record_files[1:],
            "agendaItem": [] if omit_internal else agenda,
            "web": links.absolute(reverse("plaza:meeting", args=[held.pk])),
            "created": moment(held.created_at),
            "modified": moment(held.updated_at),
        }
    )
