"""The home page's panel of open polls (the plug-in contract's `home_panels`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.polls.conftest import make_poll

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_the_open_polls_and_no_other(client, poll_manager, department):
    now = timezone.now()
    make_poll(poll_manager, department, title="지금 투표하는 설문")
    make_poll(
        poll_manager,
        department,
        title="다음 주에 여는 설문",
        opens_at=now + timedelta(days=7),
        closes_at=now + timedelta(days=8),
    )
    page = client.get("/").content.decode()
    assert "home-polls-title" in page
    assert "지금 투표하는 설문" in page
    assert "다음 주에 여는 설문" not in page
