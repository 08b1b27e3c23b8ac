"""Demo places for `hamkke demo`, at Seoul's real scale: 1,600 public WiFi sites with 5,200
access points (the profile's install types, the four networks, installed 2012–2025), 390
phone-charger sites with 5,700 chargers (libraries, the arts centre, museums, community centres,
stations and 24-hour partners, with opening hours), Bukchon's facilities (tourist information,
public toilets, museums, craft workshops), its experience events and workshops, two visiting
routes through it, and chargers lent at 36 city events to 10,770 citizens in all; then the WiFi
coverage, computed once. Skipped when the demo WiFi sites are there.

Every point lies inside the loaded city's district outlines: points are drawn inside the
outlines (more of them in the central districts) and each row's district is the one
`district_index` finds for its own point. The registries are written with bulk_create, each
row's H3 cell and district computed as the services compute them; the few dozen facilities and
events, the lending records and the routes go through the services (their checks of hours and
links are the real ones). Bukchon's named places are at their public positions to about 100 m;
the other names are made up in the city's style (a district, a kind of place, a number)."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Membership, Role, User
from hamkke.core.city.selectors import current_city, district_index
from hamkke.core.geo import DistrictIndex, distance_m
from hamkke.core.models import City, District
from hamkke.places import nearby, routing, services
from hamkke.places.hours import parse_hours
from hamkke.places.models import AccessPoint, Layer, Place, Status

WIFI_SITES = 1_600
ACCESS_POINTS = 5_200
CHARGER_SITES = 390
CHARGERS = 5_700
LENDING_EVENTS = 36
LENDING_CITIZENS = 10_770
OFFICIAL = "official@demo.hamkke.kr"
FIRST_SITE = "DEMO-WIFI-00001"  # its presence means the demo is there
BOOKING = "https://bukchon.demo.hamkke.kr/book/"

# Central districts draw more sites per square kilometre (Jongno, Jung, Yongsan, Mapo,
# Yeongdeungpo, Seocho, Gangnam, Songpa); the rest in proportion to their area.
CENTRAL = {
    "11110": 3.0,
    "11140": 4.0,
    "11170": 1.6,
    "11440": 1.6,
    "11560": 1.6,
    "11650": 1.3,
    "11680": 1.6,
    "11710": 1.2,
}

# --- WiFi ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteKind:
    """An install type of the profile: its share of the sites, how many access points a site
    has beyond the first (weight), how they spread (`line`: along a street, spaced `step`
    metres; else scattered within `step` metres), whether indoors, and its names."""

    code: str
    share: float
    extra: float
    line: bool
    step: tuple[float, float]
    indoor: float
    names: tuple[tuple[str, str], ...]


SITE_KINDS = (
    SiteKind(
        code="street",
        share=0.24,
        extra=3.0,
        line=True,
        step=(120, 190),
        indoor=0.0,
        names=(
            ("{gu} 중심거리 {n}", "{gu_en} main street {n}"),
            ("{gu} 보행자거리 {n}", "{gu_en} pedestrian street {n}"),
            ("{gu} 먹자골목 {n}", "{gu_en} food alley {n}"),
            ("{gu} 문화의거리 {n}", "{gu_en} culture street {n}"),
            ("{gu} 역세권 거리 {n}", "{gu_en} station street {n}"),
        ),
    ),
    SiteKind(
        code="park",
        share=0.20,
        extra=3.0,
        line=False,
        step=(80, 260),
        indoor=0.0,
        names=(
            ("{gu} 근린공원 {n}", "{gu_en} neighbourhood park {n}"),
            ("{gu} 어린이공원 {n}", "{gu_en} children's park {n}"),
            ("{gu} 하천 산책로 {n}", "{gu_en} stream walk {n}"),
            ("{gu} 체육공원 {n}", "{gu_en} sports park {n}"),
            ("{gu} 쌈지공원 {n}", "{gu_en} pocket park {n}"),
        ),
    ),
    SiteKind(
        code="market",
        share=0.08,
        extra=2.5,
        line=True,
        step=(55, 80),
        indoor=0.1,
        names=(
            ("{gu} 전통시장 {n}", "{gu_en} traditional market {n}"),
            ("{gu} 골목시장 {n}", "{gu_en} alley market {n}"),
            ("{gu} 중앙시장 {n}", "{gu_en} central market {n}"),
        ),
    ),
    SiteKind(
        code="culture",
        share=0.12,
        extra=1.5,
        line=False,
        step=(20, 60),
        indoor=0.7,
        names=(
            ("{gu} 문화회관 {n}", "{gu_en} arts hall {n}"),
            ("{gu} 관광안내소 {n}", "{gu_en} tourist information {n}"),
            ("{gu} 역사문화공간 {n}", "{gu_en} heritage space {n}"),
            ("{gu} 생활문화센터 {n}", "{gu_en} culture centre {n}"),
        ),
    ),
    SiteKind(
        code="transport",
        share=0.20,
        extra=0.6,
        line=True,
        step=(25, 45),
        indoor=0.0,
        names=(
            ("{gu} 버스정류소 {n}", "{gu_en} bus stop {n}"),
            ("{gu} 중앙차로 정류장 {n}", "{gu_en} median bus stop {n}"),
            ("{gu} 환승센터 {n}", "{gu_en} transfer centre {n}"),
        ),
    ),
    SiteKind(
        code="public",
        share=0.16,
        extra=1.2,
        line=False,
        step=(10, 30),
        indoor=0.8,
        names=(
            ("{gu} 주민센터 {n}", "{gu_en} community centre {n}"),
            ("{gu} 복지관 {n}", "{gu_en} welfare centre {n}"),
            ("{gu} 구립도서관 {n}", "{gu_en} district library {n}"),
            ("{gu} 보건소 {n}", "{gu_en} health centre {n}"),
        ),
    ),
)
# The network of a site: the city's own (자가망, built since 2020) or a telecom company's.
NETWORKS = (("자가망", 44), ("KT", 21), ("SKT", 18), ("LGU+", 17))
# Install years, more in recent years (the city's own network grew after 2020).
YEARS = tuple(range(2012, 2026))
YEAR_WEIGHTS = (2, 2, 3, 3, 4, 4, 5, 5, 7, 9, 10, 10, 9, 8)
# The open network and the encrypted one (WPA2-Enterprise) each access point broadcasts.
SSIDS = ("Seoul_Free_WiFi", "Seoul_Secure")
ROADS = ("{gu}로{n}길", "{gu}대로{n}길", "{gu}중앙로", "{gu}시장길", "{gu}공원로{n}길")

# --- chargers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargerKind:
    """A kind of charger site: how many, its kind code, chargers per site, its hours (one is
    drawn for each site), its partner (who runs it) and its names."""

    kind: str
    sites: int
    chargers: tuple[int, int]
    hours: tuple[str, ...]
    partner: str
    names: tuple[tuple[str, str], ...]


CHARGER_KINDS = (
    ChargerKind(
        kind="library",
        sites=150,
        chargers=(8, 20),
        hours=(
            "Tu-Fr 09:00-22:00; Sa,Su 09:00-17:00; Mo off",
            "Tu-Su 09:00-18:00; Mo off",
            "Mo-Fr 07:00-22:00; Sa 09:00-18:00; Su off",
        ),
        partner="{district}립도서관",
        names=(
            ("{gu}구립 {word}도서관", "{gu_en} {word_en} Library"),
            ("{gu} 작은도서관 {n}", "{gu_en} small library {n}"),
            ("{gu} 어린이도서관 {n}", "{gu_en} children's library {n}"),
        ),
    ),
    ChargerKind(
        kind="museum",
        sites=37,
        chargers=(10, 28),
        hours=("Tu-Fr 09:00-21:00; Sa,Su 10:00-19:00; Mo off", "Tu-Su 10:00-18:00; Mo off"),
        partner="서울시립미술관·박물관 협력관",
        names=(
            ("{gu} 구립미술관 {n}", "{gu_en} district gallery {n}"),
            ("{gu} 역사관 {n}", "{gu_en} history hall {n}"),
            ("{gu} 생활사박물관 {n}", "{gu_en} museum of everyday life {n}"),
        ),
    ),
    ChargerKind(
        kind="community",
        sites=122,
        chargers=(6, 12),
        hours=("Mo-Fr 09:00-18:00", "Mo-Fr 09:00-18:00; Sa 09:00-13:00"),
        partner="{district}청",
        names=(("{gu} {n}동 주민센터", "{gu_en} {n}-dong community centre"),),
    ),
    # Stations open past midnight.
    ChargerKind(
        kind="transport",
        sites=60,
        chargers=(15, 30),
        hours=("Mo-Su 05:30-01:00", "Mo-Fr 05:30-01:00; Sa,Su 05:30-24:00"),
        partner="서울교통공사",
        names=(("{gu} 지하철역 {n} 고객안내센터", "{gu_en} subway station {n} customer centre"),),
    ),
    ChargerKind(
        kind="culture",
        sites=18,
        chargers=(4, 8),
        hours=("24/7",),
        partner="서울시 24시 안심충전 협력점",
        names=(("{gu} 24시 안심충전소 {n}", "{gu_en} 24-hour charging point {n}"),),
    ),
)
# The city's own cultural venues, at their public positions (to about 100 m): the arts centre
# and two city museums. (name, English, latitude, longitude, kind, chargers, hours, partner)
NAMED_CHARGERS = (
    (
        "세종문화회관",
        "Sejong Center for the Performing Arts",
        37.5725,
        126.9757,
        "culture",
        60,
        "Mo-Su 09:00-23:00",
        "세종문화회관",
    ),
    (
        "서울역사박물관",
        "Seoul Museum of History",
        37.5705,
        126.9702,
        "museum",
        30,
        "Tu-Fr 09:00-20:00; Sa,Su 09:00-19:00; Mo off",
        "서울역사박물관",
    ),
    (
        "서울시립미술관 서소문본관",
        "Seoul Museum of Art, Seosomun",
        37.5641,
        126.9737,
        "museum",
        28,
        "Tu-Fr 10:00-20:00; Sa,Su 10:00-19:00; Mo off",
        "서울시립미술관",
    ),
)
LIBRARY_WORDS = (
    ("푸른", "Pureun"),
    ("꿈마루", "Kkummaru"),
    ("해오름", "Haeoreum"),
    ("느티나무", "Neutinamu"),
    ("별빛", "Byeolbit"),
    ("한울", "Hanul"),
    ("솔빛", "Solbit"),
    ("새싹", "Saessak"),
    ("청소년", "Youth"),
    ("책마루", "Chaengmaru"),
)
CHARGER_PLUGS = ("USB-C, 8핀(Lightning), 5핀(Micro USB)", "USB-C, 8핀(Lightning)")

# --- Bukchon -----------------------------------------------------------------------------------

# Bukchon Hanok Village, Jongno-gu: its named facilities at their public positions (to about
# 100 m). (ref, kind, name, English, latitude, longitude, hours)
BUKCHON_PLACES = (
    ("BC-INFO-1", "tourist-info", "북촌 관광안내소", "Bukchon Tourist Information Center",
     37.5792, 126.9853, "Mo-Su 10:00-17:00"),
    ("BC-INFO-2", "tourist-info", "북촌문화센터", "Bukchon Traditional Culture Center",
     37.5807, 126.9852, "Mo-Sa 09:00-18:00; Su off"),
    ("BC-INFO-3", "tourist-info", "삼청동 관광안내소", "Samcheong-dong Tourist Information",
     37.5829, 126.9815, "Mo-Su 10:00-18:00"),
    ("BC-MUS-1", "museum", "가회민화박물관", "Gahoe Museum",
     37.5822, 126.9860, "Tu-Su 10:00-18:00; Mo off"),
    ("BC-MUS-2", "museum", "한상수자수박물관", "Han Sang-su Embroidery Museum",
     37.5834, 126.9862, "Tu-Sa 10:00-17:00; Su,Mo off"),
    ("BC-MUS-3", "museum", "북촌생활사박물관", "Bukchon Museum of Life History",
     37.5846, 126.9840, "Mo-Su 10:00-18:00"),
    ("BC-MUS-4", "museum", "동림매듭박물관", "Dong-lim Knot Museum",
     37.5816, 126.9853, "Tu-Su 10:00-18:00; Mo off"),
    ("BC-MUS-5", "museum", "서울교육박물관", "Seoul Museum of Education",
     37.5793, 126.9832, "Mo-Fr 09:00-18:00; Sa 09:00-17:00; Su off"),
    ("BC-MUS-6", "museum", "국립현대미술관 서울", "MMCA Seoul",
     37.5787, 126.9800, "Mo,Tu,Th,Fr,Su 10:00-18:00; We,Sa 10:00-21:00"),
    ("BC-LIB-1", "library", "정독도서관", "Jeongdok Public Library",
     37.5813, 126.9836, "Tu-Su 07:00-22:00; Mo off"),
    ("BC-COM-1", "community", "가회동 주민센터", "Gahoe-dong Community Centre",
     37.5824, 126.9849, "Mo-Fr 09:00-18:00"),
)  # fmt: skip
# Public toilets and craft workshops of Bukchon (positions spread over the village).
BUKCHON_TOILETS = (
    ("가회동", "Gahoe-dong", "24/7"),
    ("계동", "Gye-dong", "24/7"),
    ("삼청동", "Samcheong-dong", "06:00-23:00"),
    ("원서동", "Wonseo-dong", "06:00-23:00"),
    ("재동", "Jae-dong", "24/7"),
    ("안국동", "Anguk-dong", "06:00-22:00"),
)
BUKCHON_WORKSHOPS = (
    ("한지공방 한결", "Hangyeol Hanji Workshop", "Tu-Su 10:00-18:00; Mo off"),
    ("가회 매듭공방", "Gahoe Knot Workshop", "We-Su 11:00-19:00; Mo,Tu off"),
    ("계동 자수공방", "Gye-dong Embroidery Studio", "Mo-Sa 10:00-17:00; Su off"),
    ("원서동 옻칠공방", "Wonseo-dong Lacquer Studio", "Tu-Sa 10:00-18:00"),
    ("삼청 도자기공방", "Samcheong Pottery Studio", "Tu-Su 10:00-19:00; Mo off"),
    ("북촌 금속공예방", "Bukchon Metalcraft Studio", "Th-Mo 11:00-18:00"),
    ("가회동 규방공예", "Gahoe-dong Gyubang Crafts", "Tu-Sa 10:00-17:00"),
    ("북촌 전통주 공방", "Bukchon Traditional Liquor Workshop", "We-Su 13:00-21:00"),
    ("계동 나전칠기 공방", "Gye-dong Mother-of-pearl Studio", "Tu-Sa 10:00-18:00"),
    ("북촌 민화공방", "Bukchon Folk Painting Studio", "Tu-Su 10:00-18:00; Mo off"),
    ("북촌 천연염색 공방", "Bukchon Natural Dye Studio", "Mo-Sa 10:00-18:00; Su off"),
    ("삼청 목공방", "Samcheong Woodcraft Studio", "Fr-Mo 10:00-18:00"),
    ("북촌 한복공방", "Bukchon Hanbok Studio", "Mo-Su 09:30-19:30"),
    ("가회 서예공방", "Gahoe Calligraphy Studio", "Tu-Sa 10:00-17:00"),
)
# Where toilets and workshops go: Bukchon's streets, from Anguk station up to Samcheong.
BUKCHON_BOX = ((37.5785, 126.9815), (37.5850, 126.9875))

# Experience events and workshops: (ref, kind, title, English, venue ref, languages, what).
# A workshop repeats (its hours) from two weeks ago for three months; an event is one evening
# or a few days, `days` from today at `hour` for `length` hours.
WORKSHOPS = (
    ("EV-W1", "한지 부채 만들기", "Making a hanji fan", "BC-WS-01", "ko,en,zh,ja",
     "Tu-Sa 10:00-12:00,14:00-16:00"),
    ("EV-W2", "매듭 팔찌 만들기", "Knotted bracelet workshop", "BC-WS-02", "ko,en,ja",
     "We-Su 11:00-13:00,15:00-17:00"),
    ("EV-W3", "전통 자수 손수건", "Embroidered handkerchief", "BC-WS-03", "ko,en",
     "Mo,We,Fr 14:00-16:30"),
    ("EV-W4", "옻칠 젓가락 만들기", "Lacquered chopsticks", "BC-WS-04", "ko,en,zh",
     "Tu,Th,Sa 10:30-12:30"),
    ("EV-W5", "도자기 물레 체험", "Pottery wheel experience", "BC-WS-05", "ko,en,zh,ja",
     "Tu-Su 10:00-11:30,13:00-14:30,16:00-17:30"),
    ("EV-W6", "조각보 코스터 만들기", "Jogakbo patchwork coasters", "BC-WS-07", "ko,ja",
     "Tu-Sa 14:00-16:00"),
    ("EV-W7", "전통주 빚기", "Brewing makgeolli", "BC-WS-08", "ko,en",
     "Fr 19:00-21:00; Sa,Su 15:00-17:00"),
    ("EV-W8", "민화 그리기", "Folk painting (minhwa)", "BC-MUS-1", "ko,en,zh,ja",
     "Tu-Su 10:30-12:00,14:00-15:30"),
    ("EV-W9", "천연 염색 손수건", "Natural dyeing", "BC-WS-11", "ko,en,zh",
     "Mo-Sa 10:00-12:00"),
    ("EV-W10", "다도 체험", "Korean tea ceremony", "BC-INFO-2", "ko,en,ja",
     "Tu,Th,Sa 14:00-15:00"),
    ("EV-W11", "한복 입고 북촌 걷기", "Bukchon walk in hanbok", "BC-WS-13", "ko,en,zh,ja",
     "Mo-Su 10:00-17:00"),
    ("EV-W12", "서예로 이름 쓰기", "Your name in calligraphy", "BC-WS-14", "ko,en,zh",
     "Tu-Sa 11:00-12:00,15:00-16:00"),
)  # fmt: skip
EVENTS = (
    ("EV-E1", "performance", "북촌 한옥 음악회", "Hanok concert in Bukchon", "BC-INFO-2",
     "ko,en", 9, 19, 2),
    ("EV-E2", "tour", "북촌 야간 한옥 투어", "Bukchon by night: a guided walk", "BC-INFO-1",
     "ko,en,zh,ja", 4, 19, 2),
    ("EV-E3", "talk", "정독도서관 북콘서트", "Book concert at Jeongdok Library", "BC-LIB-1",
     "ko", 16, 19, 2),
    ("EV-E4", "talk", "큐레이터와 함께 보는 전시", "Gallery talk with a curator", "BC-MUS-6",
     "ko,en", 6, 14, 1),
    ("EV-E5", "festival", "북촌 공예 주간", "Bukchon craft week", "BC-INFO-1",
     "ko,en,zh,ja", 21, 10, 24 * 4 + 8),
    ("EV-E6", "performance", "가회동 골목 국악 공연", "Gugak in the alleys of Gahoe-dong",
     "BC-COM-1", "ko,en,ja", 12, 17, 1),
    ("EV-E7", "tour", "북촌 8경 해설 산책", "The eight views of Bukchon, with a guide",
     "BC-INFO-3", "ko,en,zh", 2, 10, 2),
    ("EV-E8", "experience", "전통 혼례 재현", "A traditional wedding, re-enacted", "BC-INFO-2",
     "ko,en,zh,ja", 27, 13, 2),
)  # fmt: skip
# Bukchon's eight views (북촌 8경), the way the village's walking map numbers them (to about
# 50 m).
EIGHT_VIEWS = (
    ("1경 창덕궁 전경", 37.5800, 126.9878),
    ("2경 원서동 공방길", 37.5817, 126.9884),
    ("3경 가회동 11번지 일대", 37.5812, 126.9858),
    ("4경 가회동 31번지 언덕", 37.5830, 126.9848),
    ("5경 가회동 골목길 (내리막)", 37.5825, 126.9842),
    ("6경 가회동 골목길 (오르막)", 37.5822, 126.9836),
    ("7경 가회동 31번지", 37.5827, 126.9832),
    ("8경 삼청동 돌계단길", 37.5838, 126.9818),
)

# --- lending at city events ---------------------------------------------------------------------

# Seoul's city events where chargers were lent: (name, venue, district code, month, day, size).
LENDING = (
    ("서울장미축제", "중랑천 장미터널", "11260", 5, 18, 5),
    ("서울빛초롱축제", "청계천 일대", "11140", 12, 8, 6),
    ("한강 여름축제", "여의도 한강공원", "11560", 7, 27, 4),
    ("서울거리예술축제", "서울광장", "11140", 10, 5, 5),
    ("서울세계불꽃축제", "여의도 한강공원", "11560", 10, 5, 9),
    ("서울김장문화제", "광화문광장", "11110", 11, 10, 3),
    ("서울재즈페스티벌", "올림픽공원", "11710", 5, 26, 4),
    ("광화문 책마당", "광화문광장", "11110", 9, 14, 2),
    ("서울라이트 DDP", "동대문디자인플라자", "11140", 12, 20, 3),
    ("서울 밤도깨비 야시장", "반포 한강공원", "11650", 8, 10, 3),
    ("서울드럼페스티벌", "노들섬", "11170", 9, 28, 2),
    ("서울국제정원박람회", "뚝섬 한강공원", "11200", 5, 19, 3),
)
LENDING_YEARS = (2023, 2024, 2025)


def seed() -> Iterator[str]:
    """The demo places. Idempotent: skipped when the first demo WiFi site exists."""
    city = current_city()
    if Place.objects.filter(city=city, layer=Layer.WIFI_SITES, ref=FIRST_SITE).exists():
        yield "Places: demo places already there."
        return
    started = time.monotonic()
    rng = random.Random(2012)  # the year Seoul's public WiFi began
    picker = PointPicker(city, np.random.default_rng(2012))
    with transaction.atomic():
        official = _seat_official(city)
        sites, points = _wifi(city, picker, rng)
        chargers = _chargers(city, picker, rng)
        bukchon = _bukchon(city, official, rng)
        events = _events(city, official, bukchon)
        routes = _routes(city, official, bukchon)
        lent = _lending(city, official, rng)
    loaded = time.monotonic() - started
    coverage = services.recompute_coverage(city=city)
    seconds = time.monotonic() - started
    yield (
        f"Places: {sites:,} WiFi sites with {points:,} access points, {chargers[0]} charger "
        f"sites with {chargers[1]:,} chargers, {len(bukchon)} Bukchon facilities, {events} "
        f"events and workshops, {routes} routes, chargers lent at {lent[0]} events to "
        f"{lent[1]:,} citizens in {loaded:.1f} s; WiFi coverage {coverage.share:.2%} of "
        f"{coverage.area_km2:,.2f} km² ({coverage.covered_km2:,.2f} km²) in "
        f"{seconds - loaded:.1f} s."
    )
    if official is not None:
        yield f"  {OFFICIAL} keeps the places registries (/places/desk/)."


def _seat_official(city: City) -> User | None:
    """The demo official handles the registries in the department that keeps them (so the
    desk has someone to show); the lending and routes are recorded in their name."""
    official = account_selectors.user_by_email(OFFICIAL)
    keeper = services.keeper_of(city)
    if official is None or keeper is None:
        return None
    membership, created = Membership.objects.get_or_create(
        user=official, department=keeper, defaults={"role": Role.MANAGER}
    )
    if not created and membership.role < Role.HANDLER:
        Membership.objects.filter(pk=membership.pk).update(role=Role.MANAGER)
    return official


# --- points inside the districts ---------------------------------------------------------------


class PointPicker:
    """Points inside the city's district outlines, and the district `district_index` finds
    for a point (what the services store). The benchmarks draw their points with it too."""

    def __init__(self, city: City, generator: np.random.Generator):
        self.index: DistrictIndex = district_index(city)
        self.generator = generator
        self.districts = {d.code: d for d in District.objects.filter(city=city)}
        self.shapes = {s.code: s.geometry for s in self.index.shapes()}
        for outline in self.shapes.values():
            shapely.prepare(outline)
        self.codes = sorted(c for c in self.shapes if c in self.districts)

    def weights(self, central: dict[str, float]) -> list[float]:
        return [self.districts[c].area_km2 * central.get(c, 1.0) for c in self.codes]

    def inside(self, code: str, count: int) -> list[tuple[float, float]]:
        """`count` points (latitude, longitude) uniformly inside one district's outline."""
        outline = self.shapes[code]
        west, south, east, north = outline.bounds
        found: list[tuple[float, float]] = []
        while len(found) < count:
            lon = self.generator.uniform(west, east, 4 * count)
            lat = self.generator.uniform(south, north, 4 * count)
            keep = shapely.contains_xy(outline, lon, lat)
            found += list(zip(lat[keep].tolist(), lon[keep].tolist(), strict=True))
        return found[:count]

    def points(
        self, count: int, weights: Sequence[float], rng: random.Random
    ) -> list[tuple[str, float, float]]:
        """`count` points over the districts drawn by `weights`, shuffled: (district code,
        latitude, longitude)."""
        drawn = Counter(rng.choices(self.codes, weights=weights, k=count))
        found = [
            (code, lat, lon) for code in self.codes for lat, lon in self.inside(code, drawn[code])
        ]
        rng.shuffle(found)
        return found

    def district_of(self, latitude: float, longitude: float) -> District | None:
        code = self.index.district_of(latitude, longitude)
        return None if code is None else self.districts.get(code)


