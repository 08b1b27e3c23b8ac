"""The meetings desk: the meetings of the committees an official's departments keep (handlers,
with the second factor), a new committee, a new meeting and its page (details, agenda,
attendees, videos, minutes with the masking shown first, held or cancelled). Thin: a selector
reads, a policy says what to offer, a form parses, a service acts; a refusal is shown beside the
field it concerns, a missing role is 403."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import NotAllowed
from hamkke.core.web.responses import carry_out, found_or_404, page_of
from hamkke.plaza import masking
from hamkke.plaza import policies as plaza_policies
from hamkke.plaza.meetings import policies, selectors, services
from hamkke.plaza.meetings.desk.forms import CommitteeForm, MeetingEditor, MinutesForm, VideoForm
from hamkke.plaza.models import Meeting, VideoClip

PAGE_SIZE = 30
FINDING_KINDS = {
    "resident_number": gettext_lazy("resident registration number"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("email address"),
}


def _departments(request: HttpRequest) -> list:
    """The departments where the official keeps meetings (a handler or above)."""
    city = city_selectors.current_city()
    roles = account_selectors.roles_by_department(request.user, city=city)
    kept = {pk for pk, role in roles.items() if role >= Role.HANDLER}
    return [d for d in city_selectors.departments_of(city) if d.pk in kept]


def _kept_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting, for a handler of its committee's department (others: 403)."""
    meeting = found_or_404(selectors.desk_meeting, pk)
    policies.may_keep(policies.seat_for(request.actor, meeting.committee)).enforce()
    return meeting


