"""The open M-Voting API (/api/v1/polls): the list and its filter, one poll with the caller's
standing, casting (every refusal), receipts, the published ballot list and its hash chain,
results in JSON and CSV with breakdowns, proposals and supports, adopted polls, the secrecy of
every answer, the OpenAPI document and hostile input."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.core.models import District
from hamkke.polls import services
from hamkke.polls.models import Ballot, Participation, PendingBallot, Poll, Support
from hamkke.polls.services import QuestionDraft
from tests import factories
from tests.budget.test_api import all_keys
from tests.polls.conftest import draft, options_of, phone_voter, resident_voter

pytestmark = pytest.mark.django_db

API = "/api/v1/polls"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def make(actor, department, slug: str, **fields) -> Poll:
    return services.create_poll(
        actor=actor, department=department, draft=draft(**fields), slug=slug
    )


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def ballot(q1, q2, first: list, ranked: list, **extra) -> dict:
    return {
        "answers": [{"question": q1, "options": first}, {"question": q2, "options": ranked}],
        **extra,
    }


def as_voter(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the list and one poll -----------------------------------------------------------------------


@pytest.fixture
def four_polls(poll_manager, department):
    """One poll of each public status, and a rejected proposal no list shows."""
    now = timezone.now()
    open_ = make(poll_manager, department, "open-one")
    upcoming = make(
        poll_manager,
        department,
        "later-one",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    closed = make(
        poll_manager,
        department,
        "over-one",
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(days=1),
    )
    proposer = phone_voter()
    proposed = services.propose_poll(
        actor=proposer, draft=draft(title="Proposed one", description="Why not")
    )
    rejected = services.propose_poll(
        actor=proposer, draft=draft(title="Rejected one", description="Why not")
    )
    services.reject_proposal(
        actor=poll_manager, poll=rejected, department=department, reason="Out of scope"
    )
    return {"open": open_, "upcoming": upcoming, "closed": closed, "proposed": proposed}


def test_the_list_filters_by_status(client, four_polls):
    for status, poll in four_polls.items():
        answer = client.get(f"{API}/", {"status": status})
        assert answer.status_code == 200, answer.json()
        assert [item["slug"] for item in answer.json()["items"]] == [poll.slug]
        assert answer.json()["items"][0]["status"] == status
    everything = client.get(f"{API}/").json()
    assert everything["count"] == 4  # the rejected proposal is never listed
    assert "rejected-one" not in {item["slug"] for item in everything["items"]}
    paged = client.get(f"{API}/", {"page_size": 3, "page": 2}).json()
    assert (paged["count"], paged["pages"], paged["page"], len(paged["items"])) == (4, 2, 2, 1)
    refused = client.get(f"{API}/", {"status": "rejected"})
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid"


def test_a_list_item_says_what_a_client_needs(client, four_polls, department):
    voter = phone_voter()
    closed = four_polls["closed"]
    Participation.objects.create(poll=closed, identity_key="p:someone")  # one voter, by hand
    items = {item["slug"]: item for item in client.get(f"{API}/").json()["items"]}
    over = items["over-one"]
    assert over == {
        "slug": "over-one",
        "title": closed.title,
        "status": "closed",
        "eligibility": "verified",
        "opens_at": over["opens_at"],
        "closes_at": over["closes_at"],
        "origin": "city",
        "results_live": False,
        "revote": False,
        "department": {"code": department.code, "name": department.display_name},
        "ballots": 1,
        "url": "/polls/over-one/",
        "outcome": None,
    }
    # While a poll keeps its results until it closes, not even its turnout is shown.
    (q1, q2), (single, ranking) = options_of(four_polls["open"])
    services.cast_ballot(
        actor=voter, poll=four_polls["open"], answers={q1: [single[0]], q2: [ranking[0]]}
    )
    items = {item["slug"]: item for item in client.get(f"{API}/").json()["items"]}
    assert items["open-one"]["ballots"] is None
    proposal = items[four_polls["proposed"].slug]
    assert (proposal["origin"], proposal["department"], proposal["status"]) == (
        "citizen",
        None,
        "proposed",
    )


def test_one_poll_with_its_questions_and_my_standing(client, poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    answer = client.get(f"{API}/river-park")
    assert answer.status_code == 200
    body = answer.json()
    assert body["me"] is None  # nobody signed in
    assert body["description"] == "시민의 뜻을 묻습니다."
    assert (body["districts"], body["age_min"], body["age_max"]) == ([], None, None)
    assert (body["decision"], body["supports"]) == (None, None)
    assert body["questions"] == [
        {
            "id": q1,
            "text": "찬성하십니까?",
            "kind": "single",
            "max_choices": None,
            "required": True,
            "options": [
                {"id": single[0], "text": "찬성", "image": None},
                {"id": single[1], "text": "반대", "image": None},
                {"id": single[2], "text": "모름", "image": None},
            ],
        },
        {
            "id": q2,
            "text": "우선순위를 매겨 주세요",
            "kind": "ranking",
            "max_choices": None,
            "required": True,
            "options": [
                {"id": ranking[0], "text": "놀이터", "image": None},
                {"id": ranking[1], "text": "도서관", "image": None},
                {"id": ranking[2], "text": "공원", "image": None},
                {"id": ranking[3], "text": "주차장", "image": None},
            ],
        },
    ]
    voter = as_voter(phone_voter())
    assert voter.get(f"{API}/river-park").json()["me"] == {
        "eligible": True,
        "reason": "",
        "voted": False,
    }
    assert (
        post(
            voter, f"{API}/river-park/ballots", ballot(q1, q2, [single[0]], [ranking[0]])
        ).status_code
        == 201
    )
    assert voter.get(f"{API}/river-park").json()["me"] == {
        "eligible": True,
        "reason": "",
        "voted": True,
    }
    unverified = as_voter(factories.make_user()).get(f"{API}/river-park").json()["me"]
    assert unverified["eligible"] is False and unverified["voted"] is False
    assert unverified["reason"].startswith("This needs a verified identity.")


def test_a_districts_poll_names_its_districts_and_who_it_leaves_out(
    client, poll_manager, department
):
    jongno = District.objects.get(city__slug="seoul", code="11110")
    make(poll_manager, department, "jongno-only", eligibility="districts", districts=[jongno])
    assert client.get(f"{API}/jongno-only").json()["districts"] == ["11110"]
    outsider = as_voter(resident_voter(district_code="11440"))
    me = outsider.get(f"{API}/jongno-only").json()["me"]
    assert me["eligible"] is False and me["reason"].startswith("This poll is for residents of")


def test_unknown_and_rejected_polls_are_404(client, four_polls):
    assert client.get(f"{API}/no-such-poll").json()["code"] == "not_found"
    assert client.get(f"{API}/rejected-one").status_code == 404
    assert client.get(f"{API}/rejected-one/results").status_code == 404


# --- casting -------------------------------------------------------------------------------------


def test_casting_gives_a_receipt_that_finds_the_ballot(poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    voter = as_voter(phone_voter())
    # The ranking is sent in preference order, and the second question first.
    body = {
        "answers": [
            {"question": q2, "options": [ranking[3], ranking[1]]},
            {"question": q1, "options": [single[2]]},
        ]
    }
    answer = post(voter, f"{API}/river-park/ballots", body)
    assert answer.status_code == 201, answer.json()
    cast = answer.json()
    assert set(cast) == {"receipt", "replaced", "poll"}
    assert (cast["replaced"], cast["poll"]) == (False, "river-park")
    receipt = cast["receipt"]
    assert len(receipt) == 15 and receipt[4] == receipt[9] == "-"
    found = Client().get(f"{API}/river-park/ballots/{receipt}")
    assert found.status_code == 200
    assert found.json() == {
        "receipt": receipt,
        "answers": [
            {"question": q1, "options": [single[2]]},
            {"question": q2, "options": [ranking[3], ranking[1]]},
        ],
        "hash": None,  # not published yet
    }
    # Typed in lower case, as people do, it finds the same ballot.
    assert Client().get(f"{API}/river-park/ballots/{receipt.lower()}").json()["receipt"] == receipt
    again = post(voter, f"{API}/river-park/ballots", ballot(q1, q2, [single[0]], [ranking[0]]))
    assert again.status_code == 409
    assert again.json()["code"] == "already_voted"
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1


def test_an_unknown_receipt_is_404(client, poll_manager, department):
    make(poll_manager, department, "river-park")
    for receipt in ("0000-0000-00001", "not-a-receipt", "١٢٣٤-٥٦٧٨-٩٠١٢٣"):
        answer = client.get(f"{API}/river-park/ballots/{receipt}")
        assert answer.status_code == 404, receipt
        assert answer.json()["code"] in ("unknown_receipt", "not_found")


def test_a_revote_replaces_the_ballot(poll_manager, department):
    poll = make(poll_manager, department, "river-park", revote=True)
    (q1, q2), (single, ranking) = options_of(poll)
    voter = as_voter(phone_voter())
    first = post(voter, f"{API}/river-park/ballots", ballot(q1, q2, [single[0]], [ranking[0]]))
    second = post(voter, f"{API}/river-park/ballots", ballot(q1, q2, [single[1]], [ranking[1]]))
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["replaced"], second.json()["replaced"]) == (False, True)
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Client().get(f"{API}/river-park/ballots/{first.json()['receipt']}").status_code == 404


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (lambda q, s, r: [(q[0], [s[0], s[1]]), (q[1], [r[0]])], "at most 1 choices"),
        (lambda q, s, r: [(q[0], [r[0]]), (q[1], [r[1]])], "these are not its options"),
        (lambda q, s, r: [(q[0], [s[0]]), (q[1], [r[1], r[1]])], "ranked) once"),
        (lambda q, s, r: [(q[0], [s[0]])], "choose an answer"),
        (lambda q, s, r: [(q[0], [s[0]]), (q[1], [r[0]]), (q[0], [s[1]])], "answered twice"),
        (lambda q, s, r: [(q[0], [s[0]]), (q[1], [r[0]]), (999_999_999, [1])], "not in this poll"),
    ],
    ids=["too-many", "unknown-option", "ranked-twice", "required-left-out", "twice", "no-such-q"],
)
def test_invalid_ballots_are_400_and_leave_nothing(poll_manager, department, answers, message):
    poll = make(poll_manager, department, "river-park")
    questions, (single, ranking) = options_of(poll)
    body = {
        "answers": [{"question": q, "options": o} for q, o in answers(questions, single, ranking)]
    }
    answer = post(as_voter(phone_voter()), f"{API}/river-park/ballots", body)
    assert answer.status_code == 400, answer.json()
    assert answer.json()["code"] == "invalid_ballot"
    assert answer.json()["field"] == "answers"
    assert message in answer.json()["detail"]
    assert not Participation.objects.filter(poll=poll).exists()
    assert not PendingBallot.objects.filter(poll=poll).exists()
    assert not Ballot.objects.filter(poll=poll).exists()


def test_too_many_choices_on_a_multiple_question(poll_manager, department):
    poll = make(
        poll_manager,
        department,
        "pick-two",
        questions=[
            QuestionDraft(text="Which?", kind="multiple", options=["a", "b", "c"], max_choices=2)
        ],
    )
    [q1], [options] = options_of(poll)
    voter = as_voter(phone_voter())
    refused = post(
        voter, f"{API}/pick-two/ballots", {"answers": [{"question": q1, "options": options}]}
    )
    assert refused.status_code == 400
    assert "at most 2 choices (you chose 3)" in refused.json()["detail"]
    accepted = post(
        voter, f"{API}/pick-two/ballots", {"answers": [{"question": q1, "options": options[:2]}]}
    )
    assert accepted.status_code == 201


def test_who_may_vote_and_when(poll_manager, department):
    now = timezone.now()
    open_ = make(poll_manager, department, "open-one")
    (q1, q2), (single, ranking) = options_of(open_)
    body = ballot(q1, q2, [single[0]], [ranking[0]])
    anonymous = post(Client(), f"{API}/open-one/ballots", body)
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_signed_in")
    unverified = post(as_voter(factories.make_user()), f"{API}/open-one/ballots", body)
    assert (unverified.status_code, unverified.json()["code"]) == (403, "verification_required")

    jongno = District.objects.get(city__slug="seoul", code="11110")
    make(poll_manager, department, "jongno-only", eligibility="districts", districts=[jongno])
    poll = Poll.objects.get(slug="jongno-only")
    (q1, q2), (single, ranking) = options_of(poll)
    mapo = as_voter(resident_voter(district_code="11440"))
    refused = post(mapo, f"{API}/jongno-only/ballots", ballot(q1, q2, [single[0]], [ranking[0]]))
    assert (refused.status_code, refused.json()["code"]) == (403, "not_in_district")

    today = timezone.localdate()
    make(poll_manager, department, "young-only", eligibility="age", age_min=19, age_max=24)
    poll = Poll.objects.get(slug="young-only")
    (q1, q2), (single, ranking) = options_of(poll)
    sixty = as_voter(resident_voter(birth_date=date(today.year - 61, 1, 1)))
    refused = post(sixty, f"{API}/young-only/ballots", ballot(q1, q2, [single[0]], [ranking[0]]))
    assert (refused.status_code, refused.json()["code"]) == (403, "not_in_age_range")

    make(
        poll_manager,
        department,
        "later-one",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    make(
        poll_manager,
        department,
        "over-one",
        opens_at=now - timedelta(days=2),
        closes_at=now - timedelta(days=1),
    )
    voter = as_voter(phone_voter())
    for slug, code in (("later-one", "not_open_yet"), ("over-one", "poll_closed")):
        (q1, q2), (single, ranking) = options_of(Poll.objects.get(slug=slug))
        refused = post(voter, f"{API}/{slug}/ballots", ballot(q1, q2, [single[0]], [ranking[0]]))
        assert (refused.status_code, refused.json()["code"]) == (409, code)
    assert not Participation.objects.exists()


def test_code_holders_vote_without_an_account(poll_manager, department):
    poll = make(poll_manager, department, "coded", eligibility="codes")
    (q1, q2), (single, ranking) = options_of(poll)
    first, second = services.make_codes(actor=poll_manager, poll=poll, count=2)
    url = f"{API}/coded/ballots"
    anonymous = Client()
    missing = post(anonymous, url, ballot(q1, q2, [single[0]], [ranking[0]]))
    assert (missing.status_code, missing.json()["code"]) == (400, "code_required")
    wrong = post(anonymous, url, ballot(q1, q2, [single[0]], [ranking[0]], code="AAAA-BBBB-CCCC"))
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_code")
    spaced = " ".join(first.lower().split("-"))  # as typed from the paper, in lower case
    accepted = post(anonymous, url, ballot(q1, q2, [single[1]], [ranking[2]], code=spaced))
    assert accepted.status_code == 201, accepted.json()
    used = post(Client(), url, ballot(q1, q2, [single[0]], [ranking[0]], code=first))
    assert (used.status_code, used.json()["code"]) == (409, "already_voted")
    # A signed-in account votes with a code too; the account is not what counts.
    signed_in = as_voter(factories.make_user())
    assert (
        post(signed_in, url, ballot(q1, q2, [single[0]], [ranking[0]], code=second)).status_code
        == 201
    )
    assert Participation.objects.filter(poll=poll).count() == 2


def test_a_signed_in_ballot_must_send_its_csrf_token(poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(phone_voter())
    body = json.dumps(ballot(q1, q2, [single[0]], [ranking[0]]))
    url = f"{API}/river-park/ballots"
    refused = browser.post(url, body, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    assert not Participation.objects.exists()
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


# --- the published list --------------------------------------------------------------------------


def test_the_ballot_list_is_published_at_the_close(client, poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    chosen = [
        ([single[0]], [ranking[1], ranking[0]]),
        ([single[1]], [ranking[2]]),
        ([single[0]], [ranking[3], ranking[2], ranking[1]]),
    ]
    receipts = [
        post(as_voter(phone_voter()), f"{API}/river-park/ballots", ballot(q1, q2, a, r)).json()[
            "receipt"
        ]
        for a, r in chosen
    ]
    early = client.get(f"{API}/river-park/ballots")
    assert (early.status_code, early.json()["code"]) == (409, "not_published")
    services.close_poll(actor=poll_manager, poll=poll)

    answer = client.get(f"{API}/river-park/ballots", {"limit": 2})
    assert answer.status_code == 200, answer.json()
    page = answer.json()
    # Receipts are base32 of the ballot ids, so receipt order is the ids' order.
    in_order = sorted(receipts)
    assert [item["receipt"] for item in page["items"]] == in_order[:2]
    assert page["next"] == in_order[1]
    rest = client.get(f"{API}/river-park/ballots", {"after": page["next"]}).json()
    assert [item["receipt"] for item in rest["items"]] == in_order[2:]
    assert rest["next"] is None
    by_id = client.get(
        f"{API}/river-park/ballots", {"after": str(Ballot.objects.order_by("pk")[1].pk)}
    )
    assert [item["receipt"] for item in by_id.json()["items"]] == in_order[2:]

    # The chain, worked out here from its published rule.
    head = sha("hamkke-poll|seoul|river-park")
    assert page["chain_start"] == head
    answers_of = dict(zip(receipts, chosen, strict=True))
    for item in page["items"] + rest["items"]:
        first, ranked = answers_of[item["receipt"]]
        assert item["answers"] == [
            {"question": q1, "options": first},
            {"question": q2, "options": ranked},
        ]
        cell = f"{q1}:{first[0]};{q2}:{','.join(str(o) for o in ranked)}"
        head = sha(f"{head}|{item['receipt']}|{cell}")
        assert item["hash"] == head
    assert page["chain_head"] == head == Poll.objects.get(pk=poll.pk).chain_head
    # The receipt lookup now gives the ballot's link too.
    last = rest["items"][0]
    assert client.get(f"{API}/river-park/ballots/{last['receipt']}").json()["hash"] == last["hash"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"after": "١٢"}, "after"),
        ({"after": "no such receipt"}, "after"),
    ],
)
def test_bad_pages_of_the_list_are_400(client, poll_manager, department, query, field):
    poll = make(poll_manager, department, "river-park")
    services.close_poll(actor=poll_manager, poll=poll)
    answer = client.get(f"{API}/river-park/ballots", query)
    assert answer.status_code == 400
    assert answer.json()["field"] == field


# --- results -------------------------------------------------------------------------------------


@pytest.fixture
def voted(poll_manager, department):
    """A poll open to every account, results shown live, and five ballots of residents of two
    districts and two age bands."""
    poll = make(poll_manager, department, "river-park", eligibility="signed_in", results_live=True)
    (q1, q2), (single, ranking) = options_of(poll)
    today = timezone.localdate()
    in_twenties = date(today.year - 25, 1, 1)  # 24 or 25 today: the band 20-29
    in_thirties = date(today.year - 35, 1, 1)
    ballots = [
        ("11110", in_twenties, [single[0]], [ranking[0], ranking[1]]),
        ("11110", in_twenties, [single[0]], [ranking[1], ranking[0]]),
        ("11110", in_twenties, [single[1]], [ranking[0]]),
        ("11440", in_thirties, [single[0]], [ranking[1], ranking[2]]),
        ("11440", in_thirties, [single[2]], [ranking[0], ranking[3]]),
    ]
    for district, born, first, ranked in ballots:
        voter = as_voter(resident_voter(district_code=district, birth_date=born))
        assert (
            post(voter, f"{API}/river-park/ballots", ballot(q1, q2, first, ranked)).status_code
            == 201
        )
    return poll


def _with_breakdown_minimum(city, minimum: int) -> None:
    from hamkke.core.city.selectors import forget_current_city

    city.profile = {
        **city.profile,
        "polls": {**city.profile.get("polls", {}), "breakdown_minimum": minimum},
    }
    city.save(update_fields=["profile"])
    forget_current_city()


def test_results_counted_by_hand(client, city, voted):
    (q1, _q2), (single, ranking) = options_of(voted)
    p, q, r, s = ranking
    _with_breakdown_minimum(city, 2)
    answer = client.get(f"{API}/river-park/results")
    assert answer.status_code == 200, answer.json()
    results = answer.json()
    assert (results["poll"], results["ballots"], results["final"]) == ("river-park", 5, False)
    first, ranked = results["questions"]
    # The single question: 3, 1 and 1 of 5 ballots. Its keys are exactly as_dict's.
    assert first == {
        "id": q1,
        "kind": "single",
        "respondents": 5,
        "options": [
            {"id": single[0], "votes": 3, "share": 0.6},
            {"id": single[1], "votes": 1, "share": 0.2},
            {"id": single[2], "votes": 1, "share": 0.2},
        ],
    }
    # First preferences: p 3 (ballots 1, 3, 5), q 2; p has more than half of 5 in round 1.
    assert ranked["options"] == [
        {"id": p, "votes": 3, "share": 0.6},
        {"id": q, "votes": 2, "share": 0.4},
        {"id": r, "votes": 0, "share": 0.0},
        {"id": s, "votes": 0, "share": 0.0},
    ]
    assert ranked["winner"] == p
    [round_one] = ranked["rounds"]
    assert {t["id"]: t["votes"] for t in round_one["tallies"]} == {p: 3, q: 2, r: 0, s: 0}
    assert (round_one["winner"], round_one["eliminated"], round_one["exhausted"]) == (p, None, 0)
    # Borda with four options (3, 2, 1, 0 points by place): p 3+2+3+3, q 2+3+3, r 2, s 2.
    assert ranked["borda"] == [
        {"id": p, "points": 11},
        {"id": q, "points": 8},
        {"id": r, "points": 2},
        {"id": s, "points": 2},
    ]
    assert ranked["borda_winner"] == p
    # Breakdowns count a ranking's first choice: Jongno (3 voters) chose A A B and p q p.
    a, b, c = single
    jongno = {a: 2, b: 1, c: 0, p: 2, q: 1, r: 0, s: 0}
    mapo = {a: 1, b: 0, c: 1, p: 1, q: 1, r: 0, s: 0}

    def group(code: str, voters: int, votes: dict) -> dict:
        return {
            "group": code,
            "voters": voters,
            "options": [{"id": o, "votes": v} for o, v in votes.items()],
        }

    assert results["breakdowns"] == {
        "district": [group("11110", 3, jongno), group("11440", 2, mapo)],
        "age": [group("20-29", 3, jongno), group("30-39", 2, mapo)],
    }


def test_small_groups_are_left_out_of_the_breakdowns(client, voted):
    # The profile's default minimum is 10 voters: neither district nor age band has as many.
    results = client.get(f"{API}/river-park/results").json()
    assert results["breakdowns"] == {"district": [], "age": []}
    assert results["ballots"] == 5


def test_results_as_csv(client, voted):
    _questions, (single, ranking) = options_of(voted)
    answer = client.get(f"{API}/river-park/results.csv")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        ["question", "option_id", "option_text", "votes", "share"],
        ["찬성하십니까?", str(single[0]), "찬성", "3", "0.6"],
        ["찬성하십니까?", str(single[1]), "반대", "1", "0.2"],
        ["찬성하십니까?", str(single[2]), "모름", "1", "0.2"],
        ["우선순위를 매겨 주세요", str(ranking[0]), "놀이터", "3", "0.6"],
        ["우선순위를 매겨 주세요", str(ranking[1]), "도서관", "2", "0.4"],
        ["우선순위를 매겨 주세요", str(ranking[2]), "공원", "0", "0.0"],
        ["우선순위를 매겨 주세요", str(ranking[3]), "주차장", "0", "0.0"],
    ]


def test_a_csv_cell_is_never_a_formula(client, poll_manager, department):
    make(
        poll_manager,
        department,
        "formula",
        results_live=True,
        questions=[QuestionDraft(text="=1+1", options=["@SUM(A1)", "plain"])],
    )
    rows = list(
        csv.reader(io.StringIO(client.get(f"{API}/formula/results.csv").content.decode()[1:]))
    )
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'=1+1"]
    assert [row[2] for row in rows[1:]] == ["'@SUM(A1)", "plain"]


def test_hidden_results_are_409(client, poll_manager, department):
    now = timezone.now()
    make(poll_manager, department, "river-park")  # results after the close
    make(
        poll_manager,
        department,
        "later-one",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    for slug, code in (("river-park", "results_after_close"), ("later-one", "no_results")):
        for path in ("results", "results.csv"):
            answer = client.get(f"{API}/{slug}/{path}")
            assert (answer.status_code, answer.json()["code"]) == (409, code), (slug, path)


def test_the_results_are_final_once_published(client, poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    post(
        as_voter(phone_voter()),
        f"{API}/river-park/ballots",
        ballot(q1, q2, [single[2]], [ranking[3]]),
    )
    services.close_poll(actor=poll_manager, poll=poll)
    results = client.get(f"{API}/river-park/results").json()
    assert (results["ballots"], results["final"]) == (1, True)
    assert [o["votes"] for o in results["questions"][0]["options"]] == [0, 0, 1]
    item = client.get(f"{API}/", {"status": "closed"}).json()["items"][0]
    assert (item["slug"], item["ballots"]) == ("river-park", 1)


# --- proposals, supports, decisions --------------------------------------------------------------


def proposal(**fields) -> dict:
    data = {
        "title": "Night buses on weekdays",
        "description": "Should the night buses run every night?",
        "questions": [
            {"text": "Run them every night?", "kind": "single", "options": ["Yes", "No"]},
            {"text": "How useful would they be?", "kind": "scale"},
        ],
    }
    data.update(fields)
    return data


def test_proposing_and_supporting_a_poll(client, city):
    proposer = phone_voter()
    answer = post(as_voter(proposer), f"{API}/proposals", proposal())
    assert answer.status_code == 201, answer.json()
    poll = answer.json()
    assert (poll["status"], poll["origin"], poll["department"], poll["supports"]) == (
        "proposed",
        "citizen",
        None,
        0,
    )
    assert poll["eligibility"] == "verified"
    scale = poll["questions"][1]
    assert (scale["kind"], [o["text"] for o in scale["options"]]) == (
        "scale",
        ["1", "2", "3", "4", "5"],
    )
    slug = poll["slug"]
    assert slug == "night-buses-on-weekdays"

    supporter = as_voter(phone_voter())
    supported = post(supporter, f"{API}/{slug}/supports", {})
    assert (supported.status_code, supported.json()) == (201, {"supports": 1})
    twice = post(supporter, f"{API}/{slug}/supports", {})
    assert (twice.status_code, twice.json()["code"]) == (409, "already_supported")
    own = post(as_voter(proposer), f"{API}/{slug}/supports", {})
    assert (own.status_code, own.json()["code"]) == (403, "own_proposal")
    anonymous = post(Client(), f"{API}/{slug}/supports", {})
    assert anonymous.status_code == 401
    assert client.get(f"{API}/{slug}").json()["supports"] == 1
    assert Support.objects.count() == 1


def test_refused_proposals_leave_nothing(city):
    unverified = post(as_voter(factories.make_user()), f"{API}/proposals", proposal())
    assert (unverified.status_code, unverified.json()["code"]) == (403, "verification_required")
    anonymous = post(Client(), f"{API}/proposals", proposal())
    assert anonymous.status_code == 401
    one_option = proposal(questions=[{"text": "Yes?", "options": ["Yes"]}])
    refused = post(as_voter(phone_voter()), f"{API}/proposals", one_option)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Question 1: give at least two options."
    assert not Poll.objects.exists()


def test_a_proposal_retried_with_its_idempotency_key_is_made_once(city):
    voter = as_voter(phone_voter())
    headers = {"Idempotency-Key": "f5a0c7b2-1"}
    url = f"{API}/proposals"
    first = voter.post(url, proposal(), content_type="application/json", headers=headers)
    again = voter.post(url, proposal(), content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["slug"] == again.json()["slug"]
    assert Poll.objects.count() == 1


def test_adopted_polls_and_the_counts_of_decisions(client, poll_manager, department):
    for slug, outcome in (("bus", "adopted"), ("tram", "not_adopted"), ("bike", "adopted")):
        poll = make(poll_manager, department, slug)
        services.close_poll(actor=poll_manager, poll=poll)
        services.record_decision(actor=poll_manager, poll=poll, outcome=outcome, text="Decided.")
    make(poll_manager, department, "undecided")
    answer = client.get(f"{API}/adopted").json()
    # Latest decision first: bike was decided last.
    assert [item["slug"] for item in answer["items"]] == ["bike", "bus"]
    assert answer["counts"] == {"adopted": 2, "partly_adopted": 0, "not_adopted": 1}
    assert answer["items"][0]["outcome"] == "adopted"
    detail = client.get(f"{API}/tram").json()
    assert detail["decision"]["outcome"] == "not_adopted"
    assert detail["decision"]["text"] == "Decided."


# --- secrecy -------------------------------------------------------------------------------------


def test_no_answer_pairs_a_person_with_a_ballot(client, city, voted, poll_manager):
    _with_breakdown_minimum(city, 2)
    voter = resident_voter(
        district_code="11110", user=factories.make_user(email="secret.voter@example.org")
    )
    (q1, q2), (single, ranking) = options_of(voted)
    as_me = as_voter(voter)
    receipt = post(
        as_me, f"{API}/river-park/ballots", ballot(q1, q2, [single[2]], [ranking[2]])
    ).json()["receipt"]
    services.close_poll(actor=poll_manager, poll=voted)
    answers = [
        client.get(f"{API}/"),
        client.get(f"{API}/river-park"),
        as_me.get(f"{API}/river-park"),
        client.get(f"{API}/river-park/results"),
        client.get(f"{API}/river-park/ballots"),
        client.get(f"{API}/river-park/ballots/{receipt}"),
    ]
    assert all(a.status_code == 200 for a in answers)
    text = "\n".join(a.content.decode() for a in answers)
    assert "@" not in text and "secret.voter" not in text
    keys = set().union(*(all_keys(a.json()) for a in answers))
    # ("age" and "district" name the breakdowns' dimensions, groups of at least the minimum.)
    assert not keys & {
        "user",
        "user_id",
        "email",
        "identity_key",
        "voter",
        "cast_at",
        "created_at",
        "district_id",
    }
    assert as_me.get(f"{API}/river-park").json()["me"] == {
        "eligible": True,
        "reason": "",
        "voted": True,
    }
    listed = client.get(f"{API}/river-park/ballots").json()
    assert set(listed) == {"chain_start", "chain_head", "next", "items"}
    assert all(set(item) == {"receipt", "answers", "hash"} for item in listed["items"])
    assert all(
        set(a) == {"question", "options"} for item in listed["items"] for a in item["answers"]
    )


# --- the OpenAPI document and hostile input ------------------------------------------------------


def test_the_openapi_document_describes_every_operation(client, city):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = [
        ("/api/v1/polls/", "get"),
        ("/api/v1/polls/adopted", "get"),
        ("/api/v1/polls/proposals", "post"),
        ("/api/v1/polls/{slug}", "get"),
        ("/api/v1/polls/{slug}/supports", "post"),
        ("/api/v1/polls/{slug}/ballots", "post"),
        ("/api/v1/polls/{slug}/ballots", "get"),
        ("/api/v1/polls/{slug}/ballots/{receipt}", "get"),
        ("/api/v1/polls/{slug}/results", "get"),
        ("/api/v1/polls/{slug}/results.csv", "get"),
    ]
    for path, method in expected:
        operation = paths[path][method]
        assert operation["summary"] and operation["description"], (path, method)
        assert operation["tags"] == ["polls"]
    assert "201" in paths["/api/v1/polls/{slug}/ballots"]["post"]["responses"]
    assert "409" in paths["/api/v1/polls/{slug}/results"]["get"]["responses"]
    assert "409" in paths["/api/v1/polls/{slug}/ballots"]["get"]["responses"]
    csv_answer = paths["/api/v1/polls/{slug}/results.csv"]["get"]["responses"]["200"]
    assert list(csv_answer["content"]) == ["text/csv"]


def test_hostile_input_is_answered_4xx_json(client, poll_manager, department):
    poll = make(poll_manager, department, "river-park")
    (q1, q2), (single, ranking) = options_of(poll)
    voter = as_voter(phone_voter())
    url = f"{API}/river-park/ballots"
    cases = [
        (post(voter, url, ballot(q1, q2, [single[0]], [ranking[0]], code="AB\x00CD")), 400),
        (post(voter, url, {"answers": [{"question": "١٢", "options": [single[0]]}]}), 422),
        (post(voter, url, {"answers": [{"question": str(q1), "options": [single[0]]}]}), 422),
        (post(voter, url, {"answers": [{"question": -q1, "options": [single[0]]}]}), 422),
        (post(voter, url, {"answers": [{"question": 2**70, "options": [single[0]]}]}), 422),
        (post(voter, url, {"answers": [{"question": q1, "options": [True]}]}), 422),
        (voter.post(url, "{not json", content_type="application/json"), 400),
        (voter.post(url, "x" * (6 * 1024 * 1024), content_type="application/json"), 413),
        (client.get(f"{API}//ballots"), 404),
        (client.get(f"{API}/river-park//results"), 404),
        (client.get(f"{API}/river%00park"), 400),
        (client.get(f"{API}/", {"page": "١"}), 422),
        (client.get(f"{API}/", {"status": "open\x00"}), 400),
    ]
    for number, (answer, status) in enumerate(cases):
        assert answer.status_code == status, (number, answer.status_code, answer.content[:300])
        assert answer["Content-Type"].startswith("application/json"), number
        assert answer.json()["code"], number
    assert not Participation.objects.exists()
