"""Checking and cleaning uploads before anything is stored: photos are recognised by their
content, decoded within pixel limits and re-encoded without metadata; videos are recognised by
their container, read with FFmpeg (PyAV), limited in length and rewritten without metadata,
with a poster frame. Nothing here touches the database or the storage (services.store_* do)."""

from __future__ import annotations

import io
import math
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps

from hamkke.core.errors import InvalidUpload, UploadTooLarge

THUMBNAIL_SIDE = 320
JPEG_QUALITY = 85
# filetype needs at most this many leading bytes to recognise any format it knows.
_HEAD_BYTES = 8192


@dataclass(frozen=True)
class PhotoFormat:
    pillow: str  # Pillow's name of the decoder
    output: str  # what the cleaned copy is written as
    content_type: str
    extension: str


_JPEG = PhotoFormat("JPEG", "JPEG", "image/jpeg", "jpg")
_PNG = PhotoFormat("PNG", "PNG", "image/png", "png")
_WEBP = PhotoFormat("WEBP", "WEBP", "image/webp", "webp")
# HEIC (phones' default) decodes only when a plugin such as pillow-heif registered itself with
# Pillow; it is re-encoded as JPEG, which every browser shows.
_HEIF = PhotoFormat("HEIF", "JPEG", "image/jpeg", "jpg")

# Containers accepted by their first bytes, and the FFmpeg demuxer that reads each. Only that
# demuxer is tried: FFmpeg's probing would otherwise accept playlists and other formats that
# open further files.
VIDEO_DEMUXERS = {
    "video/mp4": "mov",
    "video/x-m4v": "mov",
    "video/quicktime": "mov",
    "video/webm": "matroska",
}
# The picture codecs phones, cameras and browsers record. Only these are decoded (for the
# poster), which keeps the rest of FFmpeg's decoders away from strangers' files.
VIDEO_CODECS = frozenset({"h264", "hevc", "mpeg4", "vp8", "vp9", "av1"})
POSTER_SIDE = 640
POSTER_AT_SECONDS = 1.0
# Decoding stops here even if the poster time was not reached (a 240 fps clip, a lying
# timestamp): the last frame decoded becomes the poster.
MAX_POSTER_FRAMES = 120
# Far above any real recording (slow motion at 240 fps plus audio), far below what a small
# file of empty packets could make the muxer chew through.
MAX_PACKETS_PER_SECOND = 1000


def photo_formats() -> dict[str, PhotoFormat]:
    """Accepted photo formats by detected MIME type."""
    formats = {
        "image/jpeg": _JPEG,
        "image/png": _PNG,
        # An animated PNG is a PNG whose first frame is the picture; that frame is kept.
        "image/apng": _PNG,
        "image/webp": _WEBP,
    }
    if "HEIF" in Image.OPEN:
        formats["image/heic"] = _HEIF
    return formats


def accepted_photo_names() -> str:
    return "JPEG, PNG, WebP" + (", HEIC" if "HEIF" in Image.OPEN else "")


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: re-encoded bytes without metadata, and its thumbnail."""

    content: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int
    gps: tuple[float, float] | None


@dataclass(frozen=True)
class VideoOutput:
    """What a cleaned video is written as: the FFmpeg muxer, the codecs it may carry and the
    muxer's options."""

    muxer: str
    content_type: str
    extension: str
    video_codecs: frozenset[str]
    audio_codecs: frozenset[str]
    options: tuple[tuple[str, str], ...]


# bitexact: the muxer writes no version string and no creation time of its own.
_MP4_OUT = VideoOutput(
    "mp4",
    "video/mp4",
    "mp4",
    frozenset({"h264", "hevc", "mpeg4", "vp9", "av1"}),
    frozenset({"aac", "mp3", "alac", "opus", "flac", "ac3", "eac3"}),
    # faststart puts the index first, so a browser can start playing before the end arrives.
    (("fflags", "+bitexact"), ("movflags", "+faststart")),
)
_WEBM_OUT = VideoOutput(
    "webm",
    "video/webm",
    "webm",
    frozenset({"vp8", "vp9", "av1"}),
    frozenset({"opus", "vorbis"}),
    (("fflags", "+bitexact"),),
)


