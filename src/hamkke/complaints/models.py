"""Smart Complaint Report: categories from the city profile, reports, their public history,
followers ("me too"), response templates and the API clients that file through Open311."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hamkke.core.models import BilingualName


class CategoryGroup(BilingualName):
    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="complaint_group_code_unique")
        ]


class Category(BilingualName):
    """A kind of report (Open311: a service). Loaded from the city profile."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(CategoryGroup, on_delete=models.PROTECT, related_name="categories")
    code = models.SlugField(max_length=64)
    description = models.CharField(max_length=500, blank=True)
    description_en = models.CharField(max_length=500, blank=True)
    # "district" sends reports to the office of the district they are in; else a department.
    route = models.CharField(max_length=64)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sla_days = models.PositiveSmallIntegerField()
    duplicate_radius_m = models.PositiveIntegerField(default=100)
    questions = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group__order", "order", "code"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="complaint_category_code_unique")
        ]


class RouteOverride(models.Model):
    """From the profile: reports of this category in this district go to this department."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="overrides")
    district = models.ForeignKey("core.District", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("core.Department", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "district"], name="one_route_per_district")
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.district} → {self.department}"


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    REJECTED = "rejected", _("rejected")
    DUPLICATE = "duplicate", _("duplicate")
    TRANSFERRED = "transferred", _("transferred")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")


# Open311 knows only "open" and "closed".
OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ACCEPTED, Status.IN_PROGRESS, Status.TRANSFERRED, Status.REOPENED}
)
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED, Status.DUPLICATE, Status.CLOSED})


class Channel(models.TextChoices):
    WEB = "web", _("website")
    OPEN311 = "open311", _("app (Open311)")
    SENSOR = "sensor", _("sensor")
    OFFICIAL = "official", _("entered by an official")


def hash_api_key(key: str) -> str:
    """What is stored of an app's key, and what a key sent with a request is compared by."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """An app allowed to file reports through Open311. Only a hash of its key is stored."""

    name = models.CharField(max_length=100, unique=True)
    key_prefix = models.CharField(max_length=8, help_text="First characters, to recognise a key")
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Complaint(models.Model):
    """A citizen's report. Contact details and the reporter never leave the officials' screens."""

    city = models.ForeignKey("core.City", on_delete=models.PROTECT, related_name="+")
    tracking_number = models.CharField(max_length=20, unique=True)
    token = models.CharField(max_length=32, unique=True, help_text="Open311 request token")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    location = models.OneToOneField("core.Location", on_delete=models.PROTECT, related_name="+")
    # Denormalised from the location so that filters by district and map cells need no join.
    district = models.ForeignKey("core.District", on_delete=models.PROTECT, related_name="+")
    h3_area = models.CharField(max_length=16)
    description = models.TextField(max_length=4000)
    answers = models.JSONField(default=dict, blank=True, help_text="Answers to the extra questions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    is_open = models.BooleanField(default=True)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    contact_name = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    api_client = models.ForeignKey(
        ApiClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_id = models.CharField(max_length=100, blank=True)
    external_media_url = models.URLField(
        max_length=500, blank=True, help_text="A photo the app hosts itself (Open311 media_url)"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    public_answer = models.TextField(blank=True, help_text="The city's latest public answer")
    hidden = models.BooleanField(default=False, help_text="Hidden from the public by a moderator")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    expected_at = models.DateTimeField(help_text="When the SLA expects it resolved")
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    followers_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["city", "created_at"]),
            models.Index(fields=["city", "category", "created_at"]),
            models.Index(fields=["city", "is_open", "created_at"]),
            models.Index(fields=["department", "is_open", "expected_at"]),
            models.Index(fields=["district", "created_at"]),
            models.Index(fields=["h3_area"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="duplicate_names_its_original",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.expected_at < timezone.now()


class ComplaintEvent(models.Model):
    """One step in a report's life. `public_note` is shown to everyone, `internal_note` only
    to officials. The actor's department is shown publicly, never the official's name."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=Status.choices)
    previous_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    public_note = models.TextField(blank=True, max_length=4000)
    internal_note = models.TextField(blank=True, max_length=4000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at"])]

    def __str__(self) -> str:
        return f"{self.complaint} → {self.status}"


class Follow(models.Model):
    """ "Me too": a person follows an open report instead of filing the same one again."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.complaint}"


class ResponseTemplate(models.Model):
    """A ready answer officials start from, per category (or for all categories)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="templates"
    )
    status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    title = models.CharField(max_length=100)
    body = models.TextField(max_length=4000)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
