"""Recount a published participatory budgeting vote from its files alone:

    python -m hamkke.budget.recount DIRECTORY [--receipt CODE]

DIRECTORY holds `manifest.json` and one `pool-<code>.pb` per pool (format and hash chain: see
publication.py). For each pool this checks the file's SHA-256 against the manifest, re-walks the
hash chain, re-derives every ballot's validity from the ballot rule in META, recounts the votes,
recomputes the final scores and the selection with the rule and weights in META, and compares all
of it with the file's columns and the manifest. One thing it takes as stated: a void code
`repeated` (the file names each project once). Compare the manifest's chain heads with the ones
the city announced when voting closed. Exit status: 0 when everything agrees, 1 when something
differs (or the receipt is in no pool), 2 when a file cannot be read. Pure Python: no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from hamkke.budget import pabulib, publication
from hamkke.budget.ballots import BallotProject, BallotRule, ballot_id_of, receipt_of
from hamkke.budget.scoring import Weights


class UnreadableInput(Exception):
    """A file that cannot be read as a published vote; the message names it (and the line)."""


@dataclass(frozen=True)
class PoolCount:
    code: str
    ballots: int
    void: int
    selected: list[str]
    spent: int
    budget: int


@dataclass
class RecountReport:
    """Every difference found (each naming its pool, and project or receipt) and the counts."""

    findings: list[str] = field(default_factory=list)
    pools: list[PoolCount] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return not self.findings


def recount(directory: Path) -> RecountReport:
    """Recount every pool the manifest in `directory` lists; raises UnreadableInput."""
    manifest = _read_manifest(directory)
    report = RecountReport()
    for code, entry in sorted(manifest["pools"].items()):
        path, data, instance = _read_pool(directory, entry)
        with _reading(path):
            result = _tally(instance)
        findings = _compare(manifest, code, entry, data, instance, result)
        report.findings += [f"pool {code}: {finding}" for finding in findings]
        void = sum(1 for codes in result.void if codes)
        report.pools.append(
            PoolCount(code, len(result.void), void, result.selected, result.spent, instance.budget)
        )
    return report


def find_receipt(
    directory: Path, receipt: str
) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """(pool code, chosen project ids, void codes — empty when counted) of the ballot with this
    receipt, forgiving case, spaces and dashes; None when no pool has it."""
    ballot_id = ballot_id_of(receipt)
    if ballot_id is None:
        return None
    wanted = receipt_of(ballot_id)
    for code, entry in sorted(_read_manifest(directory)["pools"].items()):
        for ballot in _read_pool(directory, entry)[2].votes:
            if ballot.voter_id == wanted:
                void = ballot.fields.get("void", "")
                return code, ballot.vote, tuple(void.split("+")) if void else ()
    return None


def _tally(instance: pabulib.Instance) -> publication.Tally:
    meta, projects = instance.meta, instance.projects.values()
    limit = meta["max_choices"]
    # A file names a project once even where the ballot named it twice, as its void cell says.
    ballots = [
        b.vote + b.vote[:1] if "repeated" in b.fields.get("void", "").split("+") else b.vote
        for b in instance.votes
    ]
    return publication.tally(
        ballots=ballots,
        projects={p.id: BallotProject(p.cost, p.fields["category"]) for p in projects},
        survey={p.id: Fraction(p.fields["survey"]) for p in projects},
        committee={p.id: Fraction(p.fields["committee"]) for p in projects},
        ballot_rule=BallotRule(
            kind=meta["ballot_kind"],
            budget=instance.budget,
            max_choices=None if limit == "none" else int(limit),
            min_spend_percent=int(meta["min_spend_percent"]),
        ),
        rule=meta["rule"],
        weights=Weights(
            int(meta["weight_vote"]), int(meta["weight_survey"]), int(meta["weight_committee"])
        ),
        min_score=int(meta["min_score"]),
    )


def _compare(
    manifest: dict[str, Any],
    code: str,
    entry: dict[str, Any],
    data: bytes,
    instance: pabulib.Instance,
    result: publication.Tally,
) -> list[str]:
    """Every difference between what a pool's file and manifest entry state and the recount."""
    head, found = _check_ballots(manifest, code, instance, result)
    weights = manifest.get("weights") or {}
    in_meta = {
        "unit": manifest.get("city"),
        "instance": manifest.get("cycle"),
        "subunit": code,
        "rule": manifest.get("rule"),
        "min_score": str(manifest.get("min_score")),
        **{f"weight_{name}": str(weights.get(name)) for name in ("vote", "survey", "committee")},
        "vote_type": "approval",
        "num_projects": str(len(instance.projects)),
        "num_votes": str(len(instance.votes)),
        "chain_start": publication.chain_start(manifest.get("city"), manifest.get("cycle"), code),
        "chain_head": head,
    }
    in_manifest = {
        "sha256": publication.sha256(data),
        "chain_head": head,
        "ballots": len(result.void),
        "void_ballots": sum(1 for codes in result.void if codes),
        "budget": instance.budget,
        "selected": result.selected,
        "spent": result.spent,
    }
    # (what, as stated, as recounted)
    checks = [(f"META {key}", instance.meta.get(key), value) for key, value in in_meta.items()]
    checks += [
        (f"the manifest's {key}", entry.get(key), value) for key, value in in_manifest.items()
    ]
    for pid, project in instance.projects.items():
        selected = "1" if pid in result.selected else "0"
        checks += [
            (f"project {pid}: votes", project.fields.get("votes"), str(result.votes[pid])),
            (f"project {pid}: score", project.fields.get("score"), str(result.scores[pid])),
            (f"project {pid}: selected", project.fields.get("selected"), selected),
        ]
    found += [
        f"{what} is {stated!r}, the recount gives {value!r}"
        for what, stated, value in checks
        if stated != value
    ]
    return found


