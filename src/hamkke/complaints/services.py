"""Every write of the Smart Complaint Report: filing, following, routing, the officials'
workflow, the reporter's rating and reopening, moderation and SLA escalation."""

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
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.accounts import services as accounts_services
from hamkke.accounts.models import Role, User
from hamkke.accounts.permissions import require_role
from hamkke.accounts.sms import SMSDeliveryError, get_sms_backend
from hamkke.complaints import workflow
from hamkke.complaints.models import (
    CLOSED_STATUSES,
    ApiClient,
    Category,
    CategoryGroup,
    Channel,
    Complaint,
    ComplaintEvent,
    Follow,
    RouteOverride,
    Status,
)
from hamkke.core.audit.services import record_audit
from hamkke.core.city.services import locate
from hamkke.core.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hamkke.core.media.services import attach_media, store_photo, store_video
from hamkke.core.models import City, Department, District, Media
from hamkke.core.notifications.services import notify

logger = logging.getLogger(__name__)
MAX_PHOTOS = 5
MAX_VIDEOS = 1
MAX_DESCRIPTION = 4000
# Crockford's base32 without I, L, O, U: easy to read out over the phone.
_TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


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
    return f"{day}-" + "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(5))


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
    if reporter is not None and reporter.banned_at:
        raise NotAllowed(_("This account may not file reports."))
    clean_answers = check_answers(category, answers)
    now = now or timezone.now()
    stored: list[Media] = []
    try:
        with transaction.atomic():
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
    except BaseException:
        for media in stored:
            _delete_files(media)
        raise
    if reporter is not None:
        transaction.on_commit(lambda: _tell_reporter(complaint, _("Your report was received")))
    return complaint


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
def follow_complaint(*, complaint: Complaint, user: User) -> Follow:
    """Follow an open report instead of filing the same one again."""
    if not complaint.is_open or complaint.hidden:
        raise InvalidInput(_("Only open reports can be followed."))
    if complaint.reporter_id == user.pk:
        raise Conflict(_("This is your own report; you already get its news."))
    try:
        with transaction.atomic():
            follow = Follow.objects.create(complaint=complaint, user=user)
    except IntegrityError as exc:
        raise Conflict(_("You already follow this report.")) from exc
    Complaint.objects.filter(pk=complaint.pk).update(followers_count=F("followers_count") + 1)
    return follow


# --- officials' workflow ---------------------------------------------------------------------


def _require_handler(actor: User, complaint: Complaint, role: int = Role.HANDLER) -> None:
    require_role(actor, role=role, department=complaint.department)


@transaction.atomic
def change_status(
    *,
    complaint: Complaint,
    actor: User,
    status: str,
    public_note: str = "",
    internal_note: str = "",
    duplicate_of: Complaint | None = None,
    department: Department | None = None,
    result_photos: Sequence[UploadedFile] = (),
    request=None,
    now: datetime | None = None,
) -> ComplaintEvent:
    """Move a report to a new status, as an official of its department."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    _require_handler(actor, complaint)
    if not workflow.can_move(complaint.status, status):
        raise Conflict(
            _("A report that is %(current)s cannot become %(target)s.")
            % {"current": Status(complaint.status).label, "target": Status(status).label}
        )
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
        actor=actor,
        department=complaint.department,
        created_at=now,
    )
    stored = []
    try:
        for upload in result_photos:
            media = store_photo(upload=upload, uploaded_by=actor)
            stored.append(media)
            attach_media(media=media, target=event)
    except BaseException:
        for media in stored:
            _delete_files(media)
        raise
    record_audit(
        actor=actor,
        action=f"complaint.{status}",
        target=complaint,
        request=request,
        data={"from": previous, "to": status, "department": complaint.department.code},
    )
    transaction.on_commit(
        lambda: _tell_everyone(
            complaint, _("Your report is now: %(status)s") % {"status": Status(status).label}
        )
    )
    return event


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
def assign_handler(*, complaint: Complaint, actor: User, handler: User | None, request=None):
    """A manager gives a report to one of the department's handlers (or takes it back)."""
    _require_handler(actor, complaint, role=Role.MANAGER)
    if (
        handler is not None
        and not handler.memberships.filter(
            department=complaint.department, role__gte=Role.HANDLER
        ).exists()
    ):
        raise InvalidInput(
            _("%(person)s is not a handler in %(department)s.")
            % {"person": handler.public_name, "department": complaint.department.display_name},
            field="handler",
        )
    Complaint.objects.filter(pk=complaint.pk).update(handler=handler, updated_at=timezone.now())
    complaint.handler = handler
    record_audit(
        actor=actor,
        action="complaint.assign",
        target=complaint,
        request=request,
        data={"handler": handler.pk if handler else None},
    )
    return complaint


# --- the reporter ----------------------------------------------------------------------------


