"""HTML routes of the whole site: Django's and allauth's own, then every app's declared URL
mounts (core/service_app.py), the API and the admin. Names no app: an app adds its pages by
declaring them on its ServiceAppConfig."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from hamkke.api import api
from hamkke.core.media.views import serve_media
from hamkke.core.service_app import url_mounts

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    *(path(mount.prefix, include(mount.module)) for mount in url_mounts()),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Every stored file's public address, on local disk and on S3 alike: a view that decides per
# request whether this person may see the file (a hidden photo, or any file of a hidden
# report, answers 404 to the public) and then serves it, or redirects to a short-lived signed
# link on S3.
urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media))

# Errors under /api/ answer JSON and a standard's adapter (Open311) answers in its own format,
# whatever raised them; pages keep the site's HTML error pages (core/web/hostile.py).
handler400 = "hamkke.core.web.hostile.bad_request"
handler403 = "hamkke.core.web.hostile.permission_denied"
handler404 = "hamkke.core.web.hostile.page_not_found"
handler500 = "hamkke.core.web.hostile.server_error"
