"""The media route (core/media/views.py) on local disk: every stored file's public address is
answered per request by who may see it now; hidden uploads and every file of a hidden object
answer 404 (the same 404 as a file that never existed), staff in the back office and the
owner's officials still see them, kept by no cache; and no spelling of a path reaches a file
outside MEDIA_ROOT. The S3 path is in test_hidden_media_s3.py; reports in
tests/complaints/test_hidden_media.py."""

from __future__ import annotations

import http.client
import re
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from hamkke.core.media import services as media_services
from hamkke.core.media.access import register_media_owner, unregister_media_owner
from hamkke.core.models import City, District, Media
from tests import factories
from tests.core.image_files import image_bytes, upload
from tests.factories import log_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SECRET = b"the city's database password"


class Rules:
    """The owner's answers for districts in these tests: which are hidden, who sees them."""

    def __init__(self) -> None:
        self.hidden: set[int] = set()
        self.officials: set[str] = set()

    def is_public(self, district: District) -> bool:
        return district.pk not in self.hidden

    def may_see_hidden(self, request, district: District) -> bool:
        user = request.user
        return user.is_authenticated and user.email in self.officials


@pytest.fixture
def rules():
    """Districts answer for their uploads in these tests (no real service attaches any)."""
    rules = Rules()
    register_media_owner(District, is_public=rules.is_public, may_see_hidden=rules.may_see_hidden)
    yield rules
    unregister_media_owner(District)


@pytest.fixture
def district(db):
    return factories.make_district(name="Jongno-gu")


def photo_on(target, color=(200, 30, 30)) -> Media:
    data = image_bytes(size=(400, 300), color=color)
    return media_services.store_photo(upload=upload(data, "street.jpg"), target=target)


def stored_bytes(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def as_page(response, url: str) -> bytes:
    """A page without what differs between any two answers: its CSRF tokens (masked afresh
    each time) and the address asked for (the language switch returns to it)."""
    page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return page.replace(url.encode(), b"<address>")


def staff_client() -> Client:
    staff = factories.make_user(is_staff=True)
    client = Client()
    log_in(client, staff, secret=factories.activate_totp(staff))
    return client


# --- what the public sees -----------------------------------------------------------------------


def test_a_visible_photo_and_its_thumbnail_are_served_and_may_be_kept_by_a_cdn(
    client, rules, district, settings
):
    settings.HAMKKE_MEDIA_CACHE_SECONDS = 240
    media = photo_on(district)

    assert media.url == f"/media/{media.file.name}"  # the route is the public address
    for field, url in ((media.file, media.url), (media.thumbnail, media.thumbnail_url)):
        response = client.get(url)
        assert response.status_code == 200
        assert body(response) == stored_bytes(field)
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "public, max-age=240"
        assert "Set-Cookie" not in response  # a CDN keeps only answers that set nothing
        assert response.cookies == {}


def test_a_hidden_photo_answers_404_exactly_as_a_file_that_never_existed(client, rules, district):
    media = photo_on(district)
    media_services.set_media_hidden(
        media=media, moderator=factories.make_user(is_staff=True), hidden=True, reason="a face"
    )
    missing_url = media.url.replace(media.file.name.rsplit("/", 1)[1], "0" * 32 + ".jpg")
    missing = client.get(missing_url)

    for url in (media.url, media.thumbnail_url):
        hidden = client.get(url)
        assert hidden.status_code == 404
        assert as_page(hidden, url) == as_page(missing, missing_url)
        assert hidden["Cache-Control"] == missing["Cache-Control"] == "private, no-store"
        assert sorted(hidden.headers) == sorted(missing.headers)


def test_hiding_the_object_hides_all_its_files_and_showing_it_brings_the_same_address_back(
    client, rules, district
):
    first, second = photo_on(district), photo_on(district, color=(10, 10, 200))
    urls = [first.url, first.thumbnail_url, second.url, second.thumbnail_url]
    assert [client.get(url).status_code for url in urls] == [200] * 4

    rules.hidden.add(district.pk)
    assert [client.get(url).status_code for url in urls] == [404] * 4

    rules.hidden.clear()
    assert [client.get(url).status_code for url in urls] == [200] * 4


def test_an_upload_of_no_object_or_of_an_object_no_app_answers_for_is_shown_to_nobody(
    client, rules, district, city
):
    loose = photo_on(None)
    unanswered = photo_on(City.objects.get(slug="seoul"))  # no owner registered for cities
    gone = photo_on(factories.make_district())
    District.objects.filter(pk=gone.target_id).delete()

    for media in (loose, unanswered, gone):
        assert client.get(media.url).status_code == 404
        assert client.get(media.thumbnail_url).status_code == 404


def test_a_file_in_cores_folders_that_no_upload_names_is_not_served(client, db):
    name = default_storage.save("media/2026/01/left-by-a-rollback.jpg", ContentFile(b"x" * 50))

    assert client.get(f"/media/{name}").status_code == 404


def test_files_other_apps_publish_in_their_own_folders_stay_public(client, db):
    name = default_storage.save("budget/seoul/2026/city.pb", ContentFile(b"META\nkey;value\n"))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert body(response) == b"META\nkey;value\n"
    assert response["Cache-Control"].startswith("public, max-age=")


# --- who else sees hidden files -----------------------------------------------------------------


def test_staff_in_the_back_office_see_hidden_files_kept_by_no_cache(client, rules, district):
    media = photo_on(district)
    rules.hidden.add(district.pk)
    staff = staff_client()

    response = staff.get(media.url)

    assert response.status_code == 200
    assert body(response) == stored_bytes(media.file)
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]
    assert staff.get(media.thumbnail_url).status_code == 200


