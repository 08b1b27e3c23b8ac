"""Comments on any registered object: writing, reporting, and moderating them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core import moderation, ratelimit
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, TooManyAttempts
from hamkke.core.models import (
    Comment,
    CommentReport,
    CommentStatus,
)
from hamkke.core.notifications.services import notify
from hamkke.core.registries import COMMENT_HIDDEN, commentable_for
from hamkke.core.text import clean_text

if TYPE_CHECKING:
    from hamkke.accounts.models import User


COMMENT_MAX_CHARS = 4000


REASON_MAX_CHARS = 300


@transaction.atomic
def add_comment(*, author: User, target: models.Model, body: str) -> Comment:
    """Comment on a registered object. Refused: anonymous or banned authors, unregistered or
    closed targets, empty or over-long text, and more than the per-minute allowance."""
    entry = commentable_for(target)
    if entry is None:
        raise NotFound(_("Comments are not open on this kind of item."), code="not_commentable")
    moderation.require_participant(author)
    if entry.is_open is not None and not entry.is_open(target):
        raise NotAllowed(
            _("Comments are closed on this %(label)s.") % {"label": entry.label},
            code="comments_closed",
        )
    text = clean_text(body)
    if not text:
        raise InvalidInput(_("Write something before sending the comment."), field="body")
    if len(text) > COMMENT_MAX_CHARS:
        raise InvalidInput(
            _("A comment may be at most %(max)d characters; this one has %(count)d.")
            % {"max": COMMENT_MAX_CHARS, "count": len(text)},
            field="body",
        )
    _throttle(author, "comment", getattr(settings, "HAMKKE_COMMENTS_PER_MINUTE", 10))
    return Comment.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        author=author,
        body=text,
    )


@transaction.atomic
def report_comment(*, comment: Comment, reporter: User, reason: str) -> CommentReport:
    """Flag a comment for the moderators. One report per person and comment."""
    moderation.require_participant(reporter)
    text = clean_text(reason)
    if not text:
        raise InvalidInput(_("Say briefly what is wrong with this comment."), field="reason")
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput(
            _("The reason may be at most %(max)d characters.") % {"max": REASON_MAX_CHARS},
            field="reason",
        )
    _throttle(reporter, "report", getattr(settings, "HAMKKE_REPORTS_PER_MINUTE", 20))
    try:
        # A savepoint, so the clash leaves the surrounding transaction usable (PostgreSQL).
        with transaction.atomic():
            return CommentReport.objects.create(comment=comment, reporter=reporter, reason=text)
    except IntegrityError as exc:
        raise Conflict(
            _("You have already reported this comment; the moderators will look at it."),
            code="already_reported",
        ) from exc


@transaction.atomic
def hide_comment(*, comment: Comment, moderator: Actor | User, reason: str) -> Comment:
    """Hide a comment from the public ("hidden by a moderator"), resolve its reports, write the
    audit entry and tell the author why."""
    who = Actor.of(moderator)
    moderator = who.user
    moderation.require_moderator(who)
    text = clean_text(reason)[:REASON_MAX_CHARS]
    if not text:
        raise InvalidInput(_("Give the reason for hiding; the author will see it."), field="reason")
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.is_hidden:
        raise Conflict(_("This comment is already hidden."), code="already_hidden")
    comment.status = CommentStatus.HIDDEN
    comment.hidden_reason = text
    comment.hidden_at = timezone.now()
    comment.hidden_by = moderator
    comment.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by"])
    resolved = _resolve_reports(comment)
    record_audit(
        actor=who,
        action="comment.hide",
        target=comment,
        data={"reason": text, "reports_resolved": resolved, "on": _target_address(comment)},
    )
    if comment.author_id:
        notify(
            recipient=comment.author,
            kind=COMMENT_HIDDEN,
            title=_("A moderator hid your comment"),
            body=_("Reason: %(reason)s") % {"reason": text},
            url=_target_url(comment),
        )
    return comment


@transaction.atomic
def unhide_comment(*, comment: Comment, moderator: Actor | User) -> Comment:
    """Show a hidden comment again."""
    who = Actor.of(moderator)
    moderator = who.user
    moderation.require_moderator(who)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not comment.is_hidden:
        raise Conflict(_("This comment is not hidden."), code="not_hidden")
    previous_reason = comment.hidden_reason
    comment.status = CommentStatus.VISIBLE
    comment.hidden_reason = ""
    comment.hidden_at = None
    comment.hidden_by = None
    comment.save(update_fields=["status", "hidden_reason", "hidden_at", "hidden_by"])
    record_audit(
        actor=who,
        action="comment.unhide",
        target=comment,
        data={"previous_reason": previous_reason, "on": _target_address(comment)},
    )
    return comment


@transaction.atomic
def dismiss_comment_reports(*, comment: Comment, moderator: Actor | User) -> int:
    """Decide a reported comment may stay: its open reports are resolved and it leaves the
    moderation queue. Returns how many reports were resolved."""
    who = Actor.of(moderator)
    moderator = who.user
    moderation.require_moderator(who)
    resolved = _resolve_reports(comment)
    if resolved:
        record_audit(
            actor=who,
            action="comment.reports_dismissed",
            target=comment,
            data={"reports_resolved": resolved, "on": _target_address(comment)},
        )
    return resolved


def _resolve_reports(comment: Comment) -> int:
    return CommentReport.objects.filter(comment=comment, resolved=False).update(
        resolved=True, resolved_at=timezone.now()
    )


def _target_address(comment: Comment) -> str:
    return f"{comment.target_type.app_label}.{comment.target_type.model}:{comment.target_id}"


def _target_url(comment: Comment) -> str:
    target = comment.target
    get_url = getattr(target, "get_absolute_url", None)
    return f"{get_url()}#comment-{comment.pk}" if get_url else ""


def _throttle(person: User, action: str, per_minute: int) -> None:
    """A per-person allowance per minute, counted like every other limit of the site."""
    wait = ratelimit.attempt_by(
        group=f"comments.{action}", key=str(person.pk), rate=f"{per_minute}/m"
    )
    if wait:
        raise TooManyAttempts(
            _("You are doing that too often. Please wait a minute and try again."),
            retry_after=wait,
        )
