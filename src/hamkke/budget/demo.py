"""Demo participatory budgets for `hamkke demo`: a finished cycle modelled on Seoul's 2013
participatory budget (54 reviewed projects in the profile's areas, one vote per area, about
100,000 ballots, survey and committee scores, results published, a few projects under way), and a
smaller cycle open for voting, where the demo citizen can vote at once. Skipped when there."""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import transaction
from django.utils import timezone

from hamkke.accounts import identity as accounts_identity
from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import (
    CensusRecord,
    Membership,
    Role,
    User,
    VerificationMethod,
    VerifiedIdentity,
)
from hamkke.budget import importing, selectors, services
from hamkke.budget.models import (
    Area,
    BallotKind,
    Channel,
    CommitteeMember,
    CommitteeScore,
    Cycle,
    Implementation,
    Pool,
    Project,
    ProjectStatus,
    ProjectUpdate,
    SurveyScore,
)
from hamkke.core.city.selectors import current_city
from hamkke.core.models import City, Department, District

DEMO_BALLOTS = 100_000
RESULTS_SLUG = "seoul-2013"
EOK = 100_000_000  # 억 원: Seoul writes budgets in hundreds of millions of won
CITIZEN = "citizen@demo.hamkke.kr"
OFFICIAL = "official@demo.hamkke.kr"
# The demo citizen lives in Jongno-gu (the demo official's gu office is Jongno's too).
CITIZEN_DISTRICT = "11110"
CITIZEN_RESIDENT_ID = "900101-1000001"
# People in the demo residents register, for trying paper ballots at the desk.
PAPER_RESIDENTS = (
    ("900101-1000002", "11110"),
    ("900101-1000003", "11110"),
    ("900101-1000004", "11440"),
)

# Residents of each gu in thousands, roughly as in 2013: voters come in proportion.
POPULATION = {
    "11110": 165, "11140": 135, "11170": 245, "11200": 300, "11215": 375,
    "11230": 365, "11260": 420, "11290": 470, "11305": 335, "11320": 360,
    "11350": 590, "11380": 500, "11410": 320, "11440": 385, "11470": 495,
    "11500": 570, "11530": 440, "11545": 250, "11560": 420, "11590": 405,
    "11620": 525, "11650": 445, "11680": 565, "11710": 670, "11740": 460,
}  # fmt: skip

