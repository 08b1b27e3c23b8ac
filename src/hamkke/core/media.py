"""Checking and cleaning uploads before anything is stored: photos are recognised by their
content, decoded within pixel limits and re-encoded without metadata; videos are recognised by
their container. Nothing here touches the database or the storage (services.store_* do)."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

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

VIDEO_TYPES = {
    "video/mp4": "mp4",
    "video/x-m4v": "m4v",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


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
class CheckedVideo:
    content_type: str
    extension: str


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


def check_video(upload: UploadedFile) -> CheckedVideo:
    """A video is accepted by its container (MP4, QuickTime or WebM, read from its first
    bytes, not its name) and its size."""
    _check_size(upload, settings.HAMKKE_MAX_VIDEO_BYTES, _("video"), "video")
    detected = filetype.guess(_head(upload))
    content_type = detected.mime if detected else None
    if content_type not in VIDEO_TYPES:
        raise InvalidUpload(
            _("“%(name)s” is not a video we can take: send an MP4, MOV or WebM file.")
            % {"name": _display_name(upload)},
            field="video",
        )
    return CheckedVideo(content_type=content_type, extension=VIDEO_TYPES[content_type])


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
