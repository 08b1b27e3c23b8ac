"""The published ballots and the recount: the files say what the module docstring promises, a
recount of untouched files agrees, a tiny vote checked by hand, and every kind of tampering is
found. No database."""

from __future__ import annotations

import hashlib
import json
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hamkke.budget import pabulib, publication, recount, rules, scoring
from hamkke.budget.ballots import receipt_of
from hamkke.budget.publication import PublishedCycle, PublishedPool, PublishedProject
from hamkke.budget.scoring import Weights

F = Fraction


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def project(pid, cost, area, survey=0, committee=0, name=None):
    return PublishedProject(
        id=pid,
        name=name or f"Project {pid}",
        cost=cost,
        area=area,
        district="11110" if pid.startswith("j") else "",
        survey=F(survey),
        committee=F(committee),
    )


def city_pool() -> PublishedPool:
    """Approval, at most 2 choices; ballots 101…116, of which 103, 109 and 114 are void."""
    return PublishedPool(
        code="city",
        name="Citywide",
        budget=1000,
        ballot_kind="approval",
        max_choices=2,
        min_spend_percent=0,
        projects=[
            project("c1", 300, "welfare", F(37, 3), F(245, 3)),
            project("c2", 500, "environment", F(12), F(70)),
            project("c3", 400, "transport", F(5, 2), F(91)),
            project("c4", 200, "welfare", F(0), F(166, 3)),
            project("c5", 250, "transport", F(8), F(0)),
        ],
        ballots=[
            (101, ("c1", "c2")),
            (102, ("c2",)),
            (103, ("c1", "c2", "c3")),  # too many
            (104, ("c3", "c1")),
            (105, ("c4",)),
            (106, ("c2", "c5")),
            (107, ("c1",)),
            (108, ("c5", "c4")),
            (109, ()),  # empty
            (110, ("c2", "c3")),
            (111, ("c1", "c5")),
            (112, ("c3",)),
            (113, ("c2", "c4")),
            (114, ("c1", "c2", "c4", "c5")),  # too many
            (115, ("c1", "c3")),
            (116, ("c5",)),
        ],
    )


def jongno_pool() -> PublishedPool:
    """One project per area; ballots 201…214 (in no order), of which 202, 207 and 213 are void."""
    return PublishedPool(
        code="jongno",
        name="Jongno-gu",
        budget=300,
        ballot_kind="quota",
        max_choices=None,
        min_spend_percent=0,
        projects=[
            project("j1", 100, "welfare", F(3, 4), F(80)),
            project("j2", 150, "welfare", F(1), F(65)),
            project("j3", 120, "safety", F(1, 2), F(88)),
            project("j4", 90, "environment", F(0), F(72)),
        ],
        ballots=[
            (214, ("j4",)),
            (201, ("j1", "j3")),
            (202, ("j1", "j2")),  # two welfare projects
            (203, ("j2", "j3", "j4")),
            (204, ("j3",)),
            (205, ("j1", "j4")),
            (206, ("j2",)),
            (207, ("j1", "j2", "j3")),  # two welfare projects
            (208, ("j3", "j4")),
            (209, ("j1",)),
            (210, ("j2", "j4")),
            (211, ("j1", "j3", "j4")),
            (212, ("j3",)),
            (213, ("j4", "j4")),  # a paper ballot marked twice
        ],
    )


SCORING = Weights(45, 10, 45)


def a_cycle(rule: str = "greedy", weights: Weights = SCORING, min_score: int = 0):
    return PublishedCycle(
        city="seoul",
        slug="2026",
        title="Seoul participatory budget 2026",
        rule=rule,
        weights=weights,
        min_score=min_score,
        voting_from="2026-05-01",
        voting_to="2026-05-31",
        pools=[city_pool(), jongno_pool()],
        country="South Korea",
    )


def published(tmp_path: Path, cycle: PublishedCycle | None = None) -> Path:
    publication.save(publication.publish(cycle or a_cycle()), tmp_path)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8", newline="")


def update_manifest_sha(directory: Path, code: str) -> None:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["pools"][code]["sha256"] = sha((directory / f"pool-{code}.pb").read_text("utf-8"))
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


# --- what is published ----------------------------------------------------------------------


