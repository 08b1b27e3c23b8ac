"""The bench runner's pure parts: results, the table, the JSON line and the command line; a
benchmark whose data is absent; the fault drill's checks (on the test database) and figures.

No server is started here; fake benchmark modules stand in for the real ones."""

from __future__ import annotations

import importlib
import io
import json
import math
import sys
import types

import pytest
from bench import runner
from bench.__main__ import main
from bench.runner import Result, format_number, format_table


@pytest.fixture
def fake_benchmarks(monkeypatch):
    """Two registered benchmarks: `fake_fast` succeeds, `fake_broken` raises."""

    def fast(quick: bool) -> Result:
        return Result(
            name="fake_fast",
            value=250.0 if quick else 500.0,
            baseline=1000.0,
            unit="req/s",
            notes="quick" if quick else "full",
        )

    def broken(quick: bool) -> Result:
        raise RuntimeError("server did not start")

    for name, run in (("fake_fast", fast), ("fake_broken", broken)):
        module = types.ModuleType(f"bench.{name}")
        module.run = run
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr(runner, "BENCHMARKS", ("fake_fast", "fake_broken"))


def test_ratio_is_figure_over_baseline():
    assert Result(name="x", value=50, baseline=200, unit="req/s").ratio == 0.25
    assert math.isnan(Result(name="x", value=50, baseline=0, unit="req/s").ratio)


def test_as_dict_has_the_documented_keys_in_order():
    data = Result(name="x", value=1.5, baseline=3.0, unit="s", notes="n").as_dict()
    assert list(data) == ["name", "value", "baseline", "ratio", "unit", "notes"]
    assert data["ratio"] == 0.5
    assert Result(name="x", value=1, baseline=0, unit="s").as_dict()["ratio"] is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (12345.6, "12,346"),
        (345.67, "345.7"),
        (3.14159, "3.14"),
        (0.012345, "0.0123"),
        (None, "-"),
        (math.nan, "-"),
    ],
)
def test_format_number(value, shown):
    assert format_number(value) == shown


