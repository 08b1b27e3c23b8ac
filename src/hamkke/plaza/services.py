"""Every write of the Plaza's documents: registering (masked, withheld passages set apart),
attaching files, approving, publishing on schedule or at once, re-classifying, withdrawing, and
the one call the other services make to publish a decision (`publish_decision`). Each is one
transaction; the search index is written in the same transaction as the publication.

Meetings, datasets and disclosure requests have their own modules (meetings.py, opendata.py,
requests.py) beside this one."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.accounts.seats import seat_at
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.days import day_start
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.models import City, Department
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import MOMENTS_TEXT, day_in_range, moment_in_range
from hamkke.plaza import attachments as attachment_files
from hamkke.plaza import masking, policies, search_index
from hamkke.plaza.models import (
    ApproverLevel,
    Attachment,
    Category,
    Disclosure,
    Document,
    DocumentType,
    SearchChunk,
    Tag,
    TextStatus,
    WithheldPassage,
)
from hamkke.plaza.profile import LEVELS, PlazaSection

# --- the profile ---------------------------------------------------------------------------------


def plaza_settings(city: City | None = None) -> PlazaSection:
    """The city's `[plaza]` table (defaults when the profile has none)."""
    city = city or current_city()
    return PlazaSection.model_validate(city.profile.get("plaza", {}))


def level_from_code(code: str) -> int:
    return LEVELS.index(code) + 1


def load_categories(*, city: City) -> None:
    """The profile's `[[plaza.categories]]` as rows (idempotent; dropped ones stay for old
    documents). Parents first, so a topic can point at its theme."""
    section = plaza_settings(city)
    rows: dict[str, Category] = {}
    for item in sorted(section.categories, key=lambda c: bool(c.parent)):
        rows[item.code], _created = Category.objects.update_or_create(
            city=city,
            code=item.code,
            defaults={
                "name": item.name,
                "name_en": item.name_en,
                "parent": rows.get(item.parent),
                "order": section.categories.index(item),
            },
        )


# --- text made fit to publish --------------------------------------------------------------------

# A passage of a partly open document kept from the public: [[withheld:GROUND]]…[[/withheld]]
# (or the Korean [[비공개:GROUND]]…[[/비공개]]), GROUND a code of the profile's legal grounds.
WITHHELD_MARK = re.compile(
    r"\[\[(?:withheld|비공개):([A-Za-z0-9_-]{1,64})\]\](.*?)\[\[/(?:withheld|비공개)\]\]", re.S
)


@dataclass(frozen=True)
class PreparedText:
    title: str
    summary: str
    body: str  # public: masked, withheld passages replaced by a marker naming the ground
    withheld: tuple[tuple[str, str], ...]  # (masked passage, ground code)
    findings: dict[str, tuple[masking.Finding, ...]]  # per field, offsets into what was typed

    @property
    def masked_count(self) -> int:
        return sum(len(found) for found in self.findings.values())


def prepare_text(
    *, title: str, summary: str, body: str, disclosure: str, section: PlazaSection
) -> PreparedText:
    """Mask personal data in every field and set apart the withheld passages: what the desk
    shows the official before saving, and what registering stores."""
    grounds = {g.code: g for g in section.legal_grounds}
    title, summary, body = clean_text(title), clean_text(summary), clean_text(body)
    findings = {}
    masked = {}
    for name, text in (("title", title), ("summary", summary), ("body", body)):
        result = masking.mask(text)
        masked[name] = result.text
        if result.findings:
            findings[name] = result.findings
    withheld: list[tuple[str, str]] = []

    def cut(match: re.Match) -> str:
        code = match.group(1)
        if code not in grounds:
            raise InvalidInput(
                _("“%(ground)s” in a withheld passage is not one of this city's legal grounds.")
                % {"ground": code},
                field="body",
            )
        withheld.append((match.group(2).strip(), code))
        return _("[Withheld: %(ground)s]") % {"ground": grounds[code].name}

    with translation.override(current_city().default_language):
        public_body = WITHHELD_MARK.sub(cut, masked["body"])
    if withheld and disclosure == Disclosure.OPEN:
        raise InvalidInput(
            _("The text withholds passages: mark the document partly open."), field="disclosure"
        )
    if "[[withheld:" in public_body or "[[비공개:" in public_body:
        raise InvalidInput(
            _("A withheld passage is not closed: end it with [[/withheld]]."), field="body"
        )
    return PreparedText(
        title=masked["title"],
        summary=masked["summary"],
        body=public_body,
        withheld=tuple(withheld),
        findings=findings,
    )


