"""The Plaza's document services and policies: masking and withheld passages kept off every
public surface, publication the next day (or at once) and never below the city's level,
closing and withdrawing taking a document out of search at once, roles per department, and
registering all or nothing, attachments checked by their content."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.core.city.selectors import forget_current_city
from hamkke.core.errors import Conflict, InvalidInput, InvalidUpload, NotAllowed, NotFound
from hamkke.plaza import selectors, services
from hamkke.plaza.models import (
    ApproverLevel,
    Attachment,
    Disclosure,
    Document,
    DocumentType,
    TextStatus,
    WithheldPassage,
)
from tests import factories

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
GROUND = "art9-1-6"  # personal information, a ground of Seoul's profile


# --- files ---------------------------------------------------------------------------------------


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, written by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF that opens only with a password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_with_text("Sealed tender prices"))))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is where it broke"
NOT_A_PDF = b"Dear citizen, this is a plain letter, not a PDF at all.\n"


def upload(name: str, content: bytes, **kwargs) -> services.AttachmentUpload:
    return services.AttachmentUpload(file=SimpleUploadedFile(name, content), **kwargs)


def stored_files(settings) -> list:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT) / "plaza"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- people and fields ---------------------------------------------------------------------------

_numbers = iter(range(1, 10**6))


def fields(department, **values) -> services.DocumentFields:
    defaults = {
        "number": f"SVC-{next(_numbers):06d}",
        "doc_type": DocumentType.APPROVAL,
        "department": department,
        "approver_level": ApproverLevel.DIRECTOR,
        "title": "도로 보수 계획",
        "produced_on": timezone.localdate() - timedelta(days=3),
    }
    defaults.update(values)
    return services.DocumentFields(**defaults)


def register(department, **values) -> Document:
    return services.register_document(
        actor=None, fields=fields(department, **values), by_system=True
    )


def set_plaza(city, **values) -> None:
    """Change the city's [plaza] table for this test."""
    city.profile = {**city.profile, "plaza": {**city.profile.get("plaza", {}), **values}}
    city.save(update_fields=["profile"])
    forget_current_city()


def found(query: str) -> set[int]:
    page = selectors.search(query, page_size=100)
    assert page.count == len(page.hits)
    return {hit.document.pk for hit in page.hits}


# --- masking and withheld passages ---------------------------------------------------------------


def test_personal_data_is_masked_in_every_field_before_it_is_stored(department):
    document = register(
        department,
        title="민원인 010-9876-5432 회신",
        summary="문의: hong@example.org",
        body="주민등록번호 800101-1234567 확인. 연락처 ０１０－１１１１－２２２２.",
        approved_at=timezone.now() - timedelta(days=2),
    )
    stored = Document.objects.get(pk=document.pk)
    text = f"{stored.title} {stored.summary} {stored.body}"
    for secret in ("9876-5432", "hong@", "1234567", "１１１１"):
        assert secret not in text
    assert stored.masked_count == 4
    assert found("9876") == set()
    assert found("회신") == {document.pk}


def test_withheld_passages_never_reach_the_public_body_or_search(department):
    document = register(
        department,
        title="청사 청소 용역 계약",
        body=(
            "계약 개요를 알립니다.\n"
            f"[[withheld:{GROUND}]]낙찰 단가표 상세내역[[/withheld]]\n"
            "계약 기간은 1년입니다."
        ),
        disclosure=Disclosure.PARTIAL,
        legal_ground=GROUND,
        approved_at=timezone.now() - timedelta(days=2),
    )
    stored = Document.objects.get(pk=document.pk)
    assert "단가표" not in stored.body
    assert "계약 기간은 1년입니다." in stored.body
    assert list(WithheldPassage.objects.filter(document=document).values_list("text", flat=True))
    assert WithheldPassage.objects.get(document=document).text == "낙찰 단가표 상세내역"
    assert found("단가표") == set()
    assert found("단가") == set()
    assert found("계약 기간") == {document.pk}
    # The snippet the search shows is made of the public text only.
    page = selectors.search("계약", page_size=10)
    assert all("단가표" not in str(hit.snippet) for hit in page.hits)