def _moved(latitude: float, longitude: float, north_m: float, east_m: float) -> tuple[float, float]:
    return (
        latitude + north_m / 111_320,
        longitude + east_m / (111_320 * math.cos(math.radians(latitude))),
    )


def _names(district: District) -> dict[str, str]:
    """The district's name as place names use it ("종로구" → "종로"; "중구" stays whole)."""
    short = district.name[:-1] if len(district.name) > 2 and district.name.endswith("구") else ""
    english = district.name_en.removesuffix("-gu") if short else district.name_en
    return {"gu": short or district.name, "gu_en": english or district.code}


class _Numbers:
    """Numbers each name template counts by, per district."""

    def __init__(self):
        self.counts: Counter = Counter()

    def name(self, template: tuple[str, str], district: District, **extra: str) -> tuple[str, str]:
        self.counts[(template, district.code)] += 1
        values = _names(district) | {"n": str(self.counts[(template, district.code)])} | extra
        return template[0].format(**values), template[1].format(**values)


def _address(district: District, rng: random.Random) -> str:
    road = rng.choice(ROADS).format(gu=_names(district)["gu"], n=rng.randint(1, 40))
    return f"서울특별시 {district.name} {road} {rng.randint(1, 180)}"


# --- WiFi ------------------------------------------------------------------------------------


