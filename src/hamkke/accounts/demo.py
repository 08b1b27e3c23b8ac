"""Demo people for `hamkke demo`: a citizen, an official and an administrator, each with a
password printed at start-up. Officials sign in with a second factor; in the demo their
authenticator secret is a published constant, and `hamkke demo_code` prints the current code.
Idempotent."""

from __future__ import annotations

from collections.abc import Iterator

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from hamkke.accounts.models import Membership, Role, User
from hamkke.core.city.selectors import current_city
from hamkke.core.models import Department

DEMO_PASSWORD = "hamkke-demo-2026"
# Public on purpose: it only ever protects demo accounts on a demo database.
DEMO_TOTP_SECRET = "HAMKKEDEMOSEOULHAMKKEDEMOSEOUL23"
CITIZEN = "citizen@demo.hamkke.kr"
OFFICIAL = "official@demo.hamkke.kr"
ADMIN = "admin@demo.hamkke.kr"


def seed() -> Iterator[str]:
    city = current_city()
    citizen = _person(CITIZEN, "김서울")
    official = _person(OFFICIAL, "종로구청 담당자")
    admin = _person(ADMIN, "정보기획관", is_staff=True, is_superuser=True)
    for person in (official, admin):
        if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(person, DEMO_TOTP_SECRET)
    first_office = Department.objects.filter(city=city, district__isnull=False).order_by("code")
    for department in first_office[:1]:
        Membership.objects.get_or_create(
            user=official, department=department, defaults={"role": Role.MANAGER}
        )
    planning = city.departments.exclude(district__isnull=False).order_by("code").first()
    if planning is not None:
        Membership.objects.get_or_create(
            user=admin, department=planning, defaults={"role": Role.ADMINISTRATOR}
        )
    yield f"Demo accounts (password {DEMO_PASSWORD}):"
    yield f"  citizen        {citizen.email}"
    yield f"  official       {official.email}  (manager; second factor below)"
    yield f"  administrator  {admin.email}  (staff; second factor below)"
    yield f"  authenticator secret {DEMO_TOTP_SECRET}; or run `hamkke demo_code` for the code"


def _person(email: str, name: str, **flags) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=name, **flags
        )
    # The demo's people confirmed their addresses, as officials must (accounts.policies).
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
