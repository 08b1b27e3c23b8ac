"""The Plaza's desk pages, driven as an official's browser drives them: the documents of their
departments by state, registering in two steps (the preview shows every masked item and
withheld passage and stores nothing; the save stores, files included), one document's whole
view for its department only, and the actions the role allows, refusals shown inline."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.plaza import selectors
from hamkke.plaza.models import Attachment, Disclosure, Document, WithheldPassage
from tests import factories
from tests.plaza.test_services import GROUND, NOT_A_PDF, pdf_with_text, stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def text_fields(issuer, **values) -> dict:
    data = {
        "number": "정보기획-2026-0042",
        "doc_type": "approval",
        "department": issuer.code,
        "approver_level": "3",
        "approver_title": "정보기획관",
        "category": "administration",
        "title": "공공 와이파이 확대 계획",
        "summary": "담당자 연락처 010-1234-5678",
        "body": (
            "전통시장 와이파이를 확대합니다.\n"
            f"[[withheld:{GROUND}]]협상 단가 1,234,000원[[/withheld]]\n"
            "문의: wifi.team@seoul.go.kr"
        ),
        "disclosure": "partial",
        "legal_ground": GROUND,
        "produced_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "approved_at": "",
        "tags": "와이파이, 전통시장",
        "related_numbers": "",
    }
    data.update(values)
    return data


def preview(client, data):
    return client.post(reverse("plaza:desk-new"), {**data, "step": "preview"})


def previewed_digest(response) -> str:
    match = re.search(r'name="previewed" value="([0-9a-f]{64})"', response.content.decode())
    assert match, "the preview carries the digest of the text it showed"
    return match.group(1)


def preview_and_save(client, data, **files):
    """The two steps: the preview, then the save of the same text with the files."""
    digest = previewed_digest(preview(client, data))
    return client.post(
        reverse("plaza:desk-new"), {**data, "step": "save", "previewed": digest, **files}
    )


# --- who gets in ---------------------------------------------------------------------------------


def test_the_desk_needs_an_official_signed_in_with_a_second_factor(client, department, citizen):
    url = reverse("plaza:desk")
    assert client.get(url).status_code == 302  # to the sign-in page
    factories.log_in(client, citizen)
    assert client.get(url).status_code == 403
    official = factories.make_official(role=Role.VIEWER, department=department)
    factories.activate_totp(official)
    client.force_login(official)  # a session without the code from the authenticator app
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:second-factor") in response.url


def test_a_viewer_is_not_offered_registering_and_is_refused_it(client, department, logged_in):
    logged_in(department, Role.VIEWER)
    page = client.get(reverse("plaza:desk")).content.decode()
    assert reverse("plaza:desk-new") not in page
    assert client.get(reverse("plaza:desk-new")).status_code == 403
    response = preview(client, text_fields(department))
    assert response.status_code == 403
    assert not Document.objects.exists()


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_my_departments_documents_by_state(
    client, department, other_department, make_document, logged_in
):
    now = timezone.now()
    draft = make_document(title="초안 문서", approved_at=None)
    scheduled = make_document(title="내일 공개 문서", approved_at=now)
    published = make_document(title="공개된 문서")
    closed = make_document(title="비공개 문서", disclosure=Disclosure.CLOSED, legal_ground=GROUND)
    elsewhere = make_document(title="다른 부서 문서", department=other_department)
    logged_in(department, Role.VIEWER)

    page = client.get(reverse("plaza:desk"))
    assert page.status_code == 200
    html = page.content.decode()
    for mine in (draft, scheduled, published, closed):
        assert reverse("plaza:desk-document", args=[mine.pk]) in html
    assert elsewhere.title not in html
    assert "4 documents" in html
    # The other desks of the Plaza are a link away.
    for path in ("/plaza/meetings/desk/", "/plaza/data/desk/", "/plaza/requests/desk/"):
        assert path in html

    def titles(state):
        html = client.get(reverse("plaza:desk"), {"state": state}).content.decode()
        return {d.title for d in (draft, scheduled, published, closed) if d.title in html}

    assert titles("draft") == {"초안 문서"}
    assert titles("scheduled") == {"내일 공개 문서"}
    assert titles("published") == {"공개된 문서"}
    assert titles("closed") == {"비공개 문서"}
    assert titles("withdrawn") == set()
    html = client.get(reverse("plaza:desk"), {"q": "내일"}).content.decode()
    assert "내일 공개 문서" in html and "초안 문서" not in html


def test_a_filter_out_of_range_is_ignored_not_an_error(client, department, logged_in):
    logged_in(department, Role.VIEWER)
    response = client.get(
        reverse("plaza:desk"), {"state": "nonsense", "page": "²", "department": "nowhere"}
    )
    assert response.status_code == 200


# --- registering in two steps --------------------------------------------------------------------


def test_the_preview_shows_each_masked_item_and_the_withheld_passage_and_stores_nothing(
    client, department, logged_in
):
    logged_in(department, Role.HANDLER)
    response = preview(client, text_fields(department))
    assert response.status_code == 200
    html = response.content.decode()
    assert not Document.objects.exists()
    # Each masked item: as typed, and as the public will read it.
    assert "<del>010-1234-5678</del>" in html
    assert "<mark>010-****-5678</mark>" in html
    assert "<del>wifi.team@seoul.go.kr</del>" in html
    assert "wi*******@seoul.go.kr" in html
    # In the public text, each one marked where it stands.
    assert '<mark class="masked">010-****-5678</mark>' in html
    # The withheld passage is shown to the official, apart from the public body, which names
    # the ground in its place.
    assert "협상 단가 1,234,000원" in html
    body = re.search(r'<div class="desk-preview-body">(.*?)</div>', html, re.S).group(1)
    assert "협상 단가" not in body
    assert "정보공개법 제9조제1항제6호 (개인정보)" in body
    assert "전통시장 와이파이를 확대합니다." in body
    # The files are asked for on this step.
    assert 'name="file_1"' in html
    assert 'value="save"' in html


def test_saving_the_previewed_text_registers_the_document_with_its_files(
    client, department, logged_in, settings
):
    handler = logged_in(department, Role.HANDLER)
    response = preview_and_save(
        client,
        text_fields(department),
        file_1=SimpleUploadedFile("plan.pdf", pdf_with_text("Market wifi plan")),
        file_2=SimpleUploadedFile("prices.txt", b"unit prices"),
        withheld_2="on",
        ground_2=GROUND,
    )
    assert response.status_code == 302
    document = Document.objects.get(number="정보기획-2026-0042")
    assert response.url == reverse("plaza:desk-document", args=[document.pk])
    assert document.registered_by == handler
    assert document.disclosure == Disclosure.PARTIAL
    assert "010-1234-5678" not in document.summary
    assert "wifi.team@" not in document.body
    assert "협상 단가" not in document.body
    assert WithheldPassage.objects.get(document=document).text == "협상 단가 1,234,000원"
    assert sorted(document.tags.values_list("name", flat=True)) == ["와이파이", "전통시장"]
    assert document.category.code == "administration"
    files = {a.original_name: a.withheld for a in document.attachments.all()}
    assert files == {"plan.pdf": False, "prices.txt": True}
    assert len(stored_files(settings)) == 2
    assert document.approved_at is None  # a draft: nothing is public
    assert not selectors.public_documents().exists()


def test_a_save_whose_text_changed_since_the_preview_is_shown_again_unsaved(
    client, department, logged_in
):
    logged_in(department, Role.HANDLER)
    data = text_fields(department)
    digest = previewed_digest(preview(client, data))
    changed = {**data, "body": "새 본문, 연락처 02-987-6543", "disclosure": "open"}
    response = client.post(
        reverse("plaza:desk-new"), {**changed, "step": "save", "previewed": digest}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The text changed since its preview" in html
    assert "<del>02-987-6543</del>" in html
    assert not Document.objects.exists()
    # Saving without any preview is the same.
    response = client.post(reverse("plaza:desk-new"), {**changed, "step": "save"})
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_refusals_are_shown_beside_their_fields(client, department, logged_in, make_document):
    logged_in(department, Role.HANDLER)
    response = preview(client, text_fields(department, legal_ground=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert "needs the legal ground" in html
    assert 'class="field field-error"' in html
    response = preview(client, text_fields(department, doc_type="", department=""))
    assert response.status_code == 400
    make_document(number="TAKEN-1")
    response = preview(client, text_fields(department, number="TAKEN-1"))
    assert response.status_code == 409
    assert "TAKEN-1 is registered already" in response.content.decode()
    response = preview(client, text_fields(department, related_numbers="NOWHERE-9"))
    assert response.status_code == 400
    assert "No document is numbered NOWHERE-9" in response.content.decode()
    assert Document.objects.count() == 1


def test_a_file_that_is_not_what_its_name_says_leaves_nothing_stored(
    client, department, logged_in, settings
):
    logged_in(department, Role.HANDLER)
    response = preview_and_save(
        client,
        text_fields(department),
        file_1=SimpleUploadedFile("good.pdf", pdf_with_text("fine")),
        file_2=SimpleUploadedFile("bad.pdf", NOT_A_PDF),
    )
    assert response.status_code == 400
    assert "“bad.pdf” is named as a PDF file but its content is not one" in (
        response.content.decode()
    )
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_department_the_official_does_not_work_in_is_not_offered(
    client, department, other_department, logged_in
):
    logged_in(department, Role.HANDLER)
    html = client.get(reverse("plaza:desk-new")).content.decode()
    choices = re.search(r'<select name="department".*?</select>', html, re.S).group(0)
    assert f'value="{department.code}"' in choices
    assert f'value="{other_department.code}"' not in choices
    response = preview(client, text_fields(other_department))
    assert response.status_code == 400  # not a choice of the form
    assert not Document.objects.exists()


# --- one document --------------------------------------------------------------------------------


def partly_open(make_document, **values):
    return make_document(
        title="부분공개 계약 문서",
        body=f"공개 부분 [[withheld:{GROUND}]]업체별 단가[[/withheld]]",
        disclosure=Disclosure.PARTIAL,
        legal_ground=GROUND,
        **values,
    )


def test_the_document_page_shows_the_withheld_parts_to_its_department_only(
    client, department, other_department, make_document, logged_in
):
    document = partly_open(make_document)
    logged_in(other_department, Role.MANAGER)
    assert client.get(reverse("plaza:desk-document", args=[document.pk])).status_code == 403
    logged_in(department, Role.VIEWER)
    response = client.get(reverse("plaza:desk-document", args=[document.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "업체별 단가" in html
    # A viewer is offered no action; the reason says why.
    assert reverse("plaza:desk-approve", args=[document.pk]) not in html
    assert reverse("plaza:desk-withdraw", args=[document.pk]) not in html
    assert "you do not hold it" in html
    assert client.get(reverse("plaza:desk-document", args=[10**9])).status_code == 404


def test_a_handler_approves_and_a_manager_publishes_withdraws_and_closes(
    client, department, make_document, logged_in
):
    document = make_document(title="결재 대기 문서", approved_at=None)
    logged_in(department, Role.HANDLER)
    html = client.get(reverse("plaza:desk-document", args=[document.pk])).content.decode()
    assert reverse("plaza:desk-approve", args=[document.pk]) in html
    assert reverse("plaza:desk-publish", args=[document.pk]) not in html
    response = client.post(reverse("plaza:desk-approve", args=[document.pk]), {})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.approved_at is not None and document.publish_at > timezone.now()
    # Publishing now is a manager's: not offered, and refused when sent.
    assert client.post(reverse("plaza:desk-publish", args=[document.pk])).status_code == 403

    logged_in(department, Role.MANAGER)
    response = client.post(reverse("plaza:desk-publish", args=[document.pk]))
    assert response.status_code == 302
    assert selectors.public_documents().filter(pk=document.pk).exists()
    # Publishing twice clashes with its state: said beside the action, 409.
    response = client.post(reverse("plaza:desk-publish", args=[document.pk]))
    assert response.status_code == 409

    response = client.post(reverse("plaza:desk-withdraw", args=[document.pk]), {"reason": ""})
    assert response.status_code == 400
    assert selectors.public_documents().filter(pk=document.pk).exists()
    response = client.post(
        reverse("plaza:desk-withdraw", args=[document.pk]), {"reason": "첨부 오류"}
    )
    assert response.status_code == 302
    assert not selectors.public_documents().filter(pk=document.pk).exists()
    html = client.get(reverse("plaza:desk-document", args=[document.pk])).content.decode()
    history = re.search(r'<ol class="desk-history">(.*?)</ol>', html, re.S).group(1)
    assert "Withdrawn from the public" in history and "첨부 오류" in history
    assert "Approved" in history and "Registered" in history

    response = client.post(
        reverse("plaza:desk-reclassify", args=[document.pk]), {"disclosure": "closed"}
    )
    assert response.status_code == 400
    assert "needs the legal ground" in response.content.decode()
    response = client.post(
        reverse("plaza:desk-reclassify", args=[document.pk]),
        {"disclosure": "closed", "legal_ground": GROUND},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.disclosure == Disclosure.CLOSED
    assert selectors.search("결재", page_size=10).count == 0


def test_attaching_a_file_at_the_desk_and_downloading_the_original(
    client, department, other_department, make_document, logged_in
):
    document = partly_open(make_document)
    logged_in(department, Role.HANDLER)
    url = reverse("plaza:desk-attach", args=[document.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", NOT_A_PDF)})
    assert response.status_code == 400
    assert "“x.pdf” is named as a PDF file" in response.content.decode()
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("margins.txt", b"bidder margins"),
            "withheld": "on",
            "legal_ground": GROUND,
        },
    )
    assert response.status_code == 302
    attachment = document.attachments.get()
    assert attachment.withheld
    assert selectors.search("margins").count == 0
    download = reverse("plaza:desk-attachment", args=[document.pk, attachment.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"bidder margins"
    assert response["Cache-Control"] == "private, no-store"
    logged_in(other_department, Role.MANAGER)
    assert client.get(download).status_code == 403


# --- the back office -----------------------------------------------------------------------------


@pytest.fixture
def staff(client, city):
    user = factories.make_user(is_staff=True, is_superuser=True)
    factories.log_in_official(client, user)
    return user


def test_the_admin_shows_documents_but_changes_them_only_through_the_services(
    client, staff, make_document
):
    from hamkke.core.models import AuditEntry

    draft = make_document(title="관리자 결재 문서", approved_at=None)
    published = make_document(title="관리자 철회 문서")
    change_url = f"/admin/plaza/document/{draft.pk}/change/"
    assert client.get("/admin/plaza/document/").status_code == 200
    assert client.get("/admin/plaza/category/").status_code == 200
    assert client.get("/admin/plaza/category/add/").status_code == 403  # from the profile
    assert client.get("/admin/plaza/tag/").status_code == 200
    assert client.get(change_url).status_code == 200
    client.post(change_url, {"title": "바뀐 제목", "disclosure": "closed"})
    draft.refresh_from_db()
    assert (draft.title, draft.disclosure) == ("관리자 결재 문서", Disclosure.OPEN)

    client.post("/admin/plaza/document/", {"action": "approve", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.approved_at is not None
    assert AuditEntry.objects.filter(
        action="plaza.document.approved", target_id=str(draft.pk), actor=staff
    ).exists()

    # Withdrawing asks for the reason first, then withdraws through the service.
    asked = client.post(
        "/admin/plaza/document/", {"action": "withdraw", "_selected_action": [published.pk]}
    )
    assert asked.status_code == 200
    assert 'name="reason"' in asked.content.decode()
    assert selectors.public_documents().filter(pk=published.pk).exists()
    client.post(
        "/admin/plaza/document/",
        {
            "action": "withdraw",
            "_selected_action": [published.pk],
            "apply": "1",
            "reason": "법원 결정",
        },
    )
    published.refresh_from_db()
    assert published.withdrawn_reason == "법원 결정"
    assert not selectors.public_documents().filter(pk=published.pk).exists()
    # A refusal (publishing a document never approved) is said, not a 500.
    never = make_document(title="미결재", approved_at=None)
    response = client.post(
        "/admin/plaza/document/",
        {"action": "publish", "_selected_action": [never.pk]},
        follow=True,
    )
    assert "has not been approved yet" in response.content.decode()
    assert not selectors.public_documents().filter(pk=never.pk).exists()
