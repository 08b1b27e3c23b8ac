"""HTML routes of the whole site: Django's and allauth's own, then every app's declared URL
mounts (core/service_app.py), the API and the admin. Names no app: an app adds its pages by
declaring them on its ServiceAppConfig."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as serve_file

from hamkke.api import api
from hamkke.core.service_app import url_mounts

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    *(path(mount.prefix, include(mount.module)) for mount in url_mounts()),
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

# Errors under /api/ answer JSON and a standard's adapter (Open311) answers in its own format,
# whatever raised them; pages keep the site's HTML error pages (core/web/hostile.py).
handler400 = "hamkke.core.web.hostile.bad_request"
handler403 = "hamkke.core.web.hostile.permission_denied"
handler404 = "hamkke.core.web.hostile.page_not_found"
handler500 = "hamkke.core.web.hostile.server_error"