# (area, title, English title, summary, cost in 억 원, gu or None, appeal 1–10)
PROJECTS = (
    ("welfare", "어르신 무더위 쉼터 확충", "More cool shelters for older people",
     "경로당과 복지관 200곳의 냉방기를 바꾸고 여름철 쉼터 운영비를 지원합니다.", 31, None, 9),
    ("welfare", "장애인 이동 지원 차량 증차", "More accessible transport vans",
     "휠체어를 탄 채 탈 수 있는 특별교통수단 30대를 더 들여 대기 시간을 줄입니다.", 76, None, 8),
    ("welfare", "독거 어르신 안부 확인 서비스", "Wellbeing checks for older people living alone",
     "문열림 센서와 주 1회 방문 상담으로 홀로 사는 어르신의 고독사를 막습니다.", 20, None, 7),
    ("welfare", "노숙인 자활 일자리 지원", "Work schemes for homeless people",
     "거리 노숙인 300명에게 공공 일자리와 자활 교육을 제공합니다.", 37, None, 3),
    ("welfare", "발달장애인 주간활동센터", "Day centre for people with developmental disabilities",
     "발달장애 성인이 낮 동안 배우고 머물 수 있는 센터를 마포구에 엽니다.", 51, "11440", 6),
    ("welfare", "동네 무료 법률 상담소", "Free neighbourhood legal advice",
     "주민센터 25곳에서 매주 변호사가 임대차·채무 상담을 무료로 합니다.", 8, None, 4),
    ("welfare", "청년 마음건강 상담 지원", "Mental health counselling for young people",
     "19–34세 청년 3,000명에게 심리상담 10회를 지원합니다.", 26, None, 7),
    ("environment", "공원 운동기구 설치", "Outdoor fitness equipment in parks",
     "동네 공원 25곳에 어르신과 청소년이 함께 쓰는 야외 운동기구를 놓습니다.", 14, None, 9),
    ("environment", "한강 수변 나무 그늘길 조성", "A shaded tree walk along the Han River",
     "여의도 한강공원 산책로 3km에 그늘을 만드는 나무를 심습니다.", 60, "11560", 6),
    ("environment", "빗물 저금통 보급", "Rainwater tanks for homes and schools",
     "학교와 주택 500곳에 빗물 저금통을 달아 텃밭과 청소에 씁니다.", 10, None, 4),
    ("environment", "미세먼지 저감 가로숲", "Street forests against fine dust",
     "큰길 10곳의 보도에 2열 가로수와 생울타리를 심어 미세먼지를 줄입니다.", 48, None, 8),
    ("environment", "북한산 둘레길 정비", "Repairing the Bukhansan trail",
     "은평구 구간 둘레길의 패인 길과 계단, 안내판을 고칩니다.", 24, "11380", 5),
    ("environment", "동네 텃밭 100곳", "A hundred community gardens",
     "자투리땅과 옥상 100곳을 주민이 함께 가꾸는 텃밭으로 만듭니다.", 15, None, 6),
    ("environment", "불광천 생태 복원", "Ecological restoration of Bulgwangcheon",
     "콘크리트 호안을 걷어 내고 물억새와 여울을 되살립니다.", 102, "11380", 3),
    ("environment", "반려견 놀이터 조성", "A dog park",
     "어린이대공원 한쪽에 울타리를 두른 반려견 놀이터를 만듭니다.", 12, "11215", 7),
    ("transport", "어린이 안전 통학로", "Safe routes to school for children",
     "초등학교 40곳의 통학로에 보도와 과속방지턱, 옐로카펫을 설치합니다.", 68, None, 10),
    ("transport", "마을버스 정류장 온열의자", "Heated seats at village bus stops",
     "겨울에 어르신이 많이 기다리는 정류장 300곳에 온열의자를 놓습니다.", 8, None, 8),
    ("transport", "중랑천 자전거 도로 연결", "Linking the cycle paths along Jungnangcheon",
     "끊긴 자전거 도로 4km를 이어 노원에서 한강까지 달릴 수 있게 합니다.", 94, "11350", 5),
    ("transport", "횡단보도 바닥 신호등", "In-ground lights at pedestrian crossings",
     "휴대전화를 보며 걷는 보행자를 위해 횡단보도 100곳에 바닥 신호등을 답니다.", 20, None, 7),
    ("transport", "저상버스 승강장 개선", "Platforms for low-floor buses",
     "휠체어와 유모차가 바로 탈 수 있도록 정류장 보도 높이를 맞춥니다.", 42, None, 4),
    ("transport", "공영주차장 스마트 안내", "Smart guidance for public car parks",
     "공영주차장 50곳의 빈자리를 전광판과 앱으로 알립니다.", 31, None, 3),
    ("transport", "대학로 보행자 우선도로", "A pedestrian-priority street in Daehak-ro",
     "대학로 이면도로를 보행자 우선도로로 바꾸고 바닥을 새로 깝니다.", 34, "11110", 5),
    ("culture", "작은 도서관 운영 지원", "Support for small neighbourhood libraries",
     "작은 도서관 120곳에 새 책과 주말 운영 인력을 지원합니다.", 26, None, 8),
    ("culture", "서울숲 야외 공연장", "An open-air stage in Seoul Forest",
     "주민 동아리가 무료로 쓰는 야외 무대와 객석을 만듭니다.", 51, "11200", 4),
    ("culture", "전통시장 문화축제", "Festivals in traditional markets",
     "전통시장 20곳에서 주말 공연과 먹거리 장터를 엽니다.", 14, None, 5),
    ("culture", "생활문화센터 리모델링", "Renovating a community culture centre",
     "낡은 관악구 생활문화센터에 연습실과 공방을 새로 꾸밉니다.", 37, "11620", 4),
    ("culture", "청소년 밴드 연습실", "Band rehearsal rooms for teenagers",
     "청소년센터 10곳에 방음 연습실과 악기를 마련합니다.", 10, None, 6),
    ("culture", "한양도성 역사 안내판", "Heritage signs along the Seoul City Wall",
     "한양도성 순성길에 한·영·중·일 4개 언어 안내판 60개를 세웁니다.", 7, "11140", 5),
    ("safety", "골목길 CCTV·비상벨 설치", "CCTV and emergency bells in alleys",
     "범죄가 잦은 골목 150곳에 CCTV와 비상벨을 설치합니다.", 34, None, 9),
    ("safety", "안심 귀갓길 LED 조명", "LED lighting on safe routes home",
     "밤길이 어두운 주택가 골목의 가로등을 밝은 LED로 바꿉니다.", 20, None, 8),
    ("safety", "노후 옹벽 안전 점검", "Safety checks of old retaining walls",
     "30년 넘은 옹벽과 축대 200곳을 정밀 점검하고 보수 계획을 세웁니다.", 27, None, 4),
    ("safety", "학교 내진 보강", "Earthquake reinforcement of schools",
     "내진 설계가 안 된 초등학교 8곳의 건물을 보강합니다.", 136, None, 5),
    ("safety", "심폐소생술 교육과 AED 보급", "CPR training and defibrillators",
     "아파트와 경로당 300곳에 자동심장충격기를 두고 주민 교육을 합니다.", 15, None, 7),
    ("safety", "침수 취약 가구 물막이판", "Flood barriers for flood-prone homes",
     "반지하 주택 1,000가구에 물막이판과 역류 방지 장치를 답니다.", 19, "11620", 5),
    ("safety", "놀이터 안전 바닥재 교체", "Safe surfaces in playgrounds",
     "낡은 놀이터 60곳의 바닥을 충격을 흡수하는 바닥재로 바꿉니다.", 24, None, 6),
    ("women-childcare", "국공립 어린이집 확충", "More public daycare centres",
     "국공립 어린이집 10곳을 새로 열어 대기 아동을 줄입니다.", 85, None, 9),
    ("women-childcare", "공동육아 나눔터", "Shared childcare rooms",
     "부모들이 함께 아이를 돌보는 공동육아 공간 20곳을 만듭니다.", 17, None, 7),
    ("women-childcare", "수유실·기저귀 교환대 설치", "Nursing rooms and changing tables",
     "지하철역과 공원 100곳에 수유실과 기저귀 교환대를 설치합니다.", 7, None, 6),
    ("women-childcare", "경력단절 여성 직업훈련", "Job training for women returning to work",
     "경력이 끊긴 여성 500명에게 직업훈련과 취업 연계를 지원합니다.", 22, None, 5),
    ("women-childcare", "야간 긴급 아이돌봄", "Night-time emergency childcare",
     "야간 근무 부모를 위해 밤 10시까지 긴급 돌봄을 운영합니다.", 14, None, 6),
    ("women-childcare", "한부모 가정 주거 지원", "Housing help for single-parent families",
     "한부모 가정 100가구에 공공임대 보증금을 지원합니다.", 60, None, 3),
    ("women-childcare", "임산부 배려석 안내", "Seats for pregnant women on buses",
     "시내버스 7,000대의 임산부 배려석에 표시와 안내 방송을 더합니다.", 3, None, 4),
    ("urban-regeneration", "세운상가 보행 데크", "A walkway deck at Sewoon arcade",
     "세운상가와 청계상가를 잇는 공중 보행 데크를 고쳐 엽니다.", 76, "11110", 4),
    ("urban-regeneration", "빈집 활용 마을 사랑방", "Empty houses as village meeting rooms",
     "오래 비어 있는 집 10채를 고쳐 주민 사랑방으로 씁니다.", 20, None, 5),
    ("urban-regeneration", "해방촌 골목 경관 개선", "Improving the alleys of Haebangchon",
     "해방촌 계단 골목의 담장과 조명, 쉼터를 새로 꾸밉니다.", 26, "11170", 5),
    ("urban-regeneration", "노후 주택 집수리 지원", "Home repairs for old houses",
     "20년 넘은 단독주택 400가구의 지붕과 단열 공사를 돕습니다.", 34, None, 7),
    ("urban-regeneration", "창신동 봉제 골목 활성화", "Reviving the sewing alleys of Changsin-dong",
     "봉제 공장 골목에 공동 작업장과 판매장을 만듭니다.", 17, "11110", 4),
    ("urban-regeneration", "마을 공동체 공간 조성", "Community spaces in old neighbourhoods",
     "재개발이 풀린 동네 8곳에 주민이 운영하는 공동체 공간을 엽니다.", 14, None, 6),
    ("economy", "청년 창업 공유 오피스", "Shared offices for young entrepreneurs",
     "빈 공공건물을 고쳐 청년 창업팀 100곳이 쓰는 공유 오피스를 엽니다.", 42, None, 6),
    ("economy", "전통시장 아케이드 설치", "Roofs over traditional markets",
     "비와 눈을 막는 아케이드를 전통시장 5곳에 설치합니다.", 51, None, 5),
    ("economy", "사회적 기업 판로 지원", "Sales support for social enterprises",
     "사회적 기업 제품의 온라인 장터와 공공 구매 상담을 지원합니다.", 12, None, 4),
    ("economy", "어르신 일자리 카페", "Cafés run by older people",
     "어르신 바리스타가 일하는 카페 10곳을 구청과 공원에 엽니다.", 10, None, 6),
    ("economy", "골목상권 공동 배달 플랫폼", "A shared delivery platform for local shops",
     "수수료가 낮은 공공 배달 앱으로 골목 가게의 배달을 돕습니다.", 17, None, 3),
    ("economy", "청년 구직자 면접 정장 대여", "Free interview suits for young job seekers",
     "취업 면접을 보는 청년에게 정장을 무료로 빌려줍니다.", 5, None, 7),
)  # fmt: skip

