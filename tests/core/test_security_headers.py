"""Headers a city site sends: a Content Security Policy with no inline code (and templates that
need none), and behind the documented TLS proxy HSTS, the HTTPS redirect and secure cookies."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "hamkke"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_send_a_policy_without_inline_code(client, city):
    policy = _policy(client.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert "'none'" in policy["object-src"] and "'none'" in policy["frame-ancestors"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


def test_map_tiles_come_from_settings_into_the_page_and_the_policy(client, city, settings):
    page = client.get("/complaints/").content.decode()
    assert f'data-tiles="{settings.HAMKKE_MAP_TILES}"' in page
    policy = _policy(client.get("/complaints/"))
    assert "https://tile.openstreetmap.org" in policy["img-src"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I), "a javascript: URL"),
]


@pytest.mark.parametrize(
    "template",
    sorted(str(path.relative_to(PACKAGE_DIR)) for path in PACKAGE_DIR.rglob("templates/**/*.html")),
)
def test_no_template_needs_inline_code(template):
    text = (PACKAGE_DIR / template).read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == [], f"{template} has {', '.join(found)}: the policy would block it"


def _settings_with(**env) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({name: getattr(settings, name, None) for name in ("
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'HAMKKE_TRUSTED_PROXIES', "
        "'SECURE_REDIRECT_EXEMPT')}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "hamkke.settings"}
    for name in ("HAMKKE_BEHIND_TLS_PROXY", "HAMKKE_SECURE_COOKIES", "HAMKKE_TRUSTED_PROXIES"):
        environment.pop(name, None)
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_behind_the_tls_proxy_https_is_enforced():
    behind = _settings_with(HAMKKE_BEHIND_TLS_PROXY="1")
    assert behind["SECURE_SSL_REDIRECT"] is True
    assert behind["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert behind["SESSION_COOKIE_SECURE"] is True and behind["CSRF_COOKIE_SECURE"] is True
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["HAMKKE_TRUSTED_PROXIES"]  # the load balancer's hops are believed
    assert any(re.match(pattern, "healthz") for pattern in behind["SECURE_REDIRECT_EXEMPT"])


def test_without_the_proxy_nothing_is_forced_or_believed():
    plain = _settings_with()
    assert not plain["SECURE_SSL_REDIRECT"]
    assert not plain["SECURE_HSTS_SECONDS"]
    assert plain["SESSION_COOKIE_SECURE"] is False
    assert plain["HAMKKE_TRUSTED_PROXIES"] == []


def test_cookies_can_be_made_plain_again_behind_the_proxy_only_on_purpose():
    assert (
        _settings_with(HAMKKE_BEHIND_TLS_PROXY="1", HAMKKE_SECURE_COOKIES="0")[
            "SESSION_COOKIE_SECURE"
        ]
        is False
    )