@transaction.atomic
def rate_answer(*, complaint: Complaint, user: User, rating: int, comment: str = "") -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.reporter_id != user.pk:
        raise NotAllowed(_("Only the person who reported it can rate the answer."))
    if complaint.status not in workflow.RATEABLE:
        raise Conflict(_("The report has no answer to rate yet."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Rate the answer from 1 to 5."), field="rating")
    complaint.rating = rating
    complaint.rating_comment = comment.strip()[:500]
    complaint.save(update_fields=["rating", "rating_comment"])
    return complaint


@transaction.atomic
def reopen_by_reporter(
    *, complaint: Complaint, user: User, reason: str, now: datetime | None = None
) -> ComplaintEvent:
    """The reporter asks for a further answer or reopens, within the profile's window."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.reporter_id != user.pk:
        raise NotAllowed(_("Only the person who reported it can reopen it."))
    now = now or timezone.now()
    reopen_days = complaint.city.profile.get("complaints", {}).get("reopen_days", 14)
    if not workflow.reporter_may_reopen(complaint.status, complaint.resolved_at, now, reopen_days):
        raise Conflict(
            _("This report can be reopened only within %(days)d days of its answer.")
            % {"days": reopen_days}
        )
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
    actor: User,
    hidden: bool | None = None,
    description: str | None = None,
    reason: str,
    request=None,
) -> Complaint:
    """Hide a report from the public or edit out what must not be published."""
    _require_handler(actor, complaint, role=Role.MANAGER)
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
        actor=actor,
        action="complaint.moderate",
        target=complaint,
        request=request,
        data={**changes, "reason": reason.strip()},
    )
    return complaint


@transaction.atomic
def set_photo_hidden(
    *, complaint: Complaint, media: Media, actor: User, hidden: bool, reason: str, request=None
) -> None:
    """Hide a report's photo from the public (a face, a number plate), or show it again."""
    _require_handler(actor, complaint, role=Role.MANAGER)
    if media.target_id != str(complaint.pk) or media.target_type.model_class() is not Complaint:
        raise NotFound(_("That photo is not part of this report."))
    Media.objects.filter(pk=media.pk).update(hidden=hidden)
    record_audit(
        actor=actor,
        action="complaint.hide_photo" if hidden else "complaint.show_photo",
        target=complaint,
        request=request,
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
            managers = User.objects.filter(
                memberships__department=complaint.department,
                memberships__role__gte=Role.MANAGER,
            ).distinct()
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


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_client(*, name: str, created_by: User | None = None) -> tuple[ApiClient, str]:
    """Issue a key to an app. The key is returned once; only its hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the app the key is for."), field="name")
    if ApiClient.objects.filter(name=name).exists():
        raise Conflict(_("An app named %(name)s already has a key.") % {"name": name})
    key = secrets.token_urlsafe(24)
    client = ApiClient.objects.create(
        name=name, key_prefix=key[:8], key_hash=hash_api_key(key), created_by=created_by
    )
    return client, key


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
    if complaint.contact_email:
        send_mail(title, text, None, [complaint.contact_email], fail_silently=True)
    if complaint.contact_phone:
        try:
            get_sms_backend().send(complaint.contact_phone, text)
        except SMSDeliveryError:
            logger.warning("could not text the reporter of %s", complaint.tracking_number)


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
def ban_reporter(*, complaint: Complaint, actor: User, reason: str, request=None) -> User:
    """A manager of the report's department bans the account that filed an abusive report.
    The ban is the account's (accounts.services.ban_account); the report's log notes it too."""
    _require_handler(actor, complaint, role=Role.MANAGER)
    if complaint.reporter_id is None:
        raise InvalidInput(_("This report was filed without an account: there is none to ban."))
    user = accounts_services.ban_account(
        actor=actor, user=complaint.reporter, reason=reason, request=request
    )
    record_audit(
        actor=actor,
        action="complaint.ban_reporter",
        target=complaint,
        request=request,
        data={"reason": user.ban_reason},
    )
    return user


@transaction.atomic
def unban_reporter(*, complaint: Complaint, actor: User, request=None) -> User:
    _require_handler(actor, complaint, role=Role.MANAGER)
    if complaint.reporter_id is None:
        raise InvalidInput(_("This report was filed without an account."))
    user = accounts_services.unban_account(actor=actor, user=complaint.reporter, request=request)
    record_audit(actor=actor, action="complaint.unban_reporter", target=complaint, request=request)
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
    actor: User,
    tracking_numbers: Sequence[str],
    action: str,
    handler: User | None = None,
    department: Department | None = None,
    public_note: str = "",
    internal_note: str = "",
    request=None,
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
                assign_handler(complaint=complaint, actor=actor, handler=handler, request=request)
            else:
                change_status(
                    complaint=complaint,
                    actor=actor,
                    status=_BULK_STATUS[action],
                    public_note=public_note,
                    internal_note=internal_note,
                    department=department if action == BulkAction.TRANSFER else None,
                    request=request,
                )
        except DomainError as exc:
            failed.append((number, exc.message))
        else:
            succeeded.append(number)
    return BulkResult(succeeded=succeeded, failed=failed)
