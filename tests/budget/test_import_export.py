"""`hamkke budget import` and `export`: real Pabulib elections loaded as cycles agree with
pabutools' outcomes (expected.json) and with `hamkke budget outcome`; bad files are refused by
line with nothing stored; an exported pool reads back as the same election."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.timezone import localtime

from hamkke.accounts.models import CensusRecord
from hamkke.budget import ballots as ballot_rules
from hamkke.budget import importing, pabulib, selectors
from hamkke.budget.models import (
    Ballot,
    BallotChoice,
    Cycle,
    Participation,
    Phase,
    Pool,
    Project,
    ProjectStatus,
)
from tests.budget.conftest import JONGNO, MAPO, make_cycle, set_phase

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["instances"]
ASSEN = DATA / "Netherlands_Assen_2024.pb"
CZESTOCHOWA = DATA / "Poland_Czestochowa_2024_Bleszno.pb"  # cumulative points
ZURICH_RANKS = DATA / "Switzerland_Zurich_S5R.pb"  # rankings
MOKOTOW = DATA / "Poland_Warszawa_2026_Mokotow.pb"  # greedy with a minimum of 150 votes
KATOWICE = DATA / "Poland_Katowice_2024_Bogucice.pb"  # cumulative with a minimum in points
SMALLEST = DATA / "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb"
# Our rules and the pabutools outcomes of expected.json they reproduce.
RULE_KEYS = {
    "greedy": "greedy_cost",
    "mes": "mes_cost",
    "mes-add1": "mes_cost_add1_only",
    "mes-add1-greedy": "mes_cost_add1_greedy",
}


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("budget", *args, stdout=out)
    return out.getvalue().splitlines()


def import_file(path: Path, *args: str) -> tuple[list[str], list[str]]:
    """The import's output lines and the selection it prints (its last line, a JSON list)."""
    lines = run("import", str(path), *args)
    return lines, json.loads(lines[-1])


def outcome(path: Path, rule: str) -> list[str]:
    return json.loads(run("outcome", str(path), "--rule", rule)[0])


