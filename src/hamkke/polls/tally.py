"""What makes a poll answer valid and how a poll's ballots are counted. Pure Python: the services,
the API, the published results and the recount all follow these rules.

Question kinds and their answers (option ids):
- single: exactly one option;
- multiple: one or more options, at most `max_choices` when set;
- scale: one of exactly five options, meaning the values 1…5 in the order listed;
- ranking: one or more options in order of preference (any prefix of a full ranking).
Every kind: each option at most once, every option from the question. An optional question may be
left empty (skipped); a skipped question does not count among its respondents.

Counting: an option's votes are the ballots choosing it (for ranking, first preferences); its
share is votes / respondents rounded to 4 places (0 with no respondents); a scale's mean is the
mean value rounded to 4 places. A ranking question is decided by instant runoff (see
`instant_runoff`) and also reports Borda points (see `borda`).

Breakdowns (by district, by age band) show only groups of at least `BREAKDOWN_MINIMUM` voters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("single", "multiple", "ranking", "scale")
SCALE_POINTS = 5
# Fewer voters than this in a group could identify people: such groups are not shown.
BREAKDOWN_MINIMUM = 10
AGE_BANDS = ("0-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70+")
# How a tie for fewest votes in an instant-runoff round was broken.
TIE_BREAKS = ("earlier_round", "borda", "order")


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: str  # "single" | "multiple" | "ranking" | "scale"
    # Option ids in the order listed on the ballot; for "scale" exactly 5, meaning values 1..5.
    options: tuple[int, ...]
    max_choices: int | None = None  # "multiple": at most this many (None: any number)
    required: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        if self.kind not in KINDS:
            raise ValueError(f"question {self.id}: unknown kind {self.kind!r}")
        if not self.options:
            raise ValueError(f"question {self.id}: no options")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"question {self.id}: an option is listed twice")
        if self.kind == "scale" and len(self.options) != SCALE_POINTS:
            raise ValueError(f"question {self.id}: a scale has exactly {SCALE_POINTS} options")
        if self.max_choices is not None and self.max_choices < 1:
            raise ValueError(f"question {self.id}: max_choices must be at least 1")


@dataclass(frozen=True)
class Problem:
    """Why an answer is refused: a code for programs and the facts a message needs."""

    code: str  # "empty" | "unknown" | "repeated" | "too_many" | "unknown_question"
    options: tuple[int, ...] = ()
    amount: int = 0
    limit: int = 0


def answer_problems(question: QuestionSpec, chosen: Sequence[int]) -> list[Problem]:
    """Every reason the answer `chosen` (option ids, in order of preference for a ranking) breaks
    the question's rules; empty when it is valid."""
    chosen = list(chosen)
    if not chosen:
        return [Problem("empty")] if question.required else []
    problems: list[Problem] = []
    repeated = sorted(option for option, n in Counter(chosen).items() if n > 1)
    if repeated:
        problems.append(Problem("repeated", options=tuple(repeated)))
    allowed = set(question.options)
    unknown = sorted({option for option in chosen if option not in allowed})
    if unknown:
        problems.append(Problem("unknown", options=tuple(unknown)))
    limit = _choice_limit(question)
    distinct = len(set(chosen))
    if limit is not None and distinct > limit:
        problems.append(Problem("too_many", amount=distinct, limit=limit))
    return problems


def _choice_limit(question: QuestionSpec) -> int | None:
    if question.kind in ("single", "scale"):
        return 1
    if question.kind == "multiple":
        return question.max_choices
    return None  # a ranking names each option at most once, so at most all of them


def ballot_problems(
    questions: Sequence[QuestionSpec], answers: Mapping[int, Sequence[int]]
) -> dict[int, list[Problem]]:
    """The problems of a whole ballot by question id (only questions with problems); an answer
    to a question the poll does not have is keyed by that id with `unknown_question`."""
    problems: dict[int, list[Problem]] = {}
    known = {question.id for question in questions}
    for question in questions:
        found = answer_problems(question, answers.get(question.id, ()))
        if found:
            problems[question.id] = found
    for question_id in sorted(answers.keys() - known):
        problems[question_id] = [Problem("unknown_question")]
    return problems


# Results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    id: int
    votes: int
    share: float  # votes / respondents, rounded to 4 places


@dataclass(frozen=True)
class BordaScore:
    id: int
    points: int


@dataclass(frozen=True)
class Round:
    """One instant-runoff round: the votes of each continuing option (listed order), the ballots
    with no continuing option left, and what the round decided."""

    number: int  # 1-based
    tallies: Mapping[int, int]
    exhausted: int
    eliminated: int | None
    winner: int | None
    tie_broken_by: str | None  # one of TIE_BREAKS, when a tie for fewest votes had to be broken

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "tallies": [{"id": option, "votes": votes} for option, votes in self.tallies.items()],
            "exhausted": self.exhausted,
            "eliminated": self.eliminated,
            "winner": self.winner,
            "tie_broken_by": self.tie_broken_by,
        }


