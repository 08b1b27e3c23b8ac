"""Schemas of the officials' JSON API (/api/v1/complaints/desk): queue items and whole reports
as officials see them (contact details and the reporter included), and what officials send."""

# No `from __future__ import annotations`, as in desk/api.py: ninja reads these through the
# endpoints' real annotations.

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from hamkke.complaints.services import BULK_LIMIT, BulkAction


class Ref(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: int
    email: str
    display_name: str


class ReporterOut(PersonOut):
    banned: bool
    ban_reason: str


class QueueItemOut(Schema):
    tracking_number: str
    status: str
    status_label: str
    is_open: bool
    overdue: bool
    hidden: bool
    category: Ref
    district: Ref
    department: Ref
    handler: PersonOut | None
    created_at: datetime
    expected_at: datetime
    updated_at: datetime
    escalated_at: datetime | None


class QueuePageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[QueueItemOut]


class EventOut(Schema):
    id: int
    status: str
    previous_status: str
    public_note: str
    internal_note: str
    actor: PersonOut | None
    department: str | None
    created_at: datetime


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    hidden: bool


class TemplateOut(Schema):
    id: int
    title: str
    body: str
    status: str


class ReportOut(QueueItemOut):
    """A report as officials see it: contact details and the reporter included."""

    description: str
    answers: dict
    address: str
    latitude: float
    longitude: float
    channel: str
    reporter: ReporterOut | None
    contact_name: str
    contact_email: str
    contact_phone: str
    duplicate_of: str | None
    public_answer: str
    resolved_at: datetime | None
    rating: int | None
    allowed_moves: list[str]
    photos: list[PhotoOut]
    events: list[EventOut]
    templates: list[TemplateOut]


class QueueQuery(Schema):
    department: str = Field("all", description="A department code, or all my departments")
    status: str = Field("", description="A status, 'any', or empty for every open status")
    category: str = ""
    district: str = ""
    start: date | None = Field(None, description="Filed on or after this day")
    end: date | None = Field(None, description="Filed on or before this day")
    overdue: bool = False
    assignee: Literal["", "me", "none"] = ""
    sort: Literal["sla", "age", "newest", "updated"] = "sla"
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class StatusIn(Schema):
    status: str
    public_note: str = Field("", max_length=4000)
    internal_note: str = Field("", max_length=4000)
    duplicate_of: str | None = Field(None, description="Tracking number of the original")
    department: str | None = Field(None, description="Code of the department to transfer to")


class AssignIn(Schema):
    handler_id: int | None = Field(description="The handler's account id; null unassigns")


class BulkIn(Schema):
    action: BulkAction
    tracking_numbers: list[str] = Field(min_length=1, max_length=BULK_LIMIT)
    handler_id: int | None = None
    department: str | None = None
    public_note: str = Field("", max_length=4000)
    internal_note: str = Field("", max_length=4000)


class BulkFailure(Schema):
    tracking_number: str
    detail: str


class BulkOut(Schema):
    succeeded: list[str]
    failed: list[BulkFailure]


class ModerateIn(Schema):
    action: Literal["edit", "hide", "unhide", "hide_photo", "show_photo", "ban", "unban"]
    reason: str = Field("", max_length=300)
    description: str | None = Field(None, description="The new text, for 'edit'")
    media_id: int | None = Field(None, description="The photo, for 'hide_photo'/'show_photo'")


class StatsQuery(Schema):
    start: date | None = None
    end: date | None = None
    district: str = ""
    category: str = ""


class TallyOut(Schema):
    key: str
    label: str
    total: int
    open: int
    overdue: int
    resolved: int
    within_sla: int
    share_within_sla: float | None


class StatsOut(Schema):
    overall: TallyOut
    median_days_to_resolve: float | None
    by_category: list[TallyOut]
    by_district: list[TallyOut]
    by_status: list[TallyOut]
    by_month: list[TallyOut]
