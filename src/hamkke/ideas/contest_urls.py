"""The contests' pages, included by ideas/urls.py at "contests/" in the "ideas" namespace: the
public's (contest_views.py) and the Oasis office's under "desk/" (desk/contest_views.py). The
fixed words come first; services.CONTEST_RESERVED_SLUGS keeps a contest's slug off them."""

from django.urls import path

from hamkke.ideas import contest_views
from hamkke.ideas.desk import contest_views as desk_views

urlpatterns = [
    path("", contest_views.index, name="contests"),
    path("desk/", desk_views.desk_contests, name="desk-contests"),
    path("desk/new/", desk_views.desk_new, name="desk-contest-new"),
    path("desk/<slug:slug>/", desk_views.desk_contest, name="desk-contest"),
    path("desk/<slug:slug>/jurors/", desk_views.desk_jurors, name="desk-contest-jurors"),
    path("desk/<slug:slug>/award/", desk_views.desk_award, name="desk-contest-award"),
    path(
        "certificates/<str:code>.pdf",
        contest_views.certificate_pdf,
        name="contest-certificate-pdf",
    ),
    path("certificates/<str:code>/", contest_views.certificate_page, name="contest-certificate"),
    path("<slug:slug>/", contest_views.contest_page, name="contest"),
    path("<slug:slug>/enter/", contest_views.enter, name="contest-enter"),
    path("<slug:slug>/entries/<int:idea_id>/vote/", contest_views.vote, name="contest-vote"),
    path("<slug:slug>/jury/", contest_views.jury, name="contest-jury"),
    path("<slug:slug>/winners/", contest_views.winners, name="contest-winners"),
]
