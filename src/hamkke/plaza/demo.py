"""Demo data of the Plaza for `hamkke demo`: tens of thousands of Korean administrative documents
of every type from every department of the city (the district offices included), written from
templates over the last two years: most open, some partly open (a passage withheld on a legal
ground, the marker in the public body), some closed, some approved today and published
tomorrow; a few with PDF attachments; committees and their meetings of the last months (some
today) with agendas, attendees and linked videos; datasets with resources; disclosure requests
with their history. Skipped when the demo documents are there.

Documents are written in bulk, their search index too (`search_index.chunks_for`, exactly what
`services.reindex` writes), so 30,000 take seconds. The text is made by `services.prepare_text`,
as registering does (masked, withheld passages set apart); it names no person."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from hamkke.accounts import selectors as account_selectors
from hamkke.core import codes
from hamkke.core.city.selectors import current_city
from hamkke.core.days import day_start
from hamkke.core.models import City, Department
from hamkke.plaza import policies, search_index, selectors, services
from hamkke.plaza.models import (
    AgendaItem,
    ApproverLevel,
    Attendee,
    Category,
    Committee,
    Dataset,
    Disclosure,
    DisclosureRequest,
    Document,
    DocumentType,
    Meeting,
    MeetingStatus,
    RequestEvent,
    RequestKind,
    RequestStatus,
    Resource,
    SearchChunk,
    Tag,
    VideoClip,
    WithheldPassage,
)

DEMO_DOCUMENTS = 30_000
NUMBER_PREFIX = "DEMO-"
BATCH = 2_000
DAYS_BACK = 730
CITIZEN = "citizen@demo.hamkke.kr"
VIDEO_URL = "https://video.demo.hamkke.kr/plaza/meeting-{pk}.mp4"
DATA_URL = "https://data.demo.hamkke.kr/{name}/{file}"

# How often each type occurs (the decisions of the other services come from those services).
TYPE_WEIGHTS = {
    DocumentType.APPROVAL: 44,
    DocumentType.CONTRACT: 13,
    DocumentType.ANNOUNCEMENT: 10,
    DocumentType.FINANCE: 8,
    DocumentType.MEETING: 8,
    DocumentType.BUDGET: 7,
    DocumentType.STATISTICS: 6,
    DocumentType.PUBLIC_DATA: 3,
    DocumentType.DECISION: 1,
}
LEVEL_WEIGHTS = {
    ApproverLevel.TEAM_LEADER: 4,
    ApproverLevel.DIVISION_HEAD: 52,
    ApproverLevel.DIRECTOR: 25,
    ApproverLevel.DIRECTOR_GENERAL: 12,
    ApproverLevel.DEPUTY_MAYOR: 5,
    ApproverLevel.MAYOR: 2,
}
TITLES = {
    ApproverLevel.TEAM_LEADER: "팀장",
    ApproverLevel.DIVISION_HEAD: "과장",
    ApproverLevel.DIRECTOR: "국장",
    ApproverLevel.DIRECTOR_GENERAL: "실장",
    ApproverLevel.DEPUTY_MAYOR: "행정부시장",
    ApproverLevel.MAYOR: "시장",
}
# Shares of documents partly open and closed (the rest is open), of approvals made today
# (published tomorrow) and of documents related to an earlier one.
PARTIAL_SHARE, CLOSED_SHARE, TODAY_SHARE, RELATED_SHARE = 0.08, 0.05, 0.01, 0.05

# The category a department's approvals fall in; district offices' are drawn from the themes.
DEPARTMENT_CATEGORY = {
    "transport": "transport",
    "road-management": "transport",
    "climate-environment": "environment",
    "resource-circulation": "environment",
    "safety": "safety",
    "parks": "environment",
    "information-planning": "administration",
    "budget": "budget",
    "citizen-communication": "participation",
    "housing": "housing",
}
TYPE_CATEGORY = {
    DocumentType.BUDGET: "budget",
    DocumentType.FINANCE: "finance",
    DocumentType.CONTRACT: "contracts",
    DocumentType.STATISTICS: "statistics",
    DocumentType.PUBLIC_DATA: "statistics",
    DocumentType.DECISION: "participation",
}
THEMES = ("welfare", "transport", "environment", "housing", "culture", "safety", "participation")

PROJECTS = (
    "청년 주거 지원", "어르신 돌봄 확대", "공공자전거 따릉이 확충", "미세먼지 저감",
    "한강공원 정비", "스마트 가로등 설치", "전통시장 활성화", "공공 와이파이 확대",
    "침수 예방 빗물받이 정비", "보행친화 거리 조성", "작은도서관 운영", "공영주차장 확충",
    "제로에너지 건축물 지원", "자원순환 거점 운영", "어린이 보호구역 개선", "장애인 이동 지원",
    "도시재생 뉴딜", "1인 가구 안심 지원", "탄소중립 실천", "디지털 약자 교육",
    "버스정류장 스마트쉘터", "가로수 정비", "공공시설 내진 보강", "지하철역 승강기 설치",
)  # fmt: skip
FACILITIES = (
    "구민회관", "체육센터", "주민센터", "어린이집", "경로당", "공영주차장", "보건소",
    "도서관", "하수관로", "보도블록", "육교", "지하보도", "공원 화장실", "배수펌프장",
)  # fmt: skip
COMMITTEES = (
    ("도시계획위원회", "housing", "심의"),
    ("교통위원회", "transport", "심의"),
    ("예산조정협의회", "budget", "협의"),
    ("시민참여예산위원회", "budget", "시민"),
    ("기후환경정책위원회", "climate-environment", "자문"),
    ("정보공개심의회", "information-planning", "심의"),
    ("안전관리위원회", "safety", "심의"),
    ("공원녹지위원회", "parks", "자문"),
)
STATISTICS = (
    "주민등록 인구", "대중교통 이용", "쓰레기 배출량", "공공자전거 이용", "미세먼지 농도",
    "주택 인허가", "사업체 조사", "관광객 방문", "교통사고 발생", "민원 처리",
)  # fmt: skip
DATA = (
    "공공자전거 대여소 정보", "공영주차장 실시간 정보", "지하철역 승하차 인원",
    "공공와이파이 설치 위치", "전기차 충전소 현황", "무더위쉼터 위치",
)  # fmt: skip
TAGS = (
    "예산", "계약", "교통", "안전", "복지", "환경", "청년", "어르신", "주거", "문화",
    "공원", "미세먼지", "일자리", "스마트시티", "재난", "도시재생", "탄소중립", "보행",
    "장애인", "어린이", "통계", "공공데이터", "회의", "입찰", "추경",
)  # fmt: skip
CONTRACTORS = ("한빛건설", "서울엔지니어링", "새솔기술", "다온환경", "미래정보통신", "푸른조경")
MINUTES = (
    "위원장이 개회를 선언하였다. 담당 부서장이 상정 안건의 추진 배경과 주요 내용, 소요 예산을 "
    "보고하였고, 위원들은 사업 대상지 선정 기준과 주민 의견 수렴 결과를 질의하였다. 토론을 "
    "거쳐 제1호 안건은 원안대로, 제2호 안건은 일부 수정하여 의결하였다. 위원장이 폐회를 "
    "선언하였다."
)
RESULTS = ("원안 가결", "수정 가결", "보류", "보고 접수")
ENGLISH = (
    "The city publishes this document under its open-by-default policy.",
    "Summary in English: progress report and budget execution.",
)


@dataclass
class Draft:
    """A demo document before it is stored: its fields and what registering would make."""

    document: Document
    withheld: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]


def seed(*, documents: int | None = None) -> Iterator[str]:
    """The Plaza's demo (`documents` documents, DEMO_DOCUMENTS by default). Idempotent: skipped
    when the demo documents exist."""
    # Read at call time, so a test can make the demo smaller.
    count = DEMO_DOCUMENTS if documents is None else documents
    if Document.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        yield "Plaza: demo documents already there."
        return
    city = current_city()
    departments = list(Department.objects.filter(city=city).order_by("code"))
    if not departments:
        yield "Plaza: the city profile has no departments; no demo documents."
        return
    started = time.monotonic()
    drafting = Drafting(city, random.Random(2026))
    with transaction.atomic():
        _documents(drafting, departments, max(count, 1))
        with_files = _documents_with_files(departments, drafting.rng)
        meetings, today = _meetings(city, drafting, departments)
        datasets = _datasets(departments, drafting.rng)
        requests = _requests(departments, drafting.rng)
    demo = Document.objects.filter(number__startswith=NUMBER_PREFIX)
    stored = demo.count()
    public = selectors.public_documents().filter(number__startswith=NUMBER_PREFIX).count()
    closed = demo.filter(disclosure=Disclosure.CLOSED).count()
    due = demo.filter(published_at__isnull=True, publish_at__isnull=False).count()
    yield (
        f"Plaza: {stored:,} demo documents ({public:,} public, {closed:,} closed, {due:,} to be "
        f"published, {with_files} with PDF files), {meetings} meetings ({today} today), "
        f"{datasets} datasets, {requests} disclosure requests in "
        f"{time.monotonic() - started:.1f} s."
    )


# --- text ----------------------------------------------------------------------------------------


class Writer:
    """Believable titles, summaries and bodies for each type, from templates."""

    def __init__(self, rng: random.Random, districts: list[str], grounds: list[str]) -> None:
        self.rng, self.districts, self.grounds = rng, districts, grounds

    def pick(self, items):
        return self.rng.choice(items)

    def amount(self) -> str:
        return f"{self.rng.randrange(12, 9800) * 1_000_000:,}"

    def text(self, doc_type: str, department: Department, day: date) -> tuple[str, str, str]:
        year, month = day.year, day.month
        project, facility = self.pick(PROJECTS), self.pick(FACILITIES)
        gu = self.pick(self.districts) if department.district_id is None else department.name[:-1]
        unit = department.name
        r = self.rng
        if doc_type == DocumentType.BUDGET:
            n = r.randint(1, 3)
            title = self.pick(
                (
                    f"{year}년도 제{n}회 추가경정예산안 제출",
                    f"{year + 1}년도 {project} 예산 편성 결과",
                    f"{year}년 {unit} 세출예산 배정 계획",
                    f"{year}년 예산 전용 승인 ({project})",
                )
            )
            summary = f"{year}년 {project} 사업의 예산 편성과 집행 계획을 보고합니다."
            body = (
                f"1. 목적: {project} 사업의 추진을 위하여 {year}년 예산을 편성하고자 합니다. "
                f"2. 예산 규모: 총 {self.amount()}원 (국비 {r.randint(10, 50)}%, 시비 포함). "
                f"3. 주요 내용: 추경예산안에 반영된 세부 사업별 예산은 붙임과 같습니다. "
                f"4. 향후 계획: 시의회 예산결산특별위원회 심사 후 {month}월 중 확정 예정."
            )
        elif doc_type == DocumentType.FINANCE:
            title = self.pick(
                (
                    f"{unit} 업무추진비 집행내역 ({year}년 {month}월)",
                    f"{year}년 {month}월 재정 운용 현황",
                    f"{year}년 {r.randint(1, 4)}분기 세입·세출 집행 현황",
                )
            )
            summary = f"{year}년 {month}월 {unit}의 재정 집행 내역을 공개합니다."
            body = (
                f"{unit}의 {year}년 {month}월 업무추진비는 {r.randint(8, 60)}건, 총 "
                f"{self.amount()}원을 집행하였습니다. 집행 목적은 {project} 관련 간담회와 "
                f"현장 점검이며, 집행 장소와 인원은 붙임 내역과 같습니다. 예산 대비 집행률은 "
                f"{r.randint(40, 99)}%입니다."
            )
        elif doc_type == DocumentType.CONTRACT:
            company = self.pick(CONTRACTORS)
            title = self.pick(
                (
                    f"{gu} {facility} 보수공사 계약 결과",
                    f"{project} 용역 입찰 결과 공개",
                    f"{gu} {facility} 신축공사 수의계약 체결 결과",
                )
            )
            summary = f"{facility} 관련 계약의 체결 결과를 공개합니다 (계약상대자: {company})."
            body = (
                f"계약명: {gu} {facility} 보수공사. 계약방법: 제한경쟁입찰(적격심사). "
                f"계약금액: {self.amount()}원. 계약기간: 착공일부터 {r.randint(60, 240)}일. "
                f"계약상대자: (주){company}. 입찰 참가업체 {r.randint(3, 40)}개사 중 "
                f"적격심사 결과 최고점 업체와 계약을 체결하였습니다."
            )
        elif doc_type == DocumentType.MEETING:
            committee = self.pick(COMMITTEES)[0]
            n = r.randint(1, 320)
            title = f"제{n}회 {committee} 회의록"
            summary = f"{year}년 {month}월 {day.day}일 열린 제{n}회 {committee}의 회의록입니다."
            body = (
                f"일시: {year}년 {month}월 {day.day}일 14시. 장소: 서울시청 본관 회의실. "
                f"안건: {project} 추진계획 심의 외 {r.randint(1, 4)}건. 위원장이 개회를 "
                f"선언하고 담당 부서의 보고를 들은 뒤 질의와 토론을 거쳐 원안대로 의결하였다."
            )
        elif doc_type == DocumentType.STATISTICS:
            subject = self.pick(STATISTICS)
            title = f"{year}년 {month}월 {subject} 통계"
            summary = f"서울시 {subject} 통계를 자치구별로 집계하였습니다."
            body = (
                f"{year}년 {month}월 기준 {subject} 현황입니다. 전월 대비 "
                f"{r.randint(1, 9)}.{r.randint(0, 9)}% 증가하였으며 {gu}가 가장 많았습니다. "
                f"자치구별 통계표와 조사 방법은 붙임 자료를 참고하시기 바랍니다."
            )
        elif doc_type == DocumentType.PUBLIC_DATA:
            subject = self.pick(DATA)
            title = f"{subject} 공공데이터 개방"
            summary = f"{subject}를 누구나 쓸 수 있도록 공공데이터로 개방합니다."
            body = (
                f"{subject} 데이터를 CSV와 JSON 형식으로 매일 갱신하여 제공합니다. "
                f"공공누리 제1유형으로 출처를 밝히면 자유롭게 이용할 수 있습니다. "
                f"열린데이터광장에서 내려받거나 API로 조회할 수 있습니다."
            )
        elif doc_type == DocumentType.ANNOUNCEMENT:
            title = self.pick(
                (
                    f"{gu} {project} 주민설명회 개최 공고",
                    f"{year}년 {project} 참여자 모집 공고",
                    f"{gu} {facility} 위탁 운영기관 모집 공고",
                    f"{year}년 제{r.randint(1, 3)}회 지방공무원 임용시험 시행계획 공고",
                )
            )
            summary = f"{project} 관련 공고입니다. 기간 내 신청하시기 바랍니다."
            body = (
                f"서울특별시 공고 제{year}-{r.randint(100, 3999)}호. {project} 사업을 "
                f"다음과 같이 공고합니다. 신청 기간: {month}월 {day.day}일부터 "
                f"{r.randint(7, 30)}일간. 신청 방법: 서울시 누리집 또는 방문 접수. "
                f"자세한 사항은 {unit}로 문의하시기 바랍니다."
            )
        elif doc_type == DocumentType.DECISION:
            title = f"{year}년 시민참여예산 {project} 사업 선정 결과"
            summary = "시민 투표와 위원회 심사를 거쳐 선정된 사업입니다."
            body = (
                f"{project} 사업이 시민 투표 {r.randint(1000, 90000):,}표를 얻어 선정되었습니다. "
                f"사업비 {self.amount()}원은 다음 연도 예산에 반영됩니다."
            )
        else:
            title = self.pick(
                (
                    f"{year}년 {project} 추진계획 보고",
                    f"{gu} {facility} 운영 개선 계획",
                    f"{project} 추진 실적 및 향후 계획",
                    f"{year}년 {unit} 주요업무 계획",
                    f"{project} 관련 관계기관 협조 요청",
                )
            )
            summary = f"{project} 사업의 추진 배경, 추진 계획과 소요 예산을 보고합니다."
            body = (
                f"1. 추진 배경: {gu} 지역의 {project} 수요가 늘어 체계적인 대응이 필요합니다. "
                f"2. 추진 계획: {month}월부터 단계별로 {facility} {r.randint(2, 40)}곳을 "
                f"대상으로 시행합니다. 3. 소요 예산: {self.amount()}원 (시비). "
                f"4. 기대 효과: 시민 만족도 향상과 행정 효율 제고."
            )
        if r.random() < 0.05:
            body += " " + self.pick(ENGLISH)
        return title, summary, body

    def withheld(self, doc_type: str) -> tuple[str, str]:
        """A passage a partly open document keeps back, and its ground."""
        if doc_type == DocumentType.CONTRACT:
            passage = "업체별 세부 산출내역과 단가 구성은 영업상 비밀이므로 공개하지 않습니다."
            return passage, "art9-1-7"
        if doc_type in (DocumentType.BUDGET, DocumentType.FINANCE):
            passage = "협의 중인 보상 금액의 산정 근거는 의사결정 과정에 있어 공개하지 않습니다."
            return passage, "art9-1-5"
        passage = "현장 점검 대상자 명단과 개별 조치 내역은 개인정보가 있어 공개하지 않습니다."
        return passage, "art9-1-6"


# --- documents -----------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Drafting:
    """What every demo document is drafted against: the profile, the clock, the city's rows."""

    def __init__(self, city: City, rng: random.Random) -> None:
        self.rng = rng
        self.section = services.plaza_settings(city)
        self.grounds = [g.code for g in self.section.legal_grounds]
        self.categories = {c.code: c for c in Category.objects.filter(city=city)}
        districts = list(city.districts.order_by("code").values_list("name", flat=True))
        self.writer = Writer(rng, districts or ["중구"], self.grounds)
        self.zone = ZoneInfo(city.time_zone)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now, self.zone)
        self.from_level = services.level_from_code(self.section.publish_from_level)

    def draft(
        self,
        *,
        number: str,
        doc_type: str,
        department: Department,
        day: date,
        text: tuple[str, str, str] | None = None,
        disclosure: str | None = None,
        today: bool = False,
    ) -> Draft:
        """A document of `day` as registering it would store it: masked, its withheld passage
        set apart, approved and published (or due) as the profile says."""
        rng = self.rng
        title, summary, body = text or self.writer.text(doc_type, department, day)
        roll = rng.random() if disclosure is None else 1.0
        disclosure, legal_ground = disclosure or Disclosure.OPEN, ""
        if roll < CLOSED_SHARE and doc_type != DocumentType.DECISION:
            disclosure, legal_ground = Disclosure.CLOSED, rng.choice(self.grounds)
        elif roll < CLOSED_SHARE + PARTIAL_SHARE and doc_type != DocumentType.DECISION:
            passage, legal_ground = self.writer.withheld(doc_type)
            disclosure = Disclosure.PARTIAL
            body += f" [[withheld:{legal_ground}]]{passage}[[/withheld]] 이상입니다."
        prepared = services.prepare_text(
            title=title, summary=summary, body=body, disclosure=disclosure, section=self.section
        )
        level = _weighted(rng, LEVEL_WEIGHTS)
        approved_at, produced_on = self._approval(day, today=today)
        publish_at = None
        if disclosure != Disclosure.CLOSED:
            publish_at = policies.publish_moment(
                approved_at=approved_at,
                level=level,
                from_level=self.from_level,
                delay=self.section.publish_delay,
                next_day_start=day_start(
                    timezone.localdate(approved_at, self.zone) + timedelta(days=1), self.zone
                ),
            )
        category = TYPE_CATEGORY.get(doc_type) or DEPARTMENT_CATEGORY.get(
            department.code, rng.choice(THEMES)
        )
        document = Document(
            number=number,
            doc_type=doc_type,
            department=department,
            approver_level=level,
            approver_title=_approver_title(department, level),
            category=self.categories.get(category),
            title=prepared.title[:300],
            summary=prepared.summary,
            body=prepared.body,
            disclosure=disclosure,
            legal_ground=legal_ground,
            produced_on=produced_on,
            approved_at=approved_at,
            publish_at=publish_at,
            published_at=publish_at if publish_at is not None and publish_at <= self.now else None,
            masked_count=prepared.masked_count,
        )
        tags = tuple(rng.sample(TAGS, rng.randint(1, 3)))
        return Draft(document, prepared.withheld, tags)

    def _approval(self, day: date, *, today: bool) -> tuple[datetime, date]:
        """When a document of `day` was approved (a few approved today: public tomorrow)."""
        rng = self.rng
        if rng.random() < TODAY_SHARE or today:
            earliest = day_start(self.today, self.zone) + timedelta(minutes=1)
            approved_at = max(self.now - timedelta(minutes=rng.randint(5, 300)), earliest)
            return approved_at, timezone.localdate(approved_at, self.zone)
        approved_at = day_start(day + timedelta(days=rng.randint(0, 3)), self.zone) + timedelta(
            hours=rng.randint(9, 17), minutes=rng.randint(0, 59)
        )
        return min(approved_at, self.now - timedelta(hours=1)), day