@dataclass(frozen=True)
class Runoff:
    rounds: tuple[Round, ...]
    winner: int | None  # None only when there are no ballots


@dataclass(frozen=True)
class QuestionResult:
    question: int
    kind: str
    respondents: int  # ballots answering this question
    options: tuple[OptionCount, ...]  # listed order
    mean: float | None = None  # scale only; None with no respondents
    rounds: tuple[Round, ...] = ()  # ranking only
    borda: tuple[BordaScore, ...] = ()  # ranking only: points descending, then listed order
    winner: int | None = None  # ranking only: the instant-runoff winner
    borda_winner: int | None = None  # ranking only: None when the top score is shared
    borda_tied: tuple[int, ...] = ()  # ranking only: the options sharing the top score

    def as_dict(self) -> dict[str, Any]:
        """The JSON form the API returns per question and results.json holds (keys fixed)."""
        document: dict[str, Any] = {
            "id": self.question,
            "kind": self.kind,
            "respondents": self.respondents,
            "options": [
                {"id": option.id, "votes": option.votes, "share": option.share}
                for option in self.options
            ],
        }
        if self.kind == "scale":
            document["mean"] = self.mean
        if self.kind == "ranking":
            document["rounds"] = [round_.as_dict() for round_ in self.rounds]
            document["borda"] = [{"id": s.id, "points": s.points} for s in self.borda]
            document["winner"] = self.winner
            document["borda_winner"] = self.borda_winner
        return document


def share(votes: int, respondents: int) -> float:
    return round(votes / respondents, 4) if respondents else 0.0


def count(question: QuestionSpec, answers: Iterable[Sequence[int]]) -> QuestionResult:
    """Count one question over ballots, each the list of option ids it chose (empty when the
    question was skipped). ValueError when an answer breaks the question's rules."""
    return count_grouped(question, Counter(tuple(answer) for answer in answers))


def count_grouped(question: QuestionSpec, answers: Mapping[tuple[int, ...], int]) -> QuestionResult:
    """Count one question from each distinct answer and the number of ballots giving it: what
    `count` does, for callers (publication, recount) that group a million ballots as they read."""
    for answer in answers:
        problems = answer_problems(question, answer)
        if problems:
            codes = ", ".join(problem.code for problem in problems)
            raise ValueError(f"question {question.id}: answer {list(answer)} is invalid ({codes})")
    given = {answer: n for answer, n in answers.items() if answer and n}
    respondents = sum(given.values())
    if question.kind != "ranking":
        totals = Counter()
        for answer, n in given.items():
            for option in answer:
                totals[option] += n
        return result_from_totals(question, totals, respondents)
    runoff = _instant_runoff(question.options, given)
    scores = _borda(question.options, given)
    top = _borda_top(scores) if respondents else ()
    return QuestionResult(
        question=question.id,
        kind=question.kind,
        respondents=respondents,
        options=_option_counts(question, _first_preferences(question.options, given), respondents),
        rounds=runoff.rounds,
        borda=scores,
        winner=runoff.winner,
        borda_winner=top[0] if len(top) == 1 else None,
        borda_tied=top if len(top) > 1 else (),
    )


def result_from_totals(
    question: QuestionSpec, totals: Mapping[int, int], respondents: int
) -> QuestionResult:
    """The result of a single, multiple or scale question from the votes of each option (options
    missing from `totals` have none) and the number of ballots answering it, as a database
    GROUP BY gives them. ValueError when the numbers cannot come from valid ballots."""
    if question.kind == "ranking":
        raise ValueError("a ranking is counted from the ballots themselves (count)")
    unknown = sorted(set(totals) - set(question.options))
    if unknown:
        raise ValueError(f"question {question.id}: unknown options {unknown}")
    votes = {option: totals.get(option, 0) for option in question.options}
    total = sum(votes.values())
    if respondents < 0 or any(n < 0 or n > respondents for n in votes.values()):
        raise ValueError(f"question {question.id}: votes out of range")
    most = respondents * (_choice_limit(question) or len(question.options))
    if not respondents <= total <= most:
        raise ValueError(f"question {question.id}: {total} votes from {respondents} ballots")
    mean = None
    if question.kind == "scale" and respondents:
        points = sum(value * votes[option] for value, option in enumerate(question.options, 1))
        mean = round(points / respondents, 4)
    return QuestionResult(
        question=question.id,
        kind=question.kind,
        respondents=respondents,
        options=_option_counts(question, votes, respondents),
        mean=mean,
    )


def _option_counts(
    question: QuestionSpec, votes: Mapping[int, int], respondents: int
) -> tuple[OptionCount, ...]:
    return tuple(
        OptionCount(option, votes.get(option, 0), share(votes.get(option, 0), respondents))
        for option in question.options
    )


def _first_preferences(
    options: Sequence[int], rankings: Mapping[tuple[int, ...], int]
) -> dict[int, int]:
    first = dict.fromkeys(options, 0)
    for ranking, n in rankings.items():
        if ranking:
            first[ranking[0]] = first.get(ranking[0], 0) + n
    return first


