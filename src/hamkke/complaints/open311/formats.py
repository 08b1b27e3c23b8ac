"""Open311 GeoReport v2 documents: the same Python structure rendered as JSON or XML, and the
standard error format. Only element names and nesting live here; no queries."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# In XML a list is an element holding one child per item; the spec names the child.
XML_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
}

# What XML 1.0 cannot carry (C0 controls but tab and line ends, lone surrogates, U+FFFE/U+FFFF):
# one such character in a stored description would make the whole document unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the city's offset, e.g. 2026-11-26T20:25:50+09:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def render(fmt: str, root: str, body, *, status: int = 200) -> HttpResponse:
    """`body` is a list (for list roots such as services) or a mapping (discovery, definition)."""
    if fmt == "json":
        text = json.dumps(body, ensure_ascii=False)
    else:
        element = _element(root, body)
        text = '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="unicode")
    return HttpResponse(text, status=status, content_type=CONTENT_TYPES[fmt])


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)


def format_of_path(path: str) -> str:
    """The format a path asks for by its suffix: XML for .xml, JSON otherwise (the format every
    client reads, and the specification's default where a suffix is unknown)."""
    return "xml" if path.lower().endswith(".xml") else "json"


def error_for_request(request: HttpRequest, status: int, description: str) -> HttpResponse:
    """The site's own errors (404 for an unknown path, 413 for a body over its cap, 500) in the
    Open311 error format of the path's suffix."""
    return render_error(format_of_path(request.path), status, description)


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        item_tag = XML_ITEM_NAMES.get(tag, "item")
        for child in value:
            element.append(_element(item_tag, child))
    elif value is None:
        pass  # an empty element says "no value", as the specification's examples do
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = NOT_XML.sub("", str(value))
    return element
