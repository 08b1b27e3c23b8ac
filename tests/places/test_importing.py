"""The Places importer through core/imports: Seoul's open-data WiFi file (sites and access
points, re-import updating, swapped coordinates found and said), Hamkke's own CSV and GeoJSON
(what the desk exports imports back as updates), rejected rows with their reasons and a report
to fix and send again, the check storing nothing, and who may confirm."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.core.imports import engine
from hamkke.core.models import AuditEntry, ImportJob, ImportStatus
from hamkke.places import exporting
from hamkke.places.importing import site_ref
from hamkke.places.models import AccessPoint, CoverageSnapshot, Event, Layer, Place, Route
from tests import factories
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city", "english")]

SEOUL_HEADER = [
    "X_SWIFI_MGR_NO", "X_SWIFI_WRDOFC", "X_SWIFI_MAIN_NM", "X_SWIFI_ADRES1", "X_SWIFI_ADRES2",
    "X_SWIFI_INSTL_FLOOR", "X_SWIFI_INSTL_TY", "X_SWIFI_INSTL_MBY", "X_SWIFI_SVC_SE",
    "X_SWIFI_CMCWR", "X_SWIFI_CNSTC_YEAR", "X_SWIFI_INOUT_DOOR", "X_SWIFI_REMARS3", "LAT", "LNT",
    "WORK_DTTM",
]  # fmt: skip


def seoul_row(number: str, point=CITY_HALL, name="서울광장", **cells) -> dict:
    lat, lon = point
    row = {
        "X_SWIFI_MGR_NO": number,
        "X_SWIFI_WRDOFC": "중구",
        "X_SWIFI_MAIN_NM": name,
        "X_SWIFI_ADRES1": "세종대로 110",
        "X_SWIFI_INSTL_TY": "1. 주요거리",
        "X_SWIFI_INSTL_MBY": "서울시(AP)",
        "X_SWIFI_CMCWR": "자가망",
        "X_SWIFI_CNSTC_YEAR": "2019",
        "X_SWIFI_INOUT_DOOR": "실외",
        "LAT": str(lat),
        "LNT": str(lon),
    }
    row.update(cells)
    return row


def csv_bytes(rows: list[dict], header=None, encoding="utf-8") -> bytes:
    out = io.StringIO()
    columns = header or list(dict.fromkeys(name for row in rows for name in row))
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def imported(data: bytes, *, layer: str = "auto", confirm: bool = True) -> ImportJob:
    """As the command does it: submit, check, and (when asked) confirm and run."""
    job = engine.submit(
        "places", actor=None, data=data, file_name="f.csv", options={"layer": layer}
    )
    job = engine.check(job.pk)
    if confirm and job.status == ImportStatus.CHECKED:
        engine.confirm(job.pk, actor=None, queue=False)
        job = engine.run(job.pk)
    return job


def reasons(job: ImportJob) -> dict[str, str]:
    return {p["ref"] or str(p["line"]): p["message"] for p in job.problems}


# --- Seoul's open-data WiFi file ---------------------------------------------------------------


def test_seoul_s_file_makes_sites_and_access_points_and_again_updates_them():
    rows = [
        seoul_row("WF-001"),
        seoul_row("WF-002"),  # the same site, a second access point
        seoul_row("WF-003", point=PALACE, name="경복궁", X_SWIFI_WRDOFC="종로구",
                  X_SWIFI_ADRES1="사직로 161", X_SWIFI_INSTL_TY="7-1. 공원(하천)",
                  X_SWIFI_INOUT_DOOR="실내", X_SWIFI_CMCWR="KT"),
    ]  # fmt: skip
    data = csv_bytes(rows, SEOUL_HEADER, encoding="cp949")
    first = imported(data)
    assert (first.status, first.created, first.updated, first.rejected) == ("done", 3, 0, 0)
    assert first.processed == first.total == 3
    assert Place.objects.filter(layer=Layer.WIFI_SITES).count() == 2
    palace_ap = AccessPoint.objects.get(ref="WF-003")
    assert palace_ap.site.ref == site_ref("종로구", "경복궁", "사직로 161")
    assert (palace_ap.provider, palace_ap.indoor, palace_ap.install_year) == ("KT", True, 2019)
    assert palace_ap.district.name == "종로구"
    assert palace_ap.install_type == "park"  # the profile's type of "7-1. 공원(하천)"
    assert sorted(AccessPoint.objects.filter(site__ref=site_ref("중구", "서울광장", "세종대로 110"))
                  .values_list("ref", flat=True)) == ["WF-001", "WF-002"]  # fmt: skip
    # Coverage recomputed once the rows are in: three points, one of them 0.7 km away.
    assert CoverageSnapshot.objects.get().access_points == 3
    again = imported(data)
    assert (again.created, again.updated, again.rejected) == (0, 3, 0)
    assert AccessPoint.objects.count() == 3 and Place.objects.count() == 2


def test_a_file_with_latitude_and_longitude_swapped_is_read_swapped_and_says_so():
    rows = [seoul_row(f"S-{n}", point=p) for n, p in enumerate([CITY_HALL, PALACE, BUKCHON])]
    for row in rows:
        row["LAT"], row["LNT"] = row["LNT"], row["LAT"]
    job = imported(csv_bytes(rows, SEOUL_HEADER))
    assert (job.created, job.rejected) == (3, 0)
    assert any("swapped" in note and "3" in note for note in job.notes)
    point = AccessPoint.objects.get(ref="S-0")
    assert (point.latitude, point.longitude) == CITY_HALL


def test_one_swapped_row_in_a_straight_file_is_refused_and_named_swapped():
    rows = [seoul_row("OK-1"), seoul_row("OK-2", point=PALACE), seoul_row("BAD", point=BUKCHON)]
    rows[2]["LAT"], rows[2]["LNT"] = rows[2]["LNT"], rows[2]["LAT"]
    job = imported(csv_bytes(rows, SEOUL_HEADER))
    assert (job.created, job.rejected) == (2, 1)
    assert "swapped" in reasons(job)["BAD"]
    assert not AccessPoint.objects.filter(ref="BAD").exists()


def test_rejected_rows_say_why_leave_nothing_and_come_back_as_a_file_to_fix():
    rows = [
        seoul_row("GOOD"),
        seoul_row("FAR", point=(35.1796, 129.0756)),  # Busan
        seoul_row("YEAR", X_SWIFI_CNSTC_YEAR="２０１９"),  # full-width digits
        seoul_row("DIGITS", LAT="٣٧.٥٦٦٣"),  # Arabic-Indic digits
        seoul_row("", name="번호 없음"),
    ]
    job = imported(csv_bytes(rows, SEOUL_HEADER))
    assert (job.created, job.rejected) == (1, 4)
    why = reasons(job)
    assert "outside the city" in why["FAR"]
    assert "not a year" in why["YEAR"]
    assert "not a number" in why["DIGITS"]
    assert "management number is empty" in why["6"]  # the fifth row, on line 6
    assert list(AccessPoint.objects.values_list("ref", flat=True)) == ["GOOD"]
    assert Place.objects.count() == 1  # no site left behind by a refused access point
    # The report: the rows as the file had them, with the line and the reason; fixed, it imports.
    report = list(csv.DictReader(io.StringIO(engine.rejected_csv(job).lstrip("\ufeff"))))
    assert [r["X_SWIFI_MGR_NO"] for r in report] == ["FAR", "YEAR", "DIGITS", ""]
    assert report[0]["_line"] == "3" and "outside the city" in report[0]["_reason"]
    for row in report:
        row.update(
            {"LAT": str(CITY_HALL[0]), "LNT": str(CITY_HALL[1]), "X_SWIFI_CNSTC_YEAR": "2020"}
        )
        row["X_SWIFI_MGR_NO"] = row["X_SWIFI_MGR_NO"] or "NEW"
    fixed = imported(csv_bytes(report))
    assert (fixed.created, fixed.rejected) == (4, 0)


def test_the_check_stores_nothing_and_counts_what_the_import_then_does(editor):
    site(editor, ref="KEEP")
    before = (Place.objects.count(), AccessPoint.objects.count(), AuditEntry.objects.count())
    rows = [seoul_row(f"C-{n}", point=p) for n, p in enumerate([CITY_HALL, PALACE, YEOUIDO])]
    rows.append(seoul_row("C-far", point=(35.1796, 129.0756)))
    job = imported(csv_bytes(rows, SEOUL_HEADER), confirm=False)
    assert job.status == ImportStatus.CHECKED
    assert (job.created, job.updated, job.rejected) == (3, 0, 1)
    after = (Place.objects.count(), AccessPoint.objects.count())
    assert after == before[:2]
    # Only the submission is audited, nothing of the rows.
    assert AuditEntry.objects.count() == before[2] + 1
    engine.confirm(job.pk, actor=None, queue=False)
    done = engine.run(job.pk)
    assert (done.created, done.updated, done.rejected) == (3, 0, 1)


def test_a_file_that_is_not_text_or_lacks_columns_fails_with_the_reason():
    broken = imported(b"\x81\xff\xfe\x00garbage" * 10)
    assert broken.status == ImportStatus.FAILED and broken.error
    missing = imported(csv_bytes([{"X_SWIFI_MGR_NO": "1", "LAT": "37.5"}]))
    assert missing.status == ImportStatus.FAILED and "Missing columns" in missing.error
    with pytest.raises(InvalidInput, match="empty"):
        engine.submit("places", actor=None, data=b"", file_name="x.csv")


def test_a_file_too_large_is_refused_before_anything_is_stored(settings):
    settings.HAMKKE_IMPORT_MAX_BYTES = 1_000
    with pytest.raises(InvalidInput, match="larger than"):
        engine.submit("places", actor=None, data=b"x" * 1_001, file_name="big.csv")
    assert not ImportJob.objects.exists()


# --- Hamkke's own files: export, edit, import back ---------------------------------------------


def _export_text(layer: str, file_format: str = "csv") -> str:
    pieces = exporting.as_csv(layer) if file_format == "csv" else exporting.as_geojson(layer)
    return "".join(pieces)


def test_an_exported_layer_imports_back_as_updates_and_an_edit_lands(editor):
    charger(editor, ref="CH-1", name="시청 충전소", charger_count=12, hours="Mo-Fr 09:00-18:00")
    charger(editor, ref="CH-2", point=PALACE, charger_count=4, status="repair")
    text = _export_text(Layer.CHARGERS)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["ref"] for r in rows] == ["CH-1", "CH-2"]
    assert rows[1]["status"] == "repair"  # every row, out of service or not
    rows[0]["charger_count"] = "20"
    job = imported(csv_bytes(rows), layer=Layer.CHARGERS)
    assert (job.created, job.updated, job.rejected) == (0, 2, 0)
    assert Place.objects.get(ref="CH-1").charger_count == 20
    assert Place.objects.get(ref="CH-1").hours == "Mo-Fr 09:00-18:00"


def test_geojson_of_every_layer_round_trips(editor):
    from tests.places.test_api import access_point, event, facility, route

    site(editor, ref="WF-1")
    access_point("AP-1", site_ref="WF-1")
    facility("F-1")
    event("E-1")
    route("R-1")
    for layer in (Layer.WIFI_SITES, Layer.WIFI_APS, Layer.FACILITIES, Layer.EVENTS, Layer.ROUTES):
        document = json.loads(_export_text(layer, "geojson"))
        assert document["features"], layer
        job = imported(json.dumps(document).encode(), layer="auto")  # the layer property says
        assert (job.status, job.created, job.rejected) == ("done", 0, 0), (layer, job.problems)
        assert job.updated == len(document["features"])
    stops = list(Route.objects.get(ref="R-1").stops.values_list("name", flat=True))
    assert len(stops) >= 2
    assert Event.objects.count() == 1 and Place.objects.filter(layer=Layer.FACILITIES).count() == 1


def test_a_route_in_csv_gives_its_stops_and_walking_time():
    data = csv_bytes(
        [{"ref": "R-9", "name": "북촌 산책", "stops": f"시청 @ {CITY_HALL[0]}, {CITY_HALL[1]} | "
          f"경복궁 @ {PALACE[0]}, {PALACE[1]}"}]
    )  # fmt: skip
    job = imported(data, layer=Layer.ROUTES)
    assert (job.created, job.rejected) == (1, 0)
    route = Route.objects.get(ref="R-9")
    assert list(route.stops.values_list("name", flat=True)) == ["시청", "경복궁"]
    assert 1_300 < route.distance_m < 1_600  # City Hall to the palace, straight
    bad = imported(
        csv_bytes([{"ref": "R-8", "name": "x", "stops": "시청 37.56 126.97"}]), layer="routes"
    )
    assert "name @ latitude, longitude" in reasons(bad)["R-8"]


def test_plain_rows_without_a_layer_are_refused_with_what_to_do():
    job = imported(csv_bytes([{"ref": "F-1", "name": "도서관", "kind": "library",
                               "latitude": "37.5796", "longitude": "126.977"}]))  # fmt: skip
    assert job.rejected == 1 and "choose it, or add a layer column" in reasons(job)["F-1"]


def test_nul_bytes_and_unknown_kinds_are_rejected_rows_not_crashes():
    at = {"latitude": "37.5796", "longitude": "126.977"}
    rows = [
        {"ref": "F-1", "name": "도서\x00관", "kind": "library", **at},
        {"ref": "F-2", "name": "시설", "kind": "spaceport", **at},
        {"ref": "F-3", "name": "시설", "kind": "library", **at, "install_year": "9999"},
    ]
    job = imported(csv_bytes(rows), layer=Layer.FACILITIES)
    assert job.rejected == 3 and job.created == 0
    why = reasons(job)
    assert "NUL" in why["2"] and "kinds of facility" in why["F-2"] and "1900" in why["F-3"]


# --- who may, and once --------------------------------------------------------------------------


def test_a_job_is_confirmed_once_and_a_file_with_rejected_rows_needs_a_manager(keeper, editor):
    from hamkke.accounts.models import Role
    from hamkke.core.actors import Actor

    rows = [seoul_row("A"), seoul_row("B", point=(35.1796, 129.0756))]
    job = engine.check(
        engine.submit(
            "places", actor=editor, data=csv_bytes(rows, SEOUL_HEADER), file_name="w.csv"
        ).pk
    )
    assert job.rejected == 1
    with pytest.raises(NotAllowed, match="manager"):
        engine.confirm(job.pk, actor=editor, queue=False)
    manager = factories.make_official(role=Role.MANAGER, department=keeper)
    engine.confirm(job.pk, actor=Actor.of(manager), queue=False)
    with pytest.raises(Conflict):
        engine.confirm(job.pk, actor=Actor.of(manager), queue=False)
    done = engine.run(job.pk)
    assert (done.status, done.created, done.confirmed_by) == ("done", 1, manager)
    assert AuditEntry.objects.filter(action="imports.done", actor=manager).exists()


def test_an_official_of_another_department_may_not_import(city):
    from hamkke.accounts.models import Role
    from hamkke.core.models import Department

    other = Department.objects.filter(city=city).exclude(code="information-planning").first()
    outsider = factories.make_official(role=Role.ADMINISTRATOR, department=other)
    with pytest.raises(NotAllowed):
        engine.submit("places", actor=outsider, data=b"a,b\n1,2\n", file_name="x.csv")
    assert not ImportJob.objects.exists()


def test_a_number_given_twice_is_refused_on_its_second_line_and_the_first_counts():
    rows = [seoul_row("TWICE"), seoul_row("OTHER"), seoul_row("TWICE", point=PALACE)]
    job = imported(csv_bytes(rows, SEOUL_HEADER))
    assert (job.created, job.updated, job.rejected) == (2, 0, 1)
    assert job.problems[0]["line"] == 4
    assert "is in the file already, on line 2" in job.problems[0]["message"]
    assert (AccessPoint.objects.get(ref="TWICE").latitude, AccessPoint.objects.count()) == (
        CITY_HALL[0],
        2,
    )
    plain = [
        {"layer": "facilities", "ref": "F-1", "name": "도서관", "kind": "library",
         "latitude": str(PALACE[0]), "longitude": str(PALACE[1])},
        {"layer": "chargers", "ref": "F-1", "name": "충전소", "charger_count": "3",
         "latitude": str(PALACE[0]), "longitude": str(PALACE[1])},  # another registry: fine
        {"layer": "facilities", "ref": "F-1", "name": "또", "kind": "museum",
         "latitude": str(PALACE[0]), "longitude": str(PALACE[1])},
    ]  # fmt: skip
    mixed = imported(csv_bytes(plain))
    assert (mixed.created, mixed.rejected) == (2, 1) and mixed.problems[0]["line"] == 4


def test_a_district_the_city_does_not_have_is_refused():
    rows = [seoul_row("GU"), seoul_row("BUSAN", X_SWIFI_WRDOFC="부산진구")]
    job = imported(csv_bytes(rows, SEOUL_HEADER))
    assert (job.created, job.rejected) == (1, 1)
    assert reasons(job)["BUSAN"] == "“부산진구” is not a district of the city."


def test_a_negative_charger_count_and_a_one_stop_route_are_refused():
    at = {"latitude": str(CITY_HALL[0]), "longitude": str(CITY_HALL[1])}
    chargers = imported(
        csv_bytes([{"ref": "CH-N", "name": "충전소", "charger_count": "-3", **at}]),
        layer=Layer.CHARGERS,
    )
    assert chargers.rejected == 1 and "Give a number from 0" in reasons(chargers)["CH-N"]
    one_stop = imported(
        csv_bytes(
            [{"ref": "R-1", "name": "산책", "stops": f"시청 @ {CITY_HALL[0]}, {CITY_HALL[1]}"}]
        ),
        layer=Layer.ROUTES,
    )
    assert one_stop.rejected == 1 and "at least two stops" in reasons(one_stop)["R-1"]
    assert not Place.objects.exists() and not Route.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_one_job_start_one_import():
    from tests.ideas.test_concurrency import ATTEMPTS, _at_once

    data = csv_bytes([seoul_row("ONCE-1"), seoul_row("ONCE-2", point=PALACE)], SEOUL_HEADER)
    job = engine.check(engine.submit("places", actor=None, data=data, file_name="w.csv").pk)
    outcomes = _at_once([lambda: engine.confirm(job.pk, actor=None, queue=False)] * ATTEMPTS)
    started = [o for o in outcomes if isinstance(o, ImportJob)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(started), len(refused)) == (1, ATTEMPTS - 1), outcomes
    assert AuditEntry.objects.filter(action="imports.confirmed").count() == 1
    done = engine.run(job.pk)
    assert (done.status, done.created, AccessPoint.objects.count()) == ("done", 2, 2)
