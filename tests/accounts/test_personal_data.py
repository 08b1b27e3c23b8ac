"""A person's data: the download holds everything about them and nothing about anyone else;
deleting the account removes it, keeps what they wrote for others without their name, and
keeps the audit log's labels. Other apps plug in through the registry."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from hamkke.accounts import personal_data, services
from hamkke.accounts.models import Membership, Role, User, VerifiedIdentity
from hamkke.core import registries
from hamkke.core.errors import InvalidInput
from hamkke.core.models import AuditEntry, Comment, CommentReport, Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(db):
    return factories.make_user(email="neighbour@example.org", display_name="이웃")


@pytest.fixture
def lives(citizen, neighbour, transport, sms_outbox):
    """The citizen and a neighbour, each with comments, notifications and an identity; the
    citizen also reported the neighbour's comment and, as a manager, added the neighbour to
    their department."""
    on = {
        "target_type": ContentType.objects.get_for_model(transport),
        "target_id": str(transport.pk),
    }
    mine = Comment.objects.create(author=citizen, body="The bus stop needs a roof.", **on)
    theirs = Comment.objects.create(author=neighbour, body="NEIGHBOUR'S PRIVATE WORDS", **on)
    CommentReport.objects.create(comment=theirs, reporter=citizen, reason="off topic")
    Notification.objects.create(recipient=citizen, kind="test", title="Your report moved on")
    Notification.objects.create(recipient=neighbour, kind="test", title="NEIGHBOUR'S NEWS")
    factories.make_membership(user=citizen, department=transport, role=Role.MANAGER)
    # An official action that names the neighbour in the audit log.
    services.add_member(
        actor=citizen, department=transport, email=neighbour.email, role=Role.VIEWER
    )
    for person, phone in ((citizen, "010-1111-2222"), (neighbour, "010-3333-4444")):
        services.start_phone_verification(user=person, phone=phone)
        services.confirm_phone_verification(user=person, code=_last_code(sms_outbox))
    return {"mine": mine, "theirs": theirs}


def test_the_download_holds_my_data_and_nobody_elses(client, citizen, neighbour, lives):
    client.force_login(citizen)
    response = client.get(reverse("accounts:personal-data-download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    data = json.loads(text)

    assert data["account"]["email"] == "citizen@example.org"
    assert data["account"]["display_name"] == "김시민"
    assert [identity["method"] for identity in data["identities"]] == ["phone"]
    assert [membership["role"] for membership in data["memberships"]] == ["manager"]
    assert [action["action"] for action in data["official_actions"]] == ["accounts.member_added"]
    assert [comment["body"] for comment in data["comments"]] == ["The bus stop needs a roof."]
    assert [note["title"] for note in data["notifications"]] == ["Your report moved on"]
    assert [report["reason"] for report in data["comment_reports"]] == ["off topic"]

    # Nothing about the neighbour, not even the comment the citizen reported.
    for foreign in (
        "neighbour@example.org",
        "이웃",
        "NEIGHBOUR'S PRIVATE WORDS",
        "NEIGHBOUR'S NEWS",
    ):
        assert foreign not in text
    # Never the identity keys, nor the phone number.
    for key in VerifiedIdentity.objects.values_list("identity_key", flat=True):
        assert key not in text
    # (Whole numbers, not digit runs: a timestamp's microseconds may hold "1111".)
    assert "010-1111-2222" not in text and "01011112222" not in text
    assert "+821011112222" not in text and "1011112222" not in text


def test_the_api_download_matches(client, citizen, lives):
    assert client.get("/api/v1/accounts/me/personal-data").status_code == 401
    client.force_login(citizen)
    data = client.get("/api/v1/accounts/me/personal-data").json()
    assert data["account"]["email"] == "citizen@example.org"
    assert [comment["body"] for comment in data["comments"]] == ["The bus stop needs a roof."]


def test_apps_add_their_part_through_the_registry(citizen, neighbour):
    calls = []
    registries.register_exporter("ideas", lambda user: {"ideas_of": user.email})
    registries.register_eraser("ideas", calls.append)
    try:
        data = personal_data.export_personal_data(citizen)
        assert data["ideas"] == {"ideas_of": "citizen@example.org"}
        services.delete_account(user=citizen, password=factories.PASSWORD)
        assert [user.email for user in calls] == ["citizen@example.org"]
    finally:
        registries.unregister("ideas")
    assert "ideas" not in registries.exporter_names()


def test_deleting_needs_the_right_password(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:delete-account"), {"password": "not my password", "confirm": "on"}
    )
    assert response.status_code == 400
    assert "That password is not right." in response.content.decode()
    assert User.objects.filter(pk=citizen.pk).exists()
    with pytest.raises(InvalidInput):
        services.delete_account(user=citizen, password="")


def test_deleting_needs_the_confirmation_box(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:delete-account"), {"password": factories.PASSWORD})
    assert response.status_code == 400
    assert User.objects.filter(pk=citizen.pk).exists()


def test_deleting_removes_the_person_and_keeps_their_words_without_name(
    client, citizen, neighbour, lives, transport
):
    client.force_login(citizen)
    response = client.post(
        reverse("accounts:delete-account"), {"password": factories.PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=citizen.pk).exists()
    # Logged out.
    assert client.get(reverse("accounts:profile")).status_code == 302

    lives["mine"].refresh_from_db()
    assert lives["mine"].author is None
    assert lives["mine"].body == "The bus stop needs a roof."
    assert not Notification.objects.filter(title="Your report moved on").exists()
    assert not Membership.objects.filter(user_id=citizen.pk).exists()
    assert not VerifiedIdentity.objects.filter(user_id=citizen.pk).exists()
    assert not CommentReport.objects.filter(reason="off topic").exists()
    # The manager's official action stays in the log, saying who it was.
    entry = AuditEntry.objects.get(action="accounts.member_added")
    assert entry.actor is None and entry.actor_label == "citizen@example.org"
    assert AuditEntry.objects.filter(action="accounts.account_deleted").exists()
    # The neighbour is untouched, their membership too.
    assert VerifiedIdentity.objects.filter(user=neighbour).count() == 1
    assert Membership.objects.filter(user=neighbour, department=transport).exists()
    lives["theirs"].refresh_from_db()
    assert lives["theirs"].author == neighbour


def _last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def test_the_phone_of_a_deleted_account_can_verify_a_new_one(citizen, sms_outbox):
    services.start_phone_verification(user=citizen, phone="010-5555-6666")
    services.confirm_phone_verification(user=citizen, code=_last_code(sms_outbox))
    services.delete_account(user=citizen, password=factories.PASSWORD)
    newcomer = factories.make_user()
    services.start_phone_verification(user=newcomer, phone="010-5555-6666")
    identity = services.confirm_phone_verification(user=newcomer, code=_last_code(sms_outbox))
    assert identity.user == newcomer


def test_deleting_through_the_api(client, citizen):
    client.force_login(citizen)
    wrong = client.post(
        "/api/v1/accounts/me/delete", {"password": "nope"}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "wrong_password"
    right = client.post(
        "/api/v1/accounts/me/delete",
        {"password": factories.PASSWORD},
        content_type="application/json",
    )
    assert right.status_code == 204
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert client.get("/api/v1/accounts/me").status_code == 401
