"""Media on S3 (HAMKKE_MEDIA_STORAGE=s3), without a network: moto mocks S3 in-process (boto3
and `requests` alike). Objects are written private; their public address stays the site's
media route, which redirects to a short-lived signed link only while the file may be shown."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from moto import mock_aws

from hamkke.core.media import services as media_services
from hamkke.core.media.access import register_media_owner, unregister_media_owner
from hamkke.core.media.storage import PrivateS3Storage
from hamkke.core.models import District
from tests import factories
from tests.core.test_hidden_media import Rules, photo_on, staff_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BUCKET = "hamkke-media"
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture
def s3(settings, monkeypatch):
    """The default storage is the private S3 storage, on moto's in-process S3; returns a
    boto3 client to look at the bucket directly."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "hamkke.core.media.storage.PrivateS3Storage",
                "OPTIONS": {"bucket_name": BUCKET, "region_name": "us-east-1"},
            },
        }
        settings.HAMKKE_MEDIA_SIGNED_SECONDS = 300
        settings.HAMKKE_MEDIA_CACHE_SECONDS = 600
        yield client


@pytest.fixture
def rules():
    rules = Rules()
    register_media_owner(District, is_public=rules.is_public, may_see_hidden=rules.may_see_hidden)
    yield rules
    unregister_media_owner(District)


@pytest.fixture
def district(db):
    return factories.make_district(name="Mapo-gu")


def object_bytes(s3, name: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=name)["Body"].read()


def lifetime(query: dict[str, list[str]]) -> float:
    """How long a presigned link lives, whichever signature version signed it."""
    if "X-Amz-Expires" in query:
        return float(query["X-Amz-Expires"][0])
    return float(query["Expires"][0]) - time.time()


def test_uploads_are_private_objects_whose_address_is_the_sites_route(s3, rules, district):
    media = photo_on(district)

    assert isinstance(default_storage._wrapped, PrivateS3Storage)
    assert media.url == f"/media/{media.file.name}"
    assert media.thumbnail_url == f"/media/{media.thumbnail.name}"
    for name in (media.file.name, media.thumbnail.name):
        assert object_bytes(s3, name)[:2] == b"\xff\xd8"  # a JPEG, stored in the bucket
        grants = s3.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
        assert [g["Grantee"].get("URI") for g in grants if g["Grantee"].get("URI")] == []
        # Without a signature the object is refused.
        assert requests.get(f"https://{BUCKET}.s3.amazonaws.com/{name}").status_code == 403


def test_no_option_makes_the_objects_public(s3):
    storage = PrivateS3Storage(
        bucket_name=BUCKET, region_name="us-east-1", default_acl="public-read"
    )

    name = storage.save("media/2026/01/x.jpg", ContentFile(b"\xff\xd8 not much"))

    grants = s3.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert not any(g["Grantee"].get("URI") in PUBLIC_GRANTEES for g in grants)


def test_a_visible_file_redirects_to_a_short_lived_signed_link(s3, rules, district, client):
    media = photo_on(district)

    for field, url in ((media.file, media.url), (media.thumbnail, media.thumbnail_url)):
        response = client.get(url)
        assert response.status_code == 302
        link = urlsplit(response["Location"])
        query = parse_qs(link.query)
        assert link.hostname == f"{BUCKET}.s3.amazonaws.com"
        assert link.path == f"/{field.name}"
        assert "Signature" in query or "X-Amz-Signature" in query
        assert 290 < lifetime(query) <= 300
        # A kept redirect still leads somewhere: kept for half the link's life at most.
        assert response["Cache-Control"] == "public, max-age=150"
        assert query["response-cache-control"] == ["public, max-age=150"]
        fetched = requests.get(response["Location"])
        assert fetched.status_code == 200
        assert fetched.content == object_bytes(s3, field.name)


def test_a_hidden_file_gets_no_link_but_staff_get_one_nobody_keeps(s3, rules, district, client):
    media = photo_on(district)
    media_services.set_media_hidden(
        media=media, moderator=factories.make_user(is_staff=True), hidden=True, reason="a plate"
    )
    staff = staff_client()

    for url in (media.url, media.thumbnail_url):
        refused = client.get(url)
        assert refused.status_code == 404
        assert "Location" not in refused
        assert refused["Cache-Control"] == "private, no-store"

        shown = staff.get(url)
        assert shown.status_code == 302
        assert shown["Cache-Control"] == "private, no-store"
        query = parse_qs(urlsplit(shown["Location"]).query)
        assert query["response-cache-control"] == ["private, no-store"]
        assert requests.get(shown["Location"]).headers["Cache-Control"] == "private, no-store"


def test_hiding_the_object_and_showing_it_again_on_s3(s3, rules, district):
    media = photo_on(district)
    anonymous = Client()

    rules.hidden.add(district.pk)
    assert anonymous.get(media.url).status_code == 404
    assert anonymous.get(media.thumbnail_url).status_code == 404

    rules.hidden.clear()
    assert anonymous.get(media.url).status_code == 302
    assert anonymous.get(media.thumbnail_url).status_code == 302


def test_other_apps_published_files_on_s3(s3, client, db):
    name = default_storage.save("budget/seoul/2026/city.pb", ContentFile(b"META\n"))

    published = client.get(f"/media/{name}")
    assert published.status_code == 302
    assert requests.get(published["Location"]).content == b"META\n"

    assert client.get("/media/budget/seoul/2026/absent.pb").status_code == 404
    assert client.get("/media/budget/../media/x.jpg").status_code == 404
