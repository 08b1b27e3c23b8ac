"""Back-office screens of M-Voting, to look things up: polls with their questions and options,
supports, the register of who voted and the anonymous ballots. Polls are created, changed,
closed and decided at the desk, whose services check the policies and write the audit log;
nothing here changes state. The register and the ballots are two lists that never show
anything leading from one to the other: the register has no ballot and no answer, the ballots
no person and no time."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.core.lookup_admin import LookUpOnly, ReadOnlyAdmin
from hamkke.core.receipts import ballot_id_of, receipt_of
from hamkke.polls.models import Ballot, Option, Participation, Poll, Question, Support


class QuestionInline(LookUpOnly, admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "text", "kind", "max_choices", "required", "option_texts"]
    readonly_fields = fields

    @admin.display(description=_("options"))
    def option_texts(self, question: Question) -> str:
        return " · ".join(question.options.order_by("order").values_list("text", flat=True))


@admin.register(Poll)
class PollAdmin(ReadOnlyAdmin):
    """Created, changed before it opens, closed and decided at the desk (see the link)."""

    list_display = ["slug", "title", "department", "state", "opens_at", "closes_at", "published"]
    list_filter = ["state", "origin", "eligibility", "department", "outcome"]
    search_fields = ["slug", "title"]
    list_select_related = ["department"]
    inlines = [QuestionInline]
    # Who proposed, created and decided stay out of the list; the audit log has them.
    exclude = ["proposer", "created_by", "decided_by"]
    readonly_fields = [
        "city",
        "slug",
        "title",
        "description",
        "department",
        "origin",
        "state",
        "created_at",
        "approved_at",
        "rejection_reason",
        "opens_at",
        "closes_at",
        "results_live",
        "revote",
        "eligibility",
        "districts",
        "age_min",
        "age_max",
        "box_closed_at",
        "published_at",
        "ballots_folder",
        "chain_head",
        "outcome",
        "decision",
        "decided_at",
        "desk_link",
    ]

    @admin.display(description=_("published"), boolean=True)
    def published(self, poll: Poll) -> bool:
        return poll.published_at is not None

    @admin.display(description=_("desk"))
    def desk_link(self, poll: Poll) -> str:
        name, args = ("polls:desk-poll", [poll.slug])
        if poll.department_id is None:
            name = "polls:desk-proposal"
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:  # the desk's routes are not installed
            return "—"
        return format_html('<a href="{}">{}</a>', url, _("open at the desk"))


@admin.register(Option)
class OptionAdmin(ReadOnlyAdmin):
    list_display = ["text", "question", "order", "image"]
    list_filter = ["question__poll"]
    list_select_related = ["question", "image"]
    search_fields = ["text"]


@admin.register(Support)
class SupportAdmin(ReadOnlyAdmin):
    """Supports of citizens' proposals: which proposal and when; the identity key stays
    hidden."""

    list_display = ["poll", "created_at"]
    list_filter = ["poll"]
    list_select_related = ["poll"]
    fields = ["poll", "user", "created_at"]
    readonly_fields = fields


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    """The register: who voted in which poll and when. The identity key and the sealed ballot
    reference stay hidden, and nothing here leads to a ballot."""

    list_display = ["poll", "user", "cast_at"]
    list_filter = ["poll"]
    list_select_related = ["poll", "user"]
    fields = ["poll", "user", "cast_at"]
    readonly_fields = fields
    show_full_result_count = False


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """The anonymous ballots, by their receipt code, with what each chose and its link in the
    hash chain. No time and no person: nothing here leads to the register."""

    list_display = ["receipt", "poll"]
    list_filter = ["poll"]
    list_select_related = ["poll"]
    fields = ["receipt", "poll", "chosen", "chain"]
    readonly_fields = fields
    ordering = ["id"]
    # The search box takes a receipt code as a voter would read it out (get_search_results).
    search_fields = ["id"]
    search_help_text = _("A receipt code, e.g. 0ABC-DEFG-HJKMN")
    show_full_result_count = False

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk=ballot_id_of(search_term) or 0), False

    @admin.display(description=_("receipt"))
    def receipt(self, ballot: Ballot) -> str:
        return receipt_of(ballot.pk)

    @admin.display(description=_("answers"))
    def chosen(self, ballot: Ballot) -> str:
        texts = ballot.answers.order_by("option__question__order", "position").values_list(
            "option__question__order", "option__text"
        )
        return " · ".join(f"{order + 1}: {text}" for order, text in texts) or "—"
