"""The two ways around the Plaza's pages: the media route, which serves stored files by name,
and the comment threads, which name the object they are on. Neither may show a closed document,
its files, or a withheld file."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from hamkke.plaza import services
from hamkke.plaza.models import Attachment, Disclosure
from tests import factories

pytestmark = pytest.mark.django_db


def _pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _media_url(attachment: Attachment) -> str:
    return f"/media/{attachment.file.name}"


def test_the_media_route_serves_no_plaza_file_whatever_the_document(client, make_document):
    closed = make_document(
        title="비공개 문서",
        disclosure=Disclosure.CLOSED,
        legal_ground="art9-1-6",
        attachments=[services.AttachmentUpload(_pdf())],
    )
    partly = make_document(
        title="부분 공개 문서",
        disclosure=Disclosure.PARTIAL,
        legal_ground="art9-1-6",
        attachments=[
            services.AttachmentUpload(_pdf("open.pdf")),
            services.AttachmentUpload(_pdf("kept.pdf"), withheld=True, legal_ground="art9-1-6"),
        ],
    )
    for attachment in [*closed.attachments.all(), *partly.attachments.all()]:
        assert attachment.file.storage.exists(attachment.file.name)
        assert client.get(_media_url(attachment)).status_code == 404


def test_budget_files_published_for_everyone_are_still_served(client, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("budget/seoul/test/manifest.json", ContentFile(b"{}"))
    assert client.get(f"/media/{name}").status_code == 200


def test_a_comment_thread_on_a_closed_document_is_answered_as_missing(client, make_document):
    public = make_document(title="공개 문서")
    closed = make_document(
        title="비공개 제목", disclosure=Disclosure.CLOSED, legal_ground="art9-1-2"
    )
    factories.make_comment(target=public, body="공개 문서에 대한 의견")
    page = client.get(f"/comments/on/plaza.document/{closed.pk}/")
    assert page.status_code == 404
    assert "비공개 제목" not in page.content.decode()
    api = client.get(f"/api/v1/threads/plaza.document/{closed.pk}/comments")
    assert api.status_code == 404
    missing = client.get("/api/v1/threads/plaza.document/99999999/comments")
    assert api.json()["detail"].replace(str(closed.pk), "") == missing.json()["detail"].replace(
        "99999999", ""
    )
    assert client.get(f"/comments/on/plaza.document/{public.pk}/").status_code == 200
