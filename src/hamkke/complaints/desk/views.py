"""The officials' desk pages: department queues with bulk actions, one report's workflow,
assignment and moderation, and the statistics with their CSV exports. Thin: a form parses,
the policies say what to offer, a service acts, and a refusal is shown beside the field it
concerns (a missing role: 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.complaints import policies, selectors, services
from hamkke.complaints.desk import exports
from hamkke.complaints.desk.forms import (
    MODERATION_FORMS,
    AssignForm,
    BanForm,
    BulkForm,
    EditDescriptionForm,
    ModerationAction,
    PhotoForm,
    QueueFilterForm,
    ReasonForm,
    StatisticsFilterForm,
    StatusForm,
    UnbanForm,
    template_initial,
)
from hamkke.complaints.models import Complaint, Status
from hamkke.complaints.policies import Seat
from hamkke.core.audit import selectors as audit_selectors
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, NotAllowed
from hamkke.core.web import responses

PAGE_SIZE = 50


# --- the queue ---------------------------------------------------------------------------------


def _places(request: HttpRequest, city) -> list[selectors.DeskPlace]:
    places = selectors.desk_places(request.user, city)
    policies.may_use_desk(places).enforce()
    return places


@official_required(role=Role.VIEWER)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The reports of the official's departments, filtered, sorted and paged. An htmx request
    (the filters changed) gets only the results."""
    city = city_selectors.current_city()
    places = _places(request, city)
    form = QueueFilterForm(request.GET, city=city, places=places, auto_id="filter-%s")
    form.is_valid()  # invalid fields show their error; the valid ones still filter
    chosen = form.chosen_places()
    department_ids = [place.department.pk for place in chosen]
    complaints = selectors.desk_queue(
        department_ids,
        form.filters(),
        user=request.user,
        sort=form.chosen_sort(),
        overdue_only=bool(form.cleaned_data.get("overdue")),
        assignee=form.cleaned_data.get("assignee") or "",
    )
    page = Paginator(complaints, PAGE_SIZE).get_page(request.GET.get("page"))
    may_act = policies.may_act_in_bulk(chosen)
    context = {
        "form": form,
        "places": places,
        "page": page,
        "now": timezone.now(),
        "may_act": may_act,
        "bulk_form": BulkForm(city=city, department_ids=department_ids, auto_id="bulk-%s")
        if may_act
        else None,
    }
    # htmx asks for the results only, except when it restores a page from history, which
    # needs the whole page.
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "complaints/desk/_queue_results.html" if partial else "complaints/desk/queue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def _back_to_queue(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("complaints:desk")