# (area, title, English title, summary, reasons) of proposals the departments found unfeasible.
REJECTED = (
    ("transport", "한강 케이블카 설치", "A cable car over the Han River",
     "여의도와 노들섬을 잇는 관광 케이블카를 놓습니다.",
     "사업비가 시민참여예산 전체를 넘고 환경영향평가와 국가 협의가 필요해 추진할 수 없습니다."),
    ("transport", "아파트 단지 내 도로 포장", "Paving the roads inside an apartment complex",
     "단지 안 도로의 파인 아스팔트를 새로 포장합니다.",
     "아파트 단지 안 도로는 사유지로 관리 주체가 따로 있어 시 예산을 쓸 수 없습니다."),
    ("transport", "지하철 9호선 연장", "Extending subway line 9",
     "9호선을 강동구까지 연장합니다.",
     "국비와 시비가 드는 도시철도 사업으로 이미 별도 계획에 따라 추진 중입니다."),
    ("culture", "구청 앞 분수대 철거", "Removing the fountain in front of the gu office",
     "쓰이지 않는 분수대를 없애고 광장으로 만듭니다.",
     "구청 소유 시설이라 시 사업이 아닙니다. 제안을 해당 구청에 전달했습니다."),
)  # fmt: skip

COMMITTEE = ("김민준", "이서연", "박지훈", "최수아", "정우진", "강하은", "조현우", "윤지민",
             "장도윤", "임서윤")  # fmt: skip

