"""Search recall (the issue's bar) on whichever database the run uses: over a generated Korean
corpus of a few hundred documents — random syllables mixed with real words and particles, some
documents closed, partly open, not yet approved, some with public and withheld attachments — the
result set of every 1-, 2- and 3+-syllable query equals a brute-force substring scan (plain `in`)
over the public text: title, summary, body and the text of the attachments the public may
download."""

from __future__ import annotations

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hamkke.plaza import search_terms, selectors, services
from hamkke.plaza.models import Attachment, Disclosure, Document

pytestmark = pytest.mark.django_db

# Syllables that real words share, so random runs form the pairs the queries look for.
SYLLABLES = list("예산안추경계약도로보수공사시민의회정책서울구청장기록통회결과가을이는")
WORDS = [
    "예산", "추경예산안", "예산을", "계약", "수의계약", "도로", "도로보수", "보수공사", "시민",
    "시민의", "회의록", "정책", "서울시", "구청장", "기록물", "통계", "결과", "안전", "공사",
    "추진계획", "예비비", "산안", "경계", "약도", "의회", "서울시청장", "시민의회",
    "시민 통계",
]  # fmt: skip
PARTICLES = ["", "", "", "을", "를", "이", "가", "은", "는", "의", "에서"]
FIXED_QUERIES = [
    # one syllable
    "예", "산", "안", "의", "약", "뷁",
    # two syllables
    "예산", "계약", "도로", "산안", "경계", "의회", "보수", "청장", "가을", "뷁뷁",
    # three and more
    "예산안", "추경예산", "도로보수", "보수공사", "시민의회", "서울시청장", "추경예산안을",
    # several runs: each must be there
    "도로 보수", "예산 계약", "예 산", "시민 통계 결과",
]  # fmt: skip


def _run(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(WORDS) + rng.choice(PARTICLES)
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 5)))


def _text(rng: random.Random, runs: int) -> str:
    separators = [" ", " ", " ", ", ", ". ", "\n", "·"]
    return "".join(_run(rng) + rng.choice(separators) for _ in range(runs)).strip()


def _txt(name: str, text: str) -> services.AttachmentUpload:
    return services.AttachmentUpload(SimpleUploadedFile(name, text.encode("utf-8")))


@pytest.fixture
def corpus(make_document) -> dict[int, str]:
    """Documents made through the service; returns {pk: public text} of those the public sees,
    built from what was stored for the public and the attachments it may download."""
    rng = random.Random(10)
    public: list[int] = []
    for n in range(240):
        kind = n % 12
        fields = {
            "title": _text(rng, rng.randint(1, 4)),
            "summary": _text(rng, rng.randint(0, 6)),
            "body": _text(rng, rng.randint(5, 40)),
        }
        if kind == 0:  # closed: found by nothing
            fields |= {"disclosure": Disclosure.CLOSED, "legal_ground": "art9-1-4"}
        elif kind == 1:  # registered, not approved: not public yet
            fields["approved_at"] = None
        elif kind == 2:  # partly open: a passage and a file withheld
            fields |= {
                "disclosure": Disclosure.PARTIAL,
                "legal_ground": "art9-1-6",
                "body": fields["body"] + f" [[withheld:art9-1-6]]{_text(rng, 8)}[[/withheld]]",
                "attachments": [
                    services.AttachmentUpload(
                        SimpleUploadedFile("withheld.txt", _text(rng, 10).encode()),
                        withheld=True,
                        legal_ground="art9-1-6",
                    ),
                    _txt("public.txt", _text(rng, 10)),
                ],
            }
        elif kind == 3:  # a public attachment
            fields["attachments"] = [_txt("annex.txt", _text(rng, 15))]
        document = make_document(**fields)
        if kind not in (0, 1):
            public.append(document.pk)
    texts = {}
    for document in Document.objects.filter(pk__in=public):
        files = Attachment.objects.filter(document=document, withheld=False)
        parts = [document.title, document.summary, document.body]
        texts[document.pk] = "\n".join(parts + [a.text for a in files])
    return texts


def _scan(texts: dict[int, str], query: str) -> set[int]:
    """Plain substring search: every space-separated part of the query is in the text."""
    parts = query.split()
    return {pk for pk, text in texts.items() if all(part in text for part in parts)}


def _search(query: str) -> tuple[set[int], int]:
    page = selectors.search(query, page_size=1000, with_facets=False)
    return {hit.document.pk for hit in page.hits}, page.count


def _mismatches(texts: dict[int, str], queries: list[str]) -> dict[str, tuple]:
    wrong = {}
    for query in queries:
        expected = _scan(texts, query)
        found, count = _search(query)
        if found != expected or count != len(expected):
            wrong[query] = (
                f"missed {sorted(expected - found)[:5]}",
                f"extra {sorted(found - expected)[:5]}",
                count,
            )
    return wrong


def _random_queries(texts: dict[int, str]) -> list[str]:
    """Substrings of 1 to 4 syllables of the corpus's runs, and pairs of random syllables (most
    of which occur nowhere)."""
    rng = random.Random(20)
    runs = [
        run
        for text in texts.values()
        for kind, run in search_terms.runs(text)
        if kind == "cjk" and len(run) >= 2
    ]
    queries = set()
    while len(queries) < 120:
        run = rng.choice(runs)
        length = rng.choice((1, 1, 2, 2, 2, 3, 4))
        start = rng.randrange(0, max(1, len(run) - length + 1))
        queries.add(run[start : start + length])
    queries |= {rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(40)}
    return sorted(queries)


def test_search_finds_exactly_what_a_substring_scan_finds(corpus):
    """One corpus (a few hundred documents take seconds to register) for every query."""
    assert _mismatches(corpus, FIXED_QUERIES) == {}
    # The corpus puts the queries to the test: all but the made-up ones find something, the
    # single syllables find most of it.
    found = {query: len(_scan(corpus, query)) for query in FIXED_QUERIES}
    assert {query for query, n in found.items() if not n} == {"뷁", "뷁뷁"}
    assert found["예"] > len(corpus) // 2

    assert _mismatches(corpus, _random_queries(corpus)) == {}

    # search_terms.matches (the module's own scan) says the same as plain `in` for Korean.
    for query in FIXED_QUERIES:
        parsed = search_terms.parse(query)
        by_terms = {pk for pk, text in corpus.items() if search_terms.matches(text, parsed)}
        assert by_terms == _scan(corpus, query), query


def test_withheld_and_closed_text_is_not_found(make_document):
    # Syllables that the public marker of a withheld passage ("[비공개: …]") does not contain.
    secret = "쮸뀨쀼꺄뀰"
    make_document(title="닫힌 문서", body=secret, disclosure="closed", legal_ground="art9-1-4")
    make_document(
        title="부분 공개",
        body=f"공개 부분 [[withheld:art9-1-6]]{secret}[[/withheld]]",
        disclosure="partial",
        legal_ground="art9-1-6",
        attachments=[
            services.AttachmentUpload(
                SimpleUploadedFile("s.txt", secret.encode()), withheld=True, legal_ground="art9-1-6"
            )
        ],
    )
    shown = make_document(title="공개 문서", body="공개 부분")
    for query in ("쮸뀨", "쮸", "뀨쀼", "뀰", secret):
        assert _search(query) == (set(), 0), query
    assert _search("공개 부분")[0] >= {shown.pk}
