"""The Plaza's public pages: the home page (newest, categories, types, today's meetings), the
search page (filters, facets as links, order, pages, highlighted snippets, bad parameters as a
400 page), a document's page (facts, withheld ground, files, PDF viewer, counts, related,
comments, the question button), its files (inline PDF, download under the original name),
the category and department lists, the feeds and the sitemap."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from hamkke.core.models import Department
from hamkke.plaza import services
from hamkke.plaza.models import (
    ApproverLevel,
    Attachment,
    Committee,
    Disclosure,
    Document,
    DocumentType,
    Meeting,
)
from tests import factories

pytestmark = pytest.mark.django_db

WITHHELD_GROUND = "art9-1-6"
WITHHELD_GROUND_NAME = "Disclosure Act art. 9(1)(6): personal information"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def pdf_bytes(text: str = "") -> bytes:
    """A one-page PDF, with `text` (ASCII) drawn on it when given."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=300, height=300)
    if text:
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 20 150 Td ({text}) Tj ET".encode("ascii"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, data: bytes, **kwargs) -> services.AttachmentUpload:
    return services.AttachmentUpload(SimpleUploadedFile(name, data), **kwargs)


def page_text(response) -> str:
    return response.content.decode()


def document_url(document: Document) -> str:
    return reverse("plaza:document", args=[document.pk])


# --- home -----------------------------------------------------------------------------------------


def test_home_shows_the_newest_documents_categories_types_and_links(client, make_document):
    older = make_document(title="작년 도로 포장 계획", category="transport")
    newer = make_document(title="올해 추경예산안", category="budget", doc_type=DocumentType.BUDGET)
    Document.objects.filter(pk=older.pk).update(published_at=timezone.now() - timedelta(days=3))
    response = client.get(reverse("plaza:index"))
    assert response.status_code == 200
    text = page_text(response)
    assert text.index("올해 추경예산안") < text.index("작년 도로 포장 계획")
    assert f'href="{document_url(newer)}"' in text
    assert f'action="{reverse("plaza:search")}"' in text and 'name="q"' in text
    # The theme "finance" counts its topic "budget"'s document.
    assert re.search(
        r'href="/plaza/categories/finance/">Finance and economy</a> <span class="count">1<', text
    )
    assert re.search(r'href="/plaza/search/\?type=budget">Budget</a> <span class="count">1<', text)
    assert 'href="/plaza/data/"' in text and 'href="/plaza/requests/"' in text
    assert reverse("plaza:feed") in text


def _meeting(city, title: str, starts_at: datetime, **fields) -> Meeting:
    committee = Committee.objects.create(city=city, name="교통위원회", name_en="Transport")
    return Meeting.objects.create(committee=committee, title=title, starts_at=starts_at, **fields)


def test_home_lists_todays_public_meetings_only(client, city):
    seoul = timezone.get_current_timezone()
    now = timezone.localtime(timezone.now(), seoul)
    today_noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    today = _meeting(city, "오늘의 공개 회의", today_noon)
    _meeting(city, "어제의 회의", today_noon - timedelta(days=1))
    _meeting(city, "내일의 회의", today_noon + timedelta(days=1))
    _meeting(
        city,
        "오늘의 비공개 인사 회의",
        today_noon,
        disclosure=Disclosure.CLOSED,
        legal_ground="art9-1-6",
    )
    text = page_text(client.get(reverse("plaza:index")))
    assert "오늘의 공개 회의" in text
    assert f"/plaza/meetings/{today.pk}/" in text
    for absent in ("어제의 회의", "내일의 회의", "오늘의 비공개 인사 회의"):
        assert absent not in text


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def library(make_document, city):
    other = Department.objects.filter(city=city).exclude(code="information-planning").first()
    return {
        "budget": make_document(
            title="2027년 추경예산안 제출",
            body="서울시 추가경정예산안을 시의회에 제출합니다.",
            doc_type=DocumentType.BUDGET,
            category="budget",
            approver_level=ApproverLevel.MAYOR,
        ),
        "saving": make_document(
            title="예산을 절감한 사례",
            body="청사 에너지 예산을 줄였습니다.",
            category="finance",
            approver_level=ApproverLevel.DIVISION_HEAD,
        ),
        "road": make_document(
            title="도로 포장 공사 계약 결과",
            body="도로 보수 계약 결과를 알립니다.",
            doc_type=DocumentType.CONTRACT,
            category="contracts",
            department=other,
        ),
        "other": other,
    }


