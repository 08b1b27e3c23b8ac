"""Every write of the Smart Complaint Report: filing, following, routing, the officials'
workflow, the reporter's rating and reopening, moderation, SLA escalation and the back office
(categories switched off, response templates, apps' keys). Who may act is asked of
complaints.policies; whoever acts is an Actor (a plain user is accepted too)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts import services as accounts_services
from hamkke.accounts.models import Role, User
from hamkke.complaints import policies, selectors, workflow
from hamkke.complaints.models import (
    CLOSED_STATUSES,
    ApiClient,
    Category,
    CategoryGroup,
    Channel,
    Complaint,
    ComplaintEvent,
    Follow,
    ResponseTemplate,
    RouteOverride,
    Status,
    hash_api_key,
)
from hamkke.core import codes
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.services import locate
from hamkke.core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hamkke.core.media.services import attach_media, store_photo, store_video
from hamkke.core.models import City, Department, District, Media
from hamkke.core.notifications.services import notify
from hamkke.core.outbox import services as outbox_services
from hamkke.plaza import services as plaza_services

logger = logging.getLogger(__name__)
MAX_PHOTOS = 5
MAX_VIDEOS = 1
MAX_DESCRIPTION = 4000


# --- the profile -----------------------------------------------------------------------------


def load_categories(*, city: City) -> None:
    """Turn the profile's complaint groups, categories and routes into rows (idempotent).
    Categories dropped from the profile are deactivated, not deleted: old reports keep them."""
    section = city.profile.get("complaints", {})
    departments = {d.code: d for d in city.departments.all()}
    districts = {d.code: d for d in city.districts.all()}
    groups = {}
    for order, group in enumerate(section.get("groups", [])):
        groups[group["code"]], _created = CategoryGroup.objects.update_or_create(
            city=city,
            code=group["code"],
            defaults={"name": group["name"], "name_en": group.get("name_en", ""), "order": order},
        )
    seen = []
    for order, item in enumerate(section.get("categories", [])):
        category, _created = Category.objects.update_or_create(
            city=city,
            code=item["code"],
            defaults={
                "group": groups[item["group"]],
                "name": item["name"],
                "name_en": item.get("name_en", ""),
                "description": item.get("description", ""),
                "description_en": item.get("description_en", ""),
                "route": item["route"],
                "department": departments.get(item["route"]),
                "sla_days": item["sla_days"],
                "duplicate_radius_m": item.get("duplicate_radius_m", 100),
                "questions": item.get("questions", []),
                "active": True,
                "order": order,
            },
        )
        seen.append(category.pk)
    Category.objects.filter(city=city).exclude(pk__in=seen).update(active=False)
    RouteOverride.objects.filter(category__city=city).delete()
    for route in section.get("routes", []):
        RouteOverride.objects.create(
            category=Category.objects.get(city=city, code=route["category"]),
            district=districts[route["district"]],
            department=departments[route["department"]],
        )


# --- filing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Optional contact details of an anonymous reporter; seen only by officials."""

    name: str = ""
    email: str = ""
    phone: str = ""


def route_for(category: Category, district: District) -> Department:
    """The department that handles a report: a profile override for the district, else the
    category's department, else the district's own office."""
    override = next((o for o in category.overrides.all() if o.district_id == district.pk), None)
    if override is not None:
        return override.department
    if category.department_id is not None:
        return category.department
    office = district.offices.first()
    if office is None:
        raise InvalidInput(
            _("No office handles %(district)s; the city profile needs [district_offices].")
            % {"district": district.display_name}
        )
    return office


def check_answers(category: Category, answers: dict | None) -> dict:
    """Validate answers to the category's extra questions; unknown keys are refused."""
    answers = {k: v for k, v in (answers or {}).items() if v not in (None, "")}
    questions = {q["code"]: q for q in category.questions}
    unknown = sorted(set(answers) - set(questions))
    if unknown:
        raise InvalidInput(
            _("%(category)s has no question %(codes)s.")
            % {"category": category.display_name, "codes": ", ".join(unknown)},
            field="answers",
        )
    clean = {}
    for code, question in questions.items():
        label = _question_label(question)
        value = answers.get(code)
        if value is None:
            if question.get("required"):
                raise InvalidInput(
                    _("Please answer: %(question)s.") % {"question": label}, field=code
                )
            continue
        clean[code] = _answer_value(question, value, label)
    return clean


