"""Search over the public documents: Korean syllables found inside words, recall against a
substring scan, filters and facets, and what people type that is not a query."""

from __future__ import annotations

import pytest

from hamkke.core.errors import InvalidInput
from hamkke.plaza import search_index, search_terms, selectors
from hamkke.plaza.models import Disclosure, Document

pytestmark = pytest.mark.django_db

TEXTS = [
    ("2027년 추경예산안 제출", "서울시 추가경정예산안을 시의회에 제출합니다."),
    ("예산을 절감한 사례", "청사 에너지 예산을 줄였습니다."),
    ("도로 포장 공사 계약 결과", "강남구 도로 보수 계약 결과를 알립니다."),
    ("공공 와이파이 확대", "전통시장 와이파이 설치 계획."),
    ("시민 예술 축제", "예술의 전당에서 열립니다."),
    ("Smart Seoul budget report", "Budgets of the smart city projects."),
]


@pytest.fixture
def corpus(make_document):
    return [make_document(title=title, body=body) for title, body in TEXTS]


def _ids(query: str) -> set[int]:
    page = selectors.search(query, page_size=100)
    assert page.count == len(page.hits)
    return {hit.document.pk for hit in page.hits}


def _scan(query: str) -> set[int]:
    parsed = search_terms.parse(query)
    return {
        document.pk
        for document in selectors.public_documents()
        if search_terms.matches(f"{document.title}\n{document.body}", parsed)
    }


@pytest.mark.parametrize(
    "query", ["예산", "예", "산", "예술", "계약", "안", "추경예산안", "budget"]
)
def test_search_finds_exactly_what_a_substring_scan_finds(corpus, query):
    expected = _scan(query)
    assert expected, "the corpus must contain every query of this test"
    assert _ids(query) == expected


def test_a_two_syllable_query_finds_it_inside_longer_words(corpus):
    found = _ids("예산")
    titles = {Document.objects.get(pk=pk).title for pk in found}
    assert titles == {"2027년 추경예산안 제출", "예산을 절감한 사례"}


def test_a_syllable_at_the_end_of_a_word_is_found(corpus):
    # 안 ends 추경예산안; it is the last syllable of its run, indexed alone.
    assert corpus[0].pk in _ids("안")


def test_phrase_means_adjacent_syllables(make_document):
    # Both pairs of 예산안 (예산, 산안) occur in the second text, but not next to each other.
    whole = make_document(title="추경예산안")
    make_document(title="예산 편성과 산안 정리")
    assert _ids("예산안") == {whole.pk}


@pytest.mark.parametrize(
    "query",
    ['"', "*", "(", ")", "NEAR", 'NEAR("예산" "계약")', "예산 OR", "-", "^", "'", ":*", "\\"],
)
def test_search_syntax_is_only_text(corpus, query):
    page = selectors.search(query)
    assert page.count == len(_scan(query)) if search_terms.parse(query) else page.count == 6


def test_a_query_too_long_is_refused_with_a_message(corpus, english):
    with pytest.raises(InvalidInput) as refused:
        selectors.search("가" * 5000)
    assert "at most" in refused.value.message


def test_closed_and_unpublished_documents_are_not_in_the_index(make_document):
    closed = make_document(
        title="비밀 예산 문서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-2"
    )
    pending = make_document(title="내일 공개될 예산", approved_at=None)
    visible = make_document(title="공개 예산")
    assert _ids("예산") == {visible.pk}
    assert search_index.raw_match_count(search_terms.parse("비밀")) == 0
    assert closed.published_at is None and pending.published_at is None


def test_filters_and_facets_count_the_whole_match(corpus):
    page = selectors.search("예산", filters=selectors.SearchFilters(doc_type="approval"))
    assert page.count == 2
    facet = dict((value, n) for value, _label, n in page.facets["doc_type"])
    assert facet == {"approval": 2}


def test_snippet_marks_the_match_and_escapes_the_text(make_document):
    document = make_document(title="<script>예산</script>", body="본문에 <b>예산</b>이 있다")
    hit = selectors.search("예산").hits[0]
    assert hit.document.pk == document.pk
    assert "<script>" not in hit.title and "&lt;script&gt;" in hit.title
    assert "<mark>예산</mark>" in hit.snippet