def test_withheld_markup_needs_a_partly_open_document_and_a_known_ground(department):
    body = f"[[withheld:{GROUND}]]비공개 부분[[/withheld]]"
    with pytest.raises(InvalidInput) as raised:
        register(department, body=body)
    assert raised.value.field == "disclosure"
    with pytest.raises(InvalidInput) as raised:
        register(
            department,
            body="[[withheld:no-such-ground]]x[[/withheld]]",
            disclosure=Disclosure.PARTIAL,
            legal_ground=GROUND,
        )
    assert raised.value.field == "body"
    with pytest.raises(InvalidInput) as raised:
        register(
            department,
            body=f"[[withheld:{GROUND}]]never closed",
            disclosure=Disclosure.PARTIAL,
            legal_ground=GROUND,
        )
    assert raised.value.field == "body"
    assert not Document.objects.exists()


def test_the_preview_stores_nothing_and_shows_what_registering_stores(department, settings):
    official = factories.make_official(role=Role.HANDLER, department=department)
    values = {
        "title": "회신 010-2222-3333",
        "body": f"공개 [[withheld:{GROUND}]]비공개[[/withheld]] 끝",
        "disclosure": Disclosure.PARTIAL,
        "legal_ground": GROUND,
    }
    prepared = services.preview_document(actor=official, fields=fields(department, **values))
    assert not Document.objects.exists()
    assert prepared.withheld == (("비공개", GROUND),)
    assert [f.original for f in prepared.findings["title"]] == ["010-2222-3333"]
    document = services.register_document(actor=official, fields=fields(department, **values))
    assert (document.title, document.body) == (prepared.title, prepared.body)


# --- publication ---------------------------------------------------------------------------------


def test_approved_today_is_published_at_the_start_of_the_next_day_and_not_before(department):
    approved = timezone.now()
    document = register(department, title="다음날 공개 문서", approved_at=approved)
    tomorrow = timezone.localtime(approved, SEOUL).date() + timedelta(days=1)
    midnight = datetime.combine(tomorrow, time(0, 0), tzinfo=SEOUL)
    document.refresh_from_db()
    assert document.publish_at == midnight
    assert document.published_at is None
    assert found("다음날") == set()

    assert services.publish_due_documents(now=midnight - timedelta(microseconds=1)) == 0
    assert not selectors.public_documents().filter(pk=document.pk).exists()
    assert services.publish_due_documents(now=midnight) == 1
    document.refresh_from_db()
    assert document.published_at == midnight
    assert found("다음날") == {document.pk}
    assert services.publish_due_documents(now=midnight + timedelta(hours=1)) == 0


def test_the_next_day_is_the_citys_day_not_utcs(department):
    # 23:30 in Seoul is 14:30 UTC: the next day starts at 00:00 Seoul time, nine hours before
    # midnight UTC. Approved long ago, so it is published at registration.
    approved = datetime(2025, 3, 10, 23, 30, tzinfo=SEOUL)
    document = register(department, approved_at=approved)
    document.refresh_from_db()
    assert document.published_at == datetime(2025, 3, 11, 0, 0, tzinfo=SEOUL)


def test_at_once_publishes_on_approval(city, department):
    set_plaza(city, publish_delay="at_once")
    approved = timezone.now() - timedelta(minutes=5)
    document = register(department, title="즉시 공개", approved_at=approved)
    document.refresh_from_db()
    assert document.published_at == approved
    assert found("즉시") == {document.pk}


def test_below_the_level_the_city_publishes_from_nothing_is_published_by_itself(department):
    manager = factories.make_official(role=Role.MANAGER, department=department)
    document = register(
        department,
        title="팀장 전결 문서",
        approver_level=ApproverLevel.TEAM_LEADER,
        approved_at=timezone.now() - timedelta(days=3),
    )
    document.refresh_from_db()
    assert (document.publish_at, document.published_at) == (None, None)
    assert services.publish_due_documents(now=timezone.now() + timedelta(days=30)) == 0
    assert found("전결") == set()
    services.publish_document(actor=manager, document=document)
    assert found("전결") == {document.pk}


