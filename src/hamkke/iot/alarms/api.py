"""The alarms API (/api/v1/iot/alarms), for the officials of the department that keeps the
sensors: `GET ?device=ID` (and state, type, asset, since; page, page_size) lists alarms with
their `state`, newest first; `GET /{id}` one alarm with its complaint's status;
`POST /{id}/acknowledge` takes an active alarm in hand. Session sign-in with CSRF on writes;
the viewer's role (the handler's to acknowledge) and the second factor (official_api), then
the keeping department's seat asked of alarms/policies. Refusals are JSON {detail, code[,
field]}: 400 a state or type that does not exist, a time without its offset; 401 anonymous; 403
another department or no second factor; 404 an unknown alarm or device; 409 an alarm not
active; 422 a value of the wrong type."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf, one_page
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
from hamkke.iot.alarms import policies, selectors, services
from hamkke.iot.alarms.models import AlarmState
from hamkke.iot.alarms.schemas import AlarmOut, AlarmPageOut, AlarmQuery
from hamkke.iot.models import Device

router = Router(tags=["iot alarms"], auth=SessionWithCsrf())


def _viewing(request: HttpRequest) -> None:
    policies.may_view_alarms(selectors.desk_seat(request.actor), request.actor).enforce()


def _filters(city, query: AlarmQuery) -> selectors.AlarmFilters:
    if query.state and query.state not in AlarmState.values:
        raise InvalidInput(
            _("The state is one of: %(known)s.") % {"known": ", ".join(AlarmState.values)},
            field="state",
        )
    names = selectors.rule_names(city)
    if query.type and query.type not in names:
        raise InvalidInput(
            _("The type is one of: %(known)s.") % {"known": ", ".join(sorted(names))},
            field="type",
        )
    if query.since is not None and (query.since.tzinfo is None or not moment_in_range(query.since)):
        raise InvalidInput(
            _("Give `since` in ISO 8601 with its offset, between %(range)s.")
            % {"range": MOMENTS_TEXT},
            field="since",
        )
    if query.device is not None and not Device.objects.filter(city=city, pk=query.device).exists():
        raise NotFound(_("There is no device %(id)s.") % {"id": query.device})
    return selectors.AlarmFilters(
        device=query.device,
        asset=query.asset,
        state=query.state,
        type=query.type,
        since=query.since,
    )


@router.get(
    "", response=AlarmPageOut, summary="Alarms, of a device (?device=ID) or filtered, newest first"
)
@official_api(role=Role.VIEWER)
def list_alarms(request: HttpRequest, query: Query[AlarmQuery]):
    _viewing(request)
    city = current_city()
    rows = selectors.alarms(city, _filters(city, query))
    page = one_page(rows, query.page, query.page_size)
    names = selectors.rule_names(city)
    page["items"] = [selectors.described(alarm, names) for alarm in page["items"]]
    return page


@router.get("/{alarm_id}", response=AlarmOut, summary="One alarm, with its complaint's status")
@official_api(role=Role.VIEWER)
def get_alarm(request: HttpRequest, alarm_id: int):
    _viewing(request)
    city = current_city()
    return selectors.described(selectors.alarm(city, alarm_id), selectors.rule_names(city))


@router.post("/{alarm_id}/acknowledge", response=AlarmOut, summary="Acknowledge an active alarm")
@official_api(role=Role.HANDLER)
def acknowledge(request: HttpRequest, alarm_id: int):
    city = current_city()
    policies.may_view_alarms(selectors.desk_seat(request.actor), request.actor).enforce()
    alarm = selectors.alarm(city, alarm_id)
    services.acknowledge(alarm=alarm, actor=request.actor)
    return selectors.described(selectors.alarm(city, alarm_id), selectors.rule_names(city))