@official_required(role=Role.HANDLER)
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked reports; says which were done and which refused, and why."""
    city = city_selectors.current_city()
    places = _places(request, city)
    form = BulkForm(
        request.POST,
        city=city,
        department_ids=[place.department.pk for place in places],
    )
    back = _back_to_queue(request)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(back)
    data = form.cleaned_data
    try:
        result = services.act_in_bulk(
            actor=request.actor,
            tracking_numbers=data["tracking_numbers"],
            action=data["action"],
            handler=data.get("handler"),
            department=data.get("department"),
            public_note=data.get("public_note", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.succeeded:
        messages.success(
            request,
            ngettext(
                "Done for %(count)d report: %(numbers)s.",
                "Done for %(count)d reports: %(numbers)s.",
                len(result.succeeded),
            )
            % {"count": len(result.succeeded), "numbers": ", ".join(result.succeeded)},
        )
    for number, reason in result.failed:
        messages.error(
            request, _("Not done for %(number)s: %(reason)s") % {"number": number, "reason": reason}
        )
    return redirect(back)


# --- one report --------------------------------------------------------------------------------


def _complaint_for(request: HttpRequest, tracking_number: str) -> tuple[Complaint, Seat]:
    """The report and the official's seat at its department's desk (any role); others get
    403."""
    complaint = responses.found_or_404(selectors.official_complaint, tracking_number)
    seat = policies.seat_at(request.actor, complaint.department)
    policies.may_read(seat).enforce()
    return complaint, seat


def _moderation_forms(
    complaint: Complaint,
    photos,
    failed: tuple[str, object] | None,
    offers: policies.DeskOffers,
) -> dict:
    """A fresh form per moderation action, except the one that failed, which keeps its input
    and errors. Distinct ids, as all of them are on one page."""
    photos = photos if offers.hide_media else []
    forms = {
        ModerationAction.EDIT: EditDescriptionForm(
            initial={"description": complaint.description}, auto_id="edit-%s"
        ),
        "visibility": ReasonForm(auto_id="visibility-%s"),
        ModerationAction.BAN: BanForm(auto_id="ban-%s"),
        ModerationAction.UNBAN: UnbanForm(auto_id="unban-%s"),
    }
    photo_forms = {
        media.pk: PhotoForm(initial={"media": media.pk}, auto_id=f"photo-{media.pk}-%s")
        for media in photos
    }
    if failed is not None:
        action, form = failed
        if action in (ModerationAction.HIDE_PHOTO, ModerationAction.SHOW_PHOTO):
            photo_forms[_int_or_none(form.data.get("media"))] = form
        elif action in (ModerationAction.HIDE, ModerationAction.UNHIDE):
            forms["visibility"] = form
        else:
            forms[action] = form
    forms["photos"] = [(media, photo_forms.get(media.pk)) for media in photos]
    return forms


def _report_page(
    request: HttpRequest,
    complaint: Complaint,
    seat: Seat,
    *,
    status_form: StatusForm | None = None,
    assign_form: AssignForm | None = None,
    failed_moderation: tuple[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    offers = policies.desk_offers(seat, complaint)
    templates = selectors.templates_for(complaint)
    if status_form is None and offers.handle:
        initial = template_initial(templates, request.GET.get("template"), offers.moves)
        status_form = StatusForm(complaint=complaint, offers=offers, initial=initial)
    if assign_form is None and offers.assign:
        assign_form = AssignForm(
            department=complaint.department, initial={"handler": complaint.handler_id}
        )
    photos = selectors.media_of(complaint, include_hidden=True)
    shots = selectors.result_photos(complaint)
    context = {
        "complaint": complaint,
        "offers": offers,
        "now": timezone.now(),
        "events": [(event, shots.get(event.pk, [])) for event in complaint.events.all()],
        "photos": photos,
        "duplicates": selectors.duplicates_of(complaint),
        "templates": templates,
        "chosen_template": request.GET.get("template", ""),
        "status_form": status_form,
        "assign_form": assign_form,
        "moderation": _moderation_forms(complaint, photos, failed_moderation, offers)
        if offers.moderate
        else None,
        "audit": audit_selectors.audit_trail(complaint, limit=50) if offers.moderate else [],
    }
    return render(request, "complaints/desk/report.html", context, status=status)


def _to_report(complaint: Complaint, anchor: str = "") -> HttpResponse:
    url = reverse("complaints:desk-report", args=[complaint.tracking_number])
    return redirect(f"{url}#{anchor}" if anchor else url)


@official_required(role=Role.VIEWER)
@require_GET
def report(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """Everything about one report: what the public sees, the private contact details, the
    full history with internal notes, and the forms the official's role allows."""
    return _report_page(request, *_complaint_for(request, tracking_number))


