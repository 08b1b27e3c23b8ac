"""Demo ideas of the Oasis for `hamkke demo`: a few hundred Korean ideas under every theme of the
profile, in every state of the pipeline, with districts, points on the map, supports of demo
citizens verified by phone, follows, comments and timelines; the two adopted ideas the Oasis is
known for (the floating islands on the Han River, the no-smoking zone around the Seoul Museum of
Art), walked through the services from posting to implementation and published on the Plaza;
a finished contest with its awards and certificates, and one in its public vote. Skipped when
the demo ideas are there.

The showcase ideas and contests go through the services (so their timelines, reviews,
decisions, Plaza documents and awards are the real ones). The bulk is written with bulk_create:
each idea's life is planned as a sequence of pipeline events at dated moments, walked through
pipeline.next_state and pipeline.deadline_after as services.transition walks them, so every row
holds the invariants the services keep — the supports counter equals the Support rows, supports
crossing a threshold at the moment the idea moved on, an open idea's supports due in the future,
a forwarded idea with its department and answer due, a decided one with its meeting and reasons
— and the similar-idea index is filled with similarity.shingles as services.index_idea fills it."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from hamkke.accounts import demo as accounts_demo
from hamkke.accounts import identity as accounts_identity
from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Membership, Role, User, VerificationMethod, VerifiedIdentity
from hamkke.core.ballots import BulkInsert
from hamkke.core.city.selectors import current_city, district_index
from hamkke.core.geo import cell_for, coarse_cell_for
from hamkke.core.models import City, Comment, Department, District, Location, NotificationPreference
from hamkke.ideas import demo_texts as texts
from hamkke.ideas import pipeline, services, similarity
from hamkke.ideas.models import (
    Contest,
    ContestVote,
    Event,
    Expert,
    Follow,
    Idea,
    IdeaShingle,
    ImplementationUpdate,
    Review,
    ReviewMeeting,
    Support,
    Theme,
    Transition,
)

DEMO_IDEAS = 400
# Demo citizens verified by phone: they post, support, follow, comment and vote. More than the
# most supported idea has supporters (one support per person and idea).
PEOPLE = 1_500
CITIZEN = "citizen@demo.hamkke.kr"
OFFICIAL = "official@demo.hamkke.kr"
# Made-up phones of the demo citizens (+82 10-77xx-xxxx), kept as keyed hashes as verifying
# keeps them; far from the numbers the other demos and the tests use.
PHONE_PREFIX = "+821077"

# The bulk ideas by the state they end in, and the way they got there, for DEMO_IDEAS - 2 ideas
# (the showcases are the other two); scaled for a smaller demo, never below one of each.
MIX: tuple[tuple[str, str, int], ...] = (
    (pipeline.OPEN, "", 150),
    (pipeline.WITHDRAWN, "", 12),
    (pipeline.CLOSED, "from_open", 60),
    (pipeline.CLOSED, "from_answered", 30),
    (pipeline.FORWARDED, "", 32),
    (pipeline.FORWARDED, "rescued", 2),
    (pipeline.FORWARDED, "escalated", 1),
    (pipeline.ANSWERED, "", 40),
    (pipeline.DISCUSSION, "", 12),
    (pipeline.REVIEW, "", 14),
    (pipeline.ADOPTED, "", 16),
    (pipeline.PARTLY_ADOPTED, "", 10),
    (pipeline.NOT_ADOPTED, "", 19),
)
MIX_TOTAL = sum(count for _state, _way, count in MIX)
# How an idea reached the public discussion: the check after the answer found the supports
# already there, the 500th support came while answered, or an expert rescued it.
DISCUSSION_WAYS = (("at_answer", 60), ("during", 25), ("rescued", 15))
MEETING_EVERY_DAYS = 35
MEETINGS_SINCE_DAYS = 720


class Person(NamedTuple):
    user_id: int
    identity_key: str


@dataclass
class Life:
    """One idea's planned life: when it was posted, the pipeline events after that (event,
    moment, who: "", "author", "official" or "expert"), and when its supports came: spread over
    windows (start, end, count), or exactly at a moment (the support that crossed a threshold)."""

    t0: datetime
    moves: list[tuple[str, datetime, str]] = field(default_factory=list)
    windows: list[tuple[datetime, datetime, int]] = field(default_factory=list)
    marks: list[datetime] = field(default_factory=list)
    review_from: datetime | None = None
    meeting: ReviewMeeting | None = None

    @property
    def supports(self) -> int:
        return sum(count for _start, _end, count in self.windows) + len(self.marks)

    @property
    def last(self) -> datetime:
        return self.moves[-1][1] if self.moves else self.t0


@dataclass
class Plan:
    """A bulk idea before it is written: its text, place, author, life and the rows that follow."""

    state: str
    way: str
    life: Life
    theme: Theme
    title: str
    body: str
    author: Person | None
    author_user: int | None
    district: District | None
    point: tuple[float, float, str] | None
    contest: Contest | None = None
    idea: Idea | None = None
    supporters: list[Person] = field(default_factory=list)
    # Implementation updates of an adopted idea: (on, status, progress, text).
    steps: list[tuple[date, str, int, str]] = field(default_factory=list)


def seed(*, ideas: int | None = None, people: int | None = None) -> Iterator[str]:
    """The demo Oasis (`ideas` ideas in all, about). Idempotent: skipped when the first
    showcase idea is there."""
    # Read at call time, so a test can make the demo smaller.
    ideas = DEMO_IDEAS if ideas is None else ideas
    people_count = PEOPLE if people is None else people
    city = current_city()
    if Idea.objects.filter(city=city, title=texts.FLOATING_ISLAND.title).exists():
        yield "Oasis: demo ideas already there."
        return
    official = account_selectors.user_by_email(OFFICIAL)
    office = services.office_of(city)
    themes = {theme.code: theme for theme in Theme.objects.filter(city=city)}
    if official is None or office is None or not themes:
        yield "Oasis: no demo official, Oasis office or themes in the profile; no demo ideas."
        return
    started = time.monotonic()
    rng = random.Random(2006)  # the year the Oasis opened
    now = timezone.now()
    stages = services.stages_of(services.ideas_settings(city))
    with transaction.atomic():
        _seat_official(official, [office, *{t.department for t in themes.values() if t.department}])
        crowd = _make_people(people_count, rng)
        experts = _appoint_experts(official)
        meetings = _meetings(official, now)
        lives = _Lives(rng, now, stages, meetings)
        showcased = [
            _showcase(spec, themes[spec.theme], crowd, experts, official, lives)
            for spec in texts.SHOWCASES
        ]
        finished, running = _contests(official, themes, now)
        plans = _plans(city, themes, crowd, lives, max(ideas - len(showcased), len(MIX)))
        plans += _contest_entries(finished, running, themes, crowd, lives)
        citizen = _citizen_takes_part(plans, rng)
        _write(plans, crowd, official, office, experts, lives)
        _award(finished, official, experts, crowd, plans, rng)
        _running_votes(running, experts, official, crowd, plans, rng)
        _follow_showcases(showcased)
    seconds = time.monotonic() - started
    states = Counter(Idea.objects.filter(city=city).values_list("state", flat=True))
    total = sum(states.values())
    yield (
        f"Oasis: {total} ideas ({', '.join(f'{states[s]} {s}' for s in pipeline.STATES)}), "
        f"{Support.objects.filter(idea__city=city).count():,} supports of {people_count:,} demo "
        f"citizens, 2 contests (one awarded, one voting) in {seconds:.1f} s."
    )
    for idea, _supporters in showcased:
        yield f"  adopted and on the Plaza: /ideas/{idea.pk}/ {idea.title}"
    yield (
        f"  {texts.EXPERTS[0][0]} reviews ideas as an expert (demo password and authenticator); "
        f"{OFFICIAL} runs the Oasis desk."
    )
    if citizen:
        yield (
            f"  {CITIZEN} can support open ideas and vote in /ideas/contests/{running.slug}/ "
            f"(winners of the finished one: /ideas/contests/{finished.slug}/winners/)"
        )


# --- people ------------------------------------------------------------------------------------


def _seat_official(official: User, departments: Sequence[Department]) -> None:
    """The demo official runs the Oasis office and answers for every theme's department."""
    for department in departments:
        membership, created = Membership.objects.get_or_create(
            user=official, department=department, defaults={"role": Role.MANAGER}
        )
        if not created and membership.role < Role.MANAGER:
            Membership.objects.filter(pk=membership.pk).update(role=Role.MANAGER)


