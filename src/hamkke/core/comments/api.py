"""Open API of comments on any registered object, and their moderation."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from hamkke.core import moderation
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.comments import services as comment_services
from hamkke.core.registries import resolve_comment_target
from hamkke.core.web.api import SIGNED_IN, one_page

router = Router(tags=["comments"])


class CommentOut(Schema):
    """A comment as anyone may see it: the author's public name, never their email; no text
    when hidden (moderators see the text and the open reports)."""

    id: int
    author: str
    body: str | None
    hidden: bool
    created_at: datetime
    hidden_reason: str | None = None
    open_reports: int | None = None


class CommentPageOut(Schema):
    count: int = Field(description="Comments on the object, hidden ones included")
    page: int
    page_size: int
    pages: int
    items: list[CommentOut] = Field(description="Oldest first")


class CommentIn(Schema):
    body: str = Field(..., max_length=20_000, description="At most 4000 characters once trimmed")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2_000, description="At most 300 characters once trimmed")


class ReportOut(Schema):
    comment: int
    detail: str


class DetailOut(Schema):
    detail: str


def _comment_out(view: comment_selectors.CommentView) -> CommentOut:
    return CommentOut(
        id=view.id,
        author=view.author_name,
        body=view.body,
        hidden=view.hidden,
        created_at=view.created_at,
        hidden_reason=view.hidden_reason,
        open_reports=view.open_reports,
    )


def _one_comment(comment, request: HttpRequest) -> CommentOut:
    view = comment_selectors.comment_view(
        comment, include_hidden=bool(moderation.may_moderate(request.actor))
    )
    return _comment_out(view)


@router.get(
    "/threads/{target_type}/{target_id}/comments",
    response=CommentPageOut,
    tags=["comments"],
    summary="Comments on an object, a page at a time",
)
def list_comments(
    request: HttpRequest, target_type: str, target_id: str, page: int = 1, page_size: int = 20
):
    """`target_type` is "app_label.model" of a model that takes comments; 404 otherwise. Pages
    as every list: `page_size` at most 100, a page past the last answered with the last."""
    target = resolve_comment_target(target_type, target_id)
    moderates = bool(moderation.may_moderate(request.actor))
    body = one_page(
        comment_selectors.thread_comments(target, include_hidden=moderates), page, page_size
    )
    body["items"] = [
        _comment_out(comment_selectors.comment_view(comment, include_hidden=moderates))
        for comment in body["items"]
    ]
    return CommentPageOut(**body)


@router.post(
    "/threads/{target_type}/{target_id}/comments",
    response={201: CommentOut},
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Comment on an object",
)
def post_comment(request: HttpRequest, target_type: str, target_id: str, payload: CommentIn):
    target = resolve_comment_target(target_type, target_id)
    comment = comment_services.add_comment(author=request.user, target=target, body=payload.body)
    return Status(201, _one_comment(comment, request))


@router.post(
    "/comments/{int:comment_id}/report",
    response={201: ReportOut},
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Report a comment to the moderators (once per person)",
)
def report_comment(request: HttpRequest, comment_id: int, payload: ReasonIn):
    comment = comment_selectors.comment_by_id(comment_id)
    comment_services.report_comment(comment=comment, reporter=request.user, reason=payload.reason)
    return Status(
        201, ReportOut(comment=comment.pk, detail=_("Thank you: the moderators will look at it."))
    )


@router.post(
    "/comments/{int:comment_id}/hide",
    response=CommentOut,
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Hide a comment (moderators)",
)
def hide_comment(request: HttpRequest, comment_id: int, payload: ReasonIn):
    comment = comment_services.hide_comment(
        comment=comment_selectors.comment_by_id(comment_id),
        moderator=request.actor,
        reason=payload.reason,
    )
    return _one_comment(comment, request)


@router.post(
    "/comments/{int:comment_id}/unhide",
    response=CommentOut,
    auth=SIGNED_IN,
    tags=["comments"],
    summary="Show a hidden comment again (moderators)",
)
def unhide_comment(request: HttpRequest, comment_id: int):
    comment = comment_services.unhide_comment(
        comment=comment_selectors.comment_by_id(comment_id), moderator=request.actor
    )
    return _one_comment(comment, request)
