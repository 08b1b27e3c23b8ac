"""Reads of M-Voting: polls for the pages and the API, who a voter is under a poll's rule,
results counted from the stored ballots plus what waits in the box, breakdowns that never show
a small group, the published ballot list, receipts, and the adopted results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import User, VerificationMethod, VerifiedIdentity
from hamkke.core import ballots as ballot_pattern
from hamkke.core import receipts
from hamkke.core.city.selectors import current_city
from hamkke.polls import policies, tally, voting_codes
from hamkke.polls.models import (
    Answer,
    Ballot,
    Dimension,
    Eligibility,
    GroupCount,
    Kind,
    Option,
    Outcome,
    Participation,
    PendingBallot,
    Poll,
    Question,
    State,
    Status,
    Support,
    VotingCode,
)

# --- polls -----------------------------------------------------------------------------------


def public_polls(*, now: datetime | None = None) -> QuerySet[Poll]:
    """Every poll the public may see in the current city (not rejected proposals)."""
    return Poll.objects.filter(city=current_city()).exclude(state=State.REJECTED)


def polls_with_status(status: str | None = None, *, now: datetime | None = None) -> QuerySet[Poll]:
    """Public polls, of one status when given (proposed, upcoming, open, closed)."""
    moment = now or timezone.now()
    polls = public_polls()
    if status == Status.PROPOSED:
        return polls.filter(state=State.PROPOSED).order_by("-created_at", "-id")
    approved = polls.filter(state=State.APPROVED)
    if status == Status.UPCOMING:
        return approved.filter(opens_at__gt=moment).order_by("opens_at", "id")
    if status == Status.OPEN:
        return approved.filter(opens_at__lte=moment, closes_at__gt=moment).order_by(
            "closes_at", "id"
        )
    if status == Status.CLOSED:
        return approved.filter(closes_at__lte=moment).order_by("-closes_at", "-id")
    return polls.order_by("-opens_at", "-id")


def open_polls(limit: int = 5) -> list[Poll]:
    """The polls open now, closing soonest first: for the home page."""
    return list(polls_with_status(Status.OPEN)[:limit])


def poll_by_slug(slug: str, *, for_staff: bool = False) -> Poll | None:
    polls = Poll.objects.filter(city=current_city(), slug=slug).select_related("department")
    poll = polls.first()
    if poll is None or (not for_staff and not policies.is_visible(poll)):
        return None
    return poll


def questions_of(poll: Poll) -> list[Question]:
    """The poll's questions in order, with their options (and images) in order."""
    options = Option.objects.select_related("image").order_by("order", "id")
    return list(
        poll.questions.order_by("order", "id").prefetch_related(
            Prefetch("options", queryset=options)
        )
    )


def question_specs(poll: Poll) -> list[tally.QuestionSpec]:
    """The poll's questions as the counting rules read them. A poll cannot change once it is
    open, so each process may keep them for a minute: casting reads no question rows."""
    key = f"polls:specs:{poll.pk}"
    specs = cache.get(key) if poll.status() == Status.OPEN else None
    if specs is None:
        options: dict[int, list[int]] = defaultdict(list)
        for question_id, option_id in (
            Option.objects.filter(question__poll=poll)
            .order_by("question_id", "order", "id")
            .values_list("question_id", "id")
        ):
            options[question_id].append(option_id)
        specs = [
            tally.QuestionSpec(
                id=q.pk,
                kind=q.kind,
                options=tuple(options[q.pk]),
                max_choices=q.max_choices,
                required=q.required,
            )
            for q in poll.questions.order_by("order", "id")
        ]
        if poll.status() == Status.OPEN:
            cache.set(key, specs, 60)
    return specs


def ranking_options(poll: Poll) -> frozenset[int]:
    return frozenset(
        option
        for spec in question_specs(poll)
        if spec.kind == Kind.RANKING
        for option in spec.options
    )


def support_count(poll: Poll) -> int:
    return Support.objects.filter(poll=poll).count()


def has_supported(poll: Poll, identity: VerifiedIdentity | None) -> bool:
    """Whether the person with this phone identity (proposer_identity) supports the poll."""
    return (
        identity is not None
        and Support.objects.filter(poll=poll, identity_key=f"p:{identity.identity_key}").exists()
    )


def turnout(poll: Poll) -> int:
    """How many people (or codes) have voted: the register's count."""
    return Participation.objects.filter(poll=poll).count()


# --- voters ----------------------------------------------------------------------------------


