"""The Oasis's contests: phases gate every action (entering, voting, scoring, awarding: each
refused outside its phase, nothing stored); one vote per person and entry, at most the contest's
votes per person (and two votes at once); the jury's and the public's parts combined by the
weights, with expected values worked out by hand; tiers given in rank order with their prizes;
the pages (list, contest, entering, voting, jury, winners, certificate), the desk (creating a
contest, jurors, the award after seeing the ranking) and the JSON API."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hamkke.ideas import selectors, services
from hamkke.ideas.models import Award, Contest, ContestVote, Idea, JuryScore, Theme
from tests import factories
from tests.ideas.conftest import post
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.django_db

API = "/api/v1/ideas/contests"
DAY = timedelta(days=1)
# Where a contest's first phase starts, in days from now, so that now falls in the named phase
# (each phase lasts one day; see make_contest).
START = {"upcoming": 1, "submissions": 0, "voting": -1, "jury": -2, "ended": -3}
TIERS = [("Grand prize", 1_000_000, 1), ("Merit award", 300_000, 2)]


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def make_contest(manager, now_in: str = "submissions", *, theme=None, **fields) -> Contest:
    """A contest whose phases last a day each, placed so that now is half a day into
    `now_in` (for "ended": half a day after the end)."""
    start = timezone.now() + START[now_in] * DAY - timedelta(hours=12)
    values = {
        "title": "한강 아이디어 공모전",
        "description": "한강을 더 즐겁게 만드는 아이디어",
        "theme": theme,
        "submissions_open": start,
        "voting_opens": start + DAY,
        "jury_opens": start + 2 * DAY,
        "ends": start + 3 * DAY,
        "jury_weight": 70,
        "public_weight": 30,
        "votes_per_person": 3,
        "tiers": TIERS,
    }
    values.update(fields)
    return services.create_contest(actor=manager, **values)


def during(contest: Contest, phase: str):
    """A moment an hour into `phase` ("ended": an hour after the end; "upcoming": an hour
    before submissions open)."""
    starts = {
        "upcoming": contest.submissions_open - timedelta(hours=2),
        "submissions": contest.submissions_open,
        "voting": contest.voting_opens,
        "jury": contest.jury_opens,
        "ended": contest.ends,
    }
    return starts[phase] + timedelta(hours=1)


def enter(contest: Contest, theme: Theme, title: str, author=None) -> Idea:
    return post(
        author or phone_voter(),
        theme,
        title=title,
        contest=contest,
        now=during(contest, "submissions"),
    )


def vote(contest, idea, voter, phase: str | None = None) -> int:
    now = during(contest, phase) if phase else None
    return services.vote_for_entry(actor=voter, contest=contest, idea=idea, now=now)


def jurors(manager, contest, count: int) -> list:
    people = [factories.make_user() for _ in range(count)]
    for person in people:
        services.appoint_juror(actor=manager, contest=contest, user=person)
    return people


def score(contest, idea, juror, value: int, phase: str = "jury"):
    return services.score_entry(
        actor=juror, contest=contest, idea=idea, score=value, now=during(contest, phase)
    )


def award(manager, contest):
    return services.award_contest(actor=manager, contest=contest, now=during(contest, "ended"))


def page_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_second_factor(user) -> Client:
    """Logged in with password and authenticator code: how officials, and jurors, act."""
    client = Client()
    factories.log_in_official(client, user)
    return client


# --- creating a contest ---------------------------------------------------------------------------


def test_a_contest_is_created_with_its_tiers_in_order_and_a_slug_off_the_fixed_words(
    office_manager, theme
):
    contest = make_contest(office_manager, theme=theme, title="Desk")
    assert contest.slug != "desk" and contest.slug.startswith("desk-")
    tiers = list(contest.tiers.order_by("order"))
    assert [(t.name, t.prize_amount, t.winners, t.order) for t in tiers] == [
        ("Grand prize", 1_000_000, 1, 0),
        ("Merit award", 300_000, 2, 1),
    ]
    assert contest.department.code == "citizen-communication"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"jury_weight": 60, "public_weight": 30}, "jury_weight"),
        ({"tiers": []}, "tiers"),
        ({"votes_per_person": 0}, "votes_per_person"),
    ],
)
def test_a_contest_with_bad_settings_is_refused_and_not_stored(office_manager, fields, field):
    with pytest.raises(InvalidInput) as refused:
        make_contest(office_manager, **fields)
    assert refused.value.field == field
    assert not Contest.objects.exists()


def test_only_the_offices_managers_create_contests(office, theme, handler):
    from hamkke.accounts.models import Role

    office_handler = factories.make_official(role=Role.HANDLER, department=office)
    for person in (office_handler, handler):
        with pytest.raises(NotAllowed):
            make_contest(person)
    assert not Contest.objects.exists()


# --- phases gate every action -----------------------------------------------------------------


@pytest.mark.parametrize("phase", ["upcoming", "voting", "jury", "ended"])
def test_entering_outside_submissions_is_refused_and_stores_nothing(
    office_manager, theme, author, phase
):
    contest = make_contest(office_manager)
    with pytest.raises(Conflict) as refused:
        post(author, theme, contest=contest, now=during(contest, phase))
    assert refused.value.code == "wrong_phase"
    assert not Idea.objects.filter(contest=contest).exists()


def test_an_entry_takes_the_contests_theme(office_manager, theme, author, city):
    contest = make_contest(office_manager, theme=theme)
    other = Theme.objects.filter(city=city).exclude(pk=theme.pk).first()
    with pytest.raises(InvalidInput) as refused:
        post(author, other, contest=contest, now=during(contest, "submissions"))
    assert refused.value.field == "theme"
    assert not Idea.objects.filter(contest=contest).exists()
    idea = post(author, theme, contest=contest, now=during(contest, "submissions"))
    assert idea.contest == contest and idea.theme == theme


@pytest.mark.parametrize("phase", ["upcoming", "submissions", "jury", "ended"])
def test_voting_outside_the_public_vote_is_refused_and_stores_nothing(office_manager, theme, phase):
    contest = make_contest(office_manager)
    idea = enter(contest, theme, "섬 공연장")
    with pytest.raises(Conflict) as refused:
        vote(contest, idea, phone_voter(), phase)
    assert refused.value.code == "wrong_phase"
    assert not ContestVote.objects.exists()


@pytest.mark.parametrize("phase", ["submissions", "voting", "ended"])
def test_scoring_outside_the_jury_phase_is_refused_and_stores_nothing(office_manager, theme, phase):
    contest = make_contest(office_manager)
    idea = enter(contest, theme, "섬 공연장")
    (juror,) = jurors(office_manager, contest, 1)
    with pytest.raises(Conflict) as refused:
        score(contest, idea, juror, 80, phase)
    assert refused.value.code == "wrong_phase"
    assert not JuryScore.objects.exists()


def test_awarding_before_the_end_is_refused_and_stores_nothing(office_manager, theme):
    contest = make_contest(office_manager)
    enter(contest, theme, "섬 공연장")
    for phase in ("voting", "jury"):
        with pytest.raises(Conflict) as refused:
            services.award_contest(
                actor=office_manager, contest=contest, now=during(contest, phase)
            )
        assert refused.value.code == "jury_sitting"
    assert not Award.objects.exists()
    contest.refresh_from_db()
    assert contest.awarded_at is None


def test_awards_are_given_once(office_manager, theme):
    contest = make_contest(office_manager)
    enter(contest, theme, "섬 공연장")
    assert len(award(office_manager, contest)) == 1
    with pytest.raises(Conflict) as refused:
        award(office_manager, contest)
    assert refused.value.code == "already_awarded"
    assert Award.objects.count() == 1


def test_only_jurors_score_and_only_from_0_to_100(office_manager, theme):
    contest = make_contest(office_manager)
    idea = enter(contest, theme, "섬 공연장")
    (juror,) = jurors(office_manager, contest, 1)
    with pytest.raises(NotAllowed) as refused:
        score(contest, idea, factories.make_user(), 50)
    assert refused.value.code == "not_juror"
    for bad in (101, -1, True):
        with pytest.raises(InvalidInput):
            score(contest, idea, juror, bad)
    assert not JuryScore.objects.exists()
    score(contest, idea, juror, 40)
    score(contest, idea, juror, 75)  # changed, not added
    assert list(JuryScore.objects.values_list("score", flat=True)) == [75]


# --- votes --------------------------------------------------------------------------------------


def test_one_vote_per_entry_and_at_most_the_votes_per_person(office_manager, theme):
    contest = make_contest(office_manager, votes_per_person=2)
    first, second, third = (enter(contest, theme, f"제안 {n}") for n in range(3))
    voter = phone_voter()
    assert vote(contest, first, voter, "voting") == 1
    with pytest.raises(Conflict) as again:
        vote(contest, first, voter, "voting")
    assert again.value.code == "already_voted"
    assert vote(contest, second, voter, "voting") == 0
    with pytest.raises(Conflict) as spent:
        vote(contest, third, voter, "voting")
    assert spent.value.code == "no_votes_left"
    assert sorted(ContestVote.objects.values_list("idea", flat=True)) == [first.pk, second.pk]


def test_voting_needs_a_phone_verified_person_not_the_author(office_manager, theme):
    contest = make_contest(office_manager)
    author = phone_voter()
    idea = enter(contest, theme, "섬 공연장", author=author)
    with pytest.raises(NotAllowed) as unverified:
        vote(contest, idea, factories.make_user(), "voting")
    assert unverified.value.code == "verification_required"
    with pytest.raises(NotAllowed) as own:
        vote(contest, idea, author, "voting")
    assert own.value.code == "own_idea"
    assert not ContestVote.objects.exists()


def test_an_idea_of_no_entry_and_a_withdrawn_entry_take_no_votes(office_manager, theme, author):
    contest = make_contest(office_manager)
    outsider = post(author, theme)
    entry = enter(contest, theme, "섬 공연장", author=author)
    services.withdraw_idea(actor=author, idea=entry)
    for idea in (outsider, entry):
        with pytest.raises(NotFound):
            vote(contest, idea, phone_voter(), "voting")
    assert not ContestVote.objects.exists()
    assert list(selectors.contest_entries(contest)) == []


def test_the_database_refuses_a_second_vote_of_one_person_for_one_entry(office_manager, theme):
    contest = make_contest(office_manager)
    idea = enter(contest, theme, "섬 공연장")
    ContestVote.objects.create(contest=contest, idea=idea, identity_key="phone:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContestVote.objects.create(contest=contest, idea=idea, identity_key="phone:1")
    assert ContestVote.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database locks tables across threads",
)
@pytest.mark.django_db(transaction=True)
def test_two_votes_at_once_by_one_person_store_one(city, office_manager, theme):
    """Two requests of one person voting for one entry at the same moment: the contest row's
    lock (SQLite: the write transaction) makes the second see the first; one vote is stored and
    the other refused as already voted."""
    contest = make_contest(office_manager, now_in="voting")
    idea = enter(contest, theme, "섬 공연장")
    voter = phone_voter()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def cast() -> None:
        try:
            barrier.wait()
            services.vote_for_entry(actor=voter, contest=contest, idea=idea)
            outcomes.append("stored")
        except Conflict as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_voted", "stored"]
    assert ContestVote.objects.filter(idea=idea).count() == 1


# --- the ranking: jury and public combined ---------------------------------------------------


def test_jury_and_public_are_combined_by_the_weights_and_tiers_follow_the_ranks(
    office_manager, theme
):
    """Weights 70 (jury) and 30 (public); tiers: one Grand prize, two Merit awards.

    entry  jury scores  mean   votes  public (of 4)   combined = .7 jury + .3 public
    A      80, 90       85.00  2      50.00           59.50 + 15.00 = 74.50
    B      70, 60       65.00  4      100.00          45.50 + 30.00 = 75.50
    C      90, 95       92.50  1      25.00           64.75 +  7.50 = 72.25
    D      (none)        0.00  0       0.00            0.00

    Ranks: B, A, C, D. B wins the Grand prize, A and C the Merit awards, D nothing."""
    contest = make_contest(office_manager)
    a, b, c, d = (enter(contest, theme, title) for title in ("A안", "B안", "C안", "D안"))
    for ballot in ([a, b, c], [a, b], [b], [b]):
        voter = phone_voter()
        for idea in ballot:
            vote(contest, idea, voter, "voting")
    first, second = jurors(office_manager, contest, 2)
    for idea, (one, two) in ((a, (80, 90)), (b, (70, 60)), (c, (90, 95))):
        score(contest, idea, first, one)
        score(contest, idea, second, two)

    awards = {row.idea_id: row for row in award(office_manager, contest)}

    assert set(awards) == {a.pk, b.pk, c.pk} and d.pk not in awards
    expected = {
        b.pk: (1, "Grand prize", 1_000_000, "65.00", "100.00", "75.50"),
        a.pk: (2, "Merit award", 300_000, "85.00", "50.00", "74.50"),
        c.pk: (3, "Merit award", 300_000, "92.50", "25.00", "72.25"),
    }
    for idea_id, (rank, tier, prize, jury, public, combined) in expected.items():
        row = Award.objects.select_related("tier").get(idea_id=idea_id)
        assert (row.rank, row.tier.name, row.tier.prize_amount) == (rank, tier, prize)
        assert (row.jury_score, row.public_score, row.score) == (
            Decimal(jury),
            Decimal(public),
            Decimal(combined),
        )
    assert len({row.certificate for row in awards.values()}) == 3
    contest.refresh_from_db()
    assert contest.awarded_at is not None
    # The winners' authors are told.
    from hamkke.core.models import Notification

    assert Notification.objects.filter(recipient=b.author, title__contains="Grand prize").exists()


def test_a_tie_in_the_combined_score_goes_to_the_better_jury_score(office_manager, theme):
    """Weights 50/50. X: jury 80, 1 vote of the most 2 → public 50, combined 40 + 25 = 65.
    Y: jury 30, 2 votes → public 100, combined 15 + 50 = 65. Tied: X ranks first (the better
    jury score), Y second."""
    contest = make_contest(
        office_manager, jury_weight=50, public_weight=50, tiers=[("Prize", 500, 1)]
    )
    x, y = enter(contest, theme, "X안"), enter(contest, theme, "Y안")
    both, only_y = phone_voter(), phone_voter()
    vote(contest, x, both, "voting")
    vote(contest, y, both, "voting")
    vote(contest, y, only_y, "voting")
    (juror,) = jurors(office_manager, contest, 1)
    score(contest, x, juror, 80)
    score(contest, y, juror, 30)
    standings = selectors.contest_standings(contest)
    assert [(s.idea.pk, s.ranked.score, s.ranked.rank) for s in standings] == [
        (x.pk, Decimal("65.00"), 1),
        (y.pk, Decimal("65.00"), 2),
    ]
    assert [s.tier.name if s.tier else None for s in standings] == ["Prize", None]
    (only,) = award(office_manager, contest)
    assert only.idea_id == x.pk


# --- pages ----------------------------------------------------------------------------------------


def test_the_list_shows_each_contests_phase_and_dates(client, office_manager):
    make_contest(office_manager, "submissions", title="Open call")
    make_contest(office_manager, "voting", title="Vote now")
    make_contest(office_manager, "ended", title="All done")
    response = client.get(reverse("ideas:contests"))
    assert response.status_code == 200
    html = response.content.decode()
    for slug, phase, label in (
        ("open-call", "submissions", "Taking entries"),
        ("vote-now", "voting", "Public vote"),
        ("all-done", "ended", "Ended"),
    ):
        item = html[html.index(f'id="contest-{slug}"') :]
        item = item[: item.index("</li>")]
        assert f"phase-{phase}" in item and label in item


def test_a_contest_taking_entries_offers_the_form_and_shows_no_counts(
    client, office_manager, theme
):
    contest = make_contest(office_manager, theme=theme, description="Ideas for the river")
    enter(contest, theme, "섬 공연장")
    response = client.get(reverse("ideas:contest", args=[contest.slug]))
    text = page_text(response)
    assert "Ideas for the river" in text and theme.display_name in text
    assert "Grand prize ₩1,000,000 · 1 winner" in text
    assert "Merit award ₩300,000 · 2 winners" in text
    assert "섬 공연장" in text and 'class="votes"' not in response.content.decode()
    # Anonymous: told to log in; signed in: the link to the form.
    assert 'id="enter-link"' not in response.content.decode()
    response = logged_in(phone_voter()).get(reverse("ideas:contest", args=[contest.slug]))
    assert reverse("ideas:contest-enter", args=[contest.slug]) in response.content.decode()


def test_the_entry_form_posts_an_idea_of_the_contests_theme(office_manager, theme):
    contest = make_contest(office_manager, theme=theme)
    person = phone_voter()
    client = logged_in(person)
    url = reverse("ideas:contest-enter", args=[contest.slug])
    page = client.get(url)
    assert page.status_code == 200 and 'name="theme"' not in page.content.decode()
    response = client.post(url, {"title": "강변 야외 도서관", "body": "책을 빌려 읽는 강변."})
    idea = Idea.objects.get(contest=contest)
    assert response.status_code == 302 and response.url.endswith(f"#entry-{idea.pk}")
    assert (idea.title, idea.theme, idea.author) == ("강변 야외 도서관", theme, person)
    refused = client.post(url, {"title": "", "body": "x"})
    assert refused.status_code == 400 and Idea.objects.filter(contest=contest).count() == 1


def test_the_entry_form_is_refused_outside_submissions(office_manager, theme):
    contest = make_contest(office_manager, "voting")
    client = logged_in(phone_voter())
    url = reverse("ideas:contest-enter", args=[contest.slug])
    response = client.post(url, {"title": "늦은 제안", "body": "늦었습니다.", "theme": theme.pk})
    assert response.status_code == 409
    assert "takes entries only while submissions are open" in page_text(response)
    assert not Idea.objects.filter(contest=contest).exists()


def test_a_person_votes_on_the_page_and_sees_the_votes_left(office_manager, theme):
    contest = make_contest(office_manager, "voting", votes_per_person=2)
    first = enter(contest, theme, "섬 공연장")
    second = enter(contest, theme, "강변 도서관")
    client = logged_in(phone_voter())
    page_url = reverse("ideas:contest", args=[contest.slug])
    before = client.get(page_url)
    assert "You have 2 votes left." in page_text(before)
    assert reverse("ideas:contest-vote", args=[contest.slug, first.pk]) in before.content.decode()

    response = client.post(reverse("ideas:contest-vote", args=[contest.slug, first.pk]))
    assert response.status_code == 302 and response.url.endswith(f"#entry-{first.pk}")
    after = client.get(page_url)
    text = page_text(after)
    assert "Your vote for “섬 공연장” is counted. You have 1 vote left." in text
    assert "You have 1 vote left." in text and "You voted" in text
    html = after.content.decode()
    entry = html[html.index(f'id="entry-{first.pk}"') : html.index(f'id="entry-{second.pk}"')]
    assert "1 vote" in entry and "contest-vote" not in entry
    assert ContestVote.objects.filter(idea=first).count() == 1


def test_a_vote_is_refused_on_the_page_with_the_reason(office_manager, theme):
    contest = make_contest(office_manager, "voting")
    idea = enter(contest, theme, "섬 공연장")
    url = reverse("ideas:contest-vote", args=[contest.slug, idea.pk])
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "login" in anonymous.url
    unverified = logged_in(factories.make_user())
    page = unverified.get(reverse("ideas:contest", args=[contest.slug]))
    assert "This needs a verified identity." in page_text(page)
    assert url not in page.content.decode()
    response = unverified.post(url, follow=True)
    assert "This needs a verified identity." in page_text(response)
    assert not ContestVote.objects.exists()


def test_the_jury_page_takes_a_jurors_scores(office_manager, theme):
    contest = make_contest(office_manager, "jury")
    first = enter(contest, theme, "섬 공연장")
    second = enter(contest, theme, "강변 도서관")
    (juror,) = jurors(office_manager, contest, 1)
    url = reverse("ideas:contest-jury", args=[contest.slug])
    # A juror confirms with an authenticator code, as experts do: without one, the page asks
    # for it to be set up.
    assert logged_in(juror).get(url).url == reverse("mfa_activate_totp")
    client = with_second_factor(juror)
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="score_{first.pk}"' in page.content.decode()
    response = client.post(url, {f"score_{first.pk}": "88", f"score_{second.pk}": ""})
    assert response.status_code == 302
    assert dict(JuryScore.objects.values_list("idea", "score")) == {first.pk: 88}
    bad = client.post(url, {f"score_{first.pk}": "101", f"score_{second.pk}": "50"})
    assert bad.status_code == 400
    assert dict(JuryScore.objects.values_list("idea", "score")) == {first.pk: 88}
    assert logged_in(factories.make_user()).get(url).status_code == 403


def test_the_jury_page_outside_the_jury_phase_shows_the_reason_and_stores_nothing(
    office_manager, theme
):
    contest = make_contest(office_manager, "voting")
    idea = enter(contest, theme, "섬 공연장")
    (juror,) = jurors(office_manager, contest, 1)
    client = with_second_factor(juror)
    url = reverse("ideas:contest-jury", args=[contest.slug])
    page = client.get(url)
    assert "The jury scores entries only in the jury phase." in page_text(page)
    assert f'name="score_{idea.pk}"' not in page.content.decode()
    response = client.post(url, {f"score_{idea.pk}": "70"})
    assert response.status_code == 409
    assert not JuryScore.objects.exists()


def test_an_officials_jury_page_asks_for_the_second_factor(office_manager, theme):
    contest = make_contest(office_manager, "jury")
    services.appoint_juror(actor=office_manager, contest=contest, user=office_manager)
    response = logged_in(office_manager).get(reverse("ideas:contest-jury", args=[contest.slug]))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


@pytest.fixture
def finished(office_manager, theme):
    """An awarded contest: B (Grand prize) and A (Merit award) with a co-author; C entered
    too. Weights 70/30. A: jury 90, 1 vote (the most) → public 100 → 63 + 30 = 93.00.
    B: jury 95, 1 vote → 66.50 + 30 = 96.50. C: jury 10, no vote → 7.00, past the prizes."""
    tiers = [("Grand prize", 1_000_000, 1), ("Merit award", 300_000, 1)]
    contest = make_contest(office_manager, "ended", tiers=tiers)
    coauthor = factories.make_user(display_name="이공저")
    a_author = phone_voter(display_name="김제안")
    a = services.post_idea(
        actor=a_author,
        theme=theme,
        title="A안",
        body="내용",
        coauthors=[coauthor],
        contest=contest,
        now=during(contest, "submissions"),
    )
    b = enter(contest, theme, "B안 한강 섬", author=phone_voter(display_name="박수상"))
    c = enter(contest, theme, "C안")
    voter = phone_voter()
    vote(contest, a, voter, "voting")
    vote(contest, b, voter, "voting")
    (juror,) = jurors(office_manager, contest, 1)
    for idea, value in ((a, 90), (b, 95), (c, 10)):
        score(contest, idea, juror, value)
    services.award_contest(actor=office_manager, contest=contest)
    contest.refresh_from_db()
    return contest, a, b, c


def test_the_winners_page_lists_the_awards_by_rank_with_public_names_only(
    client, office_manager, finished
):
    contest, a, b, _c = finished
    response = client.get(reverse("ideas:contest-winners", args=[contest.slug]))
    text = page_text(response)
    assert text.index("B안 한강 섬") < text.index("A안")
    assert "Grand prize · ₩1,000,000" in text and "Merit award · ₩300,000" in text
    assert "Score 96.50 (jury 95.00, public 100.00)" in text
    assert "Score 93.00 (jury 90.00, public 100.00)" in text
    assert "By 박수상" in text and "By 김제안, 이공저" in text
    html = response.content.decode()
    for person in (a.author, b.author):
        assert person.email not in html
    assert "C안" not in text
    pending = make_contest(office_manager, "jury", title="Still judging")
    text = page_text(client.get(reverse("ideas:contest-winners", args=[pending.slug])))
    assert "The winners are published once the jury has finished." in text


def test_the_certificate_and_its_verification_page(client, finished):
    contest, _a, b, _c = finished
    row = Award.objects.get(contest=contest, rank=1)
    page = client.get(reverse("ideas:contest-certificate", args=[row.certificate]))
    text = page_text(page)
    for stated in (row.certificate, "박수상", "B안 한강 섬", "Grand prize", "₩1,000,000"):
        assert stated in text
    assert contest.title in text
    pdf = client.get(reverse("ideas:contest-certificate-pdf", args=[row.certificate]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("ideas:contest-certificate", args=["OASIS-NOPE"])).status_code == 404
    # A moderator hid the idea: its certificate is served no more.
    Idea.objects.filter(pk=b.pk).update(hidden_at=timezone.now())
    assert (
        client.get(reverse("ideas:contest-certificate-pdf", args=[row.certificate])).status_code
        == 404
    )


# --- the desk -------------------------------------------------------------------------------------


def contest_form(theme, **fields) -> dict:
    start = timezone.localtime() + DAY
    moment = "%Y-%m-%dT%H:%M"
    data = {
        "title": "Riverside ideas",
        "description": "For the river",
        "theme": str(theme.pk),
        "submissions_open": start.strftime(moment),
        "voting_opens": (start + 7 * DAY).strftime(moment),
        "jury_opens": (start + 14 * DAY).strftime(moment),
        "ends": (start + 21 * DAY).strftime(moment),
        "jury_weight": "60",
        "public_weight": "40",
        "votes_per_person": "5",
        "currency": "krw",
        "tiers": "Grand prize | 5,000,000 | 1\nMerit | 1000000 | 3\n",
    }
    data.update(fields)
    return data


def test_the_desk_creates_a_contest_with_its_tiers(office_manager, theme):
    client = with_second_factor(office_manager)
    url = reverse("ideas:desk-contest-new")
    response = client.post(url, contest_form(theme))
    contest = Contest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ideas:desk-contest", args=[contest.slug])
    assert (contest.jury_weight, contest.public_weight, contest.votes_per_person) == (60, 40, 5)
    assert (contest.currency, contest.theme) == ("KRW", theme)
    assert list(contest.tiers.values_list("name", "prize_amount", "winners")) == [
        ("Grand prize", 5_000_000, 1),
        ("Merit", 1_000_000, 3),
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"public_weight": "30"}, "The two weights add up to 100."),
        ({"tiers": "Grand prize | lots | 1"}, "Line 1: write name | prize amount | winners."),
        (
            {"ends": (timezone.localtime() + DAY).strftime("%Y-%m-%dT%H:%M")},
            "Submissions, the public vote, the jury and the end must follow one another.",
        ),
    ],
)
def test_the_desk_form_shows_what_is_wrong_and_stores_nothing(
    office_manager, theme, fields, message
):
    response = with_second_factor(office_manager).post(
        reverse("ideas:desk-contest-new"), contest_form(theme, **fields)
    )
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Contest.objects.exists()


def test_the_desk_is_for_officials_and_creating_for_the_offices_managers(client, handler, theme):
    assert Client().get(reverse("ideas:desk-contests")).status_code == 302
    assert logged_in(phone_voter()).get(reverse("ideas:desk-contests")).status_code == 403
    official = with_second_factor(handler)
    assert official.get(reverse("ideas:desk-contests")).status_code == 200
    assert official.post(reverse("ideas:desk-contest-new"), contest_form(theme)).status_code == 403
    assert not Contest.objects.exists()


def test_the_desk_appoints_a_juror_by_email(office_manager):
    contest = make_contest(office_manager)
    person = factories.make_user(email="juror@example.org")
    client = with_second_factor(office_manager)
    url = reverse("ideas:desk-contest-jurors", args=[contest.slug])
    response = client.post(url, {"email": "JUROR@example.org"})
    assert response.status_code == 302
    assert list(contest.jurors.values_list("user", flat=True)) == [person.pk]
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert unknown.status_code == 400
    assert "No account has this email address" in unescape(unknown.content.decode())
    assert contest.jurors.count() == 1
    screen = client.get(reverse("ideas:desk-contest", args=[contest.slug]))
    html = screen.content.decode()
    jurors_list = html[html.index('id="jurors"') :]
    assert "juror@example.org" in jurors_list[: jurors_list.index("</ul>")]
    # Taking entries: the award is not offered, and the screen says until when.
    assert reverse("ideas:desk-contest-award", args=[contest.slug]) not in html
    assert "Awards are given once the jury has finished" in page_text(screen)


def test_the_desk_shows_the_ranking_before_the_award_is_confirmed(office_manager, theme):
    contest = make_contest(office_manager, "ended", tiers=[("Grand prize", 2_000_000, 1)])
    first, second = enter(contest, theme, "섬 공연장"), enter(contest, theme, "강변 도서관")
    voter = phone_voter()
    vote(contest, second, voter, "voting")
    (juror,) = jurors(office_manager, contest, 1)
    score(contest, first, juror, 50)
    score(contest, second, juror, 40)
    # first: 35.00 + 0 = 35.00; second: 28.00 + 30.00 = 58.00.
    client = with_second_factor(office_manager)
    url = reverse("ideas:desk-contest-award", args=[contest.slug])
    page = client.get(url)
    html = page.content.decode()
    row = html[html.index('id="rank-1"') : html.index('id="rank-2"')]
    assert "강변 도서관" in row and "40.00" in row and "100.00" in row and "58.00" in row
    assert "Grand prize" in row and "₩2,000,000" in row
    assert 'id="award-form"' in html and not Award.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("ideas:contest-winners", args=[contest.slug])
    assert list(Award.objects.values_list("idea", "rank")) == [(second.pk, 1)]


def test_the_desk_refuses_the_award_before_the_end(office_manager, theme):
    contest = make_contest(office_manager, "jury")
    client = with_second_factor(office_manager)
    url = reverse("ideas:desk-contest-award", args=[contest.slug])
    page = client.get(url)
    assert 'id="award-form"' not in page.content.decode()
    assert "Awards are given once the jury has finished" in page_text(page)
    client.post(url)
    assert not Award.objects.exists()


# --- the API --------------------------------------------------------------------------------------


def api_post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_the_api_lists_contests_and_gives_one_with_its_tiers_and_phase(office_manager, theme):
    contest = make_contest(office_manager, "voting", theme=theme, currency="USD")
    listed = Client().get(f"{API}/").json()
    assert listed["count"] == 1
    assert listed["items"][0]["slug"] == contest.slug
    assert listed["items"][0]["phase"] == "voting"
    one = Client().get(f"{API}/{contest.slug}").json()
    assert one["theme"] == theme.code and one["me"] is None
    assert one["tiers"] == [
        {
            "name": "Grand prize",
            "order": 0,
            "prize_amount": 1_000_000,
            "prize": "$1,000,000",
            "winners": 1,
        },
        {
            "name": "Merit award",
            "order": 1,
            "prize_amount": 300_000,
            "prize": "$300,000",
            "winners": 2,
        },
    ]
    assert (one["jury_weight"], one["public_weight"], one["currency"]) == (70, 30, "USD")
    missing = Client().get(f"{API}/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_contest"


def test_the_api_votes_and_says_what_is_left(office_manager, theme):
    contest = make_contest(office_manager, "voting", votes_per_person=2)
    idea = enter(contest, theme, "섬 공연장")
    voter = phone_voter()
    client = logged_in(voter)
    url = f"{API}/{contest.slug}/entries/{idea.pk}/vote"
    first = api_post(client, url)
    assert first.status_code == 201 and first.json() == {"votes_left": 1}
    again = api_post(client, url)
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    assert api_post(Client(), url).status_code == 401
    unverified = api_post(logged_in(factories.make_user()), url)
    assert unverified.status_code == 403 and unverified.json()["code"] == "verification_required"
    me = client.get(f"{API}/{contest.slug}").json()["me"]
    assert me == {"votes_left": 1, "voted_for": [idea.pk], "juror": False}
    entries = client.get(f"{API}/{contest.slug}/entries").json()
    assert [(e["id"], e["votes"]) for e in entries] == [(idea.pk, 1)]
    assert ContestVote.objects.count() == 1


def test_the_api_hides_counts_and_refuses_votes_while_taking_entries(office_manager, theme):
    contest = make_contest(office_manager, "submissions")
    idea = enter(contest, theme, "섬 공연장")
    entries = Client().get(f"{API}/{contest.slug}/entries").json()
    assert [(e["id"], e["title"], e["votes"]) for e in entries] == [(idea.pk, "섬 공연장", None)]
    response = api_post(logged_in(phone_voter()), f"{API}/{contest.slug}/entries/{idea.pk}/vote")
    assert response.status_code == 409 and response.json()["code"] == "wrong_phase"
    assert not ContestVote.objects.exists()


def test_the_api_takes_a_jurors_score_in_the_jury_phase(office_manager, theme):
    contest = make_contest(office_manager, "jury")
    idea = enter(contest, theme, "섬 공연장")
    (juror,) = jurors(office_manager, contest, 1)
    url = f"{API}/{contest.slug}/entries/{idea.pk}/score"
    without_code = api_post(logged_in(juror), url, {"score": 77})
    assert without_code.status_code == 403
    assert without_code.json()["code"] == "second_factor_required"
    client = with_second_factor(juror)
    response = api_post(client, url, {"score": 77})
    assert response.status_code == 200 and response.json()["score"] == 77
    refused = api_post(logged_in(factories.make_user()), url, {"score": 77})
    assert refused.status_code == 403 and refused.json()["code"] == "not_juror"
    invalid = api_post(client, url, {"score": 101})
    assert invalid.status_code in (400, 422)
    assert list(JuryScore.objects.values_list("score", flat=True)) == [77]


def test_the_api_awards_after_the_end_and_lists_the_winners(office_manager, theme):
    running = make_contest(office_manager, "jury", title="Running")
    ended = make_contest(office_manager, "ended", title="Ended", tiers=[("Grand prize", 10, 1)])
    idea = enter(ended, theme, "섬 공연장", author=phone_voter(display_name="최수상"))
    official = with_second_factor(office_manager)
    early = api_post(official, f"{API}/{running.slug}/award")
    assert early.status_code == 409 and early.json()["code"] == "jury_sitting"
    assert Client().get(f"{API}/{ended.slug}/winners").json() == {"awarded_at": None, "items": []}
    citizen = api_post(logged_in(phone_voter()), f"{API}/{ended.slug}/award")
    assert citizen.status_code == 403
    assert not Award.objects.exists()
    response = api_post(official, f"{API}/{ended.slug}/award")
    assert response.status_code == 201
    (winner,) = Client().get(f"{API}/{ended.slug}/winners").json()["items"]
    assert (winner["rank"], winner["idea"], winner["tier"], winner["prize"]) == (
        1,
        idea.pk,
        "Grand prize",
        "₩10",
    )
    assert winner["authors"] == ["최수상"]
    assert winner["certificate_url"].endswith(f"{winner['certificate']}.pdf")