def _make_people(count: int, rng: random.Random) -> list[Person]:
    """`count` demo citizens, each an account verified by a phone in their name. They read the
    Oasis's news on the site rather than by email (so seeding sends no mail for them)."""
    given = texts.GIVEN_NAMES.split()
    names = [f"{rng.choice(texts.FAMILY_NAMES)}{rng.choice(given)}" for _ in range(count)]
    unusable = make_password(None)  # they never sign in
    users = User.objects.bulk_create(
        User(email=f"oasis{number:04d}@demo.hamkke.kr", password=unusable, display_name=name)
        for number, name in enumerate(names)
    )
    keys = [accounts_identity.phone_key(f"{PHONE_PREFIX}{n:06d}") for n in range(count)]
    VerifiedIdentity.objects.bulk_create(
        VerifiedIdentity(user=user, method=VerificationMethod.PHONE, identity_key=key)
        for user, key in zip(users, keys, strict=True)
    )
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind="ideas.followed", in_site=True, email=False)
        for user in users
    )
    return [Person(user.pk, key) for user, key in zip(users, keys, strict=True)]


def _appoint_experts(official: User) -> list[Expert]:
    """The Oasis's experts, appointed by the office; the first signs in like the demo officials
    (demo password, published authenticator secret) to score the ideas assigned to them."""
    experts = []
    for number, (email, name, expertise) in enumerate(texts.EXPERTS):
        user = account_selectors.user_by_email(email)
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=name)
            if number == 0:
                user.password = _demo_password_hash()
                user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if (
            number == 0
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, accounts_demo.DEMO_TOTP_SECRET)
        for kind in ("ideas.followed", "ideas.review"):  # read on their desk, not by email
            NotificationPreference.objects.get_or_create(
                user=user, kind=kind, defaults={"email": False}
            )
        experts.append(services.appoint_expert(actor=official, user=user, field=expertise))
    return experts


def _demo_password_hash() -> str:
    """The demo password's hash: the demo citizen's, which the accounts demo has just made
    from it (hashing again takes half a second), else a new one."""
    citizen = account_selectors.user_by_email(CITIZEN)
    if citizen is not None and citizen.has_usable_password():
        return citizen.password
    return make_password(accounts_demo.DEMO_PASSWORD)


