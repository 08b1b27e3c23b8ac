"""The smart bins' pages: the public map and table of fill levels; the desk of the sensors'
keeping department: a day's plan (progress, routes on a map, left-overs, the button that makes
it), a crew's printable sheet per route, and the trucks. The role and the second factor are the
decorators'; the department's seat is asked of bins.policies; a service's refusal is shown
beside the field it names."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.web import responses
from hamkke.iot.bins import policies, selectors, services
from hamkke.iot.bins.forms import BinFilterForm, PlanForm, TruckForm
from hamkke.iot.bins.models import Route


def _percent(level: float | None) -> str:
    return "—" if level is None else f"{round(level * 100)}%"


def _route_line(route: Route) -> dict:
    """A route as the map script draws it: the depot, then the stops in order."""
    return {
        "number": route.number,
        "truck": route.truck.name,
        "depot": [route.depot_latitude, route.depot_longitude],
        "stops": [
            {
                "n": stop.position,
                "lat": stop.asset.latitude,
                "lon": stop.asset.longitude,
                "name": stop.asset.name or stop.asset.ref,
                "level": _percent(stop.level),
                "collected": stop.collected_at is not None,
            }
            for stop in route.stops.all()
        ],
    }


def _messages() -> dict:
    return {
        "stop": _("Stop %(n)s"),
        "depot": _("Depot of %(truck)s"),
        "route": _("Route %(n)s: %(truck)s"),
        "level": _("Fill level %(level)s"),
        "collected": _("collected"),
    }


# --- public: the bins' fill levels ---------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    city = current_city()
    form = BinFilterForm(request.GET or None, city=city)
    filters = selectors.BinFilters()
    if form.is_valid():
        filters = selectors.BinFilters(
            district=form.cleaned_data["district"], due=True if form.cleaned_data["due"] else None
        )
    rows = selectors.bin_levels(city, filters)
    query = request.GET.urlencode() if form.is_valid() else ""
    points = reverse("api:bins_geojson")
    return render(
        request,
        "iot/bins/index.html",
        {
            "form": form,
            "rows": [(row, _percent(row.level), _percent(row.threshold)) for row in rows],
            "due_count": sum(1 for row in rows if row.due),
            "points_url": f"{points}?{query}" if query else points,
            "script_messages": _messages(),
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


# --- the desk ------------------------------------------------------------------------------------


def _seat(request: HttpRequest):
    seat = selectors.desk_seat(request.actor)
    policies.may_view_desk(seat, request.actor).enforce()
    return seat


def _day(request: HttpRequest) -> date:
    form = PlanForm(request.GET)
    return form.cleaned_data["day"] if form.is_valid() else timezone.localdate()


@official_required(role=Role.VIEWER)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    seat = _seat(request)
    city = current_city()
    day = _day(request)
    plan = selectors.plan_of(city, day)
    routes = list(plan.routes.all()) if plan else []
    context = {
        "department": seat.department,
        "day": day,
        "plan": plan,
        "progress": selectors.progress_of(plan) if plan else None,
        "routes": routes,
        "lines": {"routes": [_route_line(route) for route in routes]},
        "left_over": list(plan.left_over.all()) if plan else [],
        "due_count": len(selectors.due_bins(city)),
        "trucks": list(selectors.trucks(city)),
        "may_plan": policies.may_plan(seat, request.actor),
        "plan_form": PlanForm(initial={"day": day}),
        "script_messages": _messages(),
    }
    return render(request, "iot/bins/desk.html", context)


@official_required(role=Role.HANDLER)
@require_POST
def make_plan(request: HttpRequest) -> HttpResponse:
    seat = selectors.desk_seat(request.actor)
    policies.may_plan(seat, request.actor).enforce()
    form = PlanForm(request.POST)
    if not form.is_valid():
        return redirect(reverse("iot:bins:desk"))
    day = form.cleaned_data["day"]
    responses.carry_out(
        request,
        lambda: services.make_plan(day=day, actor=request.actor),
        _("The collection plan of %(day)s is made.") % {"day": day.isoformat()},
        reraise=(NotAllowed,),
    )
    return redirect(f"{reverse('iot:bins:desk')}?day={day.isoformat()}")


@official_required(role=Role.VIEWER)
@require_GET
def sheet(request: HttpRequest, route_id: int) -> HttpResponse:
    _seat(request)
    route = selectors.route_or_none(current_city(), route_id)
    if route is None:
        raise Http404
    context = {
        "route": route,
        "stops": [(stop, _percent(stop.level)) for stop in route.stops.all()],
        "lines": {"routes": [_route_line(route)]},
        "script_messages": _messages(),
    }
    return render(request, "iot/bins/sheet.html", context)


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def truck(request: HttpRequest, truck_id: int | None = None) -> HttpResponse:
    seat = selectors.desk_seat(request.actor)
    policies.may_plan(seat, request.actor).enforce()
    city = current_city()
    existing = None
    if truck_id is not None:
        existing = selectors.truck_or_none(city, truck_id)
        if existing is None:
            raise Http404
    initial = {}
    if existing is not None:
        initial = {**selectors.truck_document(existing)}
    form = TruckForm(request.POST or None, city=city, initial=initial)
    if request.method == "POST" and form.submit(
        lambda: services.save_truck(actor=request.actor, truck=existing, **form.cleaned_data),
        reraise=(NotAllowed,),
    ):
        return redirect(reverse("iot:bins:desk"))
    status = form.status_code if request.method == "POST" else 200
    return render(
        request,
        "iot/bins/truck.html",
        {"form": form, "truck": existing, "may_delete": existing is not None},
        status=status,
    )


@official_required(role=Role.HANDLER)
@require_POST
def delete_truck(request: HttpRequest, truck_id: int) -> HttpResponse:
    seat = selectors.desk_seat(request.actor)
    policies.may_plan(seat, request.actor).enforce()
    existing = selectors.truck_or_none(current_city(), truck_id)
    if existing is None:
        raise Http404
    responses.carry_out(
        request,
        lambda: services.delete_truck(actor=request.actor, truck=existing),
        _("The truck %(name)s is deleted.") % {"name": existing.name},
        reraise=(NotAllowed,),
    )
    return redirect(reverse("iot:bins:desk"))