def _index_page(
    request: HttpRequest,
    departments: list,
    form: CommitteeForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    ids = {d.pk for d in departments}
    page, query = page_of(request, selectors.desk_meetings(ids), PAGE_SIZE)
    if form is None and departments:
        form = CommitteeForm(departments=departments)
    context = {
        "page": page,
        "query": query,
        "committees": selectors.desk_committees(ids),
        "committee_form": form,
    }
    return render(request, "plaza/meetings/desk/index.html", context, status=status)


@official_required(role=Role.HANDLER)
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The meetings of the official's departments' committees (closed ones too), and their
    committees."""
    return _index_page(request, _departments(request))


@official_required(role=Role.HANDLER)
@require_POST
def new_committee(request: HttpRequest) -> HttpResponse:
    departments = _departments(request)
    form = CommitteeForm(request.POST, departments=departments)
    if form.submit(
        lambda: services.create_committee(actor=request.actor, **form.service_kwargs()),
        reraise=(NotAllowed,),
    ):
        messages.success(
            request, _("The committee “%(name)s” is added.") % {"name": form.result.display_name}
        )
        return redirect("plaza:meetings-desk")
    return _index_page(request, departments, form, status=form.status_code)


def _editor(request: HttpRequest, data=None, meeting: Meeting | None = None) -> MeetingEditor:
    departments = _departments(request)
    return MeetingEditor(
        data,
        committees=selectors.desk_committees({d.pk for d in departments}),
        departments=city_selectors.departments_of(city_selectors.current_city()),
        meeting=meeting,
    )


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def new_meeting(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        editor = _editor(request)
    else:
        editor = _editor(request, request.POST)
        if editor.submit(
            lambda fields: services.create_meeting(actor=request.actor, fields=fields),
            reraise=(NotAllowed,),
        ):
            messages.success(request, _("The meeting is created."))
            return redirect("plaza:meetings-desk-meeting", editor.result.pk)
    return render(
        request,
        "plaza/meetings/desk/edit.html",
        {"editor": editor, "meeting": None},
        status=editor.status_code,
    )


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    editor: MeetingEditor | None = None,
    video_form: VideoForm | None = None,
    minutes_form: MinutesForm | None = None,
    masked: masking.Masked | None = None,
    status: int = 200,
) -> HttpResponse:
    seat = policies.seat_for(request.actor, meeting.committee)
    context = {
        "meeting": meeting,
        "shown": selectors.meeting_page(meeting, public=False),
        "public": plaza_policies.meeting_is_public(meeting),
        "editor": editor or _editor(request, meeting=meeting),
        "video_form": video_form or VideoForm(auto_id="video-%s"),
        "minutes_form": minutes_form
        or MinutesForm(initial={"minutes": meeting.minutes}, auto_id="minutes-%s"),
        "masked": masked,
        "findings": [
            (FINDING_KINDS.get(f.kind, f.kind), f.original, f.masked)
            for f in (masked.findings if masked else ())
        ],
        "may_mark_held": policies.may_mark_held(seat, meeting),
        "may_cancel": policies.may_cancel(seat, meeting),
    }
    return render(request, "plaza/meetings/desk/edit.html", context, status=status)


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _kept_meeting(request, pk)
    if request.method != "POST":
        return _meeting_page(request, meeting)
    editor = _editor(request, request.POST)
    if editor.submit(
        lambda fields: services.update_meeting(actor=request.actor, meeting=meeting, fields=fields),
        reraise=(NotAllowed,),
    ):
        messages.success(request, _("The meeting is saved."))
        return redirect("plaza:meetings-desk-meeting", meeting.pk)
    return _meeting_page(request, meeting, editor=editor, status=editor.status_code)


@official_required(role=Role.HANDLER)
@require_POST
def add_video(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _kept_meeting(request, pk)
    form = VideoForm(request.POST, request.FILES, auto_id="video-%s")
    if form.submit(
        lambda: services.add_video(actor=request.actor, meeting=meeting, **form.service_kwargs()),
        reraise=(NotAllowed,),
    ):
        messages.success(request, _("The video is added."))
        return redirect("plaza:meetings-desk-meeting", meeting.pk)
    meeting = selectors.desk_meeting(pk)  # as it is, without what the refusal rolled back
    return _meeting_page(request, meeting, video_form=form, status=form.status_code)


@official_required(role=Role.HANDLER)
@require_POST
def remove_video(request: HttpRequest, pk: int, clip: int) -> HttpResponse:
    meeting = _kept_meeting(request, pk)
    found = next((c for c in meeting.videos.all() if c.pk == clip), None)
    if found is None:
        raise Http404(_("There is no such video."))
    video: VideoClip = found
    carry_out(
        request,
        lambda: services.remove_video(actor=request.actor, clip=video),
        _("The video is removed."),
        reraise=(NotAllowed,),
    )
    return redirect("plaza:meetings-desk-meeting", meeting.pk)


@official_required(role=Role.HANDLER)
@require_POST
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the masking first ("preview"), then store the masked minutes ("save")."""
    meeting = _kept_meeting(request, pk)
    form = MinutesForm(request.POST, auto_id="minutes-%s")
    if request.POST.get("action") == "save":
        if form.submit(
            lambda: services.set_minutes(
                actor=request.actor, meeting=meeting, text=form.cleaned_data["minutes"]
            ),
            reraise=(NotAllowed,),
        ):
            found = form.result.count
            messages.success(
                request,
                ngettext(
                    "The minutes are saved; %(n)d piece of personal data was masked.",
                    "The minutes are saved; %(n)d pieces of personal data were masked.",
                    found,
                )
                % {"n": found},
            )
            return redirect("plaza:meetings-desk-meeting", meeting.pk)
        return _meeting_page(request, meeting, minutes_form=form, status=form.status_code)
    if not form.submit(lambda: services.preview_minutes(form.cleaned_data["minutes"])):
        return _meeting_page(request, meeting, minutes_form=form, status=form.status_code)
    return _meeting_page(request, meeting, minutes_form=form, masked=form.result)


@official_required(role=Role.HANDLER)
@require_POST
def mark_held(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_status(request, pk, services.mark_held, _("The meeting is marked held."))


@official_required(role=Role.HANDLER)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_status(request, pk, services.cancel_meeting, _("The meeting is cancelled."))


def _change_status(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    meeting = _kept_meeting(request, pk)
    carry_out(
        request,
        lambda: service(actor=request.actor, meeting=meeting),
        success,
        reraise=(NotAllowed,),
    )
    return redirect("plaza:meetings-desk-meeting", meeting.pk)
