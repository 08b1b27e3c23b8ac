"""Forms of comment threads and moderation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hamkke.core.comments.services import COMMENT_MAX_CHARS, REASON_MAX_CHARS
from hamkke.core.web.forms import ServiceForm


class CommentForm(ServiceForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be kind and stay on topic. Others see your display name, never your email."),
    )


class ReasonForm(ServiceForm):
    """Why a comment is reported, or why a moderator hides it."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_CHARS)
