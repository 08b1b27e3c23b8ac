"""Citizens' and the public's pages of the Smart Complaint Report: the list and map, the report
form (working without JavaScript in two steps), the receipt, each report's public page, "me
too", the reporter's rating and reopening, and the small helpers the form's script calls."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.complaints import filing, policies, selectors, services
from hamkke.complaints.forms import (
    FilterForm,
    RatingForm,
    ReopenForm,
    ReportForm,
    question_label,
)
from hamkke.complaints.models import Category, Complaint, Status
from hamkke.core import ratelimit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import DomainError, NotFound
from hamkke.core.media.files import photo_gps
from hamkke.core.web import responses
from hamkke.plaza import selectors as plaza_selectors
from hamkke.plaza import services as plaza_services

PAGE_SIZE = 20
# Places offered for an address: enough for "강남" (the gu, its office, the station), few
# enough to read on a phone.
PLACE_CHOICES = 5
# Reading a photo's EXIF decodes it: generous for a person trying a few photos, not for a bot.
PHOTO_LOCATION = ratelimit.Limit("complaints.photo_location", per_address="30/m")


def _public_or_404(tracking_number: str) -> Complaint:
    city = city_selectors.current_city()
    return responses.found_or_404(selectors.public_complaint, city, tracking_number.upper())


# --- the list and the map --------------------------------------------------------------------


def _filter_form(request: HttpRequest, city) -> FilterForm:
    return FilterForm(
        request.GET or None,
        groups=selectors.category_groups(city),
        districts=city_selectors.districts_of(city),
    )


def index(request: HttpRequest) -> HttpResponse:
    city = city_selectors.current_city()
    form = _filter_form(request, city)
    complaints = selectors.public_list(city, form.filters())
    page, query = responses.page_of(request, complaints, PAGE_SIZE)
    thumbnails = selectors.first_thumbnails(page.object_list)
    context = {
        "form": form,
        "page": page,
        "rows": [(c, thumbnails.get(c.pk)) for c in page.object_list],
        "query": query,
        "geojson_url": f"{reverse('complaints:map-geojson')}?{query}",
        "status_labels": {value: str(label) for value, label in Status.choices},
        "now": timezone.now(),
    }
    return render(request, "complaints/index.html", context, status=400 if form.refusal() else 200)


@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    city = city_selectors.current_city()
    form = _filter_form(request, city)
    refusal = form.refusal()
    if refusal:
        return JsonResponse({"detail": refusal, "code": "invalid"}, status=400)
    data = selectors.geojson(city, form.filters())
    return JsonResponse(data, content_type="application/geo+json")


# --- the report form -------------------------------------------------------------------------


def _category(city, code: str | None) -> Category | None:
    if not code:
        return None
    try:
        return selectors.category_by_code(city, code)
    except NotFound:
        return None


def _report_form(request: HttpRequest, city, groups, data=None, files=None, **kwargs):
    source = data if data is not None else request.GET
    return ReportForm(
        data,
        files,
        groups=groups,
        category=_category(city, source.get("category")),
        anonymous=not request.user.is_authenticated,
        **kwargs,
    )


_NOT_INITIAL = ("step", "csrfmiddlewaretoken", "find", "place")


def _place_finder(request: HttpRequest, city):
    """The report form's search for an address, drawing on the same allowance as the API's."""

    def find(query: str) -> list[city_selectors.FoundPlace]:
        ratelimit.check(request, ratelimit.PLACE_SEARCH)
        return city_selectors.find_places(city, query, limit=PLACE_CHOICES)

    return find


def _with_picked_place(data):
    """A place picked from those found for an address (a button whose value is
    "latitude,longitude") sets the point, whatever the coordinate fields held."""
    latitude, comma, longitude = data.get("place", "").partition(",")
    if not comma:
        return data
    data = data.copy()
    data["latitude"], data["longitude"] = latitude.strip(), longitude.strip()
    return data


def _form_page(request, city, form, *, step: int, status: int = 200, **extra) -> HttpResponse:
    context = {
        "form": form,
        "step": step,
        "category": form.chosen_category,
        "script_messages": _script_messages(),
        **extra,
    }
    return render(request, "complaints/new.html", context, status=status)


def _script_messages() -> dict[str, str]:
    """What the form's script says, translated here: it has no catalogue of its own."""
    return {
        "pin": _("The place of the problem"),
        "placeSet": _("Place set: %(lat)s, %(lon)s. Drag the pin or tap the map to move it."),
        "locating": _("Finding your location…"),
        "locationFailed": _(
            "Your location could not be found. Tap the map or type the coordinates instead."
        ),
        "photoPlace": _("The first photo was taken in %(district)s."),
        "usePhotoPlace": _("Use the place where the photo was taken"),
        "photoPlaceUsed": _("The pin is now where the photo was taken."),
        "photoPlaceSet": _(
            "The pin is set where the first photo was taken, in %(district)s. Move it if needed."
        ),
        "tooManyPhotos": _("At most %(max)s photos per report."),
        "finding": _("Looking for places…"),
        "typeAddress": _("Type an address or the name of a place to search for."),
        "placesFound": _("Places found for “%(address)s”: choose one to set the pin."),
        "noPlaces": _("No place called “%(address)s” was found."),
        "findFailed": _("The search did not work. Set the place on the map instead."),
        "placePicked": _("The pin is now at %(place)s, in %(district)s. Move it if needed."),
    }


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Step one (category and place) and step two (details) of a report. A link or the step-one
    button that names a category and a place opens step two; sending files the report. The place
    may be an address alone, or one picked from those "Find" (or ?find=) lists."""
    city = city_selectors.current_city()
    groups = selectors.category_groups(city)
    data = request.POST if request.method == "POST" else request.GET
    if "find" in data:
        return _find_place(request, city, groups, data)
    # Step one is sent by its own button, or by picking one of the places found.
    if request.method == "POST" and data.get("step") != "choose" and "place" not in data:
        return _file(request, city, groups)
    if request.method == "GET" and "category" not in data:
        return _form_page(request, city, _report_form(request, city, groups), step=1)
    data = _with_picked_place(data)
    chosen = _report_form(
        request, city, groups, data=data, find_places=_place_finder(request, city)
    )
    if not chosen.place_is_valid():
        if request.method == "GET" and not chosen.has_error("address"):
            # A link that names only a category (or a place): step one with it filled in.
            start = _report_form(request, city, groups, initial=data.dict())
            return _form_page(request, city, start, step=1)
        status = 400 if request.method == "POST" else 200
        return _form_page(request, city, chosen, step=1, status=status, places=chosen.candidates)
    latitude, longitude = chosen.cleaned_data["latitude"], chosen.cleaned_data["longitude"]
    try:
        district = city_selectors.district_at(city, latitude, longitude)
    except DomainError as exc:
        chosen.add_domain_error(exc)
        return _form_page(request, city, chosen, step=1, status=exc.status)
    # Step two starts unbound (no errors for what is not written yet), keeping what was typed
    # and the point, which may have come from the address.
    initial = {name: value for name, value in data.items() if name not in _NOT_INITIAL}
    initial.update(latitude=latitude, longitude=longitude)
    details = ReportForm(
        initial=initial,
        groups=groups,
        category=chosen.chosen_category,
        anonymous=not request.user.is_authenticated,
    )
    nearby = selectors.open_nearby(chosen.chosen_category, latitude, longitude)
    return _form_page(
        request,
        city,
        details,
        step=2,
        district=district,
        nearby=nearby,
        found_place=chosen.found_place,
    )


def _find_place(request: HttpRequest, city, groups, data) -> HttpResponse:
    """Step one again, listing the places found for an address as buttons that set the point:
    the "Find" button without JavaScript, or a link with ?find=<address>."""
    query = data.get("find", "").strip() or data.get("address", "").strip()
    initial = {name: value for name, value in data.items() if name not in _NOT_INITIAL}
    initial["address"] = initial.get("address") or query
    form = ReportForm(
        initial=initial,
        groups=groups,
        category=_category(city, data.get("category")),
        anonymous=not request.user.is_authenticated,
    )
    try:
        found = _place_finder(request, city)(query)
    except DomainError as exc:
        return _form_page(
            request, city, form, step=1, status=exc.status, places_message=exc.message
        )
    message = "" if found else _("No place called “%(address)s” was found.") % {"address": query}
    return _form_page(
        request, city, form, step=1, places=found, places_query=query, places_message=message
    )


def _file(request: HttpRequest, city, groups) -> HttpResponse:
    form = _report_form(request, city, groups, data=request.POST, files=request.FILES)
    extra = {"files_dropped": bool(request.FILES)}
    if ratelimit.exceeded(request, filing.FILING):
        form.is_valid()
        form.add_error(None, filing.FILING.refusal().message)
        response = _form_page(request, city, form, step=2, status=429, **extra)
        response["Retry-After"] = str(ratelimit.RETRY_AFTER_SECONDS)
        return response

    def file() -> Complaint:
        data = form.cleaned_data
        return filing.file_report(
            actor=request.actor,
            category=data["category"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            address=data["address"],
            description=data["description"],
            answers=form.answers(),
            photos=data["photos"],
            videos=[data["video"]] if data.get("video") else [],
            contact=form.contact(),
            city=city,
        )

    if form.submit(file):
        return redirect("complaints:receipt", form.result.tracking_number)
    return _form_page(request, city, form, step=2, status=form.status_code, **extra)


@require_GET
def questions(request: HttpRequest) -> HttpResponse:
    """The chosen category's extra questions, for the form's script to show inline."""
    city = city_selectors.current_city()
    form = ReportForm(
        groups=(),
        category=_category(city, request.GET.get("category")),
        anonymous=not request.user.is_authenticated,
    )
    return render(request, "complaints/includes/questions.html", {"form": form})


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """Open reports of a category near a point, before sending: follow one instead of filing
    it again. A fragment for the form's script; nothing when the input is incomplete."""
    city = city_selectors.current_city()
    category = _category(city, request.GET.get("category"))
    try:
        latitude = float(request.GET.get("latitude", ""))
        longitude = float(request.GET.get("longitude", ""))
    except ValueError:
        category = None
    context: dict = {"nearby": [], "category": category}
    if category is not None:
        try:
            context["district"] = city_selectors.district_at(city, latitude, longitude)
        except DomainError as exc:
            context["place_error"] = exc.message
        else:
            context["nearby"] = selectors.open_nearby(category, latitude, longitude)
    return render(request, "complaints/includes/nearby.html", context)


