"""Writes of accounts: the profile, identity verification by phone code and by census, the
census upload, departments' members and account deletion. Each is one transaction and raises
domain errors; officials' actions check the role themselves and write an audit entry."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hamkke.accounts import identity, policies, selectors
from hamkke.accounts.census import CensusProblem, read_census_csv
from hamkke.accounts.models import (
    CensusRecord,
    Membership,
    PhoneChallenge,
    Role,
    User,
    VerificationLock,
    VerificationMethod,
    VerifiedIdentity,
)
from hamkke.accounts.permissions import require_member_manager, require_role
from hamkke.accounts.personal_data import erase_personal_data
from hamkke.accounts.sms import SMSDeliveryError
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidUpload,
    NotAllowed,
    NotFound,
    TooManyAttempts,
)
from hamkke.core.models import AuditEntry, Department
from hamkke.core.outbox import services as outbox_services

# Sending codes: at most one a minute and five an hour, per person and per phone number. They
# are counted in the database so every web process sees the same count; django-ratelimit in
# front of the views limits the requests themselves as well.
CODE_RESEND_SECONDS = 60
CODES_PER_HOUR = 5
# A census file with many bad rows lists this many; the count says how many more there are.
PROBLEMS_LISTED = 50
_BULK_BATCH = 1000


# --- profile -----------------------------------------------------------------------------------


@transaction.atomic
def update_profile(*, user: User, display_name: str) -> User:
    """Change the name other people see. Spaces are tidied; empty means "Citizen"."""
    name = " ".join((display_name or "").split())
    if len(name) > 80:
        raise InvalidInput(_("A display name has at most 80 characters."), field="display_name")
    user.display_name = name
    user.save(update_fields=["display_name"])
    return user


# --- verification: the shared count of wrong tries ------------------------------------------


def _attempts_of(user: User) -> VerificationLock:
    """The person's row of wrong tries, locked until the transaction ends so two requests at
    once cannot both take the last try."""
    VerificationLock.objects.get_or_create(user=user)
    return VerificationLock.objects.select_for_update().get(user=user)


def _refuse_if_locked(lock: VerificationLock, *, now: datetime) -> None:
    if lock.until is not None and lock.until > now:
        seconds = math.ceil((lock.until - now).total_seconds())
        raise TooManyAttempts(
            _wait_message(seconds), retry_after=seconds, code="verification_locked"
        )


def _wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many wrong tries. Please wait %(minutes)d minute before trying again.",
        "Too many wrong tries. Please wait %(minutes)d minutes before trying again.",
        minutes,
    ) % {"minutes": minutes}


def _count_failure(
    lock: VerificationLock, *, now: datetime, message: str, field: str | None
) -> DomainError:
    """Count one wrong try and return the error to raise once the count is committed: raised
    inside the transaction, it would roll the count back and leave guessing unlimited."""
    failures = selectors.recent_failures(lock, now=now) + 1
    if failures >= settings.HAMKKE_OTP_MAX_ATTEMPTS:
        wait = settings.HAMKKE_OTP_LOCK_SECONDS
        lock.failures, lock.last_failure_at = 0, None
        lock.until = now + timedelta(seconds=wait)
        lock.save(update_fields=["failures", "last_failure_at", "until"])
        # A code sent before the lock must not be usable after it.
        PhoneChallenge.objects.filter(
            user_id=lock.user_id, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        return TooManyAttempts(_wait_message(wait), retry_after=wait, code="verification_locked")
    lock.failures, lock.last_failure_at = failures, now
    lock.save(update_fields=["failures", "last_failure_at"])
    left = settings.HAMKKE_OTP_MAX_ATTEMPTS - failures
    tries = ngettext("You have %(count)d try left.", "You have %(count)d tries left.", left) % {
        "count": left
    }
    return InvalidInput(f"{message} {tries}", code="verification_failed", field=field)


def _forget_failures(lock: VerificationLock) -> None:
    lock.failures, lock.last_failure_at = 0, None
    lock.save(update_fields=["failures", "last_failure_at"])


def _refuse_if_verified(user: User, method: VerificationMethod) -> None:
    if VerifiedIdentity.objects.filter(user=user, method=method).exists():
        raise Conflict(
            _("Your account is already verified (%(method)s).") % {"method": method.label},
            code="already_verified",
        )


def _identity_taken_message(method: VerificationMethod) -> str:
    if method == VerificationMethod.PHONE:
        return _(
            "This phone number already verifies another account. One person can verify one "
            "account only: use that account, or delete it first."
        )
    return _(
        "This resident is already verified on another account. One person can verify one "
        "account only: use that account, or delete it first."
    )


def _create_identity(
    *, user: User, method: VerificationMethod, key: str, district=None, birth_date=None
) -> VerifiedIdentity:
    _refuse_if_verified(user, method)
    if VerifiedIdentity.objects.filter(method=method, identity_key=key).exists():
        raise Conflict(_identity_taken_message(method), code="identity_taken")
    try:
        # The unique constraint decides between two requests that pass the checks together.
        with transaction.atomic():
            return VerifiedIdentity.objects.create(
                user=user,
                method=method,
                identity_key=key,
                district=district,
                birth_date=birth_date,
            )
    except IntegrityError as exc:
        raise Conflict(_identity_taken_message(method), code="identity_taken") from exc


# --- verification by phone ---------------------------------------------------------------------


def start_phone_verification(*, user: User, phone: str) -> PhoneChallenge:
    """Text a one-time code to `phone`. Only a keyed hash of the number and of the code is kept;
    an earlier code still waiting stops working. Whether the number verifies another account
    is told only when the code comes back, so nobody can probe numbers without the phone."""
    number = identity.normalise_phone(phone)
    key = identity.phone_key(number)
    code = identity.new_one_time_code()
    now = timezone.now()
    ttl = settings.HAMKKE_OTP_TTL_SECONDS
    with transaction.atomic():
        lock = _attempts_of(user)
        _refuse_if_locked(lock, now=now)
        _refuse_if_verified(user, VerificationMethod.PHONE)
        _refuse_if_sending_too_often(user=user, key=key, now=now)
        PhoneChallenge.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        challenge = PhoneChallenge.objects.create(
            user=user,
            phone_key=key,
            phone_hint=identity.phone_hint(number),
            code_hash=identity.hash_one_time_code(code),
            expires_at=now + timedelta(seconds=ttl),
        )
        text = _(
            "Hamkke: your verification code is %(code)s. It expires in %(minutes)d minutes. "
            "Never share it."
        ) % {"code": code, "minutes": math.ceil(ttl / 60)}
        message = outbox_services.queue_text(
            phone=number, text=text, expires_at=challenge.expires_at
        )
        try:
            # Sent now, inside the transaction: a number the gateway refuses leaves no code
            # waiting. A gateway that does not answer in time leaves the text to the outbox's
            # retries until the code expires (it is erased from the outbox once sent).
            outbox_services.send_now(message)
        except SMSDeliveryError as exc:
            raise InvalidInput(
                _("We could not send a text message to that number. Check it and try again."),
                code="sms_failed",
                field="phone",
            ) from exc
    return challenge


def _refuse_if_sending_too_often(*, user: User, key: str, now: datetime) -> None:
    last_hour = PhoneChallenge.objects.filter(created_at__gte=now - timedelta(hours=1))
    latest = (
        last_hour.filter(user=user).order_by("-created_at").values_list("created_at", flat=True)
    ).first()
    if latest is not None:
        elapsed = (now - latest).total_seconds()
        if elapsed < CODE_RESEND_SECONDS:
            wait = math.ceil(CODE_RESEND_SECONDS - elapsed)
            raise TooManyAttempts(
                ngettext(
                    "A code was sent a moment ago. You can ask for another in %(seconds)d second.",
                    "A code was sent a moment ago. You can ask for another in %(seconds)d seconds.",
                    wait,
                )
                % {"seconds": wait},
                retry_after=wait,
                code="code_sent_recently",
            )
    by_person = last_hour.filter(user=user).count()
    # Per number too, so nobody can flood someone else's phone from several accounts.
    by_number = last_hour.filter(phone_key=key).count()
    if max(by_person, by_number) >= CODES_PER_HOUR:
        raise TooManyAttempts(
            _("Too many codes were sent in the last hour. Please try again later."),
            retry_after=3600,
            code="too_many_codes",
        )


def confirm_phone_verification(*, user: User, code: str) -> VerifiedIdentity:
    """Check the code the person typed against the latest one sent. A right code verifies the
    account by phone; a wrong one counts towards the lock."""
    now = timezone.now()
    with transaction.atomic():
        lock = _attempts_of(user)
        _refuse_if_locked(lock, now=now)
        _refuse_if_verified(user, VerificationMethod.PHONE)
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(user=user, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if challenge is None:
            raise InvalidInput(
                _("Ask for a code first: enter your phone number."), code="no_code", field="code"
            )
        if challenge.expires_at <= now:
            raise InvalidInput(
                _("This code has expired. Ask for a new one."), code="code_expired", field="code"
            )
        if identity.one_time_code_matches(code, challenge.code_hash):
            verified = _create_identity(
                user=user, method=VerificationMethod.PHONE, key=challenge.phone_key
            )
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            _forget_failures(lock)
            return verified
        challenge.attempts += 1
        challenge.save(update_fields=["attempts"])
        failure = _count_failure(lock, now=now, message=_("That code is not right."), field="code")
    raise failure


# --- verification by census --------------------------------------------------------------------


def verify_by_census(
    *, user: User, name: str, birth_date: date, resident_id: str
) -> VerifiedIdentity:
    """Match what the person typed against the uploaded register. A match verifies the account
    and sets the person's home district from the register; a mismatch counts as a wrong try."""
    if not identity.normalise_name(name):
        raise InvalidInput(_("Enter your name as in the residents register."), field="name")
    resident_id = identity.normalise_resident_id(resident_id)
    record_key = identity.resident_key(resident_id)
    match_key = identity.census_match_key(name=name, birth_date=birth_date, resident_id=resident_id)
    now = timezone.now()
    with transaction.atomic():
        lock = _attempts_of(user)
        _refuse_if_locked(lock, now=now)
        _refuse_if_verified(user, VerificationMethod.CENSUS)
        record = (
            CensusRecord.objects.select_related("district")
            .filter(record_key=record_key, match_key=match_key)
            .first()
        )
        if record is not None:
            verified = _create_identity(
                user=user,
                method=VerificationMethod.CENSUS,
                key=record.record_key,
                district=record.district,
                birth_date=birth_date,
            )
            user.home_district = record.district
            user.save(update_fields=["home_district"])
            _forget_failures(lock)
            return verified
        failure = _count_failure(
            lock,
            now=now,
            message=_(
                "No resident in the register matches that name, birth date and resident "
                "registration number. Check them against your ID card."
            ),
            field=None,
        )
    raise failure


