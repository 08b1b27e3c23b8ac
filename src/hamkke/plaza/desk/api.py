"""The Plaza's desk JSON API (/api/v1/plaza/desk): the official's departments' documents, one
document whole (withheld passages and files included), registering (JSON; files apart, as
multipart), the preview of the masking, approving, publishing, withdrawing, re-classifying.
Session sign-in with CSRF on writes; roles and the second factor as on the desk pages, and the
same policies and services."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.accounts.seats import seat_at
from hamkke.core import idempotency
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf, one_page
from hamkke.plaza import policies, services
from hamkke.plaza.desk import selectors
from hamkke.plaza.desk.schemas import (
    ApproveIn,
    AttachmentOut,
    DocumentIn,
    DocumentOut,
    DocumentPageOut,
    DocumentQuery,
    PreviewOut,
    ReclassifyIn,
    WithdrawIn,
)
from hamkke.plaza.models import Attachment, Document

router = Router(tags=["plaza desk"], auth=SessionWithCsrf())


# --- conversions ---------------------------------------------------------------------------------


def _fields(payload: DocumentIn) -> services.DocumentFields:
    data = payload.dict()
    data["department"] = selectors.department_by_code(current_city(), payload.department)
    data["body"] = payload.body.replace("\r\n", "\n")
    return services.DocumentFields(**data)


def _item(document: Document) -> dict:
    return {
        "id": document.pk,
        "number": document.number,
        "doc_type": document.doc_type,
        "department": {
            "code": document.department.code,
            "name": document.department.display_name,
        },
        "approver_level": document.approver_level,
        "title": document.title,
        "disclosure": document.disclosure,
        "legal_ground": document.legal_ground,
        "state": selectors.state_of(document),
        "produced_on": document.produced_on,
        "approved_at": document.approved_at,
        "publish_at": document.publish_at,
        "published_at": document.published_at,
        "withdrawn_at": document.withdrawn_at,
        "created_at": document.created_at,
    }


def _attachment(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "pages": attachment.pages,
        "text_status": attachment.text_status,
        "withheld": attachment.withheld,
        "legal_ground": attachment.legal_ground,
    }


def _whole(request: HttpRequest, pk: int) -> dict:
    """The document as its department's officials see it, with what the caller may do."""
    document = selectors.desk_document(pk)
    seat = seat_at(request.actor, document.department)
    policies.may_read_at_desk(seat).enforce()
    return {
        **_item(document),
        "approver_title": document.approver_title,
        "category": document.category.code if document.category else None,
        "summary": document.summary,
        "body": document.body,
        "withdrawn_reason": document.withdrawn_reason,
        "masked_count": document.masked_count,
        "source_url": document.source_url,
        "tags": [tag.name for tag in document.tags.all()],
        "related_numbers": [other.number for other in document.related.all()],
        "withheld": [
            {"order": p.order, "text": p.text, "legal_ground": p.legal_ground}
            for p in document.withheld.all()
        ],
        "attachments": [_attachment(a) for a in document.attachments.all()],
        "actions": policies.desk_offers(seat, document).allowed(),
    }


def _document_for(request: HttpRequest, pk: int) -> Document:
    """The document, for an official of its department; 403 for anyone else."""
    document = Document.objects.select_related("department").filter(pk=pk).first()
    if document is None:
        raise NotFound(_("There is no document here."), code="not_found")
    policies.may_read_at_desk(seat_at(request.actor, document.department)).enforce()
    return document


# --- endpoints -----------------------------------------------------------------------------------


@router.get("/documents", response=DocumentPageOut, summary="My departments' documents, by state")
@official_api(role=Role.VIEWER)
def list_documents(request: HttpRequest, query: Query[DocumentQuery]):
    places = selectors.desk_places(request.user, current_city())
    if query.department != "all":
        chosen = [p for p in places if p.department.code == query.department]
        if not chosen:
            raise InvalidInput(
                _("You work in no department with the code “%(code)s”.")
                % {"code": query.department},
                field="department",
            )
        places = chosen
    if query.state != selectors.ANY_STATE and query.state not in selectors.STATE_LABELS:
        raise InvalidInput(
            _("The state is all, draft, scheduled, published, withdrawn or closed."),
            field="state",
        )
    department_ids = [p.department.pk for p in places]
    documents = selectors.desk_documents(
        department_ids,
        state=query.state,
        doc_type=query.doc_type,
        query=query.q,
        sort=query.sort,
    )
    page = one_page(documents, query.page, query.page_size)
    page["items"] = [_item(document) for document in page["items"]]
    page["counts"] = selectors.state_counts(department_ids)
    return page


