"""HTML routes of participatory budgeting: the citizens' and the public's pages (views.py), and
the officials' desk (desk/urls.py)."""

from django.urls import include, path

from hamkke.budget import views

app_name = "budget"
urlpatterns = [
    path("", views.index, name="index"),
    # Officials (desk/urls.py), before the cycle routes: a cycle's slug must not take "desk".
    path("desk/", include("hamkke.budget.desk.urls")),
    path("<slug:cycle>/", views.cycle_page, name="cycle"),
    path("<slug:cycle>/projects/", views.projects, name="projects"),
    path("<slug:cycle>/projects/<str:code>/", views.project, name="project"),
    path("<slug:cycle>/propose/", views.propose, name="propose"),
    path("<slug:cycle>/propose/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:cycle>/vote/", views.vote, name="vote"),
    path("<slug:cycle>/vote/<slug:pool>/", views.ballot, name="ballot"),
    path("<slug:cycle>/receipt/", views.receipt, name="receipt"),
    path("<slug:cycle>/results/", views.results, name="results"),
]