def _documents(drafting: Drafting, departments: list[Department], count: int) -> int:
    types = list(TYPE_WEIGHTS)
    stored = 0
    for start in range(0, count, BATCH):
        drafts = []
        for i in range(start, min(count, start + BATCH)):
            # Every type and every department is there even in a small demo.
            doc_type = types[i] if i < len(types) else _weighted(drafting.rng, TYPE_WEIGHTS)
            # Older first, so that ids grow with time as in a real registry.
            day = drafting.today - timedelta(days=int(DAYS_BACK * (1 - i / count)))
            drafts.append(
                drafting.draft(
                    number=f"{NUMBER_PREFIX}{day.year}-{i + 1:06d}",
                    doc_type=doc_type,
                    department=departments[i % len(departments)],
                    day=day,
                    # The newest one at least is approved today: public tomorrow.
                    today=i == count - 1,
                )
            )
        stored += len(_store(drafts, drafting.rng))
    return stored


def _approver_title(department: Department, level: int) -> str:
    if level < ApproverLevel.DEPUTY_MAYOR:
        return f"{department.name} {TITLES[level]}"
    if department.district_id is not None:
        return "부구청장" if level == ApproverLevel.DEPUTY_MAYOR else "구청장"
    return TITLES[level]


def _store(drafts: list[Draft], rng: random.Random) -> list[Document]:
    """One batch: documents, withheld passages, tags, a few related pairs, and the index of the
    public ones."""
    documents = Document.objects.bulk_create([d.document for d in drafts])
    WithheldPassage.objects.bulk_create(
        WithheldPassage(document=d.document, order=i, text=passage, legal_ground=ground)
        for d in drafts
        for i, (passage, ground) in enumerate(d.withheld)
    )
    names = sorted({name for d in drafts for name in d.tags})
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
    Document.tags.through.objects.bulk_create(
        Document.tags.through(document_id=d.document.pk, tag_id=tag_ids[name])
        for d in drafts
        for name in d.tags
    )
    pairs = set()
    for index, draft in enumerate(drafts[1:], start=1):
        if rng.random() < RELATED_SHARE:
            other = drafts[rng.randrange(0, index)].document
            pairs.add((draft.document.pk, other.pk))
            pairs.add((other.pk, draft.document.pk))
    through = Document.related.through
    through.objects.bulk_create(
        through(from_document_id=a, to_document_id=b) for a, b in sorted(pairs)
    )
    SearchChunk.objects.bulk_create(
        (
            chunk
            for document in documents
            if policies.is_public(document)
            for chunk in search_index.chunks_for(document, [])
        ),
        batch_size=BATCH,
    )
    return documents


