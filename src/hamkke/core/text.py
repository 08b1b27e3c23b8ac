"""Text as people type it, made fit to store: one rule for every service."""

from __future__ import annotations


def clean_text(text: str | None) -> str:
    # PostgreSQL text cannot hold NUL; Windows line ends would count twice toward the limit.
    return (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