@pytest.mark.parametrize("rule", rules.RULES)
def test_a_recount_of_the_published_files_agrees(tmp_path, rule):
    weights = Weights(100, 0, 0) if rule in scoring.BALLOT_RULES else SCORING
    directory = published(tmp_path, a_cycle(rule, weights, min_score=40))
    assert sorted(path.name for path in directory.iterdir()) == [
        "manifest.json",
        "pool-city.pb",
        "pool-jongno.pb",
    ]
    report = recount.recount(directory)
    assert report.findings == []
    assert report.agrees
    counts = {pool.code: (pool.ballots, pool.void) for pool in report.pools}
    assert counts == {"city": (16, 3), "jongno": (14, 3)}


def test_the_files_read_back_and_write_back_unchanged():
    for name, text in publication.publish(a_cycle()).items():
        if name.endswith(".pb"):
            assert pabulib.write(pabulib.parse(text)) == text


def test_void_ballots_are_published_marked_and_not_counted():
    instance = pabulib.parse(publication.publish(a_cycle())["pool-jongno.pb"])
    void = {b.voter_id: b.fields["void"] for b in instance.votes if b.fields["void"]}
    assert void == {
        receipt_of(202): "area_twice",
        receipt_of(207): "area_twice",
        receipt_of(213): "repeated",
    }
    ballot_213 = next(b for b in instance.votes if b.voter_id == receipt_of(213))
    assert ballot_213.vote == ("j4",)  # written once: a Pabulib vote names a project once
    # j4 is chosen on 214, 203, 205, 208, 210, 211 and (void) 213.
    assert instance.projects["j4"].fields["votes"] == "6"
    assert [b.voter_id for b in instance.votes] == [receipt_of(n) for n in range(201, 215)]
    assert instance.meta["num_votes"] == "14"
    assert instance.meta["max_choices"] == "none"


def test_the_manifest_describes_each_pool(tmp_path):
    files = publication.publish(a_cycle())
    manifest = json.loads(files["manifest.json"])
    assert files["manifest.json"] == json.dumps(manifest, sort_keys=True, indent=2) + "\n"
    assert manifest["city"] == "seoul" and manifest["cycle"] == "2026"
    assert manifest["weights"] == {"vote": 45, "survey": 10, "committee": 45}
    assert "highest value" in manifest["normalisation"]
    city = manifest["pools"]["city"]
    assert city["file"] == "pool-city.pb"
    assert city["sha256"] == sha(files["pool-city.pb"])
    assert (city["ballots"], city["void_ballots"], city["budget"]) == (16, 3, 1000)
    instance = pabulib.parse(files["pool-city.pb"])
    assert city["chain_head"] == instance.meta["chain_head"] == instance.votes[-1].fields["chain"]
    selected = [pid for pid, p in instance.projects.items() if p.fields["selected"] == "1"]
    assert city["selected"] == selected
    assert city["spent"] == sum(instance.projects[pid].cost for pid in selected)


def test_outcomes_rank_projects_within_their_pool():
    found = publication.outcomes(a_cycle())
    assert sorted(found) == ["c1", "c2", "c3", "c4", "c5", "j1", "j2", "j3", "j4"]
    assert sorted(o.rank for pid, o in found.items() if pid.startswith("j")) == [1, 2, 3, 4]
    manifest = json.loads(publication.publish(a_cycle())["manifest.json"])
    assert sorted(pid for pid, o in found.items() if o.selected) == sorted(
        manifest["pools"]["city"]["selected"] + manifest["pools"]["jongno"]["selected"]
    )


def test_a_ballot_naming_an_unknown_project_or_a_ballot_twice_is_refused():
    pool = city_pool()
    odd = PublishedPool(**{**pool.__dict__, "ballots": [*pool.ballots, (117, ("j1",))]})
    with pytest.raises(ValueError, match="unknown"):
        publication.pool_file(a_cycle(), odd)
    twice = PublishedPool(**{**pool.__dict__, "ballots": [*pool.ballots, (101, ("c3",))]})
    with pytest.raises(ValueError, match="twice"):
        publication.pool_file(a_cycle(), twice)


# --- a tiny vote, by hand -------------------------------------------------------------------


