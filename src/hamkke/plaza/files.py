"""A stored Plaza file as a response: the public pages, OParl and the desk serve attachments
the same way once their own rules have let the request through."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _

from hamkke.core.errors import NotFound
from hamkke.plaza.models import Attachment


def stored_file_response(
    attachment: Attachment, *, download: bool, cache_control: str = "no-cache"
) -> FileResponse:
    """The file under its original name (RFC 6266, with RFC 5987's filename* for a non-ASCII
    name), never sniffed into another type. By default caches keep it only with a check, since
    a withdrawn document's files must go offline at once."""
    try:
        handle = attachment.file.open("rb")
    except (OSError, ValueError) as exc:
        raise NotFound(_("The file is missing from the storage.")) from exc
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