def _question_label(question: dict) -> str:
    """The question as the person reads it: English on English pages when there is one."""
    if (get_language() or "").startswith("en") and question.get("label_en"):
        return question["label_en"]
    return question["label"]


def _answer_value(question: dict, value, label: str):
    kind = question.get("type", "text")
    if kind == "number":
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("%(question)s must be a number.") % {"question": label}, field=question["code"]
            ) from exc
    if kind == "boolean":
        text = str(value).strip().lower()
        if text not in {"true", "false", "1", "0", "yes", "no"}:
            raise InvalidInput(
                _("%(question)s must be yes or no.") % {"question": label},
                field=question["code"],
            )
        return text in {"true", "1", "yes"}
    if kind == "choice":
        if str(value) not in question["choices"]:
            raise InvalidInput(
                _("%(question)s must be one of: %(choices)s.")
                % {"question": label, "choices": ", ".join(question["choices"])},
                field=question["code"],
            )
        return str(value)
    text = str(value).strip()
    if len(text) > 500:
        raise InvalidInput(
            _("%(question)s: at most 500 characters.") % {"question": label},
            field=question["code"],
        )
    return text


def _checked_media_url(url: str) -> str:
    url = (url or "").strip()
    if url and (not url.startswith(("https://", "http://")) or len(url) > 500):
        raise InvalidInput(
            _("media_url must be an http(s) address of at most 500 characters."), field="media_url"
        )
    return url


def _new_tracking_number(now: datetime) -> str:
    day = timezone.localtime(now).strftime("%y%m%d")
    # Crockford's base32 (core/codes.py): easy to read out over the phone.
    return f"{day}-" + codes.random_code(5)


def file_complaint(
    *,
    category: Category,
    latitude: float,
    longitude: float,
    description: str,
    reporter: User | None = None,
    address: str = "",
    answers: dict | None = None,
    photos: Sequence[UploadedFile] = (),
    videos: Sequence[UploadedFile] = (),
    contact: Contact = Contact(),
    channel: str = Channel.WEB,
    api_client: ApiClient | None = None,
    device_id: str = "",
    external_media_url: str = "",
    now: datetime | None = None,
) -> Complaint:
    """File a report, route it to its department and start its SLA clock. Nothing is kept if
    any part fails: the transaction rolls back and stored files are removed."""
    description = (description or "").strip()
    if not category.active:
        raise InvalidInput(_("That category is no longer in use."), field="category")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            _("The description is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(description), "max": MAX_DESCRIPTION},
            field="description",
        )
    if not description and not photos:
        raise InvalidInput(_("Describe the problem or add a photo."), field="description")
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("At most %(max)d photos per report.") % {"max": MAX_PHOTOS}, field="photos"
        )
    if len(videos) > MAX_VIDEOS:
        raise InvalidInput(_("At most one video per report."), field="video")
    policies.may_file(reporter).enforce()
    clean_answers = check_answers(category, answers)
    now = now or timezone.now()
    stored: list[Media] = []
    try:
        with transaction.atomic():
            _refuse_a_repeat(
                category.city,
                device_id=device_id,
                description=description,
                latitude=latitude,
                longitude=longitude,
                now=now,
            )
            location = locate(
                latitude=latitude,
                longitude=longitude,
                address=address,
                city=category.city,
            )
            complaint = _insert_complaint(
                category=category,
                location=location,
                description=description,
                answers=clean_answers,
                reporter=reporter,
                contact=contact,
                channel=channel,
                api_client=api_client,
                device_id=device_id,
                external_media_url=_checked_media_url(external_media_url),
                now=now,
            )
            for upload in photos:
                stored.append(store_photo(upload=upload, uploaded_by=reporter))
            for upload in videos:
                stored.append(store_video(upload=upload, uploaded_by=reporter))
            for media in stored:
                attach_media(media=media, target=complaint)
            ComplaintEvent.objects.create(
                complaint=complaint,
                status=Status.RECEIVED,
                department=complaint.department,
                public_note=_("Received and sent to %(department)s.")
                % {"department": complaint.department.display_name},
                created_at=now,
            )
            if reporter is not None:
                _tell_reporter(complaint, _("Your report was received"))
    except BaseException:
        for media in stored:
            _delete_files(media)
        raise
    return complaint


