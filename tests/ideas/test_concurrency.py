"""Supports at once: one person's many attempts leave one support, many people's supports all
count (the counter and the rows agree), and the threshold moves the idea exactly once. On
PostgreSQL the attempts really overlap; SQLite's test database takes writers in turn."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hamkke.core.errors import Conflict
from tests.ideas.conftest import post
from tests.polls.conftest import phone_voter

ATTEMPTS = 8


def _at_once(calls) -> list:
    start = threading.Barrier(len(calls), timeout=30)
    one_writer = threading.Lock() if connection.vendor == "sqlite" else None
    outcomes: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            start.wait()
            if one_writer is None:
                outcomes[index] = calls[index]()
            else:
                with one_writer:
                    outcomes[index] = calls[index]()
        except Exception as exc:  # the refusals are what is measured
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_persons_supports_at_once_leave_one(city, author, theme):
    from hamkke.ideas.services import support_idea

    idea = post(author, theme)
    person = phone_voter()
    outcomes = _at_once([lambda: support_idea(actor=person, idea=idea)] * ATTEMPTS)
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert outcomes.count(1) == 1, outcomes
    assert len(refused) == ATTEMPTS - 1
    idea.refresh_from_db()
    assert idea.supports == 1 == idea.support_rows.count()


@pytest.mark.django_db(transaction=True)
def test_many_peoples_supports_at_once_all_count_and_cross_the_threshold_once(
    city, author, theme
):
    from hamkke.core.city.selectors import forget_current_city
    from hamkke.ideas.services import support_idea

    profile = dict(city.profile)
    profile["ideas"] = {**profile["ideas"], "forward_supports": ATTEMPTS // 2}
    city.profile = profile
    city.save(update_fields=["profile"])
    forget_current_city()
    idea = post(author, theme)
    people = [phone_voter() for _ in range(ATTEMPTS)]
    outcomes = _at_once([lambda p=p: support_idea(actor=p, idea=idea) for p in people])
    assert sorted(outcomes) == list(range(1, ATTEMPTS + 1)), outcomes
    idea.refresh_from_db()
    assert idea.supports == ATTEMPTS == idea.support_rows.count()
    assert idea.state == "forwarded"
    assert list(idea.transitions.values_list("event", flat=True)) == ["submit", "threshold"]