@require_POST
def photo_location(request: HttpRequest) -> JsonResponse:
    """Where the first photo was taken, read from its EXIF before the stored copy loses it.
    Nothing is stored: the upload is read and forgotten."""
    if ratelimit.exceeded(request, PHOTO_LOCATION):
        return ratelimit.rate_limited(request, message=filing.FILING.refusal().message)
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse(
            {"detail": _("Send one photo in the field “photo”."), "code": "invalid"}, status=400
        )
    try:
        gps = photo_gps(upload)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    if gps is None:
        return JsonResponse(
            {
                "latitude": None,
                "longitude": None,
                "detail": _("This photo does not say where it was taken."),
            }
        )
    latitude, longitude = gps
    body = {"latitude": latitude, "longitude": longitude, "inside_city": True}
    try:
        district = city_selectors.district_at(city_selectors.current_city(), latitude, longitude)
    except DomainError as exc:
        body.update(inside_city=False, detail=exc.message)
    else:
        body["district"] = district.display_name
    return JsonResponse(body)


# --- after filing ----------------------------------------------------------------------------


def receipt(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _public_or_404(tracking_number)
    return render(request, "complaints/receipt.html", {"complaint": complaint})


def detail(request: HttpRequest, tracking_number: str) -> HttpResponse:
    return _detail_page(request, _public_or_404(tracking_number))


def _detail_page(
    request: HttpRequest,
    complaint: Complaint,
    *,
    rate_form: RatingForm | None = None,
    reopen_form: ReopenForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    city = city_selectors.current_city()
    offers = policies.report_offers(
        request.actor, complaint, now=timezone.now(), reopen_days=selectors.reopen_days(city)
    )
    result_photos = selectors.public_result_photos(complaint)
    context = {
        "complaint": complaint,
        "events": [(e, result_photos.get(e.pk, [])) for e in complaint.events.all()],
        "photos": selectors.media_of(complaint),
        "offers": offers,
        "following": selectors.is_following(complaint, request.user),
        "refusal": refusal,
        "status_label": Status(complaint.status).label,
        # The result as the Plaza published it, when it did (complaints.services).
        "plaza_document": plaza_selectors.public_decision(
            plaza_services.decision_source(complaint)
        ),
        "is_duplicate": (
            complaint.status == Status.DUPLICATE and complaint.duplicate_of_id is not None
        ),
        "duplicate_of": (
            complaint.duplicate_of
            if complaint.duplicate_of and not complaint.duplicate_of.hidden
            else None
        ),
    }
    if offers.is_reporter:
        context.update(_reporter_context(complaint, city, offers, rate_form, reopen_form))
    return render(request, "complaints/detail.html", context, status=status)


def _reporter_context(complaint, city, offers, rate_form, reopen_form) -> dict:
    """What only the reporter sees: their answers, the rating and the reopening forms."""
    questions = {q["code"]: question_label(q) for q in complaint.category.questions}
    initial = {"rating": complaint.rating, "comment": complaint.rating_comment}
    return {
        "my_answers": [
            (questions.get(code, code), value) for code, value in complaint.answers.items()
        ],
        "rate_form": rate_form or (RatingForm(initial=initial) if offers.rate else None),
        "reopen_form": reopen_form or (ReopenForm() if offers.reopen else None),
        "reopen_deadline": selectors.reopen_deadline(complaint, city) if offers.reopen else None,
    }


def _member_only(request: HttpRequest, complaint: Complaint) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("complaints:detail", args=[complaint.tracking_number]))
    return None


def _refused(request: HttpRequest, complaint: Complaint, exc: DomainError) -> HttpResponse:
    """A refusal that no field of a form can fix (not the reporter, already following, past
    the window): the report's page again, with the reason on top and the error's status."""
    return _detail_page(request, complaint, refusal=exc.message, status=exc.status)


def _form_refused(
    request: HttpRequest, complaint: Complaint, name: str, form: RatingForm | ReopenForm
) -> HttpResponse:
    """The report's page after the reporter's form `name` failed: the form again with its
    errors, or, for a refusal about none of its fields, the reason on top (see _refused)."""
    refusal = form.refusal
    if refusal is not None and refusal.field not in form.fields:
        return _refused(request, complaint, refusal)
    return _detail_page(request, complaint, status=form.status_code, **{name: form})


@require_POST
def follow(request: HttpRequest, tracking_number: str) -> HttpResponse:
    """ "Me too": follow an open report instead of filing it again."""
    complaint = _public_or_404(tracking_number)
    if (login := _member_only(request, complaint)) is not None:
        return login
    try:
        services.follow_complaint(complaint=complaint, actor=request.actor)
    except DomainError as exc:
        return _refused(request, complaint, exc)
    messages.success(
        request, _("You follow this report now: you will hear of each step. Thank you!")
    )
    return redirect("complaints:detail", complaint.tracking_number)


@require_POST
def rate(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _public_or_404(tracking_number)
    if (login := _member_only(request, complaint)) is not None:
        return login
    form = RatingForm(request.POST)
    rated = form.submit(
        lambda: services.rate_answer(
            complaint=complaint,
            actor=request.actor,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    )
    if rated:
        messages.success(request, _("Thank you for rating the answer."))
        return redirect("complaints:detail", complaint.tracking_number)
    return _form_refused(request, complaint, "rate_form", form)


@require_POST
def reopen(request: HttpRequest, tracking_number: str) -> HttpResponse:
    complaint = _public_or_404(tracking_number)
    if (login := _member_only(request, complaint)) is not None:
        return login
    form = ReopenForm(request.POST)
    reopened = form.submit(
        lambda: services.reopen_by_reporter(
            complaint=complaint, actor=request.actor, reason=form.cleaned_data["reason"]
        )
    )
    if reopened:
        messages.success(
            request, _("The report is open again; the department will answer once more.")
        )
        return redirect("complaints:detail", complaint.tracking_number)
    return _form_refused(request, complaint, "reopen_form", form)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reports_by(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "following": selectors.followed_by(request.user)}
    return render(request, "complaints/mine.html", context)
