"""Hidden means hidden, for reports (issue #9, point 3), on local disk: a report's photo, its
thumbnail, its video and poster frame, and the result photo of a step are served while shown;
once one is hidden, or the whole report is, each address answers 404 to anonymous visitors and
citizens (its reporter too) but still serves officials of the report's department and staff,
signed in with their second factor; showing it again brings the same address back, Open311's
published `media_url` included. The S3 path of the same route is tests/core/test_media_s3.py."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from hamkke.accounts.models import Role
from hamkke.complaints import services
from hamkke.complaints.models import ApiClient, Status
from hamkke.core.media import services as media_services
from hamkke.core.models import Department, Media
from tests import factories
from tests.complaints.conftest import JONGNO, jpeg
from tests.core.image_files import upload
from tests.core.test_media_s3 import s3  # noqa: F401  (a fixture: media on moto's S3)
from tests.core.test_video import make_video
from tests.factories import log_in

pytestmark = pytest.mark.django_db

OFFICE = "office-11110"  # Jongno-gu's office: litter reported in Jongno goes there
EVERYONE_ELSE = ("anonymous", "reporter", "stranger", "other department", "no second factor")
ALLOWED = ("department official", "staff")


@pytest.fixture
def office(city):
    return Department.objects.get(city=city, code=OFFICE)


@pytest.fixture
def report(category, citizen, office):
    """A report in Jongno with a photo and a video, and a step with a result photo."""
    video = make_video(container="mov", codec="mpeg4", seconds=2)
    complaint = services.file_complaint(
        category=category,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="골목에 쓰레기가 쌓여 있습니다.",
        reporter=citizen,
        photos=[jpeg()],
        videos=[upload(video, "clip.mov")],
    )
    handler = factories.make_official(role=Role.HANDLER, department=office)
    services.change_status(
        complaint=complaint,
        actor=handler,
        status=Status.IN_PROGRESS,
        public_note="Collected.",
        result_photos=[jpeg(color=(20, 160, 20))],
    )
    return complaint


def files_of(complaint) -> dict[str, Media]:
    own = Media.objects.filter(target_id=str(complaint.pk), target_type__model="complaint")
    step = Media.objects.filter(
        target_id__in=[str(e.pk) for e in complaint.events.all()],
        target_type__model="complaintevent",
    )
    return {
        "photo": own.get(kind="photo"),
        "video": own.get(kind="video"),
        "result photo": step.get(),
    }


def addresses(media: Media) -> list[str]:
    """The file and its thumbnail (a photo's small copy, a video's poster frame)."""
    assert media.thumbnail
    return [media.url, media.thumbnail_url]


@pytest.fixture
def people(citizen, office, city):
    """A test client for each kind of person asking for a file."""
    clients = {"anonymous": Client()}

    clients["reporter"] = Client()
    clients["reporter"].force_login(citizen)
    clients["stranger"] = Client()
    clients["stranger"].force_login(factories.make_user())

    official = factories.make_official(role=Role.VIEWER, department=office)
    clients["department official"] = Client()
    log_in(clients["department official"], official, secret=factories.activate_totp(official))

    outsider = factories.make_official(
        role=Role.MANAGER, department=Department.objects.get(city=city, code="transport")
    )
    clients["other department"] = Client()
    log_in(clients["other department"], outsider, secret=factories.activate_totp(outsider))

    password_only = factories.make_official(role=Role.MANAGER, department=office)
    factories.activate_totp(password_only)
    clients["no second factor"] = Client()
    clients["no second factor"].force_login(password_only)

    staff = factories.make_user(is_staff=True)
    clients["staff"] = Client()
    log_in(clients["staff"], staff, secret=factories.activate_totp(staff))
    return clients


def answers(people, urls) -> dict[str, list[int]]:
    return {who: [client.get(url).status_code for url in urls] for who, client in people.items()}


def manager_of(office):
    return factories.make_official(role=Role.MANAGER, department=office)


def test_a_shown_reports_files_are_served_to_everyone(report, people):
    urls = [url for media in files_of(report).values() for url in addresses(media)]
    assert len(urls) == 6

    assert answers(people, urls) == {who: [200] * 6 for who in people}
    photo = files_of(report)["photo"]
    served = people["anonymous"].get(photo.url)
    assert b"".join(served.streaming_content) == photo.file.open("rb").read()
    assert served["Cache-Control"].startswith("public, max-age=")


@pytest.mark.parametrize("which", ["photo", "video", "result photo"])
def test_hiding_one_file_takes_it_and_its_thumbnail_offline_for_the_public(
    report, people, office, which
):
    media = files_of(report)[which]
    others = [url for name, m in files_of(report).items() if name != which for url in addresses(m)]
    media_services.set_media_hidden(
        media=media, moderator=manager_of(office), hidden=True, reason="a face"
    )

    found = answers(people, addresses(media))
    assert {who: found[who] for who in EVERYONE_ELSE} == {who: [404, 404] for who in EVERYONE_ELSE}
    assert {who: found[who] for who in ALLOWED} == {who: [200, 200] for who in ALLOWED}
    # The report's other files stay public.
    assert [people["anonymous"].get(url).status_code for url in others] == [200] * 4

    shown = people["department official"].get(media.url)
    assert shown["Cache-Control"] == "private, no-store"


def test_the_desks_own_hide_photo_action_takes_the_photo_offline(report, people, office):
    photo = files_of(report)["photo"]
    services.set_photo_hidden(
        complaint=report, media=photo, actor=manager_of(office), hidden=True, reason="a plate"
    )

    assert answers(people, addresses(photo)) == {
        **{who: [404, 404] for who in EVERYONE_ELSE},
        **{who: [200, 200] for who in ALLOWED},
    }


def test_hiding_the_report_takes_every_file_offline_and_showing_it_brings_them_back(
    report, people, office
):
    urls = [url for media in files_of(report).values() for url in addresses(media)]
    manager = manager_of(office)

    services.moderate_complaint(complaint=report, actor=manager, hidden=True, reason="abuse")
    assert answers(people, urls) == {
        **{who: [404] * 6 for who in EVERYONE_ELSE},
        **{who: [200] * 6 for who in ALLOWED},
    }

    services.moderate_complaint(complaint=report, actor=manager, hidden=False, reason="checked")
    assert answers(people, urls) == {who: [200] * 6 for who in people}


def test_a_report_transferred_away_is_seen_hidden_by_its_new_department_only(
    report, people, office, city
):
    transport = Department.objects.get(city=city, code="transport")
    services.change_status(
        complaint=report,
        actor=manager_of(office),
        status=Status.TRANSFERRED,
        public_note="Sent to transport.",
        department=transport,
    )
    report.refresh_from_db()
    services.moderate_complaint(
        complaint=report, actor=manager_of(transport), hidden=True, reason="abuse"
    )
    photo = files_of(report)["photo"]

    assert people["other department"].get(photo.url).status_code == 200  # transport, now
    assert people["department official"].get(photo.url).status_code == 404  # Jongno, before


def test_open311s_published_media_url_no_longer_resolves_once_hidden(client, report, office):
    key = services.create_api_client(name="Fix-it app")[1]
    assert ApiClient.objects.count() == 1
    path = f"/open311/v2/requests/{report.tracking_number}.json"
    published = client.get(path, {"api_key": key}).json()[0]["media_url"]
    media_path = urlsplit(published).path
    photo = files_of(report)["photo"]
    assert media_path == photo.url
    assert client.get(media_path).status_code == 200

    services.set_photo_hidden(
        complaint=report, media=photo, actor=manager_of(office), hidden=True, reason="a face"
    )
    assert client.get(media_path).status_code == 404
    assert client.get(published).status_code == 404
    assert client.get(path).json()[0]["media_url"] is None  # and it is no longer published

    services.set_photo_hidden(
        complaint=report, media=photo, actor=manager_of(office), hidden=False, reason="blurred"
    )
    assert client.get(media_path).status_code == 200  # the same address works again


def test_the_desk_links_a_hidden_photo_its_officials_can_open(report, office):
    photo = files_of(report)["photo"]
    services.set_photo_hidden(
        complaint=report, media=photo, actor=manager_of(office), hidden=True, reason="a face"
    )
    official = factories.make_official(role=Role.VIEWER, department=office)
    desk = Client()
    desk.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    log_in(desk, official, secret=factories.activate_totp(official))

    page = desk.get(reverse("complaints:desk-report", args=[report.tracking_number]))
    assert page.status_code == 200
    linked = set(re.findall(r'(?:src|href)="(/media/[^"]+)"', page.content.decode()))
    assert {photo.url, photo.thumbnail_url} <= linked
    for url in linked:
        assert desk.get(url).status_code == 200
        assert Client().get(url).status_code == (404 if url in addresses(photo) else 200)

    api = desk.get(f"/api/v1/complaints/desk/reports/{report.tracking_number}")
    listed = {p["url"] for p in api.json()["photos"]} | {
        p["thumbnail_url"] for p in api.json()["photos"]
    }
    assert photo.url in {urlsplit(url).path for url in listed}
    for url in listed:
        assert desk.get(url).status_code == 200


def test_the_public_pages_and_api_link_no_hidden_file(client, report, office):
    photo = files_of(report)["photo"]
    services.set_photo_hidden(
        complaint=report, media=photo, actor=manager_of(office), hidden=True, reason="a face"
    )

    page = client.get(reverse("complaints:detail", args=[report.tracking_number]))
    listed = client.get(reverse("complaints:index"))
    api = client.get(f"/api/v1/complaints/{report.tracking_number}")
    for text in (page.content.decode(), listed.content.decode(), api.content.decode()):
        for url in addresses(photo):
            assert url not in text
    linked = set(re.findall(r'(?:src|href|poster)="(/media/[^"]+)"', page.content.decode()))
    video, result = files_of(report)["video"], files_of(report)["result photo"]
    # The video with its poster frame, and the result photo, are still shown and served.
    assert {video.url, video.thumbnail_url, result.url, result.thumbnail_url} == linked
    assert all(client.get(url).status_code == 200 for url in linked)


@pytest.mark.usefixtures("s3")
def test_on_s3_a_hidden_reports_files_get_no_signed_link_but_its_officials_do(
    category, citizen, office
):
    complaint = services.file_complaint(
        category=category,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="사진",
        reporter=citizen,
        photos=[jpeg()],
    )
    photo = files_of_report(complaint)
    official = factories.make_official(role=Role.VIEWER, department=office)
    desk = Client()
    log_in(desk, official, secret=factories.activate_totp(official))
    public = Client()
    assert [public.get(url).status_code for url in addresses(photo)] == [302, 302]

    manager = manager_of(office)
    services.moderate_complaint(complaint=complaint, actor=manager, hidden=True, reason="abuse")
    assert [public.get(url).status_code for url in addresses(photo)] == [404, 404]
    for url in addresses(photo):
        shown = desk.get(url)
        assert shown.status_code == 302
        assert "response-cache-control=private" in shown["Location"]

    services.moderate_complaint(complaint=complaint, actor=manager, hidden=False, reason="ok")
    assert [public.get(url).status_code for url in addresses(photo)] == [302, 302]


def files_of_report(complaint) -> Media:
    return Media.objects.get(target_id=str(complaint.pk), target_type__model="complaint")
