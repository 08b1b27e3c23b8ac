"""HTML routes of the participatory budgeting desk (desk/views.py), included by budget/urls.py
at "desk/" in the "budget" namespace: "budget:desk", "budget:desk-…" and the committee member's
"budget:committee-score". Fixed words come before the cycle routes, so that no cycle's slug can
take them (the cycle form refuses those slugs)."""

from django.urls import path

from hamkke.budget.desk import views

urlpatterns = [
    path("", views.index, name="desk"),
    path("new/", views.new_cycle, name="desk-new-cycle"),
    path("committee/<slug:slug>/score/", views.committee_score, name="committee-score"),
    path("<slug:slug>/", views.cycle_page, name="desk-cycle"),
    path("<slug:slug>/pools/", views.add_pool, name="desk-add-pool"),
    path("<slug:slug>/review/", views.review_queue, name="desk-review"),
    path("<slug:slug>/review/<str:code>/", views.review_project, name="desk-project"),
    path("<slug:slug>/review/<str:code>/decide/", views.decide, name="desk-decide"),
    path("<slug:slug>/review/<str:code>/route/", views.route, name="desk-route"),
    path("<slug:slug>/paper/", views.paper_pools, name="desk-paper"),
    path("<slug:slug>/paper/<slug:pool>/", views.paper_booth, name="desk-paper-booth"),
    path("<slug:slug>/paper/<slug:pool>/box/", views.paper_box, name="desk-paper-box"),
    path("<slug:slug>/survey/", views.survey, name="desk-survey"),
    path("<slug:slug>/committee/", views.committee, name="desk-committee"),
    path("<slug:slug>/results/", views.results, name="desk-results"),
    path("<slug:slug>/results/publish/", views.publish, name="desk-publish"),
    path("<slug:slug>/implementation/", views.implementation, name="desk-implementation"),
    path(
        "<slug:slug>/implementation/<str:code>/",
        views.implementation_update,
        name="desk-implementation-update",
    ),
]
