"""The citizens' and the public's pages of M-Voting: the polls by status, a poll with its ballot
or the reason the person may not vote, casting through the form (one ballot stored, refusals
stored nothing and keep what was chosen), changing one's vote, voting codes, the receipt and
its lookup, results hidden or shown with the runoff rounds, breakdowns and published files,
proposing and supporting a poll, a rejected proposal, and the adopted results."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from hamkke.polls import selectors, services
from hamkke.polls.models import Ballot, Participation, PendingBallot, Poll, State, Support
from hamkke.polls.profile import PollsSection
from hamkke.polls.services import QuestionDraft
from tests import factories
from tests.polls.conftest import make_poll, options_of, phone_voter, resident_voter

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}")
JONGNO, JUNG, MAPO = "11110", "11140", "11440"
SECTIONS = ("open", "upcoming", "proposed", "closed")


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def page_text(response) -> str:
    """The words of the page's <main>, tags taken out and spaces collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def park_poll(actor, department, **fields):
    """A poll open now: a single choice of three and a ranking of four options."""
    questions = [
        QuestionDraft(text="Build the park?", kind="single", options=["Yes", "No", "Unsure"]),
        QuestionDraft(
            text="Rank what it should have",
            kind="ranking",
            options=["Playground", "Library", "Lawn", "Parking"],
        ),
    ]
    fields.setdefault("questions", questions)
    fields.setdefault("title", "A floating park on the Han")
    return make_poll(actor, department, **fields)


def propose(proposer, title: str) -> Poll:
    """A citizen's proposed poll of one yes-or-no question."""
    return services.propose_poll(
        actor=proposer,
        draft=services.PollDraft(
            title=title,
            description="Why not?",
            questions=[QuestionDraft(text="Agree?", options=["Yes", "No"])],
        ),
    )


def ballot_data(poll, single: int | None, ranking: list[int]) -> dict[str, str]:
    (q1, q2), _options = options_of(poll)
    data = {f"q{q2}_{rank}": str(option) for rank, option in enumerate(ranking, start=1)}
    if single is not None:
        data[f"q{q1}"] = str(single)
    return data


def vote_url(poll) -> str:
    return reverse("polls:vote", args=[poll.slug])


def logged_in(client, user):
    factories.log_in(client, user)
    return client


# --- lists -----------------------------------------------------------------------------------


def test_the_index_lists_polls_by_status_with_supports_and_outcomes(
    client, poll_manager, department
):
    now = timezone.now()
    park_poll(poll_manager, department, title="Open one")
    park_poll(
        poll_manager,
        department,
        title="Later one",
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=9),
    )
    closed = park_poll(
        poll_manager,
        department,
        title="Closed one",
        opens_at=now - timedelta(days=9),
        closes_at=now - timedelta(days=2),
    )
    Poll.objects.filter(pk=closed.pk).update(outcome="partly_adopted")
    proposer = phone_voter()
    proposed = propose(proposer, "Citizens ask")
    services.support_poll(actor=phone_voter(), poll=proposed)
    rejected = propose(proposer, "Turned down")
    services.reject_proposal(actor=poll_manager, poll=rejected, department=department, reason="x")

    response = client.get(reverse("polls:index"))
    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    # Each poll in its own section, in the page's order: open, upcoming, proposed, closed.
    sections = [html.index(f'<section aria-labelledby="{s}-title"') for s in SECTIONS]
    places = [html.index(f">{title}</a>") for title in ("Open one", "Later one", "Citizens ask")]
    assert sections[0] < places[0] < sections[1] < places[1] < sections[2] < places[2]
    assert sections[2] < sections[3] < html.index(">Closed one</a>")
    # The default threshold is 500 supports; one person supported.
    assert "1 of 500 supports" in text
    assert "Partly adopted" in text
    assert "Turned down" not in text
    assert reverse("polls:adopted") in html