@dataclass(frozen=True)
class CleanVideo:
    """A video ready to store: the rewritten file (in a temporary folder that lives as long as
    the `clean_video` block), its poster JPEG, its displayed size and its measured length."""

    path: Path
    poster: bytes
    content_type: str
    extension: str
    width: int
    height: int
    duration_seconds: float


def photo_gps(upload: UploadedFile) -> tuple[float, float] | None:
    """The place a photo was taken, from its EXIF GPS tags, as (latitude, longitude); None when
    it has none. Runs the same checks as storing, so a file that is not a photo is refused."""
    image, _format = _open_photo(upload)
    try:
        return _gps_of(image)
    finally:
        image.close()


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Check a photo and make the copy that is kept: turned upright by its EXIF orientation,
    at most HAMKKE_PHOTO_MAX_SIDE pixels on its long side, in sRGB, and re-encoded so no EXIF,
    GPS, XMP, ICC profile or comment survives. The GPS position is read first and returned."""
    image, photo_format = _open_photo(upload)
    try:
        gps = _gps_of(image)
        upright = _decoded(lambda: ImageOps.exif_transpose(image))
    finally:
        image.close()
    picture = _plain_pixels(upright, photo_format)
    max_side = settings.HAMKKE_PHOTO_MAX_SIDE
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    thumbnail = picture.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(
        content=_encode(picture, photo_format.output),
        thumbnail=_encode(thumbnail, photo_format.output),
        content_type=photo_format.content_type,
        extension=photo_format.extension,
        width=picture.width,
        height=picture.height,
        gps=gps,
    )


@contextmanager
def clean_video(upload: UploadedFile) -> Iterator[CleanVideo]:
    """Check a video and make the copy that is kept, inside a `with` block (the copy is a
    temporary file, removed when the block ends).

    Accepted: an MP4, MOV or WebM file (by its first bytes, not its name) within
    HAMKKE_MAX_VIDEO_BYTES, whose picture FFmpeg can decode, at most HAMKKE_MAX_VIDEO_SECONDS
    long. The copy holds the first picture stream and the first audio stream the output can
    carry, stream-copied (not re-encoded) into a fresh MP4 (WebM stays WebM), with no container
    or stream metadata: no creation time, place, device or software names, and no other tracks
    (phones keep places in timed-metadata tracks too). The rotation phones record is kept. The
    poster is the frame at one second (or mid-way through a shorter clip), upright and at most
    POSTER_SIDE pixels on its long side."""
    demuxer = _video_demuxer(upload)
    folder = Path(tempfile.mkdtemp(prefix="hamkke-video-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        upload.seek(0)
        try:
            with av.open(upload, "r", format=demuxer) as source:
                video = _rewrite_video(source, demuxer, folder)
        except (av.FFmpegError, EOFError, ValueError) as exc:
            # FFmpeg's own errors on hostile or broken input: the sender's problem.
            raise _unreadable_video() from exc
        finally:
            upload.seek(0)
        yield video
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- video internals ---------------------------------------------------------------------------


def _video_demuxer(upload: UploadedFile) -> str:
    _check_size(upload, settings.HAMKKE_MAX_VIDEO_BYTES, _("video"), "video")
    detected = filetype.guess(_head(upload))
    demuxer = VIDEO_DEMUXERS.get(detected.mime) if detected else None
    if demuxer is None:
        raise InvalidUpload(
            _("“%(name)s” is not a video we can take: send an MP4, MOV or WebM file.")
            % {"name": _display_name(upload)},
            field="video",
        )
    return demuxer


class _Span:
    """First and last moment of the packets seen so far, in seconds, across streams."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.end: float | None = None

    def add(self, packet: av.Packet) -> None:
        moment = packet.pts if packet.pts is not None else packet.dts
        if moment is None or packet.time_base is None:
            return
        start = float(moment * packet.time_base)
        end = float((moment + (packet.duration or 0)) * packet.time_base)
        self.start = start if self.start is None else min(self.start, start)
        self.end = end if self.end is None else max(self.end, end)

    @property
    def seconds(self) -> float:
        if self.start is None or self.end is None:
            return 0.0
        return max(0.0, self.end - self.start)


