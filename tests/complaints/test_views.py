"""The citizens' and the public's pages: the report form in two steps without JavaScript, its
refusals shown inline with nothing left behind, the rate limit, the receipt and the public page
(never a person's data), "me too", rating and reopening, the map's data and the form's helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import Category, Complaint, Follow, Status
from hamkke.core.models import Location, Media
from tests import factories
from tests.complaints.conftest import BUKCHON, BUSAN, JONGNO, MAPO, jpeg
from tests.core.image_files import gps_exif, image_bytes, png_declaring

pytestmark = pytest.mark.django_db

NEW = "/complaints/new/"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_left(settings):
    assert not Complaint.objects.exists()
    assert not Location.objects.exists()
    assert not Media.objects.exists()
    assert stored_files(settings) == []


def report(category="litter", where=JONGNO, **fields):
    data = {"step": "file", "category": category, "latitude": where[0], "longitude": where[1]}
    data.setdefault("description", "Rubbish bags piled up by the lamp post.")
    data.update(fields)
    return data


def file(category, where=JONGNO, **kwargs):
    kwargs.setdefault("description", "A pile of rubbish in the alley.")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], **kwargs
    )


def resolve(complaint, official, *, when=None, note="We cleaned it up."):
    services.change_status(
        complaint=complaint, actor=official, status=Status.RESOLVED, public_note=note, now=when
    )
    complaint.refresh_from_db()
    return complaint


# --- the form without JavaScript -------------------------------------------------------------


def test_two_steps_without_javascript_file_a_report(client, city, settings):
    first = client.get(NEW)
    html = first.content.decode()
    assert first.status_code == 200
    assert 'name="step" value="choose"' in html
    assert '<div id="report-details" hidden>' in html
    assert "<optgroup" in html and "Roads and traffic" in html
    assert "answer_pothole_size" not in html  # no category chosen yet

    second = client.post(
        NEW,
        {
            "step": "choose",
            "category": "road-damage",
            "latitude": JONGNO[0],
            "longitude": JONGNO[1],
        },
    )
    html = second.content.decode()
    assert second.status_code == 200
    assert 'name="answer_pothole_size"' in html
    assert "Size of the damage" in html
    assert "Jongno-gu" in html
    assert 'value="choose"' not in html
    assert not Complaint.objects.exists()

    sent = client.post(
        NEW,
        report(
            "road-damage",
            answer_pothole_size="large",
            description="A deep pothole in the bus lane.",
            photos=[jpeg(), jpeg(color=(0, 90, 200))],
            contact_email="anon@example.org",
        ),
    )
    complaint = Complaint.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("complaints:receipt", args=[complaint.tracking_number])
    assert complaint.category.code == "road-damage"
    assert complaint.answers == {"pothole_size": "large"}
    assert complaint.description == "A deep pothole in the bus lane."
    assert complaint.reporter is None
    assert complaint.contact_email == "anon@example.org"
    assert Media.objects.filter(target_id=str(complaint.pk)).count() == 2
    assert len(stored_files(settings)) == 4  # two photos and their thumbnails

    receipt = client.get(sent["Location"])
    html = receipt.content.decode()
    assert receipt.status_code == 200
    assert complaint.tracking_number in html
    assert "Jongno-gu Office" in html
    assert "anon@example.org" not in html


def test_a_link_with_category_and_place_opens_step_two(client, city):
    page = client.get(
        NEW, {"category": "broken-facility", "latitude": MAPO[0], "longitude": MAPO[1]}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="answer_facility_type"' in html
    assert "Mapo-gu" in html


def test_a_link_naming_only_a_category_preselects_it(client, city):
    page = client.get(NEW, {"category": "streetlight"})
    assert page.status_code == 200
    assert '<option value="streetlight" selected>' in page.content.decode()
    assert not page.context["form"].errors


def test_step_one_says_what_is_missing(client, city):
    page = client.post(NEW, {"step": "choose", "category": "", "latitude": "", "longitude": ""})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Choose what kind of problem it is." in html
    assert "Set the place: tap the map" in html
    assert not Location.objects.exists()


def test_step_one_refuses_a_place_outside_the_city(client, city):
    page = client.post(
        NEW, {"step": "choose", "category": "litter", "latitude": BUSAN[0], "longitude": BUSAN[1]}
    )
    assert page.status_code == 400
    assert "is outside" in page.content.decode()
    assert page.context["form"].errors["latitude"]
    assert not Location.objects.exists()


def test_the_signed_in_reporter_is_the_reporter_and_gives_no_contact(client, city, citizen):
    client.force_login(citizen)
    form = client.get(NEW).content.decode()
    assert 'name="contact_email"' not in form

    sent = client.post(NEW, report(contact_email="ignored@example.org"))
    complaint = Complaint.objects.get()
    assert sent.status_code == 302
    assert complaint.reporter == citizen
    assert complaint.contact_email == ""


# --- refusals: inline, keeping what was typed, leaving nothing behind ---------------------


def fake_photo():
    return SimpleUploadedFile("pothole.jpg", b"<html>not a photo</html>", "image/jpeg")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": BUSAN[0], "longitude": BUSAN[1]}, "latitude", "is outside"),
        ({"category": ""}, "category", "Choose what kind of problem it is."),
        ({"latitude": "", "longitude": ""}, "latitude", "Set the place"),
        ({"photos": [fake_photo]}, "photos", "is not a photo"),
        ({"description": "가" * 10_000}, "description", "10000 characters long"),
        ({"photos": [jpeg] * 6}, "photos", "At most 5 photos"),
        (
            {"photos": [lambda: SimpleUploadedFile("bomb.png", png_declaring(50_000, 50_000))]},
            "photos",
            "too many pixels",
        ),
        ({"category": "road-damage"}, "answer_pothole_size", "Please answer: Size of the damage"),
    ],
    ids=[
        "outside-city",
        "no-category",
        "no-location",
        "fake-image",
        "10k-description",
        "six-photos",
        "decompression-bomb",
        "required-question",
    ],
)
def test_refusals_are_shown_inline_and_leave_nothing(
    client, city, settings, fields, field, message
):
    data = report(address="Exit 3 of Jongno 3-ga station", contact_name="Typed Name")
    for name, value in fields.items():
        data[name] = [make() for make in value] if name == "photos" else value
    data.setdefault("photos", [jpeg()])

    page = client.post(NEW, data)
    html = page.content.decode()

    assert page.status_code in (400, 413)
    assert message in html
    assert any(message in error for error in page.context["form"].errors[field])
    # What was typed is still there; the files must be attached again, and the page says so.
    assert "Exit 3 of Jongno 3-ga station" in html
    assert 'value="Typed Name"' in html
    assert "attach them again" in html
    assert_nothing_left(settings)


def test_a_photo_too_large_answers_413_inline(client, city, settings):
    settings.HAMKKE_MAX_PHOTO_BYTES = 500
    page = client.post(NEW, report(photos=[jpeg(size=(400, 400))]))
    assert page.status_code == 413
    assert "may be at most" in page.context["form"].errors["photos"][0]
    assert_nothing_left(settings)


def test_a_file_that_is_not_a_video_is_refused(client, city, settings):
    fake = SimpleUploadedFile("clip.mp4", b"just some text, not a film" * 40, "video/mp4")
    page = client.post(NEW, report(video=fake))
    assert page.status_code == 400
    assert page.context["form"].errors["video"]
    assert_nothing_left(settings)


def test_crlf_line_breaks_count_once(client, city):
    text = "\r\n".join(["가" * 99] * 40)  # 3,999 characters as a person counts them
    sent = client.post(NEW, report(description=text))
    assert sent.status_code == 302
    assert len(Complaint.objects.get().description) == 3999


# --- rate limit ------------------------------------------------------------------------------


def test_a_burst_from_one_address_is_refused_with_429(client, city, settings):
    settings.HAMKKE_COMPLAINT_RATE = "2/m"
    assert client.post(NEW, report()).status_code == 302
    assert client.post(NEW, report()).status_code == 302

    refused = client.post(NEW, report(description="Third report in a minute"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "You have sent many reports in a short time" in refused.content.decode()
    assert "Third report in a minute" in refused.content.decode()
    assert Complaint.objects.count() == 2
    # Another address is not affected.
    other = client.post(NEW, report(), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_burst_from_one_account_is_refused_from_any_address(client, city, citizen, settings):
    settings.HAMKKE_COMPLAINT_RATE = "2/m"
    client.force_login(citizen)
    for address in ("10.0.0.1", "10.0.0.2"):
        assert client.post(NEW, report(), REMOTE_ADDR=address).status_code == 302
    assert client.post(NEW, report(), REMOTE_ADDR="10.0.0.3").status_code == 429
    assert Complaint.objects.filter(reporter=citizen).count() == 2


# --- the public page -------------------------------------------------------------------------


def test_the_public_page_never_shows_personal_data(client, city, category, make_official, settings):
    reporter = factories.make_user(email="reporter.secret@example.org", display_name="Secret Kim")
    official = make_official("office-11110", email="official.secret@example.org")
    official.display_name = "Officer Private"
    official.save()
    complaint = file(
        category,
        reporter=reporter,
        contact=services.Contact(
            name="Hong Gil-dong", email="contact.secret@example.org", phone="010-9876-5432"
        ),
        address="Behind the market",
        photos=[jpeg()],
    )
    services.change_status(
        complaint=complaint,
        actor=official,
        status=Status.RESOLVED,
        public_note="The bags were collected on Tuesday.",
        internal_note="Driver Park, truck 3",
        result_photos=[jpeg(color=(20, 160, 20))],
    )

    page = client.get(reverse("complaints:detail", args=[complaint.tracking_number]))
    html = page.content.decode()

    assert page.status_code == 200
    for secret in (
        "reporter.secret@example.org",
        "Secret Kim",
        "Hong Gil-dong",
        "contact.secret@example.org",
        "010-9876-5432",
        "official.secret@example.org",
        "Officer Private",
        "Driver Park",
    ):
        assert secret not in html, secret
    assert "The bags were collected on Tuesday." in html
    assert "Behind the market" in html
    assert "Jongno-gu Office" in html
    assert '<span class="status status-received">received</span>' in html
    assert html.count('alt="Photo of the result"') == 1
    assert html.count("Photo 1 of the problem") == 1
    # The reporter's own part is not shown to others.
    assert "Only you see this part." not in html


def test_history_lists_each_step_with_its_department(client, city, category, make_official):
    official = make_official("office-11110")
    complaint = file(category)
    services.change_status(
        complaint=complaint, actor=official, status=Status.ACCEPTED, public_note="On our list."
    )
    html = client.get(f"/complaints/{complaint.tracking_number}/").content.decode()
    history = html.split('id="history-title"', 1)[1]
    assert history.index("received") < history.index("accepted") < history.index("On our list.")
    assert history.count("· Jongno-gu Office</span>") == 2


def test_overdue_and_expected_date_are_shown(client, city, category):
    late = file(category, now=timezone.now() - timedelta(days=category.sla_days + 2))
    html = client.get(f"/complaints/{late.tracking_number}/").content.decode()
    assert timezone.localtime(late.expected_at).strftime("%Y-%m-%d") in html
    assert 'class="overdue"' in html


def test_a_duplicate_links_to_its_original(client, city, category, make_official):
    original, copy = file(category), file(category)
    services.change_status(
        complaint=copy,
        actor=make_official("office-11110"),
        status=Status.DUPLICATE,
        duplicate_of=original,
    )
    html = client.get(f"/complaints/{copy.tracking_number}/").content.decode()
    assert f'href="/complaints/{original.tracking_number}/"' in html


def test_hidden_reports_and_photos_are_not_public(client, city, category, make_official):
    manager = make_official("office-11110", Role.MANAGER)
    shown = file(category, photos=[jpeg(), jpeg()])
    first_photo = Media.objects.filter(target_id=str(shown.pk)).first()
    services.set_photo_hidden(
        complaint=shown, media=first_photo, actor=manager, hidden=True, reason="A face"
    )
    html = client.get(f"/complaints/{shown.tracking_number}/").content.decode()
    assert first_photo.file.url not in html
    assert "Photo 1 of the problem" in html and "Photo 2 of the problem" not in html

    hidden = file(category)
    services.moderate_complaint(complaint=hidden, actor=manager, hidden=True, reason="Insults")
    for path in ("", "receipt/"):
        assert client.get(f"/complaints/{hidden.tracking_number}/{path}").status_code == 404
    assert client.get("/complaints/260101-ZZZZZ/").status_code == 404


# --- "me too" --------------------------------------------------------------------------------


def test_me_too_follows_once(client, city, category, citizen):
    complaint = file(category)
    url = reverse("complaints:follow", args=[complaint.tracking_number])

    anonymous = client.post(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert not Follow.objects.exists()

    client.force_login(citizen)
    followed = client.post(url)
    assert followed.status_code == 302
    assert Follow.objects.filter(complaint=complaint, user=citizen).count() == 1
    page = client.get(followed["Location"]).content.decode()
    assert "You follow this report" in page
    assert "1 person follows this report" in page

    again = client.post(url)
    assert again.status_code == 409
    assert "You already follow this report." in again.content.decode()
    assert client.get(url).status_code == 405


def test_the_reporter_cannot_follow_their_own_report(client, city, category, citizen):
    complaint = file(category, reporter=citizen)
    client.force_login(citizen)
    page = client.post(reverse("complaints:follow", args=[complaint.tracking_number]))
    assert page.status_code == 409
    assert not Follow.objects.exists()


# --- the reporter: rating and reopening ------------------------------------------------------


def test_the_reporter_rates_the_answer_once_there_is_one(
    client, city, category, citizen, make_official
):
    complaint = file(category, reporter=citizen)
    client.force_login(citizen)
    detail = reverse("complaints:detail", args=[complaint.tracking_number])
    rate = reverse("complaints:rate", args=[complaint.tracking_number])
    assert "Rate the answer" not in client.get(detail).content.decode()
    early = client.post(rate, {"rating": 5})
    assert early.status_code == 409

    resolve(complaint, make_official("office-11110"))
    assert "Rate the answer" in client.get(detail).content.decode()
    wrong = client.post(rate, {"rating": 6})
    assert wrong.status_code == 400
    assert wrong.context["rate_form"].errors["rating"]
    done = client.post(rate, {"rating": 4, "comment": "Quick, thanks"})
    assert done.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.rating, complaint.rating_comment) == (4, "Quick, thanks")

    stranger = factories.make_user()
    client.force_login(stranger)
    refused = client.post(rate, {"rating": 1})
    assert refused.status_code == 403
    assert "Only the person who reported it" in refused.content.decode()
    complaint.refresh_from_db()
    assert complaint.rating == 4


def test_the_reporter_reopens_within_the_window_only(
    client, city, category, citizen, make_official
):
    official = make_official("office-11110")
    fresh = resolve(file(category, reporter=citizen), official)
    old = resolve(
        file(category, reporter=citizen), official, when=timezone.now() - timedelta(days=30)
    )
    client.force_login(citizen)

    page = client.get(f"/complaints/{fresh.tracking_number}/").content.decode()
    assert "Reopen the report" in page
    empty = client.post(reverse("complaints:reopen", args=[fresh.tracking_number]), {})
    assert empty.status_code == 400
    assert "Say why the answer is not enough." in empty.content.decode()
    reopened = client.post(
        reverse("complaints:reopen", args=[fresh.tracking_number]),
        {"reason": "The bags are back."},
    )
    assert reopened.status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == Status.REOPENED and fresh.is_open
    assert "The bags are back." in client.get(reopened["Location"]).content.decode()

    assert (
        "Reopen the report"
        not in client.get(f"/complaints/{old.tracking_number}/").content.decode()
    )
    late = client.post(
        reverse("complaints:reopen", args=[old.tracking_number]), {"reason": "Still there"}
    )
    assert late.status_code == 409
    assert "within 14 days" in late.content.decode()
    old.refresh_from_db()
    assert old.status == Status.RESOLVED


def test_someone_else_cannot_reopen(client, city, category, citizen, make_official):
    complaint = resolve(file(category, reporter=citizen), make_official("office-11110"))
    client.force_login(factories.make_user())
    page = client.post(
        reverse("complaints:reopen", args=[complaint.tracking_number]), {"reason": "Me too"}
    )
    assert page.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


# --- the list and the map --------------------------------------------------------------------


@pytest.fixture
def spread(city, category, make_official):
    """Reports of two categories in two districts, one closed and one filed a month ago."""
    road = Category.objects.get(city=city, code="road-damage")
    reports = {
        "litter-jongno": file(category, where=JONGNO),
        "litter-mapo": file(category, where=MAPO),
        "road-mapo": file(road, where=MAPO, answers={"pothole_size": "small"}),
        "old-litter": file(category, where=BUKCHON, now=timezone.now() - timedelta(days=30)),
    }
    resolve(reports["litter-mapo"], make_official("office-11440"))
    return reports


def numbers(client, query: str) -> set[str]:
    response = client.get(f"/complaints/map.geojson?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return {feature["id"] for feature in response.json()["features"]}


def test_the_map_data_follows_the_filters(client, spread):
    n = {key: c.tracking_number for key, c in spread.items()}
    today = timezone.localdate()
    assert numbers(client, "") == set(n.values())
    assert numbers(client, "category=road-damage") == {n["road-mapo"]}
    assert numbers(client, "district=11440") == {n["litter-mapo"], n["road-mapo"]}
    assert numbers(client, "status=open") == {n["litter-jongno"], n["road-mapo"], n["old-litter"]}
    assert numbers(client, "status=closed") == {n["litter-mapo"]}
    assert numbers(client, "status=resolved") == {n["litter-mapo"]}
    assert numbers(client, f"from={today - timedelta(days=1)}") == set(n.values()) - {
        n["old-litter"]
    }
    assert numbers(client, f"to={today - timedelta(days=20)}") == {n["old-litter"]}
    # An unreadable filter is left out, not an error.
    assert numbers(client, "from=yesterday") == set(n.values())


def test_the_map_never_carries_personal_data(client, city, category, citizen):
    file(category, reporter=citizen, contact=services.Contact(email="hidden@example.org"))
    body = client.get("/complaints/map.geojson").content.decode()
    assert "hidden@example.org" not in body and citizen.email not in body


def test_the_list_filters_links_and_pages(client, spread, category):
    page = client.get("/complaints/", {"district": "11440"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/complaints/{spread['road-mapo'].tracking_number}/" in html
    assert spread["litter-jongno"].tracking_number not in html
    assert 'data-points-url="/complaints/map.geojson?district=11440"' in html
    assert "My reports" in html

    for _ in range(20):
        file(category)
    first = client.get("/complaints/").content.decode()
    second = client.get("/complaints/", {"page": 2}).content.decode()
    assert "24 reports" in first
    assert "Page 2 of 2" in second
    # Newest first: the month-old report is on the last page.
    assert spread["old-litter"].tracking_number in second
    assert spread["old-litter"].tracking_number not in first


def test_the_list_reads_in_the_same_number_of_queries_for_any_page_size(client, city, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/complaints/").status_code == 200
        return len(captured)

    file(category, photos=[jpeg()])
    queries()  # the first request also fills caches (the city, content types)
    few = queries()
    for _ in range(12):
        file(category, photos=[jpeg()])
    assert queries() == few


# --- the form's helpers ----------------------------------------------------------------------


def test_photo_location_reads_exif_gps_and_keeps_nothing(client, city, settings):
    # 37°33'59.4"N 126°58'40.68"E: Seoul City Hall, in Jung-gu.
    photo = SimpleUploadedFile("IMG_0001.jpg", image_bytes(exif=gps_exif()), "image/jpeg")
    response = client.post(reverse("complaints:photo-location"), {"photo": photo})
    body = response.json()
    assert response.status_code == 200
    assert body["latitude"] == pytest.approx(37 + 33 / 60 + 59.4 / 3600, abs=1e-6)
    assert body["longitude"] == pytest.approx(126 + 58 / 60 + 40.68 / 3600, abs=1e-6)
    assert body["inside_city"] is True
    assert body["district"] == "Jung-gu"
    assert_nothing_left(settings)


def test_photo_location_without_gps_outside_or_not_a_photo(client, city, settings):
    url = reverse("complaints:photo-location")
    plain = client.post(url, {"photo": jpeg()}).json()
    assert plain["latitude"] is None
    assert "does not say where" in plain["detail"]

    busan = gps_exif(lat=(35.0, 10.0, 46.0), lon=(129.0, 4.0, 32.0))
    far = client.post(url, {"photo": SimpleUploadedFile("b.jpg", image_bytes(exif=busan))})
    assert far.json()["inside_city"] is False
    assert "is outside" in far.json()["detail"]

    fake = client.post(url, {"photo": fake_photo()})
    assert fake.status_code == 400
    assert fake.json()["code"] == "invalid_upload"
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert client.get(url).status_code == 405
    assert_nothing_left(settings)


def test_nearby_shows_open_reports_of_the_category_within_its_radius(
    client, city, category, citizen
):
    near = file(category, where=JONGNO)
    far = file(category, where=(JONGNO[0] + 0.003, JONGNO[1]))  # about 330 m north
    other = file(Category.objects.get(city=city, code="streetlight"), where=JONGNO)
    query = {"category": "litter", "latitude": JONGNO[0] + 0.0005, "longitude": JONGNO[1]}

    html = client.get(reverse("complaints:nearby"), query).content.decode()
    assert near.tracking_number in html
    assert far.tracking_number not in html and other.tracking_number not in html
    assert "56 m away" in html or "55 m away" in html
    assert "Log in to follow it" in html

    client.force_login(citizen)
    html = client.get(reverse("complaints:nearby"), query).content.decode()
    assert f'formaction="/complaints/{near.tracking_number}/follow/"' in html

    outside = client.get(
        reverse("complaints:nearby"),
        {"category": "litter", "latitude": BUSAN[0], "longitude": BUSAN[1]},
    )
    assert "is outside" in outside.content.decode()
    incomplete = client.get(reverse("complaints:nearby"), {"category": "litter"})
    assert incomplete.status_code == 200 and near.tracking_number not in incomplete.content.decode()


def test_step_two_lists_nearby_reports_to_follow(client, city, category):
    existing = file(category, where=JONGNO)
    page = client.post(
        NEW, {"step": "choose", "category": "litter", "latitude": JONGNO[0], "longitude": JONGNO[1]}
    )
    assert "Already reported nearby?" in page.content.decode()
    assert existing.tracking_number in page.content.decode()


def test_questions_fragment_follows_the_category(client, city):
    html = client.get(reverse("complaints:questions"), {"category": "road-damage"}).content
    assert b'name="answer_pothole_size"' in html
    assert b'<option value="large">' in html
    assert (
        client.get(reverse("complaints:questions"), {"category": "litter"}).content.strip() == b""
    )
    assert client.get(reverse("complaints:questions"), {"category": "nope"}).status_code == 200


# --- my reports ------------------------------------------------------------------------------


def test_my_reports_lists_mine_and_those_i_follow(client, city, category, citizen):
    mine = file(category, reporter=citizen)
    followed = file(category, where=MAPO)
    services.follow_complaint(complaint=followed, actor=citizen)
    someone_elses = file(category, reporter=factories.make_user())

    assert client.get("/complaints/mine/").status_code == 302
    client.force_login(citizen)
    html = client.get("/complaints/mine/").content.decode()
    assert mine.tracking_number in html
    assert followed.tracking_number in html
    assert someone_elses.tracking_number not in html