def proposer_identity(user: Any) -> VerifiedIdentity | None:
    """The phone-verified identity a person proposes and supports polls with."""
    if user is None or not user.is_authenticated:
        return None
    return account_selectors.verified_identity(user, methods=(VerificationMethod.PHONE,))


_KEY_PREFIX = {
    Eligibility.SIGNED_IN: "a",
    Eligibility.VERIFIED: "p",
    Eligibility.DISTRICTS: "r",
    Eligibility.AGE: "r",
    Eligibility.CODES: "c",
}


def voter_of(
    poll: Poll, *, user: Any, code: str | None = None, check_voted: bool = True
) -> policies.Voter:
    """Who is trying to vote, under the poll's rule: the key the register holds for them, the
    facts the rule reads, and (with `check_voted`) whether they have voted. Casting in a poll
    that forbids a second ballot skips that query: the register's constraint refuses it."""
    rule = poll.eligibility
    prefix = _KEY_PREFIX[rule]
    if rule == Eligibility.CODES:
        if not code or not str(code).strip():
            return policies.Voter(user=user, key=None)
        hashed = voting_codes.code_key(poll.pk, str(code))
        valid = VotingCode.objects.filter(poll=poll, code_key=hashed).exists()
        key = f"{prefix}:{hashed}" if valid else None
        voted = check_voted and has_voted(poll, key)
        return policies.Voter(user=user, key=key, code_given=True, code_valid=valid, voted=voted)
    if user is None or not user.is_authenticated:
        return policies.Voter(user=None, key=None)
    # Every identity of the person in one query: the rule's own, and the register's entry
    # (residence, birth date), which gives the breakdown groups whatever the rule.
    identities = {i.method: i for i in account_selectors.identities_of(user)}
    resident = identities.get(VerificationMethod.CENSUS)
    district = resident.district if resident is not None else None
    age = policies.age_of(resident.birth_date) if resident is not None else None
    if rule == Eligibility.SIGNED_IN:
        # A keyed hash, not the account's number: an erased account leaves no id behind.
        account = salted_hmac("hamkke.polls.account", str(user.pk), algorithm="sha256")
        key = f"{prefix}:{account.hexdigest()}"
    else:
        (method,) = policies.VERIFICATION[rule]
        identity = identities.get(method)
        key = f"{prefix}:{identity.identity_key}" if identity is not None else None
    return policies.Voter(
        user=user,
        key=key,
        district_id=district.pk if district else None,
        district_code=district.code if district else "",
        age=age,
        voted=check_voted and has_voted(poll, key),
    )


def has_voted(poll: Poll, key: str | None) -> bool:
    return key is not None and Participation.objects.filter(poll=poll, identity_key=key).exists()


# --- ballots ---------------------------------------------------------------------------------


@dataclass
class Box:
    """What the ballots of a box, opened, do to the stored ballots: ballots to add, and stored
    ones to take out (replaced by a new ballot of the same voter), each with its groups."""

    add: list[dict[str, Any]] = field(default_factory=list)
    remove: list[dict[str, Any]] = field(default_factory=list)


def sort_box(payloads: Iterable[dict[str, Any]]) -> Box:
    """Apply the replacements within an opened box: a ballot replaced by another in the same
    box is dropped; one replaced that was stored already is to be taken out."""
    payloads = list(payloads)
    waiting = {p["id"] for p in payloads}
    replaced = {p["replaces"]["ballot"]: p["replaces"] for p in payloads if p.get("replaces")}
    return Box(
        add=[p for p in payloads if p["id"] not in replaced],
        remove=[r for ballot, r in replaced.items() if ballot not in waiting],
    )


def _open_box(poll: Poll) -> Box:
    """What waits in the poll's box, opened but left in place (less than a batch), with the
    replacements among it applied."""
    rows = PendingBallot.objects.filter(poll=poll).values_list("sealed", flat=True)
    box_name = PendingBallot.box(poll.pk)
    return sort_box(ballot_pattern.unseal(sealed, box=box_name) for sealed in rows)


def _by_question(poll: Poll) -> dict[int, int]:
    return {option: spec.id for spec in question_specs(poll) for option in spec.options}


def stored_answers(ballot_ids: Sequence[int]) -> dict[int, dict[int, list[int]]]:
    """The answers of these stored ballots: ballot id → question id → options in order."""
    found: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for start in range(0, len(ballot_ids), 5_000):
        rows = (
            Answer.objects.filter(ballot_id__in=ballot_ids[start : start + 5_000])
            .order_by("ballot_id", "position")
            .values_list("ballot_id", "option_id", "option__question_id")
        )
        for ballot_id, option_id, question_id in rows:
            found[ballot_id][question_id].append(option_id)
    return {k: dict(v) for k, v in found.items()}