def test_closing_a_published_document_takes_it_out_of_search_at_once(department):
    manager = factories.make_official(role=Role.MANAGER, department=department)
    document = register(
        department, title="공개 후 비공개 전환", approved_at=timezone.now() - timedelta(days=2)
    )
    assert found("전환") == {document.pk}
    with pytest.raises(InvalidInput) as raised:
        services.change_disclosure(actor=manager, document=document, disclosure=Disclosure.CLOSED)
    assert raised.value.field == "legal_ground"
    services.change_disclosure(
        actor=manager, document=document, disclosure=Disclosure.CLOSED, legal_ground=GROUND
    )
    assert found("전환") == set()
    assert selectors.search("", page_size=100).count == 0
    with pytest.raises(NotFound):
        selectors.public_document(document.pk)
    # Never published again by the schedule while closed.
    assert services.publish_due_documents(now=timezone.now() + timedelta(days=30)) == 0
    assert found("전환") == set()


def test_withdrawing_takes_it_out_of_search_and_publishing_again_brings_it_back(department):
    manager = factories.make_official(role=Role.MANAGER, department=department)
    document = register(department, title="철회 문서", approved_at=timezone.now() - timedelta(2))
    with pytest.raises(InvalidInput):
        services.withdraw_document(actor=manager, document=document, reason="  ")
    services.withdraw_document(actor=manager, document=document, reason="오기 정정")
    assert found("철회") == set()
    with pytest.raises(Conflict) as raised:
        services.withdraw_document(actor=manager, document=document, reason="again")
    assert raised.value.code == "not_public"
    services.publish_document(actor=manager, document=document)
    assert found("철회") == {document.pk}


def test_an_approval_is_aware_and_not_in_the_future(department):
    handler = factories.make_official(role=Role.HANDLER, department=department)
    for moment in (datetime(2025, 1, 1, 9, 0), timezone.now() + timedelta(days=2)):
        with pytest.raises(InvalidInput) as raised:
            register(department, approved_at=moment)
        assert raised.value.field == "approved_at"
    document = register(department)
    with pytest.raises(InvalidInput):
        services.approve_document(
            actor=handler, document=document, approved_at=datetime(9999, 12, 31, tzinfo=SEOUL)
        )
    services.approve_document(actor=handler, document=document)
    with pytest.raises(Conflict) as raised:
        services.approve_document(actor=handler, document=document)
    assert raised.value.code == "done_already"


# --- roles ---------------------------------------------------------------------------------------


def test_a_viewer_cannot_register_a_handler_can_another_department_cannot(
    department, other_department
):
    viewer = factories.make_official(role=Role.VIEWER, department=department)
    handler = factories.make_official(role=Role.HANDLER, department=department)
    elsewhere = factories.make_official(role=Role.MANAGER, department=other_department)
    for person in (viewer, elsewhere, factories.make_user(), None):
        with pytest.raises(NotAllowed):
            services.register_document(actor=person, fields=fields(department))
    assert not Document.objects.exists()
    document = services.register_document(actor=handler, fields=fields(department))
    assert document.registered_by == handler
    with pytest.raises(NotAllowed):
        services.approve_document(actor=viewer, document=document)
    with pytest.raises(NotAllowed):
        services.approve_document(actor=elsewhere, document=document)
    services.approve_document(actor=handler, document=document)
    with pytest.raises(NotAllowed):  # publishing now is a manager's
        services.publish_document(actor=handler, document=document)


def test_a_document_with_no_type_or_department_is_refused(department):
    with pytest.raises(InvalidInput) as raised:
        register(department, doc_type="")
    assert raised.value.field == "doc_type"
    with pytest.raises(InvalidInput) as raised:
        register(None)
    assert raised.value.field == "department"
    # An official is refused the same way, not weighed by their role elsewhere.
    handler = factories.make_official(role=Role.HANDLER, department=department)
    with pytest.raises(InvalidInput) as raised:
        services.register_document(actor=handler, fields=fields(None))
    assert raised.value.field == "department"
    assert not Document.objects.exists()


