"""The public pages of the Plaza's meetings: the list (upcoming and past, by committee and
month), a meeting's page (agenda, attendees, minutes, video with chapter marks) and the video's
chapters as a WebVTT track. A closed meeting is not listed, and its page is the site's 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from hamkke.core.web.responses import found_or_404, page_of
from hamkke.plaza.meetings import chapters, selectors
from hamkke.plaza.meetings.forms import MeetingFilterForm
from hamkke.plaza.models import Disclosure

PAGE_SIZE = 20
UPCOMING_SHOWN = 20


@require_safe
def meetings(request: HttpRequest) -> HttpResponse:
    form = MeetingFilterForm(request.GET or None, committees=selectors.committees())
    filters = form.filters()
    page, query = page_of(request, selectors.past(filters), PAGE_SIZE)
    upcoming = list(selectors.upcoming(filters)[: UPCOMING_SHOWN + 1])
    context = {
        "form": form,
        "query": query,
        "upcoming": upcoming[:UPCOMING_SHOWN],
        "more_upcoming": len(upcoming) > UPCOMING_SHOWN,
        "page": page,
    }
    return render(request, "plaza/meetings/index.html", context)


@require_safe
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    shown = found_or_404(selectors.public_meeting, pk)
    context = {
        "shown": shown,
        "meeting": shown.meeting,
        "legal_ground": selectors.legal_ground_name(shown.meeting.legal_ground)
        if shown.meeting.disclosure != Disclosure.OPEN
        else "",
        "agenda": [
            (row.item, row.paper, row.paper.get_absolute_url() if row.paper else "")
            for row in shown.agenda
        ],
        "record_url": shown.record.get_absolute_url() if shown.record else "",
        "chapters": [(chapter, chapters.clock(chapter.start)) for chapter in shown.chapters],
        "chapters_url": reverse("plaza:meeting-chapters", args=[pk]),
    }
    response = render(request, "plaza/meetings/meeting.html", context)
    origins = sorted({video.origin for video in shown.videos if video.origin})
    if origins:
        # The page plays a linked video file from another site: the Content Security Policy
        # lets this page's player fetch from there, and nothing else.
        response._csp_update = {"media-src": origins}
    return response


@require_safe
def meeting_chapters(request: HttpRequest, pk: int) -> HttpResponse:
    """The agenda's chapter marks in the meeting's first video, as WebVTT."""
    shown = found_or_404(selectors.public_meeting, pk)
    return HttpResponse(chapters.webvtt(shown.chapters), content_type="text/vtt; charset=utf-8")
