"""Every write of the Oasis: posting ideas (with the similar-idea index), supports and follows,
the pipeline's one transition function and the steps that call it (thresholds and deadlines
checked on each support and by the periodic task, the department's answer and its escalation,
experts' rescues, reviews and scores, the meeting's decision, published to the Plaza at once),
implementation updates, carrying an adopted idea into the budget or a poll, and contests."""

from __future__ import annotations

import itertools
import logging
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.accounts.seats import Seat, seat_at
from hamkke.core import codes as code_digits
from hamkke.core import moderation
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.city.services import locate
from hamkke.core.errors import Conflict, InvalidInput, TooManyAttempts
from hamkke.core.media.services import attach_media
from hamkke.core.models import City, Department, District, Media
from hamkke.core.notifications.services import notify
from hamkke.core.ratelimit import attempt_by
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.ideas import pipeline, policies, scoring, selectors, similarity
from hamkke.ideas.models import (
    Award,
    AwardTier,
    Contest,
    ContestVote,
    Event,
    Expert,
    Follow,
    Idea,
    IdeaShingle,
    Implementation,
    ImplementationUpdate,
    Juror,
    JuryScore,
    Review,
    ReviewMeeting,
    State,
    Support,
    Theme,
    Transition,
)
from hamkke.ideas.profile import IdeasSection

logger = logging.getLogger(__name__)

TITLE_LIMIT = 150
BODY_LIMIT = 10_000
NOTE_LIMIT = 5_000
MAX_COAUTHORS = 5
MAX_PHOTOS = 5


# --- the profile ---------------------------------------------------------------------------------


def ideas_settings(city: City | None = None) -> IdeasSection:
    """The city's `[ideas]` table (defaults when the profile has none)."""
    city = city or current_city()
    return IdeasSection.model_validate(city.profile.get("ideas") or {})


def stages_of(section: IdeasSection) -> pipeline.Stages:
    return pipeline.Stages(
        forward_supports=section.forward_supports,
        forward_days=section.forward_days,
        answer_days=section.answer_days,
        escalation_days=section.escalation_days,
        discussion_supports=section.discussion_supports,
        discussion_days=section.discussion_days,
        discussion_length_days=section.discussion_length_days,
        review_days=section.review_days,
    )


def load_themes(*, city: City) -> None:
    """The profile's `[[ideas.themes]]` as rows (idempotent; dropped themes stay for old ideas)."""
    section = ideas_settings(city)
    departments = {d.code: d for d in Department.objects.filter(city=city)}
    for order, theme in enumerate(section.themes):
        Theme.objects.update_or_create(
            city=city,
            code=theme.code,
            defaults={
                "name": theme.name,
                "name_en": theme.name_en,
                "order": order,
                "department": departments.get(theme.department),
            },
        )


def office_of(city: City) -> Department | None:
    """The Oasis office: the profile's `[ideas] department`."""
    code = ideas_settings(city).department
    return Department.objects.filter(city=city, code=code).first() if code else None


def _text(value: str | None, *, field: str, limit: int, required: bool = True) -> str:
    """Text cleaned, and refused with the field named when empty or oversized."""
    text = clean_text(value)
    if required and not text:
        raise InvalidInput(_("This field cannot be empty."), field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("Keep this under %(limit)s characters (it has %(count)s).")
            % {"limit": f"{limit:,}", "count": f"{len(text):,}"},
            field=field,
        )
    return text


# --- posting ---------------------------------------------------------------------------------


def index_idea(idea: Idea) -> None:
    """The idea's shingles for the similar-idea suggestion (title and the start of its text)."""
    IdeaShingle.objects.filter(idea=idea).delete()
    found = similarity.shingles(f"{idea.title}\n{idea.body[:1000]}")
    IdeaShingle.objects.bulk_create(
        [IdeaShingle(idea=idea, shingle=shingle[:64]) for shingle in sorted(found)],
        ignore_conflicts=True,
    )


