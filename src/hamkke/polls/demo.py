"""Demo polls of M-Voting for `hamkke demo`, modelled on Seoul's real M-Voting topics: three
closed polls with thousands of ballots each, published (their files and recount exist) and with
the city's decision recorded (adopted, partly adopted, not adopted); a poll open now to people
verified by phone, where the demo citizen can vote at once; one open to holders of one-time
voting codes (a few printed by the seed); one that opens in a few days; and a citizen's proposal
collecting supports. Skipped when the demo polls are there.

Ballots are written in bulk through the ballot pattern's pieces — the register in key order, the
ballots and answers in shuffled order (`services._write_ballots`), the breakdown counts from the
same ballots — and the closed polls are then closed by `services.close_poll` as the periodic task
would, which mixes the box, publishes the files and counts the results: no call of cast_ballot
per ballot, so the whole takes a few seconds."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hamkke.accounts import identity as accounts_identity
from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Membership, Role, User, VerificationMethod, VerifiedIdentity
from hamkke.core import ballots as ballot_pattern
from hamkke.core import codes as code_digits
from hamkke.core.city.selectors import current_city
from hamkke.core.models import City, Department, District
from hamkke.polls import services, tally, voting_codes
from hamkke.polls.models import (
    Answer,
    Ballot,
    Dimension,
    Eligibility,
    GroupCount,
    Kind,
    Outcome,
    Participation,
    PendingBallot,
    Poll,
    Support,
)

DEMO_BALLOTS = 6_000  # in the largest closed poll; the others are scaled from it
CITIZEN = "citizen@demo.hamkke.kr"
OFFICIAL = "official@demo.hamkke.kr"
PROPOSER = "proposer@demo.hamkke.kr"
# The demo citizen's and the proposer's phones (kept only as keyed hashes, as verifying keeps them).
CITIZEN_PHONE = "010-2026-0001"
PROPOSER_PHONE = "010-2026-0002"
# Voting codes of the code poll are drawn from this seed, so every fresh demo has the same ones
# and the first few can be printed and written in a guide. They are valid only on this database
# (kept as hashes keyed with its SECRET_KEY); a real poll's codes come from services.make_codes.
CODES_SEED = "hamkke-polls-demo-codes"
CODES_MADE, CODES_SHOWN = 400, 5

# M-Voting's voters lean young and middle-aged: weights of the age bands of tally.AGE_BANDS.
AGE_WEIGHTS = (5, 21, 27, 22, 14, 8, 3)
_BANDS = range(len(AGE_WEIGHTS))
_AGE_SUMS = list(accumulate(AGE_WEIGHTS))
MIDDLE_BAND = 3


@dataclass(frozen=True)
class DemoQuestion:
    """A question and how voters answer it: each option's appeal to the youngest and to the
    oldest band (the bands between lean in proportion), so the age breakdown tells something."""

    text: str
    kind: str
    options: tuple[tuple[str, float, float], ...]
    max_choices: int | None = None
    required: bool = True


@dataclass(frozen=True)
class DemoPoll:
    slug: str
    title: str
    description: str
    questions: tuple[DemoQuestion, ...]
    eligibility: str = Eligibility.VERIFIED
    results_live: bool = False
    outcome: str = ""
    decision: str = ""


CHARACTER = DemoPoll(
    slug="seoul-character-2023",
    title="서울시 상징 캐릭터, 해치를 새롭게 바꿀까요?",
    description=(
        "2009년 서울의 상징으로 정한 해치를 시민에게 더 친근한 모습으로 바꾸려 합니다. "
        "디자인 공모에서 뽑힌 네 안 가운데 마음에 드는 순서대로 골라 주세요. 결과는 새 "
        "캐릭터와 굿즈, 관광 홍보물 디자인에 반영합니다."
    ),
    questions=(
        DemoQuestion(
            "새 해치 디자인 네 안을 마음에 드는 순서대로 골라 주세요.",
            Kind.RANKING,
            (
                ("1안: 둥근 얼굴의 아기 해치", 9, 5),
                ("2안: 전통 문양을 두른 해치", 4, 9),
                ("3안: 소울프렌즈와 함께하는 해치", 8, 4),
                ("4안: 한글 자모로 그린 해치", 5, 6),
            ),
        ),
        DemoQuestion(
            "새 캐릭터를 어디에 가장 먼저 쓰면 좋을까요?",
            Kind.SINGLE,
            (
                ("관광 안내와 기념품", 6, 5),
                ("지하철·버스 안내", 4, 6),
                ("어린이 교육 자료", 3, 5),
                ("시 누리집과 소셜 미디어", 7, 2),
            ),
        ),
    ),
    outcome=Outcome.ADOPTED,
    decision=(
        "시민 투표에서 1위를 한 '둥근 얼굴의 아기 해치'를 새 상징 캐릭터로 확정했습니다. "
        "관광 안내물과 기념품부터 새 디자인을 쓰고, 내년부터 지하철과 버스 안내에도 넓힙니다."
    ),
)

BIKE_FARES = DemoPoll(
    slug="ttareungyi-fares-2024",
    title="따릉이 이용 요금, 어떻게 바꿀까요?",
    description=(
        "공공자전거 따릉이의 1시간 이용권은 2015년부터 1,000원입니다. 운영비가 늘어 요금 "
        "조정을 검토하고 있습니다. 요금안과 함께 가장 먼저 고쳐야 할 점을 골라 주세요."
    ),
    questions=(
        DemoQuestion(
            "1시간 이용권 요금은 어느 안이 좋습니까?",
            Kind.SINGLE,
            (
                ("지금처럼 1,000원", 8, 6),
                ("1,500원으로 올리고 정기권은 그대로", 4, 5),
                ("2,000원으로 올리고 대여소를 늘림", 2, 4),
            ),
        ),
        DemoQuestion(
            "가장 먼저 고쳐야 할 점을 두 가지까지 골라 주세요.",
            Kind.MULTIPLE,
            (
                ("고장 난 자전거 정비", 7, 6),
                ("주택가 대여소 확충", 6, 5),
                ("자전거 도로 연결", 5, 6),
                ("앱 대여 절차 간소화", 6, 2),
                ("어린이용 자전거 도입", 2, 3),
            ),
            max_choices=2,
        ),
    ),
    outcome=Outcome.PARTLY,
    decision=(
        "1시간 이용권은 1,000원으로 유지하고, 2시간 이용권만 2,000원에서 2,500원으로 "
        "조정합니다. 시민이 가장 많이 고른 자전거 정비와 대여소 확충에 예산을 먼저 씁니다."
    ),
)

NO_SMOKING = DemoPoll(
    slug="hangang-no-smoking-2024",
    title="한강공원 전체를 금연구역으로 지정할까요?",
    description=(
        "지금은 한강공원의 일부 구역만 금연구역입니다. 간접흡연 민원이 늘어 공원 전체를 "
        "금연구역으로 하고 흡연 부스를 따로 두는 방안을 묻습니다."
    ),
    questions=(
        DemoQuestion(
            "한강공원 전체를 금연구역으로 지정하는 데 찬성하십니까?",
            Kind.SINGLE,
            (("찬성", 6, 8), ("반대", 5, 3), ("잘 모르겠다", 1, 1)),
        ),
        DemoQuestion(
            "지금 한강공원에서 간접흡연 피해가 얼마나 심하다고 느끼십니까? (1 전혀 없다 – 5 매우 "
            "심하다)",
            Kind.SCALE,
            (("1", 2, 1), ("2", 3, 2), ("3", 4, 3), ("4", 4, 5), ("5", 3, 5)),
            required=False,
        ),
    ),
    outcome=Outcome.NOT_ADOPTED,
    decision=(
        "찬성이 과반이었으나 공원 전체 금연은 관련 법령상 시 조례만으로 지정할 수 없어 "
        "이번에는 채택하지 않았습니다. 대신 매점과 놀이터 주변 금연구역을 넓히고 흡연 부스를 "
        "12곳 설치합니다."
    ),
)

NIGHT_SUBWAY = DemoPoll(
    slug="night-subway-2026",
    title="지하철 심야 연장 운행을 다시 시작할까요?",
    description=(
        "코로나19 때 멈춘 지하철 심야 연장 운행(새벽 1시까지)을 다시 시작하는 방안을 묻습니다. "
        "연장 운행에는 한 해 약 100억 원의 운영비와 야간 정비 시간 단축이 따릅니다. 투표 중에도 "
        "결과를 볼 수 있습니다."
    ),
    questions=(
        DemoQuestion(
            "지하철을 새벽 1시까지 연장 운행하는 데 찬성하십니까?",
            Kind.SINGLE,
            (("찬성", 9, 4), ("반대", 2, 4), ("금요일과 토요일만 찬성", 5, 3)),
        ),
        DemoQuestion(
            "연장 운행이 가장 필요한 노선을 세 개까지 골라 주세요.",
            Kind.MULTIPLE,
            (
                ("1호선", 4, 5),
                ("2호선", 9, 6),
                ("3호선", 4, 4),
                ("4호선", 4, 4),
                ("5호선", 5, 4),
                ("7호선", 6, 4),
                ("9호선", 5, 3),
            ),
            max_choices=3,
        ),
    ),
    results_live=True,
)

TOWN_HALL = DemoPoll(
    slug="pedestrian-streets-forum-2026",
    title="시민 대토론회 현장 투표: 보행자 우선 거리, 어디부터?",
    description=(
        "서울 시민 대토론회에 오신 분들께 나눠 드린 일회용 투표 코드로 투표합니다. 차량 통행을 "
        "줄이고 보행자 우선 거리로 먼저 바꿀 곳을 골라 주세요."
    ),
    questions=(
        DemoQuestion(
            "보행자 우선 거리로 가장 먼저 바꿀 곳은?",
            Kind.SINGLE,
            (
                ("종로 (종각–동대문)", 7, 7),
                ("명동 일대", 5, 4),
                ("홍대 앞 걷고싶은거리", 8, 3),
                ("성수동 카페거리", 7, 3),
                ("잠실 올림픽로", 2, 3),
            ),
        ),
    ),
    eligibility=Eligibility.CODES,
    results_live=True,
)

BUS_ROUTES = DemoPoll(
    slug="bus-routes-2026",
    title="시내버스 노선 개편, 무엇을 먼저 할까요?",
    description=(
        "20년 만의 시내버스 노선 개편을 앞두고 시민의 우선순위를 묻습니다. 투표는 며칠 뒤에 "
        "시작합니다."
    ),
    questions=(
        DemoQuestion(
            "노선 개편에서 중요한 것을 순서대로 골라 주세요.",
            Kind.RANKING,
            (
                ("배차 간격 단축", 0, 0),
                ("환승 줄이기", 0, 0),
                ("신도시·재개발 지역 노선 신설", 0, 0),
                ("심야버스 확대", 0, 0),
            ),
        ),
    ),
)

PROPOSAL = DemoPoll(
    slug="academy-hours-proposal",
    title="청소년 학원 교습, 밤 10시까지로 제한해야 할까요?",
    description=(
        "고등학생이 밤늦게까지 학원에 있는 일이 많습니다. 학원 교습 시간을 밤 10시까지로 하는 "
        "지금의 조례를 중학생뿐 아니라 고등학생에게도 엄격히 적용하고 단속을 늘리는 것을 "
        "시민 투표로 묻자고 제안합니다."
    ),
    questions=(
        DemoQuestion(
            "고등학생의 학원 교습을 밤 10시까지로 엄격히 제한하는 데 찬성하십니까?",
            Kind.SINGLE,
            (("찬성", 0, 0), ("반대", 0, 0), ("잘 모르겠다", 0, 0)),
        ),
    ),
)

# (poll, share of DEMO_BALLOTS, days before today it closed, days it ran)
CLOSED = ((CHARACTER, 1.0, 75, 21), (BIKE_FARES, 0.7, 40, 14), (NO_SMOKING, 0.5, 12, 14))
OPEN_BALLOTS, CODE_BALLOTS, SUPPORTS = 1_200, 180, 137


def seed(*, ballots: int | None = None) -> Iterator[str]:
    """The demo polls (`ballots` ballots in the largest closed one). Idempotent: skipped when
    the first demo poll exists."""
    # Read at call time, so a test can make the demo smaller.
    ballots = DEMO_BALLOTS if ballots is None else ballots
    city = current_city()
    if Poll.objects.filter(city=city, slug=CHARACTER.slug).exists():
        yield "M-Voting: demo polls already there."
        code_poll = Poll.objects.filter(city=city, slug=TOWN_HALL.slug).first()
        if code_poll is not None:
            yield _codes_line(_demo_codes()[:CODES_SHOWN], code_poll)
        return
    official = account_selectors.user_by_email(OFFICIAL)
    department = _department(city)
    if official is None or department is None:
        yield "M-Voting: no demo official or no department for polls; no demo polls."
        return
    started = time.monotonic()
    rng = random.Random(2023)
    citizen = account_selectors.user_by_email(CITIZEN)
    districts = list(District.objects.filter(city=city).order_by("code"))
    with transaction.atomic():
        _make_manager(official, department)
        if citizen is not None:
            _verify_phone(citizen, CITIZEN_PHONE)
        now = timezone.now()
        cast = 0
        closed = []
        for spec, share, ago, days in CLOSED:
            closes = _morning(now - timedelta(days=ago), hour=18)
            poll = _create(official, department, spec, closes - timedelta(days=days), closes)
            cast += _store_ballots(poll, spec, max(1, round(ballots * share)), districts, rng)
            closed.append((spec, poll))
        opened = _morning(now - timedelta(days=4), hour=9)
        subway = _create(official, department, NIGHT_SUBWAY, opened, opened + timedelta(days=14))
        cast += _store_ballots(subway, NIGHT_SUBWAY, OPEN_BALLOTS, districts, rng, until=now)
        forum = _create(official, department, TOWN_HALL, opened, opened + timedelta(days=10))
        codes = _demo_codes()
        _store_codes(forum, codes)
        cast += _store_ballots(
            forum, TOWN_HALL, CODE_BALLOTS, districts, rng, until=now, codes=codes[CODES_SHOWN:]
        )
        upcoming = _morning(now + timedelta(days=3), hour=9)
        _create(official, department, BUS_ROUTES, upcoming, upcoming + timedelta(days=14))
        proposal = _propose(PROPOSAL, rng)
        for spec, poll in closed:
            services.close_poll(actor=None, poll=poll)
            services.record_decision(
                actor=official, poll=poll, outcome=spec.outcome, text=spec.decision
            )
    # The mixes rewrote every closed poll's ballots: clear the old row versions (PostgreSQL).
    ballot_pattern.forget_dead_rows(PendingBallot, Ballot, Answer)
    seconds = time.monotonic() - started
    yield (
        f"M-Voting: {len(CLOSED)} closed polls with results and decisions, 2 open, 1 upcoming, "
        f"1 proposal ({cast:,} ballots, {len(codes)} voting codes) in {seconds:.1f} s."
    )
    if citizen is not None:
        yield f"  {CITIZEN} is verified by phone and can vote at /polls/{subway.slug}/"
    yield f"  {OFFICIAL} manages the polls of “{department.display_name}”."
    yield (
        f"  The proposal /polls/{proposal.slug}/ has {SUPPORTS} supports of "
        f"{services.polls_settings(city).support_threshold} needed."
    )
    yield _codes_line(codes[:CODES_SHOWN], forum)


def _codes_line(codes: Sequence[str], poll: Poll) -> str:
    return f"  demo voting codes for /polls/{poll.slug}/: {', '.join(codes)}"


def _department(city: City) -> Department | None:
    code = services.polls_settings(city).department
    return Department.objects.filter(city=city, code=code).first() if code else None


def _make_manager(official: User, department: Department) -> None:
    """The demo official runs M-Voting: creates, closes and decides (manager)."""
    membership, created = Membership.objects.get_or_create(
        user=official, department=department, defaults={"role": Role.MANAGER}
    )
    if not created and membership.role < Role.MANAGER:
        membership.role = Role.MANAGER
        membership.save(update_fields=["role"])


def _verify_phone(user: User, phone: str) -> VerifiedIdentity:
    """Verified by phone, as the phone check would leave the account (polls open to verified
    people, proposals and supports ask for it)."""
    found = account_selectors.verified_identity(user, methods=(VerificationMethod.PHONE,))
    if found is not None:
        return found
    key = accounts_identity.phone_key(accounts_identity.normalise_phone(phone))
    return VerifiedIdentity.objects.create(
        user=user, method=VerificationMethod.PHONE, identity_key=key
    )


def _morning(moment: datetime, *, hour: int) -> datetime:
    return timezone.localtime(moment).replace(hour=hour, minute=0, second=0, microsecond=0)


def _drafts(spec: DemoPoll) -> list[services.QuestionDraft]:
    return [
        services.QuestionDraft(
            text=q.text,
            kind=q.kind,
            options=[text for text, _young, _old in q.options],
            max_choices=q.max_choices,
            required=q.required,
        )
        for q in spec.questions
    ]


def _create(
    official: User, department: Department, spec: DemoPoll, opens: datetime, closes: datetime
) -> Poll:
    draft = services.PollDraft(
        title=spec.title,
        description=spec.description,
        opens_at=opens,
        closes_at=closes,
        questions=_drafts(spec),
        eligibility=spec.eligibility,
        results_live=spec.results_live,
    )
    return services.create_poll(actor=official, department=department, draft=draft, slug=spec.slug)


def _propose(spec: DemoPoll, rng: random.Random) -> Poll:
    """A citizen's proposal, through the service, with some supports from made-up verified
    people (fewer than the threshold, so it still collects them: the demo citizen can add one)."""
    proposer = account_selectors.user_by_email(PROPOSER)
    if proposer is None:
        proposer = User.objects.create_user(email=PROPOSER, password=None, display_name="이제안")
    _verify_phone(proposer, PROPOSER_PHONE)
    draft = services.PollDraft(
        title=spec.title, description=spec.description, questions=_drafts(spec)
    )
    poll = services.propose_poll(actor=proposer, draft=draft)
    # A Korean title gives no Latin slug: the demo's proposal gets a readable address.
    Poll.objects.filter(pk=poll.pk).update(slug=spec.slug)
    poll.slug = spec.slug
    key_of = _register_keys(spec.slug)
    now = timezone.now()
    Support.objects.bulk_create(
        Support(
            poll=poll,
            identity_key=f"p:{key_of(str(n))}",
            created_at=now - timedelta(minutes=rng.randrange(6 * 24 * 60)),
        )
        for n in range(SUPPORTS)
    )
    return poll


# --- ballots -----------------------------------------------------------------------------------


def _register_keys(source: str):
    """Register keys of made-up voters of one poll: keyed like real ones (with the server's
    secret), so they match nobody. The keyed prefix is computed once and copied for each."""
    prefix = salted_hmac("hamkke.polls.demo", f"demo:{source}:", algorithm="sha256")

    def key_of(voter_id: str) -> str:
        digest = prefix.copy()
        digest.update(voter_id.encode("utf-8"))
        return digest.hexdigest()

    return key_of


def _demo_codes() -> list[str]:
    rng = random.Random(CODES_SEED)
    made: list[str] = []
    while len(made) < CODES_MADE:
        raw = "".join(rng.choice(code_digits.ALPHABET) for _ in range(voting_codes.CODE_LENGTH))
        code = voting_codes.display(raw)
        if code not in made:
            made.append(code)
    return made


def _store_codes(poll: Poll, codes: Sequence[str]) -> None:
    from hamkke.polls.models import VotingCode

    VotingCode.objects.bulk_create(
        VotingCode(poll=poll, code_key=voting_codes.code_key(poll.pk, code)) for code in codes
    )


class _Voters:
    """Who votes in a demo poll: districts in uneven shares (each poll draws its own), age bands
    as M-Voting's voters (AGE_WEIGHTS), and each question answered by the voter's band's leaning
    and a district's own taste. Weights are summed up once per group (thousands of draws)."""

    def __init__(self, spec: DemoPoll, districts: Sequence[District], rng: random.Random):
        self.rng = rng
        self.spec = spec
        self.districts = [d.code for d in districts]
        self.district_sums = list(accumulate(rng.uniform(0.4, 1.6) for _ in self.districts))
        self.taste = {
            (code, q, o): rng.uniform(0.7, 1.3)
            for code in self.districts
            for q, question in enumerate(spec.questions)
            for o in range(len(question.options))
        }
        self._weights: dict[tuple[int, str, int], tuple[list[float], list[float]]] = {}

    def groups(self) -> tuple[str, int]:
        district = self.rng.choices(self.districts, cum_weights=self.district_sums)[0]
        band = self.rng.choices(_BANDS, cum_weights=_AGE_SUMS)[0]
        return district, band

    def weights(self, number: int, district: str, band: int) -> tuple[list[float], list[float]]:
        """The weights of question `number`'s options for a voter of this district and band, and
        their running sums."""
        key = (number, district, band)
        found = self._weights.get(key)
        if found is None:
            lean = band / (len(tally.AGE_BANDS) - 1)
            weights = [
                (young + (old - young) * lean) * self.taste.get((district, number, o), 1.0)
                for o, (_text, young, old) in enumerate(self.spec.questions[number].options)
            ]
            found = self._weights[key] = (weights, list(accumulate(weights)))
        return found