# --- census upload (administrators) ------------------------------------------------------------


@dataclass(frozen=True)
class CensusImport:
    batch: str
    rows: int
    created: int
    updated: int


def import_census(*, actor: Actor | User, file: IO[bytes]) -> CensusImport:
    """Store a residents register CSV as keyed hashes, all or nothing: any bad row and nothing
    is stored, with every problem reported by line. A resident already on the register is
    updated (they may have moved district). `request` is for the audit log's address only."""
    who = Actor.of(actor)
    actor = who.user
    require_role(actor, role=Role.ADMINISTRATOR)
    districts = dict(current_city().districts.values_list("code", "id"))
    rows: dict[str, tuple[str, int, int]] = {}  # record key → match key, district id, line
    problems: list[str] = []
    problem_count = 0
    for item in read_census_csv(file, district_codes=districts, today=timezone.localdate()):
        if isinstance(item, CensusProblem):
            problem_count += 1
            if len(problems) < PROBLEMS_LISTED:
                problems.append(str(item))
            continue
        record_key = identity.resident_key(item.resident_id)
        if record_key in rows:
            problem_count += 1
            if len(problems) < PROBLEMS_LISTED:
                repeated = _("the resident id repeats line %(line)d.") % {
                    "line": rows[record_key][2]
                }
                problems.append(str(CensusProblem(item.line, repeated)))
            continue
        match_key = identity.census_match_key(
            name=item.name, birth_date=item.birth_date, resident_id=item.resident_id
        )
        rows[record_key] = (match_key, districts[item.district_code], item.line)
    if problem_count:
        raise InvalidUpload(
            _problems_message(problems, problem_count), code="census_invalid", field="file"
        )
    if not rows:
        raise InvalidUpload(
            _("The file has no residents in it."), code="census_empty", field="file"
        )
    batch = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    with transaction.atomic():
        keys = list(rows)
        existing = sum(
            CensusRecord.objects.filter(record_key__in=keys[start : start + _BULK_BATCH]).count()
            for start in range(0, len(keys), _BULK_BATCH)
        )
        CensusRecord.objects.bulk_create(
            [
                CensusRecord(
                    record_key=key, match_key=match_key, district_id=district_id, batch=batch
                )
                for key, (match_key, district_id, _line) in rows.items()
            ],
            batch_size=_BULK_BATCH,
            update_conflicts=True,
            unique_fields=["record_key"],
            update_fields=["match_key", "district", "batch", "uploaded_at"],
        )
        _follow_moves(rows)
        result = CensusImport(
            batch=batch, rows=len(rows), created=len(rows) - existing, updated=existing
        )
        record_audit(
            actor=who,
            action="accounts.census_uploaded",
            data={
                "batch": batch,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
            },
        )
    return result


