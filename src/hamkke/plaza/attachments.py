"""A document's attachments checked by their content, not their name, and their text taken out
for search. A file whose name promises a PDF must be one; an encrypted or broken PDF is still
kept (the official attached it for a reason) and marked "text not extracted". Nothing here
touches the database or the storage (services.attach_file does)."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from hamkke.core.errors import InvalidUpload, UploadTooLarge
from hamkke.plaza.models import TextStatus

log = logging.getLogger(__name__)

# Text kept for search per attachment: far above any report a department writes, far below
# what a generated file could make the index hold.
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 3000
# Uncompressed bytes read from one member of an office file (a zip bomb stops here).
MAX_XML_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Kind:
    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = Kind("application/pdf", ("pdf",), "PDF")
HWP = Kind("application/x-hwp", ("hwp",), "HWP")
HWPX = Kind("application/hwp+zip", ("hwpx",), "HWPX")
DOCX = Kind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "DOCX"
)
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "XLSX")
PPTX = Kind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",), "PPTX"
)
ODF = Kind("application/vnd.oasis.opendocument", ("odt", "ods", "odp"), "OpenDocument")
TEXT = Kind("text/plain", ("txt",), "text")
CSV = Kind("text/csv", ("csv",), "CSV")
PNG = Kind("image/png", ("png",), "PNG")
JPEG = Kind("image/jpeg", ("jpg", "jpeg"), "JPEG")
KINDS = (PDF, HWP, HWPX, DOCX, XLSX, PPTX, ODF, TEXT, CSV, PNG, JPEG)


@dataclass(frozen=True)
class CheckedFile:
    kind: Kind
    name: str
    size: int
    sha256: str
    text: str
    text_status: str
    pages: int | None


def accepted_names() -> str:
    return ", ".join(ext for kind in KINDS for ext in kind.extensions)


def check_file(upload: UploadedFile, *, field: str = "attachments") -> CheckedFile:
    """Recognise the file by its content; refuse one whose content is not what its name says or
    that is none of the kinds a document may carry; take out its text where that can be done."""
    name = display_name(upload)
    size = upload.size or 0
    check_size(name, size, field=field)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = next((kind for kind in KINDS if extension in kind.extensions), None)
    if claimed is None:
        raise InvalidUpload(
            _("“%(name)s” is not a kind of file a document may carry (%(kinds)s).")
            % {"name": name, "kinds": accepted_names()},
            field=field,
        )
    actual = _recognise(data, claimed)
    if actual is not claimed:
        raise InvalidUpload(
            _("“%(name)s” is named as a %(claimed)s file but its content is not one%(actual)s.")
            % {
                "name": name,
                "claimed": claimed.label,
                "actual": _(" (it is a %(kind)s file)") % {"kind": actual.label} if actual else "",
            },
            field=field,
        )
    text, status, pages = _extract(data, claimed)
    return CheckedFile(
        kind=claimed,
        name=name,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text[:MAX_TEXT_CHARS],
        text_status=status,
        pages=pages,
    )


def check_size(name: str, size: int, *, field: str) -> None:
    """Refuse an empty file and one over the Plaza's limit (open data's files too)."""
    limit = settings.HAMKKE_PLAZA_MAX_ATTACHMENT_BYTES
    if size > limit:
        raise UploadTooLarge(
            _("“%(name)s” is %(size)s; an attachment may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            field=field,
        )
    if size == 0:
        raise InvalidUpload(_("“%(name)s” is empty.") % {"name": name}, field=field)


# --- recognising -----------------------------------------------------------------------------


def _recognise(data: bytes, claimed: Kind) -> Kind | None:
    head = data[:8]
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return HWP  # OLE2 compound file: HWP 5 (old .doc/.xls are not accepted)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if _is_text(data):
        return claimed if claimed in (TEXT, CSV) else TEXT
    return None


def _zip_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype.startswith(b"application/hwp+zip"):
                    return HWPX
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    return ODF
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                if "ppt/presentation.xml" in names:
                    return PPTX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:65536]:
        return False
    return _decode(data) is not None


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- extracting text ---------------------------------------------------------------------------


def _extract(data: bytes, kind: Kind) -> tuple[str, str, int | None]:
    if kind is PDF:
        return _pdf_text(data)
    if kind in (TEXT, CSV):
        return _decode(data) or "", TextStatus.EXTRACTED, None
    if kind in (DOCX, HWPX, PPTX, ODF):
        return _office_text(data, kind)
    return "", TextStatus.NOT_SUPPORTED, None


def _pdf_text(data: bytes) -> tuple[str, str, int | None]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing, with an empty password to read.
            try:
                if not reader.decrypt(""):
                    return "", TextStatus.ENCRYPTED, None
            except (PyPdfError, NotImplementedError, ValueError):
                return "", TextStatus.ENCRYPTED, None
        pages = len(reader.pages)
        parts, total = [], 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= MAX_TEXT_CHARS:
                break
    except Exception as exc:
        log.info("PDF text not extracted: %s", exc)
        return "", TextStatus.UNREADABLE, None
    text = "\n".join(parts).strip()
    return text, (TextStatus.EXTRACTED if text else TextStatus.NO_TEXT), pages


# The XML members that hold an office file's text, and the element whose text is a run of it.
_OFFICE_PARTS = {
    DOCX: (re.compile(r"word/(document|header\d*|footer\d*)\.xml$"), "t"),
    HWPX: (re.compile(r"Contents/section\d+\.xml$"), "t"),
    PPTX: (re.compile(r"ppt/slides/slide\d+\.xml$"), "t"),
    ODF: (re.compile(r"content\.xml$"), ""),
}


def _office_text(data: bytes, kind: Kind) -> tuple[str, str, int | None]:
    member_name, element = _OFFICE_PARTS[kind]
    parts: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not member_name.search(info.filename):
                    continue
                if info.file_size > MAX_XML_BYTES:
                    return "", TextStatus.UNREADABLE, None
                root = ElementTree.fromstring(archive.read(info))
                for node in root.iter():
                    local = node.tag.rsplit("}", 1)[-1]
                    if (not element or local == element) and node.text and node.text.strip():
                        parts.append(node.text)
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, OSError, ValueError):
        return "", TextStatus.UNREADABLE, None
    text = " ".join(parts).strip()
    return text, (TextStatus.EXTRACTED if text else TextStatus.NO_TEXT), None


def display_name(upload: UploadedFile) -> str:
    """The uploaded file's own name, without folders or NUL characters."""
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.replace("\x00", "")[:200] or _("the file")
