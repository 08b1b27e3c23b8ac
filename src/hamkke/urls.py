"""HTML routes of the whole site, the API and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as serve_file

from hamkke.api import api
from hamkke.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("hamkke.accounts.urls")),
    path("", include("hamkke.core.urls")),
    path("complaints/", include("hamkke.complaints.urls")),
    path("budget/", include("hamkke.budget.urls")),
    path("open311/v2/", include("hamkke.complaints.open311.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.HAMKKE_MEDIA_STORAGE == "local":
    # Media on local disk are served by the app itself in the embedded default; a deployment
    # with object storage serves them from there.
    urlpatterns.append(
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve_file,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