def _rewrite_video(source: av.container.InputContainer, demuxer: str, folder: Path) -> CleanVideo:
    """Check what the file declares, then read every packet once: measure the length as it goes
    (refusing past the limit), decode the first frames for the poster, and stream-copy the kept
    streams into the new file."""
    limit = settings.HAMKKE_MAX_VIDEO_SECONDS
    picture = _picture_stream(source)
    declared = _declared_seconds(source, picture)
    if declared is not None and declared > limit:
        raise _too_long(declared, limit)
    output = _output_for(demuxer, picture.codec_context.name)
    sound = next((s for s in source.streams.audio if _codec_name(s) in output.audio_codecs), None)
    kept = [picture] + ([sound] if sound is not None else [])
    poster = _PosterPicker(picture, at=min(POSTER_AT_SECONDS, (declared or math.inf) / 2))

    path = folder / f"video.{output.extension}"
    options = dict(output.options)
    with av.open(str(path), "w", format=output.muxer, container_options=options) as target:
        copies = {}
        for stream in kept:
            copy = target.add_stream_from_template(stream)
            # Nothing of the sender's is copied: the template brings codec parameters only,
            # and whatever metadata a PyAV version might carry over is dropped here too.
            copy.metadata.clear()
            copies[stream.index] = copy
        target.metadata.clear()
        span = _Span()
        counts = dict.fromkeys(copies, 0)
        max_packets = MAX_PACKETS_PER_SECOND * (limit + 1)
        for packet in source.demux(kept):
            if packet.dts is None:
                continue  # the empty packet that ends each stream
            if packet.is_corrupt:
                raise _incomplete_video()
            counts[packet.stream.index] += 1
            if sum(counts.values()) > max_packets:
                raise _unreadable_video()
            span.add(packet)
            if span.seconds > limit:
                raise _too_long(span.seconds, limit)
            poster.offer(packet)
            packet.stream = copies[packet.stream.index]
            target.mux(packet)
    _check_complete(kept, counts, declared, span.seconds)
    frame = poster.frame()
    width, height = _displayed_size(frame)
    return CleanVideo(
        path=path,
        poster=_encode(_poster_image(frame), "JPEG"),
        content_type=output.content_type,
        extension=output.extension,
        width=width,
        height=height,
        duration_seconds=round(span.seconds, 3),
    )


def _picture_stream(source: av.container.InputContainer):
    """The first picture stream, if FFmpeg may decode it and its size is within limits."""
    picture = next(iter(source.streams.video), None)
    if picture is None and source.streams.audio:
        raise InvalidUpload(_("The file holds sound but no video picture."), field="video")
    if picture is None:
        raise _unreadable_video()  # e.g. a container's first bytes and no index: a cut upload
    codec = picture.codec_context.name
    if codec not in VIDEO_CODECS:
        raise InvalidUpload(
            _("The video's picture is encoded as %(codec)s; send H.264, HEVC, VP8, VP9 or AV1.")
            % {"codec": codec},
            field="video",
        )
    _check_video_pixels(picture.codec_context.width, picture.codec_context.height)
    # One thread: a video upload must not take every core of a web worker.
    picture.codec_context.thread_count = 1
    return picture


class _PosterPicker:
    """Decodes the picture stream's first packets until a frame `at` seconds in is reached,
    or MAX_POSTER_FRAMES were decoded; the frame reached last is the poster."""

    def __init__(self, picture, *, at: float) -> None:
        self.picture = picture
        self.at = at
        self.start = float((picture.start_time or 0) * picture.time_base)
        self.last = None
        self.decoded = 0

    def offer(self, packet: av.Packet) -> None:
        if packet.stream.index != self.picture.index or not self._wanted():
            return
        for frame in packet.decode():
            self.last, self.decoded = frame, self.decoded + 1

    def frame(self):
        if self.last is None:
            # A decoder may hold its first frames back until told the stream ended.
            self.last = next(iter(self.picture.decode(None)), None)
        if self.last is None:
            raise _unreadable_video()
        return self.last

    def _wanted(self) -> bool:
        if self.decoded >= MAX_POSTER_FRAMES:
            return False
        return self.last is None or float(self.last.time or 0) - self.start < self.at


def _codec_name(stream) -> str:
    return stream.codec_context.name if stream.codec_context else ""


