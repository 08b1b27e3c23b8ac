"""The Plaza's documents API (/api/v1/plaza/…): search with the page's filters, facets, order and
pages; the list of all public documents; one document with its files and related documents; the
categories; refusals as 4xx JSON {detail, code}; and the OpenAPI document describing them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hamkke.plaza.models import ApproverLevel, Attachment, Disclosure, Document, DocumentType
from tests.plaza.test_views import WITHHELD_GROUND, pdf_bytes, upload

pytestmark = pytest.mark.django_db

API = "/api/v1/plaza"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Refusals are asserted in their English source."""


@pytest.fixture
def documents(make_document):
    return {
        "budget": make_document(
            title="2027년 추경예산안 제출",
            summary="추경 요약",
            body="서울시 추가경정예산안을 시의회에 제출합니다.",
            doc_type=DocumentType.BUDGET,
            category="budget",
            approver_level=ApproverLevel.MAYOR,
            tags=["추경"],
        ),
        "saving": make_document(title="예산을 절감한 사례", body="에너지 예산을 줄였습니다."),
        "road": make_document(title="도로 포장 공사", doc_type=DocumentType.CONTRACT),
    }


def test_search_answers_count_results_and_facets(client, documents):
    response = client.get(f"{API}/search", {"q": "예산"})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert {r["id"] for r in data["results"]} == {documents["budget"].pk, documents["saving"].pk}
    hit = next(r for r in data["results"] if r["id"] == documents["budget"].pk)
    assert hit["title"] == "2027년 추경예산안 제출"
    assert "<mark>예산</mark>" in hit["snippet"]
    assert hit["doc_type"] == "budget" and hit["department"] == "information-planning"
    assert hit["url"] == f"http://testserver/plaza/documents/{documents['budget'].pk}/"
    assert hit["api_url"] == f"http://testserver{API}/documents/{documents['budget'].pk}"
    assert {f["value"]: f["count"] for f in data["facets"]["type"]} == {"budget": 1, "approval": 1}
    assert {f["value"]: f["count"] for f in data["facets"]["category"]} == {
        "budget": 1,
        "finance": 1,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "contract"}, {"road"}),
        ({"category": "finance"}, {"budget"}),
        ({"level": 5}, {"budget"}),
        ({"department": "information-planning", "q": "도로"}, {"road"}),
        ({"tag": "추경"}, {"budget"}),
        ({"disclosure": "partial"}, set()),
    ],
)
def test_search_filters_as_on_the_page(client, documents, params, expected):
    data = client.get(f"{API}/search", params).json()
    assert {r["id"] for r in data["results"]} == {documents[name].pk for name in expected}
    assert data["count"] == len(expected)


