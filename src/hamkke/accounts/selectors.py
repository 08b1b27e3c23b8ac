"""Reads of accounts: a person's identities and roles, departments' members, verification
state and the census register's size."""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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
from hamkke.core.errors import NotFound
from hamkke.core.models import Department


def identities_of(user: User) -> list[VerifiedIdentity]:
    return list(
        VerifiedIdentity.objects.filter(user=user).select_related("district").order_by("method")
    )


def identity_of(user: User, method: VerificationMethod) -> VerifiedIdentity | None:
    return VerifiedIdentity.objects.filter(user=user, method=method).first()


def memberships_of(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("department", "department__district")
        .order_by("department__name")
    )


def is_official(user: User) -> bool:
    """Officials: staff, superusers and anyone with a place in a department. Their sessions
    must be signed in with a second factor before they act."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exists()


def highest_role(user: User, *, department: Department | None = None) -> Role | None:
    """The user's role in `department`, or their highest role anywhere when it is None.
    Superusers are administrators everywhere."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMINISTRATOR
    memberships = Membership.objects.filter(user=user)
    if department is not None:
        memberships = memberships.filter(department=department)
    best = memberships.aggregate(best=Max("role"))["best"]
    return Role(best) if best is not None else None


def _city_departments():
    # By slug rather than current_city(): these pages work, empty, before a city is loaded.
    return Department.objects.filter(city__slug=settings.HAMKKE_CITY)


def department_by_code(code: str) -> Department:
    try:
        return _city_departments().select_related("district").get(code=code)
    except Department.DoesNotExist as exc:
        raise NotFound(_("No department with code “%(code)s”.") % {"code": code}) from exc


def departments_managed_by(user: User) -> list[Department]:
    """Departments whose members the user may manage: all of them for city administrators,
    otherwise those where they are a manager."""
    departments = _city_departments().order_by("name")
    if highest_role(user) == Role.ADMINISTRATOR:
        return list(departments)
    return list(
        departments.filter(memberships__user=user, memberships__role__gte=Role.MANAGER).distinct()
    )


def department_members(department: Department) -> list[Membership]:
    return list(
        Membership.objects.filter(department=department)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def membership_in(department: Department, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "department").get(
            pk=membership_id, department=department
        )
    except Membership.DoesNotExist as exc:
        raise NotFound(_("No such member in this department.")) from exc


def open_phone_challenge(user: User) -> PhoneChallenge | None:
    """The code the person is expected to type, if one is still valid."""
    return (
        PhoneChallenge.objects.filter(
            user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


def verification_wait_seconds(user: User) -> int:
    """How long the person must wait before trying to verify again; 0 when they may."""
    lock = VerificationLock.objects.filter(user=user).first()
    if lock is None or lock.until is None:
        return 0
    return max(0, int((lock.until - timezone.now()).total_seconds() + 0.999))


def recent_failures(lock: VerificationLock | None, *, now: datetime) -> int:
    """Wrong tries that still count: those older than the lock period are forgotten."""
    if lock is None or lock.last_failure_at is None:
        return 0
    if (now - lock.last_failure_at).total_seconds() > settings.HAMKKE_OTP_LOCK_SECONDS:
        return 0
    return lock.failures


def census_summary() -> dict:
    """How many residents the register holds, per upload batch, newest first."""
    batches = list(
        CensusRecord.objects.values("batch")
        .annotate(rows=Count("id"), uploaded_at=Max("uploaded_at"))
        .order_by("-uploaded_at")[:10]
    )
    return {"total": CensusRecord.objects.count(), "batches": batches}


# --- facts other apps ask for (they never read accounts' tables themselves) --------------------


def verified_identity(user: User, *, methods: tuple[str, ...]) -> VerifiedIdentity | None:
    """The person's identity verified by one of `methods`, with its district (the earliest, as
    permissions.require_verified finds it); None for anonymous or unverified people."""
    if not user.is_authenticated:
        return None
    return (
        VerifiedIdentity.objects.filter(user=user, method__in=methods)
        .select_related("district")
        .order_by("verified_at")
        .first()
    )


def census_record(record_key: str) -> CensusRecord | None:
    """The register's entry with this keyed resident id, with its district."""
    return CensusRecord.objects.select_related("district").filter(record_key=record_key).first()


def residents_by_district() -> dict[int | None, int]:
    """How many residents the register holds in each district (by district id)."""
    return dict(CensusRecord.objects.values_list("district_id").annotate(n=Count("id")).order_by())


def roles_by_department(user: User, *, city) -> dict[int, Role]:
    """The user's role in each department of `city`, by department id (superusers: the
    administrator in every one)."""
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return {pk: Role.ADMINISTRATOR for pk in city.departments.values_list("pk", flat=True)}
    return {
        membership.department_id: Role(membership.role)
        for membership in Membership.objects.filter(user=user, department__city=city)
    }


def user_by_email(email: str, *, active_only: bool = False) -> User | None:
    """The account with this email address (case does not matter), or None."""
    users = User.objects.filter(email__iexact=email.strip())
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def officials_of(department_ids, *, least: Role) -> QuerySet[User]:
    """The people holding `least` or a higher role in any of these departments (ids), by name:
    whom reports are assigned to, whom an overdue report is escalated to."""
    return (
        User.objects.filter(
            memberships__department_id__in=list(department_ids), memberships__role__gte=least
        )
        .distinct()
        .order_by("display_name", "email")
    )


def holds_role_in(user: User, department: Department, *, least: Role) -> bool:
    return user.memberships.filter(department=department, role__gte=least).exists()


def official_by_id(user_id: int) -> User | None:
    """A member of some department, by account id; None for anyone else."""
    return User.objects.filter(pk=user_id, memberships__isnull=False).distinct().first()


def memberships_in_city(user: User, city) -> list[Membership]:
    """The user's memberships in the city's departments, by department name."""
    return list(
        Membership.objects.filter(user=user, department__city=city)
        .select_related("department")
        .order_by("department__name")
    )


def email_verified(user: User) -> bool:
    """Whether the person confirmed the email address the account uses (allauth's record)."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