@official_required(role=Role.HANDLER)
@require_POST
def change_status(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint, seat = _complaint_for(request, tracking_number)
    # Before the form: its choices are the moves this official may make.
    offers = policies.desk_offers(seat, complaint)
    offers.handle.enforce()
    form = StatusForm(request.POST, request.FILES, complaint=complaint, offers=offers)
    changed = form.submit(
        lambda: services.change_status(
            complaint=complaint, actor=request.actor, **form.service_kwargs()
        ),
        reraise=(NotAllowed,),
    )
    if not changed:
        return _report_page(request, complaint, seat, status_form=form, status=form.status_code)
    new = Status(form.cleaned_data["status"]).label
    messages.success(request, _("The report is now %(status)s.") % {"status": new})
    return _to_report(complaint)


@official_required(role=Role.MANAGER)
@require_POST
def assign(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint, seat = _complaint_for(request, tracking_number)
    form = AssignForm(request.POST, department=complaint.department)
    assigned = form.submit(
        lambda: services.assign_handler(
            complaint=complaint, actor=request.actor, handler=form.cleaned_data["handler"]
        ),
        reraise=(NotAllowed,),
    )
    if not assigned:
        return _report_page(request, complaint, seat, assign_form=form, status=form.status_code)
    handler = form.cleaned_data["handler"]
    if handler is None:
        messages.success(request, _("The report is unassigned."))
    else:
        messages.success(
            request, _("The report is assigned to %(person)s.") % {"person": handler.public_name}
        )
    return _to_report(complaint, "assignment")


def _moderate(request: HttpRequest, complaint: Complaint, action: str, data: dict) -> str:
    """Carry out one moderation action through its service; returns what to tell the user."""
    actor, reason = request.actor, data.get("reason", "")
    if action == ModerationAction.EDIT:
        services.moderate_complaint(
            complaint=complaint, actor=actor, description=data["description"], reason=reason
        )
        return _("The description is changed.")
    if action in (ModerationAction.HIDE, ModerationAction.UNHIDE):
        hidden = action == ModerationAction.HIDE
        services.moderate_complaint(complaint=complaint, actor=actor, hidden=hidden, reason=reason)
        return _("The report is hidden from the public.") if hidden else _("The report is public.")
    if action in (ModerationAction.HIDE_PHOTO, ModerationAction.SHOW_PHOTO):
        media = selectors.complaint_photo(complaint, data["media"])
        hidden = action == ModerationAction.HIDE_PHOTO
        services.set_photo_hidden(
            complaint=complaint, media=media, actor=actor, hidden=hidden, reason=reason
        )
        return (
            _("The photo is hidden from the public.") if hidden else _("The photo is public again.")
        )
    if action == ModerationAction.BAN:
        services.ban_reporter(complaint=complaint, actor=actor, reason=reason)
        return _("The reporter's account is banned: it can no longer file reports or comment.")
    services.unban_reporter(complaint=complaint, actor=actor)
    return _("The ban on the reporter's account is lifted.")


@official_required(role=Role.MANAGER)
@require_POST
def moderate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint, seat = _complaint_for(request, tracking_number)
    action = request.POST.get("action", "")
    form_class = MODERATION_FORMS.get(action)
    if form_class is None:
        messages.error(request, _("Choose a moderation action."))
        return _to_report(complaint, "moderation")
    form = form_class(request.POST, auto_id=f"{action}-{request.POST.get('media', '')}-%s")
    moderated = form.submit(
        lambda: _moderate(request, complaint, action, form.cleaned_data), reraise=(NotAllowed,)
    )
    if moderated:
        messages.success(request, form.result)
        return _to_report(complaint, "moderation")
    return _report_page(
        request, complaint, seat, failed_moderation=(action, form), status=form.status_code
    )


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- statistics --------------------------------------------------------------------------------


def _statistics_filters(request: HttpRequest, city) -> StatisticsFilterForm:
    form = StatisticsFilterForm(request.GET, city=city, auto_id="stats-%s")
    form.is_valid()
    return form


def _chart_data(tallies) -> dict:
    return {"labels": [t.label for t in tallies], "values": [t.total for t in tallies]}


@official_required(role=Role.VIEWER)
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    city = city_selectors.current_city()
    form = _statistics_filters(request, city)
    numbers = selectors.desk_statistics(city, form.filters())
    context = {
        "form": form,
        "stats": numbers,
        "query": request.GET.urlencode(),
        "charts": {
            "category": _chart_data(numbers.by_category),
            "district": _chart_data(numbers.by_district),
            "status": _chart_data(numbers.by_status),
            "month": _chart_data(numbers.by_month),
        },
    }
    return render(request, "complaints/desk/stats.html", context)


@official_required(role=Role.VIEWER)
@require_GET
def stats_csv(request: HttpRequest) -> HttpResponse:
    """The statistics page's aggregates, one row per category, district, status and month,
    and a total row with the median."""
    city = city_selectors.current_city()
    numbers = selectors.desk_statistics(city, _statistics_filters(request, city).filters())
    return exports.csv_response(
        exports.statistics_rows(numbers), f"complaints-statistics-{exports.today()}.csv"
    )


@official_required(role=Role.VIEWER)
@require_GET
def reports_csv(request: HttpRequest) -> HttpResponse:
    """One row per report of the filtered period, streamed; no personal data."""
    city = city_selectors.current_city()
    filters = _statistics_filters(request, city).filters()
    return exports.csv_response(
        exports.report_rows(city, filters), f"complaints-reports-{exports.today()}.csv"
    )
