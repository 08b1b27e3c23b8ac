"""The Pabulib reader and writer: real files, round trips, and clear errors with line numbers."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hamkke.budget import pabulib
from hamkke.budget.pabulib import Ballot, Instance, PabulibError, Project

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("*.pb"))
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["instances"]


def test_the_shipped_files_are_the_ten_described():
    assert len(FILES) == 10
    assert {path.name for path in FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_files_parse_to_what_their_metadata_and_expected_json_say(path):
    instance = pabulib.read(path)
    about = EXPECTED[path.name]
    assert instance.vote_type == about["vote_type"]
    assert instance.budget == int(about["budget"])
    assert len(instance.projects) == about["num_projects"]
    assert len(instance.votes) == about["num_voters"]
    assert len({ballot.voter_id for ballot in instance.votes}) == len(instance.votes)
    for ballot in instance.votes:
        assert set(ballot.vote) <= instance.projects.keys()
        if instance.vote_type in ("cumulative", "scoring"):
            assert ballot.points is not None and len(ballot.points) == len(ballot.vote)
        else:
            assert ballot.points is None


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_real_files_survive_a_round_trip(path):
    instance = pabulib.read(path)
    assert pabulib.parse(pabulib.write(instance)) == instance


def test_a_known_project_and_vote_of_assen_are_read_exactly():
    instance = pabulib.read(DATA / "Netherlands_Assen_2024.pb")
    project = instance.projects["3"]
    assert project.cost == 7200
    assert project.name == "PopUp Podium"
    assert project.fields["selected"] == "1"
    assert project.fields["votes"] == "43"
    first = instance.votes[0]
    assert first.voter_id == "vote01006bcf-62b6-435d-a0de-2966c3e75249"
    assert first.vote == ("1", "2", "6", "9", "13")
    assert instance.meta["rule"] == "equalshares/add1"
    assert instance.project_columns == (
        "project_id",
        "cost",
        "votes",
        "name",
        "selected",
        "description",
    )


def test_quoted_cells_with_doubled_quotes_are_read_as_written():
    instance = pabulib.read(DATA / "Poland_Wieliczka_2023_Green_Budget.pb")
    assert instance.projects["80"].name == (
        'Drzewne przytulasy i relaksacyjne gniazda w Parku "Stok pod Baranem"'
    )


def test_points_and_extra_voter_columns_of_a_cumulative_file():
    instance = pabulib.read(DATA / "Switzerland_Zurich_D10.pb")
    ballot = next(b for b in instance.votes if b.voter_id == "YK3TDKDG")
    assert ballot.vote == ("5", "1", "2", "6", "7", "24")
    assert ballot.points == (3, 2, 2, 1, 1, 1)
    assert ballot.fields["district_preference"] == "Nord"


# The example of https://pabulib.org/format, spaces after the separators included.
FORMAT_EXAMPLE = """META
key; value
description; Municipal PB in Wieliczka
country; Poland
unit; Wieliczka
instance; 2020
num_projects; 5
num_votes; 10
budget; 2500
rule; greedy
vote_type; approval
min_length; 1
max_length; 3
PROJECTS
project_id; cost; category
1; 600; culture, education
2; 800; sport
4; 1400; culture
5; 1000; health, sport
7; 1200; education
VOTES
voter_id; age; sex; vote
1; 34; f; 1,2,4
2; 51; m; 1,2
3; 23; m; 2,4,5
4; 19; f; 5,7
5; 62; f; 1,4,7
6; 54; m; 1,7
7; 49; m; 5
8; 27; f; 4
9; 39; f; 2,4,5
10; 44; m; 4,5
"""


def test_the_format_documentation_example_with_spaces():
    instance = pabulib.parse(FORMAT_EXAMPLE)
    assert instance.budget == 2500
    assert [p.cost for p in instance.projects.values()] == [600, 800, 1400, 1000, 1200]
    assert instance.projects["1"].fields == {"category": "culture, education"}
    assert instance.votes[0] == Ballot("1", ("1", "2", "4"), None, {"age": "34", "sex": "f"})
    assert instance.votes[-1].vote == ("4", "5")


def test_windows_line_ends_a_byte_order_mark_and_decimal_amounts():
    text = FORMAT_EXAMPLE.replace("budget; 2500", "budget; 2500.0").replace("2; 800", "2; 800,00")
    instance = pabulib.parse("\ufeff" + text.replace("\n", "\r\n"))
    assert instance.budget == 2500
    assert instance.projects["2"].cost == 800
    assert instance.votes[-1].vote == ("4", "5")
    assert instance.votes[-1].fields == {"age": "44", "sex": "m"}


def test_an_empty_vote_is_an_empty_ballot():
    text = "META\nkey;value\nbudget;5\nvote_type;approval\nPROJECTS\nproject_id;cost\na;1\n"
    instance = pabulib.parse(text + "VOTES\nvoter_id;vote\n1;\n2;a\n")
    assert [b.vote for b in instance.votes] == [(), ("a",)]


# --- errors -----------------------------------------------------------------------------------

GOOD = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
a;40;First
b;70;Second
VOTES
voter_id;vote
1;a,b
2;b
"""