@transaction.atomic
def post_idea(
    *,
    actor: Actor | User,
    title: str,
    body: str,
    theme: Theme,
    district: District | None = None,
    point: tuple[float, float] | None = None,
    address: str = "",
    photos: Sequence[Media] = (),
    coauthors: Sequence[User] = (),
    contest: Contest | None = None,
    now: datetime | None = None,
) -> Idea:
    """A citizen's idea, open for support from now (for the profile's forward_days), or an
    entry of `contest` while it takes submissions. `point` (latitude, longitude) sets the
    district; `photos` are stored uploads (core.media) attached here; `coauthors` are other
    accounts named as authors (they follow it, and cannot support it)."""
    actor = Actor.of(actor)
    moment = now or timezone.now()
    policies.may_post(actor.user).enforce()
    if contest is not None:
        policies.may_enter(contest, actor.user, now=moment).enforce()
    if attempt_by(group="ideas.post", key=str(actor.user.pk), rate="10/d"):
        raise TooManyAttempts(_("You have posted ten ideas today; try again tomorrow."))
    title = _text(title, field="title", limit=TITLE_LIMIT)
    body = _text(body, field="body", limit=BODY_LIMIT)
    city = current_city()
    if theme.city_id != city.pk:
        raise InvalidInput(_("Choose one of the city's themes."), field="theme")
    if contest is not None and contest.theme_id and theme.pk != contest.theme_id:
        raise InvalidInput(_("This contest takes ideas of its own theme only."), field="theme")
    location = None
    if point is not None:
        latitude, longitude = point
        location = locate(latitude=latitude, longitude=longitude, address=address, city=city)
        district = district or location.district
    if district is not None and district.city_id != city.pk:
        raise InvalidInput(_("Choose one of the city's districts."), field="district")
    others = _coauthors(actor.user, coauthors)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS}, field="photos"
        )
    stages = stages_of(ideas_settings(city))
    idea = Idea.objects.create(
        city=city,
        title=title,
        body=body,
        theme=theme,
        district=district,
        location=location,
        author=actor.user,
        contest=contest,
        state=State.OPEN,
        state_since=moment,
        created_at=moment,
        **_dates_for(pipeline.OPEN, moment, stages),
    )
    idea.coauthors.set(others)
    for photo in photos:
        attach_media(media=photo, target=idea)
    index_idea(idea)
    Transition.objects.create(
        idea=idea,
        event=Event.SUBMIT,
        from_state="",
        to_state=State.OPEN,
        actor=actor.user,
        at=moment,
    )
    Follow.objects.bulk_create(
        [Follow(idea=idea, user=person) for person in [actor.user, *others]],
        ignore_conflicts=True,
    )
    record_audit(actor=actor, action="ideas.posted", target=idea)
    return idea


def _coauthors(author: User, people: Sequence[User]) -> list[User]:
    others = {person.pk: person for person in people if person.pk != author.pk}
    if len(others) > MAX_COAUTHORS:
        raise InvalidInput(
            _("Name at most %(count)s co-authors.") % {"count": MAX_COAUTHORS}, field="coauthors"
        )
    for person in others.values():
        if not person.is_active or getattr(person, "banned_at", None) is not None:
            raise InvalidInput(_("A co-author's account cannot take part."), field="coauthors")
    return list(others.values())


def _dates_for(state: str, moment: datetime, stages: pipeline.Stages) -> dict[str, Any]:
    return pipeline.deadline_after(state, moment, stages)


# --- the one transition ----------------------------------------------------------------------


@transaction.atomic
def transition(
    *,
    idea: Idea,
    event: str,
    actor: Actor | User | None = None,
    note: str = "",
    now: datetime | None = None,
    changes: dict[str, Any] | None = None,
) -> Idea:
    """Move `idea` by `event` (pipeline.MOVES), the one way its state changes: the row is
    locked, the move checked against where it stands now (no skipping, no going back), the
    new stage's deadlines set, the step logged on its timeline, its followers told. `changes`
    are fields written with the move (the answer, the decision). Callers enforce who may; the
    periodic check passes no actor."""
    who = Actor.of(actor)
    moment = now or timezone.now()
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    source = locked.state
    target = pipeline.next_state(source, event)
    if target is None:
        raise Conflict(
            _("An idea that is “%(state)s” cannot be moved that way.")
            % {"state": locked.get_state_display()},
            code="wrong_state",
        )
    stages = stages_of(ideas_settings(locked.city))
    fields = {
        "state": target,
        "state_since": moment,
        **_dates_for(target, moment, stages),
        **(changes or {}),
    }
    if target == pipeline.FORWARDED:
        fields["department"] = _answering_department(locked)
        fields["escalated_at"] = None
    Idea.objects.filter(pk=locked.pk).update(**fields)
    locked.refresh_from_db()
    Transition.objects.create(
        idea=locked,
        event=event,
        from_state=source,
        to_state=target,
        actor=who.user,
        note=note,
        at=moment,
    )
    record_audit(actor=who, action=f"ideas.{event}", target=locked, data={"to": target})
    _tell_followers(locked, event)
    if target == pipeline.FORWARDED:
        _tell_department(locked)
    if target in pipeline.TAKEN_UP:
        publish_adoption(locked)
    idea.__dict__.update(locked.__dict__)
    return locked


def _answering_department(idea: Idea) -> Department:
    department = idea.theme.department or office_of(idea.city)
    if department is None:
        raise Conflict(
            _("No department answers ideas of this theme: set [ideas] department in the profile."),
            code="no_department",
        )
    return department


def _idea_url(idea: Idea) -> str:
    return reverse("ideas:idea", args=[idea.pk])


def _tell_followers(idea: Idea, event: str) -> None:
    title = _("“%(title)s”: %(what)s") % {
        "title": idea.title[:80],
        "what": Event(event).label,
    }
    for person in selectors.followers_of(idea):
        notify(recipient=person, kind="ideas.followed", title=title, url=_idea_url(idea))


def _tell_department(idea: Idea) -> None:
    for person in account_selectors.officials_of([idea.department_id], least=Role.HANDLER):
        notify(
            recipient=person,
            kind="ideas.desk",
            title=_("An idea to answer: “%(title)s”") % {"title": idea.title[:80]},
            body=_("Answer it in writing by %(due)s.")
            % {"due": timezone.localtime(idea.answer_due).strftime("%Y-%m-%d")},
            url=reverse("ideas:desk-idea", args=[idea.pk]),
        )


