"""Schemas of the Plaza's desk API (/api/v1/plaza/desk): documents as their department's
officials see them (withheld passages and files included), what officials send to register
and act on them, and the preview of the masking."""

# No `from __future__ import annotations`, as in desk/api.py: ninja reads these through the
# endpoints' real annotations.

from datetime import date, datetime

from ninja import Field, Schema


class DocumentIn(Schema):
    """The fields of services.DocumentFields; the department and category by their codes.
    Attachments are sent apart, as multipart, to /documents/{id}/attachments."""

    number: str = Field(max_length=64, description="Registration number, as in the DMS")
    doc_type: str = Field(
        max_length=16,
        description="approval, finance, budget, meeting, contract, statistics, public_data, "
        "announcement or decision",
    )
    department: str = Field(max_length=64, description="The issuing department's code")
    approver_level: int = Field(ge=1, le=6, description="1 team leader … 3 director … 6 mayor")
    approver_title: str = Field(default="", max_length=100)
    category: str = Field(default="", max_length=64, description="A category code of the profile")
    title: str = Field(max_length=300)
    summary: str = Field(default="", max_length=2000)
    body: str = Field(
        default="",
        max_length=1_000_000,
        description="Withheld passages of a partly open document between "
        "[[withheld:GROUND]] and [[/withheld]]; personal data is masked",
    )
    disclosure: str = Field(default="open", max_length=8, description="open, partial or closed")
    legal_ground: str = Field(
        default="", max_length=64, description="A legal ground's code; required unless open"
    )
    produced_on: date
    approved_at: datetime | None = Field(
        default=None, description="With its time zone; none for a draft"
    )
    tags: list[str] = Field(default=[], max_length=50)
    related_numbers: list[str] = Field(
        default=[], max_length=100, description="Registration numbers of related documents"
    )


class FindingOut(Schema):
    field: str
    kind: str = Field(description="resident_number, phone or email")
    start: int = Field(description="Offset into the field as typed (after cleaning)")
    end: int
    original: str
    masked: str


class WithheldOut(Schema):
    order: int
    text: str
    legal_ground: str


class PreviewOut(Schema):
    title: str
    summary: str
    body: str = Field(description="The public body: masked, withheld passages replaced")
    masked_count: int
    findings: list[FindingOut]
    withheld: list[WithheldOut]


class Ref(Schema):
    code: str
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    pages: int | None
    text_status: str
    withheld: bool
    legal_ground: str


class DocumentItemOut(Schema):
    id: int
    number: str
    doc_type: str
    department: Ref
    approver_level: int
    title: str
    disclosure: str
    legal_ground: str
    state: str = Field(description="draft, scheduled, published, withdrawn or closed")
    produced_on: date
    approved_at: datetime | None
    publish_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime


class DocumentOut(DocumentItemOut):
    approver_title: str
    category: str | None
    summary: str
    body: str
    withdrawn_reason: str
    masked_count: int
    source_url: str
    tags: list[str]
    related_numbers: list[str]
    withheld: list[WithheldOut]
    attachments: list[AttachmentOut]
    actions: list[str] = Field(
        description="What the caller may do now: approve, publish, withdraw, reclassify, attach"
    )


class DocumentPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    counts: dict[str, int] = Field(description="The departments' documents in each state")
    items: list[DocumentItemOut]


class DocumentQuery(Schema):
    department: str = Field(default="all", max_length=64, description="A code, or all")
    state: str = Field(
        default="all",
        max_length=16,
        description="all, draft, scheduled, published, withdrawn or closed",
    )
    doc_type: str = Field(default="", max_length=16)
    q: str = Field(default="", max_length=200, description="In the number or the title")
    sort: str = Field(default="newest", max_length=16, description="newest, oldest, publication")
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=20, ge=1, le=100)


class ApproveIn(Schema):
    approved_at: datetime | None = Field(default=None, description="Now when none")


class WithdrawIn(Schema):
    reason: str = Field(max_length=300)


class ReclassifyIn(Schema):
    disclosure: str = Field(max_length=8, description="open, partial or closed")
    legal_ground: str = Field(default="", max_length=64)
