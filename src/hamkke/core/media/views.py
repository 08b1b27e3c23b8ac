"""The public address of every stored file (MEDIA_URL + its stored name), on local disk and on
S3 alike: each request asks core/media/access.py whether this person may see the file now, so
hiding an upload (or the report it belongs to) takes its old address offline at once, and
showing it again brings the same address back. Refusals are 404s, never 403s, so they do not
confirm that a hidden file exists."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.defaults import page_not_found
from django.views.static import was_modified_since

from hamkke.core.media.access import CORE_FOLDERS, Audience, audience, stored_name

# A hidden file shown to an official, and every refusal, are kept by no browser or CDN: a kept
# answer would outlive the decision (a refusal, once the file is shown again; a file, once
# hidden).
PRIVATE_CACHE_CONTROL = "private, no-store"

# What a file is served as; anything else (a document a browser could run, an SVG with
# scripts) goes out as bytes to download, whatever its name says.
SHOWN_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "text/csv",
        "text/plain",
        "application/json",
        "application/pdf",
    }
)
_CHUNK = 64 * 1024
# At most 19 digits: any file's size fits, and int() is never handed thousands of digits.
_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")


@require_safe
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    """A stored file, if this person may see it now; else the site's 404."""
    name = stored_name(path)
    who = audience(request, name) if name is not None else Audience.NOBODY
    if who is Audience.NOBODY:
        return _not_found(request)
    storage = default_storage
    if hasattr(storage, "signed_url"):
        return _signed_redirect(request, storage, name, who)
    return _from_disk(request, storage, name, who)


def _signed_redirect(request: HttpRequest, storage, name: str, who: Audience) -> HttpResponse:
    """Object storage: a redirect to a link that lives HAMKKE_MEDIA_SIGNED_SECONDS. A public
    redirect may be kept for at most half of that, so a kept one still leads somewhere."""
    # An upload's row says its file exists; another app's file is asked about (one HEAD).
    if name.split("/", 1)[0] not in CORE_FOLDERS and not storage.exists(name):
        return _not_found(request)
    seconds = settings.HAMKKE_MEDIA_SIGNED_SECONDS
    if who is Audience.EVERYONE:
        cache_control = f"public, max-age={min(settings.HAMKKE_MEDIA_CACHE_SECONDS, seconds // 2)}"
    else:
        cache_control = PRIVATE_CACHE_CONTROL
    response = HttpResponseRedirect(
        storage.signed_url(name, seconds=seconds, cache_control=cache_control)
    )
    return _kept_as(response, who, cache_control)


def _from_disk(request: HttpRequest, storage, name: str, who: Audience) -> HttpResponse:
    """Local disk: the file itself, if it lies inside the storage's folder once links are
    followed; with Last-Modified, and one byte range when asked (browsers seek in videos)."""
    try:
        root = Path(storage.location).resolve()
        path = Path(storage.path(name)).resolve()
    except (SuspiciousFileOperation, NotImplementedError, ValueError, OSError):
        return _not_found(request)
    if not path.is_relative_to(root) or not path.is_file():
        return _not_found(request)
    stat = path.stat()
    if not was_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime):
        return _kept_as(HttpResponseNotModified(), who)
    content_type = _content_type(name)
    wanted = _byte_range(request.headers.get("Range"), stat.st_size)
    if wanted == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{stat.st_size}"
        return _kept_as(response, who)
    if request.method == "HEAD":
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(stat.st_size)
    elif wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            _read(path, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
        response["Content-Length"] = str(end - start + 1)
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Accept-Ranges"] = "bytes"
    return _kept_as(response, who)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """The one range `bytes=a-b`, `bytes=a-` or `bytes=-n` asks for, as (first, last);
    None for the whole file (no header, or one this view does not parse, such as several
    ranges: answering with the whole file is allowed); "unsatisfiable" past the end."""
    match = _RANGE.match((header or "").strip())
    if match is None or match.groups() == ("", "") or size == 0:
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


def _read(path: Path, start: int, length: int):
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _content_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    return guessed if guessed in SHOWN_TYPES else "application/octet-stream"


def _kept_as(response: HttpResponse, who: Audience, cache_control: str = "") -> HttpResponse:
    if who is Audience.EVERYONE:
        response["Cache-Control"] = (
            cache_control or f"public, max-age={settings.HAMKKE_MEDIA_CACHE_SECONDS}"
        )
    else:
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        patch_vary_headers(response, ("Cookie",))
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    """The site's own 404 page, the same for a hidden file as for one that never existed
    (body and headers alike), and kept by nobody."""
    response = page_not_found(request, Http404())
    response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response
