"""Outside input: whatever bytes arrive as a "photo", the answer is a stored clean photo or an
InvalidUpload — never a server error, never a stray file."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hamkke.core.errors import InvalidUpload
from hamkke.core.media import services as media_services
from hamkke.core.models import Media
from tests.core.image_files import image_bytes, upload

pytestmark = pytest.mark.django_db

VALID = {
    "jpeg": image_bytes(size=(24, 16), fmt="JPEG"),
    "png": image_bytes(size=(24, 16), fmt="PNG"),
    "webp": image_bytes(size=(24, 16), fmt="WEBP"),
}
FUZZ = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def stored_count(settings) -> int:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def store_or_refuse(data: bytes, settings) -> None:
    rows, files = Media.objects.count(), stored_count(settings)
    try:
        media = media_services.store_photo(upload=upload(data, "fuzz.jpg"))
    except InvalidUpload:
        assert Media.objects.count() == rows
        assert stored_count(settings) == files
        return
    assert media.content_type in {"image/jpeg", "image/png", "image/webp"}
    assert stored_count(settings) == files + 2


@FUZZ
@given(data=st.binary(min_size=1, max_size=2048))
def test_random_bytes_are_refused_cleanly(data, settings):
    store_or_refuse(data, settings)


@FUZZ
@given(
    kind=st.sampled_from(sorted(VALID)),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(1, 10_000)),
)
def test_damaged_real_images_are_stored_or_refused_cleanly(kind, flips, cut, settings):
    data = bytearray(VALID[kind])
    for position, mask in flips:
        data[position % len(data)] ^= mask
    if cut is not None:
        data = data[: max(1, cut % len(data))]
    store_or_refuse(bytes(data), settings)
