"""Every write of M-Voting: creating polls (officials) and proposing them (citizens), supports
that open a proposal, one-time voting codes, casting a ballot (the ballot pattern: the register
row and a sealed ballot in one transaction; shuffled batches; a mix when the box closes),
closing and publishing a poll with its hash-chained ballot list, and recording what the city
decided, published to the Plaza at once."""

from __future__ import annotations

import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.accounts.seats import seat_at
from hamkke.core import ballots as ballot_pattern
from hamkke.core import codes as code_digits
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import Conflict, InvalidInput, TooManyAttempts
from hamkke.core.media.services import attach_media
from hamkke.core.models import City, Department, District
from hamkke.core.ratelimit import attempt_by
from hamkke.core.receipts import receipt_of
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.polls import policies, selectors, tally, voting_codes
from hamkke.polls.models import (
    Answer,
    Ballot,
    Dimension,
    Eligibility,
    GroupCount,
    Kind,
    Option,
    Origin,
    Outcome,
    Participation,
    PendingBallot,
    Poll,
    Question,
    State,
    Support,
    VotingCode,
)
from hamkke.polls.profile import PollsSection

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 20
MAX_OPTIONS = 30
MAX_CODES_AT_ONCE = 100_000
SCALE_VALUES = ("1", "2", "3", "4", "5")


def polls_settings(city: City | None = None) -> PollsSection:
    """The city's `[polls]` table (defaults when the profile has none)."""
    city = city or current_city()
    return PollsSection.model_validate(city.profile.get("polls", {}))


# --- creating and proposing ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the creator writes it: for a scale, `options` may be empty (1 to 5) or
    five labels; for every other kind at least two."""

    text: str
    kind: str = Kind.SINGLE
    options: Sequence[str] = ()
    max_choices: int | None = None
    required: bool = True
    images: Sequence[Any] = ()  # core.Media rows or None, one per option (optional)


@dataclass(frozen=True)
class PollDraft:
    title: str
    description: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    questions: Sequence[QuestionDraft] = ()
    eligibility: str = Eligibility.VERIFIED
    districts: Sequence[District] = ()
    age_min: int | None = None
    age_max: int | None = None
    results_live: bool = False
    revote: bool = False


def _text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = clean_text(value)
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("Keep it to %(limit)d characters (it has %(n)d).") % {"limit": limit, "n": len(text)},
            field=field,
        )
    return text


def _check_questions(questions: Sequence[QuestionDraft]) -> list[QuestionDraft]:
    if not questions:
        raise InvalidInput(_("A poll asks at least one question."), field="questions")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidInput(
            _("A poll asks at most %(n)d questions.") % {"n": MAX_QUESTIONS}, field="questions"
        )
    checked = []
    for number, question in enumerate(questions, start=1):
        where = f"questions.{number}"
        text = _text(question.text, field=where, limit=300)
        if question.kind not in Kind.values:
            raise InvalidInput(
                _("Question %(n)d: unknown kind %(kind)r.") % {"n": number, "kind": question.kind},
                field=where,
            )
        options = [_text(o, field=where, limit=200) for o in question.options if str(o).strip()]
        if question.kind == Kind.SCALE:
            if not options:
                options = list(SCALE_VALUES)
            if len(options) != len(SCALE_VALUES):
                raise InvalidInput(
                    _("Question %(n)d: a scale has five steps (or no labels at all).")
                    % {"n": number},
                    field=where,
                )
        elif len(options) < 2:
            raise InvalidInput(
                _("Question %(n)d: give at least two options.") % {"n": number}, field=where
            )
        if len(options) > MAX_OPTIONS:
            raise InvalidInput(
                _("Question %(n)d: at most %(max)d options.") % {"n": number, "max": MAX_OPTIONS},
                field=where,
            )
        if len(set(options)) != len(options):
            raise InvalidInput(
                _("Question %(n)d: two options have the same text.") % {"n": number}, field=where
            )
        max_choices = question.max_choices if question.kind == Kind.MULTIPLE else None
        if max_choices is not None and not 1 <= max_choices <= len(options):
            raise InvalidInput(
                _("Question %(n)d: allow between 1 and %(max)d choices.")
                % {"n": number, "max": len(options)},
                field=where,
            )
        checked.append(
            QuestionDraft(
                text=text,
                kind=question.kind,
                options=options,
                max_choices=max_choices,
                required=question.required,
                images=question.images,
            )
        )
    return checked


def check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    """A poll's opening and closing, whichever entry point gives them (the desk's form, the
    API, an approval): aware, within the calendar the site takes, in order, at most a year."""
    if opens_at is None:
        raise InvalidInput(_("Give the moment the poll opens."), field="opens_at")
    if closes_at is None:
        raise InvalidInput(_("Give the moment the poll closes."), field="closes_at")
    for name, moment in (("opens_at", opens_at), ("closes_at", closes_at)):
        if moment.tzinfo is None or not moment_in_range(moment):
            raise InvalidInput(
                _("The date must be between %(range)s.") % {"range": MOMENTS_TEXT}, field=name
            )
    if closes_at <= opens_at:
        raise InvalidInput(_("A poll must close after it opens."), field="closes_at")
    if closes_at - opens_at > timedelta(days=366):
        raise InvalidInput(_("A poll runs at most a year."), field="closes_at")


def _check_eligibility(draft: PollDraft) -> None:
    if draft.eligibility not in Eligibility.values:
        raise InvalidInput(_("Unknown eligibility rule."), field="eligibility")
    if draft.eligibility == Eligibility.DISTRICTS and not draft.districts:
        raise InvalidInput(_("Choose the districts whose residents may vote."), field="districts")
    if draft.eligibility == Eligibility.AGE:
        if draft.age_min is None and draft.age_max is None:
            raise InvalidInput(
                _("Give the youngest or the oldest age that may vote."), field="age_min"
            )
        for name, value in (("age_min", draft.age_min), ("age_max", draft.age_max)):
            if value is not None and not 0 <= value <= 130:
                raise InvalidInput(_("An age is between 0 and 130."), field=name)
        if (
            draft.age_min is not None
            and draft.age_max is not None
            and draft.age_max < draft.age_min
        ):
            raise InvalidInput(_("The oldest age is below the youngest."), field="age_max")


# Words the pages and the API use beside poll addresses (/polls/propose/, /api/v1/polls/adopted):
# no poll may take them, or it would hide the page (or be hidden by it).
RESERVED_SLUGS = frozenset({"desk", "propose", "adopted", "proposals", "new"})


def _slug_taken(city: City, slug: str) -> bool:
    return slug in RESERVED_SLUGS or Poll.objects.filter(city=city, slug=slug).exists()


def _new_slug(city: City, title: str) -> str:
    base = slugify(title)[:60] or "poll"
    slug, number = base, 1
    while _slug_taken(city, slug):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _write_questions(poll: Poll, questions: Sequence[QuestionDraft]) -> None:
    for order, draft in enumerate(questions):
        question = Question.objects.create(
            poll=poll,
            order=order,
            text=draft.text,
            kind=draft.kind,
            max_choices=draft.max_choices,
            required=draft.required,
        )
        images = list(draft.images) + [None] * len(draft.options)
        options = Option.objects.bulk_create(
            Option(question=question, order=n, text=text, image=images[n])
            for n, text in enumerate(draft.options)
        )
        for option in options:
            if option.image is not None:
                # Attached, so that the media route serves it by the option's rules.
                attach_media(media=option.image, target=option)


def _checked_poll(draft: PollDraft) -> tuple[str, str, list[QuestionDraft]]:
    """An official's draft checked whole (the title, description and questions cleaned)."""
    title = _text(draft.title, field="title", limit=200)
    description = _text(draft.description, field="description", limit=20_000, required=False)
    check_dates(draft.opens_at, draft.closes_at)
    _check_eligibility(draft)
    return title, description, _check_questions(draft.questions)


