"""Comment threads as they may be shown, a page at a time; counts, and the moderation queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from hamkke.core import moderation
from hamkke.core.actors import Actor
from hamkke.core.errors import NotFound
from hamkke.core.models import (
    Comment,
    CommentReport,
    CommentStatus,
)
from hamkke.core.registries import commentable_for, target_key


@dataclass(frozen=True)
class CommentView:
    """A comment as it may be shown: the author by public name only (never the email), and no
    text when a moderator hid it unless the viewer moderates."""

    id: int
    author_name: str
    author_id: int | None
    body: str | None
    hidden: bool
    hidden_reason: str | None
    created_at: datetime
    open_reports: int | None


@dataclass(frozen=True)
class CommentThread:
    """What the core/comments.html include needs to show a target's comments and form."""

    target_type: str
    target_id: str
    label: str
    comments: list[CommentView]
    can_comment: bool
    cannot_comment_reason: str
    can_moderate: bool
    viewer_id: int | None
    # Comments the viewer has reported already, so the page does not offer it twice.
    reported_ids: frozenset[int] = frozenset()
    # `comments` is one page of the thread: `page` of `pages`, out of `count` comments.
    count: int = 0
    page: int = 1
    pages: int = 1

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


# Comments on one page of a thread; the API's lists take `page_size` instead.
COMMENTS_PER_PAGE = 50


def thread_comments(target: models.Model, *, include_hidden: bool = False) -> models.QuerySet:
    """A target's comments, oldest first, for a page of a thread (comment_view shows each).
    With include_hidden, each carries its count of open reports."""
    comments = (
        Comment.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
    if include_hidden:
        comments = comments.annotate(
            open_reports=Count("reports", filter=Q(reports__resolved=False))
        )
    return comments


def comments_for(target: models.Model, *, include_hidden: bool = False) -> list[CommentView]:
    """A target's comments, oldest first, in one query. Hidden comments keep their place as
    "hidden by a moderator"; their text (and report counts) only with include_hidden."""
    comments = thread_comments(target, include_hidden=include_hidden)
    return [comment_view(comment, include_hidden=include_hidden) for comment in comments]


def comment_view(comment: Comment, *, include_hidden: bool) -> CommentView:
    """One comment as the public (or, with include_hidden, a moderator) may see it."""
    hidden = comment.status == CommentStatus.HIDDEN
    show_text = include_hidden or not hidden
    return CommentView(
        id=comment.pk,
        author_name=str(comment.author.public_name) if comment.author else _("Deleted account"),
        author_id=comment.author_id,
        body=comment.body if show_text else None,
        hidden=hidden,
        hidden_reason=comment.hidden_reason if (hidden and include_hidden) else None,
        created_at=comment.created_at,
        open_reports=getattr(comment, "open_reports", None) if include_hidden else None,
    )


def comment_thread(
    target: models.Model,
    *,
    viewer,
    page: int | str | None = None,
    per_page: int = COMMENTS_PER_PAGE,
) -> CommentThread:
    """A page of the comments on a target and what the viewer (an Actor, or a user) may do
    there. Without `page`, the last: the newest comments come with the form, and a comment just
    posted is on the page shown. As on every list, a page past the last is the last, and one not
    a number the first."""
    entry = commentable_for(target)
    if entry is None:
        raise NotFound(_("Comments are not open on this kind of item."), code="not_commentable")
    moderates = bool(moderation.may_moderate(viewer))
    viewer = Actor.of(viewer).user
    can_comment, reason = True, ""
    if viewer is None or not viewer.is_authenticated:
        can_comment, reason = False, _("Log in to comment.")
    elif getattr(viewer, "banned_at", None):
        can_comment, reason = False, _("Your account is suspended: you cannot comment.")
    elif entry.is_open is not None and not entry.is_open(target):
        can_comment, reason = False, _("Comments are closed.")
    paginator = Paginator(thread_comments(target, include_hidden=moderates), per_page)
    shown = paginator.get_page(page if page not in (None, "") else paginator.num_pages)
    comments = [comment_view(c, include_hidden=moderates) for c in shown.object_list]
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    reported: frozenset[int] = frozenset()
    if viewer_id and comments:
        reported = frozenset(
            CommentReport.objects.filter(
                reporter_id=viewer_id, comment_id__in=[c.id for c in comments]
            ).values_list("comment_id", flat=True)
        )
    return CommentThread(
        target_type=target_key(target),
        target_id=str(target.pk),
        label=str(entry.label),
        comments=comments,
        can_comment=can_comment,
        cannot_comment_reason=reason,
        can_moderate=moderates,
        viewer_id=viewer_id,
        reported_ids=reported,
        count=paginator.count,
        page=shown.number,
        pages=paginator.num_pages,
    )


def comment_counts(targets: Iterable[models.Model]) -> dict[str, int]:
    """Visible comments per target's primary key (as text), for lists, in one query per model."""
    by_type: dict[ContentType, list[str]] = {}
    for target in targets:
        by_type.setdefault(ContentType.objects.get_for_model(target), []).append(str(target.pk))
    counts: dict[str, int] = {}
    for target_type, ids in by_type.items():
        rows = (
            Comment.objects.filter(
                target_type=target_type, target_id__in=ids, status=CommentStatus.VISIBLE
            )
            .values("target_id")
            .annotate(count=Count("id"))
        )
        counts.update({row["target_id"]: row["count"] for row in rows})
    return counts


def comment_by_id(comment_id: int) -> Comment:
    try:
        return Comment.objects.select_related("author", "target_type").get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such comment.")) from exc


def moderation_queue() -> models.QuerySet[Comment]:
    """Comments with reports no moderator has dealt with yet, most reported first, with the
    open reports and their reporters prefetched."""
    open_reports = CommentReport.objects.filter(resolved=False).select_related("reporter")
    return (
        Comment.objects.annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .filter(open_reports__gt=0)
        .select_related("author", "target_type")
        .prefetch_related(Prefetch("reports", queryset=open_reports, to_attr="pending_reports"))
        .order_by("-open_reports", "created_at", "id")
    )
