"""The site shell: home page, language, services not yet built, health, settings from env."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from hamkke.core.navigation import services

pytestmark = pytest.mark.django_db


def test_home_speaks_korean_by_default_for_seoul(client, city):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in html
    assert "서울특별시" in html
    assert "스마트 민원 신고" in html  # Smart Complaint Report, in Korean


def test_switching_to_english_sticks(client, city):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Smart Complaint Report" in html
    assert "Seoul" in html


def test_an_unknown_language_falls_back_to_the_city_default(client, city):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="ko">' in client.get("/").content.decode()


def test_navigation_links_every_service_and_unbuilt_ones_say_so(client, city):
    html = client.get("/").content.decode()
    for service in services():
        if not service.built:
            assert f'href="/s/{service.slug}/"' in html
            page = client.get(f"/s/{service.slug}/")
            assert page.status_code == 200
            assert "아직" in page.content.decode()  # "not … yet", plainly said


def test_unknown_service_is_404(client, city):
    assert client.get("/s/teleportation/").status_code == 404


def test_page_without_a_loaded_city_still_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hamkke" in response.content.decode()


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "inline"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


def test_admin_login_goes_through_the_sites_login_with_its_second_factor(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def _settings_in_a_fresh_process(env: dict[str, str], expression: str):
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({expression}, default=str))"
    )
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    full_env.update(DJANGO_SETTINGS_MODULE="hamkke.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_settings_read_the_environment(tmp_path):
    values = _settings_in_a_fresh_process(
        {
            "HAMKKE_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://hamkke:secret@db.internal:5433/city",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "CELERY_BROKER_URL": "amqp://guest:guest@mq.internal:5672//",
            "MQTT_URL": "mqtt://broker.internal:1883",
            "HAMKKE_CITY": "mumbai",
        },
        "[settings.DATABASES['default']['HOST'], settings.DATABASES['default']['PORT'],"
        " settings.DATABASES['default']['NAME'], settings.CACHES['default']['LOCATION'],"
        " settings.CELERY_TASK_ALWAYS_EAGER, settings.MQTT_URL, settings.LANGUAGE_CODE,"
        " settings.TIME_ZONE]",
    )
    assert values == [
        "db.internal",
        5433,
        "city",
        "redis://cache.internal:6379/2",
        False,
        "mqtt://broker.internal:1883",
        "en",
        "Asia/Kolkata",
    ]


def test_embedded_defaults_need_no_server(tmp_path):
    values = _settings_in_a_fresh_process(
        {"HAMKKE_DATA_DIR": str(tmp_path)},
        "[settings.DATABASES['default']['ENGINE'], str(settings.DATABASES['default']['NAME']),"
        " settings.CACHES['default']['BACKEND'], settings.CELERY_TASK_ALWAYS_EAGER,"
        " str(settings.MEDIA_ROOT), settings.LANGUAGE_CODE]",
    )
    assert values == [
        "django.db.backends.sqlite3",
        str(tmp_path / "hamkke.sqlite3"),
        "django.core.cache.backends.locmem.LocMemCache",
        True,
        str(tmp_path / "media"),
        "ko",
    ]