@transaction.atomic
def create_poll(
    *,
    actor: Actor | User,
    department: Department,
    draft: PollDraft,
    slug: str = "",
    origin_url: str = "",
) -> Poll:
    """A poll posed by the city, by an official of `department`; `origin_url` is the page it
    came from in another service (an adopted citizens' idea)."""
    actor = Actor.of(actor)
    policies.may_create(seat_at(actor, department)).enforce()
    title, description, questions = _checked_poll(draft)
    city = department.city
    if slug:
        slug = slugify(slug)[:80]
        if not slug or _slug_taken(city, slug):
            raise InvalidInput(_("That address is taken; choose another."), field="slug")
    poll = Poll.objects.create(
        city=city,
        slug=slug or _new_slug(city, title),
        title=title,
        description=description,
        department=department,
        origin=Origin.CITY,
        state=State.APPROVED,
        created_by=actor.user,
        approved_at=timezone.now(),
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        results_live=draft.results_live,
        revote=draft.revote,
        eligibility=draft.eligibility,
        age_min=draft.age_min if draft.eligibility == Eligibility.AGE else None,
        age_max=draft.age_max if draft.eligibility == Eligibility.AGE else None,
        origin_url=origin_url[:300],
    )
    if draft.eligibility == Eligibility.DISTRICTS:
        poll.districts.set(draft.districts)
    _write_questions(poll, questions)
    record_audit(actor=actor, action="polls.created", target=poll)
    return poll


