"""Back-office screens of the Oasis, to look things up: ideas with their timeline and
implementation updates, the timeline's steps, experts, their reviews and the review meetings.
Every one of these rows is written by the services (the pipeline's one transition, answers,
reviews, decisions), which check the policies and write the audit log; nothing here changes
state. Ideas are acted on at the desk (see the link)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.core.lookup_admin import LookUpOnly, ReadOnlyAdmin
from hamkke.ideas.models import (
    Expert,
    Idea,
    ImplementationUpdate,
    Review,
    ReviewMeeting,
    Transition,
)


class TransitionInline(LookUpOnly, admin.TabularInline):
    model = Transition
    extra = 0
    fields = ["at", "event", "from_state", "to_state", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class UpdateInline(LookUpOnly, admin.TabularInline):
    model = ImplementationUpdate
    extra = 0
    fields = ["on", "status", "progress", "text", "link"]
    readonly_fields = fields


@admin.register(Idea)
class IdeaAdmin(ReadOnlyAdmin):
    """Moved along the pipeline, answered, decided and hidden at the desk (see the link)."""

    list_display = ["id", "title", "state", "theme", "department", "supports", "created_at"]
    list_filter = ["state", "theme", "department", "implementation"]
    search_fields = ["title"]
    list_select_related = ["theme", "department"]
    inlines = [TransitionInline, UpdateInline]
    # Who proposed it stays out of the back office's lists; the audit log has it.
    exclude = ["author", "coauthors", "location"]
    readonly_fields = [
        "city",
        "title",
        "body",
        "theme",
        "district",
        "contest",
        "state",
        "state_since",
        "supports",
        "department",
        "supports_due",
        "answer_due",
        "escalated_at",
        "discussion_ends",
        "review_due",
        "answer",
        "answered_at",
        "meeting",
        "decision_reasons",
        "decided_at",
        "implementation",
        "progress",
        "budget_project",
        "poll",
        "hidden_at",
        "created_at",
        "desk_link",
    ]

    @admin.display(description=_("desk"))
    def desk_link(self, idea: Idea) -> str:
        try:
            url = reverse("ideas:desk-idea", args=[idea.pk])
        except NoReverseMatch:  # the desk's routes are not installed
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("open at the desk"))


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ["idea", "event", "from_state", "to_state", "at"]
    list_filter = ["event", "to_state"]
    list_select_related = ["idea"]
    search_fields = ["idea__title"]
    fields = ["idea", "event", "from_state", "to_state", "actor", "note", "at"]
    readonly_fields = fields


@admin.register(Expert)
class ExpertAdmin(ReadOnlyAdmin):
    """Appointed and retired at the desk (or by `hamkke ideas expert`)."""

    list_display = ["user", "field", "active", "appointed_at"]
    list_filter = ["active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "field"]
    fields = ["city", "user", "field", "active", "appointed_by", "appointed_at"]
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = [
        "idea",
        "expert",
        "feasibility",
        "effect",
        "cost",
        "originality",
        "scored_at",
    ]
    list_filter = ["scored_at"]
    list_select_related = ["idea", "expert__user"]
    search_fields = ["idea__title", "expert__user__email"]
    fields = [
        "idea",
        "expert",
        "assigned_at",
        "feasibility",
        "effect",
        "cost",
        "originality",
        "opinion",
        "scored_at",
    ]
    readonly_fields = fields


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_on", "created_at"]
    search_fields = ["title"]
    fields = ["city", "title", "held_on", "minutes", "created_at"]
    readonly_fields = fields


@admin.register(ImplementationUpdate)
class ImplementationUpdateAdmin(ReadOnlyAdmin):
    list_display = ["idea", "on", "status", "progress"]
    list_filter = ["status"]
    list_select_related = ["idea"]
    search_fields = ["idea__title"]
    fields = ["idea", "on", "status", "progress", "text", "link", "created_at"]
    readonly_fields = fields
