"""`hamkke iot evaluate` (idempotent: a second run raises and clears nothing), the task Celery
beat runs every minute, the pure rules, and the desk pages: active alarms first, the acknowledge
button offered to handlers only, refusals for others."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from hamkke.iot.alarms import rules
from tests import factories
from tests.iot.alarms.conftest import bin_sensor, evaluate, minutes, send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def run(*args) -> dict:
    out = StringIO()
    call_command("iot", "evaluate", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_evaluates_once_and_again_changes_nothing(city):
    from django.utils import timezone

    device = bin_sensor()
    send(device, timezone.now() - minutes(1), fillingLevel=0.5, batteryLevel=0.05)
    first = run()
    assert first["raised"] == {"battery-low": 1} and first["open"] == {"battery-low": 1}
    assert run() == {"raised": {}, "cleared": {}, "complaints": 0, "open": {"battery-low": 1}}


def test_the_task_is_on_the_beat_every_minute(city):
    from django.apps import apps

    from hamkke.iot.alarms.tasks import evaluate_rules

    [task] = [t for t in apps.get_app_config("iot").periodic_tasks if "alarms" in t.task]
    assert (task.task, task.every_seconds) == ("hamkke.iot.alarms.tasks.evaluate_rules", 60)
    assert evaluate_rules() == {"raised": {}, "cleared": {}, "complaints": 0}


def test_a_run_starts_at_its_earliest_reading_newest_first():
    rule = rules.Rule(code="x", attribute="v", test=rules.threshold(">=", 0.9), minutes=30)
    t0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    at = [t0 + timedelta(minutes=m) for m in range(5)]
    history = [(at[4], {"v": 0.95}), (at[3], {"b": 1}), (at[2], {"v": 0.9}), (at[1], {"v": 0.1})]
    assert rules.run_start(history, rule) == at[2]
    assert rules.run_start([(at[4], {"v": 0.5}), *history], rule) is None
    assert rules.run_start([(at[0], {"v": True}), (at[0], {"v": "1"})], rule) is None
    assert rules.lasted(at[0], at[0] + timedelta(minutes=30), 30)
    assert not rules.lasted(at[0], at[0] + timedelta(minutes=29, seconds=59), 30)
    assert not rules.lasted(None, at[4], 0)
    assert rules.silent(None, t0, 30) and not rules.silent(t0, at[4], 30)


@pytest.fixture
def alarms(city, now):
    full = bin_sensor()
    send(full, now - minutes(60), fillingLevel=0.95)
    evaluate(city, now - minutes(20))  # bin-full and offline
    send(full, now - minutes(5), fillingLevel=0.1, batteryLevel=0.05)
    evaluate(city, now)  # both cleared; battery low
    return full


def test_the_desk_lists_active_alarms_first_with_the_button_for_handlers(
    client, alarms, viewer, handler
):
    from hamkke.iot.alarms.models import Alarm

    cleared = Alarm.objects.get(type="bin-full")
    active = Alarm.objects.get(type="battery-low")
    assert set(Alarm.objects.values_list("state", flat=True)) == {"cleared", "active"}
    factories.log_in_official(client, viewer)
    page = client.get("/iot/alarms/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = [int(chunk.split('"')[0]) for chunk in page.split('data-alarm="')[1:]]
    assert rows[0] == active.pk and cleared.pk in rows[1:] and len(rows) == 3
    assert "Acknowledge</button>" not in page
    client.logout()
    factories.log_in_official(client, handler)
    page = client.get("/iot/alarms/?state=active", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("Acknowledge</button>") == Alarm.objects.filter(state="active").count() > 0
    detail = client.get(f"/iot/alarms/{cleared.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and b"back within the rule" in detail.content
    assert client.get("/iot/alarms/999999/").status_code == 404


def test_a_citizen_and_an_anonymous_visitor_are_refused(client, alarms):
    assert client.get("/iot/alarms/").status_code == 302
    factories.log_in(client, factories.make_user())
    assert client.get("/iot/alarms/").status_code == 403