def tiny_cycle(rule: str = "greedy") -> PublishedCycle:
    pool = PublishedPool(
        code="p",
        name="Pool",
        budget=100,
        ballot_kind="approval",
        max_choices=2,
        min_spend_percent=0,
        projects=[
            PublishedProject("a", "Park", 60, "X", "d1", F(3), F(80)),
            PublishedProject("b", "Bus; stop", 50, "Y", "", F(9, 2), F(40)),
            PublishedProject("c", "Library", 30, "Z", "", F(0), F(70)),
        ],
        ballots=[
            (4, ("c", "a")),
            (1, ("a", "b")),
            (2, ("a",)),
            (3, ("b", "c")),
            (5, ("a", "b", "c")),
        ],
    )
    return PublishedCycle(
        "seoul", "t", "Tiny", rule, Weights(50, 20, 30), 0, "2026-05-01", "2026-05-31", [pool]
    )


def test_a_tiny_vote_gives_the_scores_and_file_computed_by_hand():
    # Valid ballots 1-4 (5 chooses three of at most two): a 3 votes, b 2, c 2.
    # Highest: votes 3, survey 9/2, committee 80. Final = 50·v/3 + 20·s/(9/2) + 30·c/80:
    #   a = 50 + 20·(2/3) + 30   = 280/3  (93.3)
    #   b = 50·2/3 + 20 + 30·1/2 = 205/3  (68.3)
    #   c = 50·2/3 + 0 + 30·7/8  = 715/12 (59.6)
    # Greedy with 100: a (60), b (50) does not fit in 40, c (30) does: a and c, 90 spent.
    h0 = sha("hamkke-ballots|seoul|t|p")
    chain = [h0]
    rows = [("0000-0000-00001", "a,b"), ("0000-0000-00002", "a"), ("0000-0000-00003", "b,c")]
    rows += [("0000-0000-00004", "a,c"), ("0000-0000-00005", "a,b,c")]
    for receipt, vote in rows:
        chain.append(sha(f"{chain[-1]}|{receipt}|{vote}"))
    lines = [
        "META",
        "key;value",
        "description;Tiny: Pool",
        "country;",
        "unit;seoul",
        "instance;t",
        "subunit;p",
        "num_projects;3",
        "num_votes;5",
        "budget;100",
        "vote_type;approval",
        "rule;greedy",
        "date_begin;2026-05-01",
        "date_end;2026-05-31",
        "ballot_kind;approval",
        "max_choices;2",
        "min_spend_percent;0",
        "weight_vote;50",
        "weight_survey;20",
        "weight_committee;30",
        "min_score;0",
        f"chain_start;{h0}",
        f"chain_head;{chain[5]}",
        "PROJECTS",
        "project_id;cost;name;category;district;votes;survey;committee;score;selected",
        "a;60;Park;X;d1;3;3;80;280/3;1",
        'b;50;"Bus; stop";Y;;2;9/2;40;205/3;0',
        "c;30;Library;Z;;2;0;70;715/12;1",
        "VOTES",
        "voter_id;vote;chain;void",
        *(
            f"{receipt};{vote};{link};"
            for (receipt, vote), link in zip(rows[:4], chain[1:5], strict=True)
        ),
        f"{rows[4][0]};{rows[4][1]};{chain[5]};too_many",
    ]
    expected = "\n".join(lines) + "\n"
    files = publication.publish(tiny_cycle())
    assert files["pool-p.pb"] == expected
    pool = json.loads(files["manifest.json"])["pools"]["p"]
    assert (pool["selected"], pool["spent"], pool["chain_head"]) == (["a", "c"], 90, chain[5])
    found = publication.outcomes(tiny_cycle())
    assert {pid: o.score for pid, o in found.items()} == {
        "a": F(280, 3),
        "b": F(205, 3),
        "c": F(715, 12),
    }
    assert [found[pid].rank for pid in "abc"] == [1, 2, 3]
    # Greedy without skipping stops at b: only a.
    no_skip = json.loads(publication.publish(tiny_cycle("greedy-no-skip"))["manifest.json"])
    assert no_skip["pools"]["p"]["selected"] == ["a"]


def test_a_pool_without_ballots_has_its_chain_start_as_head(tmp_path):
    cycle = tiny_cycle()
    empty = PublishedPool(**{**cycle.pools[0].__dict__, "ballots": []})
    cycle = PublishedCycle(**{**cycle.__dict__, "pools": [empty]})
    instance = pabulib.parse(publication.pool_file(cycle, empty))
    assert instance.meta["chain_head"] == instance.meta["chain_start"]
    assert instance.meta["chain_head"] == sha("hamkke-ballots|seoul|t|p")
    assert recount.recount(published(tmp_path, cycle)).agrees


