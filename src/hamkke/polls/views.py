"""Pages of M-Voting for citizens and the public: the polls by status, a poll with its ballot
(or the reason the person may not vote), casting and the receipt, the receipt lookup, the
results with their breakdowns and published files, a citizen's proposal and its supports, and
the results the city adopted. Every page works without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL

from hamkke.accounts import policies as account_policies
from hamkke.core import ratelimit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.errors import NotFound
from hamkke.core.policies import Decision
from hamkke.core.ratelimit import Limit, throttled
from hamkke.core.registries import commentable_for
from hamkke.core.web import responses
from hamkke.polls import policies, publication, selectors, services
from hamkke.polls.forms import BallotForm, ProposalForm, ReceiptForm
from hamkke.polls.models import Dimension, Eligibility, Kind, Outcome, Poll, Question, State

CLOSED_PER_PAGE = 20
# Casting, or changing one's ballot: generous for a person, and for the many voters of a
# community centre behind one address.
VOTE = Limit("polls.vote", per_person="30/m", per_address="600/m")
PROPOSE = Limit("polls.propose", per_person="10/h", per_address="100/h")
SUPPORT = Limit("polls.support", per_person="30/h", per_address="600/h")
# Receipt codes are 62 random bits, so guessing finds nothing; the limit keeps scripts off.
RECEIPT_LOOKUP = Limit("polls.receipt", per_address="60/m", methods=ALL)
# How a tie for fewest votes in an instant-runoff round was broken (tally.TIE_BREAKS).
TIE_BREAK_TEXT = {
    "earlier_round": gettext_lazy(
        "Options tied for fewest votes: the one with fewer votes in the round before (and "
        "before that, back to the first) was eliminated."
    ),
    "borda": gettext_lazy(
        "Options tied for fewest votes in every round so far: the one with fewer Borda points "
        "was eliminated."
    ),
    "order": gettext_lazy(
        "Options tied for fewest votes and Borda points: the one listed last on the ballot was "
        "eliminated."
    ),
}


HOME_POLLS = 5


def _poll_or_404(slug: str) -> Poll:
    poll = selectors.poll_by_slug(slug)
    if poll is None:
        raise Http404(_("There is no such poll."))
    return poll


# --- lists -----------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """The polls open now, opening soon, proposed (collecting supports) and closed."""
    closed, query = responses.page_of(
        request, selectors.polls_with_status("closed"), CLOSED_PER_PAGE
    )
    context = {
        "open_polls": selectors.polls_with_status("open"),
        "upcoming": selectors.polls_with_status("upcoming"),
        "proposed": selectors.proposals_with_supports(),
        "closed": closed,
        "query": query,
        "threshold": services.polls_settings().support_threshold,
    }
    return render(request, "polls/index.html", context)


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The home page's panel (apps.py `home_panels`): the polls open now, closing soonest
    first; no panel when none is open."""
    try:
        polls = selectors.open_polls(limit=HOME_POLLS)
    except NotFound:  # no city profile loaded yet: the home page still renders, without it
        return None
    return {"polls": polls} if polls else None


def adopted(request: HttpRequest) -> HttpResponse:
    """The results the city took into its policy, and how many polls it decided on by outcome."""
    counts = selectors.decision_counts()
    context = {
        "polls": selectors.adopted_polls(),
        "adopted_count": counts.get(Outcome.ADOPTED, 0) + counts.get(Outcome.PARTLY, 0),
        "outcomes": [(outcome, counts.get(outcome.value, 0)) for outcome in Outcome],
    }
    return render(request, "polls/adopted.html", context)