# --- supports and follows ------------------------------------------------------------------


@transaction.atomic
def support_idea(*, actor: Actor | User, idea: Idea, now: datetime | None = None) -> int:
    """A verified person supports an idea (once: the constraint); they follow it from then on.
    When the supports reach the stage's threshold the idea moves on at once, by the same
    transition the periodic check uses. Returns the count of supports."""
    actor = Actor.of(actor)
    moment = now or timezone.now()
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    policies.idea_found(locked).enforce()
    identity = selectors.supporter_identity(actor.user)
    key = identity.identity_key if identity is not None else ""
    supported = bool(key) and Support.objects.filter(idea=locked, identity_key=key).exists()
    section = ideas_settings(locked.city)
    policies.may_support(
        locked,
        actor.user,
        identity,
        supported=supported,
        own_support=section.own_support,
        coauthor_ids=selectors.coauthor_ids(locked),
    ).enforce()
    try:
        with transaction.atomic():
            Support.objects.create(
                idea=locked, identity_key=key, user=actor.user, created_at=moment
            )
    except IntegrityError as error:  # the same person, another account, at the same moment
        raise Conflict(_("You already support this idea."), code="already_supported") from error
    Idea.objects.filter(pk=locked.pk).update(supports=F("supports") + 1)
    locked.refresh_from_db(fields=["supports"])
    Follow.objects.get_or_create(idea=locked, user=actor.user)
    _apply_due(locked, stages_of(section), moment)
    idea.supports = locked.supports
    idea.state = locked.state
    return locked.supports


@transaction.atomic
def follow_idea(*, actor: Actor | User, idea: Idea, follow: bool = True) -> bool:
    """Follow (or stop following) an idea; returns whether the person now follows it."""
    actor = Actor.of(actor)
    policies.idea_found(idea).enforce()
    policies.may_follow(actor.user).enforce()
    if follow:
        Follow.objects.get_or_create(idea=idea, user=actor.user)
    else:
        Follow.objects.filter(idea=idea, user=actor.user).delete()
    return follow


@transaction.atomic
def withdraw_idea(*, actor: Actor | User, idea: Idea) -> Idea:
    actor = Actor.of(actor)
    policies.may_withdraw(idea, actor.user).enforce()
    return transition(idea=idea, event=pipeline.WITHDRAW, actor=actor)


# --- the scheduled check ---------------------------------------------------------------------


def _facts(idea: Idea) -> pipeline.Facts:
    return pipeline.Facts(
        state=idea.state,
        supports=idea.supports,
        supports_due=idea.supports_due,
        answer_due=idea.answer_due,
        escalated=idea.escalated_at is not None,
    )


def _apply_due(idea: Idea, stages: pipeline.Stages, moment: datetime) -> str | None:
    """Fire the event the idea's facts call for now (pipeline.due_event), if any."""
    event = pipeline.due_event(_facts(idea), stages, moment)
    if event == pipeline.ESCALATE:
        escalate_answer(idea=idea, now=moment)
    elif event is not None:
        transition(idea=idea, event=event, now=moment)
    return event


def check_due_ideas(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic check: every idea whose stage's threshold is reached, whose period has run
    out or whose answer is overdue moves on (each in its own transaction, through the same
    transition as a support or an official). Returns how many of each event fired."""
    moment = now or timezone.now()
    city = current_city()
    section = ideas_settings(city)
    stages = stages_of(section)
    due = Idea.objects.filter(city=city, hidden_at=None).filter(
        Q(state=State.OPEN, supports__gte=stages.forward_supports)
        | Q(state=State.ANSWERED, supports__gte=stages.discussion_supports)
        | Q(state__in=(State.OPEN, State.ANSWERED), supports_due__lte=moment)
        | Q(state=State.FORWARDED, answer_due__lt=moment, escalated_at=None)
    )
    fired: dict[str, int] = {}
    for idea_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            idea = Idea.objects.select_for_update().get(pk=idea_id)
            event = _apply_due(idea, stages, moment)
        if event:
            fired[event] = fired.get(event, 0) + 1
    return fired


@transaction.atomic
def escalate_answer(*, idea: Idea, now: datetime | None = None) -> Idea:
    """An overdue answer, flagged once: the department's managers (and the Oasis office's) are
    told and get escalation_days more; from now on only a manager answers."""
    moment = now or timezone.now()
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.state != State.FORWARDED or locked.escalated_at is not None:
        return locked
    stages = stages_of(ideas_settings(locked.city))
    was_due = locked.answer_due
    new_due = moment + timedelta(days=stages.escalation_days)
    Idea.objects.filter(pk=locked.pk).update(escalated_at=moment, answer_due=new_due)
    locked.refresh_from_db()
    Transition.objects.create(
        idea=locked,
        event=Event.ESCALATE,
        from_state=State.FORWARDED,
        to_state=State.FORWARDED,
        note=_("The answer was due by %(due)s.")
        % {"due": timezone.localtime(was_due).strftime("%Y-%m-%d")},
        at=moment,
    )
    office = office_of(locked.city)
    departments = {locked.department_id, *([office.pk] if office else [])}
    for manager in account_selectors.officials_of(list(departments), least=Role.MANAGER):
        notify(
            recipient=manager,
            kind="ideas.desk",
            title=_("Overdue answer to an idea: “%(title)s”") % {"title": locked.title[:80]},
            body=_("Answer by %(due)s.")
            % {"due": timezone.localtime(new_due).strftime("%Y-%m-%d")},
            url=reverse("ideas:desk-idea", args=[locked.pk]),
        )
    record_audit(
        actor=None,
        action="ideas.escalate",
        target=locked,
        data={"answer_due": was_due.isoformat() if was_due else None},
    )
    return locked


# --- the department's answer, experts, review, decision -------------------------------------


@transaction.atomic
def answer_idea(*, actor: Actor | User, idea: Idea, text: str, now: datetime | None = None) -> Idea:
    """The department's written answer, by the deadline."""
    actor = Actor.of(actor)
    moment = now or timezone.now()
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.department is None:
        raise Conflict(_("This idea is not with a department."), code="wrong_state")
    policies.may_answer(locked, seat_at(actor, locked.department), now=moment).enforce()
    text = _text(text, field="answer", limit=NOTE_LIMIT)
    return transition(
        idea=locked,
        event=pipeline.ANSWER,
        actor=actor,
        note=text,
        now=moment,
        changes={"answer": text, "answered_at": moment},
    )