def _as_answers(payload: Mapping[str, Any]) -> dict[int, list[int]]:
    return {int(q): list(options) for q, options in payload["answers"].items()}


def all_ballots(poll: Poll) -> list[tuple[int, dict[int, list[int]]]]:
    """Every stored ballot of the poll in receipt order, with its answers by question (ranked
    options in their order). For the mix at the close; the box must be empty."""
    question_of = _by_question(poll)
    ballots: dict[int, dict[int, list[int]]] = {
        pk: {} for pk in Ballot.objects.filter(poll=poll).values_list("pk", flat=True)
    }
    rows = (
        Answer.objects.filter(ballot__poll=poll)
        .order_by("ballot_id", "position")
        .values_list("ballot_id", "option_id")
        .iterator(chunk_size=20_000)
    )
    for ballot_id, option_id in rows:
        ballots[ballot_id].setdefault(question_of[option_id], []).append(option_id)
    return sorted(ballots.items())


@dataclass(frozen=True)
class FoundBallot:
    receipt: str
    answers: dict[int, list[int]]
    hash: str = ""


def find_ballot(poll: Poll, receipt: str) -> FoundBallot | None:
    """The ballot with this receipt code, stored or still waiting in the box."""
    ballot_id = receipts.ballot_id_of(receipt)
    if ballot_id is None:
        return None
    stored = Ballot.objects.filter(poll=poll, pk=ballot_id).values_list("chain", flat=True).first()
    if stored is not None:
        answers = stored_answers([ballot_id]).get(ballot_id, {})
        return FoundBallot(receipts.receipt_of(ballot_id), answers, stored)
    for payload in _open_box(poll).add:
        if payload["id"] == ballot_id:
            return FoundBallot(receipts.receipt_of(ballot_id), _as_answers(payload))
    return None


def ballot_page(poll: Poll, *, after: int = 0, limit: int = 100) -> list[FoundBallot]:
    """A page of the published ballot list in receipt order, after the ballot id `after`."""
    ids = list(
        Ballot.objects.filter(poll=poll, pk__gt=after)
        .order_by("pk")
        .values_list("pk", "chain")[:limit]
    )
    answers = stored_answers([pk for pk, _chain in ids])
    return [FoundBallot(receipts.receipt_of(pk), answers.get(pk, {}), chain) for pk, chain in ids]


def chain_of(
    poll: Poll, ballots: Sequence[tuple[int, Mapping[int, Sequence[int]]]]
) -> dict[int, str]:
    """Each ballot's link in the poll's hash chain (see publication), in receipt order."""
    from hamkke.polls import publication

    head = chain_start_of(poll)
    links = {}
    for ballot_id, answers in ballots:
        head = receipts.chain_link(
            head, receipts.receipt_of(ballot_id), publication.cell_of(answers)
        )
        links[ballot_id] = head
    return links


def published_poll(poll: Poll, ballots: Sequence[tuple[int, Mapping[int, Sequence[int]]]]) -> Any:
    """The poll as its published files describe it (publication.PublishedPoll)."""
    from hamkke.polls import publication

    questions = [
        publication.PublishedQuestion(
            spec=spec,
            text=question.text,
            option_texts={option.pk: option.text for option in question.options.all()},
        )
        for spec, question in zip(question_specs(poll), questions_of(poll), strict=True)
    ]
    return publication.PublishedPoll(
        city=poll.city.slug,
        slug=poll.slug,
        title=poll.title,
        opens_at=poll.opens_at.isoformat(),
        closes_at=poll.closes_at.isoformat(),
        questions=questions,
        ballots=ballots,
    )


# --- results ---------------------------------------------------------------------------------


@dataclass
class PollResults:
    poll: str
    ballots: int
    final: bool
    questions: list[Any] = field(default_factory=list)  # tally.QuestionResult

    def as_dict(self) -> dict[str, Any]:
        return {
            "poll": self.poll,
            "ballots": self.ballots,
            "final": self.final,
            "questions": [question.as_dict() for question in self.questions],
        }


