"""What the public must never see, checked on every public surface of the Plaza's documents: a
closed document (and a withdrawn or not yet published one), the words of a withheld passage,
and a withheld attachment (its address and its text). The home page, the search page (results,
snippets and facet counts), the search API (results and count), the documents API (list and
detail), the document page, the file addresses, the category and department pages, the RSS and
Atom feeds and the sitemap. Each check also finds the public documents on the same surface, so
an empty answer cannot pass for a safe one."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hamkke.plaza.models import Attachment, Disclosure, Document
from tests.plaza.test_views import WITHHELD_GROUND, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(english):
    """The counts are asserted in the English source messages (tests/conftest.py's `english`)."""


# Words that appear only in what is withheld or closed: none may reach a public surface.
SECRET = "잠수함"
CLOSED_TITLE = "폐쇄된 예산 협의"
WITHDRAWN_TITLE = "철회된 예산 공고"
PENDING_TITLE = "승인 전 예산 초안"
FORBIDDEN = (SECRET, CLOSED_TITLE, WITHDRAWN_TITLE, PENDING_TITLE)


@pytest.fixture
def world(make_document, department):
    visible = make_document(
        title="공개 예산 보고서",
        summary="예산 집행 요약",
        body="예산 집행 내역을 알립니다.",
        category="budget",
        attachments=[upload("집행 내역.pdf", pdf_bytes("spending"))],
    )
    partial = make_document(
        title="부분 공개 예산 문서",
        summary="예산 협의 결과",
        body=(
            f"예산 협의를 마쳤다. [[withheld:{WITHHELD_GROUND}]]예산 {SECRET} 구입 건"
            "[[/withheld]] 끝."
        ),
        disclosure=Disclosure.PARTIAL,
        legal_ground=WITHHELD_GROUND,
        category="budget",
        attachments=[
            upload("공개 첨부.txt", "예산 공개 첨부".encode()),
            upload(
                "명단.txt",
                f"예산 {SECRET} 명단".encode(),
                withheld=True,
                legal_ground=WITHHELD_GROUND,
            ),
        ],
    )
    closed = make_document(
        title=CLOSED_TITLE,
        summary=f"예산 {SECRET}",
        body=f"예산 {SECRET} 협의 내용",
        disclosure=Disclosure.CLOSED,
        legal_ground="art9-1-2",
        category="budget",
        attachments=[upload("closed.pdf", pdf_bytes("closed"))],
    )
    withdrawn = make_document(
        title=WITHDRAWN_TITLE,
        body="예산 공고",
        category="budget",
        attachments=[upload("withdrawn.pdf", pdf_bytes("withdrawn"))],
    )
    # Withdrawn behind the services' back: the index still holds its terms, and the public
    # surfaces must still not show it (they all start from selectors.public_documents).
    Document.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    pending = make_document(title=PENDING_TITLE, body="예산 초안", approved_at=None)
    hidden_files = list(Attachment.objects.filter(document__in=[closed, withdrawn, pending]))
    hidden_files += list(Attachment.objects.filter(document=partial, withheld=True))
    return {
        "public": [visible, partial],
        "hidden": [closed, withdrawn, pending],
        "hidden_files": hidden_files,
        "public_files": list(Attachment.objects.filter(document=visible))
        + list(Attachment.objects.filter(document=partial, withheld=False)),
    }


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _document_paths(document: Document) -> list[str]:
    return [
        reverse("plaza:document", args=[document.pk]),
        f"/api/v1/plaza/documents/{document.pk}",
    ]


def _file_paths(attachment: Attachment) -> list[str]:
    return [
        reverse("plaza:attachment", args=[attachment.pk]),
        reverse("plaza:attachment-download", args=[attachment.pk]),
        attachment.file.name,
    ]


def assert_only_public(text: str, world: dict, *, public_shown: bool = True) -> None:
    """Nothing withheld or closed in `text`; and, unless told otherwise, both public documents."""
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} reached a public surface"
    for document in world["hidden"]:
        for path in _document_paths(document):
            assert f"{path}/" not in text and f'{path}"' not in text, path
    for attachment in world["hidden_files"]:
        for path in _file_paths(attachment):
            assert path not in text, path
    if public_shown:
        for document in world["public"]:
            assert reverse("plaza:document", args=[document.pk]) in text


# --- pages ---------------------------------------------------------------------------------------


def test_home(client, world):
    text = _page(client.get(reverse("plaza:index")))
    assert_only_public(text, world)
    # The category counts only what is public: 2, not the closed or withdrawn ones.
    assert re.search(r'/plaza/categories/budget/">[^<]+</a> <span class="count">2<', text)