def _documents_with_files(departments: list[Department], rng: random.Random) -> int:
    """A few documents registered as the desk and the import do, with PDF attachments (one of
    them withheld), so the document page has files to show."""
    now = timezone.now()
    items = (
        ("2026년 서울시 예산안 개요", "예산 총괄표와 분야별 세출 예산 개요입니다.", "budget", ()),
        ("한강 교량 정밀안전진단 결과 보고", "교량 12곳의 안전등급 평가 결과입니다.", "safety", ()),
        (
            "공공자전거 대여소 확충 용역 계약 결과",
            "대여소 300곳 추가 설치 용역의 계약 결과입니다.",
            "transport",
            ("입찰가격 산출 내역서",),
        ),
        (
            "기후동행카드 이용 현황 통계",
            "월별 이용 건수와 이용자 연령 분포입니다.",
            "transport",
            (),
        ),
    )
    by_code = {d.code: d for d in departments}
    made = 0
    for n, (title, summary, code, withheld) in enumerate(items, start=1):
        department = by_code.get(code, departments[0])
        uploads = [
            services.AttachmentUpload(
                SimpleUploadedFile(
                    f"{title}.pdf", sample_pdf([title, summary, "서울특별시 정보소통광장"])
                )
            )
        ]
        uploads += [
            services.AttachmentUpload(
                SimpleUploadedFile(f"{name}.pdf", sample_pdf([name, "비공개 자료"])),
                withheld=True,
                legal_ground="art9-1-7",
            )
            for name in withheld
        ]
        services.register_document(
            actor=None,
            fields=services.DocumentFields(
                number=f"{NUMBER_PREFIX}FILE-{n:03d}",
                doc_type=DocumentType.APPROVAL if not withheld else DocumentType.CONTRACT,
                department=department,
                approver_level=ApproverLevel.DIRECTOR,
                approver_title=f"{department.name} 국장",
                title=title,
                summary=summary,
                body=f"{summary} 자세한 내용은 붙임 PDF 파일을 참고하시기 바랍니다.",
                disclosure=Disclosure.PARTIAL if withheld else Disclosure.OPEN,
                legal_ground="art9-1-7" if withheld else "",
                produced_on=timezone.localdate(now) - timedelta(days=3 + n),
                approved_at=now - timedelta(days=2 + n),
                tags=("첨부파일", rng.choice(TAGS)),
                attachments=uploads,
            ),
            by_system=True,
        )
        made += 1
    return made


