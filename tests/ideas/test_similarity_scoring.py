"""Similar-idea shingles (Korean-aware) and the scores: the experts' rubric and a contest's
combination of jury and public, with expected values worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamkke.ideas import scoring, similarity


def test_korean_compounds_share_syllable_pairs_across_spacing_and_particles():
    written = similarity.shingles("미술관 주변 금연구역을 만들자")
    searched = similarity.shingles("금연 구역")
    assert {"금연", "구역"} <= written
    assert {"금연", "구역"} <= searched
    # The particle 을 on 구역을 adds no pair of its own.
    assert "역을" not in written


def test_other_words_are_case_folded_and_stop_words_dropped():
    assert similarity.shingles("The Floating ISLAND on the river") == frozenset(
        {"floating", "island", "river"}
    )


def test_dice_ranks_the_closer_text_first():
    query = similarity.shingles("한강 인공섬")
    candidates = {
        1: similarity.shingles("한강에 떠 있는 인공섬을 만들자"),
        2: similarity.shingles("지하철 막차 시간을 늦춰 주세요"),
        3: similarity.shingles("한강 공원 자전거 길"),
    }
    ranked = similarity.rank(query, candidates, limit=3, least=0.1)
    assert ranked[0][0] == 1
    assert 2 not in [key for key, _score in ranked]


@given(st.text(max_size=200))
def test_dice_of_a_text_with_itself_is_one_or_empty(text):
    found = similarity.shingles(text)
    assert similarity.dice(found, found) == (1.0 if found else 0.0)
    assert len(found) <= similarity.MAX_SHINGLES


def test_rubric_means_by_hand():
    means = scoring.rubric_means([scoring.RubricScore(4, 5, 3, 5), scoring.RubricScore(3, 4, 2, 4)])
    # feasibility (4+3)/2, effect (5+4)/2, cost (3+2)/2, originality (5+4)/2; overall 30/8.
    assert means == {
        "feasibility": Decimal("3.50"),
        "effect": Decimal("4.50"),
        "cost": Decimal("2.50"),
        "originality": Decimal("4.50"),
        "overall": Decimal("3.75"),
    }
    assert scoring.rubric_means([]) is None


def test_rubric_problems_name_each_bad_item():
    assert scoring.rubric_problems({"feasibility": 0, "effect": 6, "cost": "3"}) == {
        "feasibility": "range",
        "effect": "range",
        "cost": "missing",
        "originality": "missing",
    }
    assert scoring.rubric_problems({k: 3 for k in scoring.RUBRIC}) == {}


def test_contest_ranking_combines_jury_and_public_by_weights():
    tallies = [
        scoring.EntryTally(entry=1, jury_scores=(90, 80), votes=50),  # jury 85, public 50
        scoring.EntryTally(entry=2, jury_scores=(60,), votes=100),  # jury 60, public 100
        scoring.EntryTally(entry=3, jury_scores=(), votes=0),  # nothing
    ]
    ranked = scoring.rank_entries(tallies, jury_weight=70, public_weight=30)
    # 1: 0.7*85 + 0.3*50 = 74.5; 2: 0.7*60 + 0.3*100 = 72; 3: 0.
    assert [(r.entry, r.score, r.rank) for r in ranked] == [
        (1, Decimal("74.50"), 1),
        (2, Decimal("72.00"), 2),
        (3, Decimal("0.00"), 3),
    ]
    # With the public weighing more, the order turns: 1: 0.4*85+0.6*50 = 64; 2: 24+60 = 84.
    flipped = scoring.rank_entries(tallies, jury_weight=40, public_weight=60)
    assert [r.entry for r in flipped] == [2, 1, 3]
    assert flipped[0].score == Decimal("84.00")


def test_weights_must_add_up_to_a_hundred():
    with pytest.raises(ValueError):
        scoring.rank_entries([], jury_weight=50, public_weight=40)