def test_search_page_results_snippets_and_facets(client, world):
    text = _page(client.get(reverse("plaza:search"), {"q": "예산"}))
    assert_only_public(text, world)
    assert "2 documents" in text
    # Facet counts: the whole match is the two public documents, one open, one partly open.
    counts = [int(n) for n in re.findall(r'<span class="count">(\d+)<', text)]
    assert counts and max(counts) == 2
    assert re.search(r'category=budget">[^<]+</a> <span class="count">2<', text)
    assert re.search(r'disclosure=open">[^<]+</a> <span class="count">1<', text)
    assert re.search(r'disclosure=partial">[^<]+</a> <span class="count">1<', text)
    for query in (SECRET, CLOSED_TITLE, WITHDRAWN_TITLE, PENDING_TITLE):
        found = _page(client.get(reverse("plaza:search"), {"q": query}))
        # The page repeats the query in its title and box; what it found comes after.
        results = found[found.index('id="results-title"') :]
        assert_only_public(results, world, public_shown=False)


def test_search_page_without_a_query(client, world):
    text = _page(client.get(reverse("plaza:search"), {"category": "budget"}))
    assert_only_public(text, world)
    assert "2 documents" in text


def _without_token_and_path(response, path: str) -> str:
    text = response.content.decode().replace(path, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_document_page_of_a_hidden_document_is_the_missing_page(client, world):
    missing = client.get("/plaza/documents/99999999/")
    assert missing.status_code == 404
    expected = _without_token_and_path(missing, "/plaza/documents/99999999/")
    for document in world["hidden"]:
        path = reverse("plaza:document", args=[document.pk])
        response = client.get(path)
        assert response.status_code == 404
        assert _without_token_and_path(response, path) == expected
        document.refresh_from_db()
        assert document.view_count == 0


def test_document_page_of_a_partly_open_document(client, world):
    partial = world["public"][1]
    text = _page(client.get(reverse("plaza:document", args=[partial.pk])))
    assert_only_public(text, world, public_shown=False)
    assert "부분 공개 예산 문서" in text and "명단.txt" in text


def test_files_of_hidden_documents_and_withheld_files_are_404(client, world):
    for attachment in world["hidden_files"]:
        for path in _file_paths(attachment)[:2]:
            assert client.get(path).status_code == 404, path
        attachment.refresh_from_db()
        assert attachment.download_count == 0
    for attachment in world["public_files"]:
        assert client.get(_file_paths(attachment)[1]).status_code == 200


def test_category_and_department_pages(client, world, department):
    for path in (
        reverse("plaza:category", args=["budget"]),
        reverse("plaza:category", args=["finance"]),
        reverse("plaza:department", args=[department.code]),
    ):
        text = _page(client.get(path))
        assert_only_public(text, world)
        assert "2 documents" in text


def test_feeds(client, world, department):
    for name, args in (
        ("plaza:feed", []),
        ("plaza:feed-atom", []),
        ("plaza:category-feed", ["budget"]),
        ("plaza:category-feed-atom", ["finance"]),
        ("plaza:department-feed", [department.code]),
        ("plaza:department-feed-atom", [department.code]),
    ):
        text = _page(client.get(reverse(name, args=args)))
        assert_only_public(text, world)
        assert text.count("<item>") + text.count("<entry>") == 2


def test_sitemap(client, world):
    text = _page(client.get(reverse("plaza:sitemap")))
    assert_only_public(text, world)
    assert text.count("<url>") == 2


# --- the API -------------------------------------------------------------------------------------


def test_search_api_results_count_snippets_and_facets(client, world):
    response = client.get("/api/v1/plaza/search", {"q": "예산"})
    text = _page(response)
    assert_only_public(text, world, public_shown=False)
    data = json.loads(text)
    assert data["count"] == 2
    assert {r["id"] for r in data["results"]} == {d.pk for d in world["public"]}
    assert all(value["count"] <= 2 for rows in data["facets"].values() for value in rows)
    for query in (SECRET, CLOSED_TITLE, WITHDRAWN_TITLE, PENDING_TITLE):
        found = client.get("/api/v1/plaza/search", {"q": query}).json()
        assert found["count"] == 0 and found["results"] == []


def test_documents_api_list(client, world):
    text = _page(client.get("/api/v1/plaza/documents", {"page_size": 100}))
    assert_only_public(text, world, public_shown=False)
    data = json.loads(text)
    assert data["count"] == 2
    assert {item["id"] for item in data["items"]} == {d.pk for d in world["public"]}


def test_documents_api_detail(client, world):
    for document in world["hidden"]:
        response = client.get(f"/api/v1/plaza/documents/{document.pk}")
        assert response.status_code == 404
        assert response.json() == client.get("/api/v1/plaza/documents/99999999").json()
    partial = world["public"][1]
    text = _page(client.get(f"/api/v1/plaza/documents/{partial.pk}"))
    assert_only_public(text, world, public_shown=False)
    withheld = next(a for a in json.loads(text)["attachments"] if a["withheld"])
    assert withheld["download_url"] is None and withheld["view_url"] is None


def test_categories_api_counts(client, world):
    data = client.get("/api/v1/plaza/categories").json()
    by_code = {c["code"]: c["documents"] for c in data}
    assert by_code["budget"] == 2 and by_code["finance"] == 2