def _follow_moves(rows: dict[str, tuple[str, int, int]]) -> None:
    """People verified by the census take the district the new register gives them, as their
    identity's district and their home district: one update per district, not per person."""
    by_district: dict[int, list[str]] = {}
    for key, (_match_key, district_id, _line) in rows.items():
        by_district.setdefault(district_id, []).append(key)
    for district_id, keys in by_district.items():
        for start in range(0, len(keys), _BULK_BATCH):
            chunk = keys[start : start + _BULK_BATCH]
            identities = VerifiedIdentity.objects.filter(
                method=VerificationMethod.CENSUS, identity_key__in=chunk
            ).exclude(district_id=district_id)
            moved_users = list(identities.values_list("user_id", flat=True))
            if moved_users:
                identities.update(district_id=district_id)
                User.objects.filter(pk__in=moved_users).update(home_district_id=district_id)


def _problems_message(problems: list[str], count: int) -> str:
    head = ngettext(
        "Nothing was stored: the file has %(count)d problem. Correct it and upload the whole "
        "file again.",
        "Nothing was stored: the file has %(count)d problems. Correct them and upload the "
        "whole file again.",
        count,
    ) % {"count": count}
    lines = [head, *problems]
    if count > len(problems):
        lines.append(_("… and %(more)d more.") % {"more": count - len(problems)})
    return "\n".join(lines)