def test_search_finds_highlights_and_counts(client, library):
    response = client.get(reverse("plaza:search"), {"q": "예산"})
    assert response.status_code == 200
    text = page_text(response)
    assert "2 documents" in text
    assert "<mark>예산</mark>" in text
    assert document_url(library["budget"]) in text and document_url(library["saving"]) in text
    assert document_url(library["road"]) not in text


def test_search_facets_are_links_adding_their_filter(client, library):
    text = page_text(client.get(reverse("plaza:search"), {"q": "예산"}))
    # Both matches are under the theme "finance" (one in its topic "budget").
    assert re.search(
        r'href="\?q=%EC%98%88%EC%82%B0&amp;category=finance">[^<]+</a> '
        r'<span class="count">2<',
        text,
    )
    assert re.search(
        r'href="\?q=%EC%98%88%EC%82%B0&amp;type=budget">Budget</a> '
        r'<span class="count">1<',
        text,
    )
    # The levels found, each counting "this level and above" as its filter does: the mayor's
    # document is above a division head's too.
    assert re.search(r'level=6">Mayor</a> <span class="count">1<', text)
    assert re.search(r'level=2">Division head</a> <span class="count">2<', text)
    assert "level=3" not in text
    followed = client.get(reverse("plaza:search"), {"q": "예산", "type": "budget"})
    assert "1 document" in page_text(followed)
    assert document_url(library["saving"]) not in page_text(followed)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "information-planning"}, {"budget", "saving"}),
        ({"category": "finance"}, {"budget", "saving", "road"}),
        ({"category": "contracts"}, {"road"}),
        ({"level": "6"}, {"budget"}),
        ({"type": "contract"}, {"road"}),
        ({"disclosure": "open"}, {"budget", "saving", "road"}),
        ({"disclosure": "partial"}, set()),
    ],
)
def test_search_filters(client, library, params, expected):
    text = page_text(client.get(reverse("plaza:search"), params))
    found = {name for name in ("budget", "saving", "road") if document_url(library[name]) in text}
    assert found == expected


def test_search_period_and_order(client, library):
    Document.objects.filter(pk=library["road"].pk).update(
        published_at=timezone.make_aware(datetime(2020, 5, 1, 10))
    )
    in_2020 = page_text(
        client.get(reverse("plaza:search"), {"since": "2020-01-01", "until": "2020-12-31"})
    )
    assert document_url(library["road"]) in in_2020
    assert document_url(library["budget"]) not in in_2020
    oldest = page_text(client.get(reverse("plaza:search"), {"sort": "oldest"}))
    newest = page_text(client.get(reverse("plaza:search"), {"sort": "newest"}))
    road, budget = document_url(library["road"]), document_url(library["budget"])
    assert oldest.index(road) < oldest.index(budget)
    assert newest.index(budget) < newest.index(road)


def test_search_pages(client, make_document):
    for i in range(23):
        make_document(title=f"공고 {i:02d}")
    first = page_text(client.get(reverse("plaza:search"), {"q": "공고", "sort": "newest"}))
    assert "Page 1 of 2" in first
    assert 'href="?q=%EA%B3%B5%EA%B3%A0&amp;sort=newest&amp;page=2"' in first
    second = client.get(reverse("plaza:search"), {"q": "공고", "sort": "newest", "page": "2"})
    assert second.status_code == 200
    assert page_text(second).count('class="doc-item"') == 3
    # A page past the last is the last, as on every list.
    far = client.get(reverse("plaza:search"), {"q": "공고", "page": "999999999"})
    assert far.status_code == 200 and "Page 2 of 2" in page_text(far)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"type": "memo"}, "Select a valid choice"),
        ({"department": "no-such-office"}, "Select a valid choice"),
        ({"category": "nothing"}, "Select a valid choice"),
        ({"disclosure": "closed"}, "Select a valid choice"),
        ({"level": "9"}, "Select a valid choice"),
        ({"since": "yesterday"}, "Enter a valid date"),
        ({"until": "9999-12-31"}, "Give a day between 1900-01-01 and 2999-12-31"),
        ({"since": "0001-01-01"}, "Give a day between 1900-01-01 and 2999-12-31"),
        ({"page": "²"}, "The page must be a whole number"),
        ({"page": "١٢"}, "The page must be a whole number"),
        ({"page": "0"}, "The page must be a whole number"),
        ({"page": "-1"}, "The page must be a whole number"),
        ({"page": str(10**30)}, "The page must be a whole number"),
        ({"q": "가" * 201}, "at most 200 characters"),
        ({"sort": "random"}, "Select a valid choice"),
    ],
)
def test_bad_search_parameters_answer_400_with_a_message(client, library, params, message):
    response = client.get(reverse("plaza:search"), params)
    assert response.status_code == 400
    text = page_text(response)
    assert 'role="alert"' in text and message in text
    assert document_url(library["budget"]) not in text