def _check_ballots(
    manifest: dict[str, Any], code: str, instance: pabulib.Instance, result: publication.Tally
) -> tuple[str, list[str]]:
    """Walk the hash chain and compare each ballot's void cell with the rule: the chain head
    and the findings."""
    found = []
    link = publication.chain_start(manifest.get("city"), manifest.get("cycle"), code)
    for ballot, void in zip(instance.votes, result.void, strict=True):
        receipt = ballot.voter_id
        expected = publication.chain_link(link, receipt, ballot.vote)
        # Each row is checked against the row before it, so a finding names the row changed.
        link = ballot.fields.get("chain", "")
        if link != expected:
            found.append(f"ballot {receipt}: the hash chain breaks (recomputed {expected})")
        stated = ballot.fields.get("void", "")
        if stated != void:
            found.append(
                f"ballot {receipt}: marked {stated or 'valid'}, the rule makes it {void or 'valid'}"
            )
        if ballot_id_of(receipt) is None:
            found.append(f"ballot {receipt}: not a receipt code")
    receipts = [ballot.voter_id for ballot in instance.votes]
    if receipts != sorted(receipts):
        found.append("the ballots are not in the order of their receipts")
    return link, found


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Whatever makes `path` unreadable becomes an UnreadableInput naming it (and the line)."""
    try:
        yield
    except pabulib.PabulibError as exc:
        line = f":{exc.line}" if exc.line is not None else ""
        raise UnreadableInput(f"{path}{line}: {exc.message}") from exc
    except OSError as exc:
        raise UnreadableInput(f"{path}: {exc.strerror or exc}") from exc
    except KeyError as exc:
        raise UnreadableInput(f"{path}: {exc.args[0]!r} is missing") from exc
    except ValueError as exc:  # bad UTF-8 or JSON, a bad number, an unknown rule or ballot kind
        raise UnreadableInput(f"{path}: {exc}") from exc


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / publication.MANIFEST
    with _reading(path):
        manifest = json.loads(path.read_bytes().decode("utf-8"))
        pools = manifest.get("pools") if isinstance(manifest, dict) else None
        if not isinstance(pools, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("file"), str)
            for entry in pools.values()
        ):
            raise ValueError("expected an object of pools, each naming its file")
    return manifest


def _read_pool(directory: Path, entry: dict) -> tuple[Path, bytes, pabulib.Instance]:
    path = directory / Path(entry["file"]).name  # never a file outside the directory
    with _reading(path):
        data = path.read_bytes()
        return path, data, pabulib.parse(data.decode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hamkke.budget.recount",
        description="Recount a published participatory budgeting vote from its files alone.",
    )
    parser.add_argument("directory", type=Path, help="holds manifest.json and the pool files")
    parser.add_argument("--receipt", help="also look up the ballot with this receipt code")
    args = parser.parse_args(argv)
    try:
        report = recount(args.directory)
        found = find_receipt(args.directory, args.receipt) if args.receipt else None
    except UnreadableInput as exc:
        print(f"cannot read the published vote: {exc}", file=sys.stderr)
        return 2
    for pool in report.pools:
        print(
            f"pool {pool.code}: {pool.ballots} ballots ({pool.void} void); selected "
            f"{', '.join(pool.selected) or 'nothing'}; spent {pool.spent} of {pool.budget}"
        )
    for finding in report.findings:
        print(f"DIFFERS: {finding}")
    if report.agrees:
        print("The recount agrees with the published result.")
    else:
        print(f"The recount does NOT agree: {len(report.findings)} differences.")
    if args.receipt and found is None:
        print(f"receipt {args.receipt}: no pool has this ballot")
        return 1
    if found is not None:
        code, choices, void = found
        state = f"void ({', '.join(void)})" if void else "counted"
        print(
            f"receipt {args.receipt}: pool {code}, chose {', '.join(choices) or 'nothing'}, {state}"
        )
    return 0 if report.agrees else 1


if __name__ == "__main__":
    sys.exit(main())