def _output_for(demuxer: str, codec: str) -> VideoOutput:
    """WebM stays WebM when its codecs allow; everything else becomes MP4, which every browser
    plays (a QuickTime file is an MP4 in all but name)."""
    if demuxer == "matroska" and codec in _WEBM_OUT.video_codecs:
        return _WEBM_OUT
    if codec in _MP4_OUT.video_codecs:
        return _MP4_OUT
    raise InvalidUpload(
        _("The video's picture is encoded as %(codec)s, which this container cannot keep.")
        % {"codec": codec},
        field="video",
    )


def _declared_seconds(source: av.container.InputContainer, picture) -> float | None:
    """The length the file says it has: the picture stream's own, else the container's."""
    if picture.duration and picture.time_base:
        return float(picture.duration * picture.time_base)
    if source.duration:
        return source.duration / av.time_base
    return None


def _check_complete(kept, counts: dict[int, int], declared: float | None, seconds: float):
    """A file cut short (an interrupted upload) still opens when its index comes first; the
    index then lists more packets, and a longer length, than the file holds."""
    for stream in kept:
        if stream.frames and counts[stream.index] < stream.frames:
            raise _incomplete_video()
    if declared is not None and seconds < declared - max(0.5, 0.05 * declared):
        raise _incomplete_video()


