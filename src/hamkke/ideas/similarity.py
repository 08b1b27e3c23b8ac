"""Similar ideas, Korean-aware: a text becomes a set of shingles — Hangul (and other CJK) runs
as overlapping syllable pairs, so 금연구역 and 금연 구역을 share 금연 and 구역; other words
lower-cased, with a run of one syllable kept whole — and two texts are as similar as their
shingle sets overlap (Dice), or as much of the query as the other text holds when the query is
the shorter (a title being typed against ideas with their text). No Django: the index stores
the shingles, this ranks."""

from __future__ import annotations

import re
import unicodedata

# Hangul syllables, compatibility jamo, CJK ideographs: scripts written without spaces between
# the parts of a compound, so pairs of characters stand in for words.
_CJK = r"\u1100-\u11ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
_RUN = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_IS_CJK = re.compile(rf"[{_CJK}]")
# Common Korean particles and endings on a word's last syllable add pairs that match
# everything (을, 를, 의, 에서); a run's final pair is dropped when it ends in one.
_PARTICLES = frozenset("은는이가을를의에도와과로서")
# The polite endings nearly every idea ends with (…해 주세요, …합니다): pairs that tell no two
# ideas apart, and that would make any short request look like every other.
_ENDING_PAIRS = frozenset({"주세", "세요", "합니", "습니", "니다"})
# English words too common to tell ideas apart.
_STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "we",
        "with",
    }
)
MAX_SHINGLES = 400


def shingles(text: str) -> frozenset[str]:
    """The text's shingles (at most MAX_SHINGLES, the first ones met)."""
    found: list[str] = []
    seen: set[str] = set()
    for run in _RUN.findall(unicodedata.normalize("NFKC", text).casefold()):
        for shingle in _run_shingles(run):
            if shingle not in seen:
                seen.add(shingle)
                found.append(shingle)
                if len(found) >= MAX_SHINGLES:
                    return frozenset(found)
    return frozenset(found)


def _run_shingles(run: str) -> list[str]:
    if not _IS_CJK.match(run):
        return [] if run in _STOP_WORDS or (len(run) < 2 and not run.isdigit()) else [run]
    if len(run) == 1:
        return [run]
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    if len(pairs) > 1 and run[-1] in _PARTICLES:
        pairs.pop()
    return [pair for pair in pairs if pair not in _ENDING_PAIRS]


def dice(first: frozenset[str], second: frozenset[str]) -> float:
    """Twice the shared shingles over both sets' sizes: 1.0 for the same set, 0.0 for none."""
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def likeness(query: frozenset[str], other: frozenset[str]) -> float:
    """How alike `other` is to `query`: Dice, or the share of the query's shingles that `other`
    holds if that is more. While a person types a title, the query is a few shingles and the
    ideas it should find have their text too: Dice alone put "한강 인공섬" against the floating
    island idea (75 shingles) at 0.08, below short ideas sharing only "한강"."""
    if not query or not other:
        return 0.0
    return max(dice(query, other), len(query & other) / len(query))


def rank(
    query: frozenset[str], candidates: dict[int, frozenset[str]], *, limit: int, least: float
) -> list[tuple[int, float]]:
    """The candidates (id → shingles) most like `query` (likeness), at least `least` alike,
    best first (ties by the lower id: the older idea)."""
    scored = [(key, likeness(query, found)) for key, found in candidates.items()]
    kept = [(key, score) for key, score in scored if score >= least]
    kept.sort(key=lambda item: (-item[1], item[0]))
    return kept[:limit]