def _option_totals(option_ids: Sequence[int]) -> dict[int, int]:
    """Votes per option: one GROUP BY over the answers table."""
    if not option_ids:
        return {}
    table = connection.ops.quote_name(Answer._meta.db_table)
    low, high = min(option_ids), max(option_ids)
    if high - low + 1 == len(set(option_ids)):
        # Ids written together are usually consecutive: a range is one walk of the index
        # (SQLite) and two comparisons a row (PostgreSQL), where IN tests every value.
        where, params = "option_id BETWEEN %s AND %s", [low, high]
    else:
        where = f"option_id IN ({', '.join(['%s'] * len(option_ids))})"
        params = list(option_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT option_id, COUNT(*) FROM {table} WHERE {where} GROUP BY option_id", params
        )
        return dict(cursor.fetchall())


def _respondents(option_ids: Sequence[int]) -> int:
    table = connection.ops.quote_name(Answer._meta.db_table)
    marks = ", ".join(["%s"] * len(option_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT ballot_id) FROM {table} WHERE option_id IN ({marks})",
            list(option_ids),
        )
        return cursor.fetchone()[0]


def _rankings(spec: tally.QuestionSpec) -> dict[int, list[int]]:
    rankings: dict[int, list[int]] = defaultdict(list)
    rows = (
        Answer.objects.filter(option_id__in=spec.options)
        .order_by("ballot_id", "position")
        .values_list("ballot_id", "option_id")
        .iterator(chunk_size=20_000)
    )
    for ballot_id, option_id in rows:
        rankings[ballot_id].append(option_id)
    return rankings


def count_results(poll: Poll) -> PollResults:
    """The results as stored now plus what waits in the box: equal to the register's count at
    every moment. Single, multiple and scale questions are one GROUP BY; rankings are read
    ballot by ballot for the runoff."""
    specs = question_specs(poll)
    box = _open_box(poll)
    removed = stored_answers([r["ballot"] for r in box.remove]) if box.remove else {}
    added = [_as_answers(p) for p in box.add]
    plain = [s for s in specs if s.kind != Kind.RANKING]
    totals = _option_totals([o for s in plain for o in s.options])
    # Each ballot answers a required single-choice or scale question exactly once (the answer
    # rules): its votes are the stored ballots, without counting the ballots table again.
    once = next((s for s in plain if s.required and s.kind in (Kind.SINGLE, Kind.SCALE)), None)
    stored = (
        sum(totals.get(o, 0) for o in once.options)
        if once is not None
        else Ballot.objects.filter(poll=poll).count()
    )
    ballots = stored + len(added) - len(removed)
    results = []
    for spec in specs:
        changes = [(+1, a.get(spec.id, [])) for a in added] + [
            (-1, r.get(spec.id, [])) for r in removed.values()
        ]
        if spec.kind == Kind.RANKING:
            rankings = _rankings(spec)
            for ballot_id in removed:
                rankings.pop(ballot_id, None)
            answers = [r for r in rankings.values()] + [a.get(spec.id, []) for a in added]
            results.append(tally.count(spec, answers))
            continue
        counts = {o: totals.get(o, 0) for o in spec.options}
        respondents = ballots if spec.required else _respondents(spec.options)
        for sign, options in changes:
            for option in options:
                counts[option] = counts.get(option, 0) + sign
            if options and not spec.required:
                respondents += sign
        results.append(tally.result_from_totals(spec, counts, respondents))
    return PollResults(
        poll=poll.slug, ballots=ballots, final=poll.published_at is not None, questions=results
    )


def results_of(poll: Poll) -> PollResults:
    """The poll's results, counted at most every 30 seconds while it runs (a million ballots
    take a moment) and once for good after it is published."""
    final = poll.published_at is not None
    key = f"polls:results:{poll.pk}:{poll.published_at.timestamp() if final else 'live'}"
    results = cache.get(key)
    if results is None:
        results = count_results(poll)
        cache.set(key, results, 24 * 3600 if final else 30)
    return results


@dataclass(frozen=True)
class Group:
    code: str
    voters: int
    votes: dict[int, int]


def breakdowns(poll: Poll, *, minimum: int) -> dict[str, list[Group]]:
    """Results by district and by age band, showing only groups of at least `minimum` voters.
    Where the hidden groups together would be fewer than `minimum` (anyone could work them out
    from the total), the smallest shown group is hidden too, until they are not."""
    rows = GroupCount.objects.filter(poll=poll).values_list(
        "dimension", "group", "option_id", "votes"
    )
    voters: dict[str, dict[str, int]] = defaultdict(dict)
    votes: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for dimension, group, option, count in rows:
        if option is None:
            voters[dimension][group] = count
        else:
            votes[(dimension, group)][option] = count
    total = turnout(poll)
    shown: dict[str, list[Group]] = {}
    for dimension in Dimension.values:
        groups = voters.get(dimension, {})
        visible = groups_to_show(groups, total=total, minimum=minimum)
        shown[dimension] = [
            Group(code, groups[code], votes.get((dimension, code), {})) for code in sorted(visible)
        ]
    return shown