def _citizen_takes_part(plans: list[Plan], rng: random.Random) -> bool:
    """The demo citizen (verified by phone by the M-Voting demo) wrote two ideas — one still
    open, one with its department — and supports a few open ones (not all: they can add one)."""
    citizen = account_selectors.user_by_email(CITIZEN)
    identity = (
        account_selectors.verified_identity(citizen, methods=(VerificationMethod.PHONE,))
        if citizen is not None
        else None
    )
    if identity is None:
        return False
    me = Person(citizen.pk, identity.identity_key)
    own = [
        next(p for p in plans if p.state == state and p.contest is None and p.way == "")
        for state in (pipeline.OPEN, pipeline.FORWARDED)
    ]
    for plan in own:
        plan.author, plan.author_user = None, citizen.pk
    open_ones = [p for p in plans if p.state == pipeline.OPEN and p not in own]
    for plan in rng.sample(open_ones, min(3, len(open_ones))):
        if plan.life.supports < services.ideas_settings().forward_supports - 1:
            start, end, count = plan.life.windows[0]
            plan.life.windows[0] = (start, end, count + 1)
            plan.supporters.append(me)
    return True


# --- meetings, showcases, contests (through the services) ------------------------------------


def _meetings(official: User, now: datetime) -> list[ReviewMeeting]:
    """The office's review meetings, every five weeks for two years, the last days ago."""
    first = timezone.localdate(now) - timedelta(days=MEETINGS_SINCE_DAYS)
    days = range(0, MEETINGS_SINCE_DAYS - 2, MEETING_EVERY_DAYS)
    return [
        services.create_meeting(
            actor=official,
            title=texts.MEETING_TITLE.format(number=number),
            held_on=first + timedelta(days=offset),
            minutes="시민제안 심사 안건을 논의하고 채택 여부를 의결했습니다.",
        )
        for number, offset in enumerate(days, 1)
    ]


def _meeting_moment(meeting: ReviewMeeting) -> datetime:
    """When a meeting decides: the afternoon of its day."""
    day = datetime.combine(meeting.held_on, datetime.min.time()).replace(hour=15)
    return timezone.make_aware(day)