@pytest.mark.parametrize(
    "query", ['"', "*", "(", "NEAR", 'NEAR("예산" "계약")', "예산 OR", "가" * 200]
)
def test_search_syntax_is_plain_text_on_the_page(client, library, query):
    assert client.get(reverse("plaza:search"), {"q": query}).status_code == 200


def test_search_page_without_a_query_lists_every_public_document(client, library):
    response = client.get(reverse("plaza:search"))
    assert response.status_code == 200
    assert "3 documents" in page_text(response)


# --- a document -----------------------------------------------------------------------------------


@pytest.fixture
def partial(make_document):
    related = make_document(title="관련 공개 문서")
    document = make_document(
        title="청사 보수 공사 결과",
        summary="보수 공사를 마쳤습니다.",
        body="공사는 끝났다. [[withheld:art9-1-6]]담당자 집 주소[[/withheld]] 이상.",
        disclosure=Disclosure.PARTIAL,
        legal_ground=WITHHELD_GROUND,
        approver_title="행정국장",
        category="budget",
        tags=["보수", "청사"],
        related_numbers=[related.number],
        attachments=[
            upload("결과 보고서.pdf", pdf_bytes("report")),
            upload("사진 목록.txt", "사진 목록".encode()),
            upload(
                "주민 명단.txt",
                "홍길동 명단".encode(),
                withheld=True,
                legal_ground=WITHHELD_GROUND,
            ),
        ],
    )
    return document, related


def test_document_page_shows_the_public_document(client, partial):
    document, related = partial
    response = client.get(document_url(document))
    assert response.status_code == 200
    text = page_text(response)
    assert "청사 보수 공사 결과" in text and "보수 공사를 마쳤습니다." in text
    assert "Approval document" in text and "Director (행정국장)" in text
    assert document.department.display_name in text
    assert "Budget and settlement" in text and "Finance and economy" in text
    assert 'href="/plaza/search/?tag=%EB%B3%B4%EC%88%98"' in text
    assert f"Parts are withheld under {WITHHELD_GROUND_NAME}." in text
    # The withheld passage is a marker naming its ground, written in the city's language when
    # the document is saved; its words are nowhere.
    assert "[비공개: " in text and "담당자 집 주소" not in text
    assert document_url(related) in text
    assert f'href="/plaza/requests/new/?document={document.pk}&amp;kind=question"' in text


def test_document_page_lists_files_and_frames_the_pdf(client, partial):
    document, _related = partial
    pdf, txt, withheld = Attachment.objects.filter(document=document).order_by("order")
    text = page_text(client.get(document_url(document)))
    assert f'<iframe class="pdf-viewer" src="{reverse("plaza:attachment", args=[pdf.pk])}"' in text
    assert reverse("plaza:attachment-download", args=[pdf.pk]) in text
    assert reverse("plaza:attachment-download", args=[txt.pk]) in text
    # The withheld file: its name and ground, never an address.
    assert "주민 명단.txt" in text
    assert f"Withheld under {WITHHELD_GROUND_NAME}." in text
    assert reverse("plaza:attachment", args=[withheld.pk]) not in text
    assert reverse("plaza:attachment-download", args=[withheld.pk]) not in text
    assert withheld.file.name not in text and pdf.file.name not in text