@transaction.atomic
def propose_poll(*, actor: Actor | User, draft: PollDraft) -> Poll:
    """A citizen's proposed poll: open to everyone verified by phone, running the profile's
    number of days from when it opens. It opens when an official approves it or when enough
    people support it within the support period."""
    actor = Actor.of(actor)
    identity = selectors.proposer_identity(actor.user)
    policies.may_propose(actor.user, identity).enforce()
    if attempt_by(group="polls.propose", key=str(actor.user.pk), rate="5/d"):
        raise TooManyAttempts(_("You have proposed five polls today; try again tomorrow."))
    title = _text(draft.title, field="title", limit=200)
    description = _text(draft.description, field="description", limit=5_000)
    questions = _check_questions(draft.questions)
    city = current_city()
    section = polls_settings(city)
    now = timezone.now()
    # Provisional dates, set again when it opens.
    opens_at = now + timedelta(days=section.support_days)
    poll = Poll.objects.create(
        city=city,
        slug=_new_slug(city, title),
        title=title,
        description=description,
        origin=Origin.CITIZEN,
        state=State.PROPOSED,
        proposer=actor.user,
        created_by=actor.user,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=section.citizen_poll_days),
        eligibility=Eligibility.VERIFIED,
        results_live=draft.results_live,
    )
    _write_questions(poll, questions)
    record_audit(actor=actor, action="polls.proposed", target=poll)
    return poll


