"""Information Communication Plaza: administrative documents and their attachments, the passages
withheld from them, the search index, meetings with agendas and video, open datasets, and
citizens' disclosure requests.

What the public may see is decided in one place (`selectors.public_documents`); the public text
of a document is stored already masked and without its withheld passages, so no surface can
show what was never stored for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core.models import BilingualName


class DocumentType(models.TextChoices):
    APPROVAL = "approval", _("Approval document")
    FINANCE = "finance", _("Finance")
    BUDGET = "budget", _("Budget")
    MEETING = "meeting", _("Meeting record")
    CONTRACT = "contract", _("Contract result")
    STATISTICS = "statistics", _("Statistics")
    PUBLIC_DATA = "public_data", _("Public data")
    ANNOUNCEMENT = "announcement", _("Announcement")
    DECISION = "decision", _("Decision of a citizen service")


class ApproverLevel(models.IntegerChoices):
    """Who signed the approval, by rank: the city publishes from a level up (the profile)."""

    TEAM_LEADER = 1, _("Team leader")
    DIVISION_HEAD = 2, _("Division head")
    DIRECTOR = 3, _("Director")
    DIRECTOR_GENERAL = 4, _("Director-general")
    DEPUTY_MAYOR = 5, _("Deputy mayor")
    MAYOR = 6, _("Mayor")


# A context, as "Open" (a link) and "Closed" (a report) read otherwise in Korean.
class Disclosure(models.TextChoices):
    OPEN = "open", pgettext_lazy("disclosure", "Open")
    PARTIAL = "partial", pgettext_lazy("disclosure", "Partly open")
    CLOSED = "closed", pgettext_lazy("disclosure", "Closed")


# The classes a member of the public may see a document of (withheld parts removed).
PUBLIC_CLASSES = (Disclosure.OPEN, Disclosure.PARTIAL)


class Category(BilingualName):
    """The profile's category taxonomy (two levels: a theme and its topics)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="plaza_category_code_unique")
        ]


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """An administrative document as the public sees it once published: `title`, `summary` and
    `body` hold the masked public text (withheld passages cut out, see WithheldPassage)."""

    number = models.CharField(
        _("registration number"), max_length=64, unique=True, help_text=_("As in the DMS")
    )
    doc_type = models.CharField(_("type"), max_length=16, choices=DocumentType.choices)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    approver_level = models.PositiveSmallIntegerField(
        _("approver's level"), choices=ApproverLevel.choices
    )
    approver_title = models.CharField(_("approver's title"), max_length=100, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    body = models.TextField(_("body"), blank=True)
    disclosure = models.CharField(
        _("disclosure"), max_length=8, choices=Disclosure.choices, default=Disclosure.OPEN
    )
    # A code of the profile's [[plaza.legal_grounds]]; required when not open.
    legal_ground = models.CharField(_("legal ground"), max_length=64, blank=True)
    produced_on = models.DateField(_("produced on"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    publish_at = models.DateTimeField(_("to be published at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)
    masked_count = models.PositiveIntegerField(default=0)
    # A decision published by another service: where it came from (one document per source)
    # and the page it links back to.
    source_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    source_url = models.CharField(max_length=300, blank=True)
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="documents")
    view_count = models.PositiveBigIntegerField(default=0)
    download_count = models.PositiveBigIntegerField(default=0)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="plaza_doc_newest"),
            models.Index(fields=["department", "-published_at"], name="plaza_doc_department"),
            models.Index(fields=["doc_type", "-published_at"], name="plaza_doc_type"),
            models.Index(fields=["category", "-published_at"], name="plaza_doc_category"),
            models.Index(
                fields=["publish_at"],
                name="plaza_doc_due",
                condition=Q(published_at__isnull=True, publish_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(disclosure=Disclosure.OPEN) | ~Q(legal_ground=""),
                name="plaza_doc_ground_when_withheld",
            ),
            models.CheckConstraint(
                condition=~Q(disclosure=Disclosure.CLOSED) | Q(published_at__isnull=True),
                name="plaza_doc_closed_never_published",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The public page (a 404 unless the document is public)."""
        return reverse("plaza:document", args=[self.pk])


class WithheldPassage(models.Model):
    """A passage of a partly open document kept from the public, with its legal ground. Only
    officials of the department read it; the public body shows a marker in its place."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="withheld")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    legal_ground = models.CharField(max_length=64)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.legal_ground


class TextStatus(models.TextChoices):
    EXTRACTED = "extracted", _("Text extracted")
    ENCRYPTED = "encrypted", _("Text not extracted: the file is encrypted")
    UNREADABLE = "unreadable", _("Text not extracted: the file could not be read")
    NO_TEXT = "no_text", _("Text not extracted: the file holds no text")
    NOT_SUPPORTED = "unsupported", _("Text not extracted from this kind of file")


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    order = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="plaza/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, help_text=_("Extracted for search, masked"))
    text_status = models.CharField(max_length=12, choices=TextStatus.choices)
    # Withheld attachments of a partly open document are listed with their ground, never served.
    withheld = models.BooleanField(default=False)
    legal_ground = models.CharField(max_length=64, blank=True)
    download_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withheld=False) | ~Q(legal_ground=""),
                name="plaza_attachment_ground_when_withheld",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class SearchChunk(models.Model):
    """A public document's search terms (search_terms.chunks), written when it is published and
    deleted when it is withdrawn or closed: the index holds public text only. SQLite indexes
    them in the FTS5 table `plaza_search_fts`; PostgreSQL with a GIN index on a tsvector."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    part = models.PositiveIntegerField()
    title_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "part"], name="plaza_chunk_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}/{self.part}"


# --- meetings ------------------------------------------------------------------------------------


class Committee(BilingualName):
    """A body that meets (OParl: organization): a council committee, a review board."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=64, blank=True)
    # OParl's `created` and `modified` (harvesters fetch what changed since their last visit).
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=300)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(blank=True, help_text=_("Masked"))
    # Closed meetings exist (personnel, security); they are never listed publicly.
    disclosure = models.CharField(max_length=8, choices=Disclosure.choices, default="open")
    legal_ground = models.CharField(max_length=64, blank=True)
    record = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Saved again whenever its agenda, attendees, videos or minutes change (OParl `modified`).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disclosure=Disclosure.OPEN) | ~Q(legal_ground=""),
                name="plaza_meeting_ground_when_withheld",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField()
    number = models.CharField(max_length=16, blank=True)
    title = models.CharField(max_length=300)
    result = models.CharField(max_length=200, blank=True)
    # Where the item starts in the meeting's first video: a chapter mark of the player.
    video_offset_seconds = models.PositiveIntegerField(null=True, blank=True)
    paper = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )

    class Meta:
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="plaza_agenda_order_unique")
        ]

    def __str__(self) -> str:
        return str(self.title)


