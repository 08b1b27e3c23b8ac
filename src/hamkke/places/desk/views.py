"""The places desk: the registries at a glance (rows in service per layer, the WiFi coverage and
when it was computed, the lending totals), each registry's list (every row, out-of-service ones
too, filtered and paged), adding and editing a row of each registry through its service, taking
a place or an access point off the map and putting it back, and the chargers lent at city
events. For the officials of the department that keeps the registries: its viewers read, its
handlers edit. The second factor and the role are the decorators'; the department's seat is
asked of the policies; a service's refusal is shown beside the field it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.web import responses
from hamkke.places import policies
from hamkke.places import selectors as places_selectors
from hamkke.places.desk import editing, selectors
from hamkke.places.desk.forms import (
    STATUS_LABEL,
    LendingForm,
    RegistryFilterForm,
    initial_of,
    registry_form,
)
from hamkke.places.models import AccessPoint, Event, Layer, Place, Route, Status
from hamkke.places.views import kind_names, metres_text, percent_text, shown_name

LENDING_PAGE_SIZE = 50


# --- who sits at the desk ----------------------------------------------------------------------


def _seat(request: HttpRequest) -> Seat:
    """The official's seat at the keeping department, which they must hold a role in (403 for an
    official of another department)."""
    seat = selectors.desk_seat(request.actor)
    policies.may_view_desk(seat).enforce()
    return seat


def _page(
    request: HttpRequest,
    template: str,
    seat: Seat,
    tab: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """A desk page with its tabs, and what the official's role there allows."""
    desk_url = reverse("places:desk")
    context = {
        "tab": tab,
        "tabs": [(layer, Layer(layer).label) for layer in Layer.values],
        "department": seat.department,
        "may_edit": policies.may_edit(seat),
        "may_import": policies.may_import(seat),
        # The import pages and the exports are another part of the desk (desk/urls.py).
        "imports_url": f"{desk_url}imports/",
        **context,
    }
    return render(request, template, context, status=status)


def _export_links(layer: str) -> list[tuple[str, str]]:
    base = f"{reverse('places:desk')}export/{layer}"
    return [("CSV", f"{base}.csv?format=csv"), ("GeoJSON", f"{base}.geojson?format=geojson")]


# --- the registries at a glance ----------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    seat = _seat(request)
    counts = places_selectors.registry_counts()
    snapshot = places_selectors.coverage_of()
    layers = [
        {
            "layer": layer,
            "label": Layer(layer).label,
            "count": counts[layer],
            "exports": _export_links(layer),
        }
        for layer in Layer.values
    ]
    context = {
        "layers": layers,
        "charger_units": counts["charger_units"],
        "snapshot": snapshot,
        "coverage_percent": percent_text(snapshot.share) if snapshot is not None else "",
        "lending": places_selectors.lending_figures(),
    }
    return _page(request, "places/desk/index.html", seat, "desk", context)


