"""The Plaza's disclosure JSON API (/api/v1/plaza/requests): filing a request (signed in; a
browser session sends its CSRF token), the public list and each request's public page (never
who asked, never their text), and the requester's own requests.

Refusals answer 4xx JSON {detail, code[, field]}: 400 bad input (an unknown department or
status, a question about no public document), 401 not signed in, 403 no CSRF token, 404 an
unknown code, 429 too many requests filed in a short time."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from hamkke.core import ratelimit
from hamkke.core.web.api import SessionWithCsrf, one_page
from hamkke.plaza.disclosure import filing, selectors
from hamkke.plaza.disclosure.schemas import (
    DocumentRef,
    HistoryStepOut,
    MyRequestOut,
    MyRequestPageOut,
    RequestDetailOut,
    RequestIn,
    RequestOut,
    RequestPageOut,
    fields_of,
)
from hamkke.plaza.models import DisclosureRequest, RequestStatus

router = Router(tags=["plaza"])
session_auth = SessionWithCsrf()


def _detail(request: DisclosureRequest) -> RequestDetailOut:
    document = selectors.public_document_of(request)
    return RequestDetailOut(
        **fields_of(request),
        history=[
            HistoryStepOut(
                status=event.status,
                status_label=str(RequestStatus(event.status).label),
                note=event.note,
                at=event.at,
            )
            for event in request.events.all()
        ],
        document=DocumentRef(
            id=document.pk,
            number=document.number,
            title=document.title,
            url=document.get_absolute_url(),
        )
        if document
        else None,
    )


def _mine(request: DisclosureRequest) -> MyRequestOut:
    return MyRequestOut(**fields_of(request), description=request.description)


@router.post(
    "",
    response={201: MyRequestOut},
    auth=session_auth,
    summary="File a disclosure request or a question about a public document",
)
def file_request(request: HttpRequest, payload: RequestIn):
    """The answer is due on the day received plus the city's deadline (10 days in Seoul). A
    question names a public document by its number; a number that names no public document is
    refused alike whether it exists or not."""
    ratelimit.check(request, filing.FILING)
    filed = filing.file_request(
        actor=request.actor,
        kind=payload.kind,
        department=payload.department,
        document=payload.document,
        subject=payload.subject,
        description=payload.description,
    )
    return Status(201, _mine(filed))


@router.get("", response=RequestPageOut, summary="Every request, newest first, with filters")
def list_requests(
    request: HttpRequest, status: str = "", department: str = "", page: int = 1, page_size: int = 20
):
    """`status` one of the statuses, `department` a department's code; `page_size` at most
    100."""
    filters = selectors.check_filters(status=status, department=department)
    found = one_page(selectors.public_requests(filters), page, page_size)
    return RequestPageOut(
        **{**found, "items": [RequestOut(**fields_of(r)) for r in found["items"]]}
    )


@router.get("/mine", response=MyRequestPageOut, auth=session_auth, summary="My requests")
def my_requests(request: HttpRequest, page: int = 1, page_size: int = 20):
    found = one_page(selectors.requests_of(request.user), page, page_size)
    return MyRequestPageOut(**{**found, "items": [_mine(r) for r in found["items"]]})


@router.get("/{code}", response=RequestDetailOut, summary="One request: its public history")
def get_request(request: HttpRequest, code: str):
    return _detail(selectors.public_request(code))
