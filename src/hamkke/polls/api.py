"""The open API of M-Voting (/api/v1/polls): polls for anyone, with the caller's standing for a
signed-in session; casting a ballot (a signed-in session, which must send its CSRF token, or a
one-time code without an account); receipts, the published ballot list, results (JSON and CSV);
citizens' proposals and supports; the polls whose result the city adopted.

Refusals answer 4xx JSON {detail, code[, field]} through the API's handler: 401 not signed in,
403 not allowed (not verified, another district, outside the age range, no CSRF token), 400 bad
input (a wrong code, an invalid ballot), 404 unknown, 409 the wrong moment or done already.

Secrecy: no answer pairs a person with a ballot. `me` says whether the caller voted, never what;
ballots and results carry no account, district or moment of casting."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from hamkke.core import idempotency, receipts
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf, one_page, session_user
from hamkke.polls import policies, selectors, services
from hamkke.polls.models import Outcome, Poll
from hamkke.polls.schemas import (
    AdoptedPageOut,
    BallotAnswerOut,
    BallotIn,
    BallotOut,
    BallotPageOut,
    CastOut,
    MeOut,
    PollDetailOut,
    PollPageOut,
    PollsQuery,
    ProposalIn,
    QuestionIn,
    ResultsOut,
    SupportsOut,
    answers_409,
)

router = Router(tags=["polls"])

# The signed-in session; a write must carry its CSRF token, so another site cannot propose or
# support in a person's name.
session_auth = SessionWithCsrf()

MAX_BALLOTS_PAGE = 1000
RESULTS_HIDDEN = "results_after_close or no_results: the results may not be seen yet"
CSV_COLUMNS = ["question", "option_id", "option_text", "votes", "share"]


# --- conversions ---------------------------------------------------------------------------------


def question_drafts(questions: list[QuestionIn]) -> list[services.QuestionDraft]:
    return [
        services.QuestionDraft(
            text=q.text,
            kind=q.kind,
            options=q.options,
            max_choices=q.max_choices,
            required=q.required,
        )
        for q in questions
    ]


def detailed(request: HttpRequest, poll: Poll) -> Poll:
    """The poll with what PollDetailOut reads: its questions and the caller's standing."""
    poll.api_questions = selectors.questions_of(poll)
    poll.api_me = _me(request, poll)
    return poll


def _me(request: HttpRequest, poll: Poll) -> MeOut | None:
    if not request.user.is_authenticated:
        return None
    voter = selectors.voter_of(poll, user=request.user)
    admitted = policies.eligible(poll, voter)
    return MeOut(eligible=bool(admitted), reason=admitted.reason, voted=voter.voted)


def _answers(payload: BallotIn) -> dict[int, list[int]]:
    answers: dict[int, list[int]] = {}
    for answer in payload.answers:
        if answer.question in answers:
            raise InvalidInput(
                _("Question %(id)s is answered twice; answer each question once.")
                % {"id": answer.question},
                code="invalid_ballot",
                field="answers",
            )
        answers[answer.question] = list(answer.options)
    return answers


def _ballot_out(poll: Poll, found: selectors.FoundBallot) -> BallotOut:
    order = {spec.id: n for n, spec in enumerate(selectors.question_specs(poll))}
    ordered = sorted(found.answers.items(), key=lambda item: (order.get(item[0], 0), item[0]))
    return BallotOut(
        receipt=found.receipt,
        answers=[BallotAnswerOut(question=q, options=options) for q, options in ordered],
        hash=found.hash or None,
    )


def _cursor(after: str) -> int:
    """The ballot id a page starts after: a receipt code (XXXX-XXXX-XXXXX) or a ballot id
    (ASCII digits only: int() would take "١٢" too)."""
    after = after.strip()
    if not after:
        return 0
    # Ballot ids are 62-bit numbers (up to 19 digits); a receipt is written with its dashes.
    if after.isascii() and after.isdigit() and len(after) <= 19:
        ballot_id = int(after)
    else:
        ballot_id = receipts.ballot_id_of(after)
    if ballot_id is None:
        raise InvalidInput(
            _("`after` is a receipt code or a ballot id from the previous page."), field="after"
        )
    return ballot_id


def _spreadsheet_safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs, and option texts come
    # from citizens' proposals too: such text is prefixed with an apostrophe.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _visible_results(slug: str) -> tuple[Poll, selectors.PollResults]:
    poll = selectors.public_poll(slug, counts=False)
    policies.results_visible(poll).enforce()
    return poll, selectors.results_of(poll)