def _check_video_pixels(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise _unreadable_video()
    if width * height > settings.HAMKKE_MAX_IMAGE_PIXELS:
        raise InvalidUpload(
            _("The video's picture is too large: at most %(mp)g megapixels are accepted.")
            % {"mp": settings.HAMKKE_MAX_IMAGE_PIXELS / 1_000_000},
            field="video",
        )


def _rotation(frame) -> int:
    """Degrees counter-clockwise the picture is to be turned when shown, in quarter turns."""
    return round((frame.rotation or 0) / 90) * 90 % 360


def _displayed_size(frame) -> tuple[int, int]:
    if _rotation(frame) in (90, 270):
        return frame.height, frame.width
    return frame.width, frame.height


def _poster_image(frame) -> Image.Image:
    _check_video_pixels(frame.width, frame.height)
    image = frame.to_image()  # RGB
    rotation = _rotation(frame)
    if rotation:
        # Phones store portrait clips as landscape pictures plus a rotation to apply.
        image = image.rotate(rotation, expand=True)
    image.thumbnail((POSTER_SIDE, POSTER_SIDE), Image.Resampling.LANCZOS)
    return image


def _too_long(seconds: float, limit: int) -> InvalidUpload:
    return InvalidUpload(
        _("The video is %(seconds)s seconds long; at most %(limit)d seconds are accepted.")
        % {"seconds": f"{math.ceil(seconds * 10) / 10:g}", "limit": limit},
        field="video",
    )


def _unreadable_video() -> InvalidUpload:
    return InvalidUpload(
        _("The video could not be read: the file is damaged, incomplete or not a video."),
        field="video",
    )


def _incomplete_video() -> InvalidUpload:
    return InvalidUpload(
        _("The video is incomplete: the file ends before the video does. Send it again."),
        field="video",
    )


# --- photo internals ---------------------------------------------------------------------------


def _open_photo(upload: UploadedFile) -> tuple[Image.Image, PhotoFormat]:
    """Recognise, verify and decode a photo. The size and the declared pixel count are checked
    before any pixel is decoded, so a tiny file declaring a huge picture costs nothing."""
    _check_size(upload, settings.HAMKKE_MAX_PHOTO_BYTES, _("photo"), "photo")
    formats = photo_formats()
    detected = filetype.guess(_head(upload))
    photo_format = formats.get(detected.mime) if detected else None
    if photo_format is None:
        raise InvalidUpload(
            _(
                "“%(name)s” is not a photo: its content is not a %(formats)s image, whatever "
                "its name says."
            )
            % {"name": _display_name(upload), "formats": accepted_photo_names()},
            field="photo",
        )
    decoders = [photo_format.pillow]

    def verify() -> None:
        upload.seek(0)
        with Image.open(upload, formats=decoders) as probe:
            _check_pixels(probe.size)
            probe.verify()

    def decode() -> Image.Image:
        upload.seek(0)
        image = Image.open(upload, formats=decoders)
        try:
            _check_pixels(image.size)
            image.load()
        except BaseException:
            image.close()
            raise
        return image

    _decoded(verify)
    image = _decoded(decode)
    upload.seek(0)
    return image, photo_format


def _decoded(step):
    """Run a decoding step, turning whatever a decoder raises on hostile or broken input into
    InvalidUpload: a bad file is the sender's problem, not a server error."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; here it is a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return step()
    except InvalidUpload:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except Exception as exc:
        raise InvalidUpload(
            _("The photo could not be read: the file is damaged or incomplete."), field="photo"
        ) from exc


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise InvalidUpload(_("The photo has no pixels."), field="photo")
    if width * height > settings.HAMKKE_MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> InvalidUpload:
    megapixels = settings.HAMKKE_MAX_IMAGE_PIXELS / 1_000_000
    return InvalidUpload(
        _("The photo has too many pixels: at most %(mp)g megapixels are accepted.")
        % {"mp": megapixels},
        field="photo",
    )


def _gps_of(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef))
        longitude = _degrees(
            gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef)
        )
    except Exception:
        # Broken EXIF is common on phones' edited copies; the photo itself is still good.
        return None
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    # Cameras without a fix write zeros; (0, 0) is in the Gulf of Guinea, not a city street.
    if latitude == 0 and longitude == 0:
        return None
    return round(latitude, 7), round(longitude, 7)


def _degrees(value, ref) -> float | None:
    if not value or len(value) != 3:
        return None
    degrees, minutes, seconds = (float(part) for part in value)
    result = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(result):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if str(ref or "").strip().upper() in {"S", "W"}:
        result = -result
    return result


def _plain_pixels(image: Image.Image, photo_format: PhotoFormat) -> Image.Image:
    """The pixels alone, in sRGB, in a mode the output format writes; alpha is kept for PNG and
    WebP. The ICC profile is applied rather than dropped, so colours look the same after."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    rgb_mode = "RGBA" if has_alpha else "RGB"
    picture = image
    if picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
        picture = _decoded(lambda: image.convert(rgb_mode))
    icc = image.info.get("icc_profile")
    if icc:
        picture = _to_srgb(picture, icc, rgb_mode)
    if photo_format.output == "JPEG":
        if picture.mode == "RGBA":
            # JPEG has no alpha: transparent parts become white rather than whatever colour
            # happens to sit under them.
            background = Image.new("RGB", picture.size, (255, 255, 255))
            background.paste(picture, mask=picture.getchannel("A"))
            picture = background
        target = "L" if picture.mode == "L" else "RGB"
    else:
        target = rgb_mode if (has_alpha or picture.mode != "L") else "L"
    if picture.mode != target:
        picture = _decoded(lambda: picture.convert(target))
    # Whatever the decoder kept beside the pixels (EXIF, XMP, ICC, text chunks) goes here;
    # the encoders below are given nothing else to write.
    picture.info = {}
    return picture


def _to_srgb(picture: Image.Image, icc: bytes, rgb_mode: str) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            picture, source, ImageCms.createProfile("sRGB"), outputMode=rgb_mode
        )
    except Exception:
        # An unreadable profile must not cost a citizen their report; colours may shift.
        return picture
    return converted if converted is not None else picture


def _encode(picture: Image.Image, output: str) -> bytes:
    buffer = io.BytesIO()
    if output == "JPEG":
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif output == "PNG":
        picture.save(buffer, "PNG", optimize=True)
    else:
        picture.save(buffer, "WEBP", quality=JPEG_QUALITY, method=4)
    return buffer.getvalue()


# --- shared ------------------------------------------------------------------------------------


def _check_size(upload: UploadedFile, limit: int, what: str, field: str) -> None:
    size = upload.size or 0
    if size > limit:
        raise UploadTooLarge(
            _("“%(name)s” is %(size)s; a %(what)s may be at most %(limit)s.")
            % {
                "name": _display_name(upload),
                "size": filesizeformat(size),
                "what": what,
                "limit": filesizeformat(limit),
            },
            field=field,
        )
    if size == 0:
        raise InvalidUpload(
            _("“%(name)s” is empty.") % {"name": _display_name(upload)}, field=field
        )


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _display_name(upload: UploadedFile) -> str:
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:100] or _("the file")