# --- departments' members (managers, administrators) -------------------------------------------


def _grantable(role: int, *, acting: Role) -> Role:
    policies.may_grant(role, acting=acting).enforce()
    return Role(int(role))


@transaction.atomic
def add_member(
    *,
    actor: Actor | User,
    department: Department,
    email: str,
    role: int,
) -> Membership:
    """Give an existing account a role in the department."""
    who = Actor.of(actor)
    actor = who.user
    acting = require_member_manager(actor, department=department)
    role = _grantable(role, acting=acting)
    person = User.objects.filter(email__iexact=(email or "").strip()).first()
    if person is None:
        raise NotFound(
            _("No account has that email address. Ask the person to sign up first."),
            field="email",
        )
    policies.may_take_office(
        email=person.email, email_verified=selectors.email_verified(person)
    ).enforce()
    if Membership.objects.filter(user=person, department=department).exists():
        raise Conflict(
            _("%(email)s is already a member of this department.") % {"email": person.email},
            field="email",
        )
    membership = Membership.objects.create(user=person, department=department, role=role)
    record_audit(
        actor=who,
        action="accounts.member_added",
        target=membership,
        data={"department": department.code, "member": person.email, "role": role.label},
    )
    return membership


@transaction.atomic
def change_member_role(*, actor: Actor | User, membership: Membership, role: int) -> Membership:
    """Change a member's role. Nobody changes a role above their own, or grants one."""
    who = Actor.of(actor)
    actor = who.user
    acting = require_member_manager(actor, department=membership.department)
    role = _grantable(role, acting=acting)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    policies.may_change_member(membership.role, acting=acting).enforce()
    previous = Role(membership.role)
    if previous == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    record_audit(
        actor=who,
        action="accounts.member_role_changed",
        target=membership,
        data={
            "department": membership.department.code,
            "member": membership.user.email,
            "from": previous.label,
            "to": role.label,
        },
    )
    return membership


@transaction.atomic
def remove_member(*, actor: Actor | User, membership: Membership) -> None:
    who = Actor.of(actor)
    actor = who.user
    acting = require_member_manager(actor, department=membership.department)
    policies.may_remove_member(membership.role, acting=acting).enforce()
    record_audit(
        actor=who,
        action="accounts.member_removed",
        target=membership,
        data={
            "department": membership.department.code,
            "member": membership.user.email,
            "role": Role(membership.role).label,
        },
    )
    membership.delete()


