"""A meeting video's chapter marks, pure Python: the agenda's start offsets as chapters (each
ends where the next begins, the last at the video's end), written as a WebVTT chapters track
for <track kind="chapters">, and the look of a moment in the video (1:02:03)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The last chapter of a video whose length nobody recorded ends this long after it starts:
# players stop at the real end anyway, and a cue must end after it begins.
UNKNOWN_END_SECONDS = 6 * 3600

# A cue's text may hold no line break (it would end the cue) and no "-->" (it would read as a
# timing line); WebVTT escapes &, < and > as in HTML.
_BLANKS = re.compile(r"\s+")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@dataclass(frozen=True)
class Chapter:
    start: int  # seconds into the video
    end: int
    title: str
    number: str = ""

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title


def chapters(marks: list[tuple[int, str, str]], duration: int | None) -> list[Chapter]:
    """`marks` as (offset in seconds, number, title), in any order, as chapters in the order of
    the video. Offsets are distinct and within the video (the services refuse others)."""
    ordered = sorted(marks, key=lambda mark: mark[0])
    out = []
    for index, (start, number, title) in enumerate(ordered):
        if index + 1 < len(ordered):
            end = ordered[index + 1][0]
        elif duration is not None and duration > start:
            end = duration
        else:
            end = start + UNKNOWN_END_SECONDS
        out.append(Chapter(start=start, end=end, title=title, number=number))
    return out


def timestamp(seconds: int) -> str:
    """WebVTT's timestamp: hours, minutes, seconds and milliseconds (00:01:05.000)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.000"


def clock(seconds: int) -> str:
    """How people read a moment of a video: 5:07, 1:02:03."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def cue_text(text: str) -> str:
    text = _BLANKS.sub(" ", text).strip().replace("-->", "->")
    return "".join(_ESCAPES.get(char, char) for char in text)


def webvtt(found: list[Chapter]) -> str:
    """The chapters as a WebVTT file: a header, then one numbered cue per chapter."""
    lines = ["WEBVTT", ""]
    for index, chapter in enumerate(found, start=1):
        lines += [
            str(index),
            f"{timestamp(chapter.start)} --> {timestamp(chapter.end)}",
            cue_text(chapter.label),
            "",
        ]
    return "\n".join(lines)