# --- meetings, data, requests --------------------------------------------------------------------


def _schedule(drafting: Drafting) -> list[datetime]:
    """When the demo meetings start: twice a week over four months, three today (one over, one
    under way, one to come) and a few in the days ahead."""
    now, zone, rng = drafting.now, drafting.zone, drafting.rng
    past = [
        day_start(drafting.today - timedelta(days=d), zone) + timedelta(hours=rng.choice((10, 14)))
        for d in range(120, 0, -3)
    ]
    today = [now - timedelta(hours=3), now - timedelta(minutes=30), now + timedelta(hours=3)]
    ahead = [
        day_start(drafting.today + timedelta(days=d), zone) + timedelta(hours=14) for d in (2, 5, 9)
    ]
    return past + today + ahead


def _meetings(city: City, drafting: Drafting, departments: list[Department]) -> tuple[int, int]:
    """Committees and their meetings: agendas with chapter marks, attendees by office, a linked
    video and a published record for each meeting held. Returns (meetings, of them today)."""
    rng, now = drafting.rng, drafting.now
    by_code = {d.code: d for d in departments}
    committees = Committee.objects.bulk_create(
        Committee(city=city, name=f"서울특별시 {name}", department=by_code.get(code), kind=kind)
        for name, code, kind in COMMITTEES
    )
    sequence = {committee.pk: rng.randint(100, 300) for committee in committees}
    meetings = []
    for index, starts in enumerate(_schedule(drafting)):
        committee = committees[index % len(committees)]
        sequence[committee.pk] += 1
        held = starts + timedelta(hours=2) <= now
        # One personnel meeting is closed (never listed publicly); the last one is called off.
        closed = index == 7
        status = MeetingStatus.HELD if held else MeetingStatus.SCHEDULED
        if starts > now + timedelta(days=8):
            status = MeetingStatus.CANCELLED
        meetings.append(
            Meeting(
                committee=committee,
                title=f"제{sequence[committee.pk]}회 {committee.name}",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2) if held else None,
                place=rng.choice(("서울시청 본관 대회의실", "서소문청사 회의실", "온라인 회의")),
                status=status,
                minutes=MINUTES if held and not closed else "",
                disclosure=Disclosure.CLOSED if closed else Disclosure.OPEN,
                legal_ground="art9-1-5" if closed else "",
            )
        )
    Meeting.objects.bulk_create(meetings)
    held = [m for m in meetings if m.status == MeetingStatus.HELD and m.disclosure == "open"]
    records = _store(
        [
            drafting.draft(
                number=f"{NUMBER_PREFIX}MEETING-{n:04d}",
                doc_type=DocumentType.MEETING,
                department=meeting.committee.department or departments[0],
                day=timezone.localdate(meeting.starts_at, drafting.zone),
                text=(
                    f"{meeting.title} 회의록",
                    f"{timezone.localdate(meeting.starts_at, drafting.zone):%Y년 %m월 %d일} "
                    f"열린 {meeting.title}의 회의록입니다.",
                    MINUTES,
                ),
                disclosure=Disclosure.OPEN,
            )
            for n, meeting in enumerate(held, start=1)
        ],
        rng,
    )
    for meeting, record in zip(held, records, strict=True):
        meeting.record = record
    Meeting.objects.bulk_update(held, ["record"])
    papers = list(
        Document.objects.filter(
            number__startswith=NUMBER_PREFIX, doc_type=DocumentType.APPROVAL
        ).values_list("pk", flat=True)[:200]
    )
    agenda, attendees, videos = [], [], []
    held_ids = {meeting.pk for meeting in held}
    for meeting in meetings:
        was_held, offset = meeting.pk in held_ids, 0
        for order in range(rng.randint(2, 5) if was_held else 1):
            agenda.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    number=f"제{order + 1}호",
                    title=f"{rng.choice(PROJECTS)} {rng.choice(('계획안', '변경안', '보고'))}",
                    result=rng.choice(RESULTS) if was_held else "",
                    video_offset_seconds=offset if was_held else None,
                    paper_id=rng.choice(papers) if papers and rng.random() < 0.5 else None,
                )
            )
            offset += rng.randint(600, 2400)
        if was_held:
            videos.append(
                VideoClip(
                    meeting=meeting,
                    title=f"{meeting.title} 회의 영상",
                    url=VIDEO_URL.format(pk=meeting.pk),
                    duration_seconds=offset + 300,
                )
            )
        department = meeting.committee.department
        attendees += [
            Attendee(meeting=meeting, role_title="위원장", is_chair=True),
            Attendee(meeting=meeting, role_title="부위원장"),
            *(Attendee(meeting=meeting, role_title="위원") for _ in range(rng.randint(3, 6))),
        ]
        if department is not None:
            attendees.append(
                Attendee(meeting=meeting, role_title=f"{department.name}장", department=department)
            )
    AgendaItem.objects.bulk_create(agenda)
    Attendee.objects.bulk_create(attendees)
    VideoClip.objects.bulk_create(videos)
    today = sum(
        1 for m in meetings if timezone.localdate(m.starts_at, drafting.zone) == drafting.today
    )
    return len(meetings), today


