"""`hamkke iot …`: device create/rotate/revoke with --json, Mosquitto's password file (each
`$7$` hash derived again from the secret) and ACL, bulk provisioning from CSV with the secrets
written once, and prune's roll-ups."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hamkke.iot import mosquitto
from hamkke.iot.models import Device, Reading, ReadingRollup
from hamkke.iot.services import Message, authenticate, ingest, prune
from tests.iot.conftest import payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def run(*args) -> str:
    out = io.StringIO()
    call_command("iot", *args, stdout=out)
    return out.getvalue()


def test_device_create_prints_one_json_object_with_id_secret_and_entity(city):
    answer = json.loads(
        run(
            "device",
            "create",
            "--kind",
            "parking",
            "--lat",
            "37.5826",
            "--lon",
            "126.9831",
            "--json",
        )
    )
    assert set(answer) == {"id", "secret", "entity"}
    device = Device.objects.select_related("asset").get()
    assert answer["id"] == device.pk and answer["entity"] == device.asset.entity_id
    assert authenticate(city, device.pk, answer["secret"]).pk == device.pk


def test_a_spot_is_created_in_the_lot_its_reference_names(city, english):
    lot = json.loads(
        run("parking", "lot", "--name", "북촌 공영주차장", "--lat", "37.5826", "--lon", "126.9831",
            "--ref", "LOT-1", "--json")
    )  # fmt: skip
    spot = json.loads(
        run("device", "create", "--kind", "parking", "--lat", "37.5827", "--lon", "126.9832",
            "--lot", "LOT-1", "--json")
    )  # fmt: skip
    device = Device.objects.select_related("asset__lot").get(pk=spot["id"])
    assert device.asset.lot.entity_id == lot["entity"]
    with pytest.raises(CommandError, match="no parking lot with the reference LOT-9"):
        run("device", "create", "--kind", "parking", "--lat", "37.5827", "--lon", "126.9832",
            "--lot", "LOT-9")  # fmt: skip
    assert Device.objects.count() == 1


def test_rotate_and_revoke_by_id(city):
    made = provision()
    rotated = json.loads(run("device", "rotate", str(made.device.pk), "--json"))
    assert authenticate(city, made.device.pk, rotated["secret"])
    run("device", "revoke", str(made.device.pk))
    assert Device.objects.get().status == "revoked"
    with pytest.raises(CommandError, match="revoked"):
        run("device", "rotate", str(made.device.pk))
    with pytest.raises(CommandError, match="no device"):
        run("device", "revoke", "999999")


def test_create_refuses_a_point_outside_the_city_in_words():
    with pytest.raises(CommandError, match="outside the city"):
        run("device", "create", "--kind", "parking", "--lat", "35.1", "--lon", "129.0")


def test_mosquitto_files_let_each_active_device_write_its_own_topic(city, tmp_path, settings):
    settings.MQTT_URL = "mqtt://ingest:worker-pw@127.0.0.1:1883"
    made = [provision(), provision("waste-container")]
    gone = provision()
    from hamkke.iot.services import revoke

    revoke(device=gone.device)
    passwords, acl = tmp_path / "passwd", tmp_path / "acl"
    run("mosquitto", "--passwords", str(passwords), "--acl", str(acl))
    lines = dict(line.split(":", 1) for line in passwords.read_text().splitlines())
    assert set(lines) == {"ingest", *(str(m.device.pk) for m in made)}
    for m in made:
        assert mosquitto.hash_matches(m.secret, lines[str(m.device.pk)])
    assert mosquitto.hash_matches("worker-pw", lines["ingest"])
    assert lines["ingest"].startswith("$7$101$")
    rules = acl.read_text()
    for m in made:
        assert f"user {m.device.pk}\ntopic write hamkke/{city.slug}/{m.device.pk}/attrs\n" in rules
    assert f"user {gone.device.pk}\n" not in rules
    assert f"user ingest\ntopic read hamkke/{city.slug}/+/attrs\n" in rules
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600


def test_a_hash_mosquitto_passwd_made_is_verified_by_deriving_it_again():
    # Made by `mosquitto_passwd -b -c pw dev1 s3cret` (Mosquitto 2.0.11).
    made = (
        "$7$101$Vl6C40xIn177LzhX$vMgVth4FgqWfkFk6tgj/bWgACXt+FBT4lDNmI0zR34NFsrhGbebF9WTq1"
        "Qmir1kdsnKI1SpkvW+AQyG805VDQQ=="
    )
    assert mosquitto.hash_matches("s3cret", made)
    assert not mosquitto.hash_matches("s3cre", made)
    ours = mosquitto.password_hash("s3cret", salt=b"\x01" * 12)
    assert ours.split("$")[2:4] == ["101", "AQEBAQEBAQEBAQEB"] and len(ours.split("$")[4]) == 88


def test_bulk_provisioning_writes_each_secret_once(city, tmp_path):
    rows = [
        "kind,ref,name,lat,lon,model,department",
        "parking,BK-P1,북촌 1,37.5826,126.9831,Nedap,transport",
        "waste-container,BK-B1,북촌 쓰레기통,37.5796,126.9770,Sensoneo,",
        "parking,BK-P2,out,35.1,129.0,,",
    ]
    source = tmp_path / "devices.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    secrets = tmp_path / "secrets.csv"
    with pytest.raises(SystemExit):
        run("import", str(source), "--secrets", str(secrets))  # one row rejected: status 1
    written = list(csv.DictReader(secrets.open(encoding="utf-8")))
    assert [row["ref"] for row in written] == ["BK-P1", "BK-B1"]
    for row in written:
        assert authenticate(city, int(row["id"]), row["secret"]).asset.ref == row["ref"]
    assert Device.objects.get(asset__ref="BK-P1").department.code == "transport"
    assert Device.objects.count() == 2
    with pytest.raises(CommandError, match="must not exist"):
        run("import", str(source), "--secrets", str(secrets))


def test_prune_rolls_up_then_deletes_what_is_past_the_retention(city, monkeypatch):
    bin_ = provision("waste-container").device
    old = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
    levels = [0.2, 0.4, 0.9]
    for minutes, level in zip((0, 20, 70), levels, strict=True):
        moment = old + timedelta(minutes=minutes)
        ingest([Message(bin_.pk, payload(moment, fillingLevel=level), moment)], now=moment)
    recent = datetime(2026, 2, 20, 8, 0, tzinfo=UTC)
    ingest([Message(bin_.pk, payload(recent, fillingLevel=0.5), recent)], now=recent)
    written, deleted = prune(now=datetime(2026, 2, 25, tzinfo=UTC))  # 30 days kept
    assert (written, deleted) == (3, 3)
    assert list(Reading.objects.values_list("attributes", flat=True)) == [{"fillingLevel": 0.5}]
    day = ReadingRollup.objects.get(period="day")
    assert day.count == 3 and day.stats["fillingLevel"]["max"] == max(levels)
    assert day.stats["fillingLevel"]["avg"] == pytest.approx(sum(levels) / 3)
    hours = ReadingRollup.objects.filter(period="hour").order_by("bucket")
    assert [h.count for h in hours] == [2, 1]
    assert prune(now=datetime(2026, 2, 25, tzinfo=UTC)) == (0, 0)