def _answer(
    question: DemoQuestion,
    option_ids: list[int],
    weights: tuple[list[float], list[float]],
    rng: random.Random,
) -> list[int]:
    """One voter's answer to a question, drawn by the weights: one option, a few, or an order."""
    if not question.required and rng.random() < 0.15:
        return []
    if question.kind in (Kind.SINGLE, Kind.SCALE):
        return rng.choices(option_ids, cum_weights=weights[1])
    if question.kind == Kind.MULTIPLE:
        wanted = rng.randint(1, question.max_choices or len(option_ids))
    else:  # a ranking: most rank every option, some only their favourites
        wanted = len(option_ids) if rng.random() < 0.7 else rng.randint(1, len(option_ids) - 1)
    left, chosen = list(zip(option_ids, weights[0], strict=True)), []
    while len(chosen) < wanted:
        pick = rng.choices(range(len(left)), [w for _o, w in left])[0]
        chosen.append(left.pop(pick)[0])
    return chosen


def _store_ballots(
    poll: Poll,
    spec: DemoPoll,
    count: int,
    districts: Sequence[District],
    rng: random.Random,
    *,
    until: datetime | None = None,
    codes: Sequence[str] = (),
) -> int:
    """`count` ballots of made-up voters (or of code holders, one code each): the register rows
    in key order, the ballots and answers in shuffled order through the services' writer, and
    the breakdown counts of the same ballots (code holders have no district or age)."""
    count = min(count, len(codes)) if codes else count
    questions = list(poll.questions.order_by("order"))
    option_ids = [[o.pk for o in q.options.order_by("order")] for q in questions]
    voters = _Voters(spec, districts, rng)
    key_of = _register_keys(poll.slug)
    end = min(until or poll.closes_at, poll.closes_at)
    minutes = max(1, int((end - poll.opens_at).total_seconds() // 60))
    register = ballot_pattern.BulkInsert(
        Participation, ("poll", "identity_key", "user", "cast_at", "sealed")
    )
    registered, payloads = [], []
    moments: dict[datetime, object] = {}  # adapting a moment once per minute, not per voter
    groups: Counter[tuple[str, str, int | None]] = Counter()
    for number in range(count):
        if codes:
            key = f"c:{voting_codes.code_key(poll.pk, codes[number])}"
            district, band = "", None
        else:
            key = f"p:{key_of(str(number))}"
            district, band = voters.groups()
        # By the minute: the register says when, not in what order ballots came.
        cast_at = poll.opens_at + timedelta(minutes=rng.randrange(minutes))
        when = moments.get(cast_at)
        if when is None:
            when = moments[cast_at] = register.adapt("cast_at", cast_at)
        registered.append((poll.pk, key, None, when, b""))
        answers, counted = {}, []
        for n, (question, ids) in enumerate(zip(spec.questions, option_ids, strict=True)):
            # Code holders lean as the middle band does (a town hall's crowd).
            weights = voters.weights(n, district, MIDDLE_BAND if band is None else band)
            chosen = _answer(question, ids, weights, rng)
            if chosen:
                answers[str(questions[n].pk)] = chosen
                # The breakdowns count a ranking's first choice (as services._count_groups).
                counted += chosen[:1] if question.kind == Kind.RANKING else chosen
        payloads.append({"id": ballot_pattern.new_ballot_id(), "answers": answers})
        age = tally.AGE_BANDS[band] if band is not None else ""
        for dimension, group in ((Dimension.DISTRICT, district), (Dimension.AGE, age)):
            if group:
                groups[(dimension, group, None)] += 1
                groups.update((dimension, group, option) for option in counted)
    registered.sort(key=lambda row: row[1])
    with connection.cursor() as cursor:
        register.run(cursor, registered)
    services._write_ballots(poll, payloads)
    GroupCount.objects.bulk_create(
        GroupCount(poll=poll, dimension=dimension, group=group, option_id=option, votes=votes)
        for (dimension, group, option), votes in groups.items()
    )
    return count