# --- attachments ---------------------------------------------------------------------------------


def test_all_or_nothing_a_bad_second_attachment_leaves_nothing(department, settings):
    with pytest.raises(InvalidUpload):
        register(
            department,
            attachments=[
                upload("report.pdf", pdf_with_text("Road works")),
                upload("fake.pdf", NOT_A_PDF),
            ],
        )
    assert not Document.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_file_named_pdf_that_is_not_one_is_refused_with_a_clear_message(department, english):
    with pytest.raises(InvalidUpload) as raised:
        register(department, attachments=[upload("budget.pdf", NOT_A_PDF)])
    assert raised.value.message == (
        "“budget.pdf” is named as a PDF file but its content is not one (it is a text file)."
    )
    assert raised.value.field == "attachments"


def test_broken_and_encrypted_pdfs_are_stored_marked_text_not_extracted(department, settings):
    document = register(
        department,
        title="첨부 문서",
        approved_at=timezone.now() - timedelta(days=2),
        attachments=[
            upload("readable.pdf", pdf_with_text("Quarterly road report")),
            upload("sealed.pdf", encrypted_pdf()),
            upload("broken.pdf", BROKEN_PDF),
        ],
    )
    statuses = {a.original_name: a.text_status for a in document.attachments.all()}
    assert statuses == {
        "readable.pdf": TextStatus.EXTRACTED,
        "sealed.pdf": TextStatus.ENCRYPTED,
        "broken.pdf": TextStatus.UNREADABLE,
    }
    assert len(stored_files(settings)) == 3
    assert found("Quarterly") == {document.pk}
    assert found("tender") == set()


def test_a_withheld_attachment_is_never_searched_nor_served(department):
    document = register(
        department,
        title="부분공개 첨부",
        disclosure=Disclosure.PARTIAL,
        legal_ground=GROUND,
        approved_at=timezone.now() - timedelta(days=2),
        attachments=[
            upload("public.txt", b"public schedule of works"),
            upload("private.txt", b"bidder margins", withheld=True, legal_ground=GROUND),
        ],
    )
    public, private = document.attachments.order_by("order")
    assert private.withheld and private.legal_ground == GROUND
    assert found("schedule") == {document.pk}
    assert found("margins") == set()
    assert selectors.public_attachment(public.pk) == public
    with pytest.raises(NotFound):
        selectors.public_attachment(private.pk)


def test_only_a_partly_open_document_withholds_a_file_and_on_a_ground(department):
    with pytest.raises(InvalidInput) as raised:
        register(department, attachments=[upload("a.txt", b"text", withheld=True)])
    assert raised.value.field == "attachments"
    with pytest.raises(InvalidInput) as raised:
        register(
            department,
            disclosure=Disclosure.PARTIAL,
            legal_ground=GROUND,
            attachments=[upload("a.txt", b"text", withheld=True)],
        )
    assert raised.value.field == "attachments"
    assert "a.txt" in raised.value.message
    assert not Document.objects.exists()


# --- decisions of the other services -------------------------------------------------------------


def test_a_decision_is_published_once_per_source_and_updated_on_a_second_call(department):
    first = services.publish_decision(
        source_key="polls.poll:7",
        title="투표 결과: 공원 이름",
        body="시민 투표로 '함께공원'이 정해졌습니다. 문의 02-123-4567",
        department=department,
        url="/polls/7/",
    )
    again = services.publish_decision(
        source_key="polls.poll:7",
        title="투표 결과: 공원 이름 (정정)",
        body="시민 투표로 '함께공원'이 정해졌습니다.",
        department=department,
        url="/polls/7/",
    )
    assert first.pk == again.pk
    assert Document.objects.filter(source_key="polls.poll:7").count() == 1
    assert found("함께공원") == {first.pk}
    assert selectors.public_document(first.pk).title == "투표 결과: 공원 이름 (정정)"
    assert "123-4567" not in Document.objects.get(pk=first.pk).body
