"""The complaints JSON API (/api/v1/complaints): categories, the public list, one report, nearby
reports, the map's GeoJSON, filing (anonymous or with a session and its CSRF token) with its
4xx answers, and following, rating and reopening."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import Category, Complaint, Follow, Status
from hamkke.core.models import Location, Media
from tests import factories
from tests.complaints.conftest import BUSAN, JONGNO, MAPO, jpeg
from tests.core.image_files import png_declaring

pytestmark = pytest.mark.django_db

API = "/api/v1/complaints"
# Fields that must never appear in any public answer.
PRIVATE_KEYS = {
    "reporter",
    "contact_name",
    "contact_email",
    "contact_phone",
    "rating_comment",
    "handler",
    "actor",
    "internal_note",
    "device_id",
    "token",
}


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def file(category, where=JONGNO, **kwargs):
    kwargs.setdefault("description", "A pile of rubbish in the alley.")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], **kwargs
    )


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for item in value for k in all_keys(item)}
    return set()


def new_report(**fields):
    data = {
        "category": "litter",
        "latitude": str(JONGNO[0]),
        "longitude": str(JONGNO[1]),
        "description": "Bags of rubbish by the bus stop.",
    }
    data.update(fields)
    return data


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_left(settings):
    assert not Complaint.objects.exists()
    assert not Location.objects.exists()
    assert not Media.objects.exists()
    assert stored_files(settings) == []


# --- reads -----------------------------------------------------------------------------------


def test_categories_with_groups_and_questions(client, city):
    body = client.get(f"{API}/categories").json()
    by_code = {c["code"]: c for c in body}
    road = by_code["road-damage"]
    assert road["group"] == {"code": "roads", "name": "도로·교통", "name_en": "Roads and traffic"}
    assert road["duplicate_radius_m"] == 50
    assert road["questions"][0]["code"] == "pothole_size"
    assert road["questions"][0]["required"] is True
    assert road["questions"][0]["choices"] == ["small", "medium", "large"]
    assert by_code["litter"]["questions"] == []


def test_the_list_filters_pages_and_shows_no_personal_data(client, city, category, citizen):
    road = Category.objects.get(city=city, code="road-damage")
    mine = file(
        category, reporter=citizen, contact=services.Contact(email="contact.secret@example.org")
    )
    mapo = file(road, where=MAPO, answers={"pothole_size": "large"})
    old = file(category, now=timezone.now() - timedelta(days=40))

    everything = client.get(API).json()
    assert everything["count"] == 3
    assert [i["tracking_number"] for i in everything["items"]] == [
        mapo.tracking_number,
        mine.tracking_number,
        old.tracking_number,
    ]
    assert not all_keys(everything) & PRIVATE_KEYS
    text = json.dumps(everything)
    assert "contact.secret@example.org" not in text and citizen.email not in text

    by_district = client.get(API, {"district": "11440"}).json()
    assert [i["tracking_number"] for i in by_district["items"]] == [mapo.tracking_number]
    assert by_district["items"][0]["district_name"] == "Mapo-gu"
    two = client.get(f"{API}?category=road-damage&category=litter&page_size=2").json()
    assert (two["count"], two["pages"], len(two["items"])) == (3, 2, 2)
    last = client.get(API, {"page_size": 2, "page": 2}).json()
    assert [i["tracking_number"] for i in last["items"]] == [old.tracking_number]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = client.get(API, {"from": since}).json()
    assert old.tracking_number not in {i["tracking_number"] for i in recent["items"]}
    assert client.get(API, {"open": "false"}).json()["count"] == 0


def test_an_unknown_status_is_a_400_that_says_which(client, city):
    response = client.get(API, {"status": "lost"})
    assert response.status_code == 400
    assert "Unknown status lost" in response.json()["detail"]
    assert response.json()["field"] == "status"


def test_one_report_with_photos_and_history_never_personal(client, city, category, make_official):
    official = make_official("office-11110", email="official.secret@example.org")
    complaint = file(
        category,
        photos=[jpeg()],
        contact=services.Contact(name="Hong Gil-dong", phone="010-1111-2222"),
    )
    services.change_status(
        complaint=complaint,
        actor=official,
        status=Status.RESOLVED,
        public_note="Collected.",
        internal_note="Truck 3",
        result_photos=[jpeg()],
    )
    response = client.get(f"{API}/{complaint.tracking_number}")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "resolved" and body["is_open"] is False
    assert body["public_answer"] == "Collected."
    assert [e["status"] for e in body["history"]] == ["received", "resolved"]
    assert body["history"][1]["department"] == "Jongno-gu Office"
    assert len(body["history"][1]["photos"]) == 1
    assert body["photos"][0]["url"].startswith("http://testserver/media/")
    assert not all_keys(body) & PRIVATE_KEYS
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("Hong Gil-dong", "010-1111-2222", "official.secret", "Truck 3"):
        assert secret not in text


def test_a_hidden_or_unknown_report_is_404(client, city, category, make_official):
    complaint = file(category)
    services.moderate_complaint(
        complaint=complaint,
        actor=make_official("office-11110", Role.MANAGER),
        hidden=True,
        reason="Personal data in the text",
    )
    for number in (complaint.tracking_number, "000000-AAAAA"):
        response = client.get(f"{API}/{number}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_nearby_open_reports_and_its_refusals(client, city, category):
    near = file(category)
    file(category, where=(JONGNO[0] + 0.003, JONGNO[1]))
    body = client.get(
        f"{API}/nearby",
        {"category": "litter", "latitude": JONGNO[0] + 0.0005, "longitude": JONGNO[1]},
    ).json()
    assert [n["tracking_number"] for n in body] == [near.tracking_number]
    assert 50 < body[0]["distance_m"] < 60

    outside = client.get(
        f"{API}/nearby", {"category": "litter", "latitude": BUSAN[0], "longitude": BUSAN[1]}
    )
    assert outside.status_code == 400 and outside.json()["code"] == "outside_city"
    unknown = client.get(
        f"{API}/nearby", {"category": "moon", "latitude": JONGNO[0], "longitude": JONGNO[1]}
    )
    assert unknown.status_code == 404
    assert client.get(f"{API}/nearby", {"category": "litter"}).status_code == 422


def test_map_geojson_with_filters(client, city, category):
    road = Category.objects.get(city=city, code="road-damage")
    litter = file(category)
    pothole = file(road, where=MAPO, answers={"pothole_size": "small"})
    body = client.get(f"{API}/map.geojson", {"category": "road-damage"}).json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [pothole.tracking_number]
    assert body["features"][0]["geometry"]["coordinates"] == [MAPO[1], MAPO[0]]
    both = client.get(f"{API}/map.geojson", {"district": ["11110", "11440"]}).json()
    assert {f["id"] for f in both["features"]} == {litter.tracking_number, pothole.tracking_number}


# --- filing ----------------------------------------------------------------------------------


def test_an_anonymous_report_with_photos_and_answers(client, city, settings):
    response = client.post(
        API,
        new_report(
            category="road-damage",
            answers=json.dumps({"pothole_size": "medium"}),
            photos=[jpeg(), jpeg()],
            contact_email="anon@example.org",
        ),
    )
    body = response.json()
    complaint = Complaint.objects.get()
    assert response.status_code == 201
    assert body["tracking_number"] == complaint.tracking_number
    assert body["status"] == "received"
    assert len(body["photos"]) == 2
    assert complaint.answers == {"pothole_size": "medium"}
    assert complaint.reporter is None and complaint.contact_email == "anon@example.org"
    assert "anon@example.org" not in response.content.decode()


def test_a_session_must_send_its_csrf_token(city, citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    refused = browser.post(API, new_report())
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Complaint.objects.exists()

    browser.get("/complaints/new/")  # sets the CSRF cookie, as a page of the site would
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(API, new_report(), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert Complaint.objects.get().reporter == citizen


def test_an_app_without_a_session_files_anonymously(city):
    app = Client(enforce_csrf_checks=True)
    response = app.post(API, new_report(contact_name="Only Officials See Me"))
    assert response.status_code == 201
    assert Complaint.objects.get().contact_name == "Only Officials See Me"


def not_a_photo():
    return SimpleUploadedFile("photo.jpg", b"GIF89a but not really" * 10, "image/jpeg")


@pytest.mark.parametrize(
    ("fields", "status", "code", "message"),
    [
        ({"latitude": str(BUSAN[0]), "longitude": str(BUSAN[1])}, 400, "outside_city", "outside"),
        ({"category": ""}, 400, "invalid", "Choose what kind of problem"),
        ({"category": "moon-dust"}, 400, "invalid", "No category with code moon-dust"),
        ({"latitude": "", "longitude": ""}, 400, "invalid", "latitude and longitude"),
        ({"photos": [not_a_photo]}, 400, "invalid_upload", "is not a photo"),
        (
            {"photos": [lambda: SimpleUploadedFile("b.png", png_declaring(60_000, 60_000))]},
            400,
            "invalid_upload",
            "too many pixels",
        ),
        ({"photos": [jpeg] * 6}, 400, "invalid", "At most 5 photos"),
        ({"description": "x" * 10_000}, 400, "invalid", "10000 characters long"),
        ({"answers": "{not json"}, 400, "invalid", "answers must be a JSON object"),
        ({"category": "road-damage"}, 400, "invalid", "Please answer: Size of the damage"),
    ],
    ids=[
        "outside-city",
        "no-category",
        "unknown-category",
        "no-location",
        "fake-image",
        "decompression-bomb",
        "six-photos",
        "10k-description",
        "bad-answers",
        "required-question",
    ],
)
def test_refusals_answer_4xx_and_leave_nothing(
    client, city, settings, fields, status, code, message
):
    data = new_report()
    for name, value in fields.items():
        data[name] = [make() for make in value] if name == "photos" else value
    data.setdefault("photos", [jpeg()])
    response = client.post(API, data)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert message in response.json()["detail"]
    assert_nothing_left(settings)


def test_a_photo_too_large_is_413(client, city, settings):
    settings.HAMKKE_MAX_PHOTO_BYTES = 500
    response = client.post(API, new_report(photos=[jpeg(size=(400, 400))]))
    assert response.status_code == 413
    assert response.json()["code"] == "upload_too_large"
    assert_nothing_left(settings)


def test_a_burst_is_429_and_shares_the_form_allowance(client, city, settings):
    settings.HAMKKE_COMPLAINT_RATE = "3/m"
    assert client.post(API, new_report()).status_code == 201
    assert client.post("/complaints/new/", {"step": "file", **new_report()}).status_code == 302
    assert client.post(API, new_report()).status_code == 201
    refused = client.post(API, new_report())
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused["Retry-After"] == "60"
    assert Complaint.objects.count() == 3


# --- following, rating, reopening ------------------------------------------------------------


def test_follow_needs_a_session_and_happens_once(client, city, category, citizen):
    complaint = file(category)
    url = f"{API}/{complaint.tracking_number}/follow"
    assert client.post(url).status_code == 401
    client.force_login(citizen)
    first = client.post(url)
    assert first.status_code == 201
    assert first.json() == {
        "tracking_number": complaint.tracking_number,
        "following": True,
        "followers_count": 1,
    }
    again = client.post(url)
    assert again.status_code == 409
    assert again.json()["detail"] == "You already follow this report."
    assert Follow.objects.count() == 1


def test_closed_reports_cannot_be_followed(client, city, category, citizen, make_official):
    complaint = file(category)
    services.change_status(
        complaint=complaint,
        actor=make_official("office-11110"),
        status=Status.RESOLVED,
        public_note="Done.",
    )
    client.force_login(citizen)
    response = client.post(f"{API}/{complaint.tracking_number}/follow")
    assert response.status_code == 400
    assert "Only open reports" in response.json()["detail"]


def test_rating_the_answer(client, city, category, citizen, make_official):
    complaint = file(category, reporter=citizen)
    url = f"{API}/{complaint.tracking_number}/rate"
    assert client.post(url, {"rating": 5}, content_type="application/json").status_code == 401
    client.force_login(citizen)
    early = client.post(url, {"rating": 5}, content_type="application/json")
    assert early.status_code == 409
    services.change_status(
        complaint=complaint,
        actor=make_official("office-11110"),
        status=Status.RESOLVED,
        public_note="Done.",
    )
    wrong = client.post(url, {"rating": 9}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "rating"
    done = client.post(url, {"rating": 3, "comment": "Slow"}, content_type="application/json")
    assert done.status_code == 200
    assert "Slow" not in done.content.decode()  # the comment is for the department only
    complaint.refresh_from_db()
    assert (complaint.rating, complaint.rating_comment) == (3, "Slow")

    client.force_login(factories.make_user())
    other = client.post(url, {"rating": 1}, content_type="application/json")
    assert other.status_code == 403


def test_reopening_within_the_window(client, city, category, citizen, make_official):
    official = make_official("office-11110")
    recent = file(category, reporter=citizen)
    services.change_status(
        complaint=recent, actor=official, status=Status.RESOLVED, public_note="Done."
    )
    old = file(category, reporter=citizen)
    services.change_status(
        complaint=old,
        actor=official,
        status=Status.RESOLVED,
        public_note="Done.",
        now=timezone.now() - timedelta(days=20),
    )
    client.force_login(citizen)
    late = client.post(
        f"{API}/{old.tracking_number}/reopen", {"reason": "Again"}, content_type="application/json"
    )
    assert late.status_code == 409
    assert "within 14 days" in late.json()["detail"]

    blank = client.post(
        f"{API}/{recent.tracking_number}/reopen", {"reason": " "}, content_type="application/json"
    )
    assert blank.status_code == 400
    response = client.post(
        f"{API}/{recent.tracking_number}/reopen",
        {"reason": "It is back."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "reopened"
    assert response.json()["history"][-1]["note"] == "It is back."
