"""What every service shares: the city and its districts and departments, locations, media,
comments, the audit log and notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A local name and an English one; `display_name` follows the active language."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class City(BilingualName):
    """A loaded city profile. One deployment serves one city (HAMKKE_CITY); WeGO partners'
    profiles may be loaded beside it."""

    slug = models.SlugField(unique=True)
    default_language = models.CharField(max_length=8, default="ko")
    time_zone = models.CharField(max_length=64, default="Asia/Seoul")
    center_lat = models.FloatField()
    center_lon = models.FloatField()
    zoom = models.PositiveSmallIntegerField(default=11)
    boundary = models.JSONField(help_text="GeoJSON geometry of the whole city (WGS84)")
    area_km2 = models.FloatField(default=0)
    profile = models.JSONField(
        default=dict, help_text="The validated profile, read by the services (categories, …)"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "cities"


class District(BilingualName):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts")
    code = models.CharField(max_length=32)
    area_km2 = models.FloatField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="district_code_unique_in_city")
        ]


class DistrictBoundary(models.Model):
    """A district's outline, kept apart from District so that the many reads that load a
    district with its report or location do not fetch and decode its polygon."""

    district = models.OneToOneField(
        District, primary_key=True, on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon (WGS84)")

    def __str__(self) -> str:
        return f"outline of {self.district}"


class Department(BilingualName):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="departments")
    code = models.SlugField(max_length=64)
    email = models.EmailField(blank=True)
    # A district office (gu office) handles its own district's local matters.
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.SET_NULL, related_name="offices"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="department_code_unique_in_city")
        ]


class Location(models.Model):
    """A point in the city. The H3 cells make "what is near" an indexed equality query that
    works alike on SQLite and PostgreSQL."""

    latitude = models.FloatField()
    longitude = models.FloatField()
    h3_cell = models.CharField(max_length=16, db_index=True, help_text="H3 cell, fine resolution")
    h3_area = models.CharField(max_length=16, db_index=True, help_text="H3 cell, coarse resolution")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="locations")
    address = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.address or f"{self.latitude:.5f}, {self.longitude:.5f}"


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    VIDEO = "video", _("video")


class Media(models.Model):
    """An upload that passed the content checks: photos re-encoded without metadata, videos
    checked by their container. Attached to any object."""

    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    file = models.FileField(upload_to="media/%Y/%m/")
    thumbnail = models.ImageField(upload_to="thumbs/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")
    created_at = models.DateTimeField(auto_now_add=True)

    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The media route finds the upload behind every file it is asked for by its name.
            models.Index(fields=["file"], name="core_media_file_idx"),
            models.Index(fields=["thumbnail"], name="core_media_thumbnail_idx"),
        ]
        verbose_name_plural = "media"

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def url(self) -> str:
        """Public address: the site's media route (MEDIA_URL + the stored name) on local disk
        and on S3 alike, which serves the file only while this person may see it."""
        return self.file.url if self.file else ""

    @property
    def thumbnail_url(self) -> str:
        return self.thumbnail.url if self.thumbnail else ""


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", _("visible")
    HIDDEN = "hidden", _("hidden by a moderator")


class Comment(models.Model):
    """A comment on any object (an idea, a report, a project), moderated in one place."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    target = GenericForeignKey("target_type", "target_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField(max_length=4000)
    status = models.CharField(
        max_length=16, choices=CommentStatus.choices, default=CommentStatus.VISIBLE
    )
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.body[:60]}"

    @property
    def is_hidden(self) -> bool:
        return self.status == CommentStatus.HIDDEN


class CommentReport(models.Model):
    """A person's flag on a comment; enough of them put it in the moderators' queue."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_person")
        ]
        indexes = [models.Index(fields=["resolved", "comment"])]

    def __str__(self) -> str:
        return f"{self.reason[:60]} (#{self.comment_id})"


class AuditEntryQuerySet(models.QuerySet):
    """The audit log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """One official action: who did what to which object, when, and from where."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, help_text="Kept if the account is deleted")
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        # An invariant, not business logic: an entry once written never changes.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")


class Notification(models.Model):
    """A message to one person. `in_site` is off when the person only wants the email: the row
    then exists to carry the email and is not listed on their page."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    in_site = models.BooleanField(default=True)
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "in_site", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Per person and per kind of notification; without a row, both channels are on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    in_site = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return self.kind


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("email")
    TEXT = "text", _("text message")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("given up after every try")
    EXPIRED = "expired", _("no longer worth sending")


class OutboxMessage(models.Model):
    """An email or a text message the city owes someone (core/outbox). Written in the
    transaction of whatever warrants it; sent after the commit, and retried until the backend
    accepts it. The content is erased once it is sent, expired or given up: the outbox is a
    queue, not an archive."""

    channel = models.CharField(max_length=8, choices=OutboxChannel.choices)
    recipient = models.CharField(max_length=500, help_text="Email addresses or a phone number")
    subject = models.CharField(max_length=300, blank=True)
    # The message as the backend needs it: for an email its body, alternatives, headers and
    # envelope; for a text message its text.
    payload = models.JSONField(default=dict, blank=True)
    # The notification whose email this is, so the notification can say it was emailed.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    status = models.CharField(
        max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # While a sender holds the message; a sender that died lets go when this passes.
    claimed_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Not sent after this (a one-time code's own expiry)"
    )
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["status", "created_at"], name="outbox_by_age"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.status})"


class IdempotencyKey(models.Model):
    """The first answer to a POST that carried an `Idempotency-Key` (core/idempotency.py), so a
    retry of the same request gets the same answer instead of doing the work twice. The row is
    written in the transaction of the work itself: a second request with the same key waits for
    the first to commit (or roll back) on the unique constraint."""

    scope = models.CharField(max_length=64, help_text="Which endpoint")
    client = models.CharField(
        max_length=64, help_text="Keyed hash of the API key, account or address"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the request's content")
    # Empty only inside the transaction that does the work; never committed empty.
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client", "key"], name="one_answer_per_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportJob(models.Model):
    """One file imported into an app's registry (core/imports): checked first without storing
    anything, then, once an official confirms, imported in batches that each commit with the
    job's progress, so a page can show a progress bar. The file is kept until the import ends;
    the rejected rows (their cells as the file had them, and why) stay for the report."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    # Which app's importer (ServiceAppConfig.importers) and its choices ({"layer": "chargers"}).
    importer = models.CharField(max_length=32)
    options = models.JSONField(default=dict, blank=True)
    file_name = models.CharField(max_length=200)
    data = models.BinaryField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    # Of the last phase (the check's "would add", or the import's "added").
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"line", "ref", "field", "message", "cells": {column: value}}, …] and the file's columns.
    problems = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=list, blank=True)
    # What the importer noticed about the whole file ("latitude and longitude swapped").
    notes = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Moved on by every batch: a running job not moved for long has lost its worker.
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["importer", "-created_at"], name="import_jobs_recent")]

    def __str__(self) -> str:
        return f"{self.importer} #{self.pk} {self.file_name} ({self.status})"