class Attendee(models.Model):
    """Who attended, by the role they hold (officials are listed by their office)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    role_title = models.CharField(max_length=100)
    name = models.CharField(max_length=100, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_chair = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_chair", "id"]

    def __str__(self) -> str:
        return str(self.role_title)


class VideoClip(models.Model):
    """A meeting's video: uploaded (a core Media video, checked by content) or linked."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="videos")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    media = models.ForeignKey(
        "core.Media", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | Q(media__isnull=False), name="plaza_video_has_source"
            )
        ]

    def __str__(self) -> str:
        return str(self.title)


# --- open data -----------------------------------------------------------------------------------


class Dataset(models.Model):
    """A dataset of statistics or public data (CKAN: a package; DCAT: a dataset)."""

    name = models.SlugField(max_length=100, unique=True, help_text=_("CKAN's name: the URL slug"))
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="datasets"
    )
    license_id = models.CharField(max_length=64)
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    frequency = models.CharField(
        max_length=32, blank=True, help_text=_("ISO 8601 repeat, e.g. P1M")
    )
    temporal_start = models.DateField(null=True, blank=True)
    temporal_end = models.DateField(null=True, blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-modified_at", "name"]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=32)
    media_type = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to="plaza/data/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(file=""), name="plaza_resource_has_source"
            )
        ]

    def __str__(self) -> str:
        return str(self.name)


# --- disclosure requests -------------------------------------------------------------------------


class RequestKind(models.TextChoices):
    DISCLOSURE = "disclosure", _("Disclosure request")
    QUESTION = "question", _("Question about a document")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    EXTENDED = "extended", _("Deadline extended")
    DISCLOSED = "disclosed", _("Disclosed")
    PARTLY_DISCLOSED = "partly", _("Partly disclosed")
    REFUSED = "refused", _("Not disclosed")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", pgettext_lazy("disclosure request", "Withdrawn")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.EXTENDED)


class DisclosureRequest(models.Model):
    """A citizen's request for a closed or missing document, or a question about one. Its
    code, subject and history are public; who asked and their full text are not."""

    code = models.CharField(max_length=16, unique=True)
    kind = models.CharField(max_length=12, choices=RequestKind.choices)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200, help_text=_("Public, masked"))
    description = models.TextField(max_length=4000, help_text=_("Private to the requester"))
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    received_at = models.DateTimeField()
    due_on = models.DateField()
    extended = models.BooleanField(default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True, help_text=_("Public, masked"))
    # The department's handlers were told the deadline is near (reset by an extension); its
    # managers were told it passed.
    due_soon_notified = models.BooleanField(default=False)
    overdue_notified = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["department", "status", "due_on"], name="plaza_request_queue")
        ]

    def __str__(self) -> str:
        return self.code


class RequestEvent(models.Model):
    """A step of a request's public history."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=RequestStatus.choices)
    note = models.TextField(blank=True, help_text=_("Public, masked"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(self.status)