def _showcase(
    spec: texts.Showcase,
    theme: Theme,
    crowd: list[Person],
    experts: list[Expert],
    official: User,
    lives: _Lives,
) -> tuple[Idea, list[Person]]:
    """One adopted idea, posted by a demo citizen and walked through every step by the services:
    supports to its department, the written answer, the public discussion, three experts'
    scores, the meeting's adoption (published on the Plaza) and its implementation."""
    rng, stages = lives.rng, lives.stages
    author, *supporters = lives.rng.sample(crowd, spec.supports + 1)
    t0 = _hour(lives.now - timedelta(days=spec.posted_days_ago), 10)
    idea = services.post_idea(
        actor=User.objects.get(pk=author.user_id),
        title=spec.title,
        body=spec.body,
        theme=theme,
        point=spec.point,
        address=spec.address,
        now=t0,
    )
    # Stage 1: supports over twelve days; the one that reaches the threshold moves it on.
    t1 = t0 + timedelta(days=12)
    crossing = stages.forward_supports - 1
    _add_supports(idea, supporters[:crossing], _moments(rng, t0, t1, crossing))
    services.support_idea(
        actor=User.objects.get(pk=supporters[crossing].user_id), idea=idea, now=t1
    )
    # With its department: more supports, then the written answer within the deadline.
    t2 = t1 + timedelta(days=9)
    later = supporters[crossing + 1 :]
    _add_supports(idea, later, _moments(rng, t1, t2, len(later)))
    idea = services.answer_idea(actor=official, idea=idea, text=spec.answer, now=t2)
    # The periodic check, minutes later, finds the discussion's supports already there.
    t3 = t2 + timedelta(minutes=4)
    idea = services.transition(idea=idea, event=pipeline.THRESHOLD, now=t3)
    t4 = idea.discussion_ends + timedelta(days=2)
    chosen = experts[:3]
    idea = services.start_review(actor=official, idea=idea, experts=chosen, now=t4)
    for number, (expert, opinion) in enumerate(zip(chosen, spec.opinions, strict=True)):
        services.score_review(
            actor=expert.user,
            idea=idea,
            scores={
                "feasibility": 4 + number % 2,
                "effect": 5,
                "cost": 3 + number % 2,
                "originality": 5,
            },
            opinion=opinion,
            now=t4 + timedelta(days=3 + 2 * number),
        )
    meeting = lives.meeting_after(t4 + timedelta(days=10))
    decided_at = _meeting_moment(meeting)
    idea = services.decide_idea(
        actor=official,
        idea=idea,
        outcome=pipeline.ADOPTED,
        reasons=spec.reasons,
        meeting=meeting,
        now=decided_at,
    )
    # Implementation updates spread from a month after the decision to a month ago.
    span = (lives.now - decided_at).days - 60
    for number, (status, progress, text) in enumerate(spec.steps):
        on = timezone.localdate(decided_at) + timedelta(days=30 + span * number // len(spec.steps))
        services.record_progress(
            actor=official, idea=idea, on=on, status=status, progress=progress, text=text
        )
    return idea, supporters


def _follow_showcases(showcased: list[tuple[Idea, list[Person]]]) -> None:
    """Supporters follow what they support (services.support_idea); the showcases' supporters
    are made followers after the walk, so that its notifications went to few people."""
    Follow.objects.bulk_create(
        [
            Follow(idea=idea, user_id=person.user_id, created_at=idea.created_at)
            for idea, supporters in showcased
            for person in supporters
        ],
        ignore_conflicts=True,
    )


def _add_supports(idea: Idea, people: Sequence[Person], moments: Sequence[datetime]) -> None:
    """Supports written in bulk, the idea's counter moved by as many (as support_idea does one
    by one)."""
    Support.objects.bulk_create(
        Support(idea=idea, identity_key=p.identity_key, user_id=p.user_id, created_at=moment)
        for p, moment in zip(people, moments, strict=True)
    )
    Idea.objects.filter(pk=idea.pk).update(supports=F("supports") + len(people))
    idea.refresh_from_db(fields=["supports"])


def _contests(official: User, themes: dict[str, Theme], now: datetime) -> tuple[Contest, Contest]:
    """A contest that ended ten weeks ago (its awards are given after its entries are written)
    and one whose public vote opened five days ago."""
    made = []
    for spec, days in (
        (texts.CLIMATE_CONTEST, (-130, -100, -86, -72)),
        (texts.HANGANG_CONTEST, (-26, -5, 9, 20)),
    ):
        opens, voting, jury, ends = (_hour(now + timedelta(days=d), 9) for d in days)
        year = timezone.localtime(opens).year
        made.append(
            services.create_contest(
                actor=official,
                title=f"{year} {spec.title}",
                description=spec.description,
                theme=themes.get(spec.theme),
                submissions_open=opens,
                voting_opens=voting,
                jury_opens=jury,
                ends=ends,
                tiers=spec.tiers,
                slug=f"{spec.slug}-{year}",
            )
        )
    return made[0], made[1]


def _award(
    contest: Contest,
    official: User,
    experts: list[Expert],
    crowd: list[Person],
    plans: list[Plan],
    rng: random.Random,
) -> None:
    """The finished contest's public votes and jury scores, then its awards by the service
    (ranked by the contest's weights, a certificate each)."""
    entries = [p for p in plans if p.contest == contest]
    _votes(contest, entries, crowd, rng, contest.voting_opens, contest.jury_opens, voters=420)
    jurors = experts[:3]
    for expert in jurors:
        services.appoint_juror(actor=official, contest=contest, user=expert.user)
    for rank, plan in enumerate(entries):
        for number, expert in enumerate(jurors):
            score = 92 - 3 * rank + rng.randint(-6, 6)
            services.score_entry(
                actor=expert.user,
                contest=contest,
                idea=plan.idea,
                score=max(0, min(100, score)),
                now=contest.jury_opens + timedelta(days=1 + number, hours=rank),
            )
    services.award_contest(actor=official, contest=contest, now=contest.ends + timedelta(days=2))


def _running_votes(
    contest: Contest,
    experts: list[Expert],
    official: User,
    crowd: list[Person],
    plans: list[Plan],
    rng: random.Random,
) -> None:
    """The running contest: its jurors named, five days of public votes so far."""
    for expert in experts[:3]:
        services.appoint_juror(actor=official, contest=contest, user=expert.user)
    entries = [p for p in plans if p.contest == contest]
    _votes(contest, entries, crowd, rng, contest.voting_opens, timezone.now(), voters=260)


def _votes(
    contest: Contest,
    entries: list[Plan],
    crowd: list[Person],
    rng: random.Random,
    start: datetime,
    end: datetime,
    *,
    voters: int,
) -> None:
    """Public votes of demo citizens: each up to the contest's votes per person, for distinct
    entries that are not their own, the earlier entries drawing more (about 1/place)."""
    weights = [1 / (rank + 1.5) for rank in range(len(entries))]
    rows = []
    for person in rng.sample(crowd, min(voters, len(crowd))):
        wanted = rng.randint(1, contest.votes_per_person)
        chosen = {
            index
            for index in rng.choices(range(len(entries)), weights=weights, k=wanted)
            if entries[index].author_user != person.user_id
        }
        rows += [
            ContestVote(
                contest=contest,
                idea=entries[index].idea,
                identity_key=person.identity_key,
                created_at=_between(rng, start, end),
            )
            for index in sorted(chosen)
        ]
    ContestVote.objects.bulk_create(rows)


# --- planning the bulk ------------------------------------------------------------------------


class _Lives:
    """Plans ideas' lives: the moments of their events, drawn within the profile's periods so
    that what the periodic check would have done by now is done, and nothing more."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        stages: pipeline.Stages,
        meetings: list[ReviewMeeting],
    ):
        self.rng, self.now, self.stages, self.meetings = rng, now, stages, meetings

    def days(self, low: float, high: float) -> timedelta:
        return timedelta(days=self.rng.uniform(low, high))

    def check_delay(self) -> timedelta:
        """The periodic check runs every five minutes."""
        return timedelta(minutes=self.rng.uniform(0.5, 5))

    def meeting_after(self, moment: datetime) -> ReviewMeeting:
        return next(m for m in self.meetings if _meeting_moment(m) >= moment)

    def life(self, state: str, way: str, t0: datetime | None = None) -> Life:
        """A life ending in `state` (reached `way`): anchored at its last event, drawn in the
        range its state allows now, or starting at `t0` (a contest's entry)."""
        s = self.stages
        if state == pipeline.OPEN:
            start = t0 or self.now - self.days(0.05, s.forward_days - 0.5)
            count = int((s.forward_supports - 1) * self.rng.random() ** 1.7)
            return Life(start, windows=[(start, self.now, count)])
        if state == pipeline.WITHDRAWN:
            start = self.now - self.days(3, 400)
            age = (self.now - start).total_seconds() / 86400
            withdrawn = start + self.days(0.2, min(s.forward_days - 1, age - 0.1))
            count = int(20 * self.rng.random() ** 2)
            return Life(
                start,
                moves=[(pipeline.WITHDRAW, withdrawn, "author")],
                windows=[(start, withdrawn, count)],
            )
        if state == pipeline.CLOSED and way == "from_open":
            start = t0 or self.now - self.days(s.forward_days + 1, 700)
            closed = start + timedelta(days=s.forward_days) + self.check_delay()
            count = int((s.forward_supports - 1) * self.rng.random() ** 1.5)
            return Life(
                start,
                moves=[(pipeline.EXPIRE, closed, "")],
                windows=[(start, closed, count)],
            )
        return self._beyond_open(state, way, t0)

    def _beyond_open(self, state: str, way: str, t0: datetime | None) -> Life:
        """Lives that reached the department: the first threshold crossed (or an expert's
        rescue), then as far as `state`."""
        s, rng = self.stages, self.rng
        # From a given start (a contest's entry) the steps come quickly, so that they are over
        # by now: supports in days, the answer within a week, the discussion's supports in hand.
        quick = t0 is not None
        d1 = self.days(1, 10 if quick else s.forward_days - 1)  # posted → forwarded
        d2 = self.days(1, 6 if quick else s.answer_days - 1)  # forwarded → answered
        discussion_way = way
        if state in (pipeline.DISCUSSION, pipeline.REVIEW, *pipeline.DECIDED):
            discussion_way = "at_answer"
            if not quick:
                discussion_way = rng.choices(
                    [w for w, _n in DISCUSSION_WAYS], weights=[n for _w, n in DISCUSSION_WAYS]
                )[0]
        d3 = (
            self.check_delay()
            if discussion_way == "at_answer"
            else self.days(3, s.discussion_days - 3)
        )
        d4 = timedelta(days=s.discussion_length_days) + self.days(0.2, 16)  # → review
        d5 = self.days(6, s.review_days - 2)  # review → decision
        # The moment of the last event, and from it the start.
        if state == pipeline.FORWARDED:
            offsets, last = [d1], self.now - self.days(0.05, s.answer_days - 0.5)
            if way == "escalated":
                last = self.now - timedelta(days=s.answer_days + 3)
        elif state == pipeline.ANSWERED:
            offsets, last = [d1, d2], self.now - self.days(0.05, s.discussion_days - 1)
        elif state == pipeline.CLOSED:  # from_answered: the discussion's supports never came
            expiry = timedelta(days=s.discussion_days)
            offsets = [d1, d2, expiry]
            last = self.now - self.days(1, 580)
        elif state == pipeline.DISCUSSION:
            offsets, last = [d1, d2, d3], self.now - self.days(0.05, 45)
        elif state == pipeline.REVIEW:
            offsets, last = [d1, d2, d3, d4], self.now - self.days(0.2, s.review_days - 1)
        else:
            offsets = [d1, d2, d3, d4, d5]
            last = _meeting_moment(rng.choice(self.meetings[1:-1]))
        start = t0 or last - sum(offsets, timedelta())
        moments = [start]
        for offset in offsets:
            moments.append(moments[-1] + offset)
        if moments[-1] > self.now:
            raise AssertionError(f"a demo life posted {start} would reach {state} after now")
        if state in pipeline.DECIDED:  # decided at the first meeting after the scores are in
            meeting = self.meeting_after(moments[4] + timedelta(days=6))
            moments[5] = _meeting_moment(meeting) + timedelta(minutes=rng.uniform(0, 120))
        life = Life(start)
        if state in pipeline.DECIDED:
            life.meeting = meeting
        self._climb(life, state, way, discussion_way, moments)
        return life

    def _climb(
        self, life: Life, state: str, way: str, discussion_way: str, moments: list[datetime]
    ) -> None:
        s, rng = self.stages, self.rng
        start, t1 = moments[0], moments[1]
        if way == "rescued":  # an expert sent it on below the threshold
            life.moves.append((pipeline.RESCUE, t1, "expert"))
            life.windows += [
                (start, t1, rng.randint(5, s.forward_supports - 10)),
                (t1, self.now, rng.randint(0, 15)),
            ]
            return
        life.moves.append((pipeline.THRESHOLD, t1, ""))
        life.windows.append((start, t1, s.forward_supports - 1))
        life.marks.append(t1)
        below_discussion = s.discussion_supports - s.forward_supports
        if state == pipeline.FORWARDED:
            life.windows.append((t1, self.now, int(250 * rng.random() ** 2)))
            return
        t2 = moments[2]
        life.moves.append((pipeline.ANSWER, t2, "official"))
        if state == pipeline.ANSWERED:
            life.windows.append((t1, self.now, int((below_discussion - 1) * rng.random() ** 1.5)))
            return
        if state == pipeline.CLOSED:
            expired = moments[3] + self.check_delay()
            life.moves.append((pipeline.EXPIRE, expired, ""))
            life.windows.append((t1, expired, int((below_discussion - 1) * rng.random() ** 1.5)))
            return
        t3 = moments[3]
        if discussion_way == "at_answer":
            life.windows.append((t1, t2, below_discussion + int(450 * rng.random() ** 2)))
            life.moves.append((pipeline.THRESHOLD, t3, ""))
        elif discussion_way == "during":
            life.windows.append((t1, t3, below_discussion - 1))
            life.marks.append(t3)
            life.moves.append((pipeline.THRESHOLD, t3, ""))
        else:
            life.windows.append((t1, t3, rng.randint(40, below_discussion - 1)))
            life.moves.append((pipeline.RESCUE, t3, "expert"))
        if state == pipeline.DISCUSSION:
            return
        life.review_from = moments[4]
        life.moves.append((pipeline.START_REVIEW, moments[4], "official"))
        if state in pipeline.DECIDED:
            life.moves.append((pipeline.DECISION_EVENTS[state], moments[5], "official"))


def _plans(
    city: City, themes: dict[str, Theme], crowd: list[Person], lives: _Lives, count: int
) -> list[Plan]:
    """`count` ideas in MIX's proportions, on every theme in turn, about places of the city."""
    writer = _Writer(city, themes, lives.rng)
    plans = []
    for state, way, share in MIX:
        number = 1 if way == "escalated" else max(1, round(share * count / MIX_TOTAL))
        for _ in range(number):
            plans.append(writer.plan(state, way, lives.life(state, way), crowd))
    return plans


def _contest_entries(
    finished: Contest,
    running: Contest,
    themes: dict[str, Theme],
    crowd: list[Person],
    lives: _Lives,
) -> list[Plan]:
    """The contests' entries, posted while each took submissions. In the finished contest the
    first went on to adoption and the second was answered, the others closed for want of
    supports; the running contest's entries still collect supports."""
    plans = []
    for contest, spec in ((finished, texts.CLIMATE_CONTEST), (running, texts.HANGANG_CONTEST)):
        theme = themes.get(spec.theme) or next(iter(themes.values()))
        for rank, (title, body) in enumerate(spec.entries):
            posted = _between(
                lives.rng,
                contest.submissions_open + timedelta(hours=6),
                contest.voting_opens - timedelta(hours=6),
            )
            if contest == running:
                state, way = pipeline.OPEN, ""
            else:
                state, way = (
                    (
                        (pipeline.ADOPTED, ""),
                        (pipeline.CLOSED, "from_answered"),
                    )[rank]
                    if rank < 2
                    else (pipeline.CLOSED, "from_open")
                )
            author = lives.rng.choice(crowd)
            plan = Plan(
                state=state,
                way=way,
                life=lives.life(state, way, t0=posted),
                theme=theme,
                title=title,
                body=body,
                author=author,
                author_user=author.user_id,
                district=None,
                point=None,
                contest=contest,
            )
            plans.append(plan)
    return plans


class _Writer:
    """Ideas' texts from the theme's templates, each about a place: a spot of the city (put on
    the map, its district the one the point lies in) or a district. No title twice."""

    def __init__(self, city: City, themes: dict[str, Theme], rng: random.Random):
        self.rng = rng
        self.themes = [themes[code] for code in texts.IDEAS if code in themes]
        self.districts = list(District.objects.filter(city=city).order_by("code"))
        by_code = {d.code: d for d in self.districts}
        index = district_index(city)
        self.spots = []
        for latitude, longitude, name in texts.PLACES:
            code = index.district_of(latitude, longitude)
            if code in by_code:
                self.spots.append((latitude, longitude, name, by_code[code]))
        self.index, self.by_code = index, by_code
        self.titles: set[str] = set()
        self.turn = 0

    def plan(self, state: str, way: str, life: Life, crowd: list[Person]) -> Plan:
        theme = self.themes[self.turn % len(self.themes)]
        self.turn += 1
        for _attempt in range(50):
            text = self.rng.choice(texts.IDEAS[theme.code])
            point = None
            if text.kind == texts.SPOT and self.spots:
                latitude, longitude, place, district = self.rng.choice(self.spots)
                point = self._near(latitude, longitude, place, district)
                district = point[3]
            else:
                district = self.rng.choice(self.districts)
                place = district.name
            title = text.title.format(place=place)
            if title not in self.titles:
                break
        self.titles.add(title)
        closing = self.rng.choice(texts.CLOSINGS)
        body = " ".join(part for part in (text.body.format(place=place), closing) if part)
        author = self.rng.choice(crowd)
        return Plan(
            state=state,
            way=way,
            life=life,
            theme=theme,
            title=title,
            body=body,
            author=author,
            author_user=author.user_id,
            district=district,
            point=point[:3] if point else None,
        )

    def _near(self, latitude: float, longitude: float, place: str, district: District):
        """A point a little way from the place, in the district it falls in (the place itself
        when the jitter leaves the city)."""
        lat = latitude + self.rng.uniform(-0.0015, 0.0015)
        lon = longitude + self.rng.uniform(-0.0015, 0.0015)
        code = self.index.district_of(lat, lon)
        if code not in self.by_code:
            return latitude, longitude, place, district
        return lat, lon, place, self.by_code[code]


# --- writing the bulk ---------------------------------------------------------------------------


def _write(
    plans: list[Plan],
    crowd: list[Person],
    official: User,
    office: Department,
    experts: list[Expert],
    lives: _Lives,
) -> None:
    """Every planned idea and the rows of its life, in bulk; then the one overdue answer is
    escalated and the adoptions published by the services."""
    rng, stages = lives.rng, lives.stages
    locations = _locations([p for p in plans if p.point])
    for plan in plans:
        plan.steps = _implementation(plan, lives.now)
        plan.idea = _idea(plan, stages, office, locations.get(id(plan)))
    Idea.objects.bulk_create([p.idea for p in plans])
    for plan in plans:
        _pick_supporters(plan, crowd, rng)
    # The large tables without model instances (ten times faster than bulk_create).
    with connection.cursor() as cursor:
        _supports_and_follows(plans, rng, cursor)
        shingles = BulkInsert(IdeaShingle, ("idea", "shingle"))
        shingles.run(cursor, sorted(_shingles(plans), key=lambda row: (row[1], row[0])))
    Transition.objects.bulk_create(_transitions(plans, official, experts, rng))
    Review.objects.bulk_create(_reviews(plans, experts, lives))
    ImplementationUpdate.objects.bulk_create(
        ImplementationUpdate(
            idea=plan.idea, on=on, status=status, progress=progress, text=text, author=official
        )
        for plan in plans
        for on, status, progress, text in plan.steps
    )
    _comments(plans, crowd, lives)
    for plan in plans:
        if plan.way == "escalated":
            # The periodic check, minutes after the answer fell due.
            services.escalate_answer(idea=plan.idea, now=plan.idea.answer_due + lives.check_delay())
        if plan.state in pipeline.TAKEN_UP:
            # What services.transition does when an idea is taken up: the Plaza document.
            services.publish_adoption(plan.idea)


def _locations(plans: list[Plan]) -> dict[int, Location]:
    """The points of the ideas put on the map, with their districts and H3 cells (as
    core.city.services.locate stores them)."""
    rows = []
    for plan in plans:
        latitude, longitude, place = plan.point
        rows.append(
            Location(
                latitude=latitude,
                longitude=longitude,
                h3_cell=cell_for(latitude, longitude),
                h3_area=coarse_cell_for(latitude, longitude),
                district=plan.district,
                address=f"{plan.district.name} {place} 부근",
            )
        )
    Location.objects.bulk_create(rows)
    return {id(plan): row for plan, row in zip(plans, rows, strict=True)}


def _idea(
    plan: Plan, stages: pipeline.Stages, office: Department, location: Location | None
) -> Idea:
    """The idea as the services would have left it: its life walked through the pipeline's
    moves, each setting the new stage's deadlines (pipeline.deadline_after) and the fields the
    service writes with the move."""
    life = plan.life
    fields: dict[str, Any] = {"state": pipeline.OPEN, "state_since": life.t0}
    fields.update(pipeline.deadline_after(pipeline.OPEN, life.t0, stages))
    department = plan.theme.department or office
    for event, moment, _who in life.moves:
        target = pipeline.next_state(fields["state"], event)
        if target is None:
            raise AssertionError(f"a demo life moves {fields['state']} by {event}")
        fields.update(pipeline.deadline_after(target, moment, stages))
        fields.update(state=target, state_since=moment)
        if target == pipeline.FORWARDED:
            fields.update(department=department, escalated_at=None)
        if event == pipeline.ANSWER:
            answer = _pick(texts.ANSWERS, plan.title).format(department=department.name)
            fields.update(answer=answer, answered_at=moment)
        if target in pipeline.DECIDED:
            fields.update(
                meeting=life.meeting,
                decision_reasons=_pick(texts.REASONS[target], plan.title),
                decided_at=moment,
            )
    if plan.state in pipeline.TAKEN_UP:
        # decide_idea plans it; the last update says where it stands (record_progress).
        status, progress = ("planned", 0)
        if plan.steps:
            _on, status, progress, _text = plan.steps[-1]
        fields.update(implementation=status, progress=progress)
    return Idea(
        city=plan.theme.city,
        title=plan.title,
        body=plan.body,
        theme=plan.theme,
        district=plan.district,
        location=location,
        author_id=plan.author_user,
        contest=plan.contest,
        supports=life.supports,
        created_at=life.t0,
        **fields,
    )


def _implementation(plan: Plan, now: datetime) -> list[tuple[date, str, int, str]]:
    """An adopted idea's updates so far: planned a month after the decision, under way some
    four months later, done after about nine (in part: never further than under way)."""
    if plan.state not in pipeline.TAKEN_UP:
        return []
    decided = timezone.localdate(plan.life.last)
    today = timezone.localdate(now)
    steps = texts.STEPS if plan.state == pipeline.ADOPTED else texts.STEPS[:2]
    done = []
    for number, (status, progress, text) in enumerate(steps):
        on = decided + timedelta(days=30 + 120 * number)
        if on >= today:
            break
        done.append((on, status, progress, text))
    return done


def _pick(options: Sequence[str], key: str) -> str:
    """One of `options`, the same for the same key (stable across runs, unlike hash())."""
    return options[sum(map(ord, key)) % len(options)]


def _pick_supporters(plan: Plan, crowd: list[Person], rng: random.Random) -> None:
    """Who supported it: distinct demo citizens, never its author (the profile lets no one
    support their own idea); the demo citizen's support is already among them."""
    wanted = plan.life.supports - len(plan.supporters)
    taken = {p.user_id for p in plan.supporters} | {plan.author_user}
    drawn = rng.sample(crowd, wanted + len(taken))
    plan.supporters += [p for p in drawn if p.user_id not in taken][:wanted]


def _supports_and_follows(plans: list[Plan], rng: random.Random, cursor) -> None:
    """The support rows at the moments each life planned (the one that crossed a threshold at
    the moment the idea moved on), and the follows they bring: the author's from the start,
    each supporter's from their support (one row per person and idea, as the constraints
    want: the author never supports)."""
    supports = BulkInsert(Support, ("idea", "identity_key", "user", "created_at"))
    follows = BulkInsert(Follow, ("idea", "user", "created_at"))
    support_rows, follow_rows = [], []
    for plan in plans:
        life, idea_id = plan.life, plan.idea.pk
        moments = sorted(
            [m for start, end, count in life.windows for m in _moments(rng, start, end, count)]
            + life.marks
        )
        for person, moment in zip(plan.supporters, moments, strict=True):
            at = supports.adapt("created_at", moment)
            support_rows.append((idea_id, person.identity_key, person.user_id, at))
            follow_rows.append((idea_id, person.user_id, at))
        if plan.author_user is not None:
            follow_rows.append((idea_id, plan.author_user, follows.adapt("created_at", life.t0)))
    # In key order, so that SQLite's unique indexes grow along one path (much faster).
    supports.run(cursor, sorted(support_rows, key=lambda row: (row[0], row[1])))
    follows.run(cursor, sorted(follow_rows, key=lambda row: (row[0], row[1])))


def _transitions(
    plans: list[Plan], official: User, experts: list[Expert], rng: random.Random
) -> list[Transition]:
    """Each idea's timeline: posted, then every move with who made it and the note the service
    writes (the answer, the rescue's reason, the decision's reasons)."""
    rows = []
    for plan in plans:
        idea = plan.idea
        rows.append(
            Transition(
                idea=idea,
                event=Event.SUBMIT,
                from_state="",
                to_state=pipeline.OPEN,
                actor_id=plan.author_user,
                at=plan.life.t0,
            )
        )
        state = pipeline.OPEN
        for event, moment, who in plan.life.moves:
            target = pipeline.next_state(state, event)
            actor = {
                "author": plan.author_user,
                "official": official.pk,
                "expert": rng.choice(experts).user_id,
            }.get(who)
            note = ""
            if event == pipeline.ANSWER:
                note = idea.answer
            elif event == pipeline.RESCUE:
                note = _pick(texts.RESCUE_REASONS, plan.title)
            elif target in pipeline.DECIDED:
                note = idea.decision_reasons
            rows.append(
                Transition(
                    idea=idea,
                    event=event,
                    from_state=state,
                    to_state=target,
                    actor_id=actor,
                    note=note,
                    at=moment,
                )
            )
            state = target
    return rows


def _shingles(plans: list[Plan]) -> list[tuple[int, str]]:
    """The similar-idea index, as services.index_idea writes it: the shingles of the title and
    the start of the text."""
    return [
        (plan.idea.pk, shingle[:64])
        for plan in plans
        for shingle in sorted(similarity.shingles(f"{plan.title}\n{plan.body[:1000]}"))
    ]


def _reviews(plans: list[Plan], experts: list[Expert], lives: _Lives) -> list[Review]:
    """Experts assigned when the review started. A decided idea's reviewers all scored before
    the meeting, in line with its outcome; under review, some have scored and the expert who
    signs in has not (their desk has work)."""
    rng, rows = lives.rng, []
    level = {
        pipeline.ADOPTED: "high",
        pipeline.PARTLY_ADOPTED: "middle",
        pipeline.NOT_ADOPTED: "low",
        pipeline.REVIEW: "middle",
    }
    ranges = {"high": (4, 5), "middle": (3, 4), "low": (1, 3)}
    for plan in plans:
        start = plan.life.review_from
        if start is None:
            continue
        decided = plan.state in pipeline.DECIDED
        end = plan.life.last if decided else lives.now
        chosen = [experts[0], *rng.sample(experts[1:], rng.randint(1, 2))]
        for expert in chosen:
            review = Review(idea=plan.idea, expert=expert, assigned_at=start)
            if decided or (expert is not experts[0] and rng.random() < 0.6):
                low, high = ranges[level[plan.state]]
                for item in ("feasibility", "effect", "cost", "originality"):
                    setattr(review, item, rng.randint(low, high))
                review.opinion = rng.choice(texts.OPINIONS[level[plan.state]])
                review.scored_at = _between(rng, start, end - timedelta(hours=12))
            rows.append(review)
    return rows


def _comments(plans: list[Plan], crowd: list[Person], lives: _Lives) -> None:
    """A few comments on about a third of the ideas, written while the idea took comments."""
    kind = ContentType.objects.get_for_model(Idea)
    rng = lives.rng
    rows, moments = [], []
    for plan in plans:
        if rng.random() > 0.35:
            continue
        # Closed, withdrawn and refused ideas took comments until their last move.
        end = plan.life.last if plan.state in _NO_MORE_COMMENTS else lives.now
        for _ in range(rng.randint(1, 4)):
            rows.append(
                Comment(
                    target_type=kind,
                    target_id=str(plan.idea.pk),
                    author_id=rng.choice(crowd).user_id,
                    body=rng.choice(texts.COMMENTS),
                )
            )
            moments.append(_between(rng, plan.life.t0, end))
    Comment.objects.bulk_create(rows)
    # created_at is stamped on insert; the comments were written over the ideas' lives.
    for comment, moment in zip(rows, moments, strict=True):
        comment.created_at = moment
    Comment.objects.bulk_update(rows, ["created_at"], batch_size=500)


_NO_MORE_COMMENTS = frozenset({pipeline.CLOSED, pipeline.WITHDRAWN, pipeline.NOT_ADOPTED})


# --- moments ------------------------------------------------------------------------------------


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    return [_between(rng, start, end) for _ in range(count)]


def _hour(moment: datetime, hour: int) -> datetime:
    return timezone.localtime(moment).replace(hour=hour, minute=0, second=0, microsecond=0)