def error_of(text: str) -> PabulibError:
    with pytest.raises(PabulibError) as caught:
        pabulib.parse(text)
    return caught.value


def test_the_good_file_parses():
    instance = pabulib.parse(GOOD)
    assert instance.projects["b"] == Project("b", 70, "Second", {})
    assert [b.vote for b in instance.votes] == [("a", "b"), ("b",)]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, "empty file"),
        ("\n\n", 1, "empty file"),
        (GOOD.replace("META\n", "", 1), 1, "expected the META section"),
        (GOOD.replace("budget;100\n", ""), 1, "no budget"),
        (GOOD.replace("vote_type;approval\n", ""), 1, "no vote_type"),
        (GOOD.replace("budget;100", "budget;lots"), 3, "budget 'lots' is not a number"),
        (GOOD.replace("budget;100", "budget;99.5"), 3, "not a whole number"),
        (GOOD.replace("vote_type;approval", "vote_type;lottery"), 4, "unknown vote_type"),
        (GOOD.replace("budget;100", "budget;100;extra"), 3, "3 cells, expected 2"),
        (GOOD.replace("b;70;Second", "b;seventy;Second"), 8, "cost of project b 'seventy'"),
        (GOOD.replace("b;70;Second", "b;-70;Second"), 8, "is negative"),
        (GOOD.replace("b;70;Second", "b;70"), 8, "2 cells, the header has 3"),
        (GOOD.replace("b;70;Second", "a;70;Second"), 8, "project 'a' is listed twice"),
        (GOOD.replace("project_id;cost;name", "project_id;name"), 6, "no cost column"),
        (GOOD.replace("2;b\n", "2;b,zz\n"), 12, "unknown project 'zz'"),
        (GOOD.replace("2;b\n", "2;b,b\n"), 12, "names a project twice"),
        (GOOD.replace("2;b\n", "1;b\n"), 12, "voter '1' is listed twice"),
        (GOOD.replace("2;b\n", "2;b;x\n"), 12, "3 cells, the header has 2"),
        (GOOD.replace("2;b\n", ";b\n"), 12, "empty voter_id"),
        (GOOD.replace("voter_id;vote", "voter;vote"), 10, "no voter_id column"),
        (GOOD.split("VOTES")[0], 8, "expected a VOTES section"),
        (GOOD.split("PROJECTS")[0], 4, "expected a PROJECTS section"),
        (GOOD.replace("PROJECTS\n", ""), 5, "a META row has 3 cells, expected 2"),
        (GOOD.replace("PROJECTS", "VOTES"), 5, "expected a PROJECTS section after META"),
        (GOOD + "META\n", 13, "unexpected section 'META' after VOTES"),
        (GOOD.replace("VOTES\nvoter_id;vote\n", "VOTES\n"), 10, "no voter_id column"),
        ("META\n", 1, "no header row"),
    ],
)
def test_malformed_files_fail_with_the_line_and_the_problem(text, line, words):
    error = error_of(text)
    assert error.line == line
    assert words in error.message
    assert str(error) == f"line {line}: {error.message}"