def groups_to_show(groups: Mapping[str, int], *, total: int, minimum: int) -> set[str]:
    """The groups a breakdown may show: each of at least `minimum` voters, and so many that
    what is left hidden — the total less the shown groups, which anyone can work out — is not
    a group of fewer than `minimum` (then the smallest shown group is hidden too)."""
    shown = tally.suppress_small(groups, minimum)
    while shown:
        hidden = total - sum(groups[g] for g in shown)
        if hidden == 0 or hidden >= minimum:
            break
        shown.discard(min(shown, key=lambda g: (groups[g], g)))
    return shown


# --- decisions ---------------------------------------------------------------------------------


def adopted_polls() -> QuerySet[Poll]:
    """Polls whose result the city adopted, wholly or in part, latest decision first."""
    return (
        public_polls()
        .filter(outcome__in=[Outcome.ADOPTED, Outcome.PARTLY])
        .select_related("department")
        .order_by("-decided_at", "-id")
    )


def decision_counts() -> dict[str, int]:
    """How many polls the city decided on, by outcome."""
    rows = public_polls().exclude(outcome="").values_list("outcome").annotate(n=Count("id"))
    return {outcome: n for outcome, n in rows}


def proposals_to_review() -> QuerySet[Poll]:
    """Proposed polls for the desk, the most supported first."""
    return proposals_with_supports().order_by("-supports_count", "created_at")


def polls_of_departments(department_ids: Iterable[int]) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(city=current_city(), department_id__in=list(department_ids))
        .select_related("department")
        .order_by("-opens_at", "-id")
    )


def personal_data_of(user: User) -> dict[str, Any]:
    """What M-Voting holds about a person: the polls they voted in (never what they chose),
    proposed and supported."""
    return {
        "voted_in": [
            {"poll": slug, "at": at.isoformat()}
            for slug, at in Participation.objects.filter(user=user)
            .order_by("cast_at")
            .values_list("poll__slug", "cast_at")
        ],
        "proposed": list(Poll.objects.filter(proposer=user).values_list("slug", flat=True)),
        "supported": list(Support.objects.filter(user=user).values_list("poll__slug", flat=True)),
    }


# --- the desk ------------------------------------------------------------------------------


def desk_polls(department_ids: Iterable[int]) -> QuerySet[Poll]:
    """The polls of these departments for the desk, each with `voters`: the register's count
    (selectors.turnout) for every row in one query."""
    return polls_of_departments(department_ids).annotate(voters=Count("participations"))


def codes_made(poll: Poll) -> int:
    """How many one-time voting codes the poll has (made so far, used or not)."""
    return VotingCode.objects.filter(poll=poll).count()


# --- proposals -------------------------------------------------------------------------------


def proposals_with_supports() -> QuerySet[Poll]:
    """Proposed polls, newest first, each with its `supports_count` (one query for the list)."""
    return polls_with_status(Status.PROPOSED).annotate(supports_count=Count("supports"))


# --- one poll with its counts ----------------------------------------------------------------


def with_counts(polls: QuerySet[Poll]) -> QuerySet[Poll]:
    """Polls with their department, ballots (the register's count, equal to the ballots at any
    moment) and supports, in one query: what the API's list and detail show."""

    def rows_of(model) -> Coalesce:
        counted = model.objects.filter(poll=OuterRef("pk")).order_by().values("poll")
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    return polls.select_related("department").annotate(
        ballots_count=rows_of(Participation), supports_count=rows_of(Support)
    )


def public_poll(slug: str, *, counts: bool = True) -> Poll:
    """The public poll of this slug, with its counts unless `counts` is False (casting and the
    other endpoints that show none skip the count of the register); NotFound for none (or a
    rejected one)."""
    polls = public_polls().filter(slug=slug)
    poll = (with_counts(polls) if counts else polls.select_related("department")).first()
    policies.poll_found(poll).enforce()
    return poll


def desk_poll(slug: str) -> Poll:
    """Any poll of this slug in the current city, rejected proposals too: for the desk."""
    poll = with_counts(Poll.objects.filter(city=current_city(), slug=slug)).first()
    if poll is None:
        policies.poll_found(None).enforce()
    return poll


def chain_start_of(poll: Poll) -> str:
    """h_0 of the poll's hash chain (publication.chain_start)."""
    from hamkke.polls import publication

    return publication.chain_start(poll.city.slug, poll.slug)