def _datasets(departments: list[Department], rng: random.Random) -> int:
    section = services.plaza_settings()
    licence = section.default_licence or (section.licences[0].code if section.licences else "")
    category = Category.objects.filter(city=current_city(), code="statistics").first()
    by_code = {d.code: d for d in departments}
    today = timezone.localdate()
    items = (
        ("seoul-bike-stations", "공공자전거 대여소 정보", "transport", "P1D"),
        ("public-parking-realtime", "공영주차장 실시간 주차 정보", "transport", "PT5M"),
        ("subway-ridership", "지하철역별 승하차 인원", "transport", "P1M"),
        ("public-wifi-locations", "공공와이파이 설치 위치", "information-planning", "P1M"),
        ("ev-chargers", "전기차 충전소 현황", "climate-environment", "P1W"),
        ("cooling-shelters", "무더위쉼터 위치", "safety", "P1Y"),
        ("population-by-district", "자치구별 주민등록 인구", "information-planning", "P3M"),
        ("budget-by-sector", "분야별 세출 예산", "budget", "P1Y"),
    )
    datasets = Dataset.objects.bulk_create(
        Dataset(
            name=name,
            title=title,
            notes=f"서울시 {title} 데이터입니다. 출처를 밝히고 자유롭게 이용하실 수 있습니다.",
            department=by_code.get(code, departments[0]),
            category=category,
            license_id=licence,
            frequency=frequency,
            temporal_start=today - timedelta(days=rng.randint(365, 3650)),
            temporal_end=today,
        )
        for name, title, code, frequency in items
    )
    resources = []
    for dataset in datasets:
        for order, (fmt, media_type) in enumerate(
            (("CSV", "text/csv"), ("JSON", "application/json"))[: rng.randint(1, 2)]
        ):
            resources.append(
                Resource(
                    dataset=dataset,
                    order=order,
                    name=f"{dataset.title} ({fmt})",
                    format=fmt,
                    media_type=media_type,
                    url=DATA_URL.format(name=dataset.name, file=f"data.{fmt.lower()}"),
                    size=rng.randint(10_000, 9_000_000),
                )
            )
    Resource.objects.bulk_create(resources)
    Tag.objects.bulk_create(
        [Tag(name=n) for n in ("공공데이터", "통계", "교통")], ignore_conflicts=True
    )
    tags = {t.name: t for t in Tag.objects.filter(name__in=("공공데이터", "통계", "교통"))}
    for dataset, (_name, _title, code, _frequency) in zip(datasets, items, strict=True):
        chosen = [tags["공공데이터"], tags["통계"]] + (
            [tags["교통"]] if code == "transport" else []
        )
        dataset.tags.set(chosen)
    return len(datasets)


