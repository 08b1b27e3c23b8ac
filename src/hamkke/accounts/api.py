"""Accounts API under /api/v1/accounts: the signed-in person, identity verification and
personal data; officials' endpoints for a department's members and the census upload.

Session authentication (django_auth, with CSRF on writes). Domain errors answer as
{"detail", "code"} through the API's handler; anonymous requests get 401."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# permission and rate-limit decorators, which only works with real (not string) annotations.

from django.contrib.auth import logout
from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from hamkke.accounts import selectors, services, throttles
from hamkke.accounts.models import Membership, Role, User
from hamkke.accounts.permissions import (
    official_api,
    require_member_manager,
    session_has_second_factor,
)
from hamkke.accounts.personal_data import export_personal_data
from hamkke.accounts.schemas import (
    CensusUploadOut,
    CensusVerifyIn,
    IdentityOut,
    MemberIn,
    MemberOut,
    MemberRoleIn,
    MembershipOut,
    MeOut,
    PasswordIn,
    PhoneConfirmIn,
    PhoneStartIn,
    PhoneStartOut,
    ProfileIn,
)
from hamkke.core import ratelimit

router = Router(tags=["accounts"], auth=django_auth)


def _me(request: HttpRequest) -> MeOut:
    user: User = request.user
    return MeOut(
        email=user.email,
        display_name=user.display_name,
        public_name=str(user.public_name),
        home_district=user.home_district,
        identities=[IdentityOut.from_orm(i) for i in selectors.identities_of(user)],
        memberships=[
            MembershipOut(
                department=m.department.code,
                department_name=m.department.display_name,
                role=m.role,
                role_label=str(m.get_role_display()),
            )
            for m in selectors.memberships_of(user)
        ],
        is_official=selectors.is_official(user),
        second_factor=session_has_second_factor(request),
    )


def _member_out(membership: Membership) -> MemberOut:
    return MemberOut(
        id=membership.pk,
        email=membership.user.email,
        display_name=membership.user.display_name,
        role=membership.role,
        role_label=str(Role(membership.role).label),
    )


# --- the signed-in person ----------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="The signed-in person")
def get_me(request: HttpRequest):
    return _me(request)


@router.patch("/me", response=MeOut, summary="Change the display name")
def update_me(request: HttpRequest, payload: ProfileIn):
    services.update_profile(user=request.user, display_name=payload.display_name)
    return _me(request)


@router.get("/me/personal-data", summary="Download everything the city holds about me")
def get_personal_data(request: HttpRequest):
    return export_personal_data(request.user)


@router.post("/me/delete", response={204: None}, summary="Delete my account (confirm password)")
@ratelimit.throttled(throttles.PASSWORD)
def delete_me(request: HttpRequest, payload: PasswordIn):
    services.delete_account(user=request.user, password=payload.password)
    logout(request)
    return Status(204, None)


# --- identity verification ---------------------------------------------------------------------


@router.post(
    "/verification/phone/start",
    response={202: PhoneStartOut},
    summary="Text a one-time code to a phone number",
)
@ratelimit.throttled(throttles.SEND_CODE)
def start_phone(request: HttpRequest, payload: PhoneStartIn):
    challenge = services.start_phone_verification(user=request.user, phone=payload.phone)
    return Status(
        202, PhoneStartOut(phone_hint=challenge.phone_hint, expires_at=challenge.expires_at)
    )


@router.post(
    "/verification/phone/confirm",
    response={201: IdentityOut},
    summary="Verify the account with the code from the text message",
)
@ratelimit.throttled(throttles.CHECK_CODE)
def confirm_phone(request: HttpRequest, payload: PhoneConfirmIn):
    return Status(201, services.confirm_phone_verification(user=request.user, code=payload.code))


@router.post(
    "/verification/census",
    response={201: IdentityOut},
    summary="Verify the account against the residents register",
)
@ratelimit.throttled(throttles.CENSUS)
def verify_census(request: HttpRequest, payload: CensusVerifyIn):
    return Status(201, services.verify_by_census(user=request.user, **payload.dict()))


# --- officials ---------------------------------------------------------------------------------


@router.get(
    "/departments/{code}/members",
    response=list[MemberOut],
    summary="A department's members (its managers, city administrators)",
)
@official_api(role=Role.MANAGER)
def list_members(request: HttpRequest, code: str):
    department = selectors.department_by_code(code)
    require_member_manager(request.user, department=department)
    return [_member_out(m) for m in selectors.department_members(department)]


@router.post("/departments/{code}/members", response={201: MemberOut}, summary="Add a member")
@official_api(role=Role.MANAGER)
def add_member(request: HttpRequest, code: str, payload: MemberIn):
    department = selectors.department_by_code(code)
    membership = services.add_member(
        actor=request.actor,
        department=department,
        email=payload.email,
        role=payload.role,
    )
    return Status(201, _member_out(membership))


@router.patch(
    "/departments/{code}/members/{member_id}",
    response=MemberOut,
    summary="Change a member's role",
)
@official_api(role=Role.MANAGER)
def change_member_role(request: HttpRequest, code: str, member_id: int, payload: MemberRoleIn):
    department = selectors.department_by_code(code)
    require_member_manager(request.user, department=department)
    membership = selectors.membership_in(department, member_id)
    membership = services.change_member_role(
        actor=request.actor, membership=membership, role=payload.role
    )
    return _member_out(membership)


@router.delete(
    "/departments/{code}/members/{member_id}", response={204: None}, summary="Remove a member"
)
@official_api(role=Role.MANAGER)
def remove_member(request: HttpRequest, code: str, member_id: int):
    department = selectors.department_by_code(code)
    require_member_manager(request.user, department=department)
    membership = selectors.membership_in(department, member_id)
    services.remove_member(actor=request.actor, membership=membership)
    return Status(204, None)


@router.post(
    "/census",
    response={201: CensusUploadOut},
    summary="Upload the residents register (CSV; administrators)",
)
@official_api(role=Role.ADMINISTRATOR)
def upload_census(request: HttpRequest, file: File[UploadedFile]):
    result = services.import_census(actor=request.actor, file=file)
    return Status(
        201,
        CensusUploadOut(
            batch=result.batch, rows=result.rows, created=result.created, updated=result.updated
        ),
    )