def _ap_counts(kinds: list[SiteKind], rng: random.Random) -> list[int]:
    """Access points per site: one each, the rest drawn by their kind's weight."""
    counts = [1] * len(kinds)
    weights = [kind.extra for kind in kinds]
    for index in rng.choices(range(len(kinds)), weights=weights, k=ACCESS_POINTS - len(kinds)):
        counts[index] += 1
    return counts


def _ap_offsets(kind: SiteKind, count: int, rng: random.Random) -> list[tuple[float, float]]:
    """Where a site's access points stand from its centre (north, east in metres): along a
    street or a market alley, or scattered over a park or a building."""
    if kind.line:
        bearing = rng.uniform(0, math.pi)
        step = rng.uniform(*kind.step)
        first = -(count - 1) / 2
        return [
            ((first + i) * step * math.cos(bearing), (first + i) * step * math.sin(bearing))
            for i in range(count)
        ]
    reach = rng.uniform(*kind.step)
    offsets = [(0.0, 0.0)]
    for _ in range(count - 1):
        distance, angle = reach * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        offsets.append((distance * math.cos(angle), distance * math.sin(angle)))
    return offsets


def _wifi(city: City, picker: PointPicker, rng: random.Random) -> tuple[int, int]:
    kinds = rng.choices(SITE_KINDS, weights=[k.share for k in SITE_KINDS], k=WIFI_SITES)
    centres = picker.points(WIFI_SITES, picker.weights(CENTRAL), rng)
    numbers = _Numbers()
    now = timezone.now()
    networks, network_weights = zip(*NETWORKS, strict=True)
    sites = []
    for number, (kind, (_code, lat, lon)) in enumerate(zip(kinds, centres, strict=True), 1):
        district = picker.district_of(lat, lon)
        name, name_en = numbers.name(rng.choice(kind.names), district)
        network = rng.choices(networks, weights=network_weights)[0]
        year = rng.choices(YEARS, weights=YEAR_WEIGHTS)[0]
        operator = (
            "서울특별시" if network == "자가망" or rng.random() < 0.6 else f"{district.name}청"
        )
        indoor = rng.random() < kind.indoor
        sites.append(
            Place(
                city=city,
                layer=Layer.WIFI_SITES,
                ref=f"DEMO-WIFI-{number:05d}",
                name=name,
                name_en=name_en,
                kind=kind.code,
                address=_address(district, rng),
                operator=operator,
                network=network,
                install_year=year,
                indoor=indoor,
                status=Status.REPAIR if rng.random() < 0.01 else Status.ACTIVE,
                latitude=lat,
                longitude=lon,
                cell=nearby.cell_of(lat, lon),
                district=district,
                updated_at=now,
            )
        )
    Place.objects.bulk_create(sites, batch_size=500)
    points, serial = [], 0
    for site, kind, count in zip(sites, kinds, _ap_counts(kinds, rng), strict=True):
        for north, east in _ap_offsets(kind, count, rng):
            lat, lon = _moved(site.latitude, site.longitude, north, east)
            district = picker.district_of(lat, lon)
            if district is None:  # past the city's edge: at the site itself
                lat, lon, district = site.latitude, site.longitude, site.district
            serial += 1
            points.append(
                AccessPoint(
                    city=city,
                    site=site,
                    ref=f"DEMO-AP-{serial:05d}",
                    ssid=SSIDS[serial % 2],
                    provider=site.network,
                    operator=site.operator,
                    install_type=kind.code,
                    indoor=site.indoor,
                    install_year=rng.randint(site.install_year, min(site.install_year + 3, 2025)),
                    status=site.status,
                    latitude=lat,
                    longitude=lon,
                    cell=nearby.cell_of(lat, lon),
                    district=district,
                    updated_at=now,
                )
            )
    AccessPoint.objects.bulk_create(points, batch_size=1000)
    return len(sites), len(points)


