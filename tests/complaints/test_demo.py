"""The demo's reports read like a real city's: every step of every history lies in the past
(a report viewed at 23:20 must not show a step at 10:44 the next day)."""

from __future__ import annotations

from django.utils import timezone

from hamkke.accounts import demo as accounts_demo
from hamkke.complaints import demo as complaints_demo
from hamkke.complaints.models import Complaint, ComplaintEvent, Status


def test_demo_histories_lie_in_the_past(city):
    list(accounts_demo.seed())
    list(complaints_demo.seed())
    now = timezone.now()
    assert Complaint.objects.count() > 100
    # The walk did happen for many reports, so the check below has something to check.
    assert Complaint.objects.exclude(status=Status.RECEIVED).count() > 50
    future = ComplaintEvent.objects.filter(created_at__gt=now)
    assert list(future.values_list("complaint__tracking_number", "created_at")) == []
    assert not Complaint.objects.filter(created_at__gt=now).exists()
