"""Complaints, categories and events as Open311 GeoReport v2 elements, in the specification's
order. Personal data (reporter, contact details, officials' names) is never part of them."""

from __future__ import annotations

from hamkke.complaints.models import (
    CLOSED_STATUSES,
    Category,
    Complaint,
    ComplaintEvent,
    Status,
)
from hamkke.complaints.open311.formats import w3c

# Hamkke's questions as Open311 attribute datatypes.
DATATYPES = {
    "text": "string",
    "number": "number",
    "choice": "singlevaluelist",
    "boolean": "singlevaluelist",
}

# FixMyStreet's update statuses for Hamkke's statuses.
UPDATE_STATUSES = {
    Status.RECEIVED: "OPEN",
    Status.ACCEPTED: "INVESTIGATING",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.RESOLVED: "FIXED",
    Status.REJECTED: "NO_FURTHER_ACTION",
    Status.DUPLICATE: "DUPLICATE",
    Status.TRANSFERRED: "INTERNAL_REFERRAL",
    Status.REOPENED: "OPEN",
    Status.CLOSED: "CLOSED",
}


def _english(item, field: str = "name") -> str:
    return getattr(item, f"{field}_en") or getattr(item, field)


def service_out(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": _english(category),
        "description": _english(category, "description"),
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": category.name if category.name_en else "",
        "group": _english(category.group),
    }


def service_definition_out(category: Category) -> dict:
    attributes = []
    for order, question in enumerate(category.questions, start=1):
        kind = question.get("type", "text")
        attribute = {
            "variable": True,
            "code": question["code"],
            "datatype": DATATYPES[kind],
            "required": bool(question.get("required")),
            "datatype_description": "",
            "order": order,
            "description": question.get("label_en") or question["label"],
        }
        if kind == "choice":
            attribute["values"] = [{"key": c, "name": c} for c in question["choices"]]
        elif kind == "boolean":
            attribute["values"] = [{"key": "true", "name": "Yes"}, {"key": "false", "name": "No"}]
        attributes.append(attribute)
    return {"service_code": category.code, "attributes": attributes}


def request_out(
    complaint: Complaint,
    *,
    photo_url: str | None,
    extensions: bool = False,
    notes: list[ComplaintEvent] = (),
) -> dict:
    closed = complaint.status in CLOSED_STATUSES
    body = {
        "service_request_id": complaint.tracking_number,
        "status": "closed" if closed else "open",
        "status_notes": complaint.public_answer or None,
        "service_name": _english(complaint.category),
        "service_code": complaint.category.code,
        "description": complaint.description,
        "agency_responsible": _english(complaint.department),
        "service_notice": None,
        "requested_datetime": w3c(complaint.created_at),
        "updated_datetime": w3c(complaint.updated_at),
        "expected_datetime": w3c(complaint.expected_at),
        "address": complaint.location.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(complaint.location.latitude, 6),
        "long": round(complaint.location.longitude, 6),
        "media_url": photo_url or complaint.external_media_url or None,
    }
    if extensions:
        body["extended_attributes"] = {
            "channel": complaint.channel,
            "status": complaint.status,
            "district": complaint.district.code,
            "duplicate": complaint.duplicate_of.tracking_number if complaint.duplicate_of else None,
            "parent": complaint.duplicate_of.tracking_number if complaint.duplicate_of else None,
            "followers": complaint.followers_count,
        }
        body["notes"] = [
            {
                "status": event.status,
                "datetime": w3c(event.created_at),
                "description": event.public_note,
                "agency": _english(event.department) if event.department else None,
            }
            for event in notes
        ]
    return body


def update_out(event: ComplaintEvent) -> dict:
    return {
        "update_id": str(event.pk),
        "service_request_id": event.complaint.tracking_number,
        "status": UPDATE_STATUSES[Status(event.status)],
        "updated_datetime": w3c(event.created_at),
        "description": event.public_note,
        "media_url": None,
    }
