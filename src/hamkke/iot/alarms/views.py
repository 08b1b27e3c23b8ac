"""The alarms desk: the alarms of the city's sensors, active first then acknowledged then
cleared (most severe first), filtered by state and type, each with its acknowledge button when
the official may press it; one alarm's page with what the rule saw and the status of the
complaint it filed. For the keeping department's officials only: the public sees no alarm,
only the complaint, as any complaint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.web import responses
from hamkke.iot.alarms import policies, selectors, services
from hamkke.iot.alarms.models import AlarmState

PAGE_SIZE = 50


def _seat(request: HttpRequest):
    seat = selectors.desk_seat(request.actor)
    policies.may_view_alarms(seat, request.actor).enforce()
    return seat


def _rows(request: HttpRequest, seat, alarms, names) -> list[dict]:
    return [
        {
            **selectors.described(alarm, names),
            "may_acknowledge": policies.may_acknowledge(seat, alarm, request.actor),
        }
        for alarm in alarms
    ]


@official_required(role=Role.VIEWER)
@require_GET
def alarm_list(request: HttpRequest) -> HttpResponse:
    seat = _seat(request)
    city = current_city()
    names = selectors.rule_names(city)
    state = request.GET.get("state", "")
    kind = request.GET.get("type", "")
    filters = selectors.AlarmFilters(
        state=state if state in AlarmState.values else "",
        type=kind if kind in names else "",
    )
    page, query = responses.page_of(
        request, selectors.alarms(city, filters, open_first=True), PAGE_SIZE
    )
    return render(
        request,
        "iot/alarms/list.html",
        {
            "page": page,
            "query": query,
            "rows": _rows(request, seat, page.object_list, names),
            "states": AlarmState.choices,
            "types": sorted(names.items(), key=lambda item: item[1]),
            "state": filters.state,
            "type": filters.type,
            "department": seat.department,
        },
    )


@official_required(role=Role.VIEWER)
@require_GET
def alarm_detail(request: HttpRequest, alarm_id: int) -> HttpResponse:
    seat = _seat(request)
    city = current_city()
    alarm = responses.found_or_404(selectors.alarm, city, alarm_id)
    row = _rows(request, seat, [alarm], selectors.rule_names(city))[0]
    return render(request, "iot/alarms/detail.html", {"alarm": row})


@official_required(role=Role.HANDLER)
@require_POST
def acknowledge(request: HttpRequest, alarm_id: int) -> HttpResponse:
    _seat(request)
    alarm = responses.found_or_404(selectors.alarm, current_city(), alarm_id)
    responses.carry_out(
        request,
        lambda: services.acknowledge(alarm=alarm, actor=request.actor),
        _("Alarm %(id)s acknowledged.") % {"id": alarm.pk},
        reraise=(NotAllowed,),
    )
    return redirect(responses.safe_next(request, reverse("iot:alarms:detail", args=[alarm.pk])))