# --- a poll and its ballot --------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """What the poll page offers this person: the ballot (`decision` allowed), or the reason
    not and, where there is one, the step that would change it."""

    decision: Decision
    voted: bool = False
    action_url: str = ""
    action_label: str = ""


def _offer(request: HttpRequest, poll: Poll) -> Offer:
    user = request.actor.user
    if poll.eligibility == Eligibility.CODES:
        # Whose code it is shows only when it is typed in: offer the ballot while it is open.
        return Offer(policies.poll_open(poll))
    voter = selectors.voter_of(poll, user=user)
    decision = policies.may_vote(poll, voter)
    if decision.code == "not_signed_in":
        url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return Offer(decision, action_url=url, action_label=_("Log in"))
    if decision.code == "verification_required":
        methods = list(policies.VERIFICATION[poll.eligibility])
        url = account_policies.verification_page(methods)
        return Offer(decision, action_url=url, action_label=_("Verify my identity"))
    return Offer(decision, voted=voter.voted)


def ballot_script_messages() -> dict[str, str]:
    """What the ranking script says, translated here: it has no catalogue of its own."""
    return {
        "ranking": _("Your ranking"),
        "unranked": _("Not ranked"),
        "up": _("Move “%(option)s” up"),
        "down": _("Move “%(option)s” down"),
        "remove": _("Take “%(option)s” out of my ranking"),
        "add": _("Rank “%(option)s”"),
        "addShort": _("Rank it"),
        "removeShort": _("Take out"),
        "moved": _("“%(option)s” is now choice %(rank)s."),
        "removedNote": _("“%(option)s” is not ranked."),
        "empty": _("Nothing ranked yet: use “Rank it” on the options below."),
    }


def _ballot_form(poll: Poll, questions: list[Question], data=None) -> BallotForm:
    return BallotForm(poll, questions, data, with_code=poll.eligibility == Eligibility.CODES)


def _poll_context(poll: Poll) -> dict[str, Any]:
    return {
        "poll": poll,
        "script_messages": ballot_script_messages(),
        "status": poll.status(),
        "who_votes": policies.eligibility_text(poll),
        "results_visible": policies.results_visible(poll),
    }


def poll_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A poll: what it asks, who may vote and until when; the ballot, or why not; supports for
    a proposal; the discussion. A rejected proposal is shown to its proposer only."""
    poll = selectors.poll_by_slug(slug, for_staff=True)
    user = request.actor.user
    own = poll is not None and user is not None and poll.proposer_id == user.pk
    if poll is None or (not policies.is_visible(poll) and not own):
        raise Http404(_("There is no such poll."))
    questions = selectors.questions_of(poll)
    context = {**_poll_context(poll), "questions": questions, "own": own}
    if poll.state == State.PROPOSED:
        context.update(_support_context(request, poll))
    elif poll.state == State.APPROVED:
        offer = _offer(request, poll)
        context["offer"] = offer
        if offer.decision and not offer.voted:
            context["form"] = _ballot_form(poll, questions)
    if commentable_for(poll) is not None and policies.is_visible(poll):
        context["thread"] = comment_selectors.comment_thread(poll, viewer=request.actor)
    return render(request, "polls/poll.html", context)


def _support_context(request: HttpRequest, poll: Poll) -> dict[str, Any]:
    user = request.actor.user
    identity = selectors.proposer_identity(user)
    supported = selectors.has_supported(poll, identity)
    return {
        "supports": selectors.support_count(poll),
        "threshold": services.polls_settings().support_threshold,
        "supported": supported,
        "may_support": policies.may_support(poll, user, identity, supported=supported),
    }