def _user_client(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


# --- polls ---------------------------------------------------------------------------------------


@router.get("/", response=PollPageOut, summary="Polls, by status")
def list_polls(request: HttpRequest, query: Query[PollsQuery]):
    """Every public poll (rejected proposals are never listed), or those of one `status`:
    open ones closing soonest first, upcoming ones opening soonest first, closed ones and
    proposals latest first. `page_size` is at most 100. `ballots` is null while the results
    may not be seen."""
    polls = selectors.with_counts(selectors.polls_with_status(query.status))
    return one_page(polls, query.page, query.page_size)


@router.get("/adopted", response=AdoptedPageOut, summary="Polls whose result the city adopted")
def list_adopted(request: HttpRequest, page: int = 1, page_size: int = 20):
    """Polls adopted wholly or in part, latest decision first, and how many polls the city
    decided on by outcome (adopted, partly adopted, not adopted)."""
    answer = one_page(selectors.with_counts(selectors.adopted_polls()), page, page_size)
    counts = selectors.decision_counts()
    answer["counts"] = {outcome: counts.get(outcome, 0) for outcome in Outcome.values}
    return answer


@router.post(
    "/proposals",
    response={201: PollDetailOut},
    auth=session_auth,
    summary="Propose a poll (people verified by phone)",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("polls.propose", client=_user_client))
def propose(request: HttpRequest, payload: ProposalIn):
    """The proposal waits for an official's approval or enough supports (the city's number,
    within its support period); it is then open to everyone verified by phone. 403
    `verification_required` without a phone in the proposer's name; 400 for a question
    without two options, a scale of other than five steps, and the like; 429 after five
    proposals in a day. Send an `Idempotency-Key` to retry without proposing twice."""
    poll = services.propose_poll(
        actor=request.actor,
        draft=services.PollDraft(
            title=payload.title,
            description=payload.description.replace("\r\n", "\n"),
            questions=question_drafts(payload.questions),
        ),
    )
    return Status(201, detailed(request, selectors.public_poll(poll.slug)))


@router.get("/{slug}", response=PollDetailOut, summary="One poll, with its questions")
def get_poll(request: HttpRequest, slug: str):
    """Its description, who may vote, its questions with their options' ids (what a ballot
    names), the city's decision and a proposal's supports. For a signed-in caller, `me`: whether
    the poll's rule admits them (and why not) and whether they voted. 404 for an unknown poll or
    a rejected proposal."""
    return detailed(request, selectors.public_poll(slug))


@router.post(
    "/{slug}/supports",
    response={201: SupportsOut},
    auth=session_auth,
    summary="Support a proposed poll (people verified by phone)",
)
def support(request: HttpRequest, slug: str):
    """One support per person; enough of them open the poll at once. 409 `already_supported`
    for a second support, `not_proposed` for a poll that is not a proposal; 403
    `own_proposal` for the proposer's own."""
    poll = selectors.public_poll(slug, counts=False)
    count = services.support_poll(actor=request.actor, poll=poll)
    return Status(201, SupportsOut(supports=count))


# --- ballots -------------------------------------------------------------------------------------


@router.post("/{slug}/ballots", response={201: CastOut}, summary="Cast a ballot")
def cast_ballot(request: HttpRequest, slug: str, payload: BallotIn):
    """A signed-in session (with its CSRF token), or for a poll open to code holders anyone
    with a one-time `code`. One answer per question; a ranking lists its options in order of
    preference. Refusals: 401 `not_signed_in`; 403 `verification_required`, `not_in_district`,
    `not_in_age_range`; 400 `code_required`, `wrong_code`, `invalid_ballot` (an unknown
    question or option, too many choices, an option ranked twice, a required question left
    out, a question answered twice); 409 `already_voted` (a code used already too),
    `not_open_yet`, `poll_closed`. A poll that allows re-voting replaces the earlier ballot
    (`replaced`).

    No `Idempotency-Key`: the kept answer would hold the receipt beside the caller, written in
    the transaction of the vote, which the ballot's secrecy forbids. A retry answers 409
    `already_voted` and the first receipt still finds the ballot."""
    session_user(request)  # a signed-in session's CSRF token; anyone else votes with a code
    poll = selectors.public_poll(slug, counts=False)
    cast = services.cast_ballot(
        actor=request.actor, poll=poll, answers=_answers(payload), code=payload.code
    )
    return Status(201, CastOut(receipt=cast.receipt, replaced=cast.replaced, poll=poll.slug))


@router.get(
    "/{slug}/ballots",
    response=BallotPageOut,
    summary="The published ballot list",
    openapi_extra={"responses": answers_409("not_published: the list is not published yet")},
)
def list_ballots(request: HttpRequest, slug: str, after: str = "", limit: int = 100):
    """Every ballot in receipt order with its answers and its link in the hash chain, once the
    poll is closed and its list published (409 `not_published` before). Pages of `limit` (at
    most 1000) ballots after the receipt (or ballot id) `after`; the chain's start and head let
    anyone check the list: h_i = sha256(h_(i-1) + "|" + receipt + "|" + answers)."""
    poll = selectors.public_poll(slug, counts=False)
    policies.ballots_published(poll).enforce()
    if not 1 <= limit <= MAX_BALLOTS_PAGE:
        raise InvalidInput(
            _("`limit` is between 1 and %(max)d.") % {"max": MAX_BALLOTS_PAGE}, field="limit"
        )
    page = selectors.ballot_page(poll, after=_cursor(after), limit=limit)
    return BallotPageOut(
        chain_start=selectors.chain_start_of(poll),
        chain_head=poll.chain_head,
        next=page[-1].receipt if len(page) == limit else None,
        items=[_ballot_out(poll, found) for found in page],
    )


@router.get("/{slug}/ballots/{receipt}", response=BallotOut, summary="The ballot a receipt names")
def get_ballot(request: HttpRequest, slug: str, receipt: str):
    """The ballot as stored (or still waiting in the box), before publication too: its
    answers, and its hash once published. 404 for a code naming no ballot of this poll (typos
    of I, L and O are forgiven)."""
    poll = selectors.public_poll(slug, counts=False)
    found = selectors.find_ballot(poll, receipt)
    if found is None:
        raise NotFound(_("No ballot of this poll has that receipt."), code="unknown_receipt")
    return _ballot_out(poll, found)


# --- results -------------------------------------------------------------------------------------


@router.get(
    "/{slug}/results",
    response=ResultsOut,
    exclude_unset=True,
    summary="The poll's results",
    openapi_extra={"responses": answers_409(RESULTS_HIDDEN)},
)
def get_results(request: HttpRequest, slug: str):
    """Per question its respondents and each option's votes and share; a scale's `mean`; a
    ranking's instant-runoff `rounds` and `winner` and its Borda count. `final` once the box is
    closed and published; while the poll runs the count is at most 30 seconds old. Breakdowns by
    district and age band leave out groups too small to keep secret. 409
    `results_after_close` while a poll that keeps its results until it closes is open,
    `no_results` before it opens."""
    poll, results = _visible_results(slug)
    minimum = services.polls_settings().breakdown_minimum
    option_ids = [o for spec in selectors.question_specs(poll) for o in spec.options]
    breakdowns = {
        dimension: [
            {
                "group": group.code,
                "voters": group.voters,
                "options": [{"id": o, "votes": group.votes.get(o, 0)} for o in option_ids],
            }
            for group in groups
        ]
        for dimension, groups in selectors.breakdowns(poll, minimum=minimum).items()
    }
    return {**results.as_dict(), "breakdowns": breakdowns}


@router.get(
    "/{slug}/results.csv",
    summary="The poll's results as CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "UTF-8 with a byte-order mark; one row per option: "
                + ", ".join(CSV_COLUMNS),
                "content": {"text/csv": {"schema": {"type": "string"}}},
            },
            **answers_409(RESULTS_HIDDEN),
        }
    },
)
def get_results_csv(request: HttpRequest, slug: str):
    """The results of /{slug}/results as a spreadsheet: one row per option with its question's
    text, its id and text, votes (a ranking's first preferences) and share. Refused alike
    (409) while the results may not be seen."""
    poll, results = _visible_results(slug)
    texts = {q.pk: q for q in selectors.questions_of(poll)}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for result in results.questions:
        question = texts[result.question]
        options = {option.pk: option.text for option in question.options.all()}
        for option in result.options:
            writer.writerow(
                [
                    _spreadsheet_safe(question.text),
                    option.id,
                    _spreadsheet_safe(options.get(option.id, "")),
                    option.votes,
                    option.share,
                ]
            )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{poll.slug}-results.csv"'
    return response