@transaction.atomic
def rescue_idea(
    *, actor: Actor | User, idea: Idea, reason: str, now: datetime | None = None
) -> Idea:
    """An expert moves an idea on below the threshold, saying why."""
    actor = Actor.of(actor)
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    policies.may_rescue(locked, actor, selectors.expert_of(actor.user, locked.city)).enforce()
    reason = _text(reason, field="reason", limit=NOTE_LIMIT)
    return transition(idea=locked, event=pipeline.RESCUE, actor=actor, note=reason, now=now)


@transaction.atomic
def appoint_expert(*, actor: Actor | User, user: User, field: str = "") -> Expert:
    """The Oasis office's managers appoint (or re-appoint) an expert."""
    actor = Actor.of(actor)
    city = current_city()
    office = _office_or_refuse(city)
    policies.holds_office(seat_at(actor, office), policies.REVIEW).enforce()
    field = _text(field, field="field", limit=200, required=False)
    expert, _created = Expert.objects.update_or_create(
        city=city, user=user, defaults={"field": field, "active": True, "appointed_by": actor.user}
    )
    record_audit(actor=actor, action="ideas.expert_appointed", target=expert)
    return expert


@transaction.atomic
def retire_expert(*, actor: Actor | User, expert: Expert) -> Expert:
    actor = Actor.of(actor)
    office = _office_or_refuse(expert.city)
    policies.holds_office(seat_at(actor, office), policies.REVIEW).enforce()
    Expert.objects.filter(pk=expert.pk).update(active=False)
    expert.refresh_from_db()
    record_audit(actor=actor, action="ideas.expert_retired", target=expert)
    return expert


def _office_or_refuse(city: City) -> Department:
    office = office_of(city)
    if office is None:
        raise Conflict(
            _("The city has no Oasis office: set [ideas] department in the profile."),
            code="no_department",
        )
    return office


def _check_experts(city: City, experts: Sequence[Expert]) -> list[Expert]:
    unique = {expert.pk: expert for expert in experts}
    if not unique:
        raise InvalidInput(_("Assign at least one expert."), field="experts")
    for expert in unique.values():
        if expert.city_id != city.pk or not expert.active:
            raise InvalidInput(_("Assign only the city's active experts."), field="experts")
    return list(unique.values())


@transaction.atomic
def start_review(
    *,
    actor: Actor | User,
    idea: Idea,
    experts: Sequence[Expert],
    now: datetime | None = None,
) -> Idea:
    """After the public discussion, the office's managers send the idea to the experts."""
    actor = Actor.of(actor)
    moment = now or timezone.now()
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    office = _office_or_refuse(locked.city)
    policies.may_start_review(locked, seat_at(actor, office), now=moment).enforce()
    chosen = _check_experts(locked.city, experts)
    moved = transition(idea=locked, event=pipeline.START_REVIEW, actor=actor, now=moment)
    Review.objects.bulk_create([Review(idea=moved, expert=e, assigned_at=moment) for e in chosen])
    _tell_reviewers(moved, chosen)
    return moved


@transaction.atomic
def assign_reviewer(*, actor: Actor | User, idea: Idea, expert: Expert) -> Review:
    """One more expert for an idea under review."""
    actor = Actor.of(actor)
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    policies.may_assign_reviewer(locked, seat_at(actor, _office_or_refuse(locked.city))).enforce()
    _check_experts(locked.city, [expert])
    review, created = Review.objects.get_or_create(idea=locked, expert=expert)
    if created:
        _tell_reviewers(locked, [expert])
        record_audit(
            actor=actor, action="ideas.reviewer_assigned", target=locked, data={"expert": expert.pk}
        )
    return review