# --- registering ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentUpload:
    file: UploadedFile
    withheld: bool = False
    legal_ground: str = ""


@dataclass
class DocumentFields:
    """What every entry point (the desk form, the API, the import) parses a document into."""

    number: str
    doc_type: str
    department: Department
    approver_level: int
    title: str
    produced_on: date
    summary: str = ""
    body: str = ""
    approver_title: str = ""
    category: str = ""
    disclosure: str = Disclosure.OPEN
    legal_ground: str = ""
    approved_at: datetime | None = None
    tags: Sequence[str] = ()
    related_numbers: Sequence[str] = ()
    attachments: Sequence[AttachmentUpload] = field(default_factory=tuple)


def check_fields(fields: DocumentFields, section: PlazaSection) -> None:
    """Refuse what no document may be, naming the field."""
    number = clean_text(fields.number)
    if not number or len(number) > 64:
        raise InvalidInput(
            _("Give the registration number (at most 64 characters)."), field="number"
        )
    _check_department(fields.department)
    if fields.doc_type not in DocumentType.values:
        raise InvalidInput(_("Choose the type of the document."), field="doc_type")
    if fields.approver_level not in ApproverLevel.values:
        raise InvalidInput(_("Choose the approver's level."), field="approver_level")
    if not clean_text(fields.title):
        raise InvalidInput(_("Give the document a title."), field="title")
    if len(fields.title) > 300:
        raise InvalidInput(_("A title may be at most 300 characters."), field="title")
    if len(fields.summary) > 2000:
        raise InvalidInput(_("A summary may be at most 2,000 characters."), field="summary")
    if not day_in_range(
        fields.produced_on
    ) or fields.produced_on > timezone.localdate() + timedelta(days=1):
        raise InvalidInput(
            _("The production date must be a real day, not in the future."), field="produced_on"
        )
    if fields.approved_at is not None:
        _check_approval_moment(fields.approved_at)
    policies.check_disclosure(
        fields.disclosure, fields.legal_ground, {g.code for g in section.legal_grounds}
    )
    for upload in fields.attachments:
        _check_withheld_file(upload, fields.disclosure, section)


def _check_department(department: Department | None) -> None:
    # Before any role is weighed: a seat in no department would read the highest role anywhere.
    if not isinstance(department, Department) or department.pk is None:
        raise InvalidInput(_("Choose the department issuing the document."), field="department")


def _check_approval_moment(moment: datetime) -> None:
    """An aware moment on the calendar the site takes, not in the future."""
    if timezone.is_naive(moment) or not moment_in_range(moment):
        raise InvalidInput(
            _("Give the approval's date and time with its time zone, between %(range)s.")
            % {"range": MOMENTS_TEXT},
            field="approved_at",
        )
    if moment > timezone.now() + timedelta(hours=1):
        raise InvalidInput(_("The approval cannot be in the future."), field="approved_at")


def _check_withheld_file(upload: AttachmentUpload, disclosure: str, section: PlazaSection) -> None:
    """Only a partly open document withholds files, each on a legal ground of the profile."""
    if not upload.withheld:
        return
    if disclosure != Disclosure.PARTIAL:
        raise InvalidInput(
            _("Only a partly open document withholds attachments: mark it partly open."),
            field="attachments",
        )
    if upload.legal_ground not in {g.code for g in section.legal_grounds}:
        raise InvalidInput(
            _("“%(name)s” is withheld: choose the legal ground it is withheld on.")
            % {"name": getattr(upload.file, "name", "") or _("the file")},
            field="attachments",
        )


@dataclass(frozen=True)
class _Checked:
    section: PlazaSection
    number: str
    text: PreparedText
    category: Category | None
    related: list[Document]


def _checked(actor: Actor, fields: DocumentFields, *, by_system: bool) -> _Checked:
    """Every check registering makes before it writes, in the order a person would fix them:
    the department and the role there, the fields, a number not taken, the text, the category,
    the related documents. Returns what registering stores."""
    _check_department(fields.department)
    if not by_system:
        policies.may_register(seat_at(actor, fields.department)).enforce()
    section = plaza_settings()
    check_fields(fields, section)
    number = clean_text(fields.number)
    if Document.objects.filter(number=number).exists():
        raise Conflict(
            _("A document numbered %(number)s is registered already.") % {"number": number},
            code="duplicate_number",
        )
    text = prepare_text(
        title=fields.title,
        summary=fields.summary,
        body=fields.body,
        disclosure=fields.disclosure,
        section=section,
    )
    return _Checked(
        section=section,
        number=number,
        text=text,
        category=category_for_input(fields.category),
        related=_related(fields.related_numbers),
    )


