"""Videos: read with FFmpeg (PyAV), capped in length, rewritten without the sender's metadata,
with a poster frame; a refusal leaves neither a file nor a row.

Every video here is made in the test with PyAV, so what goes in is known exactly."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import av
import pytest
from PIL import Image

from hamkke.core.errors import InvalidUpload
from hamkke.core.media import services as media_services
from hamkke.core.models import Media, MediaKind
from tests.core.image_files import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GPS = "+37.5665+126.9780/"  # Seoul City Hall, as phones write it (ISO 6709)
PHONE_METADATA = {
    "location": GPS,
    "com.apple.quicktime.location.ISO6709": "+37.5665+126.9780+012.000/",
    "make": "TestPhone",
    "model": "TP-1000",
    "creation_time": "2026-05-01T10:00:00.000000Z",
}
RED, BLACK = (220, 20, 20), (0, 0, 0)


def make_video(
    *,
    container: str = "mov",
    codec: str = "mpeg4",
    seconds: float = 2,
    fps: int = 10,
    size: tuple[int, int] = (64, 48),
    metadata: dict[str, str] | None = None,
    stream_metadata: dict[str, str] | None = None,
    rotation: int | None = None,
    audio: bool = False,
    colour=lambda t: RED,
    options: dict[str, str] | None = None,
) -> bytes:
    """A small clip. `colour(t)` gives each frame's colour at t seconds; with `rotation` the
    picture is stored as `size` and a display matrix says how to turn it."""
    with tempfile.TemporaryDirectory() as folder:
        # A real file, not a buffer: faststart rewrites the file in a second pass.
        path = Path(folder) / f"clip.{container}"
        _write_video(
            path,
            container=container,
            codec=codec,
            seconds=seconds,
            fps=fps,
            size=size,
            metadata=metadata,
            stream_metadata=stream_metadata,
            rotation=rotation,
            audio=audio,
            colour=colour,
            options=options,
        )
        return path.read_bytes()


def _write_video(
    path,
    *,
    container,
    codec,
    seconds,
    fps,
    size,
    metadata,
    stream_metadata,
    rotation,
    audio,
    colour,
    options,
) -> None:
    with av.open(str(path), "w", format=container, container_options=options or {}) as out:
        out.metadata.update(metadata or {})
        picture = out.add_stream(codec, rate=fps)
        picture.width, picture.height = size
        # Motion JPEG's encoder takes only full-range YUV.
        picture.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        picture.metadata.update(stream_metadata or {})
        if rotation is not None:
            picture.set_display_rotation(rotation)
        sound = out.add_stream("aac", rate=44100) if audio else None
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", size, colour(index / fps))
            if rotation is not None:
                # Left half coloured, right half black, to tell which way is up.
                image.paste(BLACK, (size[0] // 2, 0, size[0], size[1]))
            out.mux(picture.encode(av.VideoFrame.from_image(image)))
        out.mux(picture.encode(None))
        if sound is not None:
            samples = int(seconds * 44100)
            for start in range(0, samples, 1024):
                chunk = av.AudioFrame(format="fltp", layout="mono", samples=1024)
                chunk.planes[0].update(bytes(chunk.planes[0].buffer_size))  # silence
                chunk.sample_rate, chunk.pts = 44100, start
                out.mux(sound.encode(chunk))
            out.mux(sound.encode(None))


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def read_stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def opened(data: bytes):
    return av.open(io.BytesIO(data))


def picture_packets(data: bytes) -> list[bytes]:
    with opened(data) as container:
        return [bytes(p) for p in container.demux(video=0) if p.size]


@pytest.fixture
def private_temp(settings, tmp_path):
    """Uploads are worked on in a folder of the test's own, to see that nothing stays there."""
    folder = tmp_path / "upload-temp"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


# --- what is kept --------------------------------------------------------------------------------


