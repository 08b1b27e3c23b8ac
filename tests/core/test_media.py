"""Photos and videos: recognised by content, limited in bytes and pixels, cleaned of metadata,
turned upright, resized, thumbnailed; and a failure leaves neither a file nor a row."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image

from hamkke.core.errors import InvalidUpload, UploadTooLarge
from hamkke.core.media import services as media_services
from hamkke.core.media.files import photo_gps
from hamkke.core.models import Media, MediaKind
from tests import factories
from tests.core.image_files import (
    gps_exif,
    image_bytes,
    mp4_bytes,
    png_declaring,
    quicktime_bytes,
    srgb_icc,
    upload,
    webm_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def read_stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


# --- recognising photos by content --------------------------------------------------------------


def test_a_png_named_jpg_is_accepted_as_png_with_its_alpha():
    data = image_bytes(size=(30, 30), mode="RGBA", color=(10, 200, 10, 0), fmt="PNG")
    media = media_services.store_photo(upload=upload(data, "holiday.jpg", "image/jpeg"))

    assert media.kind == MediaKind.PHOTO
    assert media.content_type == "image/png"
    assert media.file.name.endswith(".png")
    with Image.open(io.BytesIO(read_stored(media.file))) as stored:
        assert stored.format == "PNG"
        assert stored.mode == "RGBA"
        assert stored.getpixel((5, 5))[3] == 0  # the transparent pixel stayed transparent
    assert media.original_name == "holiday.jpg"


def test_webp_is_accepted_as_webp():
    data = image_bytes(size=(50, 40), fmt="WEBP")
    media = media_services.store_photo(upload=upload(data, "x.bin"))
    assert media.content_type == "image/webp"
    with Image.open(io.BytesIO(read_stored(media.file))) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (50, 40)


def test_a_text_file_named_jpg_is_refused_with_a_clear_message(settings):
    text = b"<html><script>alert('hi')</script></html>\n" * 20
    with pytest.raises(InvalidUpload) as refused:
        media_services.store_photo(upload=upload(text, "cat.jpg", "image/jpeg"))

    assert "cat.jpg" in refused.value.message
    assert "is not a photo" in refused.value.message
    assert refused.value.field == "photo"
    assert refused.value.status == 400
    assert Media.objects.count() == 0
    assert stored_files(settings) == []


def test_a_gif_is_refused_although_it_is_an_image():
    data = image_bytes(size=(10, 10), mode="P", color=1, fmt="GIF")
    with pytest.raises(InvalidUpload, match="is not a photo"):
        media_services.store_photo(upload=upload(data, "anim.gif"))


def test_a_truncated_jpeg_is_refused_as_damaged():
    data = image_bytes(size=(400, 300), fmt="JPEG")[:300]
    with pytest.raises(InvalidUpload, match="damaged or incomplete"):
        media_services.store_photo(upload=upload(data, "cut.jpg"))


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidUpload, match="is empty"):
        media_services.store_photo(upload=upload(b"", "nothing.jpg"))


def test_a_photo_over_the_byte_limit_is_refused_with_413(settings):
    data = image_bytes(size=(200, 200), fmt="PNG")
    settings.HAMKKE_MAX_PHOTO_BYTES = len(data) - 1
    with pytest.raises(UploadTooLarge) as refused:
        media_services.store_photo(upload=upload(data, "big.png"))
    assert refused.value.status == 413
    assert refused.value.code == "upload_too_large"
    assert "big.png" in refused.value.message
    assert stored_files(settings) == []


# --- decompression bombs ------------------------------------------------------------------------


def test_a_tiny_file_declaring_a_huge_picture_is_refused(settings):
    data = png_declaring(50_000, 50_000)  # 2.5 gigapixels, beyond even Pillow's own limit
    assert len(data) < 200
    with pytest.raises(InvalidUpload, match="too many pixels"):
        media_services.store_photo(upload=upload(data, "bomb.png"))
    assert Media.objects.count() == 0
    assert stored_files(settings) == []


def test_a_picture_over_our_pixel_limit_but_under_pillows_is_refused(settings):
    settings.HAMKKE_MAX_IMAGE_PIXELS = 10_000
    data = png_declaring(200, 200)  # 40 000 pixels; Pillow alone would not object
    with pytest.raises(InvalidUpload, match="too many pixels"):
        media_services.store_photo(upload=upload(data, "wide.png"))


def test_a_real_picture_just_over_the_pixel_limit_is_refused(settings):
    settings.HAMKKE_MAX_IMAGE_PIXELS = 99 * 100
    with pytest.raises(InvalidUpload, match="too many pixels"):
        media_services.store_photo(upload=upload(image_bytes(size=(100, 100)), "a.jpg"))
    settings.HAMKKE_MAX_IMAGE_PIXELS = 100 * 100
    assert media_services.store_photo(upload=upload(image_bytes(size=(100, 100)), "a.jpg")).pk


# --- metadata, GPS, rotation, size --------------------------------------------------------------


def test_gps_is_read_before_stripping_and_nothing_of_the_metadata_survives():
    data = image_bytes(
        size=(64, 48),
        exif=gps_exif(),
        icc_profile=srgb_icc(),
        comment=b"secret comment",
        xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>",
    )
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS

    # 37° 33' 59.4" N, 126° 58' 40.68" E — Seoul City Hall, worked out by hand.
    latitude, longitude = photo_gps(upload(data, "street.jpg"))
    assert latitude == pytest.approx(37.5665, abs=1e-6)
    assert longitude == pytest.approx(126.9779667, abs=1e-6)

    media = media_services.store_photo(upload=upload(data, "street.jpg"))
    for field in (media.file, media.thumbnail):
        content = read_stored(field)
        assert b"Exif" not in content
        assert b"TestPhone" not in content
        assert b"secret" not in content
        assert b"xmpmeta" not in content
        with Image.open(io.BytesIO(content)) as stored:
            assert dict(stored.getexif()) == {}
            assert "icc_profile" not in stored.info
            assert "exif" not in stored.info
            assert "comment" not in stored.info


def test_southern_and_western_coordinates_are_negative():
    data = image_bytes(
        exif=gps_exif(lat=(33.0, 51.0, 0.0), lat_ref="S", lon=(151.0, 12.0, 36.0), lon_ref="W")
    )
    latitude, longitude = photo_gps(upload(data, "x.jpg"))
    assert latitude == pytest.approx(-33.85, abs=1e-6)
    assert longitude == pytest.approx(-151.21, abs=1e-6)


def test_a_photo_without_gps_has_none():
    assert photo_gps(upload(image_bytes(), "plain.jpg")) is None


def test_photo_gps_refuses_what_is_not_a_photo():
    with pytest.raises(InvalidUpload):
        photo_gps(upload(b"just text, really" * 10, "x.jpg"))


def test_the_photo_is_turned_upright_by_its_exif_orientation():
    # 40x20, red on the left half and blue on the right; orientation 6 says "turn 90° clockwise
    # to view", so upright the picture is 20x40 with red on top.
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)

    media = media_services.store_photo(upload=upload(buffer.getvalue(), "turned.jpg"))

    assert (media.width, media.height) == (20, 40)
    with Image.open(io.BytesIO(read_stored(media.file))) as stored:
        assert stored.size == (20, 40)
        assert 0x0112 not in stored.getexif()
        top, bottom = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_large_photo_is_resized_to_the_max_side_and_thumbnailed(settings):
    settings.HAMKKE_PHOTO_MAX_SIDE = 100
    media = media_services.store_photo(upload=upload(image_bytes(size=(400, 200)), "wide.jpg"))

    assert (media.width, media.height) == (100, 50)
    with Image.open(io.BytesIO(read_stored(media.file))) as stored:
        assert stored.size == (100, 50)
        assert stored.format == "JPEG"
    assert media.size == media.file.size


def test_the_thumbnail_is_at_most_320_pixels():
    media = media_services.store_photo(upload=upload(image_bytes(size=(1000, 500)), "x.jpg"))
    assert (media.width, media.height) == (1000, 500)
    assert media.thumbnail
    with Image.open(io.BytesIO(read_stored(media.thumbnail))) as thumb:
        assert thumb.size == (320, 160)
    assert media.thumbnail_url.startswith("/media/thumbs/")
    assert media.url.startswith("/media/media/")


def test_a_small_photo_is_not_enlarged():
    media = media_services.store_photo(upload=upload(image_bytes(size=(30, 10)), "x.jpg"))
    assert (media.width, media.height) == (30, 10)


def test_a_cmyk_jpeg_is_stored_as_rgb():
    data = image_bytes(mode="CMYK", color=(0, 255, 255, 0))  # pure red in CMYK
    media = media_services.store_photo(upload=upload(data, "print.jpg"))
    with Image.open(io.BytesIO(read_stored(media.file))) as stored:
        assert stored.mode == "RGB"
        red, green, blue = stored.getpixel((5, 5))
    assert red > 200 and green < 60 and blue < 60


# --- uploader, target, atomicity ----------------------------------------------------------------


def test_uploader_and_target_are_recorded():
    person = factories.make_user()
    district = factories.make_district()
    media = media_services.store_photo(
        upload=upload(image_bytes(), "a.jpg"), uploaded_by=person, target=district
    )
    media.refresh_from_db()
    assert media.uploaded_by == person
    assert media.target == district


def test_attach_media_sets_the_target_and_refuses_to_move_it():
    first, second = factories.make_district(), factories.make_district()
    media = media_services.store_photo(upload=upload(image_bytes(), "a.jpg"))
    media_services.attach_media(media=media, target=first)
    media_services.attach_media(media=media, target=first)  # again: nothing changes
    media.refresh_from_db()
    assert media.target == first

    from hamkke.core.errors import Conflict

    with pytest.raises(Conflict):
        media_services.attach_media(media=media, target=second)
    media.refresh_from_db()
    assert media.target == first


def test_when_the_row_fails_the_written_files_are_deleted(settings, monkeypatch):
    written = []
    real_save = FileSystemStorage._save

    def recording_save(self, name, content):
        saved = real_save(self, name, content)
        written.append(Path(self.path(saved)))
        return saved

    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(FileSystemStorage, "_save", recording_save)
    monkeypatch.setattr(Media, "save", failing_save)

    with pytest.raises(RuntimeError):
        media_services.store_photo(upload=upload(image_bytes(), "a.jpg"))

    assert len(written) == 2  # the photo and its thumbnail had been written...
    assert not any(path.exists() for path in written)  # ...and are gone
    assert stored_files(settings) == []
    assert Media.objects.count() == 0


def test_when_the_thumbnail_write_fails_the_photo_file_is_deleted(settings, monkeypatch):
    real_save = FileSystemStorage._save

    def save_then_fail_on_thumbnail(self, name, content):
        if name.startswith("thumbs/"):
            raise OSError("disk full")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fail_on_thumbnail)
    with pytest.raises(OSError):
        media_services.store_photo(upload=upload(image_bytes(), "a.jpg"))
    assert stored_files(settings) == []
    assert Media.objects.count() == 0


def test_the_sweep_deletes_old_files_no_row_names_and_keeps_the_rest(settings):
    kept = media_services.store_photo(upload=upload(image_bytes(), "kept.jpg"))
    orphan = default_storage.save("media/2020/01/orphan.jpg", io.BytesIO(b"x"))
    young_orphan = default_storage.save("media/2020/01/young.jpg", io.BytesIO(b"x"))
    old = time.time() - 7 * 3600
    os.utime(default_storage.path(orphan), (old, old))
    for field in (kept.file, kept.thumbnail):
        os.utime(field.path, (old, old))

    deleted = media_services.delete_orphan_media_files()

    assert deleted == [orphan]
    assert not default_storage.exists(orphan)
    assert default_storage.exists(young_orphan)
    assert default_storage.exists(kept.file.name)
    assert default_storage.exists(kept.thumbnail.name)


# --- videos -------------------------------------------------------------------------------------


# Real videos, made with PyAV, are in test_video.py; these files only begin like a video.


@pytest.mark.parametrize(
    ("data", "name"),
    [(mp4_bytes(), "clip.mp4"), (quicktime_bytes(), "clip.mov"), (webm_bytes(), "clip.webm")],
)
def test_a_video_container_header_with_no_video_behind_it_is_refused(settings, data, name):
    with pytest.raises(InvalidUpload, match="could not be read"):
        media_services.store_video(upload=upload(data, name))
    assert stored_files(settings) == []
    assert not Media.objects.exists()


def test_a_text_file_named_mp4_is_refused():
    with pytest.raises(InvalidUpload, match="not a video"):
        media_services.store_video(upload=upload(b"hello " * 100, "movie.mp4", "video/mp4"))


def test_a_photo_is_not_a_video():
    with pytest.raises(InvalidUpload, match="not a video"):
        media_services.store_video(upload=upload(image_bytes(), "movie.mp4"))


def test_a_video_over_the_byte_limit_is_refused(settings):
    settings.HAMKKE_MAX_VIDEO_BYTES = 1000
    with pytest.raises(UploadTooLarge) as refused:
        media_services.store_video(upload=upload(mp4_bytes(), "long.mp4"))
    assert refused.value.status == 413
    assert stored_files(settings) == []


def test_png_text_chunks_and_colour_profile_are_not_kept():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "secret person")
    data = image_bytes(size=(20, 20), fmt="PNG", pnginfo=text, icc_profile=srgb_icc())
    assert b"secret person" in data

    media = media_services.store_photo(upload=upload(data, "x.png"))
    content = read_stored(media.file)
    assert b"secret person" not in content
    assert b"iCCP" not in content
    with Image.open(io.BytesIO(content)) as stored:
        assert "Author" not in stored.info
        assert "icc_profile" not in stored.info
