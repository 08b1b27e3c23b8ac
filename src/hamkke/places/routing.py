"""The shortest order in which to visit a few chosen places, and how long the walk takes.

Exact: Held–Karp dynamic programming over subsets, O(2ⁿ·n²) — a few milliseconds for the
12 places the pages let a person choose (MAX_EXACT); more is refused rather than guessed.
Distances are whatever the caller measures (straight-line metres between places); they need not
be symmetric. Imports nothing from Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_EXACT = 12


def _checked(distances: Sequence[Sequence[float]]) -> list[list[float]]:
    size = len(distances)
    if size > MAX_EXACT:
        raise ValueError(
            f"best_order finds the exact shortest order of at most {MAX_EXACT} places; "
            f"{size} were given"
        )
    matrix = [[float(value) for value in row] for row in distances]
    for index, row in enumerate(matrix):
        if len(row) != size:
            raise ValueError(f"distances must be a square table: row {index} has {len(row)}")
        if any(not math.isfinite(value) or value < 0 for value in row):
            raise ValueError(f"distances must be finite and not negative (row {index})")
    return matrix


def best_order(
    distances: Sequence[Sequence[float]], *, start: int | None = 0, round_trip: bool = False
) -> tuple[list[int], float]:
    """The order of visits (indices into `distances`) that makes the shortest walk, and its
    length. It begins at `start`, or wherever is best when `start` is None; with `round_trip`
    the walk ends back where it began (and its length includes the way back)."""
    matrix = _checked(distances)
    size = len(matrix)
    if start is not None and not 0 <= start < size:
        raise ValueError(f"start must be a place's index, 0 to {size - 1}; got {start}")
    if size == 0:
        return [], 0.0
    if round_trip and start is None:
        start = 0  # a round trip is the same loop wherever it begins
    # cost[mask][last]: the shortest walk visiting exactly the places of `mask`, ending at
    # `last`, from the start (or from any place when the start is free).
    full = 1 << size
    cost = [[math.inf] * size for _ in range(full)]
    for place in range(size) if start is None else (start,):
        cost[1 << place][place] = 0.0
    for mask in range(1, full):
        row = cost[mask]
        for last in range(size):
            here = row[last]
            if here == math.inf:
                continue
            reach = matrix[last]
            for following in range(size):
                bit = 1 << following
                if mask & bit:
                    continue
                via = here + reach[following]
                if via < cost[mask | bit][following]:
                    cost[mask | bit][following] = via
    ends = cost[full - 1]
    totals = [
        ends[last] + (matrix[last][start] if round_trip and start is not None else 0.0)
        for last in range(size)
    ]
    best = min(totals)
    # Walk back from the best end; ties go to the smallest index, so the answer is the same
    # every time.
    last = min(range(size), key=lambda index: (totals[index], index))
    order = [last]
    mask = full - 1
    while mask & (mask - 1):
        previous_mask = mask ^ (1 << last)
        target = cost[mask][last]
        last = min(
            (
                before
                for before in range(size)
                if previous_mask & (1 << before)
                and math.isclose(
                    cost[previous_mask][before] + matrix[before][last],
                    target,
                    rel_tol=1e-12,
                    abs_tol=1e-9,
                )
            ),
        )
        order.append(last)
        mask = previous_mask
    order.reverse()
    return order, best


def walking_minutes(metres: float, speed_kmh: float = 4.0) -> int:
    """Whole minutes to walk `metres` at `speed_kmh`, rounded up (a walk of any length takes
    at least a minute; none takes none)."""
    if not math.isfinite(metres) or metres < 0:
        raise ValueError("metres must be a finite distance, not negative")
    if not math.isfinite(speed_kmh) or speed_kmh <= 0:
        raise ValueError("the walking speed must be more than 0 km/h")
    minutes = metres * 60 / (speed_kmh * 1000)
    # 1000 m at 4 km/h is 15 minutes, not 16: float noise is not a minute.
    return math.ceil(round(minutes, 9))
