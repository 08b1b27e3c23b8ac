"""The preview of a document before it is registered, as the desk page and the desk API show
it: every masked item (field, kind, what was typed and what the public reads), the public text
with the masked items marked, and the passages withheld with their ground. Also the digest that
ties a save to the text the official previewed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from hamkke.plaza import services
from hamkke.plaza.masking import Finding

FIELD_LABELS = {"title": _("Title"), "summary": _("Summary"), "body": _("Body")}
KIND_LABELS = {
    "resident_number": _("Resident registration number"),
    "phone": _("Phone number"),
    "email": _("Email address"),
}


@dataclass(frozen=True)
class MaskedItem:
    field: str
    kind: str
    start: int
    end: int
    original: str
    masked: str

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass(frozen=True)
class WithheldItem:
    text: str
    legal_ground: str
    ground_name: str


@dataclass(frozen=True)
class Preview:
    prepared: services.PreparedText
    items: list[MaskedItem]
    withheld: list[WithheldItem]
    title: SafeString
    summary: SafeString
    body: SafeString


def preview_of(prepared: services.PreparedText) -> Preview:
    section = services.plaza_settings()
    grounds = {ground.code: ground.display_name for ground in section.legal_grounds}
    items = [
        MaskedItem(name, f.kind, f.start, f.end, f.original, f.masked)
        for name in ("title", "summary", "body")
        for f in prepared.findings.get(name, ())
    ]
    return Preview(
        prepared=prepared,
        items=items,
        withheld=[
            WithheldItem(text=text, legal_ground=code, ground_name=grounds.get(code, code))
            for text, code in prepared.withheld
        ],
        title=marked(prepared.title, prepared.findings.get("title", ())),
        summary=marked(prepared.summary, prepared.findings.get("summary", ())),
        body=marked(prepared.body, prepared.findings.get("body", ())),
    )


def marked(public_text: str, findings: tuple[Finding, ...] | list[Finding]) -> SafeString:
    """`public_text` escaped, each masked item in <mark>. The items are looked for in order in
    the public text (the withheld passages cut out of a body move the offsets; an item inside a
    cut passage is not in it and is skipped)."""
    out, position = [], 0
    for finding in findings:
        start = public_text.find(finding.masked, position)
        if start < 0:
            continue
        end = start + len(finding.masked)
        out.append(escape(public_text[position:start]))
        out.append(f'<mark class="masked">{escape(public_text[start:end])}</mark>')
        position = end
    out.append(escape(public_text[position:]))
    return mark_safe("".join(out))


def text_digest(*, title: str, summary: str, body: str, disclosure: str) -> str:
    """A fingerprint of what the masking and the withheld passages depend on: a save whose
    text differs from the previewed one is shown again before it is stored."""
    payload = json.dumps([title, summary, body, disclosure], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()
