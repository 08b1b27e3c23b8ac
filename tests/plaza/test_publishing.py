"""Decisions of the other services made public on the Plaza the moment they are made: a resolved
report's answer (on the profile's setting, never the reporter's data) and a participatory
budget's results (once, however often publishing is run)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from hamkke.accounts.models import Role
from hamkke.budget import services as budget_services
from hamkke.complaints import services as complaint_services
from hamkke.complaints.models import Category, Status
from hamkke.core.city.selectors import forget_current_city
from hamkke.core.models import Department
from hamkke.plaza import selectors
from hamkke.plaza.models import Document, DocumentType
from tests import factories
from tests.budget.conftest import make_cycle, set_phase

pytestmark = pytest.mark.django_db

JONGNO = (37.5704, 126.9920)  # Jongno 3-ga: litter there goes to Jongno-gu's office
REPORTER_NAME = "홍길동"
REPORTER_EMAIL = "gildong.hong@example.org"
REPORTER_PHONE = "010-5555-7777"
ANSWER = "요청하신 골목의 쓰레기를 수거하고 무단투기 경고판을 설치했습니다."


@pytest.fixture
def office(city):
    return Department.objects.get(city=city, code="office-11110")


@pytest.fixture
def report(city):
    """A litter report filed without an account, with the reporter's contact details, and one
    filed with an account: both carry personal data the Plaza must never show."""
    category = Category.objects.get(city=city, code="litter")
    reporter = factories.make_user(email=REPORTER_EMAIL, display_name=REPORTER_NAME)
    return complaint_services.file_complaint(
        category=category,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description=f"골목에 쓰레기가 쌓여 있습니다. 연락은 {REPORTER_PHONE} 으로.",
        reporter=reporter,
    )


def anonymous_report(city):
    category = Category.objects.get(city=city, code="litter")
    return complaint_services.file_complaint(
        category=category,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="가로등 아래 쓰레기 더미",
        contact=complaint_services.Contact(
            name=REPORTER_NAME, email=REPORTER_EMAIL, phone=REPORTER_PHONE
        ),
    )


def resolve(client, complaint, office):
    """An official of the report's department resolves it at the complaints desk."""
    official = factories.make_official(role=Role.HANDLER, department=office)
    factories.log_in_official(client, official)
    response = client.post(
        reverse("complaints:desk-status", args=[complaint.tracking_number]),
        {"status": Status.RESOLVED, "public_note": ANSWER},
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def search_ids(query: str) -> set[int]:
    return {hit.document.pk for hit in selectors.search(query, page_size=100).hits}


def test_resolving_a_report_publishes_its_answer_without_the_reporters_data(
    client, city, report, office
):
    resolve(client, report, office)
    document = Document.objects.get(source_key=f"complaints.complaint:{report.pk}")
    assert search_ids("경고판") == {document.pk}
    assert search_ids("무단투기") == {document.pk}
    public = selectors.public_document(document.pk)
    assert public.doc_type == DocumentType.DECISION
    assert public.department == office
    assert report.tracking_number in public.title
    assert "쓰레기" in public.title  # the category's name (무단투기·쓰레기)
    assert public.body == ANSWER
    assert public.source_url == reverse("complaints:detail", args=[report.tracking_number])
    text = f"{public.title} {public.summary} {public.body}"
    for personal in (REPORTER_NAME, REPORTER_EMAIL, "gildong", REPORTER_PHONE, "5555-7777"):
        assert personal not in text
    # Nor is anything of the reporter found by searching for it.
    for personal in (REPORTER_NAME, "gildong", "5555"):
        assert search_ids(personal) == set()
    # The report's public page links to the Plaza document.
    page = client.get(reverse("complaints:detail", args=[report.tracking_number]))
    assert page.status_code == 200
    assert f"/plaza/documents/{document.pk}/" in page.content.decode()


def test_an_anonymous_reporters_contact_details_never_reach_the_plaza(client, city, office):
    complaint = anonymous_report(city)
    resolve(client, complaint, office)
    document = Document.objects.get(source_key=f"complaints.complaint:{complaint.pk}")
    text = f"{document.title} {document.summary} {document.body}"
    for personal in (REPORTER_NAME, REPORTER_EMAIL, REPORTER_PHONE):
        assert personal not in text
    assert search_ids(REPORTER_NAME) == set()


def test_resolving_again_after_a_reopening_updates_the_same_document(city, report, office):
    official = factories.make_official(role=Role.HANDLER, department=office)
    complaint_services.change_status(
        complaint=report, actor=official, status=Status.RESOLVED, public_note=ANSWER
    )
    complaint_services.change_status(
        complaint=report, actor=official, status=Status.REOPENED, public_note="다시 확인합니다."
    )
    complaint_services.change_status(
        complaint=report, actor=official, status=Status.RESOLVED, public_note="재수거 완료."
    )
    documents = Document.objects.filter(source_key=f"complaints.complaint:{report.pk}")
    assert [d.body for d in documents] == ["재수거 완료."]
    assert search_ids("재수거") == {documents[0].pk}


def test_with_the_setting_off_a_resolved_report_publishes_nothing(client, city, report, office):
    city.profile = {
        **city.profile,
        "plaza": {**city.profile["plaza"], "publish_complaint_results": False},
    }
    city.save(update_fields=["profile"])
    forget_current_city()
    resolve(client, report, office)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert not Document.objects.exists()
    assert search_ids("경고판") == set()
    page = client.get(reverse("complaints:detail", args=[report.tracking_number]))
    assert "/plaza/documents/" not in page.content.decode()


def test_other_moves_publish_nothing(city, report, office):
    official = factories.make_official(role=Role.HANDLER, department=office)
    complaint_services.change_status(complaint=report, actor=official, status=Status.ACCEPTED)
    complaint_services.change_status(
        complaint=report, actor=official, status=Status.REJECTED, public_note="관할 아님"
    )
    assert not Document.objects.exists()


# --- the budget ----------------------------------------------------------------------------------


def test_budget_results_are_published_once_with_the_selected_projects(city):
    cycle = make_cycle(city, phase="results")
    budget_services.publish_results(actor=None, cycle=cycle)
    documents = Document.objects.filter(source_key=f"budget.cycle:{cycle.pk}")
    assert documents.count() == 1
    document = documents.get()
    assert document.department == cycle.department
    assert document.source_url == reverse("budget:results", args=[cycle.slug])
    assert document.category.code == "budget"
    assert cycle.title in document.title
    selected = cycle.projects.filter(selected=True)
    assert selected.exists()
    for project in selected:
        assert project.title in document.body
        assert f"{project.cost:,}" in document.body
    for project in cycle.projects.filter(selected=False):
        assert f"{project.title} " not in document.body
    assert search_ids(cycle.title.split()[-1]) == {document.pk}

    # Published again (the results re-run after a correction): still one document, updated.
    cycle.refresh_from_db()
    cycle.results_published_at = None
    cycle.save(update_fields=["results_published_at"])
    budget_services.publish_results(actor=None, cycle=cycle)
    assert Document.objects.filter(source_key=f"budget.cycle:{cycle.pk}").count() == 1
    assert Document.objects.filter(doc_type=DocumentType.DECISION).count() == 1


def test_budget_results_show_amounts_and_scores(city):
    cycle = make_cycle(city, phase="voting")
    set_phase(cycle, "results")
    budget_services.publish_results(actor=None, cycle=cycle)
    document = Document.objects.get(source_key=f"budget.cycle:{cycle.pk}")
    top = cycle.projects.filter(selected=True).order_by("pool__code", "rank").first()
    assert top.final_score is not None and top.final_score >= Decimal(0)
    assert str(top.final_score) in document.body