def test_staff_without_their_second_factor_in_this_session_are_the_public(rules, district):
    media = photo_on(district)
    rules.hidden.add(district.pk)
    password_only = Client()
    password_only.force_login(factories.make_user(is_staff=True))

    assert password_only.get(media.url).status_code == 404


def test_the_owner_decides_which_of_its_officials_see_hidden_files(rules, district):
    media = photo_on(district)
    media_services.set_media_hidden(
        media=media, moderator=factories.make_user(is_staff=True), hidden=True
    )
    official, citizen = factories.make_user(), factories.make_user()
    rules.officials.add(official.email)
    clients = {}
    for person in (official, citizen):
        clients[person] = Client()
        clients[person].force_login(person)

    assert clients[official].get(media.url).status_code == 200
    assert clients[official].get(media.url)["Cache-Control"] == "private, no-store"
    assert clients[citizen].get(media.url).status_code == 404


def test_a_visible_file_is_the_same_public_answer_for_everybody(rules, district):
    """Staff fetching a public file get the public answer: nothing about them is in it."""
    media = photo_on(district)
    anonymous = Client().get(media.url)
    staff = staff_client().get(media.url)

    assert anonymous["Cache-Control"] == staff["Cache-Control"]
    assert anonymous["Cache-Control"].startswith("public")


# --- HTTP details -------------------------------------------------------------------------------