def test_the_adopted_page_counts_the_results_taken_into_policy(client, poll_manager, department):
    now = timezone.now()
    decided = []
    for title, outcome in (("Parks", "adopted"), ("Lights", "partly_adopted"), ("Cars", "")):
        poll = park_poll(poll_manager, department, title=title)
        decided.append(poll)
        if outcome:
            Poll.objects.filter(pk=poll.pk).update(
                outcome=outcome, decision=f"Decided on {title}.", decided_at=now
            )
    Poll.objects.filter(pk=decided[2].pk).update(outcome="not_adopted", decided_at=now)
    response = client.get(reverse("polls:adopted"))
    text = page_text(response)
    assert "2 results adopted into policy" in text
    assert "Adopted 1 Partly adopted 1 Not adopted 1" in text
    assert "Parks" in text and "Lights" in text and "Decided on Lights." in text
    assert "Cars" not in text


# --- a poll and its ballot --------------------------------------------------------------------


def test_the_poll_page_shows_the_ballot_to_a_verified_person(client, poll_manager, department):
    poll = park_poll(poll_manager, department, description="Ask the river.")
    (q1, q2), (_single, _ranking) = options_of(poll)
    response = logged_in(client, phone_voter()).get(poll.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert "Ask the river." in text
    assert "Everyone verified by a mobile phone in their name may vote, once." in text
    assert html.count(f'type="radio" name="q{q1}"') == 3
    # A ranking of four options is four numbered selects, each offering every option.
    for rank in range(1, 5):
        assert f'name="q{q2}_{rank}"' in html
        assert f"Choice {rank}" in text
    assert 'name="q2_5"' not in html and f'name="q{q2}_5"' not in html
    assert f'action="{vote_url(poll)}"' in html
    assert 'name="code"' not in html


def test_someone_who_may_not_vote_is_told_why_and_offered_no_ballot(
    client, poll_manager, department
):
    poll = park_poll(poll_manager, department)
    response = client.get(poll.get_absolute_url())
    text = page_text(response)
    assert "Log in to vote in this poll." in text
    assert 'id="ballot"' not in response.content.decode()
    unverified = factories.make_user()
    response = logged_in(client, unverified).get(poll.get_absolute_url())
    html = response.content.decode()
    assert "This needs a verified identity." in page_text(response)
    assert reverse("accounts:verify-phone") in html
    assert 'id="ballot"' not in html
    # Sending a ballot anyway stores nothing and says the same.
    (_q1, _q2), (single, ranking) = options_of(poll)
    response = client.post(vote_url(poll), ballot_data(poll, single[0], [ranking[0]]))
    assert response.status_code == 403
    assert "This needs a verified identity." in page_text(response)
    assert not Participation.objects.filter(poll=poll).exists()
    assert not PendingBallot.objects.filter(poll=poll).exists()


def test_a_district_poll_tells_a_resident_of_another_district_why_not(
    client, poll_manager, department
):
    from hamkke.core.models import District

    jongno = District.objects.get(city__slug="seoul", code=JONGNO)
    poll = park_poll(poll_manager, department, eligibility="districts", districts=[jongno])
    outsider = resident_voter(district_code=MAPO)
    response = logged_in(client, outsider).get(poll.get_absolute_url())
    text = page_text(response)
    assert f"This poll is for residents of {jongno.display_name}." in text
    assert 'id="ballot"' not in response.content.decode()


def test_voting_through_the_form_stores_one_ballot_and_shows_its_receipt(
    client, poll_manager, department
):
    poll = park_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    logged_in(client, phone_voter())
    # Lawn first, then Playground; Library and Parking not ranked.
    response = client.post(vote_url(poll), ballot_data(poll, single[1], [ranking[2], ranking[0]]))
    assert response.status_code == 201
    text = page_text(response)
    receipt = RECEIPT.search(text).group(0)
    assert "Your ballot is cast" in text
    assert "Build the park? No Rank what it should have Lawn Playground How to check it" in text
    assert "It does not prove who cast it" in text
    assert f"python -m hamkke.polls.recount {poll.slug}/ --receipt {receipt}" in text
    lookup = f"{reverse('polls:receipt', args=[poll.slug])}?receipt={receipt}"
    assert lookup in response.content.decode()
    assert Participation.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 1
    found = selectors.find_ballot(poll, receipt)
    assert found.answers == {q1: [single[1]], q2: [ranking[2], ranking[0]]}
    # Back on the poll page: voted, and a ballot once cast is final here.
    text = page_text(client.get(poll.get_absolute_url()))
    assert "You have already voted in this poll; a ballot once cast is final." in text
    response = client.post(vote_url(poll), ballot_data(poll, single[0], [ranking[0]]))
    assert response.status_code == 409
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_a_refused_ballot_keeps_what_was_chosen_and_stores_nothing(
    client, poll_manager, department
):
    poll = park_poll(poll_manager, department)
    (q1, q2), (_single, ranking) = options_of(poll)
    logged_in(client, phone_voter())
    # The single question left out; Library ranked first and second.
    response = client.post(vote_url(poll), ballot_data(poll, None, [ranking[1], ranking[1]]))
    assert response.status_code == 400
    html = response.content.decode()
    text = page_text(response)
    assert "Your ballot is not stored yet" in text
    first = html.index(f'id="question-{q1}"')
    second = html.index(f'id="question-{q2}"')
    # Each refusal beside its own question.
    assert first < html.index("Question 1: choose an answer.") < second
    assert second < html.index("Question 2: each option can be chosen (or ranked) once: Library.")
    # What was chosen is still chosen.
    selected = re.findall(r'<option value="(\d+)" selected>', html)
    assert selected == [str(ranking[1]), str(ranking[1])]
    assert not Participation.objects.filter(poll=poll).exists()
    assert not PendingBallot.objects.filter(poll=poll).exists()
    assert not Ballot.objects.filter(poll=poll).exists()


def test_several_choices_at_most_k_and_a_scale(client, poll_manager, department):
    poll = park_poll(
        poll_manager,
        department,
        questions=[
            QuestionDraft(
                text="Pick up to two", kind="multiple", options=["A", "B", "C"], max_choices=2
            ),
            QuestionDraft(text="How much do you like it?", kind="scale"),
        ],
    )
    (multi, scale), (abc, steps) = options_of(poll)
    logged_in(client, phone_voter())
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Choose at most 2 options." in html
    assert html.count(f'type="checkbox" name="q{multi}"') == 3
    assert html.count(f'type="radio" name="q{scale}"') == 5
    response = client.post(
        vote_url(poll), {f"q{multi}": [abc[0], abc[1], abc[2]], f"q{scale}": steps[3]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Question 1: at most 2 choices (you chose 3)." in html
    assert html.count("checked") == 4  # three boxes and the scale's fourth step, kept
    assert not Participation.objects.filter(poll=poll).exists()
    response = client.post(vote_url(poll), {f"q{multi}": [abc[0], abc[2]], f"q{scale}": steps[3]})
    assert response.status_code == 201
    receipt = RECEIPT.search(page_text(response)).group(0)
    assert selectors.find_ballot(poll, receipt).answers == {
        multi: [abc[0], abc[2]],
        scale: [steps[3]],
    }


def test_on_a_revote_poll_a_voter_changes_their_vote(client, poll_manager, department):
    poll = park_poll(poll_manager, department, revote=True)
    (q1, q2), (single, ranking) = options_of(poll)
    logged_in(client, phone_voter())
    first = client.post(vote_url(poll), ballot_data(poll, single[0], [ranking[0]]))
    old_receipt = RECEIPT.search(page_text(first)).group(0)
    text = page_text(client.get(poll.get_absolute_url()))
    assert "You have voted in this poll. You may change your ballot" in text
    assert "Change my vote" in text
    change = client.get(vote_url(poll))
    assert change.status_code == 200
    assert 'id="ballot"' in change.content.decode()
    second = client.post(vote_url(poll), ballot_data(poll, single[2], [ranking[3]]))
    assert second.status_code == 201
    text = page_text(second)
    assert "Your new ballot is cast" in text
    new_receipt = RECEIPT.search(text).group(0)
    assert new_receipt != old_receipt
    assert Participation.objects.filter(poll=poll).count() == 1
    assert selectors.find_ballot(poll, old_receipt) is None
    assert selectors.find_ballot(poll, new_receipt).answers == {q1: [single[2]], q2: [ranking[3]]}
    assert [o.votes for o in selectors.count_results(poll).questions[0].options] == [0, 0, 1]


def test_a_code_poll_takes_a_code_without_an_account(client, poll_manager, department):
    poll = park_poll(poll_manager, department, eligibility="codes")
    (q1, q2), (single, ranking) = options_of(poll)
    code = services.make_codes(actor=poll_manager, poll=poll, count=1)[0]
    html = client.get(poll.get_absolute_url()).content.decode()
    assert 'name="code"' in html
    data = ballot_data(poll, single[0], [ranking[1]])
    response = client.post(vote_url(poll), {**data, "code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 400
    html = response.content.decode()
    # Beside the code field, with the answers still chosen.
    assert html.index('name="code"') > html.index("That is not a voting code of this poll.")
    assert html.index("That is not a voting code") > html.index(f'id="question-{q2}"')
    assert f'value="{single[0]}" id="id_q{q1}_0" checked' in html
    assert not Participation.objects.filter(poll=poll).exists()
    response = client.post(vote_url(poll), {**data, "code": code.lower()})
    assert response.status_code == 201
    assert Participation.objects.filter(poll=poll).count() == 1


def test_a_closed_poll_takes_no_ballot(client, poll_manager, department):
    now = timezone.now()
    poll = park_poll(
        poll_manager,
        department,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(days=1),
    )
    (_q1, _q2), (single, ranking) = options_of(poll)
    logged_in(client, phone_voter())
    text = page_text(client.get(poll.get_absolute_url()))
    assert "This poll closed on" in text
    response = client.post(vote_url(poll), ballot_data(poll, single[0], [ranking[0]]))
    assert response.status_code == 409
    assert "This poll closed on" in page_text(response)
    assert not Participation.objects.filter(poll=poll).exists()


# --- receipts --------------------------------------------------------------------------------


def test_the_receipt_lookup_shows_the_answers_or_not_found(client, poll_manager, department):
    poll = park_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    cast = services.cast_ballot(
        actor=phone_voter(), poll=poll, answers={q1: [single[2]], q2: [ranking[3], ranking[1]]}
    )
    url = reverse("polls:receipt", args=[poll.slug])
    response = client.get(url, {"receipt": cast.receipt.lower().replace("-", "")})
    assert response.status_code == 200
    text = page_text(response)
    assert f"Ballot {cast.receipt}" in text
    assert "Build the park? Unsure Rank what it should have Parking Library" in text
    response = client.get(url, {"receipt": "0000-0000-00000"})
    assert response.status_code == 404
    assert "No ballot of this poll has the receipt" in page_text(response)
    assert client.get(url).status_code == 200


# --- results ---------------------------------------------------------------------------------


def test_results_are_hidden_before_the_close_unless_live(client, poll_manager, department):
    hidden = park_poll(poll_manager, department, title="Hidden")
    live = park_poll(poll_manager, department, title="Live", results_live=True)
    for poll in (hidden, live):
        (q1, q2), (single, ranking) = options_of(poll)
        services.cast_ballot(
            actor=phone_voter(), poll=poll, answers={q1: [single[1]], q2: [ranking[0]]}
        )
    response = client.get(reverse("polls:results", args=[hidden.slug]))
    text = page_text(response)
    assert "The results of this poll are shown after it closes" in text
    assert "1 person has voted so far." in text
    assert "results-table" not in response.content.decode()
    response = client.get(reverse("polls:results", args=[live.slug]))
    text = page_text(response)
    assert "Counted so far: 1 ballot. The poll is still open." in text
    assert "Yes 0 0.0% No 1 100.0% Unsure 0 0.0%" in text


def test_closed_results_show_rounds_borda_tie_breaks_files_and_recount(
    client, poll_manager, department
):
    poll = park_poll(poll_manager, department)
    (q1, q2), (single, ranking) = options_of(poll)
    play, library, lawn, parking = ranking
    # Four ballots: Playground first twice (once then Lawn), Library first twice (once then
    # Parking). Round 1: Playground 2, Library 2, Lawn 0, Parking 0 of 4, no majority. Lawn and
    # Parking tie at 0 with no earlier round; Borda (4 options: 3, 2, 1, 0 points) gives each
    # 2, so the one listed last, Parking, goes ("order"). Round 2: 2, 2, 0: Lawn goes. Round 3:
    # Playground 2, Library 2: tied in every earlier round and at 6 Borda points each, so
    # Library, listed later, goes ("order"). Round 4: Playground alone wins.
    ballots = [
        (single[0], [play, lawn]),
        (single[0], [play]),
        (single[1], [library, parking]),
        (single[0], [library]),
    ]
    for yes_no, ranked in ballots:
        services.cast_ballot(actor=phone_voter(), poll=poll, answers={q1: [yes_no], q2: ranked})
    poll = services.close_poll(actor=poll_manager, poll=poll)
    response = client.get(reverse("polls:results", args=[poll.slug]))
    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    assert "Final result: 4 ballots." in text
    assert "Yes 3 75.0% No 1 25.0% Unsure 0 0.0%" in text
    assert "Round 1 Round 2 Round 3 Round 4" in text
    assert "Playground 2 2 2 2 ✓ wins" in text
    assert "Library 2 2 2 ✗ eliminated —" in text
    assert "Lawn 0 0 ✗ eliminated — —" in text
    assert "Parking 0 ✗ eliminated — — —" in text
    assert "Instant-runoff winner: Playground" in text
    assert text.count("the one listed last on the ballot was eliminated") == 2
    assert "Round 1: Options tied" in text and "Round 3: Options tied" in text
    # Borda: Playground 3+3, Library 3+3, Lawn 2, Parking 2.
    assert "Playground 6 Library 6 Lawn 2 Parking 2" in text
    assert "Sharing the most Borda points: Playground, Library" in text
    assert f"/api/v1/polls/{poll.slug}/results" in html
    assert f"/api/v1/polls/{poll.slug}/results.csv" in html
    for name in ("poll.json", "ballots.jsonl", "results.json"):
        assert f"/media/{poll.ballots_folder}/{name}" in html
    assert poll.chain_head and poll.chain_head in text
    assert f"python -m hamkke.polls.recount {poll.slug}/" in text


def test_breakdowns_show_only_the_groups_the_selector_allows(
    client, poll_manager, department, monkeypatch
):
    from hamkke.core.models import District

    monkeypatch.setattr(
        services, "polls_settings", lambda city=None: PollsSection(breakdown_minimum=2)
    )
    poll = park_poll(poll_manager, department, results_live=True)
    (q1, q2), (single, ranking) = options_of(poll)
    voters = [(JONGNO, single[0]), (JONGNO, single[0]), (MAPO, single[1]), (MAPO, single[0])]
    for district, choice in voters:
        services.cast_ballot(
            actor=resident_voter(district_code=district, user=phone_voter()),
            poll=poll,
            answers={q1: [choice], q2: [ranking[1]]},
        )
    response = client.get(reverse("polls:results", args=[poll.slug]))
    text = page_text(response)
    jongno = District.objects.get(city__slug="seoul", code=JONGNO).display_name
    mapo = District.objects.get(city__slug="seoul", code=MAPO).display_name
    # Per district: voters, then Yes / No / Unsure.
    assert f"{jongno} 2 2 0 0" in text
    assert f"{mapo} 2 1 1 0" in text
    # Everyone was born on 1990-01-01: one age band of four.
    assert "30-39 4 3 1 0" in text
    # A fifth voter, alone in Jung-gu: that group is hidden, and then what stays hidden (one
    # voter) could be worked out from the total, so the smaller shown district by code goes
    # too (Jongno, 11110, ties Mapo at 2): hidden 3, at least the minimum.
    services.cast_ballot(
        actor=resident_voter(district_code=JUNG, user=phone_voter()),
        poll=poll,
        answers={q1: [single[2]], q2: [ranking[0]]},
    )
    text = page_text(client.get(reverse("polls:results", args=[poll.slug])))
    jung = District.objects.get(city__slug="seoul", code=JUNG).display_name
    assert f"{mapo} 2 1 1 0" in text
    assert f"{jongno} 2" not in text and f"{jung} 1" not in text
    assert "30-39 5 3 1 1" in text


# --- proposals -------------------------------------------------------------------------------


def proposal_data(**fields) -> dict[str, str]:
    data = {
        "title": "Night buses on weekdays",
        "description": "Many work late.",
        "q1_text": "Should night buses run on weekdays?",
        "q1_kind": "single",
        "q1_options": "Yes\nNo\n",
        "q2_text": "Which lines first?",
        "q2_kind": "multiple",
        "q2_options": "N13\nN26\nN62",
        "q2_max": "2",
    }
    for n in range(3, 6):
        data[f"q{n}_kind"] = "single"
    data.update(fields)
    return data


def test_proposing_needs_a_phone_verified_person(client, city):
    url = reverse("polls:propose")
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response.url
    logged_in(client, factories.make_user())
    response = client.get(url)
    text = page_text(response)
    assert "This needs a verified identity." in text
    assert reverse("accounts:verify-phone") in response.content.decode()
    assert 'id="proposal-form"' not in response.content.decode()
    response = client.post(url, proposal_data())
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_a_proposed_poll_is_stored_and_shown_with_its_supports(client, department):
    proposer = phone_voter()
    logged_in(client, proposer)
    response = client.post(reverse("polls:propose"), proposal_data())
    poll = Poll.objects.get()
    assert response.status_code == 302 and response.url == poll.get_absolute_url()
    assert poll.state == State.PROPOSED and poll.proposer == proposer
    questions = selectors.questions_of(poll)
    assert [(q.text, q.kind, q.max_choices) for q in questions] == [
        ("Should night buses run on weekdays?", "single", None),
        ("Which lines first?", "multiple", 2),
    ]
    assert [o.text for o in questions[1].options.all()] == ["N13", "N26", "N62"]
    text = page_text(client.get(poll.get_absolute_url()))
    assert "0 of 500 supports" in text
    assert "You cannot support your own proposal." in text
    # Another verified person supports it, once.
    logged_in(client, phone_voter())
    html = client.get(poll.get_absolute_url()).content.decode()
    assert reverse("polls:support", args=[poll.slug]) in html
    response = client.post(reverse("polls:support", args=[poll.slug]))
    assert response.status_code == 302
    text = page_text(client.get(poll.get_absolute_url()))
    assert "1 of 500 supports" in text and "You support this poll." in text
    client.post(reverse("polls:support", args=[poll.slug]))
    assert Support.objects.filter(poll=poll).count() == 1


def test_a_refused_proposal_is_explained_beside_its_question(client, city):
    logged_in(client, phone_voter())
    data = proposal_data(q2_options="Only one line")
    response = client.post(reverse("polls:propose"), data)
    assert response.status_code == 400
    html = response.content.decode()
    message = "Question 2: give at least two options."
    assert html.index('id="question-block-2"') < html.index(message)
    assert html.index(message) < html.index('id="question-block-3"')
    assert 'value="Night buses on weekdays"' in html
    assert not Poll.objects.exists()
    # Questions are filled in order: a gap is refused before anything is stored.
    data = proposal_data(q2_text="", q2_options="", q3_text="Later?", q3_options="a\nb")
    response = client.post(reverse("polls:propose"), data)
    assert response.status_code == 400
    assert "Fill the questions in order" in page_text(response)
    assert not Poll.objects.exists()


def test_a_rejected_proposal_is_missing_for_everyone_but_its_proposer(
    client, poll_manager, department
):
    proposer = phone_voter()
    poll = propose(proposer, "Turned down")
    services.reject_proposal(
        actor=poll_manager, poll=poll, department=department, reason="Outside the city's powers."
    )
    for name in ("poll", "results", "receipt", "vote"):
        assert client.get(reverse(f"polls:{name}", args=[poll.slug])).status_code == 404, name
    logged_in(client, phone_voter())
    assert client.get(poll.get_absolute_url()).status_code == 404
    logged_in(client, proposer)
    response = client.get(poll.get_absolute_url())
    assert response.status_code == 200
    assert "Outside the city's powers." in page_text(response)