@transaction.atomic
def save_membership_in_back_office(
    *,
    actor,
    user: User,
    department: Department,
    role: int,
    membership: Membership | None = None,
    changed: Sequence[str] = (),
) -> Membership:
    """A membership added or edited in the back office: the same rules as the members page
    (only a manager of the department or a city administrator, no role above one's own, no
    change to someone above), audited as a back-office action."""
    who = Actor.of(actor)
    acting = require_member_manager(who.user, department=department)
    role = _grantable(role, acting=acting)
    policies.may_take_office(
        email=user.email, email_verified=selectors.email_verified(user)
    ).enforce()
    if membership is None:
        membership = Membership(user=user, department=department)
    else:
        stored = Membership.objects.select_for_update().get(pk=membership.pk)
        policies.may_change_member(stored.role, acting=acting).enforce()
        membership.user, membership.department = user, department
    membership.role = role
    membership.save()
    record_audit(
        actor=who,
        action="accounts.member_saved_in_admin",
        target=membership,
        data={
            "department": department.code,
            "member": user.email,
            "role": Role(role).label,
            "changed": list(changed),
        },
    )
    return membership


@transaction.atomic
def remove_membership_in_back_office(*, actor, membership: Membership) -> None:
    who = Actor.of(actor)
    acting = require_member_manager(who.user, department=membership.department)
    policies.may_remove_member(membership.role, acting=acting).enforce()
    record_audit(
        actor=who,
        action="accounts.member_removed_in_admin",
        target=membership,
        data={"department": membership.department.code, "member": membership.user.email},
    )
    membership.delete()


# --- leaving -----------------------------------------------------------------------------------


@transaction.atomic
def delete_account(*, user: User, password: str) -> None:
    """Delete the account after the person confirms with their password. Each app's eraser
    runs first; rows that only concern the person go with the account (CASCADE) and what they
    wrote for others stays without their name (SET_NULL). The audit log keeps its labels."""
    if not user.check_password(password or ""):
        raise InvalidInput(
            _("That password is not right."), code="wrong_password", field="password"
        )
    user_id = user.pk
    erase_personal_data(user)
    user.delete()
    # The entry names the account by number only: the person asked to be forgotten.
    AuditEntry.objects.create(
        actor=None, actor_label=f"account #{user_id}", action="accounts.account_deleted"
    )


# --- moderation --------------------------------------------------------------------------------

BAN_REASON_MAX_CHARS = 300


def _ban_target(actor: User, user: User) -> User:
    require_role(actor, role=Role.MANAGER)
    if user.pk == actor.pk:
        raise InvalidInput(_("You cannot ban or unban your own account."))
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def ban_account(*, actor: Actor | User, user: User, reason: str) -> User:
    """Suspend an abusive account: it can no longer file reports or comment. Managers and
    administrators of any department may; officials' accounts are handled through their
    departments instead. The reason is kept on the account and in the audit log."""
    who = Actor.of(actor)
    actor = who.user
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the ban."), field="reason")
    if len(reason) > BAN_REASON_MAX_CHARS:
        raise InvalidInput(
            _("The reason may be at most %(max)d characters.") % {"max": BAN_REASON_MAX_CHARS},
            field="reason",
        )
    user = _ban_target(actor, user)
    if user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists():
        raise NotAllowed(
            _("Officials' accounts are not banned: remove the person from their departments."),
            code="official_account",
        )
    if user.banned_at is not None:
        raise Conflict(_("This account is already banned."), code="already_banned")
    user.banned_at = timezone.now()
    user.ban_reason = reason
    user.save(update_fields=["banned_at", "ban_reason"])
    record_audit(actor=who, action="accounts.ban", target=user, data={"reason": reason})
    return user


@transaction.atomic
def unban_account(*, actor: Actor | User, user: User) -> User:
    """Lift a ban; the audit log keeps the reason it was given for."""
    who = Actor.of(actor)
    actor = who.user
    user = _ban_target(actor, user)
    if user.banned_at is None:
        raise Conflict(_("This account is not banned."), code="not_banned")
    previous = {"banned_at": user.banned_at, "reason": user.ban_reason}
    user.banned_at = None
    user.ban_reason = ""
    user.save(update_fields=["banned_at", "ban_reason"])
    record_audit(actor=who, action="accounts.unban", target=user, data=previous)
    return user
