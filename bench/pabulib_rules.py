"""Selection rules on real Pabulib elections: budget/rules.py (parse included) against pabutools
1.2.3 (its own parser and rule, identical ballots grouped as for expected.json's timings) on the
same file in the same run, for greedy and for MES with Add1.

The elections are the 19 files of ../shared/data/pabulib (from the repository root; another
folder through BENCH_PABULIB_DATA), with expected.json beside them recording how long pabutools
took on each; without them the benchmark is skipped and says where to get them. pabutools' MES
with Add1 takes minutes on the large ones, so only the (file, rule) pairs that pabutools did in
at most BENCH_PABULIB_LIMIT seconds there (default 30; 3 with --quick; "all" for every pair) are
timed against it; ours is timed on the others too (not with --quick). The outcomes must be equal."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.runner import BenchmarkSkipped, Result

# Beside the repository, not in it: the files are large and not ours to redistribute.
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pabulib"
DATA_VARIABLE = "BENCH_PABULIB_DATA"
SOURCE = (
    "https://github.com/pabulib/pabulib_files (folder pb_files/, commit "
    "88cfaba3e7692a90f3311cbcf8f08aa63fc3fbff; the same files as on https://pabulib.org)"
)
RULES = {"greedy": ("greedy_cost", "greedy_score"), "mes-add1": ("mes_cost_add1_only",)}
REPEAT_BELOW = 2.0  # seconds: quicker runs are repeated three times and the fastest kept


def _log(message: str) -> None:
    print(f"[pabulib_rules] {message}", file=sys.stderr, flush=True)


def _timed(work: Callable[[], list[str]]) -> tuple[float, list[str]]:
    best = None
    for _ in range(3):
        started = time.perf_counter()
        outcome = work()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
        if seconds >= REPEAT_BELOW:
            break
    return best, outcome


def ours(path: Path, rule: str) -> list[str]:
    from hamkke.budget import pabulib, rules

    return rules.select_projects(pabulib.read(path), rule)


def theirs(path: Path, rule: str) -> list[str]:
    """pabutools' counterpart: Cost_Sat on approval ballots; greedy by points (cumulative) or by
    max_length − position (ordinal) otherwise, and MES on the support sets as approval ballots —
    the definitions of expected.json."""
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, parse_pabulib
    from pabutools.election.satisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    instance, profile = parse_pabulib(str(path))
    vote_type = instance.meta["vote_type"]
    # As expected.json's timings: identical ballots grouped (a multiprofile), much faster.
    approval = vote_type in ("approval", "choose-1")
    if rule == "greedy":
        if approval:
            sat_class = Cost_Sat
        elif vote_type == "ordinal":
            length = int(instance.meta.get("max_length") or max(len(b) for b in profile))

            class sat_class(AdditiveSatisfaction):
                def __init__(self, instance, profile, ballot):
                    super().__init__(instance, profile, ballot, _positional(length))

        else:

            class sat_class(AdditiveSatisfaction):
                def __init__(self, instance, profile, ballot):
                    super().__init__(instance, profile, ballot, _points)

        outcome = greedy_utilitarian_welfare(
            instance, profile.as_multiprofile(), sat_class=sat_class
        )
    else:
        if not approval:
            supports = (
                [p for p in ballot if ballot[p] > 0] if vote_type != "ordinal" else list(ballot)
                for ballot in profile
            )
            profile = ApprovalProfile([ApprovalBallot(support) for support in supports])
        outcome = method_of_equal_shares(
            instance, profile.as_multiprofile(), sat_class=Cost_Sat, voter_budget_increment=1
        )
    return sorted(project.name for project in outcome)


def _points(instance, profile, ballot, project, precomputed):
    return ballot.get(project, 0) * project.cost


def _positional(length: int):
    def score(instance, profile, ballot, project, precomputed):
        if project not in ballot:
            return 0
        return (length - ballot.index(project)) * project.cost

    return score


def _limit(quick: bool) -> float:
    text = os.environ.get("BENCH_PABULIB_LIMIT", "").strip().lower()
    if text == "all":
        return float("inf")
    return float(text) if text else (3.0 if quick else 30.0)


def data_folder() -> Path:
    """The folder of .pb files and expected.json: BENCH_PABULIB_DATA, else ../shared/data/pabulib
    beside the repository."""
    named = os.environ.get(DATA_VARIABLE, "").strip()
    return Path(named).expanduser().resolve() if named else DEFAULT_DATA


def check_data(folder: Path) -> dict:
    """expected.json's instances, each with its .pb file present; BenchmarkSkipped saying where
    to get what is missing otherwise."""
    expected = folder / "expected.json"
    if not expected.is_file():
        raise BenchmarkSkipped(
            f"no Pabulib data at {folder} (a folder of .pb files with expected.json, the outcomes "
            f"and times of pabutools 1.2.3). Get the .pb files from {SOURCE}; ten of them ship "
            f"with their expected.json in tests/budget/data. Point {DATA_VARIABLE}=FOLDER at "
            f"them, e.g. {DATA_VARIABLE}=tests/budget/data"
        )
    recorded = json.loads(expected.read_text(encoding="utf-8"))["instances"]
    missing = sorted(name for name in recorded if not (folder / name).is_file())
    if missing:
        raise BenchmarkSkipped(
            f"{len(missing)} of the {len(recorded)} files that {expected} names are not in "
            f"{folder}: {', '.join(missing)}. Get them from {SOURCE}, or point {DATA_VARIABLE} "
            f"at a complete folder"
        )
    try:
        import pabutools  # noqa: F401  (the reference implementation, a test-only dependency)
    except ImportError as exc:
        raise BenchmarkSkipped(
            "pabutools, the reference it is compared with, is not installed: "
            "pip install -e '.[test]'"
        ) from exc
    return recorded


def run(quick: bool) -> Result:
    data = data_folder()
    recorded = check_data(data)
    limit = _limit(quick)
    compared: list[tuple[str, str, float, float]] = []
    alone: list[tuple[str, str, float, float]] = []
    skipped: list[str] = []
    for name in sorted(recorded):
        path = data / name
        seconds = recorded[name]["pabutools_seconds"]
        for rule, keys in RULES.items():
            key = next((k for k in keys if k in recorded[name]["rules"]), None)
            short = f"{path.stem} {rule}"
            if key is None or seconds.get(key, float("inf")) > limit:
                if quick:
                    skipped.append(short)
                    continue
                mine, outcome = _timed(lambda path=path, rule=rule: ours(path, rule))
                # Not run here, but pabutools' outcome is on record: it must be ours.
                if key is not None and outcome != sorted(recorded[name]["rules"][key]):
                    raise RuntimeError(f"{name} {rule}: outcome differs from expected.json's")
                alone.append((path.stem, rule, mine, seconds.get(key or "", float("nan"))))
                _log(f"{short}: ours {mine:.3f} s (pabutools not run; outcome as recorded)")
                continue
            mine, outcome = _timed(lambda path=path, rule=rule: ours(path, rule))
            reference, expected = _timed(lambda path=path, rule=rule: theirs(path, rule))
            if outcome != expected:
                raise RuntimeError(
                    f"{name} {rule}: outcomes differ: ours {outcome}, pabutools {expected}"
                )
            compared.append((path.stem, rule, mine, reference))
            _log(f"{short}: ours {mine:.3f} s, pabutools {reference:.3f} s, equal outcomes")
    if not compared:
        raise RuntimeError("no (file, rule) pair within the limit; raise BENCH_PABULIB_LIMIT")

    total_ours = sum(mine for _n, _r, mine, _t in compared)
    total_theirs = sum(theirs_ for _n, _r, _m, theirs_ in compared)
    ratios = [mine / theirs_ for _n, _r, mine, theirs_ in compared]
    every = [mine for _n, _r, mine, _t in compared] + [mine for _n, _r, mine, _t in alone]
    notes = [
        f"{len(compared)} (file, rule) pairs timed against pabutools (recorded pabutools time "
        f"<= {limit:g} s), outcomes equal in all; median ratio {statistics.median(ratios):.4f}, "
        f"worst {max(ratios):.4f}; slowest of ours {max(every):.2f} s",
        "pairs (ours s / pabutools s): "
        + ", ".join(f"{n} {r} {m:.3f}/{t:.3f}" for n, r, m, t in compared),
    ]
    if alone:
        notes.append(
            "ours alone, outcome checked against expected.json (s; pabutools' recorded s): "
            + ", ".join(f"{n} {r} {m:.2f} ({t:.0f})" for n, r, m, t in alone)
        )
    if skipped:
        notes.append("skipped (--quick): " + ", ".join(skipped))
    return Result(
        name="pabulib_rules",
        value=total_ours,
        baseline=total_theirs,
        unit="s",
        notes="; ".join(notes),
    )