# --- chargers ---------------------------------------------------------------------------------


def _charger_counts(ranges: list[tuple[int, int]], fixed: int, rng: random.Random) -> list[int]:
    """Chargers per drawn site, within each site's range, adding up with the `fixed` named
    sites' to CHARGERS (the surplus or shortfall taken off or added one at a time)."""
    counts = [rng.randint(low, high) for low, high in ranges]
    gap = CHARGERS - fixed - sum(counts)
    while gap:
        index = rng.randrange(len(counts))
        step = 1 if gap > 0 else -1
        if counts[index] + step >= 1:
            counts[index] += step
            gap -= step
    return counts


def _chargers(city: City, picker: PointPicker, rng: random.Random) -> tuple[int, int]:
    numbers = _Numbers()
    now = timezone.now()
    drawn = [kind for kind in CHARGER_KINDS for _ in range(kind.sites)]
    # Libraries and community centres are everywhere: weighted by area, centre a little more.
    mild = {code: 1 + (factor - 1) / 3 for code, factor in CENTRAL.items()}
    centres = picker.points(len(drawn), picker.weights(mild), rng)
    fixed = sum(spec[5] for spec in NAMED_CHARGERS)
    counts = _charger_counts([kind.chargers for kind in drawn], fixed, rng)
    rows = []
    for number, (kind, (_code, lat, lon), count) in enumerate(
        zip(drawn, centres, counts, strict=True), 1
    ):
        district = picker.district_of(lat, lon)
        word, word_en = rng.choice(LIBRARY_WORDS)
        name, name_en = numbers.name(rng.choice(kind.names), district, word=word, word_en=word_en)
        rows.append(
            _charger(
                city,
                f"DEMO-CH-{number:04d}",
                (name, name_en, lat, lon, kind.kind, count, rng.choice(kind.hours)),
                kind.partner.format(district=district.name),
                district,
                rng,
                now,
            )
        )
    for number, (name, name_en, lat, lon, kind, count, hours, partner) in enumerate(
        NAMED_CHARGERS, len(rows) + 1
    ):
        district = picker.district_of(lat, lon)
        rows.append(
            _charger(
                city,
                f"DEMO-CH-{number:04d}",
                (name, name_en, lat, lon, kind, count, hours),
                partner,
                district,
                rng,
                now,
            )
        )
    Place.objects.bulk_create(rows, batch_size=500)
    return len(rows), sum(row.charger_count for row in rows)


