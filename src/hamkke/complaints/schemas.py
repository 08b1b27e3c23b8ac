"""Schemas of the complaints API (/api/v1/complaints): categories with their questions, reports
as the public sees them, and what citizens send. No schema here has a field for the reporter,
the contact details, the rating comment or an official's name: they cannot leak by mistake."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import field_validator

from hamkke.complaints.models import Complaint, Status


class QuestionOut(Schema):
    """An extra question a category asks; answer it in `answers` when filing."""

    code: str = Field(description="The key of the answer in `answers`")
    label: str = Field(description="The question in the city's language")
    label_en: str = Field("", description="The question in English, when the profile has it")
    type: str = Field("text", description="text, number, choice or boolean")
    choices: list[str] = Field([], description="The accepted answers of a choice question")
    required: bool = False


class GroupOut(Schema):
    code: str
    name: str
    name_en: str


class CategoryOut(Schema):
    """A kind of problem people can report (Open311: a service)."""

    code: str
    name: str = Field(description="In the city's language")
    name_en: str
    description: str
    description_en: str
    group: GroupOut
    sla_days: int = Field(description="Calendar days the city takes to answer")
    duplicate_radius_m: int = Field(
        description="Open reports of this category within this distance are offered to follow"
    )
    questions: list[QuestionOut]


class MediaOut(Schema):
    kind: str = Field(description="photo or video")
    url: str = Field(
        description=(
            "The file's address on this site (photos are cleaned of their metadata). It answers "
            "404 once a moderator hides the file or its report, and again serves the file if it "
            "is shown again; with object storage it redirects to a short-lived signed link."
        )
    )
    thumbnail_url: str = Field(
        "", description="A small copy of a photo, or a video's poster frame; hidden alike"
    )
    content_type: str
    width: int | None = None
    height: int | None = None


class ComplaintOut(Schema):
    """A report as anyone may see it. Names follow the request's Accept-Language."""

    tracking_number: str = Field(description="The receipt number, e.g. 261126-7K3QM")
    category: str = Field(description="The category's code")
    category_name: str
    status: str = Field(description="One of: " + ", ".join(Status.values))
    status_label: str
    is_open: bool
    district: str = Field(description="The district's code")
    district_name: str
    department: str = Field(description="The department handling it (never an official)")
    latitude: float
    longitude: float
    address: str
    description: str
    created_at: datetime
    updated_at: datetime
    expected_at: datetime = Field(description="When the city's deadline (SLA) falls")
    resolved_at: datetime | None
    overdue: bool = Field(description="Open and past its expected date")
    followers_count: int = Field(description='People who follow it ("me too")')
    duplicate_of: str | None = Field(description="The original's number, for a duplicate")
    url: str = Field(description="The report's public page")

    @staticmethod
    def resolve_category(obj: Complaint) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Complaint) -> str:
        return obj.category.display_name

    @staticmethod
    def resolve_status_label(obj: Complaint) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_district(obj: Complaint) -> str:
        return obj.district.code

    @staticmethod
    def resolve_district_name(obj: Complaint) -> str:
        return obj.district.display_name

    @staticmethod
    def resolve_department(obj: Complaint) -> str:
        return obj.department.display_name

    @staticmethod
    def resolve_latitude(obj: Complaint) -> float:
        return round(obj.location.latitude, 6)

    @staticmethod
    def resolve_longitude(obj: Complaint) -> float:
        return round(obj.location.longitude, 6)

    @staticmethod
    def resolve_address(obj: Complaint) -> str:
        return obj.location.address

    @staticmethod
    def resolve_overdue(obj: Complaint) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_duplicate_of(obj: Complaint) -> str | None:
        return obj.duplicate_of.tracking_number if obj.duplicate_of_id else None

    @staticmethod
    def resolve_url(obj: Complaint) -> str:
        return f"/complaints/{obj.tracking_number}/"


class EventOut(Schema):
    """One public step of a report's history."""

    status: str
    status_label: str
    note: str = Field(description="What the city (or the reporter, on reopening) said")
    department: str | None = Field(description="The department that took the step")
    created_at: datetime
    photos: list[MediaOut] = Field(description="Photos of the result, if any")


class ComplaintDetailOut(ComplaintOut):
    """A report with its media and history; the API gathers them onto the report first
    (`public_photos`, `public_history`) in a fixed number of queries."""

    public_answer: str = Field(description="The city's latest public answer")
    photos: list[MediaOut]
    history: list[EventOut]

    @staticmethod
    def resolve_photos(obj: Complaint) -> list[MediaOut]:
        return obj.public_photos

    @staticmethod
    def resolve_history(obj: Complaint) -> list[EventOut]:
        return obj.public_history


class FiledOut(ComplaintDetailOut):
    """The answer to filing: the new report (201), or the report this device sent a moment ago
    with the same text at the same point (200, likely_duplicate true), which was not filed
    again."""

    likely_duplicate: bool = Field(
        False,
        description="true when this is an earlier report of the same device, text and point, "
        "answered instead of filing the same report twice",
    )


class ComplaintPageOut(Schema):
    count: int = Field(description="Reports matching the filters")
    page: int
    page_size: int
    pages: int
    items: list[ComplaintOut]


class NearbyOut(Schema):
    tracking_number: str
    category: str
    status: str
    status_label: str
    distance_m: float = Field(description="Metres from the point asked about")
    description: str
    created_at: datetime
    followers_count: int
    url: str


class FiltersIn(Schema):
    """Filters of the list and the map. Repeat a parameter to give several values."""

    category: list[str] = Field([], description="Category codes")
    status: list[str] = Field([], description="Statuses: " + ", ".join(Status.values))
    district: list[str] = Field([], description="District codes")
    start: date | None = Field(None, alias="from", description="Filed on or after this day")
    end: date | None = Field(None, alias="to", description="Filed on or before this day")
    open: bool | None = Field(None, description="Only open (true) or only closed (false)")


class ComplaintIn(Schema):
    """A new report, sent as multipart/form-data with the photos and the video as files.
    Contact details are kept only for reports sent without signing in, and only officials
    ever see them."""

    category: str = Field("", description="A category's code (GET /categories)")
    latitude: float | None = Field(None, description="WGS84, inside the city")
    longitude: float | None = Field(None, description="WGS84, inside the city")
    address: str = Field("", max_length=300, description="An address or landmark (optional)")
    description: str = Field(
        "", max_length=20_000, description="At most 4000 characters once trimmed"
    )
    answers: str = Field(
        "",
        max_length=10_000,
        description='Answers to the category\'s questions as a JSON object: {"pothole_size": '
        '"large"}',
    )
    contact_name: str = Field("", max_length=100)
    contact_email: str = Field("", max_length=254)
    contact_phone: str = Field("", max_length=32)
    device_id: str = Field(
        "",
        max_length=100,
        description="The app's id for this device. The same device sending the same text at "
        "(nearly) the same point within 5 minutes gets the first report back (200, "
        "likely_duplicate) instead of a second one",
    )

    @field_validator("latitude", "longitude", mode="before")
    @classmethod
    def _blank_is_missing(cls, value):
        # An empty form field means "not given", which the API answers in its own words.
        return None if isinstance(value, str) and not value.strip() else value


class RateIn(Schema):
    rating: int = Field(description="1 (poor) to 5 (excellent)")
    comment: str = Field("", max_length=2_000, description="At most 500 characters are kept")


class ReopenIn(Schema):
    reason: str = Field(
        max_length=20_000, description="What is still wrong; published in the history"
    )


class FollowOut(Schema):
    tracking_number: str
    following: bool
    followers_count: int
