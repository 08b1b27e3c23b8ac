"""Chapter marks, pure: the agenda's offsets as chapters of a video and their WebVTT text, and
how a moment is written for people. No database."""

from __future__ import annotations

import pytest

from hamkke.plaza.meetings.chapters import (
    UNKNOWN_END_SECONDS,
    Chapter,
    chapters,
    clock,
    cue_text,
    timestamp,
    webvtt,
)


def test_each_chapter_ends_where_the_next_begins_and_the_last_at_the_video_end():
    found = chapters([(300, "2", "둘째"), (0, "1", "첫째"), (4000, "", "셋째")], 4500)
    assert [(c.start, c.end, c.label) for c in found] == [
        (0, 300, "1 첫째"),
        (300, 4000, "2 둘째"),
        (4000, 4500, "셋째"),
    ]


def test_without_a_known_length_the_last_chapter_still_ends_after_it_starts():
    (only,) = chapters([(120, "1", "개회")], None)
    assert (only.start, only.end) == (120, 120 + UNKNOWN_END_SECONDS)
    assert UNKNOWN_END_SECONDS > 0


@pytest.mark.parametrize(
    ("seconds", "vtt", "shown"),
    [
        (0, "00:00:00.000", "0:00"),
        (59, "00:00:59.000", "0:59"),
        (61, "00:01:01.000", "1:01"),
        (3600, "01:00:00.000", "1:00:00"),
        (3723, "01:02:03.000", "1:02:03"),
        (172800, "48:00:00.000", "48:00:00"),
    ],
)
def test_moments_are_written_as_webvtt_and_as_people_read_them(seconds, vtt, shown):
    assert timestamp(seconds) == vtt
    assert clock(seconds) == shown


def test_a_cue_cannot_break_out_of_its_block():
    assert cue_text("예산안\n\n2 --> 3 <b>&</b>") == "예산안 2 -&gt; 3 &lt;b&gt;&amp;&lt;/b&gt;"


def test_the_file_numbers_its_cues():
    text = webvtt([Chapter(0, 61, "개회", "1"), Chapter(61, 90, "폐회")])
    assert text == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:01:01.000\n1 개회\n\n"
        "2\n00:01:01.000 --> 00:01:30.000\n폐회\n"
    )