class RepeatedReport(Conflict):
    """The device filed this very report a moment ago (selectors.repeated_report). The API and
    Open311 answer with `original` instead of filing it twice; elsewhere it is a 409."""

    code = "repeated_report"

    def __init__(self, original: Complaint):
        super().__init__(
            _("This device sent the same report a moment ago: %(number)s.")
            % {"number": original.tracking_number}
        )
        self.original = original


def _refuse_a_repeat(city: City, *, device_id: str, now: datetime, **report) -> None:
    """Within the filing's transaction, after any other filing from the same device has
    committed: PostgreSQL takes a lock on the device for the transaction; SQLite already holds
    the database's write lock from BEGIN IMMEDIATE."""
    if not device_id:
        return
    if connection.vendor == "postgresql":
        digest = hashlib.sha256(f"complaints.device:{device_id}".encode()).digest()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
            )
    # The clock read after the lock: a filing that took the lock first may carry a moment later
    # than this request's `now` (both read the clock before waiting), and must still be found.
    original = selectors.repeated_report(
        city, device_id=device_id, now=max(now, timezone.now()), **report
    )
    if original is not None:
        raise RepeatedReport(original)


def _insert_complaint(*, category, location, contact: Contact, now, **fields) -> Complaint:
    department = route_for(category, location.district)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Complaint.objects.create(
                    city_id=category.city_id,
                    category=category,
                    location=location,
                    district=location.district,
                    h3_area=location.h3_area,
                    department=department,
                    tracking_number=_new_tracking_number(now),
                    token=secrets.token_hex(16),
                    created_at=now,
                    updated_at=now,
                    expected_at=workflow.expected_by(now, category.sla_days),
                    contact_name=contact.name[:100],
                    contact_email=contact.email[:254],
                    contact_phone=contact.phone[:32],
                    **fields,
                )
        except IntegrityError:
            continue  # a tracking number collided: draw another
    raise Conflict(_("Could not give the report a tracking number; please try again."))


def _delete_files(media: Media) -> None:
    for field in (media.file, media.thumbnail):
        if field:
            field.storage.delete(field.name)


# --- "me too" --------------------------------------------------------------------------------


@transaction.atomic
def follow_complaint(*, complaint: Complaint, actor: Actor | User) -> Follow:
    """Follow an open report instead of filing the same one again."""
    who = Actor.of(actor)
    if who.user is None:
        raise NotAllowed(_("Log in to follow this report (me too)"))
    policies.may_follow(who, complaint).enforce()
    try:
        with transaction.atomic():
            follow = Follow.objects.create(complaint=complaint, user=who.user)
    except IntegrityError as exc:
        raise Conflict(_("You already follow this report.")) from exc
    Complaint.objects.filter(pk=complaint.pk).update(followers_count=F("followers_count") + 1)
    return follow


# --- officials' workflow ---------------------------------------------------------------------


def _seat(who: Actor, complaint: Complaint) -> policies.Seat:
    return policies.seat_at(who, complaint.department)