def _tell_reviewers(idea: Idea, experts: Sequence[Expert]) -> None:
    for expert in experts:
        notify(
            recipient=expert.user,
            kind="ideas.review",
            title=_("An idea to review: “%(title)s”") % {"title": idea.title[:80]},
            body=_("Score it by %(due)s.")
            % {"due": timezone.localtime(idea.review_due).strftime("%Y-%m-%d")}
            if idea.review_due
            else "",
            url=reverse("ideas:review", args=[idea.pk]),
        )


@transaction.atomic
def score_review(
    *,
    actor: Actor | User,
    idea: Idea,
    scores: dict[str, int],
    opinion: str = "",
    now: datetime | None = None,
) -> Review:
    """An assigned expert's rubric scores (feasibility, effect, cost, originality, 1–5 each)
    and opinion; they may change them while the idea is under review."""
    actor = Actor.of(actor)
    review = selectors.review_for(idea, actor.user, lock=True)
    policies.may_score(review, actor, idea).enforce()
    problems = scoring.rubric_problems(scores)
    if problems:
        field = next(iter(problems))
        raise InvalidInput(
            _("Score each of feasibility, effect, cost and originality from 1 to 5."),
            field=field,
        )
    opinion = _text(opinion, field="opinion", limit=NOTE_LIMIT, required=False)
    for item in scoring.RUBRIC:
        setattr(review, item, scores[item])
    review.opinion = opinion
    review.scored_at = now or timezone.now()
    review.save()
    record_audit(actor=actor, action="ideas.scored", target=idea, data={"review": review.pk})
    return review


@transaction.atomic
def create_meeting(
    *, actor: Actor | User, title: str, held_on: date, minutes: str = ""
) -> ReviewMeeting:
    actor = Actor.of(actor)
    city = current_city()
    policies.holds_office(seat_at(actor, _office_or_refuse(city)), policies.DECIDE).enforce()
    if not 1900 <= held_on.year <= 2999:
        raise InvalidInput(_("Give a date between the years 1900 and 2999."), field="held_on")
    meeting = ReviewMeeting.objects.create(
        city=city,
        title=_text(title, field="title", limit=200),
        held_on=held_on,
        minutes=_text(minutes, field="minutes", limit=50_000, required=False),
        created_by=actor.user,
    )
    record_audit(actor=actor, action="ideas.meeting_created", target=meeting)
    return meeting


@transaction.atomic
def decide_idea(
    *,
    actor: Actor | User,
    idea: Idea,
    outcome: str,
    reasons: str,
    meeting: ReviewMeeting,
    now: datetime | None = None,
) -> Idea:
    """The review meeting's decision — adopted, adopted in part, not adopted — with reasons;
    an adoption is published on the Plaza in the same transaction."""
    actor = Actor.of(actor)
    moment = now or timezone.now()
    event = pipeline.DECISION_EVENTS.get(outcome)
    if event is None:
        raise InvalidInput(_("Choose adopted, adopted in part or not adopted."), field="outcome")
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    waiting, scored = selectors.review_progress(locked)
    policies.may_decide(
        locked, seat_at(actor, _office_or_refuse(locked.city)), waiting=waiting, scored=scored
    ).enforce()
    if meeting.city_id != locked.city_id:
        raise InvalidInput(_("Choose one of the city's review meetings."), field="meeting")
    reasons = _text(reasons, field="reasons", limit=NOTE_LIMIT)
    changes: dict[str, Any] = {
        "decision_reasons": reasons,
        "decided_at": moment,
        "meeting": meeting,
    }
    if outcome in pipeline.TAKEN_UP:
        changes["implementation"] = Implementation.PLANNED
    return transition(
        idea=locked, event=event, actor=actor, note=reasons, now=moment, changes=changes
    )


def publish_adoption(idea: Idea) -> None:
    """The adoption on the Plaza at once (one document per idea: a re-run updates it), worded
    in the city's language whoever decided it. Only text meant for everyone: the idea, the
    answer and the reasons, no names."""
    with translation.override(idea.city.default_language):
        _publish_adoption_now(idea)


def _publish_adoption_now(idea: Idea) -> None:
    from hamkke.plaza import services as plaza_services

    department = idea.department or office_of(idea.city)
    if department is None:
        return
    outcome = idea.get_state_display()
    body = "\n\n".join(
        part
        for part in (
            _("Citizens' idea (Oasis of 10 Million Imagination), theme: %(theme)s.")
            % {"theme": idea.theme.name},
            idea.body,
            _("Decision: %(outcome)s.") % {"outcome": outcome},
            idea.decision_reasons,
            _("Department's answer: %(answer)s") % {"answer": idea.answer} if idea.answer else "",
        )
        if part
    )
    plaza_services.publish_decision(
        source_key=plaza_services.decision_source(idea),
        title=_("Citizens' idea %(outcome)s: %(title)s")
        % {"outcome": outcome, "title": idea.title},
        body=body,
        department=department,
        url=_idea_url(idea),
        decided_at=idea.decided_at,
        summary=idea.title,
        tags=("oasis", idea.theme.code),
    )


