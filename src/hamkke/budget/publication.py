"""The anonymised ballots of a closed vote, published so anyone can recount it: one Pabulib `.pb`
file per pool and a `manifest.json`. Pure Python: nothing from Django. `recount.py` checks them.

A pool's file, `pool-<code>.pb`:
- META: description, country, unit (city), instance (cycle slug), subunit (pool code),
  num_projects, num_votes (every ballot, void ones too), budget, vote_type `approval`, rule,
  date_begin, date_end (ISO dates of the vote), ballot_kind, max_choices (`none`: no limit),
  min_spend_percent, weight_vote, weight_survey, weight_committee, min_score, chain_start,
  chain_head;
- PROJECTS `project_id;cost;name;category;district;votes;survey;committee;score;selected`:
  category is the project's area; votes counts the valid ballots; survey, committee and the final
  score are exact fractions (`37/3`, `12`), as `scoring.final_scores` computes; selected is 1 or 0;
- VOTES `voter_id;vote;chain;void`, one row per ballot in the order of the receipt codes (the
  voter_id; `ballots.receipt_of`). vote lists the chosen project ids sorted as strings. void is
  empty for a valid ballot, else the codes of `ballots.ballot_problems` under the pool's ballot
  rule, each once, joined by `+`; void ballots are published but not counted (a generic Pabulib
  tool counts every row: drop the void ones first). A ballot naming a project twice is written
  with it once and `repeated` among its codes: the one code the recount takes as stated.

The hash chain of a pool, to re-implement exactly (sha256 is the lowercase hex SHA-256 digest of
the UTF-8 bytes of the string; `|` and `,` are literal):

    chain_start = sha256("hamkke-ballots|" + city + "|" + cycle_slug + "|" + pool_code)
    h_0 = chain_start
    h_i = sha256(h_{i-1} + "|" + receipt_i + "|" + ",".join(sorted(choices_i)))

over the VOTES rows i = 1…n in file order, void ballots included; choices_i are the project ids
of row i sorted as strings (by code point), so the last part is exactly the row's vote cell. Row
i's chain cell is h_i; META and manifest `chain_head` is h_n (chain_start when there are no
ballots). A chain head announced when voting closed pins every ballot and its order.

`manifest.json` names each pool's file with its SHA-256, chain head, ballot counts and outcome.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any

from hamkke.budget import pabulib, scoring
from hamkke.budget.ballots import BallotProject, BallotRule, ballot_problems, receipt_of
from hamkke.core import receipts
from hamkke.core.receipts import sha256

MANIFEST = "manifest.json"
PROJECT_COLUMNS = (
    "project_id",
    "cost",
    "name",
    "category",
    "district",
    "votes",
    "survey",
    "committee",
    "score",
    "selected",
)
VOTE_COLUMNS = ("voter_id", "vote", "chain", "void")
CHAIN = (
    "h_0 = chain_start = sha256('hamkke-ballots|' + city + '|' + cycle + '|' + pool code); "
    "h_i = sha256(h_(i-1) + '|' + voter_id + '|' + vote) over the VOTES rows in file order, the "
    "vote's project ids sorted as strings; sha256 = lowercase hex digest of the UTF-8 bytes; "
    "chain_head = the last h_i. See hamkke.budget.publication."
)
NORMALISATION = (
    "Each channel (vote: valid ballots choosing the project; survey; committee: mean of the "
    "members' scores) is divided by the highest value any project of the same pool has in it, "
    "0 for all when that is 0. Final score, points out of 100 = weight_vote * vote + "
    "weight_survey * survey + weight_committee * committee, the weights in percent. Score rules "
    "order projects by it, ties by project id as a string; ballot rules read the valid ballots."
)


@dataclass(frozen=True)
class PublishedProject:
    id: str
    name: str
    cost: int
    area: str
    district: str
    survey: Fraction
    committee: Fraction


@dataclass(frozen=True)
class PublishedPool:
    """A pool and its ballots: (ballot id, chosen project ids); the receipt is receipt_of(id)."""

    code: str
    name: str
    budget: int
    ballot_kind: str
    max_choices: int | None
    min_spend_percent: int
    projects: list[PublishedProject]
    ballots: list[tuple[int, tuple[str, ...]]]


@dataclass(frozen=True)
class PublishedCycle:
    city: str
    slug: str
    title: str
    rule: str
    weights: scoring.Weights
    min_score: int
    voting_from: str
    voting_to: str
    pools: list[PublishedPool]
    country: str = ""


@dataclass(frozen=True)
class Tally:
    """What one pool's ballots decide: each ballot's void codes ("" when valid, in ballot order),
    the votes and final score of each project, the selection (sorted as strings) and its cost."""

    void: list[str]
    votes: dict[str, int]
    scores: dict[str, Fraction]
    selected: list[str]
    spent: int


@dataclass(frozen=True)
class ProjectOutcome:
    votes: int
    score: Fraction
    rank: int  # 1 for the highest score in its pool
    selected: bool


def file_name(pool_code: str) -> str:
    return f"pool-{pool_code}.pb"


def chain_start(city: str, cycle_slug: str, pool_code: str) -> str:
    return receipts.chain_start("hamkke-ballots", city, cycle_slug, pool_code)


def chain_link(previous: str, receipt: str, choices: Iterable[str]) -> str:
    return receipts.chain_link(previous, receipt, ",".join(sorted(choices)))


def void_codes(
    choices: Sequence[str], *, rule: BallotRule, projects: Mapping[str, BallotProject]
) -> str:
    """The void cell of a ballot: its problem codes, each once, joined by `+`."""
    problems = ballot_problems(choices, rule=rule, projects=projects)
    return "+".join(dict.fromkeys(problem.code for problem in problems))


def tally(
    *,
    ballots: Sequence[Sequence[str]],
    projects: Mapping[str, BallotProject],
    survey: Mapping[str, Fraction],
    committee: Mapping[str, Fraction],
    ballot_rule: BallotRule,
    rule: str,
    weights: scoring.Weights,
    min_score: int,
) -> Tally:
    """Count the valid ballots, score every project and select with `rule`: the one definition
    of the outcome, used to publish and to recount."""
    void = [void_codes(choices, rule=ballot_rule, projects=projects) for choices in ballots]
    valid = [set(choices) for choices, codes in zip(ballots, void, strict=True) if not codes]
    counted = Counter(pid for choices in valid for pid in choices)
    votes = {pid: counted[pid] for pid in projects}
    scores = scoring.final_scores(
        projects, votes=votes, survey=survey, committee=committee, weights=weights
    )
    costs = {pid: project.cost for pid, project in projects.items()}
    selected = scoring.select(
        rule=rule,
        budget=ballot_rule.budget,
        costs=costs,
        scores=scores,
        ballots=valid,
        min_score=min_score,
    )
    return Tally(void, votes, scores, selected, sum(costs[pid] for pid in selected))


@dataclass(frozen=True)
class _Counted:
    """A pool ready to write: its VOTES rows (receipt, sorted choices, chain, void) and tally."""

    rows: list[tuple[str, tuple[str, ...], str, str]]
    tally: Tally
    chain_start: str
    chain_head: str


def _count(cycle: PublishedCycle, pool: PublishedPool) -> _Counted:
    projects = {p.id: BallotProject(cost=p.cost, area=p.area) for p in pool.projects}
    rule = BallotRule(pool.ballot_kind, pool.budget, pool.max_choices, pool.min_spend_percent)
    ballots = sorted((receipt_of(ballot_id), choices) for ballot_id, choices in pool.ballots)
    for (receipt, _), (following, _) in pairwise(ballots):
        if receipt == following:
            raise ValueError(f"pool {pool.code}: ballot {receipt} is listed twice")
    written = []
    for receipt, choices in ballots:
        unknown = sorted(set(choices) - projects.keys())
        if unknown:
            # A Pabulib file can only name the pool's projects (the services refuse others).
            raise ValueError(f"pool {pool.code}: ballot {receipt} names unknown {unknown}")
        written.append(tuple(sorted(set(choices))))
    result = tally(
        ballots=[choices for _, choices in ballots],
        projects=projects,
        survey={p.id: Fraction(p.survey) for p in pool.projects},
        committee={p.id: Fraction(p.committee) for p in pool.projects},
        ballot_rule=rule,
        rule=cycle.rule,
        weights=cycle.weights,
        min_score=cycle.min_score,
    )
    start = link = chain_start(cycle.city, cycle.slug, pool.code)
    rows = []
    for (receipt, _), choices, void in zip(ballots, written, result.void, strict=True):
        link = chain_link(link, receipt, choices)
        rows.append((receipt, choices, link, void))
    return _Counted(rows, result, start, link)


def _pool_text(cycle: PublishedCycle, pool: PublishedPool, counted: _Counted) -> str:
    result = counted.tally
    weights = cycle.weights
    meta = {
        "description": _one_line(f"{cycle.title}: {pool.name}"),
        "country": cycle.country,
        "unit": cycle.city,
        "instance": cycle.slug,
        "subunit": pool.code,
        "num_projects": str(len(pool.projects)),
        "num_votes": str(len(counted.rows)),
        "budget": str(pool.budget),
        "vote_type": "approval",
        "rule": cycle.rule,
        "date_begin": cycle.voting_from,
        "date_end": cycle.voting_to,
        "ballot_kind": pool.ballot_kind,
        "max_choices": "none" if pool.max_choices is None else str(pool.max_choices),
        "min_spend_percent": str(pool.min_spend_percent),
        "weight_vote": str(weights.vote),
        "weight_survey": str(weights.survey),
        "weight_committee": str(weights.committee),
        "min_score": str(cycle.min_score),
        "chain_start": counted.chain_start,
        "chain_head": counted.chain_head,
    }
    selected = set(result.selected)
    projects = {
        p.id: pabulib.Project(
            id=p.id,
            cost=p.cost,
            name=_one_line(p.name),
            fields={
                "category": p.area,
                "district": p.district,
                "votes": str(result.votes[p.id]),
                "survey": str(Fraction(p.survey)),
                "committee": str(Fraction(p.committee)),
                "score": str(result.scores[p.id]),
                "selected": "1" if p.id in selected else "0",
            },
        )
        for p in pool.projects
    }
    votes = tuple(
        pabulib.Ballot(voter_id=receipt, vote=choices, fields={"chain": link, "void": void})
        for receipt, choices, link, void in counted.rows
    )
    instance = pabulib.Instance(
        meta=meta,
        budget=pool.budget,
        vote_type="approval",
        projects=projects,
        votes=votes,
        project_columns=PROJECT_COLUMNS,
        vote_columns=VOTE_COLUMNS,
    )
    return pabulib.write(instance)


def _one_line(text: str) -> str:
    # Names are informative only; on one line, because the reader strips every cell and a bare
    # carriage return (which the csv module leaves unquoted) would end a row.
    return " ".join(text.split())


def pool_file(cycle: PublishedCycle, pool: PublishedPool) -> str:
    """The `.pb` text of one pool (see the module docstring)."""
    return _pool_text(cycle, pool, _count(cycle, pool))


def _manifest(
    cycle: PublishedCycle, files: Mapping[str, str], counted: Mapping[str, _Counted]
) -> str:
    pools = {}
    for pool in cycle.pools:
        name = file_name(pool.code)
        result = counted[pool.code].tally
        pools[pool.code] = {
            "code": pool.code,
            "name": pool.name,
            "file": name,
            "sha256": sha256(files[name]),
            "chain_head": counted[pool.code].chain_head,
            "ballots": len(result.void),
            "void_ballots": sum(1 for codes in result.void if codes),
            "budget": pool.budget,
            "selected": result.selected,
            "spent": result.spent,
        }
    document: dict[str, Any] = {
        "city": cycle.city,
        "country": cycle.country,
        "cycle": cycle.slug,
        "title": cycle.title,
        "voting_from": cycle.voting_from,
        "voting_to": cycle.voting_to,
        "rule": cycle.rule,
        "weights": {
            "vote": cycle.weights.vote,
            "survey": cycle.weights.survey,
            "committee": cycle.weights.committee,
        },
        "min_score": cycle.min_score,
        "normalisation": NORMALISATION,
        "chain": CHAIN,
        "pools": pools,
    }
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def manifest(cycle: PublishedCycle, files: Mapping[str, str]) -> str:
    """`manifest.json`: the cycle's settings and, per pool (keyed by code), its file's name and
    SHA-256 (of the UTF-8 text in `files`), chain head, ballot counts, selection and spending."""
    return _manifest(cycle, files, {pool.code: _count(cycle, pool) for pool in cycle.pools})


def publish(cycle: PublishedCycle) -> dict[str, str]:
    """File name → text: `pool-<code>.pb` for every pool and `manifest.json`."""
    return publish_with_outcomes(cycle)[0]


def outcomes(cycle: PublishedCycle) -> dict[str, ProjectOutcome]:
    """Project id → its votes, final score, rank in its pool and whether it is selected."""
    return _outcomes(cycle, {pool.code: _count(cycle, pool) for pool in cycle.pools})


def publish_with_outcomes(
    cycle: PublishedCycle,
) -> tuple[dict[str, str], dict[str, ProjectOutcome]]:
    """`publish` and `outcomes` together, counting each pool once (a big MES pool is slow)."""
    counted = {pool.code: _count(cycle, pool) for pool in cycle.pools}
    files = {
        file_name(pool.code): _pool_text(cycle, pool, counted[pool.code]) for pool in cycle.pools
    }
    files[MANIFEST] = _manifest(cycle, files, counted)
    return files, _outcomes(cycle, counted)


def _outcomes(cycle: PublishedCycle, counted: Mapping[str, _Counted]) -> dict[str, ProjectOutcome]:
    found = {}
    for pool in cycle.pools:
        result = counted[pool.code].tally
        selected = set(result.selected)
        for rank, pid in enumerate(scoring.ranking(result.scores), start=1):
            found[pid] = ProjectOutcome(
                result.votes[pid], result.scores[pid], rank, pid in selected
            )
    return found


def read_manifest(text: str) -> dict[str, Any]:
    return json.loads(text)


def save(files: Mapping[str, str], directory: Path) -> None:
    """Write the published files into `directory` as UTF-8 bytes, exactly as hashed."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_bytes(text.encode("utf-8"))
