"""The comment pages and API: posting, reporting, hiding through HTTP, refusals shown inline or
as 4xx JSON, and never an author's email in public output."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hamkke.core.comments import services as comment_services
from hamkke.core.models import AuditEntry, Comment, CommentReport, CommentStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def thread_url(commented_district):
    return reverse("core:comment-thread", args=["core.district", commented_district.pk])


def api_thread(commented_district):
    return f"/api/v1/threads/core.district/{commented_district.pk}/comments"


# --- pages -------------------------------------------------------------------------------------


def test_the_thread_page_shows_public_names_and_never_emails(client, commented_district, author):
    nameless = factories.make_user(email="nameless.secret@example.org")
    factories.make_comment(
        target=commented_district, author=author, body="Brighter lights, please."
    )
    factories.make_comment(target=commented_district, author=nameless, body="Agreed.")

    page = client.get(thread_url(commented_district))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Kim Author" in html
    assert "Brighter lights, please." in html
    assert "Citizen" in html
    assert "author.private@example.org" not in html
    assert "nameless.secret" not in html
    assert "Log in to comment." in html


def test_a_hidden_comment_shows_as_hidden_by_a_moderator(
    client, commented_district, author, manager
):
    comment = factories.make_comment(target=commented_district, author=author, body="Nasty words")
    comment_services.hide_comment(comment=comment, moderator=manager, reason="insult")

    html = client.get(thread_url(commented_district)).content.decode()
    assert "This comment was hidden by a moderator." in html
    assert "Nasty words" not in html

    factories.log_in_official(client, manager)
    html = client.get(thread_url(commented_district)).content.decode()
    assert "Nasty words" in html
    assert "Show again" in html


def test_posting_a_comment_redirects_back_to_it(client, commented_district, author):
    client.force_login(author)
    response = client.post(
        thread_url(commented_district), {"body": "Please fix the bench.", "next": "/some/page/?x=1"}
    )
    comment = Comment.objects.get()
    assert comment.body == "Please fix the bench."
    assert comment.author == author
    assert response.status_code == 302
    assert response["Location"] == f"/some/page/?x=1#comment-{comment.pk}"


def test_a_foreign_next_address_is_not_followed(client, commented_district, author):
    client.force_login(author)
    response = client.post(
        thread_url(commented_district), {"body": "Hi", "next": "https://evil.example/steal"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(thread_url(commented_district))


def test_an_anonymous_post_goes_to_log_in_and_stores_nothing(client, commented_district):
    response = client.post(thread_url(commented_district), {"body": "Hi"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Comment.objects.count() == 0


def test_a_refused_comment_is_shown_again_with_the_reason_inline(client, commented_district):
    banned = factories.make_user(banned_at=timezone.now())
    client.force_login(banned)
    response = client.post(thread_url(commented_district), {"body": "my long careful text"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Your account is suspended" in html
    assert "my long careful text" in html  # nothing typed is lost
    assert Comment.objects.count() == 0


def test_an_over_long_comment_is_refused_inline(client, commented_district, author):
    client.force_login(author)
    response = client.post(thread_url(commented_district), {"body": "x" * 4001})
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()


def test_an_unregistered_target_is_404(client, db):
    city = factories.make_district().city
    assert client.get(f"/comments/on/core.city/{city.pk}/").status_code == 404
    assert client.get("/comments/on/core.district/999999/").status_code == 404


def test_reporting_through_the_page_twice_shows_the_conflict(
    client, commented_district, author, citizen
):
    comment = factories.make_comment(target=commented_district, author=author)
    client.force_login(citizen)
    url = reverse("core:comment-report", args=[comment.pk])

    first = client.post(url, {"reason": "spam", "next": thread_url(commented_district)})
    assert first.status_code == 302
    assert first["Location"] == f"{thread_url(commented_district)}#comment-{comment.pk}"

    second = client.post(url, {"reason": "spam again"})
    assert second.status_code == 409
    assert "already reported this comment" in second.content.decode()
    assert CommentReport.objects.count() == 1


def test_a_citizen_cannot_hide_through_the_page(client, commented_district, author, citizen):
    comment = factories.make_comment(target=commented_district, author=author)
    client.force_login(citizen)
    response = client.post(reverse("core:comment-hide", args=[comment.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert "Only moderators may hide comments." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


def test_a_manager_hides_through_the_page_and_it_is_audited(
    client, commented_district, author, manager
):
    comment = factories.make_comment(target=commented_district, author=author)
    factories.log_in_official(client, manager)
    response = client.post(
        reverse("core:comment-hide", args=[comment.pk]),
        {"reason": "Off topic", "next": thread_url(commented_district)},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    entry = AuditEntry.objects.get(action="comment.hide")
    assert entry.actor == manager
    assert entry.ip_address == "198.51.100.7"

    response = client.post(reverse("core:comment-unhide", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE


def test_the_moderation_queue_is_for_moderators(
    client, commented_district, author, citizen, manager
):
    comment = factories.make_comment(
        target=commented_district, author=author, body="Buy cheap pills"
    )
    comment_services.report_comment(comment=comment, reporter=citizen, reason="advertising")

    client.force_login(citizen)
    assert client.get(reverse("core:moderation-queue")).status_code == 403

    factories.log_in_official(client, manager)
    page = client.get(reverse("core:moderation-queue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Buy cheap pills" in html
    assert "advertising" in html
    assert "citizen@example.org" not in html

    response = client.post(reverse("core:comment-dismiss-reports", args=[comment.pk]))
    assert response.status_code == 302
    assert "Buy cheap pills" not in client.get(reverse("core:moderation-queue")).content.decode()


def test_a_post_without_the_csrf_token_is_refused_with_our_page(commented_district, author):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(author)
    response = strict.post(thread_url(commented_district), {"body": "Hi"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert Comment.objects.count() == 0


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_comments_without_emails(client, commented_district, author, manager):
    factories.make_comment(target=commented_district, author=author, body="Visible")
    hidden = factories.make_comment(target=commented_district, author=author, body="Nasty")
    comment_services.hide_comment(comment=hidden, moderator=manager, reason="insult")

    response = client.get(api_thread(commented_district))

    assert response.status_code == 200
    items = response.json()["items"]  # the thread is a page, as every list
    assert [(c["author"], c["body"], c["hidden"]) for c in items] == [
        ("Kim Author", "Visible", False),
        ("Kim Author", None, True),
    ]
    assert "@" not in response.content.decode()


def test_api_unknown_targets_answer_404_json(client, db, commentable_districts):
    response = client.get("/api/v1/threads/core.city/1/comments")
    assert response.status_code == 404
    assert response.json()["code"] == "not_commentable"
    response = client.get("/api/v1/threads/core.district/424242/comments")
    assert response.status_code == 404
    assert response.json() == {"detail": "No district with id 424242.", "code": "not_found"}


def test_api_posting_needs_a_session(client, commented_district):
    response = client.post(
        api_thread(commented_district), {"body": "Hi"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_posts_a_comment(client, commented_district, author):
    client.force_login(author)
    response = client.post(
        api_thread(commented_district), {"body": " Hello "}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "Kim Author"
    assert body["body"] == "Hello"
    assert Comment.objects.get().pk == body["id"]


def test_api_refusals_are_4xx_json_with_messages(client, commented_district, author, settings):
    client.force_login(author)
    empty = client.post(
        api_thread(commented_district), {"body": "  "}, content_type="application/json"
    )
    assert empty.status_code == 400
    assert empty.json() == {
        "detail": "Write something before sending the comment.",
        "code": "invalid",
        "field": "body",
    }

    settings.HAMKKE_COMMENTS_PER_MINUTE = 1
    client.post(api_thread(commented_district), {"body": "one"}, content_type="application/json")
    too_many = client.post(
        api_thread(commented_district), {"body": "two"}, content_type="application/json"
    )
    assert too_many.status_code == 429
    assert too_many.json()["code"] == "too_many_attempts"
    assert 0 < int(too_many["Retry-After"]) <= 60


def test_api_banned_people_get_403(client, commented_district):
    client.force_login(factories.make_user(banned_at=timezone.now()))
    response = client.post(
        api_thread(commented_district), {"body": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "banned"


def test_api_report_twice_is_409(client, commented_district, author, citizen):
    comment = factories.make_comment(target=commented_district, author=author)
    client.force_login(citizen)
    url = f"/api/v1/comments/{comment.pk}/report"
    first = client.post(url, {"reason": "spam"}, content_type="application/json")
    assert first.status_code == 201
    second = client.post(url, {"reason": "spam"}, content_type="application/json")
    assert second.status_code == 409
    assert second.json() == {
        "detail": "You have already reported this comment; the moderators will look at it.",
        "code": "already_reported",
    }


def test_api_report_of_a_missing_comment_is_404(client, db, citizen):
    client.force_login(citizen)
    response = client.post(
        "/api/v1/comments/987654/report", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No such comment."


def test_api_hide_is_for_moderators(client, commented_district, author, citizen, staff_moderator):
    comment = factories.make_comment(target=commented_district, author=author, body="Nasty")
    url = f"/api/v1/comments/{comment.pk}/hide"

    client.force_login(citizen)
    refused = client.post(url, {"reason": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_moderator"

    factories.log_in_official(client, staff_moderator)
    hidden = client.post(url, {"reason": "insult"}, content_type="application/json")
    assert hidden.status_code == 200
    assert hidden.json()["hidden"] is True
    assert hidden.json()["body"] == "Nasty"  # a moderator still sees the text
    assert AuditEntry.objects.filter(action="comment.hide", actor=staff_moderator).count() == 1

    again = client.post(url, {"reason": "insult"}, content_type="application/json")
    assert again.status_code == 409

    shown = client.post(f"/api/v1/comments/{comment.pk}/unhide")
    assert shown.status_code == 200
    assert shown.json()["hidden"] is False


def test_a_comment_already_reported_is_not_offered_for_reporting_again(
    client, commented_district, author, citizen
):
    reported = factories.make_comment(target=commented_district, author=author, body="one")
    factories.make_comment(target=commented_district, author=author, body="two")
    comment_services.report_comment(comment=reported, reporter=citizen, reason="spam")
    client.force_login(citizen)
    html = client.get(thread_url(commented_district)).content.decode()
    assert html.count("You reported this comment.") == 1
    assert html.count('name="reason"') == 1  # only the other comment offers the form


def test_a_moderator_without_the_second_factor_is_refused_everywhere(
    client, commented_district, author, manager
):
    """Moderating is an official's action: the role is not enough without the authenticator
    code in this session, on the page, in the queue and through the API alike."""
    comment = factories.make_comment(target=commented_district, author=author, body="Nasty")
    client.force_login(manager)  # password only: no second factor in this session
    page = client.post(reverse("core:comment-hide", args=[comment.pk]), {"reason": "x"})
    assert page.status_code == 403
    assert "authenticator code" in page.content.decode()
    assert client.get(reverse("core:moderation-queue")).status_code == 403
    api = client.post(
        f"/api/v1/comments/{comment.pk}/hide", {"reason": "x"}, content_type="application/json"
    )
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    # Nor is moderation offered to them on the thread.
    html = client.get(thread_url(commented_district)).content.decode()
    assert reverse("core:comment-hide", args=[comment.pk]) not in html
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert not AuditEntry.objects.filter(action="comment.hide").exists()
