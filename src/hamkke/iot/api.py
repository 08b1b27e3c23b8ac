"""The IoT API (/api/v1/iot): devices without MQTT send their readings over HTTPS.

`POST /devices/{id}/readings` with `Authorization: Bearer <the device's secret>` and the JSON
object of iot.readings (`time` and the Smart Data Model attributes): 202 with what was
accepted (a replay of a time already received is accepted as a no-op, `duplicate: true`);
401 for an unknown device, a wrong secret or a revoked device; 400 for a reading that is not
one (the message says what is wrong); 429 past the profile's per-device rate. Every answer is
counted in the ingest counters."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, TooManyAttempts
from hamkke.core.ratelimit import attempt_by
from hamkke.iot import services
from hamkke.iot.models import Reason
from hamkke.iot.schemas import AcceptedOut, ErrorOut

router = Router(tags=["iot"])

BEARER = "bearer "


def _secret(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""


@router.post(
    "/devices/{device_id}/readings",
    response={202: AcceptedOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Send a device's reading over HTTPS",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def post_reading(request: HttpRequest, device_id: int):
    city = current_city()
    rate = services.iot_settings(city).device_rate_per_minute
    wait = attempt_by(group="iot.device", key=str(device_id), rate=f"{rate}/m")
    if wait:
        raise TooManyAttempts(
            _("This device sends too often: at most %(rate)s readings a minute.") % {"rate": rate},
            retry_after=wait,
            code="rate_limited",
        )
    secret = _secret(request)
    device = services.authenticate(city, device_id, secret)
    message = services.Message(
        device_id=device.pk, payload=request.body, received_at=timezone.now(), device=device
    )
    result = services.ingest([message], city=city)
    reason, text = result.outcomes[0]
    if reason not in (Reason.ACCEPTED, Reason.DUPLICATE):
        raise InvalidInput(text, code=reason)
    reading = result.parsed[0]
    return 202, {
        "accepted": result.accepted,
        "duplicate": reason == Reason.DUPLICATE,
        "device": device.pk,
        "entity": device.asset.entity_id,
        "time": reading.time,
        "attributes": reading.attributes,
    }