def test_a_phone_clip_loses_its_place_device_and_dates(settings, private_temp):
    data = make_video(
        container="mov", metadata=PHONE_METADATA, stream_metadata={"handler_name": "Cam-Secret"}
    )
    # The clip really carries them, as text a reader could find.
    with opened(data) as source:
        assert source.metadata["location"] == GPS
        assert source.metadata["make"] == "TestPhone"
        assert source.streams.video[0].metadata["handler_name"] == "Cam-Secret"
    assert GPS.encode() in data
    assert b"TestPhone" in data

    media = media_services.store_video(upload=upload(data, "IMG_0001.MOV", "video/quicktime"))

    kept = read_stored(media.file)
    for secret in (GPS.encode(), b"37.5665", b"TestPhone", b"TP-1000", b"Cam-Secret", b"Lavf"):
        assert secret not in kept
    with opened(kept) as stored:
        assert stored.format.name.startswith("mov,mp4")
        for key in (
            "location",
            "location-eng",
            "com.apple.quicktime.location.ISO6709",
            "make",
            "model",
            "creation_time",
            "encoder",
        ):
            assert key not in stored.metadata
        for stream in stored.streams:
            assert "creation_time" not in stream.metadata
            assert stream.metadata.get("handler_name") != "Cam-Secret"
    assert media.kind == MediaKind.VIDEO
    assert media.content_type == "video/mp4"
    assert media.file.name.endswith(".mp4")
    assert media.original_name == "IMG_0001.MOV"
    assert media.size == len(kept)
    assert list(private_temp.iterdir()) == []


def test_an_mp4_loses_its_binary_location_box_too():
    # In an MP4, FFmpeg (like phones) writes the place as a binary 'loci' box, not text.
    data = make_video(container="mp4", codec="libx264", metadata=PHONE_METADATA)
    assert b"loci" in data
    with opened(data) as source:
        assert source.metadata["location"] == GPS

    media = media_services.store_video(upload=upload(data, "clip.mp4"))

    kept = read_stored(media.file)
    assert b"loci" not in kept
    assert b"\xa9xyz" not in kept  # QuickTime's text form of the place
    with opened(kept) as stored:
        assert "location" not in stored.metadata
        assert "creation_time" not in stored.metadata
        assert stored.streams.video[0].codec_context.name == "h264"


def test_a_webm_stays_webm_without_its_tags():
    data = make_video(
        container="webm", codec="libvpx", metadata={"title": "Kim's street", "location": GPS}
    )
    assert b"Kim's street" in data

    media = media_services.store_video(upload=upload(data, "clip.webm"))

    kept = read_stored(media.file)
    assert b"Kim's street" not in kept
    assert GPS.encode() not in kept
    assert media.content_type == "video/webm"
    assert media.file.name.endswith(".webm")
    with opened(kept) as stored:
        assert stored.format.name == "matroska,webm"
        assert "title" not in stored.metadata
        assert "location" not in {key.lower() for key in stored.metadata}


def test_the_picture_is_copied_not_re_encoded():
    data = make_video(container="mov", codec="libx264", seconds=1)
    media = media_services.store_video(upload=upload(data, "clip.mov"))
    assert picture_packets(read_stored(media.file)) == picture_packets(data)


def test_the_sound_is_kept():
    data = make_video(container="mp4", audio=True)
    media = media_services.store_video(upload=upload(data, "clip.mp4"))
    with opened(read_stored(media.file)) as stored:
        assert [s.codec_context.name for s in stored.streams.audio] == ["aac"]
        assert len(stored.streams.video) == 1


def test_length_and_size_are_recorded():
    media = media_services.store_video(upload=upload(make_video(seconds=2, fps=10), "clip.mov"))
    media.refresh_from_db()
    assert media.duration_seconds == pytest.approx(2.0, abs=0.05)
    assert (media.width, media.height) == (64, 48)


# --- the poster ----------------------------------------------------------------------------------


def test_the_poster_is_a_small_jpeg_of_a_frame():
    data = make_video(size=(1280, 720), fps=5, seconds=2)
    media = media_services.store_video(upload=upload(data, "big.mov"))
    assert media.thumbnail.name.endswith(".jpg")
    with Image.open(io.BytesIO(read_stored(media.thumbnail))) as poster:
        assert poster.format == "JPEG"
        assert poster.size == (640, 360)  # 16:9 kept, long side 640
        red, green, _blue = poster.getpixel((320, 180))
        assert red > 180 and green < 60
    assert (media.width, media.height) == (1280, 720)


