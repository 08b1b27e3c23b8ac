"""The language of a request: the person's choice (cookie) or else the city's default.

Django's LocaleMiddleware would follow the browser's Accept-Language; a city site speaks its
own language first and offers the switch, so for pages the browser's header is not consulted.
Apps calling the APIs choose explicitly, so there Accept-Language is honoured."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIXES = ("/api/", "/open311/")


class CityLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = self._language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.path.startswith(API_PREFIXES):
            patch_vary_headers(response, ("Accept-Language",))
        elif not request.path.startswith(settings.MEDIA_URL):
            # A page speaks the language of the cookie; a media file is the same for everyone,
            # and a CDN caches it only without Vary: Cookie.
            patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response

    def _language(self, request) -> str:
        if request.path.startswith(API_PREFIXES):
            header = request.headers.get("Accept-Language", "")
            for code, _quality in parse_accept_lang_header(header):
                base = code.split("-")[0].lower()
                if base in self.supported:
                    return base
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        return chosen if chosen in self.supported else settings.LANGUAGE_CODE
