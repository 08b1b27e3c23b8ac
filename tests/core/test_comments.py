"""Comments on any registered object: adding, reporting, moderating, and what the public sees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from hamkke.core import moderation, ratelimit
from hamkke.core.actors import Actor, client_address
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.comments import services as comment_services
from hamkke.core.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    TooManyAttempts,
)
from hamkke.core.models import AuditEntry, Comment, CommentReport, CommentStatus, Notification
from hamkke.core.registries import register_commentable
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --- adding ------------------------------------------------------------------------------------


def test_a_comment_is_stored_trimmed_on_its_target(commented_district, author):
    comment = comment_services.add_comment(
        author=author, target=commented_district, body="  Fix the lights.\r\n "
    )
    comment.refresh_from_db()
    assert comment.body == "Fix the lights."
    assert comment.target == commented_district
    assert comment.author == author
    assert comment.status == CommentStatus.VISIBLE


@pytest.mark.parametrize("body", ["", "   \n\t ", "\x00"])
def test_an_empty_comment_is_refused(commented_district, author, body):
    with pytest.raises(InvalidInput) as refused:
        comment_services.add_comment(author=author, target=commented_district, body=body)
    assert refused.value.field == "body"
    assert Comment.objects.count() == 0


def test_4000_characters_are_allowed_and_4001_are_not(commented_district, author):
    comment_services.add_comment(author=author, target=commented_district, body="가" * 4000)
    with pytest.raises(InvalidInput, match="at most 4000 characters; this one has 4001"):
        comment_services.add_comment(author=author, target=commented_district, body="가" * 4001)
    assert Comment.objects.count() == 1


def test_nul_characters_are_removed_so_postgresql_can_store_the_text(commented_district, author):
    comment = comment_services.add_comment(author=author, target=commented_district, body="a\x00b")
    comment.refresh_from_db()
    assert comment.body == "ab"


def test_a_banned_person_cannot_comment(commented_district):
    banned = factories.make_user(banned_at=timezone.now(), ban_reason="spam")
    with pytest.raises(NotAllowed) as refused:
        comment_services.add_comment(author=banned, target=commented_district, body="Hello")
    assert refused.value.code == "banned"
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("who", [None, AnonymousUser()])
def test_an_anonymous_visitor_cannot_comment(commented_district, who):
    with pytest.raises(NotAllowed) as refused:
        comment_services.add_comment(author=who, target=commented_district, body="Hello")
    assert refused.value.code == "not_authenticated"


def test_only_registered_models_take_comments(db, author):
    from hamkke.core.models import City

    city = factories.make_district().city  # City is not registered
    assert isinstance(city, City)
    with pytest.raises(NotFound) as refused:
        comment_services.add_comment(author=author, target=city, body="Hello")
    assert refused.value.code == "not_commentable"


def test_a_closed_target_refuses_new_comments(commented_district, author):
    from hamkke.core.models import District

    register_commentable(District, label="district", is_open=lambda d: d.name != "Jongno-gu")
    with pytest.raises(NotAllowed) as refused:
        comment_services.add_comment(author=author, target=commented_district, body="Hello")
    assert refused.value.code == "comments_closed"
    other = factories.make_district(name="Mapo-gu")
    assert comment_services.add_comment(author=author, target=other, body="Hello").pk


def test_too_many_comments_in_a_minute_are_refused_with_a_wait(
    commented_district, author, settings, monkeypatch
):
    settings.HAMKKE_COMMENTS_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_010.0)
    comment_services.add_comment(author=author, target=commented_district, body="one")
    comment_services.add_comment(author=author, target=commented_district, body="two")
    with pytest.raises(TooManyAttempts) as refused:
        comment_services.add_comment(author=author, target=commented_district, body="three")
    assert refused.value.status == 429
    assert refused.value.retry_after == 50
    assert Comment.objects.count() == 2
    # Another person is not held back by the first one's allowance.
    comment_services.add_comment(
        author=factories.make_user(), target=commented_district, body="mine"
    )
    # The next minute opens a new allowance.
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_800_000_075.0)
    comment_services.add_comment(author=author, target=commented_district, body="three, later")
    assert Comment.objects.count() == 4


# --- reporting ---------------------------------------------------------------------------------


def test_a_person_reports_a_comment_once(commented_district, author, citizen):
    comment = factories.make_comment(target=commented_district, author=author)
    report = comment_services.report_comment(
        comment=comment, reporter=citizen, reason=" insulting "
    )
    assert report.reason == "insulting"

    with pytest.raises(Conflict) as refused:
        comment_services.report_comment(comment=comment, reporter=citizen, reason="again")
    assert refused.value.code == "already_reported"
    assert "already reported" in refused.value.message
    # The clash did not break the surrounding transaction (PostgreSQL would otherwise refuse).
    assert CommentReport.objects.filter(comment=comment).count() == 1
    comment_services.report_comment(comment=comment, reporter=factories.make_user(), reason="rude")
    assert CommentReport.objects.filter(comment=comment).count() == 2


def test_a_report_needs_a_reason(commented_district, author, citizen):
    comment = factories.make_comment(target=commented_district, author=author)
    with pytest.raises(InvalidInput) as refused:
        comment_services.report_comment(comment=comment, reporter=citizen, reason="  ")
    assert refused.value.field == "reason"


def test_a_banned_person_cannot_report(commented_district, author):
    comment = factories.make_comment(target=commented_district, author=author)
    banned = factories.make_user(banned_at=timezone.now())
    with pytest.raises(NotAllowed):
        comment_services.report_comment(comment=comment, reporter=banned, reason="x")


def test_the_moderation_queue_lists_reported_unresolved_comments(
    commented_district, author, citizen
):
    quiet = factories.make_comment(target=commented_district, author=author, body="fine")
    once = factories.make_comment(target=commented_district, author=author, body="meh")
    twice = factories.make_comment(target=commented_district, author=author, body="bad")
    comment_services.report_comment(comment=once, reporter=citizen, reason="meh")
    comment_services.report_comment(comment=twice, reporter=citizen, reason="bad")
    comment_services.report_comment(
        comment=twice, reporter=factories.make_user(), reason="very bad"
    )

    queue = list(comment_selectors.moderation_queue())

    assert [c.pk for c in queue] == [twice.pk, once.pk]
    assert [c.open_reports for c in queue] == [2, 1]
    assert sorted(r.reason for r in queue[0].pending_reports) == ["bad", "very bad"]
    assert quiet.pk not in [c.pk for c in queue]


# --- moderating --------------------------------------------------------------------------------


def test_a_citizen_or_a_handler_cannot_hide_a_comment(commented_district, author, citizen, handler):
    comment = factories.make_comment(target=commented_district, author=author)
    for person in (citizen, handler, author):
        with pytest.raises(NotAllowed) as refused:
            comment_services.hide_comment(comment=comment, moderator=person, reason="no")
        assert refused.value.code == "not_moderator"
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert AuditEntry.objects.count() == 0


def test_a_manager_hides_a_comment_and_the_audit_log_records_it(
    commented_district, author, citizen, manager
):
    comment = factories.make_comment(target=commented_district, author=author, body="rude words")
    comment_services.report_comment(comment=comment, reporter=citizen, reason="rude")
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    comment_services.hide_comment(
        comment=comment,
        moderator=Actor(user=manager, address=client_address(request)),
        reason="Insults",
    )

    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN
    assert comment.hidden_reason == "Insults"
    assert comment.hidden_by == manager
    assert comment.body == "rude words"  # kept for appeals; only the public view hides it
    assert not CommentReport.objects.filter(comment=comment, resolved=False).exists()
    assert list(comment_selectors.moderation_queue()) == []

    entry = AuditEntry.objects.get()
    assert entry.actor == manager
    assert entry.actor_label == "manager@example.org"
    assert entry.action == "comment.hide"
    assert entry.target_id == str(comment.pk)
    assert entry.target_type.model == "comment"
    assert entry.data["reason"] == "Insults"
    assert entry.data["reports_resolved"] == 1
    assert entry.data["on"] == f"core.district:{commented_district.pk}"
    assert entry.ip_address == "203.0.113.9"


def test_the_author_is_told_why_their_comment_was_hidden(
    commented_district, author, staff_moderator, django_capture_on_commit_callbacks, mailoutbox
):
    comment = factories.make_comment(target=commented_district, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        comment_services.hide_comment(
            comment=comment, moderator=staff_moderator, reason="Off topic"
        )
    notification = Notification.objects.get(recipient=author)
    assert notification.kind == "comment_hidden"
    assert "Off topic" in notification.body
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["author.private@example.org"]


def test_staff_can_hide_and_unhide(commented_district, author, staff_moderator):
    comment = factories.make_comment(target=commented_district, author=author)
    comment_services.hide_comment(comment=comment, moderator=staff_moderator, reason="spam")
    with pytest.raises(Conflict):
        comment_services.hide_comment(comment=comment, moderator=staff_moderator, reason="spam")

    comment_services.unhide_comment(comment=comment, moderator=staff_moderator)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert comment.hidden_reason == ""
    assert comment.hidden_by is None
    with pytest.raises(Conflict):
        comment_services.unhide_comment(comment=comment, moderator=staff_moderator)

    actions = list(AuditEntry.objects.order_by("created_at", "id").values_list("action", flat=True))
    assert actions == ["comment.hide", "comment.unhide"]
    assert AuditEntry.objects.get(action="comment.unhide").data["previous_reason"] == "spam"


def test_hiding_needs_a_reason(commented_district, author, manager):
    comment = factories.make_comment(target=commented_district, author=author)
    with pytest.raises(InvalidInput) as refused:
        comment_services.hide_comment(comment=comment, moderator=manager, reason=" ")
    assert refused.value.field == "reason"


def test_a_citizen_cannot_unhide_or_dismiss(commented_district, author, citizen, manager):
    comment = factories.make_comment(target=commented_district, author=author)
    comment_services.hide_comment(comment=comment, moderator=manager, reason="x")
    with pytest.raises(NotAllowed):
        comment_services.unhide_comment(comment=comment, moderator=citizen)
    with pytest.raises(NotAllowed):
        comment_services.dismiss_comment_reports(comment=comment, moderator=citizen)


def test_dismissing_reports_empties_the_queue_and_is_audited(
    commented_district, author, citizen, manager
):
    comment = factories.make_comment(target=commented_district, author=author)
    comment_services.report_comment(comment=comment, reporter=citizen, reason="meh")
    assert comment_services.dismiss_comment_reports(comment=comment, moderator=manager) == 1
    assert list(comment_selectors.moderation_queue()) == []
    comment.refresh_from_db()
    assert comment.status == CommentStatus.VISIBLE
    assert AuditEntry.objects.get().action == "comment.reports_dismissed"


# --- what the public sees ----------------------------------------------------------------------


def test_the_public_sees_hidden_comments_as_hidden_without_their_text(
    commented_district, author, manager
):
    visible = factories.make_comment(target=commented_district, author=author, body="Good idea")
    hidden = factories.make_comment(target=commented_district, author=author, body="Nasty words")
    comment_services.hide_comment(comment=hidden, moderator=manager, reason="insult")

    public = comment_selectors.comments_for(commented_district)
    assert [c.id for c in public] == [visible.pk, hidden.pk]
    assert public[0].body == "Good idea"
    assert public[1].hidden is True
    assert public[1].body is None
    assert public[1].hidden_reason is None

    moderators = comment_selectors.comments_for(commented_district, include_hidden=True)
    assert moderators[1].body == "Nasty words"
    assert moderators[1].hidden_reason == "insult"


def test_comments_for_reads_a_thread_in_one_query(commented_district, django_assert_num_queries):
    for number in range(5):
        factories.make_comment(
            target=commented_district, author=factories.make_user(display_name=f"P{number}")
        )
    comment_selectors.comments_for(commented_district)  # warm the content-type cache
    with django_assert_num_queries(1):
        names = [c.author_name for c in comment_selectors.comments_for(commented_district)]
    assert names == ["P0", "P1", "P2", "P3", "P4"]


def test_a_person_without_a_display_name_shows_as_citizen(commented_district):
    person = factories.make_user(email="no.name@example.org")
    factories.make_comment(target=commented_district, author=person)
    assert comment_selectors.comments_for(commented_district)[0].author_name == "Citizen"


def test_comment_counts_count_visible_comments_per_target(commented_district, author, manager):
    other = factories.make_district()
    factories.make_comment(target=commented_district, author=author)
    hidden = factories.make_comment(target=commented_district, author=author)
    factories.make_comment(target=other, author=author)
    factories.make_comment(target=other, author=author)
    comment_services.hide_comment(comment=hidden, moderator=manager, reason="x")
    assert comment_selectors.comment_counts([commented_district, other]) == {
        str(commented_district.pk): 1,
        str(other.pk): 2,
    }


def test_can_moderate(db, citizen, handler, manager, staff_moderator):
    assert not moderation.can_moderate(None)
    assert not moderation.can_moderate(AnonymousUser())
    assert not moderation.can_moderate(citizen)
    assert not moderation.can_moderate(handler)
    assert moderation.can_moderate(manager)
    assert moderation.can_moderate(staff_moderator)
    manager.is_active = False
    assert not moderation.can_moderate(manager)
