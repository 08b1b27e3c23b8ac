"""The demo people: seeded once, and the printed second-factor code is the real one."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from hamkke.accounts import demo
from hamkke.accounts.models import Membership, Role, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_demo_people_are_seeded_once(city):
    list(demo.seed())
    list(demo.seed())
    assert User.objects.filter(email__endswith="@demo.hamkke.kr").count() == 3
    official = User.objects.get(email=demo.OFFICIAL)
    assert official.check_password(demo.DEMO_PASSWORD)
    assert Membership.objects.get(user=official).role == Role.MANAGER
    assert Authenticator.objects.filter(user=official, type=Authenticator.Type.TOTP).exists()
    assert not User.objects.get(email=demo.CITIZEN).memberships.exists()


def test_demo_code_is_the_authenticator_code(capsys):
    # Computed independently (RFC 6238) in the factories, which wait out a step's last second.
    expected = factories.totp_code(demo.DEMO_TOTP_SECRET)
    call_command("demo_code")
    assert capsys.readouterr().out.strip() == expected
