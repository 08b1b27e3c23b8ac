"""The M-Voting demo: closed polls whose published files, results and breakdown counts agree with
the ballots stored, decisions of every outcome, a poll the demo citizen can vote in, a code poll
whose printed codes work, an upcoming poll and a proposal collecting supports; seeding twice
changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from hamkke.accounts import demo as accounts_demo
from hamkke.accounts.models import User
from hamkke.core.errors import Conflict
from hamkke.polls import demo, recount, selectors, services
from hamkke.polls.models import (
    Answer,
    Ballot,
    Dimension,
    GroupCount,
    Kind,
    Participation,
    Poll,
    Support,
    VotingCode,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BALLOTS = 600
# The closed polls hold 100 %, 70 % and 50 % of the size asked for (demo.CLOSED).
CLOSED_SIZES = {
    "seoul-character-2023": 600,
    "ttareungyi-fares-2024": 420,
    "hangang-no-smoking-2024": 300,
}


@pytest.fixture
def seeded(city):
    list(accounts_demo.seed())
    return list(demo.seed(ballots=BALLOTS))


def poll(slug: str) -> Poll:
    return Poll.objects.get(slug=slug)


def test_every_kind_of_poll_is_there(seeded):
    now = timezone.now()
    statuses = {p.slug: p.status(now) for p in Poll.objects.all()}
    assert statuses == {
        "seoul-character-2023": "closed",
        "ttareungyi-fares-2024": "closed",
        "hangang-no-smoking-2024": "closed",
        "night-subway-2026": "open",
        "pedestrian-streets-forum-2026": "open",
        "bus-routes-2026": "upcoming",
        "academy-hours-proposal": "proposed",
    }
    assert poll("pedestrian-streets-forum-2026").eligibility == "codes"
    assert poll("night-subway-2026").eligibility == "verified"
    proposal = poll("academy-hours-proposal")
    assert proposal.origin == "citizen" and proposal.proposer.email == demo.PROPOSER
    assert Support.objects.filter(poll=proposal).count() == demo.SUPPORTS
    assert services.polls_settings().support_threshold > demo.SUPPORTS
    kinds = set(poll("seoul-character-2023").questions.values_list("kind", flat=True))
    assert Kind.RANKING in kinds


def test_closed_polls_are_published_with_a_decision_of_each_outcome(seeded):
    closed = Poll.objects.filter(slug__in=CLOSED_SIZES)
    assert all(p.published_at and p.chain_head and p.ballots_folder for p in closed)
    assert {p.outcome for p in closed} == {"adopted", "partly_adopted", "not_adopted"}
    assert all(p.decision and p.decided_at for p in closed)
    assert {p.slug for p in selectors.adopted_polls()} == {
        "seoul-character-2023",
        "ttareungyi-fares-2024",
    }


def test_counts_of_the_closed_polls_equal_the_ballots_stored(seeded):
    for slug, size in CLOSED_SIZES.items():
        closed = poll(slug)
        assert Ballot.objects.filter(poll=closed).count() == size
        assert Participation.objects.filter(poll=closed).count() == size
        results = selectors.count_results(closed)
        assert results.ballots == size and results.final
        questions = list(closed.questions.order_by("order"))
        counted = {
            # A ranking's votes are its first preferences: the answers at position 0.
            option: n
            for option, n in Counter(
                Answer.objects.filter(ballot__poll=closed)
                .exclude(option__question__kind=Kind.RANKING, position__gt=0)
                .values_list("option_id", flat=True)
            ).items()
        }
        for question, result in zip(questions, results.questions, strict=True):
            for option in result.options:
                assert option.votes == counted.get(option.id, 0), (slug, question.text)
        # Every demo voter of a closed poll lives in a district and has an age: each dimension's
        # groups add up to the ballots, and each option's group counts to its votes.
        for dimension in (Dimension.DISTRICT, Dimension.AGE):
            rows = GroupCount.objects.filter(poll=closed, dimension=dimension)
            voters = sum(rows.filter(option__isnull=True).values_list("votes", flat=True))
            assert voters == size, (slug, dimension)
            by_option = Counter()
            for option, votes in rows.filter(option__isnull=False).values_list(
                "option_id", "votes"
            ):
                by_option[option] += votes
            assert dict(by_option) == {o: n for o, n in counted.items() if n}, (slug, dimension)
        assert len(GroupCount.objects.filter(poll=closed, dimension="district", option=None)) > 5


def test_the_recount_agrees_with_a_published_demo_poll(seeded, tmp_path):
    closed = poll("seoul-character-2023")
    folder = Path(tmp_path / "published")
    folder.mkdir()
    for name in ("poll.json", "ballots.jsonl", "results.json"):
        with default_storage.open(f"{closed.ballots_folder}/{name}") as stored:
            (folder / name).write_bytes(stored.read())
    report = recount.recount(folder)
    assert report.agrees, report.findings
    assert report.ballots == CLOSED_SIZES["seoul-character-2023"]
    ranking = next(r for r in report.results if r.kind == Kind.RANKING)
    assert ranking.winner == selectors.results_of(closed).questions[0].winner


def test_the_demo_citizen_can_vote_in_the_open_poll(seeded):
    subway = poll("night-subway-2026")
    assert selectors.turnout(subway) == demo.OPEN_BALLOTS
    assert selectors.count_results(subway).ballots == demo.OPEN_BALLOTS
    citizen = User.objects.get(email=demo.CITIZEN)
    (first, second) = subway.questions.order_by("order")
    yes = first.options.order_by("order").first()
    lines = list(second.options.order_by("order").values_list("pk", flat=True)[:2])
    cast = services.cast_ballot(
        actor=citizen, poll=subway, answers={first.pk: [yes.pk], second.pk: lines}
    )
    assert selectors.find_ballot(subway, cast.receipt).answers == {
        first.pk: [yes.pk],
        second.pk: lines,
    }
    assert selectors.turnout(subway) == demo.OPEN_BALLOTS + 1
    with pytest.raises(Conflict):
        services.cast_ballot(actor=citizen, poll=subway, answers={first.pk: [yes.pk]})


def test_the_printed_voting_codes_work_once(seeded):
    forum = poll("pedestrian-streets-forum-2026")
    line = next(line for line in seeded if "demo voting codes" in line)
    printed = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", line)
    assert len(printed) == demo.CODES_SHOWN
    assert VotingCode.objects.filter(poll=forum).count() == demo.CODES_MADE
    assert selectors.turnout(forum) == demo.CODE_BALLOTS
    question = forum.questions.get()
    option = question.options.order_by("order").first()
    for code in printed:
        services.cast_ballot(actor=None, poll=forum, answers={question.pk: [option.pk]}, code=code)
    with pytest.raises(Conflict):
        services.cast_ballot(
            actor=None, poll=forum, answers={question.pk: [option.pk]}, code=printed[0]
        )
    assert selectors.turnout(forum) == demo.CODE_BALLOTS + demo.CODES_SHOWN


def test_seeding_again_changes_nothing(seeded):
    assert re.match(r"M-Voting: .* in \d+\.\d s\.$", seeded[0])
    before = (
        Poll.objects.count(),
        Ballot.objects.count(),
        Participation.objects.count(),
        GroupCount.objects.count(),
    )
    again = list(demo.seed(ballots=BALLOTS))
    assert again[0] == "M-Voting: demo polls already there."
    assert again[1] == next(line for line in seeded if "demo voting codes" in line)
    assert (
        Poll.objects.count(),
        Ballot.objects.count(),
        Participation.objects.count(),
        GroupCount.objects.count(),
    ) == before