@transaction.atomic
def change_status(
    *,
    complaint: Complaint,
    actor: Actor | User,
    status: str,
    public_note: str = "",
    internal_note: str = "",
    duplicate_of: Complaint | None = None,
    department: Department | None = None,
    result_photos: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> ComplaintEvent:
    """Move a report to a new status, as an official of its department."""
    who = Actor.of(actor)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    policies.may_change_status(_seat(who, complaint), complaint, status).enforce()
    public_note, internal_note = public_note.strip(), internal_note.strip()
    if status in workflow.NEEDS_PUBLIC_NOTE and not public_note:
        raise InvalidInput(_("Write the answer the public will see."), field="public_note")
    now = now or timezone.now()
    previous = complaint.status
    if status == Status.DUPLICATE:
        _mark_duplicate(complaint, duplicate_of)
    if status == Status.TRANSFERRED:
        _transfer(complaint, department)
    complaint.status = status
    complaint.is_open = status not in CLOSED_STATUSES
    complaint.updated_at = now
    if status == Status.RESOLVED:
        complaint.resolved_at = now
    if status in (Status.REJECTED, Status.DUPLICATE) and complaint.resolved_at is None:
        complaint.resolved_at = now
    if status == Status.REOPENED:
        complaint.resolved_at = None
        complaint.escalated_at = None
        complaint.expected_at = workflow.expected_by(now, complaint.category.sla_days)
    if public_note:
        complaint.public_answer = public_note
    complaint.save()
    event = ComplaintEvent.objects.create(
        complaint=complaint,
        status=status,
        previous_status=previous,
        public_note=public_note,
        internal_note=internal_note,
        actor=who.user,
        department=complaint.department,
        created_at=now,
    )
    stored = []
    try:
        for upload in result_photos:
            media = store_photo(upload=upload, uploaded_by=who.user)
            stored.append(media)
            attach_media(media=media, target=event)
    except BaseException:
        for media in stored:
            _delete_files(media)
        raise
    record_audit(
        actor=who,
        action=f"complaint.{status}",
        target=complaint,
        data={"from": previous, "to": status, "department": complaint.department.code},
    )
    # In this transaction: the notifications and the outbox's messages commit with the change.
    _tell_everyone(
        complaint, _("Your report is now: %(status)s") % {"status": Status(status).label}
    )
    if status == Status.RESOLVED:
        _publish_result(complaint, now)
    return event


def _publish_result(complaint: Complaint, now: datetime) -> None:
    """A resolved report's answer made public on the Plaza at once, when the profile's
    `[plaza] publish_complaint_results` says so: the category, the number and the public
    answer only (nothing of the reporter), linking back to the report's page. A report hidden
    by a moderator is not published."""
    if complaint.hidden or not plaza_services.plaza_settings().publish_complaint_results:
        return
    with translation.override(complaint.city.default_language):
        title = _("Report result: %(category)s (%(number)s)") % {
            "category": complaint.category.name,
            "number": complaint.tracking_number,
        }
    plaza_services.publish_decision(
        source_key=plaza_services.decision_source(complaint),
        title=title,
        body=complaint.public_answer,
        department=complaint.department,
        url=reverse("complaints:detail", args=[complaint.tracking_number]),
        decided_at=now,
    )


def _mark_duplicate(complaint: Complaint, original: Complaint | None) -> None:
    if original is None:
        raise InvalidInput(_("Name the report this one duplicates."), field="duplicate_of")
    if original.pk == complaint.pk or original.duplicate_of_id == complaint.pk:
        raise InvalidInput(_("A report cannot duplicate itself."), field="duplicate_of")
    if original.city_id != complaint.city_id:
        raise NotFound(_("No such report."))
    complaint.duplicate_of = original.duplicate_of or original


def _transfer(complaint: Complaint, department: Department | None) -> None:
    if department is None or department.city_id != complaint.city_id:
        raise InvalidInput(_("Choose the department to transfer to."), field="department")
    if department.pk == complaint.department_id:
        raise InvalidInput(_("The report is already with that department."), field="department")
    complaint.department = department
    complaint.handler = None


@transaction.atomic
def assign_handler(*, complaint: Complaint, actor: Actor | User, handler: User | None) -> Complaint:
    """A manager gives a report to one of the department's handlers (or takes it back)."""
    who = Actor.of(actor)
    policies.may_assign(_seat(who, complaint)).enforce()
    if handler is not None and not account_selectors.holds_role_in(
        handler, complaint.department, least=Role.HANDLER
    ):
        raise InvalidInput(
            _("%(person)s is not a handler in %(department)s.")
            % {"person": handler.public_name, "department": complaint.department.display_name},
            field="handler",
        )
    Complaint.objects.filter(pk=complaint.pk).update(handler=handler, updated_at=timezone.now())
    complaint.handler = handler
    record_audit(
        actor=who,
        action="complaint.assign",
        target=complaint,
        data={"handler": handler.pk if handler else None},
    )
    return complaint


# --- the reporter ----------------------------------------------------------------------------


@transaction.atomic
def rate_answer(
    *, complaint: Complaint, actor: Actor | User, rating: int, comment: str = ""
) -> Complaint:
    """The reporter rates the city's answer (1 to 5), and may change the rating later."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    policies.may_rate(actor, complaint).enforce()
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Rate the answer from 1 to 5."), field="rating")
    complaint.rating = rating
    complaint.rating_comment = comment.strip()[:500]
    complaint.save(update_fields=["rating", "rating_comment"])
    return complaint


@transaction.atomic
def reopen_by_reporter(
    *, complaint: Complaint, actor: Actor | User, reason: str, now: datetime | None = None
) -> ComplaintEvent:
    """The reporter asks for a further answer or reopens, within the profile's window."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    now = now or timezone.now()
    reopen_days = selectors.reopen_days(complaint.city)
    policies.may_reopen(actor, complaint, now=now, reopen_days=reopen_days).enforce()
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the answer is not enough."), field="reason")
    previous = complaint.status
    complaint.status = Status.REOPENED
    complaint.is_open = True
    complaint.resolved_at = None
    complaint.escalated_at = None
    complaint.updated_at = now
    complaint.expected_at = workflow.expected_by(now, complaint.category.sla_days)
    complaint.save()
    return ComplaintEvent.objects.create(
        complaint=complaint,
        status=Status.REOPENED,
        previous_status=previous,
        public_note=reason[:4000],
        department=complaint.department,
        created_at=now,
    )


# --- moderation ------------------------------------------------------------------------------


@transaction.atomic
def moderate_complaint(
    *,
    complaint: Complaint,
    actor: Actor | User,
    hidden: bool | None = None,
    description: str | None = None,
    reason: str,
) -> Complaint:
    """Hide a report from the public or edit out what must not be published."""
    who = Actor.of(actor)
    policies.may_moderate(_seat(who, complaint)).enforce()
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the moderation."), field="reason")
    changes = {}
    if hidden is not None:
        complaint.hidden = hidden
        changes["hidden"] = hidden
    if description is not None:
        if not description.strip() or len(description) > MAX_DESCRIPTION:
            raise InvalidInput(
                _("The edited text must be 1 to 4,000 characters."), field="description"
            )
        changes["description_before"] = complaint.description
        complaint.description = description.strip()
    complaint.save()
    record_audit(
        actor=who,
        action="complaint.moderate",
        target=complaint,
        data={**changes, "reason": reason.strip()},
    )
    return complaint


@transaction.atomic
def set_photo_hidden(
    *, complaint: Complaint, media: Media, actor: Actor | User, hidden: bool, reason: str
) -> None:
    """Hide a report's photo from the public (a face, a number plate), or show it again."""
    who = Actor.of(actor)
    policies.may_hide_media(_seat(who, complaint), complaint, media).enforce()
    Media.objects.filter(pk=media.pk).update(hidden=hidden)
    record_audit(
        actor=who,
        action="complaint.hide_photo" if hidden else "complaint.show_photo",
        target=complaint,
        data={"media": media.pk, "reason": reason.strip()},
    )


# --- SLA -------------------------------------------------------------------------------------


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Flag open reports past their expected date once and tell the department's managers."""
    now = now or timezone.now()
    overdue = Complaint.objects.filter(is_open=True, expected_at__lt=now, escalated_at=None)
    count = 0
    for complaint in overdue.select_related("department", "category").iterator(chunk_size=500):
        with transaction.atomic():
            updated = Complaint.objects.filter(pk=complaint.pk, escalated_at=None).update(
                escalated_at=now
            )
            if not updated:
                continue  # another worker took it
            managers = account_selectors.officials_of([complaint.department_id], least=Role.MANAGER)
            for manager in managers:
                notify(
                    recipient=manager,
                    kind="complaints.overdue",
                    title=_("Overdue report %(number)s") % {"number": complaint.tracking_number},
                    body=_("%(category)s, expected by %(date)s.")
                    % {
                        "category": complaint.category.display_name,
                        "date": timezone.localtime(complaint.expected_at).strftime("%Y-%m-%d"),
                    },
                    url=f"/complaints/desk/{complaint.tracking_number}/",
                )
            record_audit(
                actor=None,
                action="complaint.escalate",
                target=complaint,
                data={"expected_at": complaint.expected_at.isoformat()},
            )
            count += 1
    return count


# --- API clients -----------------------------------------------------------------------------


@transaction.atomic
def create_api_client(*, name: str, actor: Actor | User | None = None) -> tuple[ApiClient, str]:
    """Issue a key to an app. The key is returned once; only its hash is kept."""
    who = Actor.of(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the app the key is for."), field="name")
    if ApiClient.objects.filter(name=name).exists():
        raise Conflict(_("An app named %(name)s already has a key.") % {"name": name})
    key = secrets.token_urlsafe(24)
    client = ApiClient.objects.create(
        name=name, key_prefix=key[:8], key_hash=hash_api_key(key), created_by=who.user
    )
    record_audit(actor=who, action="complaints.api_key_created", target=client)
    return client, key


@transaction.atomic
def set_api_client_active(
    *, client: ApiClient, active: bool, actor: Actor | User | None = None
) -> ApiClient:
    """Revoke an app's key (its reports keep naming it), or restore it."""
    ApiClient.objects.filter(pk=client.pk).update(active=active)
    client.active = active
    record_audit(
        actor=actor,
        action="complaints.api_key_restored" if active else "complaints.api_key_revoked",
        target=client,
    )
    return client


# --- the back office -------------------------------------------------------------------------


@transaction.atomic
def set_category_active(
    *, category: Category, active: bool, actor: Actor | User | None = None
) -> Category:
    """Stop new reports in a category (or allow them again). Everything else about a category
    comes from the city profile and is overwritten by its next load."""
    changed = Category.objects.filter(pk=category.pk).exclude(active=active).update(active=active)
    category.active = active
    if changed:
        record_audit(
            actor=actor,
            action="complaints.category_activated" if active else "complaints.category_deactivated",
            target=category,
        )
    return category


@transaction.atomic
def save_response_template(
    *, template: ResponseTemplate, actor: Actor | User | None = None
) -> ResponseTemplate:
    """Write a ready answer officials start from (a new one, or changes to one)."""
    created = template.pk is None
    template.save()
    record_audit(
        actor=actor,
        action="complaints.template_created" if created else "complaints.template_changed",
        target=template,
        data={"title": template.title, "status": template.status},
    )
    return template


@transaction.atomic
def delete_response_template(
    *, template: ResponseTemplate, actor: Actor | User | None = None
) -> None:
    record_audit(
        actor=actor,
        action="complaints.template_deleted",
        target=template,
        data={"title": template.title},
    )
    template.delete()


# --- notifications ---------------------------------------------------------------------------


def _tell_reporter(complaint: Complaint, title: str) -> None:
    """An account gets its notifications by its preferences; an anonymous reporter who left
    contact details gets an email and a text message."""
    url = f"/complaints/{complaint.tracking_number}/"
    if complaint.reporter_id:
        notify(
            recipient=complaint.reporter,
            kind="complaints.status",
            title=title,
            body=complaint.tracking_number,
            url=url,
        )
        return
    text = f"{title} ({complaint.tracking_number}) {settings.HAMKKE_SITE_URL.rstrip('/')}{url}"
    # Through the outbox: written with the change, sent after it commits, retried if need be.
    if complaint.contact_email:
        outbox_services.queue_email(to=[complaint.contact_email], subject=title, body=text)
    if complaint.contact_phone:
        outbox_services.queue_text(phone=complaint.contact_phone, text=text)


def _tell_everyone(complaint: Complaint, title: str) -> None:
    _tell_reporter(complaint, title)
    for follow in Follow.objects.filter(complaint=complaint).select_related("user"):
        notify(
            recipient=follow.user,
            kind="complaints.status",
            title=title,
            body=complaint.tracking_number,
            url=f"/complaints/{complaint.tracking_number}/",
        )


def forget_reporter(user: User) -> None:
    """On account deletion: the reports stay (the city acted on them) without their reporter
    or the reporter's contact details and rating comment."""
    Complaint.objects.filter(reporter=user).update(
        reporter=None, contact_name="", contact_email="", contact_phone="", rating_comment=""
    )


# --- officials' desk ---


@transaction.atomic
def ban_reporter(*, complaint: Complaint, actor: Actor | User, reason: str) -> User:
    """A manager of the report's department bans the account that filed an abusive report.
    The ban is the account's (accounts.services.ban_account); the report's log notes it too."""
    who = Actor.of(actor)
    policies.may_ban_reporter(_seat(who, complaint), complaint).enforce()
    user = accounts_services.ban_account(actor=who, user=complaint.reporter, reason=reason)
    record_audit(
        actor=who,
        action="complaint.ban_reporter",
        target=complaint,
        data={"reason": user.ban_reason},
    )
    return user


@transaction.atomic
def unban_reporter(*, complaint: Complaint, actor: Actor | User) -> User:
    """A manager of the report's department lifts the ban on the account that filed it."""
    who = Actor.of(actor)
    policies.may_unban_reporter(_seat(who, complaint), complaint).enforce()
    user = accounts_services.unban_account(actor=who, user=complaint.reporter)
    record_audit(actor=who, action="complaint.unban_reporter", target=complaint)
    return user


class BulkAction(StrEnum):
    ACCEPT = "accept"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    CLOSE = "close"


BULK_LIMIT = 200
_BULK_STATUS = {
    BulkAction.ACCEPT: Status.ACCEPTED,
    BulkAction.TRANSFER: Status.TRANSFERRED,
    BulkAction.CLOSE: Status.CLOSED,
}


@dataclass(frozen=True)
class BulkResult:
    """Which reports a bulk action was done to, and which it was refused for and why."""

    succeeded: list[str]
    failed: list[tuple[str, str]]


def act_in_bulk(
    *,
    actor: Actor | User,
    tracking_numbers: Sequence[str],
    action: str,
    handler: User | None = None,
    department: Department | None = None,
    public_note: str = "",
    internal_note: str = "",
) -> BulkResult:
    """One action on many reports, each through the same service as a single report and in
    its own transaction: a refusal for one report (a move the workflow does not allow, a
    department the official does not work in) leaves the others done."""
    try:
        action = BulkAction(action)
    except ValueError as exc:
        raise InvalidInput(_("Choose what to do with the reports."), field="action") from exc
    numbers = list(dict.fromkeys(n.strip().upper() for n in tracking_numbers if n.strip()))
    if not numbers:
        raise InvalidInput(_("Select at least one report."), field="tracking_numbers")
    if len(numbers) > BULK_LIMIT:
        raise InvalidInput(
            _("At most %(max)d reports at a time.") % {"max": BULK_LIMIT},
            field="tracking_numbers",
        )
    if action == BulkAction.ASSIGN and handler is None:
        raise InvalidInput(_("Choose the handler to assign the reports to."), field="handler")
    if action == BulkAction.TRANSFER and department is None:
        raise InvalidInput(_("Choose the department to transfer to."), field="department")
    found = Complaint.objects.select_related("department", "category").in_bulk(
        numbers, field_name="tracking_number"
    )
    succeeded, failed = [], []
    for number in numbers:
        complaint = found.get(number)
        if complaint is None:
            failed.append((number, _("No report with number %(number)s.") % {"number": number}))
            continue
        try:
            if action == BulkAction.ASSIGN:
                assign_handler(complaint=complaint, actor=actor, handler=handler)
            else:
                change_status(
                    complaint=complaint,
                    actor=actor,
                    status=_BULK_STATUS[action],
                    public_note=public_note,
                    internal_note=internal_note,
                    department=department if action == BulkAction.TRANSFER else None,
                )
        except DomainError as exc:
            failed.append((number, exc.message))
        else:
            succeeded.append(number)
    return BulkResult(succeeded=succeeded, failed=failed)