def test_table_has_a_header_and_aligned_rows():
    table = format_table(
        [
            Result(name="home_page", value=348.2, baseline=2048.7, unit="req/s"),
            Result(name="search", value=0.5, baseline=0.25, unit="s"),
        ],
        failures=[("broken_one", "RuntimeError: boom")],
    )
    lines = table.splitlines()
    assert lines[0].split() == ["name", "figure", "baseline", "ratio", "unit"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split() == ["home_page", "348.2", "2,049", "0.170", "req/s"]
    assert lines[3].split() == ["search", "0.5", "0.25", "2.000", "s"]
    assert lines[4].split() == ["broken_one", "failed", "-", "-", "-"]
    # Numbers are right-aligned: every row's ratio ends where the header's "ratio" ends.
    ratio_end = lines[0].index("ratio") + len("ratio")
    for line in lines[2:]:
        assert line[:ratio_end].endswith(line.split()[3])
        assert line[ratio_end] == " "


def test_list_names_every_registered_benchmark(capsys):
    assert main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(runner.BENCHMARKS)


def test_every_registered_benchmark_has_a_run_function():
    for name in runner.BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        assert callable(module.run), name


def test_json_prints_one_object_with_the_documented_keys(fake_benchmarks, capsys):
    assert main(["fake_fast", "--json", "--quick"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1
    data = json.loads(out)
    assert data == {
        "name": "fake_fast",
        "value": 250.0,
        "baseline": 1000.0,
        "ratio": 0.25,
        "unit": "req/s",
        "notes": "quick",
    }


def test_table_run_reports_a_failure_and_exits_non_zero(fake_benchmarks, capsys):
    assert main([]) == 1
    captured = capsys.readouterr()
    assert "fake_fast" in captured.out and "0.500" in captured.out
    assert "fake_broken: FAILED: RuntimeError: server did not start" in captured.out
    assert "server did not start" in captured.err  # the traceback, for whoever debugs it


def test_unknown_name_is_refused(fake_benchmarks, capsys):
    assert main(["no_such_bench"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


# --- benchmarks whose data is absent ------------------------------------------------------------


def _register(monkeypatch, **runs) -> None:
    """Register fake benchmark modules, in this order, each with its `run`."""
    for name, run in runs.items():
        module = types.ModuleType(f"bench.{name}")
        module.run = run
        monkeypatch.setitem(sys.modules, f"bench.{name}", module)
    monkeypatch.setattr(runner, "BENCHMARKS", tuple(runs))


def _fast(quick: bool) -> Result:
    return Result(name="fake_fast", value=500.0, baseline=1000.0, unit="req/s")


def _no_data(quick: bool) -> Result:
    raise runner.BenchmarkSkipped("no data at /nowhere; get it from example.org; set BENCH_X")


def test_a_benchmark_without_its_data_is_skipped_and_the_others_still_run(monkeypatch, capsys):
    _register(monkeypatch, fake_no_data=_no_data, fake_fast=_fast)
    assert main([]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()]
    assert ["fake_no_data", "skipped", "-", "-", "-"] in rows
    assert ["fake_fast", "500.0", "1,000", "0.500", "req/s"] in rows
    assert "fake_no_data: SKIPPED: no data at /nowhere; get it from example.org; set BENCH_X" in out


def test_a_skipped_benchmark_does_not_hide_a_failed_one(monkeypatch, capsys):
    def broken(quick: bool) -> Result:
        raise RuntimeError("server did not start")

    _register(monkeypatch, fake_no_data=_no_data, fake_broken=broken)
    assert main([]) == 1
    out = capsys.readouterr().out
    assert "fake_broken: FAILED: RuntimeError: server did not start" in out
    assert "fake_no_data: SKIPPED" in out


def test_json_keeps_stdout_for_results_and_says_skipped_on_stderr(monkeypatch, capsys):
    _register(monkeypatch, fake_no_data=_no_data, fake_fast=_fast)
    assert main(["--json"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["name"] for line in captured.out.splitlines()] == ["fake_fast"]
    assert "fake_no_data: SKIPPED: no data at /nowhere" in captured.err


def test_the_fault_drill_runs_only_when_named(monkeypatch, capsys):
    ran: list[str] = []

    def drill(quick: bool) -> Result:
        ran.append("faults")
        return Result(name="faults", value=10.0, baseline=10.0, unit="acked writes/s")

    _register(monkeypatch, fake_fast=_fast, faults=drill)
    assert main([]) == 0
    assert ran == []
    assert main(["faults"]) == 0
    assert ran == ["faults"]
    assert main(["--list"]) == 0
    assert "faults" in capsys.readouterr().out.split()


@pytest.fixture
def no_shared_data(monkeypatch, tmp_path):
    """A clone without ../shared: the default folder does not exist, no variable points
    elsewhere."""
    from bench import pabulib_rules

    absent = tmp_path / "shared" / "data" / "pabulib"
    monkeypatch.setattr(pabulib_rules, "DEFAULT_DATA", absent)
    monkeypatch.delenv("BENCH_PABULIB_DATA", raising=False)
    return absent


def test_pabulib_rules_without_its_data_is_skipped_and_says_where_to_get_it(no_shared_data, capsys):
    assert main(["pabulib_rules", "--quick"]) == 0
    out = capsys.readouterr().out
    assert ["pabulib_rules", "skipped", "-", "-", "-"] in [
        line.split() for line in out.splitlines()
    ]
    reason = next(line for line in out.splitlines() if line.startswith("pabulib_rules: SKIPPED"))
    assert str(no_shared_data) in reason
    assert "https://github.com/pabulib/pabulib_files" in reason
    assert "BENCH_PABULIB_DATA=" in reason


def test_pabulib_data_variable_names_a_folder_and_its_missing_files(monkeypatch, tmp_path):
    from bench import pabulib_rules

    (tmp_path / "expected.json").write_text(
        json.dumps({"instances": {"Here.pb": {}, "Gone.pb": {}}}), encoding="utf-8"
    )
    (tmp_path / "Here.pb").write_text("META\n", encoding="utf-8")
    monkeypatch.setenv("BENCH_PABULIB_DATA", str(tmp_path))
    assert pabulib_rules.data_folder() == tmp_path.resolve()
    with pytest.raises(runner.BenchmarkSkipped) as skipped:
        pabulib_rules.run(quick=True)
    assert "1 of the 2 files" in str(skipped.value)
    assert "Gone.pb" in str(skipped.value) and "Here.pb" not in str(skipped.value)


def test_pabulib_rules_runs_on_the_folder_the_variable_names(monkeypatch, tmp_path):
    """The smallest real election of tests/budget/data, alone in a folder of its own: both
    rules are timed against pabutools and their outcomes agree."""
    import shutil
    from pathlib import Path

    from bench import pabulib_rules

    shipped = Path(__file__).parent / "budget" / "data"
    name = "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"
    shutil.copy(shipped / name, tmp_path / name)
    expected = json.loads((shipped / "expected.json").read_text(encoding="utf-8"))
    (tmp_path / "expected.json").write_text(
        json.dumps({"instances": {name: expected["instances"][name]}}), encoding="utf-8"
    )
    monkeypatch.setenv("BENCH_PABULIB_DATA", str(tmp_path))
    result = pabulib_rules.run(quick=True)
    assert result.name == "pabulib_rules"
    assert result.notes.startswith("2 (file, rule) pairs timed against pabutools")
    assert "Poland_Warszawa_2017_Plac_Wojska_Polskiego greedy" in result.notes
    assert "Poland_Warszawa_2017_Plac_Wojska_Polskiego mes-add1" in result.notes


# --- the fault drill: its checks and its figures ------------------------------------------------

CITY_HALL = (37.5665, 126.9780)


@pytest.fixture
def drill_votes(city):
    """Three voters' ballots in a citywide pool (two choices at most), cast as the API casts
    them, with what the drill's clients would have recorded: identity, choices, receipt."""
    from hamkke.budget import selectors, services
    from tests.budget.conftest import JONGNO, make_cycle, make_voter

    cycle = make_cycle(city)
    pool = cycle.pools.get(code="city")
    votes = []
    for number, choices in enumerate((["c1"], ["c2", "c3"], ["c1", "c4"])):
        voter = make_voter(JONGNO, email=f"drill-voter-{number}@example.org")
        cast = services.cast_ballot(actor=voter, pool=pool, choices=choices)
        identity = selectors.voter_identity(voter).identity_key
        votes.append({"identity": identity, "choices": choices, "receipt": cast.receipt})
    # Written out of the sealed box, as a full batch or the close would (the ballot pattern).
    services.flush_ballots(pool=pool, minimum=1)
    return cycle, pool, votes


def _check_ballots(cycle, votes) -> dict:
    from bench.faults_audit import check_ballots

    return check_ballots(cycle=cycle.slug, pool="city", votes=votes)


def test_ballot_check_finds_every_acknowledged_ballot(drill_votes):
    cycle, _pool, votes = drill_votes
    found = _check_ballots(cycle, votes)
    assert (found["stored"], found["registered"], found["tally_ballots"]) == (3, 3, 3)
    assert (found["lost"], found["doubled"], found["half_written"]) == (0, 0, 0)
    assert found["tally_equals_count"] is True


def test_ballot_check_counts_an_unanswered_ballot_apart_not_as_lost(drill_votes):
    cycle, _pool, votes = drill_votes
    votes[2]["receipt"] = ""  # stored, but the 201 never reached the voter
    found = _check_ballots(cycle, votes)
    assert (found["acknowledged"], found["lost"], found["stored_unacknowledged"]) == (2, 0, 1)
    assert found["tally_equals_count"] is True


def test_ballot_check_counts_a_receipt_that_finds_nothing_as_lost(drill_votes):
    from hamkke.budget.ballots import receipt_of

    cycle, _pool, votes = drill_votes
    votes[0]["receipt"] = receipt_of(12345)
    found = _check_ballots(cycle, votes)
    assert found["lost"] == 1
    assert found["lost_examples"] == [f"{receipt_of(12345)}: no ballot"]


def test_ballot_check_sees_a_register_row_whose_ballot_is_gone(drill_votes):
    from hamkke.budget.ballots import ballot_id_of
    from hamkke.budget.models import Ballot

    cycle, _pool, votes = drill_votes
    Ballot.objects.filter(pk=ballot_id_of(votes[1]["receipt"])).delete()
    found = _check_ballots(cycle, votes)
    assert (found["stored"], found["registered"], found["lost"]) == (2, 3, 1)
    assert found["half_written"] == 1
    assert found["tally_equals_count"] is False
    assert "c2: tally 0, stored 0, sent 1" in found["tally_mismatches"]


def test_ballot_check_sees_a_ballot_stored_with_other_choices(drill_votes):
    cycle, _pool, votes = drill_votes
    votes[1]["choices"] = ["c2", "c4"]  # what the voter sent; c3 was stored
    found = _check_ballots(cycle, votes)
    assert found["lost"] == 1
    assert found["tally_equals_count"] is False


def test_ballot_check_counts_a_ballot_beyond_the_register_as_doubled(drill_votes):
    from hamkke.budget.models import Ballot, BallotChoice

    cycle, pool, votes = drill_votes
    extra = Ballot.objects.create(pool=pool, channel="online")
    BallotChoice.objects.create(ballot=extra, project=pool.projects.get(code="c1"))
    found = _check_ballots(cycle, votes)
    assert found["doubled"] == 1
    assert found["tally_equals_count"] is False  # 4 ballots tallied, 3 in the register


def _jpeg(width: int, height: int):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def _file_drill_report(marker: str, *, width: int = 170, height: int = 130):
    """A report as the drill files it, and what its client records on a 201."""
    from bench.faults_audit import MARKER_TEXT

    from hamkke.complaints import filing

    complaint = filing.file_report(
        actor=None,
        category="litter",
        latitude=CITY_HALL[0],
        longitude=CITY_HALL[1],
        description=MARKER_TEXT.format(marker=marker),
        photos=[_jpeg(width, height)],
    )
    sent = {
        "marker": marker,
        "kind": "report",
        "category": "litter",
        "latitude": CITY_HALL[0],
        "longitude": CITY_HALL[1],
        "width": width,
        "height": height,
        "user": None,
        "tracking_number": complaint.tracking_number,
    }
    return complaint, sent


def test_report_check_finds_a_report_stored_whole(city):
    from bench.faults_audit import check_reports, half_written

    _complaint, sent = _file_drill_report("FD000001")
    found = check_reports([sent])
    assert (found["lost"], found["doubled"]) == (0, 0)
    assert found["by_kind"]["report"] == {
        "stored": 1,
        "lost": 0,
        "doubled": 0,
        "stored_unacknowledged": 0,
    }
    assert sum(half_written().values()) == 0


def test_report_check_counts_a_report_without_its_photo_file_as_lost(city):
    from bench.faults_audit import check_reports, half_written
    from django.core.files.storage import default_storage

    from hamkke.complaints.selectors import media_of

    complaint, sent = _file_drill_report("FD000002")
    photo = media_of(complaint)[0]
    default_storage.delete(photo.file.name)
    found = check_reports([sent])
    assert found["lost"] == 1
    assert f"file {photo.file.name} missing" in found["lost_examples"][0]
    assert half_written()["report photos whose files are missing"] == 1


def test_report_check_counts_a_photo_of_another_size_as_lost(city):
    from bench.faults_audit import check_reports

    _complaint, sent = _file_drill_report("FD000003", width=200, height=150)
    sent["width"] = 201
    found = check_reports([sent])
    assert found["lost"] == 1
    assert "photo 200x150, 201x150 sent" in found["lost_examples"][0]


def test_report_check_counts_a_marker_stored_twice_as_doubled(city):
    from bench.faults_audit import check_reports

    _first, sent = _file_drill_report("FD000004")
    _file_drill_report("FD000004")
    found = check_reports([sent])
    assert (found["lost"], found["doubled"]) == (0, 1)
    assert found["doubled_examples"] == ["FD000004"]


def test_report_check_counts_an_acknowledged_report_not_stored_as_lost(city):
    from bench.faults_audit import check_reports

    _complaint, sent = _file_drill_report("FD000005")
    missing = dict(sent, marker="FD000006", tracking_number="261207-ZZZZZ")
    unanswered = dict(sent, tracking_number="")
    found = check_reports([unanswered, missing])
    assert found["lost"] == 1
    assert found["lost_examples"] == ["261207-ZZZZZ: not stored"]
    assert found["by_kind"]["report"]["stored_unacknowledged"] == 1


def test_half_written_sees_a_report_without_its_first_event(city):
    from bench.faults_audit import half_written

    complaint, _sent = _file_drill_report("FD000007")
    complaint.events.all().delete()
    assert half_written()["reports without their received event"] == 1


def test_email_check_counts_emails_never_sent_and_sent_twice(city, citizen, tmp_path):
    from bench.faults_audit import check_emails

    from hamkke.core.models import Notification

    first, sent_first = _file_drill_report("FD000008")
    second, sent_second = _file_drill_report("FD000009")
    for complaint in (first, second):
        Notification.objects.create(
            recipient=citizen,
            kind="complaints.status",
            title="received",
            body=complaint.tracking_number,
        )
    separator = "-" * 79
    (tmp_path / "1.log").write_text(
        f"To: {citizen.email}\n\n{first.tracking_number}\n{separator}\n"
        f"To: {citizen.email}\n\n{first.tracking_number}\n{separator}\n",
        encoding="utf-8",
    )
    sent_first["user"] = sent_second["user"] = citizen.pk
    found = check_emails([sent_first, sent_second], tmp_path)
    assert (found["due"], found["sent"], found["unsent"], found["twice"]) == (2, 1, 1, 1)
    assert found["unsent_examples"] == [second.tracking_number]
    assert found["acknowledged_without_notification"] == 0


def _plan(**changes):
    from bench.faults import Plan

    shape = dict(
        seconds=30,
        reports=9,
        ballots=6,
        clients=2,
        workers=2,
        threads=4,
        kill_at=10,
        restart_at=20,
        drain_seconds=5,
    )
    return Plan(**(shape | changes))


def test_drill_load_spreads_every_write_over_the_window_and_both_instances():
    from bench.faults import build_operations

    voters = [{"session": f"s{n}", "user": n, "identity": f"id{n}"} for n in range(8)]
    setup = {"voters": voters, "projects": ["p1", "p2", "p3", "p4"], "max_choices": 3}
    operations = build_operations(_plan(), setup)
    kinds = sorted(o["kind"] for o in operations)
    # Reports 0..8: every third goes through Open311 (2, 5, 8); six voters cast one ballot each.
    assert kinds == ["ballot"] * 6 + ["open311"] * 3 + ["report"] * 6
    assert sorted(o["identity"] for o in operations if o["kind"] == "ballot") == [
        f"id{n}" for n in range(6)
    ]
    assert len({o["marker"] for o in operations if o["kind"] != "ballot"}) == 9
    assert [o["at"] for o in operations] == [n * 2.0 for n in range(15)]  # 30 s / 15 writes
    assert [o["instance"] for o in operations[:4]] == [0, 1, 0, 1]
    assert all(1 <= len(o["choices"]) <= 3 for o in operations if o["kind"] == "ballot")
    # Signed in: the JSON API's even-numbered reports (2 and 8 go through Open311).
    signed = sorted(o["marker"] for o in operations if o["kind"] != "ballot" and o["session"])
    assert signed == ["FD000000", "FD000004", "FD000006"]


@pytest.mark.parametrize(
    ("status", "content_type", "body", "kind"),
    [
        (500, "text/html; charset=utf-8", b"<html><title>Oops</title></html>", "500 HTML page"),
        (
            409,
            "application/json",
            b'{"detail": "Done", "code": "already_voted"}',
            "409 already_voted",
        ),
        (
            404,
            "application/json",
            b'[{"code": 404, "description": "no such service"}]',
            "404 Open311 error",
        ),
        (502, "text/plain", b"bad gateway", "502 text/plain"),
    ],
)
def test_drill_names_each_error_by_status_and_code(status, content_type, body, kind):
    from bench.faults import _error_kind

    assert _error_kind(status, content_type, body)[0] == kind


@pytest.mark.parametrize(
    ("kind", "status", "attempts", "again"),
    [
        ("ballot", None, 1, True),
        ("ballot", 500, 2, True),
        ("ballot", 503, 5, False),  # MAX_ATTEMPTS reached
        ("ballot", 409, 1, False),
        ("report", None, 1, False),
        ("open311", 500, 1, False),
    ],
)
def test_drill_retries_only_ballots_that_got_no_answer_or_a_server_error(
    kind, status, attempts, again
):
    from bench.faults import _retry

    assert _retry({"kind": kind}, {"status": status}, attempts) is again


def _attempt(start, end, status, port=1):
    kind = "201" if status == 201 else ("connection reset" if status is None else f"{status} x")
    return {
        "port": port,
        "start": start,
        "end": end,
        "status": status,
        "kind": kind,
        "ack": "A",
        "detail": "",
    }


def test_drill_figures_time_the_recovery_from_the_clients_records():
    from bench.faults import Faults, summarise, verdict

    t0 = 100.0
    faults = Faults(
        killed_pid=7,
        killed_port=1,
        killed_at=110.0,
        replaced_after=0.5,
        restart_began=120.0,
        restart_took=1.0,
        database_down_after=0.1,
        database_back_after=1.2,
    )
    records = [
        {"id": 0, "kind": "report", "late": 0.1, "attempts": [_attempt(101.0, 101.5, 201)]},
        {"id": 1, "kind": "report", "late": 0.3, "attempts": [_attempt(109.8, 110.1, None)]},
        {
            "id": 2,
            "kind": "ballot",
            "late": 0.2,
            "attempts": [_attempt(120.2, 120.6, 500, port=2), _attempt(122.0, 122.4, 201)],
        },
        {"id": 3, "kind": "ballot", "late": 0.0, "attempts": [_attempt(121.5, 123.0, 201)]},
    ]
    operations = [{"kind": r["kind"]} for r in records] + [{"kind": "ballot"}]
    clean = {"lost": 0, "doubled": 0, "half_written": 0, "stored_unacknowledged": 0}
    audit = {
        "reports": dict(clean),
        "ballots": dict(clean, tally_equals_count=True),
        "emails": {
            "unsent": 0,
            "acknowledged_without_notification": 0,
            "twice": 0,
            "notified_twice": 0,
        },
        "half_written": {"places used by nothing": 0},
    }
    figures = summarise(
        plan=_plan(), operations=operations, records=records, faults=faults, t0=t0, audit=audit
    )
    assert figures["planned"] == {"report": 2, "ballot": 3}
    assert figures["sent"] == {"report": 2, "ballot": 2}
    assert figures["acknowledged"] == {"report": 1, "ballot": 2}
    assert (figures["requests"], figures["retries"]) == (5, 1)
    assert figures["errors"] == {"connection reset": 1, "500 x": 1}
    assert figures["errors_at_kill"] == 1  # the reset on port 1 around the kill
    # The one failure after the restart began (at 120.0) is the 500 that ended at 120.6; the
    # first 201 to a request sent after it ended at 122.4 (the one sent at 121.5 counts too:
    # it started after 120.6, and ended at 123.0, later).
    assert figures["failures_after_restart"] == pytest.approx((0.6, 0.6))
    assert figures["recovered_after"] == pytest.approx(2.4)
    # One 201 before the kill (10 s of calm); two from the kill to the end of the load (20 s).
    assert figures["calm_rate"] == pytest.approx(0.1)
    assert figures["fault_rate"] == pytest.approx(0.1)
    assert verdict(figures, faults) == []

    audit["ballots"]["lost"] = 1
    audit["reports"]["doubled"] = 2
    audit["emails"]["unsent"] = 1
    figures = summarise(
        plan=_plan(), operations=operations, records=records, faults=faults, t0=t0, audit=audit
    )
    assert verdict(figures, faults) == [
        "1 acknowledged writes lost or not stored whole",
        "2 writes doubled",
        "confirmation emails: 1 lost, 0 doubled",
    ]


def test_drill_words_the_restart_by_what_the_database_did():
    from bench.faults import Faults, restart_words

    seen = Faults(restart_took=5.0, database_down_after=0.2, database_back_after=2.5)
    assert restart_words(seen) == (
        "the command took 5.0 s, the database refused connections from 0.2 s to 2.5 s "
        "after it began"
    )
    quick = Faults(restart_took=0.4, database_back_after=0.45)
    assert restart_words(quick) == (
        "the command took 0.4 s, the database was never seen refusing a connection"
    )
