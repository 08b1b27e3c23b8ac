"""HTML routes of the participatory budgeting desk (desk.py), included by budget/urls.py at
"desk/" in the "budget" namespace: "budget:desk", "budget:desk-…" and the committee member's
"budget:committee-score". Fixed words come before the cycle routes, so that no cycle's slug can
take them (the cycle form refuses those slugs)."""

from django.urls import path

from hamkke.budget import desk

urlpatterns = [
    path("", desk.index, name="desk"),
    path("new/", desk.new_cycle, name="desk-new-cycle"),
    path("committee/<slug:slug>/score/", desk.committee_score, name="committee-score"),
    path("<slug:slug>/", desk.cycle_page, name="desk-cycle"),
    path("<slug:slug>/pools/", desk.add_pool, name="desk-add-pool"),
    path("<slug:slug>/review/", desk.review_queue, name="desk-review"),
    path("<slug:slug>/review/<str:code>/", desk.review_project, name="desk-project"),
    path("<slug:slug>/review/<str:code>/decide/", desk.decide, name="desk-decide"),
    path("<slug:slug>/review/<str:code>/route/", desk.route, name="desk-route"),
    path("<slug:slug>/paper/", desk.paper_pools, name="desk-paper"),
    path("<slug:slug>/paper/<slug:pool>/", desk.paper_booth, name="desk-paper-booth"),
    path("<slug:slug>/survey/", desk.survey, name="desk-survey"),
    path("<slug:slug>/committee/", desk.committee, name="desk-committee"),
    path("<slug:slug>/results/", desk.results, name="desk-results"),
    path("<slug:slug>/results/publish/", desk.publish, name="desk-publish"),
    path("<slug:slug>/implementation/", desk.implementation, name="desk-implementation"),
    path(
        "<slug:slug>/implementation/<str:code>/",
        desk.implementation_update,
        name="desk-implementation-update",
    ),
]