def test_the_poster_is_not_the_black_first_frame():
    # Many clips open on black; the poster is taken about a second in.
    data = make_video(seconds=2, colour=lambda t: BLACK if t < 0.5 else RED)
    media = media_services.store_video(upload=upload(data, "fade.mov"))
    with Image.open(io.BytesIO(read_stored(media.thumbnail))) as poster:
        red, _green, _blue = poster.getpixel((32, 24))
        assert red > 180


def test_a_portrait_clip_keeps_its_rotation_and_gets_an_upright_poster():
    # Phones store portrait clips as landscape pictures plus "turn 90° clockwise" (-90, as
    # ffprobe shows it). The coloured left half of the stored picture is then on top.
    data = make_video(rotation=-90, size=(64, 48))
    media = media_services.store_video(upload=upload(data, "portrait.mov"))

    assert (media.width, media.height) == (48, 64)
    with Image.open(io.BytesIO(read_stored(media.thumbnail))) as poster:
        assert poster.size == (48, 64)
        top = poster.getpixel((24, 8))
        bottom = poster.getpixel((24, 56))
        assert top[0] > 180 and bottom[0] < 60
    with opened(read_stored(media.file)) as stored:
        frame = next(stored.decode(video=0))
        assert frame.rotation == -90


# --- refusals ------------------------------------------------------------------------------------


def test_a_clip_longer_than_the_cap_is_refused(settings, private_temp):
    settings.HAMKKE_MAX_VIDEO_SECONDS = 1
    with pytest.raises(InvalidUpload) as refused:
        media_services.store_video(upload=upload(make_video(seconds=2.5), "long.mov"))
    assert "2.5 seconds" in refused.value.message
    assert "at most 1 seconds" in refused.value.message
    assert refused.value.field == "video"
    assert stored_files(settings) == []
    assert Media.objects.count() == 0
    assert list(private_temp.iterdir()) == []


def test_a_clip_that_does_not_say_its_length_is_measured_and_refused(settings):
    # A live WebM (as browsers record) declares no length: the packets are counted instead.
    data = make_video(container="webm", codec="libvpx", seconds=3, options={"live": "1"})
    with opened(data) as source:
        assert source.duration is None
    settings.HAMKKE_MAX_VIDEO_SECONDS = 2
    with pytest.raises(InvalidUpload, match=r"long; at most 2 seconds"):
        media_services.store_video(upload=upload(data, "live.webm"))
    assert stored_files(settings) == []


def test_a_clip_at_the_cap_is_accepted(settings):
    settings.HAMKKE_MAX_VIDEO_SECONDS = 2
    media = media_services.store_video(upload=upload(make_video(seconds=2), "exact.mov"))
    assert media.duration_seconds == pytest.approx(2.0, abs=0.05)


def test_a_text_file_named_mp4_is_refused(settings):
    with pytest.raises(InvalidUpload, match="not a video"):
        media_services.store_video(upload=upload(b"just some text\n" * 50, "clip.mp4", "video/mp4"))
    assert stored_files(settings) == []


def test_an_mp4_header_with_nothing_behind_it_is_refused(settings):
    data = make_video(container="mp4")
    # Right first bytes (the ftyp box), then noise.
    fake = data[:32] + bytes(range(256)) * 8
    with pytest.raises(InvalidUpload, match="could not be read"):
        media_services.store_video(upload=upload(fake, "fake.mp4"))
    assert stored_files(settings) == []


