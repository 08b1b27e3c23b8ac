"""Builders of test uploads: images with chosen EXIF, PNGs that lie about their size, and the
first bytes of video containers."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms


def image_bytes(
    *,
    size=(40, 20),
    mode="RGB",
    color=(200, 30, 30),
    fmt="JPEG",
    exif: Image.Exif | None = None,
    **save_options,
) -> bytes:
    image = Image.new(mode, size, color)
    buffer = io.BytesIO()
    if exif is not None:
        save_options["exif"] = exif
    image.save(buffer, fmt, **save_options)
    return buffer.getvalue()


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def gps_exif(
    *,
    lat=(37.0, 33.0, 59.4),
    lat_ref="N",
    lon=(126.0, 58.0, 40.68),
    lon_ref="E",
    orientation: int | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
    gps[ExifTags.GPS.GPSLatitude] = lat
    gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
    gps[ExifTags.GPS.GPSLongitude] = lon
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def png_declaring(width: int, height: int) -> bytes:
    """A valid 1x1 PNG whose header is rewritten to declare width x height: tiny on disk, huge
    when decoded — the shape of a decompression bomb."""
    data = bytearray(image_bytes(size=(1, 1), fmt="PNG"))
    # Signature (8) + chunk length (4) + b"IHDR" (4), then width and height, then the CRC.
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def mp4_bytes() -> bytes:
    ftyp = b"ftypmp42" + b"\x00\x00\x00\x00" + b"mp42isom"
    box = struct.pack(">I", 8 + len(ftyp) - 4) + ftyp
    return box + struct.pack(">I", 16) + b"mdat" + b"\x00" * 8 + b"\x01" * 2000


def quicktime_bytes() -> bytes:
    ftyp = b"ftypqt  " + b"\x00\x00\x02\x00" + b"qt  "
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + b"\x00" * 2000


def webm_bytes() -> bytes:
    return b"\x1a\x45\xdf\xa3" + b"\x9f\x42\x86\x81\x01" + b"\x42\x82\x84webm" + b"\x00" * 2000