# --- a registry's list -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A line of a registry's table: its number (linked to its page), its name, the layer's
    facts as (column, value), and whether it is off the map."""

    ref: str
    name: str
    url: str
    cells: list[tuple[str, str]]
    retired: bool = False


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _status(row: Place | AccessPoint) -> tuple[str, str]:
    return (str(STATUS_LABEL), str(Status(row.status).label))


def _district(row: Any) -> tuple[str, str]:
    return (_("District"), row.district.display_name if row.district else "—")


def _row(layer: str, row: Any, kinds: dict[str, str]) -> Row:
    url = reverse("places:desk-edit", args=[layer, row.pk])
    if isinstance(row, Place):
        return _place_row(layer, row, kinds, url)
    if isinstance(row, AccessPoint):
        return Row(
            ref=row.ref,
            name=shown_name(row.site.name, row.site.name_en),
            url=url,
            cells=[
                (_("WiFi site number"), row.site.ref),
                (_("Network name (SSID)"), row.ssid or "—"),
                (_("Provider"), row.provider or "—"),
                (_("Where the WiFi is"), kinds.get(row.install_type, row.install_type) or "—"),
                _district(row),
                _status(row),
            ],
            retired=row.status == Status.CLOSED,
        )
    if isinstance(row, Event):
        return Row(
            ref=row.ref,
            name=shown_name(row.title, row.title_en),
            url=url,
            cells=[
                (_("Starts at"), _when(row.starts_at)),
                (_("Ends at"), _when(row.ends_at)),
                (_("Venue"), row.venue or "—"),
                (_("Languages"), row.languages.replace(",", ", ") or "—"),
                _district(row),
            ],
        )
    return Row(
        ref=row.ref,
        name=shown_name(row.name, row.name_en),
        url=url,
        cells=[
            (_("Stops"), str(row.stop_count)),
            (_("Distance"), metres_text(row.distance_m)),
            (
                _("Walking time"),
                ngettext("%(n)s minute", "%(n)s minutes", row.minutes) % {"n": row.minutes},
            ),
        ],
    )


def _place_row(layer: str, place: Place, kinds: dict[str, str], url: str) -> Row:
    kind = kinds.get(place.kind, place.kind) or "—"
    cells: list[tuple[str, str]]
    if layer == Layer.WIFI_SITES:
        cells = [
            (_("Where the WiFi is"), kind),
            (_("Network"), place.network or "—"),
            (_("Access points"), number_format(place.access_point_count)),
        ]
    elif layer == Layer.CHARGERS:
        cells = [
            (_("Chargers"), number_format(place.charger_count or 0)),
            (_("Opening hours"), place.hours or "—"),
        ]
    else:
        cells = [(_("Kind of facility"), kind), (_("Opening hours"), place.hours or "—")]
    return Row(
        ref=place.ref,
        name=shown_name(place.name, place.name_en),
        url=url,
        cells=[*cells, _district(place), _status(place), (_("Updated"), _when(place.updated_at))],
        retired=place.status == Status.CLOSED,
    )


@official_required(role=Role.VIEWER)
@require_GET
def registry(request: HttpRequest, layer: str) -> HttpResponse:
    """Every row of a registry, out-of-service ones too, filtered and paged; each links to its
    page. The same queries for a page of any size."""
    seat = _seat(request)
    city = current_city()
    form = RegistryFilterForm(request.GET, layer=layer, city=city, auto_id="filter-%s")
    form.is_valid()  # an unreadable filter shows its error; the others still apply
    rows = selectors.registry_rows(layer, form.filters())
    page, query = responses.page_of(request, rows, form.page_size())
    kinds = kind_names(city)
    lines = [_row(layer, row, kinds) for row in page.object_list]
    context = {
        "layer": layer,
        "label": Layer(layer).label,
        "form": form,
        "page": page,
        "query": query,
        "rows": lines,
        "columns": [column for column, _value in lines[0].cells] if lines else [],
        "exports": _export_links(layer),
    }
    return _page(request, "places/desk/registry.html", seat, layer, context)


# --- adding and editing ------------------------------------------------------------------------


def _saving(request: HttpRequest, layer: str, form, current: Any = None) -> bool:
    """Send the form to the layer's service; True when saved (the row in `form.result`)."""
    return form.submit(
        lambda: editing.save(
            actor=request.actor,
            layer=layer,
            values=form.values(),
            stops=form.cleaned_data.get("stops"),
            current=current,
        ),
        reraise=(NotAllowed,),
    )


def _form_page(
    request: HttpRequest, seat: Seat, layer: str, form, *, row: Any = None, status: int = 200
) -> HttpResponse:
    context = {
        "layer": layer,
        "label": Layer(layer).label,
        "form": form,
        "row": row,
        "retirable": row is not None and layer in selectors.RETIRABLE,
        "retired": row is not None and getattr(row, "status", "") == Status.CLOSED,
        "public_url": _public_url(row),
    }
    return _page(request, "places/desk/form.html", seat, layer, context, status=status)


def _public_url(row: Any) -> str:
    """The row's public page, while the public may see it."""
    if isinstance(row, Place) and policies.is_public(row):
        return reverse("places:place", args=[row.pk])
    if isinstance(row, Event):
        return reverse("places:event", args=[row.pk])
    if isinstance(row, Route):
        return reverse("places:route", args=[row.pk])
    return ""


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, layer: str) -> HttpResponse:
    seat = _seat(request)
    policies.may_edit(seat).enforce()
    city = current_city()
    if request.method == "GET":
        return _form_page(request, seat, layer, registry_form(layer, city=city))
    form = registry_form(layer, request.POST, city=city)
    if not _saving(request, layer, form):
        return _form_page(request, seat, layer, form, status=form.status_code)
    row, _created = form.result
    messages.success(request, _("Number %(ref)s is added to the registry.") % {"ref": row.ref})
    return redirect("places:desk-edit", layer, row.pk)


@official_required(role=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, layer: str, pk: int) -> HttpResponse:
    """A row's page: its form (read-only for a viewer), and taking it off the map or putting it
    back."""
    seat = _seat(request)
    row = responses.found_or_404(selectors.registry_row, layer, pk)
    city = current_city()
    if request.method == "POST":
        policies.may_edit(seat).enforce()
        form = registry_form(layer, request.POST, city=city, editing=row)
        if _saving(request, layer, form, current=row):
            messages.success(request, _("Number %(ref)s is saved.") % {"ref": row.ref})
            return redirect("places:desk-edit", layer, row.pk)
        return _form_page(request, seat, layer, form, row=row, status=form.status_code)
    form = registry_form(layer, city=city, editing=row, initial=initial_of(row))
    if not policies.may_edit(seat):
        for field in form.fields.values():
            field.disabled = True
    return _form_page(request, seat, layer, form, row=row)


# What taking a row off the map and putting it back call, and say when done.
SWITCHES = {
    "retire": (
        editing.take_off_map,
        gettext_lazy("Number %(ref)s is out of service: off the public map, kept in the registry."),
    ),
    "reinstate": (
        editing.put_back,
        gettext_lazy("Number %(ref)s is in service again, on the public map."),
    ),
}


@official_required(role=Role.HANDLER)
@require_POST
def switch(request: HttpRequest, layer: str, pk: int, action: str) -> HttpResponse:
    """Take a place or an access point off the map ("retire") or put it back ("reinstate")."""
    if layer not in selectors.RETIRABLE or action not in SWITCHES:
        raise Http404(_("Only places and access points are taken off the map."))
    seat = _seat(request)
    policies.may_edit(seat).enforce()
    row = responses.found_or_404(selectors.registry_row, layer, pk)
    service, success = SWITCHES[action]
    responses.carry_out(
        request,
        lambda: service(actor=request.actor, layer=layer, row=row),
        str(success) % {"ref": row.ref},
        reraise=(NotAllowed,),
    )
    return redirect("places:desk-edit", layer, row.pk)


# --- lending -----------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def lending(request: HttpRequest) -> HttpResponse:
    """The chargers lent at city events, latest first, with the totals; handlers record one."""
    seat = _seat(request)
    city = current_city()
    may_edit = policies.may_edit(seat)
    form, status = None, 200
    if request.method == "POST":
        may_edit.enforce()
        form = LendingForm(request.POST, city=city)
        if form.submit(
            lambda: editing.record_lending(actor=request.actor, **form.cleaned_data),
            reraise=(NotAllowed,),
        ):
            messages.success(
                request,
                _("The lending at %(event)s is recorded.") % {"event": form.result.event_name},
            )
            return redirect("places:desk-lending")
        status = form.status_code
    elif may_edit:
        form = LendingForm(city=city, initial={"held_on": timezone.localdate()})
    page, query = responses.page_of(request, selectors.lendings(), LENDING_PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "totals": places_selectors.lending_figures(),
    }
    return _page(request, "places/desk/lending.html", seat, "lending", context, status=status)
