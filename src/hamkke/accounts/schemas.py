"""Pydantic schemas of the accounts API."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field


class DistrictRef(Schema):
    code: str
    name: str
    name_en: str


class IdentityOut(Schema):
    """How and when the account was verified; never the identity key."""

    method: str
    verified_at: datetime
    district: DistrictRef | None = None


class MembershipOut(Schema):
    department: str
    department_name: str
    role: int
    role_label: str


class MeOut(Schema):
    email: str
    display_name: str
    public_name: str
    home_district: DistrictRef | None = None
    identities: list[IdentityOut]
    memberships: list[MembershipOut]
    is_official: bool
    second_factor: bool = Field(
        description="Whether this session was signed in with an authenticator code"
    )


class ProfileIn(Schema):
    display_name: str = Field(max_length=80)


class PhoneStartIn(Schema):
    phone: str = Field(max_length=32, examples=["010-1234-5678"])


class PhoneStartOut(Schema):
    phone_hint: str = Field(description="Last four digits of the number the code went to")
    expires_at: datetime


class PhoneConfirmIn(Schema):
    code: str = Field(pattern=r"^\s*\d{6}\s*$")


class CensusVerifyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    birth_date: date
    resident_id: str = Field(min_length=1, max_length=40)


class PasswordIn(Schema):
    password: str


class MemberOut(Schema):
    id: int
    email: str
    display_name: str
    role: int
    role_label: str


class MemberIn(Schema):
    email: str
    role: int


class MemberRoleIn(Schema):
    role: int


class CensusUploadOut(Schema):
    batch: str
    rows: int
    created: int
    updated: int