# --- implementation ------------------------------------------------------------------------


@transaction.atomic
def record_progress(
    *,
    actor: Actor | User,
    idea: Idea,
    on: date,
    status: str,
    progress: int,
    text: str,
    link: str = "",
) -> ImplementationUpdate:
    """A dated implementation update of an adopted idea, by its department or the office."""
    actor = Actor.of(actor)
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    seat = _best_seat(actor, [locked.department, office_of(locked.city)])
    policies.may_track(locked, seat).enforce()
    if status not in Implementation.values:
        raise InvalidInput(_("Choose one of the implementation statuses."), field="status")
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput(
            _("Give the progress as a whole percentage, 0 to 100."), field="progress"
        )
    if not 1900 <= on.year <= 2999:
        raise InvalidInput(_("Give a date between the years 1900 and 2999."), field="on")
    link = _text(link, field="link", limit=500, required=False)
    if link and not (
        link.startswith("https://") or link.startswith("http://") or link.startswith("/")
    ):
        raise InvalidInput(
            _("Give a web address (https://…) or a page of this site (/…)."), field="link"
        )
    update = ImplementationUpdate.objects.create(
        idea=locked,
        on=on,
        status=status,
        progress=progress,
        text=_text(text, field="text", limit=NOTE_LIMIT),
        link=link,
        author=actor.user,
    )
    Idea.objects.filter(pk=locked.pk).update(implementation=status, progress=progress)
    for person in selectors.followers_of(locked):
        notify(
            recipient=person,
            kind="ideas.followed",
            title=_("“%(title)s”: implementation %(progress)s%%")
            % {"title": locked.title[:80], "progress": progress},
            url=_idea_url(locked),
        )
    record_audit(
        actor=actor,
        action="ideas.progress",
        target=locked,
        data={"status": status, "progress": progress},
    )
    return update


def _best_seat(actor: Actor, departments: Sequence[Department | None]) -> Seat:
    """The actor's highest seat among `departments` (the idea's and the office's)."""
    seats = [seat_at(actor, d) for d in departments if d is not None]
    if not seats:
        raise Conflict(_("No department answers for this idea."), code="no_department")
    return max(seats, key=lambda seat: seat.role or 0)


# --- into the other services ---------------------------------------------------------------


@transaction.atomic
def promote_to_budget(
    *,
    actor: Actor | User,
    idea: Idea,
    pool: Any,
    area: Any,
    summary: str = "",
    requested_cost: int | None = None,
) -> Any:
    """An adopted idea as a participatory budget proposal of an open cycle's proposals phase,
    its author kept as the proposer; the proposal links back to the idea, the idea to it."""
    from hamkke.budget import services as budget_services

    actor = Actor.of(actor)
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    policies.may_promote(
        locked, seat_at(actor, _office_or_refuse(locked.city)), into="budget"
    ).enforce()
    if locked.author is None:
        raise Conflict(
            _("The idea's author has left: there is nobody to propose it."), code="no_author"
        )
    project = budget_services.propose_project(
        actor=actor,
        on_behalf_of=locked.author,
        pool=pool,
        area=area,
        title=locked.title,
        summary=_text(summary or locked.body[:500], field="summary", limit=500),
        description=locked.body,
        district=locked.district,
        requested_cost=requested_cost,
        origin_url=_idea_url(locked),
    )
    Idea.objects.filter(pk=locked.pk).update(budget_project=project)
    record_audit(
        actor=actor, action="ideas.promoted_to_budget", target=locked, data={"project": project.pk}
    )
    idea.budget_project = project
    return project


@transaction.atomic
def promote_to_poll(
    *,
    actor: Actor | User,
    idea: Idea,
    question: str,
    options: Sequence[str],
    opens_at: datetime,
    closes_at: datetime,
) -> Any:
    """An adopted idea put to the citizens as an M-Voting poll of the idea's department (or the
    office), linking back to the idea."""
    from hamkke.polls import services as poll_services

    actor = Actor.of(actor)
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    office = _office_or_refuse(locked.city)
    policies.may_promote(locked, seat_at(actor, office), into="poll").enforce()
    draft = poll_services.PollDraft(
        title=locked.title,
        description=locked.body,
        opens_at=opens_at,
        closes_at=closes_at,
        questions=[poll_services.QuestionDraft(text=question, options=tuple(options))],
    )
    poll = poll_services.create_poll(
        actor=actor, department=office, draft=draft, origin_url=_idea_url(locked)
    )
    Idea.objects.filter(pk=locked.pk).update(poll=poll)
    record_audit(
        actor=actor, action="ideas.promoted_to_poll", target=locked, data={"poll": poll.pk}
    )
    idea.poll = poll
    return poll


# --- moderation and personal data ------------------------------------------------------------