def _open_proposal(
    poll: Poll,
    *,
    department: Department,
    now: datetime,
    actor: Actor | None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> None:
    section = polls_settings(poll.city)
    opens = opens_at or now
    closes = closes_at or opens + timedelta(days=section.citizen_poll_days)
    check_dates(opens, closes)
    Poll.objects.filter(pk=poll.pk).update(
        state=State.APPROVED,
        department=department,
        approved_at=now,
        opens_at=opens,
        closes_at=closes,
    )
    poll.refresh_from_db()
    record_audit(actor=actor, action="polls.approved", target=poll)


@transaction.atomic
def support_poll(*, actor: Actor | User, poll: Poll) -> int:
    """A verified person supports a proposed poll; when the supports reach the profile's
    threshold, it opens at once, answered for by the profile's department. Returns the count."""
    actor = Actor.of(actor)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    identity = selectors.proposer_identity(actor.user)
    key = f"p:{identity.identity_key}" if identity is not None else ""
    supported = bool(key) and Support.objects.filter(poll=poll, identity_key=key).exists()
    policies.may_support(poll, actor.user, identity, supported=supported).enforce()
    Support.objects.create(poll=poll, identity_key=key, user=actor.user)
    count = Support.objects.filter(poll=poll).count()
    section = polls_settings(poll.city)
    if count >= section.support_threshold:
        department = Department.objects.filter(city=poll.city, code=section.department).first()
        if department is not None:
            _open_proposal(poll, department=department, now=timezone.now(), actor=None)
    return count


@transaction.atomic
def approve_proposal(
    *,
    actor: Actor | User,
    poll: Poll,
    department: Department,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Poll:
    """An official takes a citizen's proposal on for `department` and opens it (now, or at
    the moment given)."""
    actor = Actor.of(actor)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    policies.may_review_proposal(poll, seat_at(actor, department)).enforce()
    _open_proposal(
        poll,
        department=department,
        now=timezone.now(),
        actor=actor,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    return poll


@transaction.atomic
def reject_proposal(
    *, actor: Actor | User, poll: Poll, department: Department, reason: str
) -> Poll:
    actor = Actor.of(actor)
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    policies.may_review_proposal(poll, seat_at(actor, department)).enforce()
    reason = _text(reason, field="reason", limit=2_000)
    Poll.objects.filter(pk=poll.pk).update(
        state=State.REJECTED, rejection_reason=reason, department=department
    )
    poll.refresh_from_db()
    record_audit(actor=actor, action="polls.rejected", target=poll)
    return poll


def expire_proposals(*, now: datetime | None = None) -> int:
    """Proposals whose support period has passed without enough supports or an approval are
    not approved, with that reason. For the periodic task; returns how many."""
    moment = now or timezone.now()
    return Poll.objects.filter(state=State.PROPOSED, opens_at__lte=moment).update(
        state=State.REJECTED,
        rejection_reason=_("It did not gather enough supports in time."),
    )


# --- voting codes ----------------------------------------------------------------------------


@transaction.atomic
def make_codes(*, actor: Actor | User | None, poll: Poll, count: int) -> list[str]:
    """`count` new one-time voting codes of `poll`, shown this once (only their keyed hashes
    are kept): print them, one per paper, and hand them out. `actor` None: the site's operator
    at the command line, who needs no seat at a desk (but the poll must take codes)."""
    if actor is None:
        policies.codes_possible(poll).enforce()
    else:
        actor = Actor.of(actor)
        if poll.department is None:
            raise Conflict(_("The poll has no department yet."), code="no_department")
        policies.may_make_codes(poll, seat_at(actor, poll.department)).enforce()
    if not 1 <= count <= MAX_CODES_AT_ONCE:
        raise InvalidInput(
            _("Make between 1 and %(max)s codes at once.") % {"max": f"{MAX_CODES_AT_ONCE:,}"},
            field="count",
        )
    made: dict[str, str] = {}
    while len(made) < count:
        raw = code_digits.random_code(voting_codes.CODE_LENGTH)
        made[voting_codes.code_key(poll.pk, raw)] = voting_codes.display(raw)
    VotingCode.objects.bulk_create(
        (VotingCode(poll=poll, code_key=key) for key in made), batch_size=5_000
    )
    record_audit(actor=actor, action="polls.codes_made", target=poll, data={"count": count})
    return list(made.values())


# --- casting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CastBallot:
    receipt: str
    poll: Poll
    replaced: bool = False


def problems_by_question(
    poll: Poll, answers: Mapping[int, Sequence[int]], *, name_options: bool = True
) -> dict[int, list[str]]:
    """The messages that refuse this ballot, by question id (the ballot form shows each beside
    its question), naming options by their text (or, for the API, by their ids); empty when it
    is valid."""
    specs = selectors.question_specs(poll)
    numbers = {spec.id: number for number, spec in enumerate(specs, start=1)}
    names: Mapping[int, str] = (
        dict(Option.objects.filter(question__poll=poll).values_list("pk", "text"))
        if name_options
        else {}
    )
    return {
        question_id: [
            _problem_message(
                problem, number=numbers.get(question_id), question=question_id, names=names
            )
            for problem in problems
        ]
        for question_id, problems in tally.ballot_problems(specs, answers).items()
    }


def answer_problems(poll: Poll, answers: Mapping[int, Sequence[int]]) -> list[str]:
    """The messages that refuse this ballot, in one list; empty when it is valid."""
    found = problems_by_question(poll, answers, name_options=False)
    return [message for messages in found.values() for message in messages]


def _problem_message(
    problem: Any, *, number: int | None, question: int, names: Mapping[int, str]
) -> str:
    code = problem.code
    if code == "unknown_question":
        return _("Question %(id)s is not in this poll.") % {"id": question}
    where = _("Question %(n)d") % {"n": number}
    if code == "empty":
        return _("%(where)s: choose an answer.") % {"where": where}
    if code == "unknown":
        return _("%(where)s: these are not its options: %(ids)s.") % {
            "where": where,
            "ids": ", ".join(str(o) for o in problem.options),
        }
    if code == "repeated":
        return _("%(where)s: each option can be chosen (or ranked) once: %(ids)s.") % {
            "where": where,
            "ids": ", ".join(names.get(o, str(o)) for o in problem.options),
        }
    if code == "too_many":
        return _("%(where)s: at most %(limit)d choices (you chose %(n)d).") % {
            "where": where,
            "limit": problem.limit,
            "n": problem.amount,
        }
    return f"{where}: {code}"


def _clean_answers(answers: Mapping[Any, Sequence[Any]]) -> dict[int, list[int]]:
    cleaned: dict[int, list[int]] = {}
    for question, options in answers.items():
        try:
            key = int(question)
            values = [int(o) for o in options]
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("Questions and options are named by their numbers."), field="answers"
            ) from exc
        if key in cleaned:
            raise InvalidInput(_("Each question is answered once."), field="answers")
        cleaned[key] = values
    return cleaned


def _payload(
    ballot_id: int,
    answers: Mapping[int, Sequence[int]],
    voter: policies.Voter,
    replaces: dict | None,
) -> dict[str, Any]:
    return {
        "id": ballot_id,
        "answers": {str(q): list(options) for q, options in answers.items() if options},
        "district": voter.district_code,
        "age": tally.age_band(voter.age) if voter.age is not None else "",
        "replaces": replaces,
    }


def _still_open(poll: Poll) -> None:
    """Checked again as the voter's transaction ends, from the database: a poll closed by an
    official a moment ago refuses the ballot (close_poll waits for transactions under way)."""
    now = timezone.now()
    if not Poll.objects.filter(pk=poll.pk, opens_at__lte=now, closes_at__gt=now).exists():
        policies.poll_open(Poll.objects.get(pk=poll.pk), now=now).enforce()


def cast_ballot(
    *,
    actor: Actor | User | None,
    poll: Poll,
    answers: Mapping[Any, Sequence[Any]],
    code: str | None = None,
) -> CastBallot:
    """A ballot in `poll`, by a signed-in person or a code holder, under the poll's rule. One
    per person or code by the register's unique constraint; where the poll allows it, a new
    ballot replaces the earlier one. Call it outside a transaction: the register row with the
    sealed ballot, and the flush of a full box, are transactions of their own."""
    actor = Actor.of(actor) if actor is not None else Actor(user=None)
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    if code is not None and poll.eligibility == Eligibility.CODES:
        _limit_code_tries(actor, poll)
    voter = selectors.voter_of(poll, user=user, code=code, check_voted=poll.revote)
    policies.may_vote(poll, voter).enforce()
    cleaned = _clean_answers(answers)
    problems = answer_problems(poll, cleaned)
    if problems:
        # Someone who has voted hears that first (the register was not read up to here).
        if not poll.revote and selectors.has_voted(poll, voter.key):
            policies.already_voted(poll).enforce()
        raise InvalidInput(" ".join(problems), code="invalid_ballot", field="answers")
    ballot_id = ballot_pattern.new_ballot_id()
    replaced = False
    try:
        with transaction.atomic():
            if voter.voted:
                replaced = _replace_ballot(poll, voter, ballot_id, cleaned)
            else:
                sealed = b""
                if poll.revote:
                    sealed = _seal_register(poll, ballot_id, voter)
                Participation.objects.create(
                    poll=poll, identity_key=voter.key, user=user, sealed=sealed
                )
                _seal_ballot(poll, _payload(ballot_id, cleaned, voter, None))
            _still_open(poll)
    except IntegrityError:
        if Participation.objects.filter(poll=poll, identity_key=voter.key).exists():
            if poll.revote:
                raise Conflict(
                    _("Another ballot of yours arrived at the same moment; try again."),
                    code="concurrent_ballot",
                ) from None
            policies.already_voted(poll).enforce()
        raise
    _flush_when_full(poll)
    return CastBallot(receipt=receipt_of(ballot_id), poll=poll, replaced=replaced)


def _limit_code_tries(actor: Actor, poll: Poll) -> None:
    who = actor.address or (str(actor.user.pk) if actor.user else "anonymous")
    wait = attempt_by(group="polls.code", key=f"{poll.pk}:{who}", rate="20/h")
    if wait:
        raise TooManyAttempts(
            _("Too many codes tried from here; try again in %(minutes)d minutes.")
            % {"minutes": max(1, wait // 60)}
        )


def _seal_register(poll: Poll, ballot_id: int, voter: policies.Voter) -> bytes:
    return ballot_pattern.seal(
        {
            "ballot": ballot_id,
            "district": voter.district_code,
            "age": tally.age_band(voter.age) if voter.age is not None else "",
        },
        box=Participation.box(poll.pk),
    )


def _seal_ballot(poll: Poll, payload: dict[str, Any]) -> None:
    sealed = ballot_pattern.seal(payload, box=PendingBallot.box(poll.pk))
    PendingBallot.objects.create(poll=poll, sealed=sealed)


def _replace_ballot(
    poll: Poll, voter: policies.Voter, ballot_id: int, answers: Mapping[int, Sequence[int]]
) -> bool:
    """A new ballot for a voter of a poll that allows changing one's vote: the register row,
    locked, names the current ballot (sealed); the new one goes into the box naming the one it
    replaces, which the next batch removes. No stored ballot is touched in the voter's own
    transaction."""
    row = Participation.objects.select_for_update().get(poll=poll, identity_key=voter.key)
    before = ballot_pattern.unseal(row.sealed, box=Participation.box(poll.pk))
    _seal_ballot(poll, _payload(ballot_id, answers, voter, before))
    row.sealed = _seal_register(poll, ballot_id, voter)
    row.save(update_fields=["sealed"])
    return True


# --- the box: batches, and the mix when it closes ---------------------------------------------


def _write_ballots(
    poll: Poll, payloads: Sequence[dict[str, Any]], chains: Mapping[int, str] | None = None
) -> None:
    """Insert opened ballots and their answers, each table in its own random order."""
    chains = chains or {}
    ballots = [
        (p["id"], poll.pk, chains.get(p["id"], "")) for p in ballot_pattern.shuffled(payloads)
    ]
    answers = ballot_pattern.shuffled(
        (p["id"], option, position)
        for p in payloads
        for options in p["answers"].values()
        for position, option in enumerate(options)
    )
    with connection.cursor() as cursor:
        ballot_pattern.BulkInsert(Ballot, ("id", "poll", "chain")).run(cursor, ballots)
        ballot_pattern.BulkInsert(Answer, ("ballot", "option", "position")).run(cursor, answers)


def _delete_ballots(poll: Poll, ids: Sequence[int] | None = None) -> None:
    """The poll's stored ballots (those of `ids`, or all) with their answers, in two statements."""
    quote = connection.ops.quote_name
    ballots, answers = quote(Ballot._meta.db_table), quote(Answer._meta.db_table)
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(
                f"DELETE FROM {answers} WHERE ballot_id IN "
                f"(SELECT id FROM {ballots} WHERE poll_id = %s)",
                [poll.pk],
            )
            cursor.execute(f"DELETE FROM {ballots} WHERE poll_id = %s", [poll.pk])
            return
        for start in range(0, len(ids), 5_000):
            chunk = list(ids[start : start + 5_000])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {answers} WHERE ballot_id IN ({marks})", chunk)
            cursor.execute(
                f"DELETE FROM {ballots} WHERE poll_id = %s AND id IN ({marks})", [poll.pk, *chunk]
            )


def _count_groups(
    poll: Poll, box: selectors.Box, stored: Mapping[int, Mapping[int, list[int]]]
) -> None:
    """Add the batch's ballots to the breakdown counts, and take the replaced ones out. A
    ranking counts its first choice. Three statements a batch, the box being locked: read the
    poll's counts, update the changed ones, create the new ones."""
    ranking = selectors.ranking_options(poll)
    changes: dict[tuple[str, str, int | None], int] = defaultdict(int)

    def count(groups: Mapping[str, str], answers: Mapping[Any, Sequence[int]], sign: int) -> None:
        for dimension, group in groups.items():
            if not group:
                continue
            changes[(dimension, group, None)] += sign
            for options in answers.values():
                firsts = options[:1] if options and int(options[0]) in ranking else options
                for option in firsts:
                    changes[(dimension, group, int(option))] += sign

    for payload in box.add:
        groups = {Dimension.DISTRICT: payload["district"], Dimension.AGE: payload["age"]}
        count(groups, payload["answers"], +1)
    for removed in box.remove:
        groups = {Dimension.DISTRICT: removed["district"], Dimension.AGE: removed["age"]}
        count(groups, stored.get(removed["ballot"], {}), -1)
    changes = {key: delta for key, delta in changes.items() if delta}
    if not changes:
        return
    existing = {
        (row.dimension, row.group, row.option_id): row
        for row in GroupCount.objects.filter(poll=poll)
    }
    changed, new = [], []
    for key, delta in changes.items():
        row = existing.get(key)
        if row is None:
            dimension, group, option = key
            new.append(
                GroupCount(
                    poll=poll, dimension=dimension, group=group, option_id=option, votes=delta
                )
            )
        else:
            row.votes += delta
            changed.append(row)
    GroupCount.objects.bulk_update(changed, ["votes"], batch_size=500)
    GroupCount.objects.bulk_create(new, batch_size=500)


def flush_ballots(*, poll: Poll, minimum: int | None = None) -> int:
    """Write the poll's box out as one batch in a random order when at least `minimum` ballots
    wait (by default a full batch). One transaction: moved or left, never lost or doubled; a
    flush already running elsewhere makes this one do nothing. Returns the ballots written."""
    minimum = ballot_pattern.batch_size() if minimum is None else max(1, minimum)
    if PendingBallot.objects.filter(poll=poll).count() < minimum:
        return 0
    with transaction.atomic():
        if not ballot_pattern.lock_box(Poll.objects.filter(pk=poll.pk)):
            return 0
        payloads = ballot_pattern.drain(
            PendingBallot.objects.filter(poll=poll), box=PendingBallot.box(poll.pk), minimum=minimum
        )
        _apply_box(poll, payloads)
    return len(payloads)


def _apply_box(poll: Poll, payloads: Sequence[dict[str, Any]]) -> selectors.Box:
    box = selectors.sort_box(payloads)
    removed_ids = [r["ballot"] for r in box.remove]
    stored = selectors.stored_answers(removed_ids) if removed_ids else {}
    _count_groups(poll, box, stored)
    if removed_ids:
        _delete_ballots(poll, removed_ids)
    _write_ballots(poll, box.add)
    return box


def _flush_when_full(poll: Poll) -> None:
    """After a ballot is accepted: write the box out if a batch is full. Counting the box is a
    query, so only about one cast in a tenth of a batch looks (a batch then holds a few more
    ballots than its size: a crowd is never smaller). A failure leaves the ballots sealed in
    the box for the next flush; it never refuses the ballot just stored."""
    if secrets.randbelow(max(1, ballot_pattern.batch_size() // 10)):
        return
    try:
        flush_ballots(poll=poll)
    except (DatabaseError, ballot_pattern.UnreadableBallot):
        logger.exception("polls: the ballot box of poll %s was not flushed", poll.pk)


def _mix_box(poll: Poll) -> list[tuple[int, dict[int, list[int]]]]:
    """Every ballot of the poll — stored and waiting — rewritten as one batch in a random order,
    each with its link in the hash chain. Inside the caller's transaction, the box locked.
    Returns the ballots (id, answers by question) in receipt order."""
    payloads = ballot_pattern.drain(
        PendingBallot.objects.filter(poll=poll), box=PendingBallot.box(poll.pk), minimum=0
    )
    if payloads:
        _apply_box(poll, payloads)
    ballots = selectors.all_ballots(poll)
    chains = selectors.chain_of(poll, ballots)
    rows = [
        {"id": ballot_id, "answers": {str(q): o for q, o in answers.items()}}
        for ballot_id, answers in ballots
    ]
    _delete_ballots(poll)
    _write_ballots(poll, rows, chains)
    return ballots


def _wait_for_casts() -> None:
    """Let every ballot transaction under way finish before the box is mixed: on PostgreSQL a
    SHARE lock on the register waits for them (a cast checks the closing time again after its
    register row is written, so one starting later sees the poll closed). SQLite has one writer
    at a time already."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        table = connection.ops.quote_name(Participation._meta.db_table)
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")


def close_poll(
    *,
    actor: Actor | User | None,
    poll: Poll,
    now: datetime | None = None,
    operator: bool = False,
) -> Poll:
    """Close a poll and publish its result: an official closing an open poll early moves its
    closing time to now; then the box is mixed (every ballot rewritten as one shuffled batch,
    each with its link in the hash chain), the results counted and the ballot list written to
    the poll's public folder. `actor` None: the periodic task, for polls whose time is up, or
    with `operator` the site's operator at the command line, who may close any open poll."""
    moment = now or timezone.now()
    poll = Poll.objects.select_related("city", "department").get(pk=poll.pk)
    if actor is not None:
        actor = Actor.of(actor)
        if poll.department is None:
            raise Conflict(_("The poll has no department."), code="no_department")
        policies.may_close(poll, seat_at(actor, poll.department), now=moment).enforce()
    elif operator:
        policies.closable(poll, now=moment).enforce()
    elif poll.published_at is not None or poll.status(moment) != "closed":
        raise Conflict(_("This poll is not due to be closed."), code="not_due")
    if poll.closes_at > moment:
        Poll.objects.filter(pk=poll.pk).update(
            closes_at=max(moment, poll.opens_at + timedelta(seconds=1))
        )
        poll.refresh_from_db()
    _wait_for_casts()
    saved: list[str] = []
    try:
        with transaction.atomic():
            ballot_pattern.lock_box(Poll.objects.filter(pk=poll.pk), wait=True)
            poll = Poll.objects.select_related("city", "department").get(pk=poll.pk)
            if poll.published_at is not None:
                raise Conflict(_("This poll is closed and published already."), code="published")
            ballots = _mix_box(poll)
            saved = _publish_files(poll, ballots)
            Poll.objects.filter(pk=poll.pk).update(
                box_closed_at=moment, published_at=timezone.now()
            )
            poll.refresh_from_db()
            _publish_on_plaza(poll)
            record_audit(
                actor=actor, action="polls.closed", target=poll, data={"ballots": len(ballots)}
            )
    except BaseException:
        for name in saved:
            default_storage.delete(name)
        raise
    ballot_pattern.forget_dead_rows(PendingBallot, Ballot, Answer)
    return poll


def close_due_polls(*, now: datetime | None = None) -> int:
    """Close and publish every poll whose time is up (a few minutes after, so ballots that
    passed the check just before commit first). For the periodic task; returns how many."""
    moment = now or timezone.now()
    due = Poll.objects.filter(
        state=State.APPROVED,
        published_at__isnull=True,
        closes_at__lte=moment - policies.BOX_CLOSES_AFTER,
    )
    closed = 0
    for poll in due:
        try:
            close_poll(actor=None, poll=poll, now=moment)
            closed += 1
        except Conflict:
            continue
    return closed


def _publish_files(poll: Poll, ballots: Sequence[tuple[int, Mapping[int, list[int]]]]) -> list[str]:
    """The poll's published files into its public folder; returns the names written."""
    from hamkke.polls import publication

    files = publication.publish(selectors.published_poll(poll, ballots))
    folder = f"polls/{poll.city.slug}/{poll.slug}"
    saved = []
    for name, text in files.items():
        path = f"{folder}/{name}"
        if default_storage.exists(path):
            default_storage.delete(path)
        saved.append(default_storage.save(path, ContentFile(text.encode("utf-8"))))
    head = json.loads(files[publication.POLL])["chain_head"]
    Poll.objects.filter(pk=poll.pk).update(ballots_folder=folder, chain_head=head)
    return saved


# --- from result to policy --------------------------------------------------------------------


def _plaza_body(poll: Poll) -> str:
    lines = [poll.description, ""]
    results = selectors.results_of(poll)
    lines.append(_("Ballots: %(n)s") % {"n": f"{results.ballots:,}"})
    for question, result in zip(selectors.questions_of(poll), results.questions, strict=False):
        lines.append("")
        lines.append(question.text)
        names = {option.pk: option.text for option in question.options.all()}
        for option in result.options:
            lines.append(
                f"- {names.get(option.id, option.id)}: {option.votes:,} ({option.share:.1%})"
            )
    if poll.outcome:
        lines += [
            "",
            _("Decision: %(outcome)s") % {"outcome": Outcome(poll.outcome).label},
            poll.decision,
        ]
    return "\n".join(lines).strip()


def _publish_on_plaza(poll: Poll) -> None:
    """The poll's result (and, once recorded, the city's decision) as one Plaza document."""
    from hamkke.plaza import services as plaza_services

    if poll.department is None:
        return
    plaza_services.publish_decision(
        source_key=plaza_services.decision_source(poll),
        title=_("M-Voting result: %(title)s") % {"title": poll.title},
        body=_plaza_body(poll),
        department=poll.department,
        url=reverse("polls:poll", args=[poll.slug]),
        decided_at=poll.decided_at or poll.published_at,
        tags=("M-Voting",),
    )


@transaction.atomic
def record_decision(*, actor: Actor | User, poll: Poll, outcome: str, text: str) -> Poll:
    """What the city decided from the poll: adopted, partly adopted or not, with the text;
    published to the Plaza in the same transaction. Recording again corrects it."""
    actor = Actor.of(actor)
    # Lock the poll's row only: PostgreSQL refuses FOR UPDATE on the nullable side of the join
    # to its department.
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("department", "city")
        .get(pk=poll.pk)
    )
    if poll.department is None:
        raise Conflict(_("The poll has no department."), code="no_department")
    policies.may_decide(poll, seat_at(actor, poll.department)).enforce()
    if outcome not in Outcome.values:
        raise InvalidInput(_("Choose adopted, partly adopted or not adopted."), field="outcome")
    text = _text(text, field="decision", limit=10_000)
    Poll.objects.filter(pk=poll.pk).update(
        outcome=outcome, decision=text, decided_at=timezone.now(), decided_by=actor.user
    )
    poll.refresh_from_db()
    _publish_on_plaza(poll)
    record_audit(actor=actor, action="polls.decided", target=poll, data={"outcome": outcome})
    return poll


def forget_voter(user: User) -> None:
    """Erasing an account: its register rows keep the poll's turnout but no longer name the
    person (the ballots never did); supports likewise."""
    Participation.objects.filter(user=user).update(user=None)
    Support.objects.filter(user=user).update(user=None)


# --- changing a poll before it opens (the desk) -------------------------------------------


def _replace_questions(poll: Poll, questions: Sequence[QuestionDraft]) -> None:
    """Rewrite the poll's questions and options in place, position by position, so that an
    option whose text stays the same keeps its row and its image; an option whose text changed
    loses its image (the picture showed the old answer). What is left over is deleted."""
    existing = {q.order: q for q in poll.questions.prefetch_related("options")}
    for order, draft in enumerate(questions):
        question = existing.get(order)
        if question is None:
            question = Question(poll=poll, order=order)
        question.text, question.kind = draft.text, draft.kind
        question.max_choices, question.required = draft.max_choices, draft.required
        question.save()
        options = {o.order: o for o in question.options.all()} if order in existing else {}
        Option.objects.filter(question=question, order__gte=len(draft.options)).delete()
        for number, text in enumerate(draft.options):
            option = options.get(number) or Option(question=question, order=number)
            if option.text != text:
                option.text, option.image = text, None
            option.save()
    Question.objects.filter(poll=poll, order__gte=len(questions)).delete()


@transaction.atomic
def change_poll(
    *,
    actor: Actor | User,
    poll: Poll,
    draft: PollDraft,
    department: Department | None = None,
) -> Poll:
    """Replace a poll's settings and questions while nobody can have voted on it (before it
    opens), checked as creating one is. `department`: move it to another department the
    official may create polls in."""
    actor = Actor.of(actor)
    poll = Poll.objects.select_for_update(of=("self",)).select_related("department").get(pk=poll.pk)
    if poll.department is None:
        raise Conflict(_("A proposal is changed by approving it."), code="no_department")
    policies.may_change(poll, seat_at(actor, poll.department)).enforce()
    department = department or poll.department
    if department.pk != poll.department_id:
        policies.may_create(seat_at(actor, department)).enforce()
    title, description, questions = _checked_poll(draft)
    by_age = draft.eligibility == Eligibility.AGE
    Poll.objects.filter(pk=poll.pk).update(
        title=title,
        description=description,
        department=department,
        opens_at=draft.opens_at,
        closes_at=draft.closes_at,
        results_live=draft.results_live,
        revote=draft.revote,
        eligibility=draft.eligibility,
        age_min=draft.age_min if by_age else None,
        age_max=draft.age_max if by_age else None,
    )
    poll.refresh_from_db()
    poll.districts.set(draft.districts if draft.eligibility == Eligibility.DISTRICTS else [])
    _replace_questions(poll, questions)
    record_audit(actor=actor, action="polls.changed", target=poll)
    return poll


@transaction.atomic
def set_option_image(*, actor: Actor | User, option: Option, upload: Any | None) -> Option:
    """Show a photo beside an option (checked by its content and cleaned by core.media), or
    take it away (`upload` None); only while the poll may change."""
    from hamkke.core.media.services import store_photo

    actor = Actor.of(actor)
    option = Option.objects.select_related("question__poll__department").get(pk=option.pk)
    poll = (
        Poll.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=option.question.poll_id)
    )
    if poll.department is None:
        raise Conflict(_("A proposal is changed by approving it."), code="no_department")
    policies.may_change(poll, seat_at(actor, poll.department)).enforce()
    option.image = (
        None
        if upload is None
        else store_photo(upload=upload, uploaded_by=actor.user, target=option)
    )
    option.save(update_fields=["image"])
    record_audit(
        actor=actor,
        action="polls.option_image",
        target=poll,
        data={"option": option.pk, "removed": upload is None},
    )
    return option