def test_the_frame_is_allowed_by_the_page_and_by_the_file(client, partial):
    document, _related = partial
    pdf = Attachment.objects.get(document=document, content_type="application/pdf")
    page = client.get(document_url(document))
    # The page's policy: frames from this site (frame-src falls back to default-src 'self').
    policy = page["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-src" not in policy
    shown = client.get(reverse("plaza:attachment", args=[pdf.pk]))
    assert shown["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in shown["Content-Security-Policy"]
    # Any other response keeps refusing to be framed.
    assert page["X-Frame-Options"] == "DENY"


def test_each_view_counts_and_downloads_count(client, partial):
    document, _related = partial
    pdf = Attachment.objects.get(document=document, content_type="application/pdf")
    client.get(document_url(document))
    text = page_text(client.get(document_url(document)))
    assert re.search(r'id="view-count">2<', text)
    download = client.get(reverse("plaza:attachment-download", args=[pdf.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf.file.open("rb").read()
    pdf.refresh_from_db()
    document.refresh_from_db()
    assert (document.view_count, document.download_count, pdf.download_count) == (2, 1, 1)
    assert re.search(r'id="download-count">1<', page_text(client.get(document_url(document))))
    # Viewing the PDF in its frame is not a download.
    client.get(reverse("plaza:attachment", args=[pdf.pk]))
    pdf.refresh_from_db()
    assert pdf.download_count == 1


def test_download_keeps_the_original_korean_name(client, partial):
    document, _related = partial
    pdf, txt, _withheld = Attachment.objects.filter(document=document).order_by("order")
    response = client.get(reverse("plaza:attachment-download", args=[pdf.pk]))
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('결과 보고서.pdf')}"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    inline = client.get(reverse("plaza:attachment", args=[pdf.pk]))
    assert inline["Content-Disposition"].startswith("inline; ")
    assert b"".join(inline.streaming_content).startswith(b"%PDF-")
    # A file that is not a PDF is not shown inline: it is downloaded.
    other = client.get(reverse("plaza:attachment", args=[txt.pk]))
    assert other["Content-Disposition"].startswith("attachment; ")
    assert other["X-Content-Type-Options"] == "nosniff"


def test_an_ascii_name_with_quotes_is_escaped(client, make_document):
    document = make_document(attachments=[upload('say "hi".pdf', pdf_bytes())])
    pdf = document.attachments.get()
    response = client.get(reverse("plaza:attachment-download", args=[pdf.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="say \\"hi\\".pdf"'


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("/complaints/261126-7K3QM/", True),
        ("https://ideas.seoul.go.kr/ideas/12/", True),
        ("javascript:alert(1)", False),
        ("//elsewhere.example/x", False),
    ],
)
def test_a_decision_links_back_to_where_it_was_made(client, department, url, shown):
    decision = services.publish_decision(
        source_key="complaints.complaint:1",
        title="민원 처리 결과",
        body="가로등을 고쳤습니다.",
        department=department,
        url=url,
    )
    text = page_text(client.get(document_url(decision)))
    assert (f'href="{url}"' in text) is shown
    assert ("See the decision where it was made" in text) is shown


def test_people_comment_on_a_public_document(client, make_document):
    document = make_document(title="의견을 받는 문서")
    factories.make_comment(target=document, body="좋은 정책입니다.")
    anonymous = page_text(client.get(document_url(document)))
    assert "좋은 정책입니다." in anonymous and "Log in to comment." in anonymous
    client.force_login(factories.make_user(email="reader@example.org"))
    signed_in = page_text(client.get(document_url(document)))
    assert 'name="body"' in signed_in


@pytest.mark.parametrize("pk", [0, 10**19, 10**30])
def test_document_numbers_no_row_can_have_are_404(client, pk):
    assert client.get(f"/plaza/documents/{pk}/").status_code == 404
    assert client.get(f"/plaza/attachments/{pk}/").status_code == 404
    assert client.get(f"/plaza/attachments/{pk}/download/").status_code == 404


def test_a_file_missing_from_the_storage_is_404_not_500(client, make_document):
    document = make_document(attachments=[upload("report.pdf", pdf_bytes())])
    pdf = document.attachments.get()
    pdf.file.storage.delete(pdf.file.name)
    assert client.get(reverse("plaza:attachment-download", args=[pdf.pk])).status_code == 404


# --- lists ---------------------------------------------------------------------------------------


def test_category_page_lists_its_documents_and_its_topics(client, library):
    text = page_text(client.get(reverse("plaza:category", args=["finance"])))
    assert "3 documents" in text
    for name in ("budget", "saving", "road"):
        assert document_url(library[name]) in text
    topic = page_text(client.get(reverse("plaza:category", args=["contracts"])))
    assert document_url(library["road"]) in topic
    assert document_url(library["budget"]) not in topic
    assert client.get(reverse("plaza:category", args=["no-such"])).status_code == 404


def test_department_page_lists_its_documents_in_pages(client, make_document, department):
    for i in range(21):
        make_document(title=f"부서 문서 {i}")
    response = client.get(reverse("plaza:department", args=[department.code]))
    text = page_text(response)
    assert response.status_code == 200 and "21 documents" in text and "Page 1 of 2" in text
    assert (
        page_text(
            client.get(reverse("plaza:department", args=[department.code]), {"page": 2})
        ).count('class="doc-item"')
        == 1
    )
    assert client.get(reverse("plaza:department", args=["nowhere"])).status_code == 404


# --- feeds and the sitemap -----------------------------------------------------------------------


def _feed_links(response) -> list[str]:
    root = ElementTree.fromstring(response.content)
    rss = [item.findtext("link") for item in root.iter("item")]
    atom = [
        link.get("href")
        for entry in root.iter("{http://www.w3.org/2005/Atom}entry")
        for link in entry.iter("{http://www.w3.org/2005/Atom}link")
    ]
    return rss + atom


def test_feeds_carry_the_summaries_of_the_newest_documents(client, library):
    rss = client.get(reverse("plaza:feed"))
    assert rss["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(rss.content)
    items = {item.findtext("title"): item for item in root.iter("item")}
    assert set(items) == {
        "2027년 추경예산안 제출",
        "예산을 절감한 사례",
        "도로 포장 공사 계약 결과",
    }
    budget = items["2027년 추경예산안 제출"]
    assert budget.findtext("link").endswith(document_url(library["budget"]))
    atom = client.get(reverse("plaza:feed-atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert len(_feed_links(atom)) == 3
    in_topic = client.get(reverse("plaza:category-feed", args=["contracts"]))
    assert [link.rsplit("testserver", 1)[-1] for link in _feed_links(in_topic)] == [
        document_url(library["road"])
    ]
    of_department = client.get(reverse("plaza:department-feed-atom", args=[library["other"].code]))
    assert [link.rsplit("testserver", 1)[-1] for link in _feed_links(of_department)] == [
        document_url(library["road"])
    ]
    assert client.get(reverse("plaza:category-feed", args=["nothing"])).status_code == 404


def test_feeds_carry_the_summary_not_the_body(client, make_document):
    make_document(title="요약만", summary="짧은 요약", body="긴 본문은 피드에 없다")
    text = client.get(reverse("plaza:feed")).content.decode()
    assert "짧은 요약" in text and "긴 본문은" not in text


def test_sitemap_lists_every_public_document(client, library):
    response = client.get(reverse("plaza:sitemap"))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = {loc.text.rsplit("testserver", 1)[-1] for loc in root.iter(f"{namespace}loc")}
    assert locations == {document_url(library[name]) for name in ("budget", "saving", "road")}


def test_sitemap_is_an_index_of_pages_past_its_limit(client, library, monkeypatch):
    from hamkke.plaza import feeds

    monkeypatch.setattr(feeds.DocumentSitemap, "limit", 2)
    index = ElementTree.fromstring(client.get(reverse("plaza:sitemap")).content)
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    pages = [loc.text.rsplit("testserver", 1)[-1] for loc in index.iter(f"{namespace}loc")]
    assert pages == ["/plaza/sitemap-documents.xml", "/plaza/sitemap-documents.xml?p=2"]
    found = set()
    for page in pages:
        root = ElementTree.fromstring(client.get(page).content)
        found |= {loc.text.rsplit("testserver", 1)[-1] for loc in root.iter(f"{namespace}loc")}
    assert found == {document_url(library[name]) for name in ("budget", "saving", "road")}