# --- tampering --------------------------------------------------------------------------------


def findings(directory: Path) -> list[str]:
    report = recount.recount(directory)
    assert report.agrees == (not report.findings)
    return report.findings


def test_a_changed_choice_breaks_the_chain_at_that_ballot(tmp_path):
    directory = published(tmp_path)
    receipt = receipt_of(105)
    edit(directory / "pool-city.pb", f"{receipt};c4;", f"{receipt};c2;")
    update_manifest_sha(directory, "city")  # the checksum alone would no longer catch it
    found = findings(directory)
    assert f"pool city: ballot {receipt}: the hash chain breaks" in "\n".join(found)
    assert not any("ballot" in text and receipt not in text for text in found)
    assert any("project c2: votes" in text for text in found)


def test_a_changed_byte_is_found_by_its_checksum(tmp_path):
    directory = published(tmp_path)
    edit(directory / "pool-jongno.pb", "Project j3", "Project J3")
    found = findings(directory)
    assert len(found) == 1
    assert found[0].startswith("pool jongno: the manifest's sha256 is")


def test_a_changed_checksum_in_the_manifest_is_found(tmp_path):
    directory = published(tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["pools"]["city"]["sha256"] = "0" * 64
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert [text[:36] for text in findings(directory)] == ["pool city: the manifest's sha256 is "]


def test_a_flipped_selected_flag_is_found(tmp_path):
    directory = published(tmp_path)
    path = directory / "pool-city.pb"
    instance = pabulib.read(path)
    c5 = instance.projects["c5"]
    flipped = "0" if c5.fields["selected"] == "1" else "1"
    line = ";".join([c5.id, str(c5.cost), c5.name, *(c5.fields[k] for k in list(c5.fields)[:-1])])
    edit(path, f"{line};{c5.fields['selected']}\n", f"{line};{flipped}\n")
    update_manifest_sha(directory, "city")
    assert findings(directory) == [
        f"pool city: project c5: selected is {flipped!r}, the recount gives "
        f"{c5.fields['selected']!r}"
    ]


def test_a_changed_selection_in_the_manifest_is_found(tmp_path):
    directory = published(tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["pools"]["jongno"]["selected"] = ["j1"]
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert [text[:42] for text in findings(directory)] == [
        "pool jongno: the manifest's selected is ['"
    ]


def test_a_removed_ballot_is_found(tmp_path):
    directory = published(tmp_path)
    path = directory / "pool-jongno.pb"
    row = next(
        line for line in path.read_text("utf-8").splitlines() if line.startswith(receipt_of(204))
    )
    edit(path, row + "\n", "")
    update_manifest_sha(directory, "jongno")
    found = "\n".join(findings(directory))
    assert f"ballot {receipt_of(205)}: the hash chain breaks" in found
    assert "META num_votes is '14', the recount gives '13'" in found
    assert "the manifest's ballots is 14, the recount gives 13" in found


def test_a_valid_ballot_marked_void_and_a_void_one_marked_valid_are_found(tmp_path):
    directory = published(tmp_path)
    path = directory / "pool-city.pb"
    text = path.read_text("utf-8")
    valid = next(line for line in text.splitlines() if line.startswith(receipt_of(101)))
    void = next(line for line in text.splitlines() if line.startswith(receipt_of(103)))
    edit(path, valid + "\n", valid + "too_many\n")
    edit(path, void + "\n", void.removesuffix("too_many") + "\n")
    found = "\n".join(findings(directory))
    assert f"ballot {receipt_of(101)}: marked too_many, the rule makes it valid" in found
    assert f"ballot {receipt_of(103)}: marked valid, the rule makes it too_many" in found


# --- receipts and the command -------------------------------------------------------------------


def test_a_receipt_finds_its_ballot(tmp_path):
    directory = published(tmp_path)
    assert recount.find_receipt(directory, receipt_of(104)) == ("city", ("c1", "c3"), ())
    sloppy = receipt_of(207).lower().replace("-", " ")
    assert recount.find_receipt(directory, sloppy) == (
        "jongno",
        ("j1", "j2", "j3"),
        ("area_twice",),
    )
    assert recount.find_receipt(directory, receipt_of(999)) is None
    assert recount.find_receipt(directory, "not a receipt") is None


def test_the_command_reports_and_exits_by_what_it_found(tmp_path, capsys):
    directory = published(tmp_path)
    assert recount.main([str(directory), "--receipt", receipt_of(213)]) == 0
    out = capsys.readouterr().out
    assert "The recount agrees" in out
    assert "pool jongno: 14 ballots (3 void)" in out
    assert f"receipt {receipt_of(213)}: pool jongno, chose j4, void (repeated)" in out

    assert recount.main([str(directory), "--receipt", receipt_of(999)]) == 1
    assert "no pool has this ballot" in capsys.readouterr().out

    edit(directory / "pool-city.pb", "Project c1", "Project C1")
    assert recount.main([str(directory)]) == 1
    assert "does NOT agree: 1 differences" in capsys.readouterr().out


def test_unreadable_files_exit_2_naming_the_file_and_line(tmp_path, capsys):
    directory = published(tmp_path)
    edit(directory / "pool-city.pb", "\nc2;500;", "\nc2;five hundred;")
    assert recount.main([str(directory)]) == 2
    err = capsys.readouterr().err
    assert f"{directory / 'pool-city.pb'}:27: the cost of project c2" in err

    (directory / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(recount.UnreadableInput, match=r"manifest\.json"):
        recount.recount(directory)
    (directory / "manifest.json").unlink()
    assert recount.main([str(directory)]) == 2


# --- any small vote -------------------------------------------------------------------------------


@st.composite
def cycles(draw) -> PublishedCycle:
    rule = draw(st.sampled_from(rules.RULES))
    if rule in scoring.BALLOT_RULES:
        weights = Weights(100, 0, 0)
    else:
        vote = draw(st.integers(0, 100))
        survey = draw(st.integers(0, 100 - vote))
        weights = Weights(vote, survey, 100 - vote - survey)
    pools = []
    for index in range(draw(st.integers(1, 2))):
        numbers = draw(st.lists(st.integers(1, 30), min_size=1, max_size=5, unique=True))
        ids = [f"{index}{n}" for n in numbers]
        projects = [
            PublishedProject(
                id=pid,
                name=draw(st.text(max_size=8)),
                cost=draw(st.integers(0, 60)),
                area=draw(st.sampled_from("abc")),
                district="",
                survey=F(draw(st.integers(0, 20)), draw(st.integers(1, 4))),
                committee=F(draw(st.integers(0, 100)), draw(st.integers(1, 3))),
            )
            for pid in ids
        ]
        ballots = draw(
            st.lists(
                st.tuples(
                    # Ballot ids are unique in the whole cycle, as in the database.
                    st.integers(0, 2**60).map(lambda n, index=index: 2 * n + index + 1),
                    st.lists(st.sampled_from(ids), max_size=4).map(tuple),
                ),
                max_size=12,
                unique_by=lambda ballot: ballot[0],
            )
        )
        pools.append(
            PublishedPool(
                code=f"pool{index}",
                name=draw(st.text(max_size=8)),
                budget=draw(st.integers(0, 150)),
                ballot_kind=draw(st.sampled_from(["approval", "quota", "knapsack"])),
                max_choices=draw(st.none() | st.integers(1, 3)),
                min_spend_percent=draw(st.integers(0, 100)),
                projects=projects,
                ballots=ballots,
            )
        )
    return PublishedCycle(
        city="seoul",
        slug="c",
        title=draw(st.text(max_size=8)),
        rule=rule,
        weights=weights,
        min_score=draw(st.integers(0, 100)),
        voting_from="2026-05-01",
        voting_to="2026-05-31",
        pools=pools,
    )


@hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cycles())
def test_a_recount_of_any_published_vote_agrees(cycle):
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        publication.save(publication.publish(cycle), directory)
        report = recount.recount(directory)
        assert report.findings == []
        pool = cycle.pools[-1]
        if pool.ballots:
            ballot_id, choices = pool.ballots[0]
            code, chosen, _void = recount.find_receipt(directory, receipt_of(ballot_id))
            assert (code, chosen) == (pool.code, tuple(sorted(set(choices))))