def test_search_pages_and_order(client, make_document):
    made = [make_document(title=f"공고 {i}") for i in range(5)]
    Document.objects.filter(pk=made[0].pk).update(published_at=timezone.now())
    first = client.get(f"{API}/search", {"q": "공고", "page_size": 2, "sort": "newest"}).json()
    assert (first["count"], first["pages"], len(first["results"])) == (5, 3, 2)
    assert first["results"][0]["id"] == made[0].pk
    last = client.get(f"{API}/search", {"q": "공고", "page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    oldest = client.get(f"{API}/search", {"q": "공고", "sort": "oldest", "page_size": 5}).json()
    assert oldest["results"][-1]["id"] == made[0].pk
    beyond = client.get(f"{API}/search", {"q": "공고", "page_size": 2, "page": 10**30}).json()
    assert beyond["page"] == 3 and len(beyond["results"]) == 1


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"type": "memo"}, 400, "type"),
        ({"department": "nowhere"}, 400, "department"),
        ({"category": "nothing"}, 400, "category"),
        ({"disclosure": "closed"}, 400, "disclosure"),
        ({"level": 9}, 400, "level"),
        ({"since": "9999-12-31"}, 400, "since"),
        ({"until": "0001-01-01"}, 400, "until"),
        ({"sort": "random"}, 400, "sort"),
        ({"q": "가" * 201}, 400, "q"),
    ],
)
def test_search_refuses_what_no_document_has_with_400(client, documents, params, status, field):
    response = client.get(f"{API}/search", params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == field and body["detail"]


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": "²"}, {"page_size": 101}, {"page_size": 0}, {"since": "yesterday"}],
)
def test_search_parameters_of_the_wrong_shape_answer_422(client, documents, params):
    response = client.get(f"{API}/search", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


@pytest.mark.parametrize("query", ['"', "*", "(", ")", "NEAR", 'NEAR("예산" "계약")', "예산 OR"])
def test_search_syntax_is_text(client, documents, query):
    assert client.get(f"{API}/search", {"q": query}).status_code == 200


def test_documents_list_pages_all_public_documents(client, documents):
    data = client.get(f"{API}/documents", {"page_size": 2}).json()
    assert (data["count"], data["pages"], len(data["items"])) == (3, 2, 2)
    second = client.get(f"{API}/documents", {"page_size": 2, "page": 2}).json()
    ids = {item["id"] for item in data["items"] + second["items"]}
    assert ids == {d.pk for d in documents.values()}
    budget = next(
        item for item in data["items"] + second["items"] if item["id"] == documents["budget"].pk
    )
    assert budget["title"] == "2027년 추경예산안 제출"
    assert budget["summary"] == "추경 요약"
    assert budget["body"] == "서울시 추가경정예산안을 시의회에 제출합니다."
    assert budget["tags"] == ["추경"] and budget["category"] == "budget"
    assert budget["approver_level"] == 6 and budget["approver_level_label"] == "Mayor"


def test_documents_list_refuses_a_page_size_over_100(client, documents):
    assert client.get(f"{API}/documents", {"page_size": 101}).status_code == 422
    assert client.get(f"{API}/documents", {"page_size": 100}).status_code == 200


def test_one_document_with_files_and_related(client, make_document):
    related = make_document(title="관련 문서")
    document = make_document(
        title="부분 공개 문서",
        body="공개 부분. [[withheld:art9-1-6]]비공개 부분[[/withheld]]",
        disclosure=Disclosure.PARTIAL,
        legal_ground=WITHHELD_GROUND,
        related_numbers=[related.number],
        attachments=[
            upload("보고서.pdf", pdf_bytes()),
            upload("명단.txt", "명단".encode(), withheld=True, legal_ground=WITHHELD_GROUND),
        ],
    )
    pdf, withheld = Attachment.objects.filter(document=document).order_by("order")
    response = client.get(f"{API}/documents/{document.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["disclosure"] == "partial" and data["legal_ground"] == WITHHELD_GROUND
    assert data["legal_ground_name"].startswith("Disclosure Act art. 9(1)(6)")
    # The marker is written in the city's language when the document is saved.
    assert "비공개 부분" not in data["body"] and "[비공개: " in data["body"]
    shown, hidden = data["attachments"]
    assert shown["name"] == "보고서.pdf"
    assert shown["download_url"] == f"http://testserver/plaza/attachments/{pdf.pk}/download/"
    assert shown["view_url"] == f"http://testserver/plaza/attachments/{pdf.pk}/"
    assert hidden["name"] == "명단.txt" and hidden["withheld"] is True
    assert hidden["download_url"] is None and hidden["view_url"] is None
    assert hidden["legal_ground"] == WITHHELD_GROUND
    assert str(withheld.pk) not in (shown["download_url"] + shown["view_url"])
    assert [r["id"] for r in data["related"]] == [related.pk]


@pytest.mark.parametrize("pk", ["0", "999999", str(10**19), str(10**30)])
def test_a_document_that_is_no_row_answers_404_json(client, pk):
    response = client.get(f"{API}/documents/{pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_categories_with_their_public_counts(client, documents):
    data = client.get(f"{API}/categories").json()
    by_code = {c["code"]: c for c in data}
    assert by_code["finance"]["parent"] is None and by_code["finance"]["documents"] == 1
    assert by_code["budget"]["parent"] == "finance" and by_code["budget"]["documents"] == 1
    assert by_code["transport"]["documents"] == 0
    assert by_code["budget"]["name"] == "예산·결산"
    assert by_code["budget"]["url"] == "http://testserver/plaza/categories/budget/"


def test_the_openapi_document_describes_the_documents_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    search = schema["paths"][f"{API}/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "type", "department", "category", "level", "disclosure", "since", "until"} <= (
        names
    )
    assert {"sort", "page", "page_size"} <= names
    assert {"200", "400", "404", "422"} <= set(search["responses"])
    assert f"{API}/documents" in schema["paths"]
    assert f"{API}/documents/{{document_id}}" in schema["paths"]
    assert f"{API}/categories" in schema["paths"]