def _vote_page(
    request: HttpRequest, poll: Poll, form: BallotForm | None, offer: Offer, *, status: int = 200
) -> HttpResponse:
    context = {**_poll_context(poll), "form": form, "offer": offer}
    return render(request, "polls/vote.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@throttled(VOTE)
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    """The ballot on a page of its own (GET: to change one's ballot where the poll allows it)
    and casting it (POST). The receipt is shown in the answer to the cast only: it is kept
    nowhere that links it to the person, so there is no page to redirect to."""
    poll = _poll_or_404(slug)
    offer = _offer(request, poll)
    if poll.state != State.APPROVED:
        return redirect(poll)
    questions = selectors.questions_of(poll)
    if request.method == "GET":
        form = _ballot_form(poll, questions) if offer.decision else None
        return _vote_page(request, poll, form, offer)
    form = _ballot_form(poll, questions, request.POST)

    def cast() -> services.CastBallot:
        return services.cast_ballot(
            actor=request.actor, poll=poll, answers=form.answers(), code=form.voting_code()
        )

    if not form.submit(cast):
        # A refusal of the ballot itself keeps the form with what was chosen; a refusal of the
        # person (closed meanwhile, voted already) says why instead.
        offer = _offer(request, poll)
        if not offer.decision:
            return _vote_page(request, poll, None, offer, status=form.status_code)
        return _vote_page(request, poll, form, offer, status=form.status_code)
    cast_ballot: services.CastBallot = form.result
    context = {
        **_poll_context(poll),
        "receipt": cast_ballot.receipt,
        "replaced": cast_ballot.replaced,
        "chosen": _answers_as_text(questions, form.answers()),
    }
    return render(request, "polls/ballot_receipt.html", context, status=201)


def _answers_as_text(
    questions: list[Question], answers: dict[int, list[int]]
) -> list[tuple[Question, list[str]]]:
    """Each question with the texts of the options a ballot chose (a ranking in its order)."""
    rows = []
    for question in questions:
        texts = {option.pk: option.text for option in question.options.all()}
        rows.append((question, [texts.get(o, str(o)) for o in answers.get(question.pk, [])]))
    return rows


@require_GET
def receipt(request: HttpRequest, slug: str) -> HttpResponse:
    """Look a ballot up by its receipt code: its answers, as stored."""
    poll = _poll_or_404(slug)
    form = ReceiptForm(request.GET or None)
    context = {**_poll_context(poll), "form": form}
    if not form.is_bound:
        return render(request, "polls/receipt.html", context)
    if ratelimit.exceeded(request, RECEIPT_LOOKUP):
        return ratelimit.rate_limited(request)
    if not form.is_valid():
        return render(request, "polls/receipt.html", context, status=400)
    code = form.cleaned_data["receipt"]
    found = selectors.find_ballot(poll, code)
    if found is None:
        form.add_error(
            "receipt",
            _(
                "No ballot of this poll has the receipt “%(code)s”. Check the code (the letters "
                "I, L and O are read as 1, 1 and 0)."
            )
            % {"code": code},
        )
        context["not_found"] = True
        return render(request, "polls/receipt.html", context, status=404)
    context["found"] = found
    context["chosen"] = _answers_as_text(selectors.questions_of(poll), found.answers)
    return render(request, "polls/receipt.html", context)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionRow:
    text: str
    votes: int
    share: float
    leading: bool


@dataclass(frozen=True)
class QuestionView:
    question: Question
    result: Any  # tally.QuestionResult
    rows: list[OptionRow]
    chart: list[dict[str, Any]]
    rounds: list[dict[str, Any]]
    round_numbers: list[int]
    exhausted: list[int]
    tie_breaks: list[tuple[int, str]]
    borda: list[tuple[str, int]]
    winner: str = ""
    borda_winner: str = ""
    borda_tied: list[str] | None = None

    @property
    def chart_id(self) -> str:
        return f"chart-{self.question.pk}"


def _question_view(question: Question, result: Any) -> QuestionView:
    texts = {option.pk: option.text for option in question.options.all()}
    most = max((option.votes for option in result.options), default=0)
    rows = [
        OptionRow(texts[o.id], o.votes, o.share * 100, bool(most) and o.votes == most)
        for o in result.options
    ]
    chart = [{"label": row.text[:60], "votes": row.votes} for row in rows]
    if question.kind != Kind.RANKING:
        return QuestionView(question, result, rows, chart, [], [], [], [], [])
    rounds = []
    for option in result.options:
        cells = []
        for round_ in result.rounds:
            votes = round_.tallies.get(option.id)
            mark = (
                "eliminated"
                if round_.eliminated == option.id
                else "winner"
                if round_.winner == option.id
                else ""
            )
            cells.append({"votes": votes, "mark": mark})
        rounds.append({"text": texts[option.id], "cells": cells})
    return QuestionView(
        question,
        result,
        rows,
        chart,
        rounds,
        [round_.number for round_ in result.rounds],
        [round_.exhausted for round_ in result.rounds],
        [
            (round_.number, str(TIE_BREAK_TEXT[round_.tie_broken_by]))
            for round_ in result.rounds
            if round_.tie_broken_by
        ],
        [(texts[score.id], score.points) for score in result.borda],
        winner=texts.get(result.winner, ""),
        borda_winner=texts.get(result.borda_winner, ""),
        borda_tied=[texts[o] for o in result.borda_tied] if result.borda_tied else None,
    )


def _breakdown_tables(poll: Poll, questions: list[Question]) -> list[dict[str, Any]]:
    """Per dimension (district, age band), the groups the selector lets a page show, with each
    question's votes per option in each group."""
    found = selectors.breakdowns(poll, minimum=services.polls_settings().breakdown_minimum)
    names = {d.code: d.display_name for d in city_selectors.districts_of(poll.city)}
    tables = []
    for dimension in Dimension:
        groups = found.get(dimension.value, [])
        if not groups:
            tables.append({"dimension": dimension, "questions": []})
            continue
        per_question = []
        for question in questions:
            options = list(question.options.all())
            per_question.append(
                {
                    "question": question,
                    "options": options,
                    "rows": [
                        {
                            "name": names.get(group.code, group.code)
                            if dimension == Dimension.DISTRICT
                            else group.code,
                            "voters": group.voters,
                            "votes": [group.votes.get(option.pk, 0) for option in options],
                        }
                        for group in groups
                    ],
                }
            )
        tables.append({"dimension": dimension, "questions": per_question})
    return tables


def _published_files(poll: Poll) -> list[tuple[str, str]]:
    if not policies.ballots_published(poll) or not poll.ballots_folder:
        return []
    return [
        (name, default_storage.url(f"{poll.ballots_folder}/{name}"))
        for name in (publication.POLL, publication.BALLOTS, publication.RESULTS)
    ]


def results(request: HttpRequest, slug: str) -> HttpResponse:
    """Counts, shares and a chart per question; a ranking's runoff rounds and Borda points;
    breakdowns; the exports and, once published, the files and how to recount them. Before
    the poll closes (unless it shows live results) only when they come."""
    poll = _poll_or_404(slug)
    context = _poll_context(poll)
    context["turnout"] = selectors.turnout(poll)
    if not context["results_visible"]:
        return render(request, "polls/results.html", context)
    questions = selectors.questions_of(poll)
    counted = selectors.results_of(poll)
    context.update(
        {
            "counted": counted,
            "questions": [
                _question_view(question, result)
                for question, result in zip(questions, counted.questions, strict=True)
            ],
            "breakdowns": _breakdown_tables(poll, questions),
            "minimum": services.polls_settings().breakdown_minimum,
            "files": _published_files(poll),
            "api_url": f"/api/v1/polls/{poll.slug}/results",
            "csv_url": f"/api/v1/polls/{poll.slug}/results.csv",
        }
    )
    return render(request, "polls/results.html", context)


# --- proposals --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@throttled(PROPOSE)
def propose(request: HttpRequest) -> HttpResponse:
    """A citizen proposes a poll: verified by phone, as supporting one takes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.actor.user
    decision = policies.may_propose(user, selectors.proposer_identity(user))
    context: dict[str, Any] = {"decision": decision, "settings": services.polls_settings()}
    if not decision:
        if decision.code == "verification_required":
            context["verify_url"] = account_policies.verification_page(
                list(policies.VERIFICATION[Eligibility.VERIFIED])
            )
        status = 200 if request.method == "GET" else decision.error.status
        return render(request, "polls/propose.html", context, status=status)
    if request.method == "GET":
        return render(request, "polls/propose.html", {**context, "form": ProposalForm()})
    form = ProposalForm(request.POST)

    def propose_it() -> Poll:
        data = form.cleaned_data
        draft = services.PollDraft(
            title=data["title"],
            description=data["description"],
            questions=form.drafts(),
            results_live=data["results_live"],
        )
        return services.propose_poll(actor=request.actor, draft=draft)

    if not form.submit(propose_it):
        context["form"] = form
        return render(request, "polls/propose.html", context, status=form.status_code)
    messages.success(
        request,
        _(
            "Your poll is proposed. It opens when %(n)s people support it within %(days)s days, "
            "or when the city takes it on."
        )
        % {"n": context["settings"].support_threshold, "days": context["settings"].support_days},
    )
    return redirect(form.result)


@require_POST
@login_required
@throttled(SUPPORT)
def support(request: HttpRequest, slug: str) -> HttpResponse:
    poll = _poll_or_404(slug)
    responses.carry_out(
        request,
        lambda: services.support_poll(actor=request.actor, poll=poll),
        _("Thank you: your support is counted."),
    )
    return redirect(poll)