def _requests(departments: list[Department], rng: random.Random) -> int:
    """Disclosure requests in every state, with their public history."""
    requester = account_selectors.user_by_email(CITIZEN)
    section = services.plaza_settings()
    now = timezone.now()
    closed = list(
        Document.objects.filter(number__startswith=NUMBER_PREFIX, disclosure=Disclosure.CLOSED)[:3]
    )
    items = (
        ("disclosure", "한강공원 매점 운영 계약서 사본", 2, RequestStatus.RECEIVED, ""),
        ("disclosure", "도로 굴착 복구공사 정산 내역", 9, RequestStatus.EXTENDED, ""),
        ("disclosure", "청사 에너지 사용량 월별 자료", 20, RequestStatus.DISCLOSED,
         "붙임과 같이 공개합니다."),
        ("disclosure", "재개발 구역 보상 협의 회의록", 25, RequestStatus.REFUSED,
         "의사결정 과정에 있는 정보로 비공개합니다."),
        ("question", "공공자전거 대여소 확충 계획 문의", 6, RequestStatus.ANSWERED,
         "올해 300곳을 추가할 계획입니다."),
        ("disclosure", "어린이보호구역 단속카메라 설치 현황", 22, RequestStatus.PARTLY_DISCLOSED,
         "설치 위치는 공개하고 장비 사양은 비공개합니다."),
    )  # fmt: skip
    made = 0
    for n, (kind, subject, days_ago, status, answer) in enumerate(items):
        received = now - timedelta(days=days_ago, hours=rng.randint(0, 8))
        extended = status == RequestStatus.EXTENDED
        due = timezone.localdate(received) + timedelta(
            days=section.request_deadline_days + (section.request_extension_days if extended else 0)
        )
        answered = status not in (RequestStatus.RECEIVED, RequestStatus.EXTENDED)
        # A request extended once (at day 8) is answered after the extension.
        extended_once = extended or status == RequestStatus.PARTLY_DISCLOSED
        answer_days = rng.randint(12, 16) if extended_once else rng.randint(3, 9)
        request = DisclosureRequest.objects.create(
            code=codes.encode(rng.getrandbits(40), digits=8),
            kind=RequestKind(kind),
            requester=requester,
            department=departments[(n * 7) % len(departments)],
            subject=subject,
            description=f"{subject}를 공개해 주시기 바랍니다.",
            document=closed[n] if n < len(closed) and kind == "disclosure" else None,
            status=status,
            received_at=received,
            due_on=due,
            extended=extended,
            answered_at=received + timedelta(days=answer_days) if answered else None,
            answer=answer,
        )
        events = [RequestEvent(request=request, status=RequestStatus.RECEIVED, at=received)]
        if extended_once:
            events.append(
                RequestEvent(
                    request=request,
                    status=RequestStatus.EXTENDED,
                    note="자료 검토에 시간이 더 필요하여 공개 여부 결정 기간을 연장합니다.",
                    at=received + timedelta(days=8),
                )
            )
        if answered:
            events.append(
                RequestEvent(request=request, status=status, note=answer, at=request.answered_at)
            )
        RequestEvent.objects.bulk_create(events)
        made += 1
    return made


