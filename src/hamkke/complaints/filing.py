"""The one step from a report as an entry point read it to a filed report. The report form, the
JSON API and Open311 each parse their own format, then hand the fields to `file_report`: the
category is looked up by its code, a point is required, contact details are kept only for
reports without an account, and services.file_complaint does the rest (the place, the answers,
the photos and video, a banned account). Also the filing allowance the form and the API share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from hamkke.complaints import selectors, services
from hamkke.complaints.models import ApiClient, Category, Channel, Complaint
from hamkke.core import ratelimit
from hamkke.core.actors import Actor
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import City


def file_report(
    *,
    actor: Actor | object | None,
    category: str,
    latitude: float | None,
    longitude: float | None,
    description: str = "",
    address: str = "",
    answers: Mapping[str, object] | None = None,
    photos: Sequence[UploadedFile] = (),
    videos: Sequence[UploadedFile] = (),
    contact: services.Contact | None = None,
    channel: str = Channel.WEB,
    api_client: ApiClient | None = None,
    device_id: str = "",
    external_media_url: str = "",
    city: City | None = None,
) -> Complaint:
    """File what an entry point read. `actor` is the reporter (nobody for an anonymous report
    or an app's); `category` is the code the person or app sent. Refusals are domain errors
    naming the field they concern ("category", "location", "description", "photos", …), which
    each entry point words in its own format."""
    found = category_for(city or current_city(), category)
    if latitude is None or longitude is None:
        raise InvalidInput(
            _("Give the place of the problem: latitude and longitude."), field="location"
        )
    reporter = Actor.of(actor).user
    return services.file_complaint(
        category=found,
        latitude=latitude,
        longitude=longitude,
        address=address,
        description=description,
        answers=dict(answers or {}),
        photos=photos,
        videos=videos,
        reporter=reporter,
        # Contact details are for reaching a reporter without an account; an account is
        # reached through its own notifications.
        contact=(contact or services.Contact()) if reporter is None else services.Contact(),
        channel=channel,
        api_client=api_client,
        device_id=device_id,
        external_media_url=external_media_url,
    )


def category_for(city: City, code: str) -> Category:
    """The active category a report names by its code; InvalidInput on "category" when the
    code is missing or unknown."""
    if not code:
        raise InvalidInput(_("Choose what kind of problem it is."), field="category")
    try:
        return selectors.category_by_code(city, code)
    except NotFound as exc:
        raise InvalidInput(exc.message, field="category") from exc


def _filing_refused() -> str:
    return (
        _("You have sent many reports in a short time. Please wait a few minutes and try again.")
        + ratelimit.urgent_help()
    )


# Every attempt counts, refused ones too: checking uploads is the costly part. The report form
# and the API draw on the same allowance, per address and per account.
FILING = ratelimit.Limit(
    "complaints.file",
    per_person=lambda: settings.HAMKKE_COMPLAINT_RATE,
    per_address=lambda: settings.HAMKKE_COMPLAINT_RATE,
    message=_filing_refused,
)