@transaction.atomic
def set_idea_hidden(*, actor: Actor | User, idea: Idea, hidden: bool, reason: str = "") -> Idea:
    """A moderator hides an idea (not served at all) or shows it again."""
    actor = Actor.of(actor)
    moderation.require_moderator(actor)
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now() if hidden else None)
    idea.refresh_from_db()
    record_audit(
        actor=actor,
        action="ideas.hidden" if hidden else "ideas.shown",
        target=idea,
        data={"reason": clean_text(reason)[:300]},
    )
    return idea


def forget_person(user: User) -> None:
    """Erase a person's part: their ideas stay (the city keeps what it acted on) without their
    name; supports stay counted without the account; follows, expert and jury seats go."""
    Idea.objects.filter(author=user).update(author=None)
    for idea in Idea.objects.filter(coauthors=user):
        idea.coauthors.remove(user)
    Support.objects.filter(user=user).update(user=None)
    Follow.objects.filter(user=user).delete()


# --- contests ----------------------------------------------------------------------------------

CONTEST_RESERVED_SLUGS = frozenset({"desk", "certificates"})


def _check_contest_dates(moments: Sequence[datetime | None]) -> None:
    for moment in moments:
        if moment is None or not moment_in_range(moment):
            raise InvalidInput(MOMENTS_TEXT, field="dates")
    if not all(a < b for a, b in itertools.pairwise(moments)):
        raise InvalidInput(
            _("Submissions, the public vote, the jury and the end must follow one another."),
            field="dates",
        )


@transaction.atomic
def create_contest(
    *,
    actor: Actor | User,
    title: str,
    description: str = "",
    theme: Theme | None = None,
    submissions_open: datetime,
    voting_opens: datetime,
    jury_opens: datetime,
    ends: datetime,
    jury_weight: int = 70,
    public_weight: int = 30,
    votes_per_person: int = 3,
    currency: str = "KRW",
    tiers: Sequence[tuple[str, int, int]] = (),
    slug: str = "",
) -> Contest:
    """A themed contest run by the Oasis office; `tiers` are (name, prize amount, winners) in
    rank order."""
    actor = Actor.of(actor)
    city = current_city()
    office = _office_or_refuse(city)
    policies.may_manage_contests(seat_at(actor, office)).enforce()
    title = _text(title, field="title", limit=200)
    _check_contest_dates([submissions_open, voting_opens, jury_opens, ends])
    if jury_weight < 0 or public_weight < 0 or jury_weight + public_weight != 100:
        raise InvalidInput(
            _("The jury and public weights are percentages adding up to 100."), field="jury_weight"
        )
    if not 1 <= votes_per_person <= 50:
        raise InvalidInput(_("Give each person 1 to 50 votes."), field="votes_per_person")
    if not tiers:
        raise InvalidInput(_("Name at least one award tier."), field="tiers")
    slug = slugify(slug or title)[:70] or f"contest-{secrets.token_hex(3)}"
    # The contests' fixed pages ("desk/", "certificates/") must not be shadowed by a slug.
    if slug in CONTEST_RESERVED_SLUGS or Contest.objects.filter(city=city, slug=slug).exists():
        slug = f"{slug[:62]}-{secrets.token_hex(3)}"
    contest = Contest.objects.create(
        city=city,
        slug=slug,
        title=title,
        description=_text(description, field="description", limit=BODY_LIMIT, required=False),
        theme=theme,
        department=office,
        submissions_open=submissions_open,
        voting_opens=voting_opens,
        jury_opens=jury_opens,
        ends=ends,
        jury_weight=jury_weight,
        public_weight=public_weight,
        votes_per_person=votes_per_person,
        currency=(currency or "KRW").upper()[:3],
        created_by=actor.user,
    )
    for order, (name, amount, winners) in enumerate(tiers):
        if not 0 <= amount <= 10**12 or not 1 <= winners <= 100:
            raise InvalidInput(_("Give each tier a prize and 1 to 100 winners."), field="tiers")
        AwardTier.objects.create(
            contest=contest,
            name=_text(name, field="tiers", limit=100),
            order=order,
            prize_amount=amount,
            winners=winners,
        )
    record_audit(actor=actor, action="ideas.contest_created", target=contest)
    return contest


@transaction.atomic
def vote_for_entry(
    *, actor: Actor | User, contest: Contest, idea: Idea, now: datetime | None = None
) -> int:
    """A verified person's public vote for an entry (once per entry, at most the contest's
    votes_per_person in all: the contest row is locked while counting). Returns votes left."""
    actor = Actor.of(actor)
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    identity = selectors.supporter_identity(actor.user)
    key = identity.identity_key if identity is not None else ""
    used = ContestVote.objects.filter(contest=locked, identity_key=key).count() if key else 0
    voted = (
        bool(key)
        and ContestVote.objects.filter(contest=locked, identity_key=key, idea=idea).exists()
    )
    policies.may_vote_for(
        locked, idea, actor.user, identity, used=used, voted_for_it=voted, now=now
    ).enforce()
    try:
        with transaction.atomic():
            ContestVote.objects.create(contest=locked, idea=idea, identity_key=key)
    except IntegrityError as error:  # the same person, another account, at the same moment
        raise Conflict(_("You already voted for this entry."), code="already_voted") from error
    return locked.votes_per_person - used - 1


