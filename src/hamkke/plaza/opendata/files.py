"""A dataset's files checked by their content, not their name: the kinds a document carries
(CSV, XLSX, PDF, … in plaza/attachments.py) and the data formats a document does not (JSON,
GeoJSON, XML, TSV, ZIP). Nothing here touches the database or the storage."""

from __future__ import annotations

import io
import json
import mimetypes
import zipfile
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from hamkke.core.errors import InvalidUpload
from hamkke.plaza import attachments

FIELD = "file"


@dataclass(frozen=True)
class DataFile:
    name: str  # as uploaded, cleaned
    extension: str  # what it is stored as
    format: str  # CKAN's and DCAT's format: CSV, JSON, …
    media_type: str
    size: int


@dataclass(frozen=True)
class _DataKind:
    format: str
    media_type: str
    extensions: tuple[str, ...]


JSON = _DataKind("JSON", "application/json", ("json",))
GEOJSON = _DataKind("GeoJSON", "application/geo+json", ("geojson",))
XML = _DataKind("XML", "application/xml", ("xml",))
TSV = _DataKind("TSV", "text/tab-separated-values", ("tsv",))
ZIP = _DataKind("ZIP", "application/zip", ("zip",))
DATA_KINDS = (JSON, GEOJSON, XML, TSV, ZIP)

# OpenDocument files share one kind in attachments.py; their own media types, by extension.
_ODF_TYPES = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def accepted_names() -> str:
    data = [ext for kind in DATA_KINDS for ext in kind.extensions]
    return ", ".join([*data, attachments.accepted_names()])


def check_data_file(upload: UploadedFile) -> DataFile:
    """Recognise the file by its content; refuse one whose content is not what its name says,
    or that is none of the kinds a dataset may hold."""
    name = attachments.display_name(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = next((k for k in DATA_KINDS if extension in k.extensions), None)
    if kind is None:
        return _as_attachment(upload, name, extension)
    size = upload.size or 0
    attachments.check_size(name, size, field=FIELD)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not _is(kind, data):
        raise InvalidUpload(
            _("“%(name)s” is named as a %(kind)s file but its content is not one.")
            % {"name": name, "kind": kind.format},
            field=FIELD,
        )
    return DataFile(name, kind.extensions[0], kind.format, kind.media_type, size)


def _as_attachment(upload: UploadedFile, name: str, extension: str) -> DataFile:
    known = any(extension in kind.extensions for kind in attachments.KINDS)
    if not known:
        raise InvalidUpload(
            _("“%(name)s” is not a kind of file a dataset may hold (%(kinds)s).")
            % {"name": name, "kinds": accepted_names()},
            field=FIELD,
        )
    checked = attachments.check_file(upload, field=FIELD)
    media_type = _ODF_TYPES.get(extension, checked.kind.content_type)
    label = extension.upper() if checked.kind is attachments.ODF else checked.kind.label.upper()
    return DataFile(name, extension, label, media_type, checked.size)


def _is(kind: _DataKind, data: bytes) -> bool:
    if kind is ZIP:
        return _is_zip(data)
    text = _text(data)
    if text is None:
        return False
    if kind is TSV:
        return True
    if kind is XML:
        return _is_xml(data)
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    if kind is GEOJSON:
        return isinstance(parsed, dict) and isinstance(parsed.get("type"), str)
    return True


def _text(data: bytes) -> str | None:
    if b"\x00" in data[:65536]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _is_xml(data: bytes) -> bool:
    try:
        ElementTree.fromstring(data)
    except (ParseError, DefusedXmlException, ValueError):
        return False
    return True


def _is_zip(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        # The directory is read, not the members: unpacking them is what a zip bomb wants.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False


# --- links ---------------------------------------------------------------------------------------


def format_of_link(url: str) -> tuple[str, str]:
    """A linked resource's format and media type guessed from its address's ending (CKAN
    guesses the same way when the format is left blank); ("", "") when it says nothing."""
    path = urlsplit(url).path
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if not extension or len(extension) > 8:
        return "", ""
    for kind in DATA_KINDS:
        if extension in kind.extensions:
            return kind.format, kind.media_type
    guessed, _encoding = mimetypes.guess_type(path)
    return extension.upper(), guessed or ""