# The cycle open for voting: a citywide approval pool and the demo citizen's district's knapsack.
VOTING_CITYWIDE = (
    ("welfare", "경로당 스마트 건강관리", "Smart health checks in senior centres",
     "경로당 100곳에 혈압·혈당 측정기와 비대면 건강 상담을 둡니다.", 9),
    ("environment", "학교 숲 가꾸기", "Forests in school grounds",
     "초등학교 30곳의 운동장 가장자리에 작은 숲을 만듭니다.", 12),
    ("transport", "따릉이 대여소 확충", "More Ttareungyi bike stations",
     "공공자전거 대여소 150곳을 주택가에 새로 놓습니다.", 15),
    ("culture", "한강 야외 도서관", "Open-air libraries by the Han River",
     "여름 주말마다 한강공원 세 곳에 책과 빈백을 둔 야외 도서관을 엽니다.", 5),
    ("safety", "반지하 가구 침수 경보기", "Flood alarms for semi-basement homes",
     "침수 위험이 큰 반지하 2,000가구에 수위 경보기를 답니다.", 8),
    ("women-childcare", "아이 동반 외출 지원 센터", "Drop-in centres for parents out with children",
     "지하철역 10곳에 아이와 쉬어 갈 수 있는 공간을 만듭니다.", 10),
    ("urban-regeneration", "골목 계단 경사로 설치", "Ramps beside alley stairs",
     "언덕 동네 계단 50곳 옆에 유모차와 휠체어용 경사로를 놓습니다.", 14),
    ("economy", "동네 수리 공방", "Neighbourhood repair workshops",
     "가전과 가구를 고쳐 쓰는 수리 공방 20곳을 엽니다.", 6),
)  # fmt: skip
VOTING_DISTRICT = (
    ("environment", "골목 화단 가꾸기", "Flower beds in the alleys",
     "주민이 함께 가꾸는 골목 화단 40곳을 만듭니다.", 120_000_000),
    ("safety", "통학로 보행 신호 연장", "Longer crossing lights on school routes",
     "초등학교 앞 횡단보도의 보행 신호 시간을 늘리고 음성 안내를 답니다.", 150_000_000),
    ("culture", "마을 축제 지원", "A neighbourhood festival",
     "가을에 동네 주민이 여는 마을 축제를 지원합니다.", 80_000_000),
    ("welfare", "어르신 반찬 나눔", "Side dishes for older people living alone",
     "홀로 사는 어르신 300명에게 주 2회 반찬을 나눕니다.", 200_000_000),
    ("transport", "마을버스 정류장 그늘막", "Shades at village bus stops",
     "햇볕이 강한 마을버스 정류장 30곳에 그늘막을 세웁니다.", 90_000_000),
    ("urban-regeneration", "공영 주차장 옥상 쉼터", "A rooftop garden on the public car park",
     "공영 주차장 옥상을 쉼터와 텃밭으로 꾸밉니다.", 250_000_000),
)  # fmt: skip


