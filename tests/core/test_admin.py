"""Back-office screens of core: comment moderation goes through the services (and the audit
log); city data from the profile is not added or deleted here; uploads show a preview."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from hamkke.core.actors import Actor
from hamkke.core.comments import services as comment_services
from hamkke.core.media import services as media_services
from hamkke.core.models import AuditEntry, City, Comment, CommentStatus, Media
from tests import factories
from tests.core.image_files import image_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def superuser(db):
    return factories.make_user(email="root@example.org", is_staff=True, is_superuser=True)


def admin_request(user, data=None):
    factory = RequestFactory()
    request = factory.post("/admin/", data or {}) if data is not None else factory.get("/admin/")
    request.user = user
    request.session = {}
    # What the middleware sets for staff, whom the back office admits only with the second factor.
    request.actor = replace(Actor.from_request(request), second_factor=True)
    request._messages = FallbackStorage(request)
    return request


def test_the_hide_action_asks_for_a_reason_first(superuser, commented_district, author):
    comment = factories.make_comment(target=commented_district, author=author)
    model_admin = admin.site._registry[Comment]
    request = admin_request(superuser, {"action": "hide_comments"})

    response = model_admin.hide_comments(request, Comment.objects.filter(pk=comment.pk))

    response.render()
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


def test_the_hide_action_hides_through_the_service_and_audits(
    superuser, commented_district, author
):
    visible = factories.make_comment(target=commented_district, author=author)
    model_admin = admin.site._registry[Comment]
    request = admin_request(superuser, {"apply": "1", "reason": "Spam"})

    model_admin.hide_comments(request, Comment.objects.filter(pk=visible.pk))

    visible.refresh_from_db()
    assert visible.status == CommentStatus.HIDDEN
    assert visible.hidden_reason == "Spam"
    entry = AuditEntry.objects.get(action="comment.hide")
    assert entry.actor == superuser

    model_admin.unhide_comments(admin_request(superuser, {}), Comment.objects.all())
    visible.refresh_from_db()
    assert visible.status == CommentStatus.VISIBLE
    assert AuditEntry.objects.filter(action="comment.unhide").count() == 1


def test_the_comment_list_renders_with_open_report_counts(
    superuser, commented_district, author, citizen
):
    comment = factories.make_comment(target=commented_district, author=author, body="Reported one")
    comment_services.report_comment(comment=comment, reporter=citizen, reason="rude")
    model_admin = admin.site._registry[Comment]
    response = model_admin.changelist_view(admin_request(superuser))
    response.render()
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reported one" in html
    assert model_admin.get_queryset(admin_request(superuser)).get().pending == 1


def test_city_rows_from_the_profile_are_not_added_or_deleted(superuser):
    model_admin = admin.site._registry[City]
    request = admin_request(superuser)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_media_show_a_preview_and_hiding_is_audited(superuser):
    media = media_services.store_photo(upload=upload(image_bytes(), "a.jpg"))
    model_admin = admin.site._registry[Media]
    assert f'src="{media.thumbnail_url}"' in model_admin.preview(media)

    model_admin.hide_media(admin_request(superuser, {}), Media.objects.all())
    media.refresh_from_db()
    assert media.hidden is True
    assert AuditEntry.objects.get().action == "media.hide"