def test_an_upload_cut_short_is_refused(settings, private_temp):
    # FFmpeg writes the index (moov) last, as phones do: half a file has no index at all.
    data = make_video(container="mp4", seconds=2)
    assert data.rfind(b"moov") > data.find(b"mdat")
    with pytest.raises(InvalidUpload, match="could not be read"):
        media_services.store_video(upload=upload(data[: len(data) // 2], "cut.mp4"))
    assert stored_files(settings) == []
    assert Media.objects.count() == 0
    assert list(private_temp.iterdir()) == []


@pytest.mark.parametrize("codec", ["mpeg4", "libx264"])
def test_a_streaming_mp4_cut_short_is_refused_although_it_opens(settings, codec):
    # With the index first (faststart), the start of the file plays; the index promises more.
    data = make_video(container="mp4", codec=codec, seconds=4, options={"movflags": "+faststart"})
    assert data.find(b"moov") < data.find(b"mdat")
    cut = data[: len(data) * 8 // 10]
    with opened(cut) as source:
        assert 0 < sum(1 for p in source.demux(video=0) if p.size) < 40  # it does open

    with pytest.raises(InvalidUpload, match="ends before the video does"):
        media_services.store_video(upload=upload(cut, "cut.mp4"))
    assert stored_files(settings) == []


def test_an_mp4_missing_only_its_last_frames_is_refused(settings):
    # Cut exactly where the second-to-last frame begins: every packet left is whole and the
    # length falls short by a blink, but the index still counts every frame.
    data = make_video(container="mp4", seconds=4, options={"movflags": "+faststart"})
    with opened(data) as source:
        starts = sorted(p.pos for p in source.demux(video=0) if p.size)
    assert len(starts) == 40
    cut = data[: starts[-2]]
    with opened(cut) as source:
        packets = [p for p in source.demux(video=0) if p.size]
        assert len(packets) == 38
        assert not any(p.is_corrupt for p in packets)

    with pytest.raises(InvalidUpload, match="ends before the video does"):
        media_services.store_video(upload=upload(cut, "cut.mp4"))
    assert stored_files(settings) == []


def test_a_webm_cut_short_is_refused(settings):
    data = make_video(container="webm", codec="libvpx", seconds=4)
    with pytest.raises(InvalidUpload, match="ends before the video does"):
        media_services.store_video(upload=upload(data[: len(data) * 6 // 10], "cut.webm"))
    assert stored_files(settings) == []


def test_sound_without_a_picture_is_refused(settings):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "voice.mp4"
        with av.open(str(path), "w", format="mp4") as out:
            sound = out.add_stream("aac", rate=44100)
            chunk = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            chunk.planes[0].update(bytes(chunk.planes[0].buffer_size))
            chunk.sample_rate, chunk.pts = 44100, 0
            out.mux(sound.encode(chunk))
            out.mux(sound.encode(None))
        data = path.read_bytes()
    with pytest.raises(InvalidUpload, match="no video picture"):
        media_services.store_video(upload=upload(data, "voice.mp4"))
    assert stored_files(settings) == []


def test_a_picture_codec_outside_the_list_is_not_decoded(settings):
    data = make_video(container="mov", codec="mjpeg", seconds=1)
    with pytest.raises(InvalidUpload, match="encoded as mjpeg"):
        media_services.store_video(upload=upload(data, "motion.mov"))
    assert stored_files(settings) == []


def test_a_picture_over_the_pixel_limit_is_refused(settings):
    settings.HAMKKE_MAX_IMAGE_PIXELS = 64 * 48 - 1
    with pytest.raises(InvalidUpload, match="too large"):
        media_services.store_video(upload=upload(make_video(), "clip.mov"))
    assert stored_files(settings) == []


def test_a_database_failure_leaves_no_file(settings, monkeypatch, private_temp):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Media, "save", broken_save)
    with pytest.raises(RuntimeError, match="went away"):
        media_services.store_video(upload=upload(make_video(), "clip.mov"))
    assert stored_files(settings) == []
    assert list(private_temp.iterdir()) == []


def test_an_upload_spilled_to_disk_is_read_the_same(tmp_path):
    # Uploads above FILE_UPLOAD_MAX_MEMORY_SIZE arrive as a temporary file, not in memory.
    from django.core.files.uploadedfile import TemporaryUploadedFile

    data = make_video(metadata=PHONE_METADATA)
    spilled = TemporaryUploadedFile("big.mov", "video/quicktime", len(data), None)
    spilled.write(data)
    spilled.seek(0)
    media = media_services.store_video(upload=spilled)
    assert b"TestPhone" not in read_stored(media.file)
    assert media.duration_seconds == pytest.approx(2.0, abs=0.05)
