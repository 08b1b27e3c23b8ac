"""Pages of comment threads and their moderation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hamkke.core import moderation
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.comments import services as comment_services
from hamkke.core.comments.forms import CommentForm, ReasonForm
from hamkke.core.errors import DomainError
from hamkke.core.registries import resolve_comment_target
from hamkke.core.web.responses import (
    add_retry_after,
    found_or_404,
    render_domain_error,
    safe_next,
    without_fragment,
)


def _thread_url(target_type: str, target_id: str) -> str:
    return reverse("core:comment-thread", args=[target_type, target_id])


def _target_page(target: models.Model, target_type: str, target_id: str) -> str:
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if get_url else _thread_url(target_type, target_id)


def _comment_or_404(comment_id: int):
    return found_or_404(comment_selectors.comment_by_id, comment_id)


@require_http_methods(["GET", "POST"])
def comment_thread(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    """A target's comments on their own page; posting a comment lands here too, and a refused
    comment is shown again with the reason beside the text, so nothing typed is lost."""
    target = found_or_404(resolve_comment_target, target_type, target_id)
    thread_url = _thread_url(target_type, target_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(thread_url)
        published = form.submit(
            lambda: comment_services.add_comment(
                author=request.user, target=target, body=form.cleaned_data["body"]
            )
        )
        if published:
            messages.success(request, _("Your comment is published."))
            back = safe_next(request, _target_page(target, target_type, target_id))
            return redirect(f"{without_fragment(back)}#comment-{form.result.pk}")
    context = {
        "target": target,
        "thread": comment_selectors.comment_thread(
            target, viewer=request.actor, page=request.GET.get("page")
        ),
        "comment_form": form,
        "next": safe_next(request, _target_page(target, target_type, target_id)),
    }
    response = render(request, "core/comment_thread.html", context, status=form.status_code)
    add_retry_after(response, form.refusal)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        reported = form.submit(
            lambda: comment_services.report_comment(
                comment=comment, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        )
        if reported:
            messages.success(request, _("Thank you: the moderators will look at it."))
            return redirect(f"{without_fragment(back)}#comment-{comment.pk}")
    context = {"comment": comment, "form": form, "next": back, "action": "report"}
    response = render(request, "core/comment_action.html", context, status=form.status_code)
    add_retry_after(response, form.refusal)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def comment_hide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    decision = moderation.may_moderate(request.actor)
    if not decision:
        raise PermissionDenied(_refusal(decision, _("Only moderators may hide comments.")))
    back = safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        hidden = form.submit(
            lambda: comment_services.hide_comment(
                comment=comment,
                moderator=request.actor,
                reason=form.cleaned_data["reason"],
            )
        )
        if hidden:
            messages.success(request, _("The comment is hidden; its author was told why."))
            return redirect(f"{without_fragment(back)}#comment-{comment.pk}")
    context = {"comment": comment, "form": form, "next": back, "action": "hide"}
    return render(request, "core/comment_action.html", context, status=form.status_code)


@login_required
@require_POST
def comment_unhide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    try:
        comment_services.unhide_comment(comment=comment, moderator=request.actor)
    except DomainError as exc:
        return render_domain_error(request, exc)
    messages.success(request, _("The comment is shown again."))
    return redirect(f"{without_fragment(back)}#comment-{comment.pk}")


@login_required
@require_POST
def comment_dismiss_reports(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = safe_next(request, reverse("core:moderation-queue"))
    try:
        comment_services.dismiss_comment_reports(comment=comment, moderator=request.actor)
    except DomainError as exc:
        return render_domain_error(request, exc)
    messages.success(request, _("The reports are dismissed; the comment stays."))
    return redirect(back)


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    decision = moderation.may_moderate(request.actor)
    if not decision:
        raise PermissionDenied(
            _refusal(decision, _("Only moderators may see the moderation queue."))
        )
    page = Paginator(comment_selectors.moderation_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "core/moderation_queue.html", {"page": page})


def _type_key(comment) -> str:
    return f"{comment.target_type.app_label}.{comment.target_type.model}"


def _refusal(decision, not_moderator: str) -> str:
    """The page's own words for someone who is no moderator; the policy's for a moderator who
    has not confirmed this session with the second factor."""
    return not_moderator if decision.code == "not_moderator" else decision.reason