def test_a_byte_range_is_served_for_video_players_and_an_impossible_one_refused(
    client, rules, district
):
    media = photo_on(district)
    whole = stored_bytes(media.file)
    size = len(whole)

    first = client.get(media.url, HTTP_RANGE="bytes=0-9")
    assert first.status_code == 206
    assert body(first) == whole[:10]
    assert first["Content-Range"] == f"bytes 0-9/{size}"
    assert first["Content-Length"] == "10"

    tail = client.get(media.url, HTTP_RANGE="bytes=-7")
    assert tail.status_code == 206
    assert body(tail) == whole[-7:]

    rest = client.get(media.url, HTTP_RANGE=f"bytes={size - 3}-")
    assert body(rest) == whole[-3:]

    beyond = client.get(media.url, HTTP_RANGE=f"bytes={size}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{size}"

    for unparsed in ("bytes=0-1,5-6", "bytes=" + "9" * 5000 + "-", "items=0-1", "bytes=a-b"):
        answer = client.get(media.url, HTTP_RANGE=unparsed)
        assert answer.status_code == 200
        assert body(answer) == whole


def test_a_hidden_file_ignores_ranges_and_conditions(client, rules, district):
    media = photo_on(district)
    rules.hidden.add(district.pk)

    assert client.get(media.url, HTTP_RANGE="bytes=0-9").status_code == 404
    assert (
        client.get(media.url, HTTP_IF_MODIFIED_SINCE="Fri, 01 Jan 2100 00:00:00 GMT").status_code
        == 404
    )
    assert client.head(media.url).status_code == 404


def test_head_and_if_modified_since_and_no_writes(client, rules, district):
    media = photo_on(district)

    head = client.head(media.url)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(stored_bytes(media.file)))
    assert head.content == b""

    unchanged = client.get(media.url, HTTP_IF_MODIFIED_SINCE=head["Last-Modified"])
    assert unchanged.status_code == 304

    assert client.post(media.url).status_code == 405


def test_a_file_whose_name_says_html_is_not_served_as_a_page(client, db):
    name = default_storage.save("budget/x/notes.html", ContentFile(b"<script>alert(1)</script>"))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"


# --- paths that try to leave MEDIA_ROOT ---------------------------------------------------------


@pytest.fixture
def outside(settings, tmp_path) -> Path:
    """A secret beside MEDIA_ROOT, and a public file inside it whose neighbours are probed."""
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    default_storage.save("budget/public.txt", ContentFile(b"public"))
    return secret


TRAVERSALS = [
    "/media/../secret.txt",
    "/media/budget/../../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/%2E%2E/secret.txt",
    "/media/budget/%2e%2e/%2e%2e/secret.txt",
    "/media/..%2fsecret.txt",
    "/media/..%5csecret.txt",
    "/media/budget%2f..%2f..%2fsecret.txt",
    "/media//secret.txt",
    "/media/budget//public.txt",
    "/media/./budget/public.txt",
    "/media/budget/./public.txt",
    "/media/budget/public.txt%00",
    "/media/budget/public.txt%00.jpg",
    "/media/budget/%00/../public.txt",
    "/media/%252e%252e/secret.txt",
    "/media/" + "a/" * 200 + "public.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_that_climb_or_are_spelled_oddly_are_refused(client, outside, path):
    response = client.get(path)

    assert response.status_code in (400, 404)
    assert SECRET not in body(response)
    assert body(response) != b"public"


def test_a_link_inside_media_root_that_leads_outside_is_not_followed(client, settings, outside):
    root = Path(settings.MEDIA_ROOT)
    (root / "budget" / "leak.txt").symlink_to(outside)

    response = client.get("/media/budget/leak.txt")

    assert response.status_code == 404
    assert SECRET not in body(response)


@pytest.fixture
def site_server():
    """The site's own WSGI application behind a real HTTP server on 127.0.0.1 (Django's
    live_server would answer MEDIA_URL itself, with django.views.static, not the site)."""
    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address
    server.shutdown()
    server.server_close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_raw_paths_sent_to_a_real_server_never_leave_media_root(site_server, outside):
    """What the test client decodes itself, sent as bytes on the wire to a WSGI server."""
    host, port = site_server
    extra = ("/media/budget/..%00/../secret.txt", "/media/%c0%ae%c0%ae/secret.txt")
    for raw in (*TRAVERSALS, *extra):
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.putrequest("GET", raw, skip_accept_encoding=True)
        connection.endheaders()
        answer = connection.getresponse()
        content = answer.read()
        connection.close()
        assert answer.status in (400, 404), raw
        assert SECRET not in content, raw
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/media/budget/public.txt")
    assert connection.getresponse().read() == b"public"  # the server does serve MEDIA_ROOT
    connection.close()
