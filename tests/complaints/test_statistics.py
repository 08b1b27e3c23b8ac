"""The statistics for officials, checked against numbers worked out by hand from reports with
known dates: counts by category, district, status and month, the median days to an answer,
the share answered within the SLA, and the two CSV exports (without personal data)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.complaints import selectors, services
from hamkke.complaints.models import Category, Complaint, Status
from hamkke.complaints.selectors import Filters
from hamkke.core.models import Department
from tests import factories
from tests.complaints.conftest import JONGNO, MAPO
from tests.factories import log_in

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SEOUL)


def file(category, when, where=JONGNO, **kwargs):
    kwargs.setdefault("description", "신고")
    return services.file_complaint(
        category=category, latitude=where[0], longitude=where[1], now=when, **kwargs
    )


@pytest.fixture
def reports(city):
    """Seven reports with known dates (litter's SLA is 3 days, the streetlight's 5):

    - litter, Jongno, filed 2025-03-03 / 03-10 / 03-17, answered after 1, 2 and 4 days
      (the first two within the SLA, the third a day late): resolved, resolved, rejected;
    - litter, Jongno, filed 2025-02-20, still open: overdue;
    - litter, Mapo, filed 2025-03-20, accepted, open: overdue;
    - streetlight, Mapo, filed now: open, not overdue;
    - litter, Jongno, filed 2025-01-15 (outside the March period), answered after 10 days.
    """
    litter = Category.objects.get(city=city, code="litter")
    streetlight = Category.objects.get(city=city, code="streetlight")
    office = Department.objects.get(city=city, code="office-11110")
    mapo_office = Department.objects.get(city=city, code="office-11440")
    handler = factories.make_user()
    factories.make_membership(user=handler, department=office, role=Role.HANDLER)
    factories.make_membership(user=handler, department=mapo_office, role=Role.HANDLER)

    answered = []
    for day, days, status in (
        ("2025-03-03", 1, Status.RESOLVED),
        ("2025-03-10", 2, Status.RESOLVED),
        ("2025-03-17", 4, Status.REJECTED),
        ("2025-01-15", 10, Status.RESOLVED),
    ):
        complaint = file(litter, at(day))
        services.change_status(
            complaint=complaint,
            actor=handler,
            status=status,
            public_note="답변",
            now=at(day) + timedelta(days=days),
        )
        answered.append(complaint)
    waiting = file(litter, at("2025-02-20"))
    accepted = file(litter, at("2025-03-20"), where=MAPO)
    services.change_status(
        complaint=accepted, actor=handler, status=Status.ACCEPTED, now=at("2025-03-21")
    )
    lamp = file(streetlight, timezone.now(), where=MAPO)
    return {"answered": answered, "waiting": waiting, "accepted": accepted, "lamp": lamp}


def by_key(tallies) -> dict:
    return {t.key: t for t in tallies}


def test_statistics_for_march(city, reports):
    march = Filters(start=at("2025-03-01", 0), end=at("2025-03-31", 23))
    numbers = selectors.desk_statistics(city, march)

    assert numbers.overall.total == 4
    assert numbers.overall.resolved == 3
    assert numbers.overall.within_sla == 2
    assert numbers.overall.share_within_sla == 0.6667
    assert numbers.median_days_to_resolve == 2.0
    assert numbers.overall.open == 1 and numbers.overall.overdue == 1

    categories = by_key(numbers.by_category)
    assert set(categories) == {"litter"}
    assert categories["litter"].total == 4
    districts = by_key(numbers.by_district)
    assert (districts["11110"].total, districts["11440"].total) == (3, 1)
    assert (districts["11110"].resolved, districts["11110"].within_sla) == (3, 2)
    statuses = by_key(numbers.by_status)
    assert {k: t.total for k, t in statuses.items()} == {
        "resolved": 2,
        "rejected": 1,
        "accepted": 1,
    }
    assert [(t.key, t.total) for t in numbers.by_month] == [("2025-03", 4)]


def test_statistics_over_everything(city, reports):
    numbers = selectors.desk_statistics(city, Filters())
    assert numbers.overall.total == 7
    # Answered after 1, 2, 4 and 10 days: the median of an even count is the middle pair's
    # mean, (2 + 4) / 2.
    assert numbers.median_days_to_resolve == 3.0
    assert (numbers.overall.resolved, numbers.overall.within_sla) == (4, 2)
    assert numbers.overall.open == 3
    assert numbers.overall.overdue == 2  # the February one and the Mapo one; not the lamp
    categories = by_key(numbers.by_category)
    assert (categories["litter"].total, categories["streetlight"].total) == (6, 1)
    months = dict((t.key, t.total) for t in numbers.by_month)
    this_month = timezone.localtime(reports["lamp"].created_at).strftime("%Y-%m")
    assert months == {"2025-01": 1, "2025-02": 1, "2025-03": 4, this_month: 1}


def test_statistics_filter_by_district_and_category(city, reports):
    mapo = selectors.desk_statistics(city, Filters(districts=("11440",)))
    assert mapo.overall.total == 2 and mapo.median_days_to_resolve is None
    assert mapo.overall.share_within_sla is None
    lamps = selectors.desk_statistics(city, Filters(categories=("streetlight",)))
    assert lamps.overall.total == 1 and lamps.overall.overdue == 0


def test_median_of_no_answered_reports_is_none(city):
    assert selectors.median_days_to_resolve(Complaint.objects.all()) is None


@pytest.fixture
def viewer_client(client, city):
    user = factories.make_user()
    department = Department.objects.get(city=city, code="budget")  # any department will do
    factories.make_membership(user=user, department=department, role=Role.VIEWER)
    log_in(client, user, secret=factories.activate_totp(user))
    return client


MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


def test_statistics_page_shows_the_numbers_and_the_charts_data(viewer_client, reports):
    response = viewer_client.get(reverse("complaints:desk-stats"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="stat-total">4</strong>' in html
    assert '<strong id="stat-median">2</strong>' in html
    assert '<strong id="stat-within">67%</strong>' in html
    assert "(2 of 3)" in html
    assert 'id="desk-charts"' in html and "chart.umd.js" in html
    assert "Litter and dumped rubbish" in html  # English names on an English page


def test_statistics_page_needs_an_official(client, city, citizen, reports):
    client.force_login(citizen)
    assert client.get(reverse("complaints:desk-stats")).status_code == 403
    assert client.get(reverse("complaints:desk-stats-csv")).status_code == 403
    assert client.get(reverse("complaints:desk-reports-csv")).status_code == 403


def _csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_aggregate_csv_has_the_same_figures(viewer_client, reports):
    response = viewer_client.get(reverse("complaints:desk-stats-csv"), MARCH)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    total = rows[0]
    assert total["dimension"] == "total"
    assert (total["reports"], total["resolved"], total["resolved_within_sla"]) == ("4", "3", "2")
    assert total["share_within_sla"] == "0.6667"
    assert float(total["median_days_to_resolve"]) == 2.0
    months = [(r["key"], r["reports"]) for r in rows if r["dimension"] == "month"]
    assert months == [("2025-03", "4")]
    statuses = {r["key"]: r["reports"] for r in rows if r["dimension"] == "status"}
    assert statuses == {"resolved": "2", "rejected": "1", "accepted": "1"}


def test_per_report_csv_has_no_personal_data(viewer_client, city, reports):
    litter = Category.objects.get(city=city, code="litter")
    reporter = factories.make_user(email="reporter-secret@example.org")
    file(
        litter,
        at("2025-03-25"),
        reporter=reporter,
        description="제 번호는 010-9999-8888 입니다",
        contact=services.Contact(
            name="홍길동", email="contact-secret@example.org", phone="010-9999-8888"
        ),
    )
    response = viewer_client.get(reverse("complaints:desk-reports-csv"), MARCH)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    for private in ("reporter-secret@example.org", "contact-secret@example.org", "홍길동"):
        assert private not in body
    assert "010-9999-8888" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5  # the four of March, and the new one
    answered = {r["tracking_number"]: r for r in rows if r["resolved_at"]}
    first, second, third = (c.tracking_number for c in reports["answered"][:3])
    assert answered[first]["days_to_resolve"] == "1.0"
    assert answered[second]["days_to_resolve"] == "2.0"
    assert answered[third]["days_to_resolve"] == "4.0"
    assert [answered[n]["resolved_within_sla"] for n in (first, second, third)] == ["1", "1", "0"]
    assert answered[first]["created_at"] == "2025-03-03T10:00:00+09:00"


def test_stats_api_matches(client, city, reports):
    user = factories.make_user()
    department = Department.objects.get(city=city, code="budget")
    factories.make_membership(user=user, department=department, role=Role.VIEWER)
    log_in(client, user, secret=factories.activate_totp(user))
    body = client.get("/api/v1/complaints/desk/stats", MARCH).json()
    assert body["overall"]["total"] == 4
    assert body["median_days_to_resolve"] == 2.0
    assert body["overall"]["share_within_sla"] == 0.6667