def test_cumulative_votes_need_points_that_match_the_projects():
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative")
    assert "need a points column" in error_of(text).message
    text = text.replace("voter_id;vote\n1;a,b\n2;b\n", "voter_id;vote;points\n1;a,b;3,2\n2;b;5,1\n")
    error = error_of(text)
    assert (error.line, error.message) == (12, "voter 2 has 2 points for 1 projects")
    fixed = pabulib.parse(text.replace("2;b;5,1", "2;b;5"))
    assert [b.points for b in fixed.votes] == [(3, 2), (5,)]


def test_a_line_number_counts_the_lines_of_quoted_multi_line_cells():
    text = GOOD.replace("a;40;First", 'a;40;"First\nline two"')
    assert pabulib.parse(text).projects["a"].name == "First\nline two"
    assert error_of(text.replace("2;b\n", "2;zz\n")).line == 13


# --- hypothesis: round trips of generated instances and a fuzzed reader -----------------------

SECTION_NAMES = {"meta", "projects", "votes"}
cell = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    max_size=12,
).map(str.strip)
name = cell.filter(lambda s: s and s.lower() not in SECTION_NAMES)
project_id = name.filter(lambda s: "," not in s)
column = name.filter(
    lambda s: s not in {"project_id", "cost", "name", "voter_id", "vote", "points"}
)


@st.composite
def instances(draw) -> Instance:
    vote_type = draw(st.sampled_from(pabulib.VOTE_TYPES))
    budget = draw(st.integers(0, 10**12))
    meta = draw(st.dictionaries(column, cell, max_size=3))
    meta.update(budget=str(budget), vote_type=vote_type)
    extra_project = draw(st.lists(column, max_size=2, unique=True))
    ids = draw(st.lists(project_id, min_size=1, max_size=6, unique=True))
    projects = {
        pid: Project(
            pid,
            draw(st.integers(0, 10**9)),
            draw(cell),
            {c: draw(cell) for c in extra_project},
        )
        for pid in ids
    }
    extra_vote = draw(st.lists(column, max_size=2, unique=True))
    voters = draw(st.lists(name, max_size=6, unique=True))
    votes = []
    for voter in voters:
        vote = tuple(draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))))
        points = None
        if vote_type in pabulib.POINTS_VOTE_TYPES:
            points = tuple(draw(st.integers(-5, 10**6)) for _ in vote)
        votes.append(Ballot(voter, vote, points, {c: draw(cell) for c in extra_vote}))
    project_columns = ("project_id", "cost", "name", *extra_project)
    vote_columns = ("voter_id", "vote")
    if vote_type in pabulib.POINTS_VOTE_TYPES:
        vote_columns += ("points",)
    vote_columns += tuple(extra_vote)
    return Instance(meta, budget, vote_type, projects, tuple(votes), project_columns, vote_columns)


@hypothesis_settings(max_examples=300, deadline=None)
@given(instances())
def test_any_instance_survives_a_round_trip(instance):
    assert pabulib.parse(pabulib.write(instance)) == instance


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet='METAPROJECTSVOTESkeyvalue_bugdtcsidn;,\n"0123456789 .-'), st.booleans())
def test_the_reader_fails_only_with_pabulib_errors_on_any_text(text, with_header):
    if with_header:
        text = "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\n" + text
    try:
        instance = pabulib.parse(text)
    except PabulibError as error:
        assert error.line is not None and error.line >= 1
    else:
        assert isinstance(instance, Instance)


def test_write_refuses_what_it_could_not_read_back():
    instance = pabulib.parse(GOOD)
    bad_id = Instance(
        instance.meta, 100, "approval", {"a,b": Project("a,b", 1)}, (), ("project_id", "cost")
    )
    with pytest.raises(ValueError, match="cannot be written"):
        pabulib.write(bad_id)
    section = Instance(instance.meta, 100, "approval", {"Votes": Project("Votes", 1)}, ())
    with pytest.raises(ValueError, match="section name"):
        pabulib.write(section)


def test_write_refuses_a_carriage_return_it_could_not_read_back():
    instance = pabulib.parse(
        "META\nkey;value\nbudget;10\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost;name\n1;5;ok\nVOTES\nvoter_id;vote\nv1;1\n"
    )
    project = instance.projects["1"]
    broken = dataclasses.replace(
        instance, projects={"1": dataclasses.replace(project, name="two\rlines")}
    )
    with pytest.raises(ValueError, match="carriage return"):
        pabulib.write(broken)