# --- a PDF ---------------------------------------------------------------------------------------

# A Type0 font over Adobe-Korea1 with the UCS-2 encoding: readers supply the glyphs (as for any
# of the standard CJK fonts), and the ToUnicode map of the characters used makes the text
# extractable for search.
_CMAP_HEAD = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
    b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
    b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
)
_CMAP_TAIL = b"endcmap CMapName currentdict /CIDInit /ProcSet findresource pop end end"


def _to_unicode(text: str) -> bytes:
    codes = sorted({char.encode("utf-16-be").hex().upper() for char in text})
    blocks = []
    for start in range(0, len(codes), 100):  # at most 100 entries a block
        block = codes[start : start + 100]
        entries = "".join(f"<{code}> <{code}>\n" for code in block)
        blocks.append(f"{len(block)} beginbfchar\n{entries}endbfchar\n".encode())
    return _CMAP_HEAD + b"".join(blocks) + _CMAP_TAIL


def sample_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding `lines` as text (Korean included), for demo attachments, the
    import benchmark and tests. Characters outside the Basic Multilingual Plane are dropped."""
    lines = ["".join(c for c in line if ord(c) < 0x10000) for line in lines]
    text = b"".join(
        b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*\n" for line in lines
    )
    content = b"BT /F1 11 Tf 15 TL 56 780 Td\n" + text + b"ET"
    to_unicode = _to_unicode("".join(lines))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HYGoThic-Medium /Encoding /UniKS-UCS2-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HYGoThic-Medium "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Korea1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /HYGoThic-Medium /Flags 4 "
        b"/FontBBox [-6 -145 1003 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(to_unicode) + 1, to_unicode),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