def preview_document(*, actor: Actor | User | None, fields: DocumentFields) -> PreparedText:
    """What registering `fields` would publish, checked as registering checks them but storing
    nothing: the desk's preview, which shows the official every masked item and withheld
    passage before saving (attachments are checked when they are saved)."""
    return _checked(Actor.of(actor), fields, by_system=False).text


@transaction.atomic
def register_document(
    *, actor: Actor | User | None, fields: DocumentFields, by_system: bool = False
) -> Document:
    """Register a document of a department: masked, its withheld passages and attachments set
    apart, its files checked by content and their text taken out. Approved ones are scheduled
    for publication (and published now when due). `by_system` is the import and the demo."""
    actor = Actor.of(actor)
    checked = _checked(actor, fields, by_system=by_system)
    section, number, text = checked.section, checked.number, checked.text
    document = Document(
        number=number,
        doc_type=fields.doc_type,
        department=fields.department,
        approver_level=fields.approver_level,
        approver_title=clean_text(fields.approver_title)[:100],
        category=checked.category,
        title=text.title,
        summary=text.summary,
        body=text.body,
        disclosure=fields.disclosure,
        legal_ground=fields.legal_ground if fields.disclosure != Disclosure.OPEN else "",
        produced_on=fields.produced_on,
        masked_count=text.masked_count,
        registered_by=actor.user,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        raise Conflict(
            _("A document numbered %(number)s is registered already.") % {"number": number},
            code="duplicate_number",
        ) from exc
    WithheldPassage.objects.bulk_create(
        WithheldPassage(document=document, order=i, text=passage, legal_ground=ground)
        for i, (passage, ground) in enumerate(text.withheld)
    )
    with files_removed_on_failure() as written:
        for order, upload in enumerate(fields.attachments):
            _store_attachment(document, upload, order=order, written=written)
        _set_tags(document, fields.tags)
        document.related.add(*checked.related)
    record_audit(
        actor=actor,
        action="plaza.document.registered",
        target=document,
        data={"number": number, "masked": text.masked_count, "disclosure": document.disclosure},
    )
    if fields.approved_at is not None:
        _approve(document, fields.approved_at, section)
    return document


def category_for_input(code: str) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(city=current_city(), code=code).first()
    if category is None:
        raise InvalidInput(
            _("“%(code)s” is not one of the Plaza's categories.") % {"code": code},
            field="category",
        )
    return category


def _set_tags(document: Document, names: Sequence[str]) -> None:
    cleaned = []
    for name in names:
        name = clean_text(name).strip()[:64]
        if name and name not in cleaned:
            cleaned.append(name)
    if not cleaned:
        return
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=cleaned)}
    missing = [Tag(name=name) for name in cleaned if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    document.tags.set(Tag.objects.filter(name__in=cleaned))


def _related(numbers: Sequence[str]) -> list[Document]:
    """The registered documents of these numbers; InvalidInput naming those that are not."""
    numbers = [clean_text(n) for n in numbers if clean_text(n)]
    if not numbers:
        return []
    found = list(Document.objects.filter(number__in=numbers))
    missing = set(numbers) - {d.number for d in found}
    if missing:
        raise InvalidInput(
            _("No document is numbered %(numbers)s.") % {"numbers": ", ".join(sorted(missing))},
            field="related_numbers",
        )
    return found


def _store_attachment(
    document: Document, upload: AttachmentUpload, *, order: int, written: list
) -> Attachment:
    """Check the file, write it, then its row. The stored name is appended to `written`, which
    the calling service deletes if its transaction fails (nothing half-written stays)."""
    checked = attachment_files.check_file(upload.file)
    attachment = Attachment(
        document=document,
        order=order,
        original_name=checked.name,
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
        pages=checked.pages,
        text=masking.mask(checked.text).text if checked.text else "",
        text_status=checked.text_status,
        withheld=upload.withheld,
        legal_ground=upload.legal_ground if upload.withheld else "",
    )
    upload.file.seek(0)
    name = f"{uuid.uuid4().hex}.{checked.kind.extensions[0]}"
    attachment.file.save(name, ContentFile(upload.file.read()), save=False)
    written.append((attachment.file.storage, attachment.file.name))
    attachment.save()
    return attachment


@contextmanager
def files_removed_on_failure() -> Iterator[list]:
    written: list = []
    try:
        yield written
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


@transaction.atomic
def attach_file(*, actor: Actor | User, document: Document, upload: AttachmentUpload) -> Attachment:
    """Add a file to a registered document (re-indexed when it is public)."""
    actor = Actor.of(actor)
    policies.may_register(seat_at(actor, document.department)).enforce()
    _check_withheld_file(upload, document.disclosure, plaza_settings())
    order = document.attachments.count()
    with files_removed_on_failure() as written:
        attachment = _store_attachment(document, upload, order=order, written=written)
        record_audit(
            actor=actor,
            action="plaza.attachment.added",
            target=document,
            data={"name": attachment.original_name, "withheld": attachment.withheld},
        )
        if policies.is_public(document):
            reindex(document)
    return attachment


# --- approving and publishing --------------------------------------------------------------------


def _next_day_start(moment: datetime) -> datetime:
    tz = ZoneInfo(current_city().time_zone)
    return day_start(timezone.localtime(moment, tz).date() + timedelta(days=1), tz)


def _approve(document: Document, approved_at: datetime, section: PlazaSection) -> None:
    document.approved_at = approved_at
    document.publish_at = (
        None
        if document.disclosure == Disclosure.CLOSED
        else policies.publish_moment(
            approved_at=approved_at,
            level=document.approver_level,
            from_level=level_from_code(section.publish_from_level),
            delay=section.publish_delay,
            next_day_start=_next_day_start(approved_at),
        )
    )
    document.save(update_fields=["approved_at", "publish_at", "updated_at"])
    if document.publish_at is not None and document.publish_at <= timezone.now():
        _publish(document, document.publish_at)


@transaction.atomic
def approve_document(
    *, actor: Actor | User, document: Document, approved_at: datetime | None = None
) -> Document:
    actor = Actor.of(actor)
    document = Document.objects.select_for_update().get(pk=document.pk)
    policies.may_approve(seat_at(actor, document.department), document).enforce()
    if approved_at is not None:
        _check_approval_moment(approved_at)
    _approve(document, approved_at or timezone.now(), plaza_settings())
    record_audit(actor=actor, action="plaza.document.approved", target=document)
    return document


def _publish(document: Document, moment: datetime) -> None:
    document.published_at = moment
    document.withdrawn_at = None
    document.withdrawn_reason = ""
    document.save(update_fields=["published_at", "withdrawn_at", "withdrawn_reason", "updated_at"])
    reindex(document)


@transaction.atomic
def publish_document(*, actor: Actor | User, document: Document) -> Document:
    """Publish now (a manager's decision: before the schedule, below the automatic level, or
    again after a withdrawal)."""
    actor = Actor.of(actor)
    document = Document.objects.select_for_update().get(pk=document.pk)
    policies.may_publish(seat_at(actor, document.department), document).enforce()
    _publish(document, timezone.now())
    record_audit(actor=actor, action="plaza.document.published", target=document)
    return document


def publish_due_documents(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Publish every approved document whose time has come (the periodic task); each in its own
    transaction, so one failure delays only itself. Returns how many were published."""
    now = now or timezone.now()
    due = list(
        Document.objects.filter(
            published_at__isnull=True,
            withdrawn_at__isnull=True,
            publish_at__lte=now,
        )
        .exclude(disclosure=Disclosure.CLOSED)
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for pk in due:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=pk)
            if document.published_at is not None or document.disclosure == Disclosure.CLOSED:
                continue
            _publish(document, document.publish_at)
            published += 1
    return published


@transaction.atomic
def withdraw_document(*, actor: Actor | User, document: Document, reason: str) -> Document:
    actor = Actor.of(actor)
    document = Document.objects.select_for_update().get(pk=document.pk)
    policies.may_withdraw(seat_at(actor, document.department), document).enforce()
    reason = clean_text(reason).strip()
    if not reason:
        raise InvalidInput(_("Say why the document is withdrawn."), field="reason")
    document.withdrawn_at = timezone.now()
    document.withdrawn_reason = reason[:300]
    document.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    _unindex(document)
    record_audit(
        actor=actor, action="plaza.document.withdrawn", target=document, data={"reason": reason}
    )
    return document


@transaction.atomic
def change_disclosure(
    *, actor: Actor | User, document: Document, disclosure: str, legal_ground: str = ""
) -> Document:
    """Re-classify a document. Closing it takes it off every public surface at once; opening a
    closed one schedules it as an approval would."""
    actor = Actor.of(actor)
    document = Document.objects.select_for_update().get(pk=document.pk)
    policies.may_change_disclosure(seat_at(actor, document.department)).enforce()
    section = plaza_settings()
    policies.check_disclosure(disclosure, legal_ground, {g.code for g in section.legal_grounds})
    if disclosure == Disclosure.OPEN and (
        document.withheld.exists() or document.attachments.filter(withheld=True).exists()
    ):
        raise InvalidInput(
            _("The document withholds passages or files: it can only be partly open."),
            field="disclosure",
        )
    before = document.disclosure
    document.disclosure = disclosure
    document.legal_ground = legal_ground if disclosure != Disclosure.OPEN else ""
    if disclosure == Disclosure.CLOSED:
        document.published_at = None
        document.publish_at = None
        document.save()
        _unindex(document)
    else:
        document.save()
        if before == Disclosure.CLOSED and document.approved_at is not None:
            _approve(document, document.approved_at, section)
        elif policies.is_public(document):
            reindex(document)
    record_audit(
        actor=actor,
        action="plaza.document.reclassified",
        target=document,
        data={"from": before, "to": disclosure, "ground": legal_ground},
    )
    return document


# --- the index -----------------------------------------------------------------------------------


def reindex(document: Document) -> None:
    """Write the document's search terms (public text and downloadable attachments only)."""
    _unindex(document)
    if not policies.is_public(document):
        return
    texts = list(
        document.attachments.filter(withheld=False, text_status=TextStatus.EXTRACTED).values_list(
            "text", flat=True
        )
    )
    SearchChunk.objects.bulk_create(search_index.chunks_for(document, texts))


def _unindex(document: Document) -> None:
    SearchChunk.objects.filter(document=document).delete()


# --- counts --------------------------------------------------------------------------------------


def record_view(document: Document) -> None:
    Document.objects.filter(pk=document.pk).update(view_count=F("view_count") + 1)


def record_download(attachment: Attachment) -> None:
    Attachment.objects.filter(pk=attachment.pk).update(download_count=F("download_count") + 1)
    Document.objects.filter(pk=attachment.document_id).update(
        download_count=F("download_count") + 1
    )


# --- decisions of the other services -------------------------------------------------------------


def decision_source(instance: Model) -> str:
    """The `source_key` of a decision another service publishes: "app.model:pk"."""
    return f"{instance._meta.label_lower}:{instance.pk}"


@transaction.atomic
def publish_decision(
    *,
    source_key: str,
    title: str,
    body: str,
    department: Department,
    url: str,
    decided_at: datetime | None = None,
    summary: str = "",
    category: str = "",
    tags: Sequence[str] = (),
) -> Document:
    """Make a decision of another service public at once, linking back to it: a resolved
    report's result, an adopted idea, a poll's decision, a budget's results. One document per
    `source_key` (`decision_source(obj)`: "complaints.complaint:123"): calling again updates
    it, so a re-run publishes nothing twice. The caller passes only text meant for everyone
    (never a person's name, email or phone); it is masked all the same. Called in the
    caller's transaction: the decision and its publication commit together.

    The call is one statement where the decision is made, e.g. when a poll closes:

        plaza_services.publish_decision(source_key=plaza_services.decision_source(poll),
            title=poll.title, body=outcome_text, department=poll.department,
            url=reverse("polls:poll", args=[poll.pk]))
    """
    decided_at = decided_at or timezone.now()
    section = plaza_settings()
    text = prepare_text(
        title=title, summary=summary, body=body, disclosure=Disclosure.OPEN, section=section
    )
    known_category = (
        Category.objects.filter(city=current_city(), code=category).first() if category else None
    )
    document, created = Document.objects.select_for_update().get_or_create(
        source_key=source_key[:100],
        defaults={
            "number": source_key[:64],
            "doc_type": DocumentType.DECISION,
            "department": department,
            "approver_level": ApproverLevel.DIVISION_HEAD,
            "produced_on": timezone.localdate(decided_at),
            "title": text.title[:300],
        },
    )
    document.title = text.title[:300]
    document.summary = text.summary[:2000]
    document.body = text.body
    document.department = department
    document.category = known_category
    document.source_url = url[:300]
    document.masked_count = text.masked_count
    document.approved_at = document.approved_at or decided_at
    document.publish_at = document.publish_at or decided_at
    document.save()
    _set_tags(document, tags)
    if document.published_at is None:
        _publish(document, timezone.now())
    else:
        reindex(document)
    record_audit(
        actor=None,
        action="plaza.decision.published" if created else "plaza.decision.updated",
        target=document,
        data={"source": source_key},
    )
    return document
