"""Demo reports for `hamkke demo`: a few hundred believable reports across the city, in every
status, filed and handled through the same services people use. Idempotent."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone

from hamkke.complaints import services
from hamkke.complaints.models import Complaint, ResponseTemplate, Status
from hamkke.complaints.selectors import active_categories
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import OutsideCity
from hamkke.core.models import City

DEMO_COUNT = 240

# Korean texts by category code; a city without them gets the English fallbacks below.
TEXTS_KO = {
    "road-damage": [
        "보도블록이 깨져서 걸려 넘어질 뻔했습니다.",
        "차도에 큰 구멍(포트홀)이 생겼어요.",
        "횡단보도 앞 아스팔트가 패여 물이 고입니다.",
    ],
    "illegal-parking": [
        "소화전 앞에 차량이 매일 주차되어 있습니다.",
        "어린이보호구역에 불법 주차 차량이 있어요.",
        "버스정류장 앞 불법 주정차로 버스가 못 섭니다.",
    ],
    "traffic-signal": ["보행자 신호등이 켜지지 않습니다.", "교통 표지판이 쓰러져 있어요."],
    "streetlight": ["골목 가로등이 며칠째 꺼져 있어 밤길이 어둡습니다.", "가로등이 깜빡거립니다."],
    "litter": [
        "공원 입구에 쓰레기가 무단 투기되어 있습니다.",
        "골목에 대형 폐기물이 버려져 있어요.",
    ],
    "bin-full": ["정류장 쓰레기통이 넘쳐서 주변이 지저분합니다."],
    "air-noise": ["공사장 소음이 밤늦게까지 계속됩니다.", "하수구 악취가 심합니다."],
    "broken-facility": [
        "놀이터 그네 줄이 끊어졌습니다.",
        "공원 벤치가 부서져 있어요.",
        "공중화장실 문이 잠기지 않습니다.",
    ],
    "unsafe-structure": ["옹벽에 금이 가고 흙이 흘러내립니다.", "간판이 떨어질 것처럼 흔들립니다."],
    "park-tree": ["가로수 가지가 부러져 인도를 막고 있습니다.", "공원 나무가 쓰러질 것 같아요."],
}
TEXT_EN = ["Reported from the street; please check.", "This has been a problem for days."]
ANSWERS_KO = [
    "현장을 확인하고 조치를 마쳤습니다. 신고해 주셔서 감사합니다.",
    "담당 부서에서 보수 공사를 완료했습니다.",
]
PLACES = [  # (lat, lon, address) spread over Seoul
    (37.5826, 126.9831, "종로구 북촌로 일대"),
    (37.5704, 126.9920, "종로구 종로3가"),
    (37.5636, 126.9975, "중구 을지로"),
    (37.5512, 126.9882, "중구 남산공원길"),
    (37.5443, 127.0557, "성동구 성수동"),
    (37.5172, 127.0473, "강남구 삼성동"),
    (37.4959, 127.0664, "강남구 대치동"),
    (37.5145, 127.1060, "송파구 잠실동"),
    (37.5556, 126.9236, "마포구 서교동"),
    (37.5663, 126.9019, "마포구 망원동"),
    (37.5260, 126.8963, "영등포구 당산동"),
    (37.4837, 126.9296, "관악구 신림동"),
    (37.6542, 127.0568, "노원구 상계동"),
    (37.6066, 127.0927, "중랑구 면목동"),
    (37.5894, 126.9185, "은평구 응암동"),
    (37.5384, 127.0823, "광진구 자양동"),
]


def seed() -> Iterator[str]:
    city = current_city()
    if Complaint.objects.filter(city=city).exists():
        yield "Complaints: demo reports already there."
        return
    _seed_templates(city)
    rng = random.Random(311)
    categories = active_categories(city)
    official = _demo_official(city)
    now = timezone.now()
    for _ in range(DEMO_COUNT):
        category = rng.choice(categories)
        lat, lon, address = rng.choice(PLACES)
        lat += rng.uniform(-0.004, 0.004)
        lon += rng.uniform(-0.004, 0.004)
        filed_at = now - timedelta(days=rng.uniform(0, 120), hours=rng.uniform(0, 23))
        texts = TEXTS_KO.get(category.code) if city.default_language == "ko" else None
        answers = {q["code"]: q["choices"][0] for q in category.questions if q["type"] == "choice"}
        try:
            complaint = services.file_complaint(
                category=category,
                latitude=lat,
                longitude=lon,
                address=address,
                description=rng.choice(texts or TEXT_EN),
                answers=answers,
                now=filed_at,
            )
        except OutsideCity:  # a jittered point fell in the river or out of town: skip it
            continue
        _advance(complaint, official, rng, filed_at)
    yield f"Complaints: {Complaint.objects.filter(city=city).count()} demo reports."


def _advance(complaint, official, rng, filed_at) -> None:
    """Walk part of the reports through the workflow, as the city would have."""
    roll = rng.random()
    if roll < 0.25 or official is None:
        return
    from hamkke.accounts.models import Membership, Role

    Membership.objects.get_or_create(
        user=official, department=complaint.department, defaults={"role": Role.MANAGER}
    )
    # Every step of a history lies in the past: a walk stops where its next step would not.
    now = timezone.now()
    step = filed_at + timedelta(hours=rng.uniform(2, 30))
    if step > now:
        return
    services.change_status(complaint=complaint, actor=official, status=Status.ACCEPTED, now=step)
    if roll < 0.45:
        return
    step += timedelta(days=rng.uniform(0.2, 2))
    if step > now:
        return
    services.change_status(complaint=complaint, actor=official, status=Status.IN_PROGRESS, now=step)
    if roll < 0.6:
        return
    step += timedelta(days=rng.uniform(0.5, complaint.category.sla_days * 1.5))
    if step > now:
        return
    if roll < 0.93:
        services.change_status(
            complaint=complaint,
            actor=official,
            status=Status.RESOLVED,
            public_note=rng.choice(ANSWERS_KO),
            now=step,
        )
    else:
        services.change_status(
            complaint=complaint,
            actor=official,
            status=Status.REJECTED,
            public_note="사유지 내 시설로 구청 관할이 아닙니다.",
            now=step,
        )


def _demo_official(city: City):
    from hamkke.accounts.models import User

    return User.objects.filter(email="official@demo.hamkke.kr").first()


def _seed_templates(city: City) -> None:
    ResponseTemplate.objects.get_or_create(
        city=city,
        title="조치 완료",
        status=Status.RESOLVED,
        defaults={"body": "현장을 확인하고 조치를 마쳤습니다. 신고해 주셔서 감사합니다."},
    )
    ResponseTemplate.objects.get_or_create(
        city=city,
        title="관할 아님",
        status=Status.REJECTED,
        defaults={
            "body": "해당 위치는 시 관할이 아니어서 처리할 수 없습니다. 관할 기관에 문의해 주세요."
        },
    )