@transaction.atomic
def appoint_juror(*, actor: Actor | User, contest: Contest, user: User) -> Juror:
    actor = Actor.of(actor)
    policies.may_manage_contests(seat_at(actor, contest.department)).enforce()
    juror, _created = Juror.objects.get_or_create(contest=contest, user=user)
    record_audit(
        actor=actor, action="ideas.juror_appointed", target=contest, data={"user": user.pk}
    )
    return juror


@transaction.atomic
def score_entry(
    *, actor: Actor | User, contest: Contest, idea: Idea, score: int, now: datetime | None = None
) -> JuryScore:
    """A juror's score of an entry, 0 to 100 (changed by scoring again)."""
    actor = Actor.of(actor)
    juror = Juror.objects.filter(contest=contest, user=actor.user).first() if actor.user else None
    policies.may_jury_score(contest, idea, actor, juror=juror is not None, now=now).enforce()
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise InvalidInput(_("Score from 0 to 100."), field="score")
    row, _created = JuryScore.objects.update_or_create(
        juror=juror, idea=idea, defaults={"score": score, "scored_at": now or timezone.now()}
    )
    return row


@transaction.atomic
def award_contest(
    *, actor: Actor | User, contest: Contest, now: datetime | None = None
) -> list[Award]:
    """Rank the entries (scoring.rank_entries with the contest's weights) and give the tiers'
    prizes in rank order; each award gets a certificate number."""
    actor = Actor.of(actor)
    locked = Contest.objects.select_for_update().get(pk=contest.pk)
    policies.may_award(locked, seat_at(actor, locked.department), now=now).enforce()
    ranked = scoring.rank_entries(
        selectors.contest_tallies(locked),
        jury_weight=locked.jury_weight,
        public_weight=locked.public_weight,
    )
    places = [tier for tier in locked.tiers.order_by("order") for _ in range(tier.winners)]
    awards = [
        Award(
            contest=locked,
            idea_id=entry.entry,
            tier=tier,
            rank=entry.rank,
            jury_score=entry.jury,
            public_score=entry.public,
            score=entry.score,
            certificate=f"OASIS-{code_digits.random_code(12)}",
        )
        for entry, tier in zip(ranked, places, strict=False)
    ]
    Award.objects.bulk_create(awards)
    Contest.objects.filter(pk=locked.pk).update(awarded_at=now or timezone.now())
    record_audit(
        actor=actor, action="ideas.contest_awarded", target=locked, data={"awards": len(awards)}
    )
    for award in awards:
        idea = Idea.objects.select_related("author").get(pk=award.idea_id)
        if idea.author is not None:
            notify(
                recipient=idea.author,
                kind="ideas.followed",
                title=_("Your idea “%(title)s” won %(tier)s")
                % {"title": idea.title[:80], "tier": award.tier.name},
                url=reverse("ideas:contest-winners", args=[locked.slug]),
            )
    return awards


# --- the citizens' pages (helper pages) -------------------------------------------------------


def post_idea_with_photos(
    *, actor: Actor | User, uploads: Sequence[Any] = (), **fields: Any
) -> Idea:
    """post_idea with its photos as uploaded: each checked by its content and stored by
    core.media in the idea's transaction. A refusal of the idea or of a photo leaves nothing:
    the rows go with the transaction and the stored files are deleted here (Django has no
    "on rollback" hook)."""
    from hamkke.core.media.services import store_photo

    actor = Actor.of(actor)
    # Refused before any photo is decoded: a person who may not post costs no image work.
    policies.may_post(actor.user).enforce()
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(
            _("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS}, field="photos"
        )
    stored: list[Media] = []
    try:
        with transaction.atomic():
            for upload in uploads:
                stored.append(store_photo(upload=upload, uploaded_by=actor.user))
            return post_idea(actor=actor, photos=stored, **fields)
    except BaseException:
        for media in stored:
            for field in (media.file, media.thumbnail):
                if field:
                    field.storage.delete(field.name)
        raise


# --- contests' pages, desk and API (helper contests) ------------------------------------------


@transaction.atomic
def score_entries(
    *,
    actor: Actor | User,
    contest: Contest,
    scores: Sequence[tuple[Idea, int]],
    now: datetime | None = None,
) -> int:
    """A juror's scores of several entries sent at once (the jury page): all kept, or none when
    one is refused. Returns how many were given."""
    for idea, score in scores:
        score_entry(actor=actor, contest=contest, idea=idea, score=score, now=now)
    return len(scores)


# --- the command line (helper desk) ----------------------------------------------------------


@transaction.atomic
def appoint_expert_as_operator(*, user: User, field: str = "") -> Expert:
    """The site's operator appoints (or re-appoints) an expert at the command line (`hamkke
    ideas expert`): shell access already holds every key, so no seat at the office is asked;
    the audit log records the appointment with no person acting."""
    city = current_city()
    field = _text(field, field="field", limit=200, required=False)
    expert, _created = Expert.objects.update_or_create(
        city=city, user=user, defaults={"field": field, "active": True, "appointed_by": None}
    )
    record_audit(actor=None, action="ideas.expert_appointed", target=expert)
    return expert