def seed(*, ballots: int | None = None) -> Iterator[str]:
    """The demo cycles (`ballots` ballots in the finished one). Idempotent: skipped when the
    finished demo cycle exists."""
    # Read at call time, so a test can make the demo smaller (tests/core/test_cli.py).
    ballots = DEMO_BALLOTS if ballots is None else ballots
    city = current_city()
    if Cycle.objects.filter(city=city, slug=RESULTS_SLUG).exists():
        yield "Budget: demo cycles already there."
        return
    areas = {area.code: area for area in Area.objects.filter(city=city)}
    department = importing.budget_department(city)
    if not areas or department is None:
        yield "Budget: the city profile has no project areas or departments; no demo cycles."
        return
    started = time.monotonic()
    rng = random.Random(2013)
    citizen = account_selectors.user_by_email(CITIZEN)
    official = account_selectors.user_by_email(OFFICIAL)
    with transaction.atomic():
        home = _verify_citizen(city, citizen)
        _register_paper_residents(city)
        if official is not None:
            _make_manager(official, department)
        finished = _finished_cycle(city, department, areas, citizen, rng, ballots)
        voting = _voting_cycle(city, department, areas, home, rng)
    seconds = time.monotonic() - started
    pool = finished.pools.get()
    chosen = finished.projects.filter(selected=True)
    spent = sum(chosen.values_list("cost", flat=True))
    yield (
        f"Budget: “{finished.title}” (results published: {chosen.count()} of "
        f"{finished.projects.filter(status=ProjectStatus.ACCEPTED).count()} projects, "
        f"₩{spent:,} of ₩{pool.budget:,}; {pool.ballots.count():,} ballots) and "
        f"“{voting.title}” (voting now) in {seconds:.1f} s."
    )
    if citizen is not None and home is not None:
        yield (
            f"  {CITIZEN} is in the residents register ({home.name_en or home.name}) and can "
            f"vote at /budget/{voting.slug}/"
        )
    if official is not None:
        yield f"  {OFFICIAL} manages the cycles in “{department.display_name}”."
    numbers = ", ".join(number for number, _code in PAPER_RESIDENTS)
    yield f"  Paper ballots at the desk: resident numbers {numbers}"


def _verify_citizen(city: City, citizen: User | None) -> District | None:
    """accounts' demo citizen has an account but no proof of residence; voting needs one, so
    they are put in the demo residents register and verified against it (as census
    verification would do). Returns the district they vote in."""
    if citizen is None:
        return None
    identity = account_selectors.verified_identity(citizen, methods=(VerificationMethod.CENSUS,))
    if identity is not None:
        return identity.district
    home = District.objects.filter(city=city, code=CITIZEN_DISTRICT).first()
    home = home or District.objects.filter(city=city).order_by("code").first()
    key = accounts_identity.resident_key(CITIZEN_RESIDENT_ID)
    CensusRecord.objects.get_or_create(
        record_key=key,
        defaults={
            "match_key": accounts_identity.census_match_key(
                name=citizen.display_name or "김서울",
                birth_date=date(1990, 1, 1),
                resident_id=CITIZEN_RESIDENT_ID,
            ),
            "district": home,
            "batch": "demo",
        },
    )
    VerifiedIdentity.objects.create(
        user=citizen, method=VerificationMethod.CENSUS, identity_key=key, district=home
    )
    citizen.home_district = home
    citizen.save(update_fields=["home_district"])
    return home


def _register_paper_residents(city: City) -> None:
    districts = {d.code: d for d in District.objects.filter(city=city)}
    for number, code in PAPER_RESIDENTS:
        CensusRecord.objects.get_or_create(
            record_key=accounts_identity.resident_key(number),
            defaults={
                "match_key": accounts_identity.census_match_key(
                    name="시민", birth_date=date(1990, 1, 1), resident_id=number
                ),
                "district": districts.get(code),
                "batch": "demo",
            },
        )