@router.post("/preview", response=PreviewOut, summary="Preview the masking; nothing is stored")
@official_api(role=Role.HANDLER)
def preview_document(request: HttpRequest, payload: DocumentIn):
    """The document checked as registering checks it (409 for a number taken), and the text
    the public would read: every masked item, as typed and as published, with its offsets in
    its field, and the withheld passages."""
    prepared = services.preview_document(actor=request.actor, fields=_fields(payload))
    return {
        "title": prepared.title,
        "summary": prepared.summary,
        "body": prepared.body,
        "masked_count": prepared.masked_count,
        "findings": [
            {
                "field": name,
                "kind": f.kind,
                "start": f.start,
                "end": f.end,
                "original": f.original,
                "masked": f.masked,
            }
            for name, found in prepared.findings.items()
            for f in found
        ],
        "withheld": [
            {"order": i, "text": text, "legal_ground": ground}
            for i, (text, ground) in enumerate(prepared.withheld)
        ],
    }


@router.post("/documents", response={201: DocumentOut}, summary="Register a document")
@official_api(role=Role.HANDLER)
def register_document(request: HttpRequest, payload: DocumentIn):
    """Masked and its withheld passages set apart as the preview shows; an approved one is
    scheduled for publication (published at once when due). 409 `duplicate_number` for a
    number registered already: a retry registers nothing twice."""
    document = services.register_document(actor=request.actor, fields=_fields(payload))
    return Status(201, _whole(request, document.pk))


@router.get("/documents/{document_id}", response=DocumentOut, summary="One document, whole")
@official_api(role=Role.VIEWER)
def get_document(request: HttpRequest, document_id: int):
    return _whole(request, document_id)


def _uploader(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


@router.post(
    "/documents/{document_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a file (multipart/form-data)",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("plaza.desk.attach", client=_uploader))
@official_api(role=Role.HANDLER)
def attach_file(
    request: HttpRequest,
    document_id: int,
    file: File[UploadedFile],
    withheld: Form[bool] = False,
    legal_ground: Form[str] = "",
):
    """`file` checked by its content (a file named .pdf must be a PDF; an encrypted or broken
    PDF is kept, its `text_status` saying why no text was taken out). `withheld` with a
    `legal_ground` for a partly open document's file never served to the public. Send an
    `Idempotency-Key` to retry without attaching twice."""
    document = _document_for(request, document_id)
    attachment = services.attach_file(
        actor=request.actor,
        document=document,
        upload=services.AttachmentUpload(
            file=file, withheld=withheld, legal_ground=legal_ground[:64]
        ),
    )
    return Status(201, _attachment(attachment))


@router.post("/documents/{document_id}/approve", response=DocumentOut, summary="Approve")
@official_api(role=Role.HANDLER)
def approve_document(request: HttpRequest, document_id: int, payload: ApproveIn):
    """Scheduled for publication the next day at 00:00 (the city's clock), at once by the
    profile's setting, or left for a manager below the level published by itself."""
    services.approve_document(
        actor=request.actor,
        document=_document_for(request, document_id),
        approved_at=payload.approved_at,
    )
    return _whole(request, document_id)


@router.post("/documents/{document_id}/publish", response=DocumentOut, summary="Publish now")
@official_api(role=Role.MANAGER)
def publish_document(request: HttpRequest, document_id: int):
    services.publish_document(actor=request.actor, document=_document_for(request, document_id))
    return _whole(request, document_id)


@router.post(
    "/documents/{document_id}/withdraw", response=DocumentOut, summary="Withdraw from the public"
)
@official_api(role=Role.MANAGER)
def withdraw_document(request: HttpRequest, document_id: int, payload: WithdrawIn):
    services.withdraw_document(
        actor=request.actor,
        document=_document_for(request, document_id),
        reason=payload.reason,
    )
    return _whole(request, document_id)


@router.post(
    "/documents/{document_id}/reclassify", response=DocumentOut, summary="Change the disclosure"
)
@official_api(role=Role.MANAGER)
def reclassify_document(request: HttpRequest, document_id: int, payload: ReclassifyIn):
    """Closing takes the document off every public surface at once; a legal ground of the
    profile is needed unless it becomes open."""
    services.change_disclosure(
        actor=request.actor,
        document=_document_for(request, document_id),
        disclosure=payload.disclosure,
        legal_ground=payload.legal_ground,
    )
    return _whole(request, document_id)