def _charger(
    city: City,
    ref: str,
    spec: tuple[str, str, float, float, str, int, str],
    partner: str,
    district: District,
    rng: random.Random,
    now: datetime,
) -> Place:
    name, name_en, lat, lon, kind, count, hours = spec
    parse_hours(hours)  # the services' check: a demo with unreadable hours must not start
    return Place(
        city=city,
        layer=Layer.CHARGERS,
        ref=ref,
        name=name,
        name_en=name_en,
        kind=kind,
        address=_address(district, rng),
        hours=hours,
        phone=f"02-{rng.randint(2000, 3999)}-{rng.randint(0, 9999):04d}",
        operator=partner,
        indoor=True,
        charger_count=count,
        charger_kinds=rng.choice(CHARGER_PLUGS),
        latitude=lat,
        longitude=lon,
        cell=nearby.cell_of(lat, lon),
        district=district,
        updated_at=now,
    )


# --- Bukchon: facilities, events, routes (through the services) ------------------------------


def _bukchon(city: City, official: User | None, rng: random.Random) -> dict[str, Place]:
    """Bukchon's facilities by ref: the named ones, then toilets and workshops spread over the
    village's streets."""
    (south, west), (north, east) = BUKCHON_BOX
    specs = list(BUKCHON_PLACES)
    for number, (dong, dong_en, hours) in enumerate(BUKCHON_TOILETS, 1):
        specs.append(
            (
                f"BC-WC-{number}",
                "toilet",
                f"{dong} 공중화장실",
                f"Public toilet, {dong_en}",
                rng.uniform(south, north),
                rng.uniform(west, east),
                hours,
            )
        )
    for number, (name, name_en, hours) in enumerate(BUKCHON_WORKSHOPS, 1):
        specs.append(
            (
                f"BC-WS-{number:02d}",
                "workshop",
                f"북촌 {name}" if not name.startswith("북촌") else name,
                name_en,
                rng.uniform(south, north),
                rng.uniform(west, east),
                hours,
            )
        )
    places = {}
    for ref, kind, name, name_en, lat, lon, hours in specs:
        place, _created = services.save_place(
            actor=official,
            layer=Layer.FACILITIES,
            city=city,
            values={
                "ref": f"DEMO-{ref}",
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "latitude": lat,
                "longitude": lon,
                "hours": hours,
                "address": f"서울특별시 종로구 북촌로{rng.randint(1, 12)}길 {rng.randint(1, 90)}",
                "operator": "종로구청" if kind in ("toilet", "community") else name,
                "indoor": kind != "toilet",
            },
            recompute=False,
        )
        places[ref] = place
    return places