def _make_manager(official: User, department: Department) -> None:
    """The demo official runs the cycles: enters paper ballots (handler) and publishes results
    (manager)."""
    membership, created = Membership.objects.get_or_create(
        user=official, department=department, defaults={"role": Role.MANAGER}
    )
    if not created and membership.role < Role.MANAGER:
        membership.role = Role.MANAGER
        membership.save(update_fields=["role"])


def _dates(now: datetime, *, voting_days_ago: int, voting_days: int) -> dict[str, datetime]:
    day = timezone.localtime(now - timedelta(days=voting_days_ago))
    voting = day.replace(hour=9, minute=0, second=0, microsecond=0)
    return {
        "proposals_from": voting - timedelta(days=90),
        "review_from": voting - timedelta(days=40),
        "voting_from": voting,
        "scoring_from": voting + timedelta(days=voting_days),
        "results_from": voting + timedelta(days=voting_days + 20),
        "implementation_from": voting + timedelta(days=voting_days + 90),
    }


# --- the finished cycle ------------------------------------------------------------------------


def _finished_cycle(
    city: City,
    department: Department,
    areas: dict[str, Area],
    citizen: User | None,
    rng: random.Random,
    ballots: int,
) -> Cycle:
    now = timezone.now()
    # Voting ended seven weeks ago and results came out four weeks ago; implementation begins
    # in two months, as Seoul's projects start with the next fiscal year.
    dates = _dates(now, voting_days_ago=65, voting_days=16)
    cycle = Cycle.objects.create(
        city=city,
        slug=RESULTS_SLUG,
        title="2013 서울시 주민참여예산 (시연)",
        title_en="Seoul participatory budget 2013 (demo)",
        description=(
            "2013년 서울시 주민참여예산을 본뜬 시연 자료입니다. 시민이 제안하고 부서가 검토한 "
            "사업 54개를 8개 분야로 나누어, 분야마다 한 사업씩 투표했습니다. 시민 투표 45%, "
            "여론조사 10%, 참여예산위원회 심사 45%를 합한 점수 순으로 500억 원 안에서 "
            "사업을 골랐습니다."
        ),
        department=department,
        weight_vote=45,
        weight_survey=10,
        weight_committee=45,
        rule="greedy",
        **dates,
    )
    pool = Pool.objects.create(
        cycle=cycle,
        code="citywide",
        name="시 전체",
        name_en="Citywide",
        budget=500 * EOK,
        ballot_kind=BallotKind.QUOTA,
    )
    districts = {d.code: d for d in District.objects.filter(city=city)}
    fallback = list(areas.values())
    reviewed = dates["review_from"] + timedelta(days=20)
    projects = []
    for number, (area, title, title_en, summary, cost, gu, _appeal) in enumerate(PROJECTS, 1):
        projects.append(
            Project(
                cycle=cycle,
                pool=pool,
                code=f"{number:02d}",
                title=title,
                summary=summary,
                description=f"{summary}\n\nEnglish: {title_en}.",
                area=areas.get(area) or fallback[number % len(fallback)],
                district=districts.get(gu) if gu else None,
                # The demo citizen proposed two of them (they get the news of the results).
                proposer=citizen if number in (16, 36) else None,
                requested_cost=cost * EOK,
                cost=cost * EOK,
                status=ProjectStatus.ACCEPTED,
                reviewing_department=department,
                reviewed_at=reviewed,
            )
        )
    for number, (area, title, title_en, summary, reasons) in enumerate(REJECTED, 91):
        projects.append(
            Project(
                cycle=cycle,
                pool=pool,
                code=str(number),
                title=title,
                summary=summary,
                description=f"{summary}\n\nEnglish: {title_en}.",
                area=areas.get(area) or fallback[0],
                status=ProjectStatus.REJECTED,
                review_reasons=reasons,
                reviewing_department=department,
                reviewed_at=reviewed,
            )
        )
    Project.objects.bulk_create(projects)
    accepted = list(
        cycle.projects.filter(status=ProjectStatus.ACCEPTED).select_related("area").order_by("code")
    )
    appeal = {p.pk: PROJECTS[int(p.code) - 1][6] for p in accepted}
    importing.store_ballots(
        pool=pool,
        rows=_quota_ballots(cycle, pool, accepted, appeal, districts, rng, ballots),
    )
    _survey_and_committee(cycle, accepted, appeal, rng)
    official = account_selectors.user_by_email(OFFICIAL)
    services.publish_results(actor=None, cycle=cycle)
    if official is not None:
        _implementation(cycle, official, dates["results_from"])
    return cycle


