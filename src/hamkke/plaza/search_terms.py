"""The one text transform of the Plaza's search, pure Python: documents become a stream of terms
and queries become clauses over those terms, the same for SQLite FTS5 and PostgreSQL tsvector.

Korean (and other CJK) text has no spaces between the parts a reader searches for: 예산 is inside
추경예산안 and 예산을. As CJK analyzers do, a run of such characters is indexed as its
overlapping pairs of syllables, followed by its last syllable alone:

    추경예산안  ->  추경 경예 예산 산안 안

A query run of two or more syllables is the phrase of its pairs (예산안 -> "예산 산안"), which
matches exactly the documents containing it; a single syllable is a prefix term (예* matches 예산
and the lone 예 at the end of a run), which matches every document containing that syllable.
Other scripts are indexed word by word, and a query word matches words it begins. Text is
NFKC-normalised and case-folded on both sides, so full-width letters and digits match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Hangul syllables and jamo, CJK ideographs, kana: scripts written without spaces between words.
_CJK = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
    "\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff]"
)

# A query longer than this is refused by the callers: no one types it, and it costs work.
MAX_QUERY_CHARS = 200
# A document's terms are cut into chunks this many terms long (PostgreSQL keeps term positions
# up to 16,383), each chunk repeating the last OVERLAP terms of the one before, so a phrase of
# a query (at most MAX_QUERY_CHARS terms) is always wholly inside one chunk.
CHUNK_TERMS = 8000
OVERLAP = MAX_QUERY_CHARS + 8


def normalize(text: str) -> str:
    """The form both sides are compared in: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _kind(char: str) -> str:
    if _CJK.match(char):
        return "cjk"
    if char.isalnum():
        return "word"
    return ""


def runs(text: str) -> Iterator[tuple[str, str]]:
    """(kind, run) for each run of CJK characters or of other letters and digits, in order."""
    kind, start = "", 0
    for i, char in enumerate(text):
        this = _kind(char)
        if this != kind:
            if kind:
                yield kind, text[start:i]
            kind, start = this, i
    if kind:
        yield kind, text[start:]


def _cjk_terms(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def terms(text: str) -> list[str]:
    """The terms of a text, in order (positions matter: a query run is a phrase)."""
    out: list[str] = []
    for kind, run in runs(normalize(text)):
        if kind == "cjk":
            out.extend(_cjk_terms(run))
        else:
            out.append(run)
    return out


def chunks(text: str) -> list[str]:
    """The text's terms as space-separated chunks for the index (at least one, maybe empty)."""
    all_terms = terms(text)
    if len(all_terms) <= CHUNK_TERMS:
        return [" ".join(all_terms)]
    out, start = [], 0
    while start < len(all_terms):
        out.append(" ".join(all_terms[start : start + CHUNK_TERMS]))
        if start + CHUNK_TERMS >= len(all_terms):
            break
        start += CHUNK_TERMS - OVERLAP
    return out


@dataclass(frozen=True)
class Clause:
    """One part of a query, all of which a document must match: a phrase of consecutive terms,
    or one term matched as a prefix."""

    terms: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True)
class Query:
    text: str  # the normalised query, for highlighting
    clauses: tuple[Clause, ...]
    needles: tuple[str, ...]  # the runs a matching text contains (for snippets and checks)

    def __bool__(self) -> bool:
        return bool(self.clauses)


def parse(query: str) -> Query:
    """Clauses from what a person typed. Every character that is not a letter or digit only
    separates runs, so quotes, stars, brackets and words like NEAR or OR carry no syntax."""
    normal = normalize(query)
    clauses: list[Clause] = []
    needles: list[str] = []
    for kind, run in runs(normal):
        if run in needles:
            continue
        needles.append(run)
        if kind == "cjk" and len(run) > 1:
            clauses.append(Clause(tuple(run[i : i + 2] for i in range(len(run) - 1)), False))
        else:
            clauses.append(Clause((run,), True))
    return Query(text=normal, clauses=tuple(clauses), needles=tuple(needles))


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: quoted terms (no FTS5 syntax can come from the person); the
    terms of a phrase inside one pair of quotes must be consecutive."""
    parts = []
    for clause in query.clauses:
        phrase = '"' + " ".join(clause.terms) + '"'
        parts.append(f"{phrase}*" if clause.prefix else phrase)
    return " AND ".join(parts)


def tsquery(query: Query) -> str:
    """The PostgreSQL to_tsquery('simple', …) text: phrases with <->, prefixes with :*."""
    parts = []
    for clause in query.clauses:
        quoted = [f"'{t}'" for t in clause.terms]
        if len(quoted) > 1:
            parts.append("(" + " <-> ".join(quoted) + ")")
        elif clause.prefix:
            parts.append(f"{quoted[0]}:*")
        else:
            parts.append(quoted[0])
    return " & ".join(parts)


def matches(text: str, query: Query) -> bool:
    """Whether `text` matches `query` as the index does, by scanning: the reference the index is
    checked against (a CJK run is a substring; a word begins a word of the text)."""
    normal = normalize(text)
    words = None
    for needle in query.needles:
        if _CJK.match(needle[0]):
            if needle not in normal:
                return False
            continue
        if words is None:
            words = [run for kind, run in runs(normal) if kind == "word"]
        if not any(word.startswith(needle) for word in words):
            return False
    return True


def spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Where the query's runs occur in `text` (offsets into `text` itself, for <mark>), sorted
    and not overlapping. NFKC may change lengths, so offsets are found on a per-character
    normalisation of the text."""
    if not query.needles:
        return []
    folded, origin = [], []
    for i, char in enumerate(text):
        for piece in normalize(char):
            folded.append(piece)
            origin.append(i)
    haystack = "".join(folded)
    found: list[tuple[int, int]] = []
    for needle in query.needles:
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle)
            found.append((origin[start], origin[end - 1] + 1))
            start = haystack.find(needle, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