# Ranking: instant runoff and Borda -------------------------------------------------------------


def instant_runoff(options: Sequence[int], rankings: Iterable[Sequence[int]]) -> Runoff:
    """Instant runoff over `rankings` (option ids, most preferred first; empty ones take no part).

    Each round counts every continuing ballot for its highest-ranked continuing option; a ballot
    with no continuing option is exhausted. An option with more than half of the round's
    non-exhausted ballots wins, or the last continuing option does. Otherwise the one option with
    the fewest votes is eliminated; a tie for fewest is broken by (1) fewest votes in the round
    before, then the one before that, back to round 1 ("earlier_round"); (2) fewest Borda points
    ("borda"); (3) the option listed last ("order"). No ballots: no rounds and no winner."""
    return _instant_runoff(options, Counter(tuple(r) for r in rankings if r))


def _instant_runoff(options: Sequence[int], rankings: Mapping[tuple[int, ...], int]) -> Runoff:
    ballots = sum(rankings.values())
    if not ballots:
        return Runoff(rounds=(), winner=None)
    points: dict[int, int] | None = None  # Borda points, computed only when a tie needs them
    continuing = list(options)
    rounds: list[Round] = []
    while True:
        still = set(continuing)
        tallies = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, n in rankings.items():
            for option in ranking:
                if option in still:
                    tallies[option] += n
                    break
            else:
                exhausted += n
        active = ballots - exhausted
        majority = [option for option, votes in tallies.items() if 2 * votes > active]
        if majority or len(continuing) == 1:
            winner = majority[0] if majority else continuing[0]
            rounds.append(Round(len(rounds) + 1, tallies, exhausted, None, winner, None))
            return Runoff(rounds=tuple(rounds), winner=winner)
        fewest = min(tallies.values())
        tied = [option for option in continuing if tallies[option] == fewest]
        broken_by = None
        if len(tied) > 1:
            if points is None:
                points = {s.id: s.points for s in _borda(options, rankings)}
            tied, broken_by = _break_tie(tied, rounds, points)
        eliminated = tied[-1]
        rounds.append(Round(len(rounds) + 1, tallies, exhausted, eliminated, None, broken_by))
        continuing.remove(eliminated)


def _break_tie(
    tied: list[int], rounds: Sequence[Round], points: Mapping[int, int]
) -> tuple[list[int], str]:
    """Narrow options tied for fewest votes to the one to eliminate, and the rule that did it.
    `tied` is in listed order, so "order" leaves its last element to be eliminated."""
    for earlier in reversed(rounds):
        fewest = min(earlier.tallies[option] for option in tied)
        tied = [option for option in tied if earlier.tallies[option] == fewest]
        if len(tied) == 1:
            return tied, "earlier_round"
    fewest = min(points[option] for option in tied)
    tied = [option for option in tied if points[option] == fewest]
    if len(tied) == 1:
        return tied, "borda"
    return tied[-1:], "order"


def borda(options: Sequence[int], rankings: Iterable[Sequence[int]]) -> tuple[BordaScore, ...]:
    """Borda points: with n options on the question, the option ranked at position i (0-based) on
    a ballot gets n-1-i points, unranked options none. Sorted by points descending, then in
    listed order."""
    return _borda(options, Counter(tuple(r) for r in rankings if r))


def _borda(
    options: Sequence[int], rankings: Mapping[tuple[int, ...], int]
) -> tuple[BordaScore, ...]:
    n = len(options)
    points = dict.fromkeys(options, 0)
    for ranking, ballots in rankings.items():
        for position, option in enumerate(ranking):
            if option in points:  # an option not on the question scores nothing
                points[option] += (n - 1 - position) * ballots
    listed = {option: index for index, option in enumerate(options)}
    order = sorted(points, key=lambda option: (-points[option], listed[option]))
    return tuple(BordaScore(option, points[option]) for option in order)


def _borda_top(scores: Sequence[BordaScore]) -> tuple[int, ...]:
    """The options sharing the highest score (in listed order, as `scores` keeps ties)."""
    if not scores:
        return ()
    return tuple(s.id for s in scores if s.points == scores[0].points)


def borda_winner(scores: Sequence[BordaScore]) -> int | None:
    """The option with the most Borda points; None when two or more share the top score."""
    top = _borda_top(scores)
    return top[0] if len(top) == 1 else None


# Breakdowns -------------------------------------------------------------------------------------


def suppress_small(groups: Mapping[str, int], minimum: int = BREAKDOWN_MINIMUM) -> set[str]:
    """The groups (district codes, age bands…) that may be shown: those with at least `minimum`
    voters. The others are withheld, since so few votes could identify people."""
    return {group for group, voters in groups.items() if voters >= minimum}


def age_band(age: int) -> str:
    """The band of an age in years: "0-19", "20-29", …, "60-69", "70+"."""
    if age < 0:
        raise ValueError("an age is not negative")
    if age < 20:
        return AGE_BANDS[0]
    if age >= 70:
        return AGE_BANDS[-1]
    return AGE_BANDS[age // 10 - 1]