def _weighted(rng: random.Random, items: list, weights: list[float]):
    """A sampler of `items` by `weights` (cumulative weights and bisect: fast for 10^5 draws)."""
    cumulative = list(accumulate(weights))
    total = cumulative[-1]

    def draw():
        return items[bisect.bisect(cumulative, rng.random() * total)]

    return draw


def _quota_ballots(
    cycle: Cycle,
    pool: Pool,
    accepted: list[Project],
    appeal: dict[int, int],
    districts: dict[str, District],
    rng: random.Random,
    count: int,
) -> Iterator[importing.BallotRow]:
    """Seoul's ballot: at most one project per area. Popularity is skewed (appeal squared),
    residents favour projects in their own gu, and not every voter picks in every area."""
    codes = [code for code in POPULATION if code in districts] or list(districts)
    home_of = _weighted(rng, codes, [POPULATION.get(code, 100) for code in codes])
    by_area: dict[int, list[Project]] = {}
    for project in accepted:
        by_area.setdefault(project.area_id, []).append(project)
    samplers: dict[tuple[str, int], object] = {}
    for code in codes:
        for area_id, projects in by_area.items():
            weights = [
                appeal[p.pk] ** 2 * (4 if p.district and p.district.code == code else 1)
                for p in projects
            ]
            samplers[code, area_id] = _weighted(rng, [p.pk for p in projects], weights)
    # Some areas draw more voters than others (welfare and safety more than economy).
    turnout = {area_id: rng.uniform(0.3, 0.6) for area_id in by_area}
    key_of = importing.register_keys("demo", cycle.slug)
    seconds = int((cycle.scoring_from - cycle.voting_from).total_seconds())
    for number in range(count):
        home = home_of()
        chosen = [samplers[home, a]() for a in by_area if rng.random() < turnout[a]]
        if not chosen:
            area_id = rng.choice(list(by_area))
            chosen = [samplers[home, area_id]()]
        yield importing.BallotRow(
            identity_key=key_of(str(number)),
            district_id=districts[home].pk,
            choices=tuple(chosen),
            # By the minute: the register says when, not in what order ballots came.
            cast_at=cycle.voting_from + timedelta(minutes=rng.randrange(seconds // 60)),
            channel=Channel.PAPER if rng.random() < 0.08 else Channel.ONLINE,
        )


def _survey_and_committee(
    cycle: Cycle, accepted: list[Project], appeal: dict[int, int], rng: random.Random
) -> None:
    """The survey (share of respondents in favour, %) and ten committee members' scores, both
    following the projects' appeal with their own views."""
    SurveyScore.objects.bulk_create(
        SurveyScore(
            project=p,
            score=Decimal(str(round(min(95.0, 30 + 6 * appeal[p.pk] + rng.gauss(0, 6)), 1))),
        )
        for p in accepted
    )
    members = []
    for number, name in enumerate(COMMITTEE, 1):
        email = f"committee-{number:02d}@demo.hamkke.kr"
        user = account_selectors.user_by_email(email)
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=name)
        members.append(CommitteeMember(cycle=cycle, user=user))
    CommitteeMember.objects.bulk_create(members)
    # Each member has a view of each project; the committee weighs feasibility as well as
    # appeal, so cheap, well-prepared projects do a little better with it.
    scores = []
    for member in cycle.committee.all():
        for p in accepted:
            leaning = 45 + 4 * appeal[p.pk] - p.cost / (8 * EOK) + rng.gauss(0, 8)
            scores.append(
                CommitteeScore(member=member, project=p, score=int(max(0, min(100, leaning))))
            )
    CommitteeScore.objects.bulk_create(scores)


IMPLEMENTATION_NOTES = (
    (Implementation.PLANNING, "담당 부서가 설계 용역을 발주했습니다.", 10),
    (Implementation.IN_PROGRESS, "공사를 시작했습니다. 1차 구간 공사 중입니다.", 24),
    (Implementation.COMPLETED, "사업을 마치고 시민에게 개방했습니다.", 27),
)


def _implementation(cycle: Cycle, official: User, results_from: datetime) -> None:
    """The four best-ranked selected projects are under way, one of them finished, through the
    same service the desk uses; their updates are dated after the results."""
    chosen = list(cycle.projects.filter(selected=True).order_by("rank")[:4])
    for position, project in enumerate(chosen):
        steps = IMPLEMENTATION_NOTES[: 3 if position == 0 else 2 if position < 3 else 1]
        for status, note, days in steps:
            update = services.record_implementation(
                actor=official, project=project, implementation=status, note=note
            )
            ProjectUpdate.objects.filter(pk=update.pk).update(
                created_at=results_from + timedelta(days=days - position)
            )


# --- the cycle open for voting -----------------------------------------------------------------


def _voting_cycle(
    city: City,
    department: Department,
    areas: dict[str, Area],
    home: District | None,
    rng: random.Random,
) -> Cycle:
    now = timezone.now()
    year = timezone.localtime(now).year
    slug = f"seoul-{year}"
    existing = Cycle.objects.filter(city=city, slug=slug).first()
    if existing is not None:
        return existing
    # Voting opened five days ago and runs three weeks.
    dates = _dates(now, voting_days_ago=5, voting_days=21)
    cycle = Cycle.objects.create(
        city=city,
        slug=slug,
        title=f"{year} 서울시 시민참여예산 (시연)",
        title_en=f"Seoul participatory budget {year} (demo)",
        description=(
            "지금 투표할 수 있는 시연 예산입니다. 시 전체 사업은 세 개까지 고르고, 우리 구 "
            "사업은 예산 안에서 원하는 만큼 고릅니다."
        ),
        department=department,
        **dates,
    )
    citywide = Pool.objects.create(
        cycle=cycle,
        code="citywide",
        name="시 전체",
        name_en="Citywide",
        budget=40 * EOK,
        ballot_kind=BallotKind.APPROVAL,
        max_choices=3,
    )
    fallback = list(areas.values())
    reviewed = dates["review_from"] + timedelta(days=20)
    rows = []
    for number, (area, title, title_en, summary, cost) in enumerate(VOTING_CITYWIDE, 1):
        rows.append((citywide, f"c{number}", area, title, title_en, summary, cost * EOK))
    pools = [citywide]
    if home is not None:
        local = Pool.objects.create(
            cycle=cycle,
            code=home.code,
            name=home.name,
            name_en=home.name_en,
            district=home,
            budget=5 * EOK,
            ballot_kind=BallotKind.KNAPSACK,
        )
        pools.append(local)
        for number, (area, title, title_en, summary, cost) in enumerate(VOTING_DISTRICT, 1):
            rows.append((local, f"d{number}", area, title, title_en, summary, cost))
    Project.objects.bulk_create(
        Project(
            cycle=cycle,
            pool=pool,
            code=code,
            title=title,
            summary=summary,
            description=f"{summary}\n\nEnglish: {title_en}.",
            area=areas.get(area) or fallback[0],
            district=pool.district,
            requested_cost=cost,
            cost=cost,
            status=ProjectStatus.ACCEPTED,
            reviewing_department=department,
            reviewed_at=reviewed,
        )
        for pool, code, area, title, title_en, summary, cost in rows
    )
    _early_ballots(cycle, pools, rng)
    return cycle


def _early_ballots(cycle: Cycle, pools: list[Pool], rng: random.Random) -> None:
    """Five days of voting so far: some ballots in each pool (never the demo citizen's)."""
    key_of = importing.register_keys("demo", cycle.slug)
    numbers = itertools.count()
    now = timezone.now()
    for pool in pools:
        projects = list(selectors.ballot_projects(pool))
        districts = (
            [pool.district]
            if pool.district
            else list(District.objects.filter(city=cycle.city, code__in=POPULATION))
        )
        rows = []
        for _ in range(1500 if pool.district is None else 200):
            if pool.ballot_kind == BallotKind.KNAPSACK:
                chosen, spent = [], 0
                for project in rng.sample(projects, len(projects)):
                    if spent + project.cost <= pool.budget and rng.random() < 0.6:
                        chosen.append(project)
                        spent += project.cost
                chosen = chosen or [min(projects, key=lambda p: p.cost)]
            else:
                chosen = rng.sample(projects, rng.randint(1, pool.max_choices or 3))
            rows.append(
                importing.BallotRow(
                    identity_key=key_of(str(next(numbers))),
                    district_id=rng.choice(districts).pk if districts else None,
                    choices=tuple(p.pk for p in chosen),
                    cast_at=cycle.voting_from + (now - cycle.voting_from) * rng.random(),
                )
            )
        importing.store_ballots(pool=pool, rows=rows)
