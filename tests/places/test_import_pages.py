"""The import and export of the Places registries at the desk, through the API and on the
command line: who may, the file checked before anything is stored, the progress and the
report, the confirmation (once; a manager's for a file with rejected rows), the export of every
row in the columns the importer reads, and clear refusals."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from hamkke.accounts.models import Role
from hamkke.core.models import ImportJob, ImportStatus
from hamkke.places.models import AccessPoint, Layer, Place
from tests import factories
from tests.places.conftest import CITY_HALL, PALACE, charger
from tests.places.test_importing import SEOUL_HEADER, csv_bytes, seoul_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city", "english")]

IMPORTS = "/places/desk/imports/"
API = "/api/v1/imports/places"
BUSAN = (35.1796, 129.0756)


def signed_in(official) -> Client:
    client = Client()
    factories.log_in_official(client, official)
    return client


@pytest.fixture
def desk(editor) -> Client:
    return signed_in(editor)


@pytest.fixture
def manager(keeper):
    return factories.make_official(role=Role.MANAGER, department=keeper)


@pytest.fixture
def desk_post(django_capture_on_commit_callbacks):
    """POST as the site does it outside a test's transaction: what waits for the commit (the
    check, the import; inline without a broker) runs before the answer is read."""

    def post(client, path, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, **extra)

    return post


def wifi_file(*points, name="wifi.csv") -> SimpleUploadedFile:
    rows = [seoul_row(f"AP-{n}", point=p) for n, p in enumerate(points)]
    return SimpleUploadedFile(name, csv_bytes(rows, SEOUL_HEADER), content_type="text/csv")


def visible(response) -> str:
    html = response.content.decode()
    body = html.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


# --- the pages ---------------------------------------------------------------------------------


def test_citizens_and_other_departments_are_refused_and_strangers_log_in(city, citizen):
    from hamkke.core.models import Department

    assert Client().get(IMPORTS).status_code == 302
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert citizen_client.get(IMPORTS).status_code == 403
    other = Department.objects.filter(city=city).exclude(code="information-planning").first()
    outsider = signed_in(factories.make_official(role=Role.MANAGER, department=other))
    assert outsider.get(IMPORTS).status_code == 403
    assert (
        outsider.post(IMPORTS, {"file": wifi_file(CITY_HALL), "layer": "auto"}).status_code == 403
    )
    assert outsider.get("/places/desk/export/chargers.csv").status_code == 403
    assert not ImportJob.objects.exists()


def test_the_keeper_without_the_second_factor_is_refused(editor, desk_post):
    unconfirmed = Client()
    unconfirmed.force_login(editor)  # a password-only session
    page = unconfirmed.get(IMPORTS)
    assert page.status_code == 403 and "authenticator code" in visible(page)
    answer = desk_post(unconfirmed, API, {"file": wifi_file(CITY_HALL), "layer": "auto"})
    assert (answer.status_code, answer.json()["code"]) == (403, "second_factor_required")
    assert not ImportJob.objects.exists()


def test_a_clean_file_is_checked_then_imported_from_the_page(desk, desk_post):
    response = desk_post(desk, IMPORTS, {"file": wifi_file(CITY_HALL, PALACE), "layer": "auto"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response.url == f"{IMPORTS}{job.pk}/"
    page = desk.get(response.url)
    words = visible(page)
    assert "2 rows checked: 2 to add, 0 to update, 0 rejected. Nothing is stored yet." in words
    assert not AccessPoint.objects.exists()
    assert 'max="100" value="100"' in page.content.decode()
    confirmed = desk_post(desk, f"{IMPORTS}{job.pk}/confirm/")
    assert confirmed.status_code == 302
    words = visible(desk.get(f"{IMPORTS}{job.pk}/"))
    assert "2 of 2 rows: 2 added, 0 updated, 0 rejected." in words
    assert AccessPoint.objects.count() == 2
    # Listed on the imports page.
    assert "wifi.csv" in visible(desk.get(IMPORTS))


def test_rejected_rows_are_listed_and_only_a_manager_imports_around_them(desk, manager, desk_post):
    desk_post(desk, IMPORTS, {"file": wifi_file(CITY_HALL, BUSAN), "layer": "auto"})
    job = ImportJob.objects.get()
    page = visible(desk.get(f"{IMPORTS}{job.pk}/"))
    assert "1 rejected row" in page and "This point is outside the city." in page
    assert "you do not hold it" in page  # the handler is told why there is no button
    assert desk_post(desk, f"{IMPORTS}{job.pk}/confirm/").status_code == 403
    assert ImportJob.objects.get().status == ImportStatus.CHECKED
    report = desk.get(f"{IMPORTS}{job.pk}/rejected.csv")
    assert report["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [r["X_SWIFI_MGR_NO"] for r in rows] == ["AP-1"]
    boss = signed_in(manager)
    assert "Import, leaving out the rejected row" in visible(boss.get(f"{IMPORTS}{job.pk}/"))
    desk_post(boss, f"{IMPORTS}{job.pk}/confirm/")
    assert list(AccessPoint.objects.values_list("ref", flat=True)) == ["AP-0"]
    again = desk_post(boss, f"{IMPORTS}{job.pk}/confirm/", follow=True)
    assert "already been started" in visible(again)


def test_bad_uploads_are_refused_beside_the_field(desk, settings, desk_post):
    settings.HAMKKE_IMPORT_MAX_BYTES = 100
    big = desk_post(desk, IMPORTS, {"file": wifi_file(CITY_HALL, PALACE), "layer": "auto"})
    assert big.status_code == 400 and "larger than" in visible(big)
    settings.HAMKKE_IMPORT_MAX_BYTES = 20_000_000
    wrong_layer = desk_post(desk, IMPORTS, {"file": wifi_file(CITY_HALL), "layer": "moon"})
    assert wrong_layer.status_code == 400 and "Select a valid choice" in visible(wrong_layer)
    no_file = desk_post(desk, IMPORTS, {"layer": "auto"})
    assert no_file.status_code == 400
    assert not ImportJob.objects.exists()
    picture = SimpleUploadedFile("wifi.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    desk_post(desk, IMPORTS, {"file": picture, "layer": "auto"})
    failed = ImportJob.objects.get()
    assert failed.status == ImportStatus.FAILED
    assert failed.error in visible(desk.get(f"{IMPORTS}{failed.pk}/"))


def test_the_export_holds_every_row_in_the_importer_s_columns(desk, editor):
    from hamkke.places.importing import COLUMNS
    from hamkke.places.services import retire

    charger(editor, ref="CH-1")
    retire(actor=editor, place=charger(editor, ref="CH-2", point=PALACE))
    response = desk.get("/places/desk/export/chargers.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "chargers" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(COLUMNS[Layer.CHARGERS])
    assert [(r["ref"], r["status"]) for r in rows] == [("CH-1", "active"), ("CH-2", "closed")]
    geo = desk.get("/places/desk/export/chargers.geojson")
    features = json.loads(b"".join(geo.streaming_content))["features"]
    assert [f["geometry"]["coordinates"] for f in features][1] == [PALACE[1], PALACE[0]]
    assert desk.get("/places/desk/export/moon.csv").status_code == 404
    assert desk.get("/places/desk/export/chargers.xlsx").status_code == 404


# --- the API -------------------------------------------------------------------------------------


def test_the_api_checks_confirms_once_and_reports(desk, desk_post):
    sent = desk_post(desk, API, {"file": wifi_file(CITY_HALL, PALACE), "layer": "auto"})
    assert sent.status_code == 202, sent.content
    assert sent.json()["status"] in ("checking", "checked")  # checked after the commit
    job = desk.get(f"{API}/jobs/{sent.json()['id']}").json()
    assert (job["status"], job["created"], job["rejected"], job["percent"]) == (
        "checked",
        2,
        0,
        100,
    )
    assert not AccessPoint.objects.exists()
    confirmed = desk_post(desk, f"{API}/jobs/{job['id']}/confirm")
    assert confirmed.status_code == 202
    done = desk.get(f"{API}/jobs/{job['id']}").json()
    assert (done["status"], done["processed"], done["total"], done["created"]) == ("done", 2, 2, 2)
    twice = desk_post(desk, f"{API}/jobs/{job['id']}/confirm")
    assert (twice.status_code, twice.json()["code"]) == (409, "not_checked")
    listed = desk.get(f"{API}/jobs").json()["items"]
    assert [item["id"] for item in listed] == [job["id"]]


def test_the_api_refuses_clearly(desk, citizen, settings, desk_post):
    assert desk.get("/api/v1/imports/moon/jobs").status_code == 404
    assert desk.get(f"{API}/jobs/999999").status_code == 404
    empty = desk_post(desk, API, {"file": SimpleUploadedFile("e.csv", b""), "layer": "auto"})
    assert empty.status_code == 400 and empty.json()["code"] in ("invalid", "empty")
    wrong = desk_post(desk, API, {"file": wifi_file(CITY_HALL), "layer": "moon"})
    assert (wrong.status_code, wrong.json()["detail"]) == (400, "Choose one of the layers.")
    settings.HAMKKE_IMPORT_MAX_BYTES = 50
    big = desk_post(desk, API, {"file": wifi_file(CITY_HALL), "layer": "auto"})
    assert (big.status_code, big.json()["code"]) == (400, "too_large")
    other = Client()
    other.force_login(citizen)
    assert other.post(API, {"file": wifi_file(CITY_HALL)}).status_code == 403
    assert not ImportJob.objects.exists()


# --- the command --------------------------------------------------------------------------------


def test_the_command_imports_checks_exports_and_recomputes(tmp_path, capsys):
    path = tmp_path / "wifi.csv"
    path.write_bytes(csv_bytes([seoul_row("A"), seoul_row("B", point=BUSAN)], SEOUL_HEADER))
    with pytest.raises(SystemExit) as exit_status:
        call_command("places", "import", str(path), "--dry-run")
    assert exit_status.value.code == 1  # a rejected row
    assert not AccessPoint.objects.exists()
    report = tmp_path / "rejected.csv"
    with pytest.raises(SystemExit):
        call_command("places", "import", str(path), "--report", str(report))
    out, err = capsys.readouterr()
    assert "Imported: 1 added, 0 updated, 1 rejected." in out
    assert "line 3 (B): latitude: This point is outside the city." in err
    assert "B" in report.read_text(encoding="utf-8-sig")
    assert list(AccessPoint.objects.values_list("ref", flat=True)) == ["A"]
    exported = tmp_path / "aps.geojson"
    call_command("places", "export", "wifi-aps", "--format", "geojson", "--output", str(exported))
    features = json.loads(exported.read_text())["features"]
    assert [f["properties"]["ref"] for f in features] == ["A"]
    call_command("places", "coverage")
    out, _err = capsys.readouterr()
    assert "by 1 access points" in out
    assert Place.objects.filter(layer=Layer.WIFI_SITES).count() == 1