def failure(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exited:
        call_command("budget", *args)
    assert exited.value.code == 1
    return capsys.readouterr().err.strip()


def nothing_stored() -> bool:
    return not any(
        model.objects.exists()
        for model in (Cycle, Pool, Project, Participation, Ballot, BallotChoice)
    )


def support_sets(path: Path) -> Counter:
    """Each ballot of the file as the set of projects it supports (written out here, apart from
    the importer: approval votes as they are, points only where positive, rankings whole)."""
    instance = pabulib.read(path)
    sets = Counter()
    for ballot in instance.votes:
        if ballot.points is None:
            sets[frozenset(ballot.vote)] += 1
        else:
            sets[frozenset(p for p, n in zip(ballot.vote, ballot.points, strict=True) if n)] += 1
    return sets


def stored_sets(pool: Pool) -> Counter:
    chosen: dict[int, set[str]] = {b: set() for b in pool.ballots.values_list("id", flat=True)}
    for ballot_id, code in BallotChoice.objects.filter(ballot__pool=pool).values_list(
        "ballot_id", "project__code"
    ):
        chosen[ballot_id].add(code)
    return Counter(frozenset(codes) for codes in chosen.values())


# --- import ------------------------------------------------------------------------------------


def test_an_approval_election_becomes_a_finished_cycle(city):
    lines, selected = import_file(ASSEN)
    cycle = Cycle.objects.get(city=city)
    assert cycle.slug == "pabulib-netherlands-assen-2024"
    assert lines[0] == (
        f"Imported {ASSEN.name} as cycle pabulib-netherlands-assen-2024 (results phase)."
    )
    assert cycle.phase == Phase.RESULTS and cycle.results_published_at is None
    # The file's META: rule equalshares/add1, vote from 31.03.2024 to 15.04.2024.
    assert cycle.rule == "mes-add1"
    assert (cycle.weight_vote, cycle.weight_survey, cycle.weight_committee) == (100, 0, 0)
    assert localtime(cycle.voting_from).date().isoformat() == "2024-03-31"
    assert localtime(cycle.scoring_from).date().isoformat() == "2024-04-16"
    assert cycle.department.code == "budget"
    pool = cycle.pools.get()
    assert (pool.code, pool.district, pool.budget, pool.ballot_kind) == (
        "citywide",
        None,
        100_000,
        "approval",
    )
    instance = pabulib.read(ASSEN)
    projects = {p.code: p for p in cycle.projects.all()}
    assert {code: p.cost for code, p in projects.items()} == {
        pid: p.cost for pid, p in instance.projects.items()
    }
    assert all(p.status == ProjectStatus.ACCEPTED for p in projects.values())
    assert projects["13"].title == instance.projects["13"].name
    # 84 voters: 84 entries in the register, none of them a real person, 84 ballots as cast.
    assert Participation.objects.filter(pool=pool).count() == 84
    keys = set(Participation.objects.values_list("identity_key", flat=True))
    assert len(keys) == 84 and not keys & set(
        CensusRecord.objects.values_list("record_key", flat=True)
    )
    first_voter = instance.votes[0].voter_id
    assert importing.identity_key_of("Netherlands_Assen_2024", first_voter) in keys
    assert not any(first_voter in key for key in keys)
    assert stored_sets(pool) == support_sets(ASSEN)
    # What really was decided in Assen (its `selected` column), by our mes-add1.
    assert selected == EXPECTED[ASSEN.name]["file_selected"]


@pytest.mark.parametrize("path", [ASSEN, SMALLEST, CZESTOCHOWA, ZURICH_RANKS])
@pytest.mark.parametrize("rule", list(RULE_KEYS))
def test_the_outcome_agrees_with_pabutools(city, path, rule):
    _lines, selected = import_file(path, "--rule", rule, "--slug", "pb")
    assert selected == EXPECTED[path.name]["rules"][RULE_KEYS[rule]]
    # The same as tally() of the stored cycle, which the results page shows.
    counted = selectors.tally(Cycle.objects.get(slug="pb"))[0]
    assert sorted(t.project.code for t in counted.projects if t.selected) == selected


@pytest.mark.parametrize("rule", [*RULE_KEYS, "knapsack"])
def test_on_approval_files_the_outcome_command_says_the_same(city, rule):
    _lines, selected = import_file(ASSEN, "--rule", rule)
    assert selected == outcome(ASSEN, rule)


@pytest.mark.parametrize("path", [CZESTOCHOWA, ZURICH_RANKS])
def test_points_and_ranks_are_reduced_to_the_supported_projects(city, path, capsys):
    lines, _selected = import_file(path)
    pool = Pool.objects.get()
    assert stored_sets(pool) == support_sets(path)
    assert Ballot.objects.filter(pool=pool).exclude(void_reasons="").count() == 0
    notes = [line for line in lines if line.startswith("Note:")]
    assert any("reduced to approvals" in note for note in notes), lines
    # MES reads support sets: the import and `outcome` on the original file agree on it.
    assert json.loads(run("import", str(path), "--rule", "mes", "--slug", "m")[-1]) == outcome(
        path, "mes"
    )


def test_a_minimum_of_votes_becomes_a_minimum_score(city):
    lines, selected = import_file(MOKOTOW)
    cycle = Cycle.objects.get()
    assert cycle.rule == "greedy-threshold"
    assert selected == EXPECTED[MOKOTOW.name]["rules"]["greedy_threshold"]
    assert not [line for line in lines if line.startswith("Note:")]


def test_a_minimum_in_points_cannot_be_kept_and_says_so(city):
    lines, selected = import_file(KATOWICE)
    assert Cycle.objects.get().rule == "greedy"
    assert any("minimum of 50" in line and "plain greedy" in line for line in lines)
    assert selected == EXPECTED[KATOWICE.name]["rules"]["greedy_cost"]


def test_a_threshold_is_kept_exactly_or_not_at_all():
    # Approvals 10, 7, 5, 0 (top 10): a minimum of 6 votes keeps 10 and 7, i.e. scores ≥ 51..70.
    text = small_file(votes=["a"] * 3 + ["a,b"] * 2 + ["a,b,c"] * 5, meta={"vote_type": "approval"})
    instance = pabulib.parse(text)
    assert importing._min_score_for(instance, 6) == 51
    assert importing._min_score_for(instance, 5) == 1  # keeps a, b, c; not d (0 votes)
    assert importing._min_score_for(instance, 0) == 0


def small_file(*, votes, meta=None, vote_columns="voter_id;vote", extra=None, projects=None) -> str:
    """A small election: projects a–d (costs 10, 20, 30, 40; budget 50), one row per vote."""
    head = {"description": "Small", "budget": "50", "vote_type": "approval", **(meta or {})}
    rows = projects or ["a;10;Alpha", "b;20;Beta", "c;30;Gamma", "d;40;Delta"]
    lines = ["META", "key;value", *(f"{k};{v}" for k, v in head.items())]
    lines += ["PROJECTS", "project_id;cost;name", *rows, "VOTES", vote_columns]
    for number, vote in enumerate(votes, start=1):
        cells = [f"v{number}", vote, *((extra or {}).get(number, []))]
        lines.append(";".join(cells))
    return "\n".join(lines) + "\n"


def test_a_vote_giving_no_points_is_a_blank_ballot(city, tmp_path):
    path = tmp_path / "blank.pb"
    path.write_text(
        small_file(
            votes=["a,b", "c", "a,d"],
            meta={"vote_type": "cumulative"},
            vote_columns="voter_id;vote;points",
            extra={1: ["2,1"], 2: ["0"], 3: ["0,3"]},
        ),
        encoding="utf-8",
    )
    lines, selected = import_file(path, "--rule", "greedy")
    assert any("1 ballot supported no project: stored as a blank ballot" in line for line in lines)
    pool = Pool.objects.get()
    assert list(
        Ballot.objects.filter(pool=pool)
        .exclude(void_reasons="")
        .values_list("void_reasons", flat=True)
    ) == ["empty"]
    assert stored_sets(pool) == Counter({frozenset("ab"): 1, frozenset("d"): 1, frozenset(): 1})
    # Greedy by supporters within 50: a (1), b (1), d (1) by id: a (10) + b (20); d (40) is over.
    assert selected == ["a", "b"]
    assert Participation.objects.filter(pool=pool).count() == 3  # the blank voter did vote


def test_voters_are_placed_in_districts_the_file_names(city, tmp_path):
    path = tmp_path / "districts.pb"
    path.write_text(
        small_file(
            votes=["a", "b", "a,c", "d"],
            vote_columns="voter_id;vote;district",
            extra={1: ["종로구"], 2: ["mapo-gu"], 3: ["Atlantis"], 4: [MAPO]},
        ),
        encoding="utf-8",
    )
    lines, _selected = import_file(path)
    placed = Counter(Participation.objects.values_list("district__code", flat=True))
    assert placed == {JONGNO: 1, MAPO: 2, None: 1}
    assert "3 voters placed in a district" in lines[1]


def test_a_district_pool(city):
    import_file(SMALLEST, "--district", JONGNO)
    pool = Pool.objects.get()
    assert pool.district.code == JONGNO and pool.code == JONGNO
    assert set(Project.objects.values_list("district__code", flat=True)) == {JONGNO}
    # Everyone who votes in a district's pool lives there.
    assert set(Participation.objects.values_list("district__code", flat=True)) == {JONGNO}


def test_areas_follow_the_category_column(city, tmp_path):
    path = tmp_path / "areas.pb"
    path.write_text(
        small_file(
            votes=["a"],
            projects=[
                "a;10;Alpha;Culture",
                "b;20;Beta;education,Environment",
                "c;30;Gamma;공원·환경",
                "d;40;Delta;sport",
            ],
        ).replace("project_id;cost;name", "project_id;cost;name;category"),
        encoding="utf-8",
    )
    import_file(path)
    areas = dict(Project.objects.values_list("code", "area__code"))
    # Seoul's areas: welfare is the first; sport is none of them.
    assert areas == {"a": "culture", "b": "environment", "c": "environment", "d": "welfare"}


def test_the_phase_can_be_chosen(city):
    import_file(SMALLEST, "--phase", "voting", "--slug", "now-voting")
    assert Cycle.objects.get().phase == Phase.VOTING


# --- refused files -----------------------------------------------------------------------------


def test_a_malformed_file_is_refused_by_line_and_nothing_is_stored(city, tmp_path, capsys):
    text = ASSEN.read_text(encoding="utf-8")
    bad = tmp_path / "bad.pb"
    bad.write_text(text.replace(";1,2,6,9,13\n", ";1,2,6,99\n"), encoding="utf-8")
    assert failure(capsys, "import", str(bad)) == (
        f"{bad}:36: voter vote01006bcf-62b6-435d-a0de-2966c3e75249 votes for unknown project '99'"
    )
    assert nothing_stored()


def test_what_the_parser_accepts_but_a_cycle_cannot_hold_is_named_by_line(city, tmp_path, capsys):
    long_id = "x" * 33
    path = tmp_path / "long.pb"
    path.write_text(
        small_file(votes=["a"], projects=["a;10;Alpha", f"{long_id};20;Beta"]), encoding="utf-8"
    )
    assert failure(capsys, "import", str(path)) == (
        f"{path}:9: project id {long_id!r} is longer than 32 characters"
    )
    broke = tmp_path / "broke.pb"
    broke.write_text(small_file(votes=["a"], meta={"budget": "0"}), encoding="utf-8")
    assert failure(capsys, "import", str(broke)) == f"{broke}:4: the budget must be above zero"
    assert nothing_stored()


def test_a_failure_while_storing_leaves_nothing(city, monkeypatch, capsys):
    real = importing.store_ballots

    def half_then_fail(**kwargs):
        real(**kwargs)
        assert Ballot.objects.count() == 84  # the ballots were written, then …
        raise pabulib.PabulibError("disk full", None)

    monkeypatch.setattr(importing, "store_ballots", half_then_fail)
    assert failure(capsys, "import", str(ASSEN)) == f"{ASSEN}: disk full"
    assert nothing_stored()


def test_a_taken_slug_and_an_unknown_district_are_refused(city, capsys):
    import_file(SMALLEST, "--slug", "taken")
    assert "“taken” exists already" in failure(capsys, "import", str(ASSEN), "--slug", "taken")
    assert failure(capsys, "import", str(ASSEN), "--district", "99999").endswith(
        "no district '99999' in Seoul"
    )
    assert "cannot name a cycle" in failure(capsys, "import", str(ASSEN), "--slug", "a b")
    assert Cycle.objects.count() == 1 and Participation.objects.count() == 27


# --- export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ASSEN, DATA / "Poland_Wieliczka_2023_Green_Budget.pb"])
def test_an_exported_pool_is_the_same_election(city, tmp_path, path):
    import_file(path, "--slug", "round")
    exported = tmp_path / "out.pb"
    lines = run("export", "round", "-o", str(exported))
    original, written = pabulib.read(path), pabulib.read(exported)
    assert lines == [
        f"Wrote {exported}: pool citywide of round, {len(original.projects)} projects, "
        f"{len(original.votes):,} valid ballots."
    ]
    assert written.budget == original.budget and written.vote_type == "approval"
    assert {p: x.cost for p, x in written.projects.items()} == {
        p: x.cost for p, x in original.projects.items()
    }
    # A title holds 200 characters: a longer name is cut (and kept whole in the description).
    assert {p: x.name for p, x in written.projects.items()} == {
        p: x.name if len(x.name) <= 200 else x.name[:199] + "…"
        for p, x in original.projects.items()
    }
    for project in Project.objects.all():
        if len(original.projects[project.code].name) > 200:
            assert project.description.startswith(original.projects[project.code].name)
    assert Counter(frozenset(b.vote) for b in written.votes) == support_sets(path)
    for rule in ("greedy", "mes-add1"):
        assert outcome(exported, rule) == outcome(path, rule)
    # Voter ids are receipt codes: each finds its own ballot, with the same choices.
    for ballot in written.votes[:20]:
        found = selectors.ballot_by_receipt(Cycle.objects.get(slug="round"), ballot.voter_id)
        assert tuple(sorted(p.code for p in found.choices)) == tuple(sorted(ballot.vote))
    assert [b.voter_id for b in written.votes] == sorted(
        (b.voter_id for b in written.votes), key=ballot_rules.ballot_id_of
    )


def test_an_exported_cumulative_election_is_its_approvals(city, tmp_path):
    import_file(CZESTOCHOWA, "--slug", "points")
    exported = tmp_path / "points.pb"
    run("export", "points", "-o", str(exported))
    written = pabulib.read(exported)
    assert Counter(frozenset(b.vote) for b in written.votes) == support_sets(CZESTOCHOWA)
    assert outcome(exported, "mes") == EXPECTED[CZESTOCHOWA.name]["rules"]["mes_cost"]
    assert written.projects["295"].fields["votes"] == str(
        sum("295" in s for s in support_sets(CZESTOCHOWA).elements())
    )


def test_export_writes_to_stdout_and_leaves_void_ballots_out(city):
    cycle = make_cycle(city, phase="results")
    pool = cycle.pools.get(code="city")
    # Two valid ballots and one void one (as a paper ballot breaking the rule would be).
    ids = []
    for choices, void in ((["c1"], ""), (["c1", "c2"], ""), ([], "too_many")):
        ballot = Ballot.objects.create(pool=pool, void_reasons=void, void_marks="c1,c2,c3")
        ids.append(ballot.pk)
        for code in choices:
            BallotChoice.objects.create(ballot=ballot, project=cycle.projects.get(code=code))
    text = "\n".join(run("export", cycle.slug, "--pool", "city")) + "\n"
    written = pabulib.parse(text)
    assert written.meta["num_void_ballots"] == "1" and written.meta["num_votes"] == "2"
    assert sorted((b.voter_id, b.vote) for b in written.votes) == sorted(
        [
            (ballot_rules.receipt_of(ids[0]), ("c1",)),
            (ballot_rules.receipt_of(ids[1]), ("c1", "c2")),
        ]
    )
    assert set(written.projects) == {"c1", "c2", "c3", "c4"}
    assert written.projects["c1"].fields["votes"] == "2"


def test_only_finished_cycles_are_exported(city, capsys):
    cycle = make_cycle(city, phase="voting")
    assert "its ballots are secret until then" in failure(
        capsys, "export", cycle.slug, "--pool", "city"
    )
    set_phase(cycle, "results")
    assert "several pools" in failure(capsys, "export", cycle.slug)
    assert "No pool 'nowhere'" in failure(capsys, "export", cycle.slug, "--pool", "nowhere")
    assert "No budget cycle 'missing'" in failure(capsys, "export", "missing")
