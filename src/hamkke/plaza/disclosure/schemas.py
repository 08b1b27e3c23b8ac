"""Schemas of the disclosure requests' API (/api/v1/plaza/requests). The public schemas have no
field for who asked or what they wrote: those are only in `MyRequestOut`, the requester's own."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from hamkke.plaza.models import DisclosureRequest, RequestKind, RequestStatus


class RequestIn(Schema):
    kind: str = Field(description="One of: " + ", ".join(RequestKind.values))
    department: str = Field(
        "", description="A department's code; a question goes to its document's department"
    )
    document: str = Field(
        "",
        description="A document's registration number: required for a question (a public "
        "document), optional for a disclosure request",
    )
    subject: str = Field(description="Public (personal data is masked); at most 200 characters")
    description: str = Field(description="Private to the requester; at most 4,000 characters")


class DepartmentRef(Schema):
    code: str
    name: str = Field(description="In the request's language (Accept-Language)")


class DocumentRef(Schema):
    id: int
    number: str
    title: str
    url: str = Field(description="Its public page ('' when there is none)")


class HistoryStepOut(Schema):
    status: str
    status_label: str
    note: str
    at: datetime


class RequestOut(Schema):
    code: str
    kind: str = Field(description="One of: " + ", ".join(RequestKind.values))
    subject: str
    department: DepartmentRef
    status: str = Field(description="One of: " + ", ".join(RequestStatus.values))
    status_label: str
    received_at: datetime
    due_on: date = Field(description="The last day of the answer")
    extended: bool
    overdue: bool = Field(description="Still waiting for its answer after its last day")
    answered_at: datetime | None
    answer: str


class RequestDetailOut(RequestOut):
    history: list[HistoryStepOut]
    document: DocumentRef | None = Field(
        description="The document the request is about or its answer published, while public"
    )


class MyRequestOut(RequestOut):
    description: str


class RequestPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[RequestOut]


class MyRequestPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[MyRequestOut]


def fields_of(request: DisclosureRequest) -> dict:
    """What every schema of a request shows (from a request read by the selectors, which
    annotate `overdue`)."""
    return {
        "code": request.code,
        "kind": request.kind,
        "subject": request.subject,
        "department": DepartmentRef(
            code=request.department.code, name=request.department.display_name
        ),
        "status": request.status,
        "status_label": str(RequestStatus(request.status).label),
        "received_at": request.received_at,
        "due_on": request.due_on,
        "extended": request.extended,
        "overdue": bool(getattr(request, "overdue", False)),
        "answered_at": request.answered_at,
        "answer": request.answer,
    }