def _events(city: City, official: User | None, places: dict[str, Place]) -> int:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = [
        (ref, "workshop", title, title_en, venue, languages, hours,
         today - timedelta(days=14), today + timedelta(days=90, hours=23))
        for ref, title, title_en, venue, languages, hours in WORKSHOPS
    ] + [
        (ref, kind, title, title_en, venue, languages, "",
         today + timedelta(days=days, hours=hour),
         today + timedelta(days=days, hours=hour + length))
        for ref, kind, title, title_en, venue, languages, days, hour, length in EVENTS
    ]  # fmt: skip
    for ref, kind, title, title_en, venue, languages, hours, starts, ends in rows:
        place = places[venue]
        services.save_event(
            actor=official,
            city=city,
            values={
                "ref": f"DEMO-{ref}",
                "kind": kind,
                "title": title,
                "title_en": title_en,
                "description": f"{place.name}에서 열리는 {title}. 예약하고 오시면 바로 참여할 수 "
                "있습니다.",
                "venue": place.name,
                "address": place.address,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "starts_at": starts,
                "ends_at": ends,
                "hours": hours,
                "booking_url": f"{BOOKING}{ref.lower()}",
                "languages": languages,
            },
        )
    return len(rows)


def _routes(city: City, official: User | None, places: dict[str, Place]) -> int:
    """The eight views in their numbered order, and the crafts route: from the tourist
    information centre through the museums and workshops in the shortest walking order."""
    views = [services.StopDraft(name, lat, lon) for name, lat, lon in EIGHT_VIEWS]
    services.save_route(
        actor=official,
        city=city,
        values={
            "ref": "DEMO-ROUTE-8VIEWS",
            "name": "북촌 8경 산책길",
            "name_en": "The eight views of Bukchon",
            "description": "창덕궁이 내려다보이는 1경에서 삼청동 돌계단길 8경까지, 북촌의 한옥 "
            "골목을 따라 걷는 길입니다. 주민이 사는 마을이니 조용히 걸어 주세요.",
        },
        stops=views,
    )
    chosen = [
        places[ref]
        for ref in (
            "BC-INFO-1",
            "BC-MUS-4",
            "BC-WS-01",
            "BC-MUS-1",
            "BC-WS-03",
            "BC-MUS-2",
            "BC-WS-05",
            "BC-MUS-3",
        )
    ]
    table = [
        [distance_m(a.latitude, a.longitude, b.latitude, b.longitude) for b in chosen]
        for a in chosen
    ]
    order, _metres = routing.best_order(table, start=0)
    services.save_route(
        actor=official,
        city=city,
        values={
            "ref": "DEMO-ROUTE-CRAFTS",
            "name": "북촌 공방·박물관 길",
            "name_en": "Bukchon's workshops and museums",
            "description": "관광안내소에서 출발해 매듭·민화·자수 박물관과 한지·자수·도자기 "
            "공방을 가장 짧은 순서로 둘러봅니다.",
        },
        stops=[
            services.StopDraft(chosen[i].name, chosen[i].latitude, chosen[i].longitude, chosen[i])
            for i in order
        ],
    )
    return 2


# --- lending -----------------------------------------------------------------------------------


def _lending(city: City, official: User | None, rng: random.Random) -> tuple[int, int]:
    """Chargers lent at 36 city events (12 festivals over three years): the citizens served
    at each in proportion to the event's size, adding up to LENDING_CITIZENS."""
    events = [(year, spec) for year in LENDING_YEARS for spec in LENDING]
    weights = [spec[5] * rng.uniform(0.8, 1.2) for _year, spec in events]
    served = _apportion(LENDING_CITIZENS, weights)
    districts = {d.code: d for d in District.objects.filter(city=city)}
    for (year, (name, venue, code, month, day, _size)), citizens in zip(
        events, served, strict=True
    ):
        services.record_lending(
            actor=official,
            city=city,
            event_name=f"{year} {name}",
            held_on=date(year, month, day),
            venue=venue,
            district=districts.get(code),
            # A lent charger serves ten to twenty people over an event's day.
            chargers_lent=max(5, round(citizens / rng.uniform(10, 20))),
            citizens_served=citizens,
        )
    return len(events), sum(served)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders get the rest)."""
    exact = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares
