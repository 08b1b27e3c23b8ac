"""The pages of parking sharing: the lots and shared spots on the map with their availability,
reserving a window (the confirmation page after), my reservations (cancel), sharing my spot
(holders; a resident's claim), and the officials' view of the lots (claims to confirm,
holders to register, lots to add). Thin: forms go to the services, refusals show inline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotAllowed, NotFound
from hamkke.core.web import responses
from hamkke.core.web.bounds import whole_number
from hamkke.iot import services as iot_services
from hamkke.iot.parking import policies, selectors, services
from hamkke.iot.parking.forms import ClaimForm, HolderForm, LotForm, SpanForm
from hamkke.iot.parking.models import ShareWindow, SpotHolder


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    city = current_city()
    return render(
        request,
        "iot/parking/index.html",
        {
            "lots": selectors.lots(city),
            "windows": list(selectors.open_windows(city)[:200]),
            "grace_minutes": iot_services.iot_settings(city).parking_grace_minutes,
            "words": {"free": _("free")},
            "tab": "index",
        },
    )


@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.map_features(current_city()))


def _window(pk: int) -> ShareWindow:
    row = selectors.open_windows(current_city()).filter(pk=pk).first()
    if row is None:
        raise Http404(_("This window is not shared, or it is over."))
    return row


@login_required
@require_http_methods(["GET", "POST"])
def reserve(request: HttpRequest, window_id: int) -> HttpResponse:
    row = _window(window_id)
    form = SpanForm(request.POST or None, initial={"start": row.start, "end": row.end})
    if request.method == "POST" and form.submit(
        lambda: services.reserve(
            window=row,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            actor=request.actor,
        )
    ):
        messages.success(
            request, _("Reserved. Your confirmation code is %(code)s.") % {"code": form.result.code}
        )
        return redirect("iot:parking-reservation", form.result.code)
    return render(
        request,
        "iot/parking/reserve.html",
        {"window": row, "form": form},
        status=form.status_code,
    )


@login_required
@require_GET
def reservation(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.reservation_of(request.user, code[:20])
    if found is None:
        raise Http404(_("No such reservation of yours."))
    return render(
        request,
        "iot/parking/reservation.html",
        {"reservation": found, "may_cancel": policies.may_cancel(request.user, found)},
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    rows = selectors.reservations_of(request.user)
    return render(
        request,
        "iot/parking/mine.html",
        {"rows": [(r, policies.may_cancel(request.user, r)) for r in rows], "tab": "mine"},
    )


@login_required
@require_POST
def cancel(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.reservation_of(request.user, code[:20])
    if found is None:
        raise Http404(_("No such reservation of yours."))
    responses.carry_out(
        request,
        lambda: services.cancel_reservation(reservation=found, actor=request.actor),
        _("Reservation %(code)s cancelled.") % {"code": found.code},
    )
    return redirect("iot:parking-mine")


@login_required
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest) -> HttpResponse:
    """A holder's spots, their windows and the form to share more; a resident's claim."""
    city = current_city()
    claim = ClaimForm(request.POST if "claim" in request.POST else None, prefix="claim")
    span = SpanForm(request.POST if "share" in request.POST else None, prefix="share")
    status = 200
    if "claim" in request.POST:
        if claim.submit(lambda: services.claim_spot(spot=_spot(city, claim), actor=request.actor)):
            messages.success(request, _("Claim sent: the city confirms it before you may share."))
            return redirect("iot:parking-share")
        status = claim.status_code
    elif "share" in request.POST:
        holder_id = whole_number(request.POST.get("holder", "")) or 0
        holder = (
            SpotHolder.objects.filter(user=request.user, pk=holder_id)
            .select_related("spot")
            .first()
        )
        if span.submit(lambda: _share(holder, span, request)):
            messages.success(request, _("Shared. Citizens may reserve it now."))
            return redirect("iot:parking-share")
        status = span.status_code
    holdings = selectors.holdings_of(request.user)
    return render(
        request,
        "iot/parking/share.html",
        {"holdings": holdings, "claim": claim, "span": span, "tab": "share"},
        status=status,
    )


def _spot(city, form: ClaimForm | HolderForm):
    spot = selectors.spot_by_ref(city, form.cleaned_data["spot"])
    if spot is None:
        raise InvalidInput(_("There is no parking spot with this reference."), field="spot")
    return spot


def _share(holder: SpotHolder | None, form: SpanForm, request: HttpRequest) -> ShareWindow:
    if holder is None:
        raise NotFound(_("Choose one of your spots."))
    return services.share_window(
        spot=holder.spot,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        actor=request.actor,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, window_id: int) -> HttpResponse:
    row = ShareWindow.objects.filter(pk=window_id, holder__user=request.user).first()
    if row is None:
        raise Http404(_("No such window of yours."))
    responses.carry_out(
        request,
        lambda: services.withdraw_window(window=row, actor=request.actor),
        _("The window is withdrawn."),
    )
    return redirect("iot:parking-share")


# --- the officials' view ------------------------------------------------------------------------


def _seat(request: HttpRequest) -> Seat:
    keeper = iot_services.keeper_of(current_city())
    if keeper is None:
        raise NotAllowed(_("No department keeps the sensors: set [iot] department."))
    seat = seat_at(request.actor, keeper)
    policies.may_view_desk(seat, request.actor).enforce()
    return seat


@official_required(role=Role.VIEWER)
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    seat = _seat(request)
    city = current_city()
    holder = HolderForm(request.POST if "holder" in request.POST else None, prefix="holder")
    lot = LotForm(request.POST if "lot" in request.POST else None, prefix="lot")
    status = 200
    if "holder" in request.POST:
        if holder.submit(lambda: _register(city, holder, request), reraise=(NotAllowed,)):
            messages.success(request, _("The holder is registered."))
            return redirect("iot:parking-desk")
        status = holder.status_code
    elif "lot" in request.POST:
        if lot.submit(
            lambda: services.create_lot(
                name=lot.cleaned_data["name"],
                latitude=lot.cleaned_data["latitude"],
                longitude=lot.cleaned_data["longitude"],
                actor=request.actor,
                city=city,
            ),
            reraise=(NotAllowed,),
        ):
            messages.success(request, _("The lot is added."))
            return redirect("iot:parking-desk")
        status = lot.status_code
    return render(
        request,
        "iot/parking/desk.html",
        {
            "lots": selectors.lots(city),
            "claims": selectors.pending_claims(city),
            "may_manage": policies.may_manage(seat, request.actor),
            "holder_form": holder,
            "lot_form": lot,
        },
        status=status,
    )


def _register(city, form: HolderForm, request: HttpRequest) -> SpotHolder:
    user = account_selectors.user_by_email(form.cleaned_data["email"], active_only=True)
    if user is None:
        raise InvalidInput(_("No account has this email address."), field="email")
    return services.register_holder(spot=_spot(city, form), user=user, actor=request.actor)


@official_required(role=Role.HANDLER)
@require_POST
def confirm(request: HttpRequest, holder_id: int) -> HttpResponse:
    _seat(request)
    holder = SpotHolder.objects.filter(pk=holder_id, spot__city=current_city()).first()
    if holder is None:
        raise Http404(_("No such claim."))
    responses.carry_out(
        request,
        lambda: services.register_holder(spot=holder.spot, user=holder.user, actor=request.actor),
        _("The claim is confirmed."),
        reraise=(NotAllowed,),
    )
    return redirect("iot:parking-desk")
