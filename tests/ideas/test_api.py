"""The Oasis's open API (/api/v1/ideas): the list (filters, sorts, count-free pages, a constant
number of queries), one idea with its timeline and what it became, posting (and every refusal,
nothing stored), supports up to the threshold, follows, withdrawal, similar ideas, themes,
adopted ideas, the hall of fame, experts' reviews and rescues; no answer names a person by
more than their public name."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hamkke.ideas import services
from hamkke.ideas.models import Follow, Idea, Review, Support, Transition
from tests import factories
from tests.ideas.conftest import make_expert, meeting, post, scored, supporters
from tests.polls.conftest import phone_voter

pytestmark = pytest.mark.django_db

API = "/api/v1/ideas"
# Seoul City Hall, in Jung-gu.
CITY_HALL = (37.5663, 126.9779)
JUNG_GU = "11140"
JONGNO_GU = "11110"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages."""


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_expert():
    """Log an expert in with their password and authenticator code, as reviewers must (once
    per expert and test: an authenticator is set up once)."""
    signed_in: dict[int, Client] = {}

    def session(expert) -> Client:
        if expert.pk not in signed_in:
            client = Client()
            factories.log_in_official(client, expert.user)
            signed_in[expert.pk] = client
        return signed_in[expert.pk]

    return session


def send(client, path, payload=None, *, method="post", **extra):
    call = getattr(client, method)
    return call(f"{API}{path}", payload or {}, content_type="application/json", **extra)


def snapshot() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(Idea.objects.order_by("pk").values_list("pk", "state", "supports", "answer")),
        Support.objects.count(),
        Transition.objects.count(),
        Follow.objects.count(),
        list(Review.objects.values_list("pk", "scored_at", "feasibility")),
    )


# --- taking an idea up the pipeline cheaply ------------------------------------------------------


def forward(idea, expert, *, now=None):
    """Open → with its department by an expert's rescue: one call instead of 50 supports."""
    return services.rescue_idea(actor=expert.user, idea=idea, reason="살릴 만합니다.", now=now)


def taken_to(stage, *, author, theme, expert, handler, office_manager, start=None, **fields):
    """An idea taken through the services up to `stage` ("forwarded", "answered",
    "discussion", "review", "scored", "adopted"); its steps are dated from `start` (40 days
    ago by default) so that every period has run out by now."""
    start = start or timezone.now() - timedelta(days=40)
    idea = post(author, theme, now=start, **fields)
    steps = ["forwarded", "answered", "discussion", "review", "scored", "adopted"]
    wanted = steps[: steps.index(stage) + 1]
    if "forwarded" in wanted:
        idea = forward(idea, expert, now=start + timedelta(hours=1))
    if "answered" in wanted:
        idea = services.answer_idea(
            actor=handler, idea=idea, text="검토하겠습니다.", now=start + timedelta(days=1)
        )
    if "discussion" in wanted:
        idea = forward(idea, expert, now=start + timedelta(days=2))
    if "review" in wanted:
        idea = services.start_review(
            actor=office_manager, idea=idea, experts=[expert], now=start + timedelta(days=17)
        )
    if "scored" in wanted:
        scored(idea, expert)
    if "adopted" in wanted:
        idea = services.decide_idea(
            actor=office_manager,
            idea=idea,
            outcome="adopted",
            reasons="효과가 큽니다.",
            meeting=meeting(office_manager),
        )
    idea.refresh_from_db()
    return idea


@pytest.fixture
def climb(author, theme, expert, handler, office_manager):
    def take(stage, **fields):
        return taken_to(
            stage,
            author=author,
            theme=theme,
            expert=expert,
            handler=handler,
            office_manager=office_manager,
            **fields,
        )

    return take


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_state_theme_and_district(
    client, author, theme, climb, city, office_manager
):
    from hamkke.ideas.models import Theme

    welfare = Theme.objects.get(city=city, code="welfare")
    opened = post(author, theme, title="광화문 그늘막", point=CITY_HALL)
    other = post(author, welfare, title="경로당 와이파이")
    moved = climb("forwarded", title="버스 정류장 온열 의자")
    hidden = post(author, theme, title="숨긴 제안")
    services.set_idea_hidden(actor=office_manager, idea=hidden, hidden=True)

    def ids(**params):
        answer = client.get(f"{API}/", params)
        assert answer.status_code == 200, answer.json()
        return [item["id"] for item in answer.json()["items"]]

    assert ids() == [other.pk, opened.pk, moved.pk]  # newest first; the hidden idea never
    assert ids(state="forwarded") == [moved.pk]
    assert ids(state="open", theme="transport") == [opened.pk]
    assert ids(theme="welfare") == [other.pk]
    assert ids(district=JUNG_GU) == [opened.pk]
    assert ids(district=JONGNO_GU) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "pending"}, "state"),
        ({"theme": "space-travel"}, "theme"),
        ({"district": "99999"}, "district"),
        ({"sort": "oldest"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 101}, "page_size"),
        ({"page_size": 0}, "page_size"),
    ],
)
def test_an_unknown_filter_value_is_refused_by_its_name(client, city, params, field):
    answer = client.get(f"{API}/", params)
    assert answer.status_code == 400
    assert (answer.json()["code"], answer.json()["field"]) == ("invalid", field)
    assert answer.json()["detail"]


def test_the_sorts_and_count_free_pages(client, author, theme):
    now = timezone.now()
    first = post(author, theme, title="첫째", now=now - timedelta(days=3))
    second = post(author, theme, title="둘째", now=now - timedelta(days=2))
    third = post(author, theme, title="셋째", now=now - timedelta(days=1))
    supporters(first, 2)
    supporters(third, 1)
    Idea.objects.filter(pk=second.pk).update(supports_due=now - timedelta(minutes=1))

    def ids(**params):
        return [item["id"] for item in client.get(f"{API}/", params).json()["items"]]

    assert ids(sort="newest") == [third.pk, second.pk, first.pk]
    assert ids(sort="supports") == [first.pk, third.pk, second.pk]
    # Closing soon: still collecting, the period ending first first; a period run out is gone.
    assert ids(sort="closing") == [first.pk, third.pk]
    one = client.get(f"{API}/", {"page_size": 2}).json()
    assert (one["page"], one["page_size"], one["has_next"], len(one["items"])) == (1, 2, True, 2)
    two = client.get(f"{API}/", {"page_size": 2, "page": 2}).json()
    assert (two["has_next"], [i["id"] for i in two["items"]]) == (False, [first.pk])
    assert "count" not in two
    past = client.get(f"{API}/", {"page_size": 2, "page": 3}).json()
    assert (past["has_next"], past["items"]) == (False, [])


def test_a_list_item_says_what_a_client_needs(client, author, theme):
    idea = post(author, theme, point=CITY_HALL)
    supporters(idea, 2)
    (item,) = client.get(f"{API}/").json()["items"]
    assert item == {
        "id": idea.pk,
        "title": "한강에 떠 있는 섬을 만들자",
        "state": "open",
        "state_label": "Open for support",
        "supports": 2,
        "theme": {"code": "transport", "name": "Transport"},
        "district": {"code": JUNG_GU, "name": item["district"]["name"]},
        "created_at": item["created_at"],
        "supports_due": item["supports_due"],
        "url": f"/ideas/{idea.pk}/",
    }
    due = timezone.datetime.fromisoformat(item["supports_due"])
    assert abs(due - (idea.created_at + timedelta(days=30))) < timedelta(seconds=1)


def test_the_list_reads_a_constant_number_of_queries(client, author, theme, city):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(f"{API}/", {"page_size": 100})
        assert answer.status_code == 200
        return len(captured), len(answer.json()["items"])

    from hamkke.ideas.models import Theme

    themes = list(Theme.objects.filter(city=city))
    queries()  # the city's themes and districts are read once per profile load, then kept
    for n in range(2):
        post(author, themes[n % len(themes)], title=f"제안 {n}", point=CITY_HALL)
    few, rows = queries()
    assert rows == 2
    for n in range(2, 25):
        post(factories.make_user(), themes[n % len(themes)], title=f"제안 {n}", point=CITY_HALL)
    many, rows = queries()
    assert rows == 25
    assert many == few
    assert few <= 2


# --- one idea ------------------------------------------------------------------------------------


def test_one_idea_with_its_authors_place_and_timeline(client, author, theme, city):
    author.display_name = "한강지기"
    author.save()
    coauthor = factories.make_user(display_name="동네친구")
    idea = services.post_idea(
        actor=author,
        title="강변 그늘막",
        body="여름에 강변에 그늘막을 세웁시다.",
        theme=theme,
        point=CITY_HALL,
        coauthors=[coauthor],
    )
    answer = client.get(f"{API}/{idea.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["title"], body["body"]) == ("강변 그늘막", "여름에 강변에 그늘막을 세웁시다.")
    assert body["authors"] == ["한강지기", "동네친구"]
    assert body["location"]["latitude"] == pytest.approx(CITY_HALL[0])
    assert body["location"]["longitude"] == pytest.approx(CITY_HALL[1])
    assert body["district"]["code"] == JUNG_GU
    assert body["supports_needed"] == 50  # Seoul's forward_supports
    assert body["department"] is None  # not forwarded yet
    assert (body["answer"], body["answered_at"], body["decision"], body["rubric"]) == (
        "",
        None,
        None,
        None,
    )
    assert (body["implementation"], body["budget_project_url"], body["poll_url"]) == (
        None,
        None,
        None,
    )
    assert body["deadlines"]["supports_due"] == body["supports_due"]
    assert body["deadlines"]["answer_due"] is None
    assert body["timeline"] == [
        {
            "event": "submit",
            "event_label": "Posted",
            "from_state": "",
            "to_state": "open",
            "at": body["timeline"][0]["at"],
            "note": "",
        }
    ]
    assert body["me"] is None
    # Nobody's email address is in the answer.
    assert author.email not in answer.content.decode()
    assert coauthor.email not in answer.content.decode()


def test_an_ideas_photos_are_served_by_their_addresses(client, author, theme):
    from hamkke.core.media import services as media_services
    from tests.core.image_files import image_bytes, upload

    photo = media_services.store_photo(
        upload=upload(image_bytes(), "river.jpg", "image/jpeg"), uploaded_by=author
    )
    idea = post(author, theme, photos=[photo])
    (shown,) = client.get(f"{API}/{idea.pk}").json()["photos"]
    assert shown["url"].startswith("http://testserver/") and shown["thumbnail_url"]
    assert client.get(shown["url"]).status_code == 200
    media_services.set_media_hidden(
        moderator=factories.make_user(is_staff=True), media=photo, hidden=True
    )
    assert client.get(f"{API}/{idea.pk}").json()["photos"] == []


def test_an_unknown_or_hidden_idea_is_not_found(client, author, theme, office_manager):
    idea = post(author, theme)
    services.set_idea_hidden(actor=office_manager, idea=idea, hidden=True)
    for path in (f"{API}/{idea.pk}", f"{API}/{idea.pk + 1000}"):
        answer = client.get(path)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    refused = send(as_user(phone_voter()), f"/{idea.pk}/support")
    assert refused.status_code == 404
    assert not Support.objects.exists()


def test_an_adopted_idea_with_its_decision_rubric_progress_and_what_it_became(
    client, climb, expert, office_manager, handler
):
    for person, name in (
        (expert.user, "심사위원김"),
        (office_manager, "시민소통과장"),
        (handler, "교통주무관"),
    ):
        person.display_name = name
        person.save()
    idea = climb("adopted")
    services.record_progress(
        actor=office_manager,
        idea=idea,
        on=timezone.localdate(),
        status="in_progress",
        progress=40,
        text="설계 중입니다.",
        link="https://example.org/plan",
    )
    now = timezone.now()
    services.promote_to_poll(
        actor=office_manager,
        idea=idea,
        question="어디에 먼저 만들까요?",
        options=["여의도", "뚝섬"],
        opens_at=now,
        closes_at=now + timedelta(days=7),
    )
    answer = client.get(f"{API}/{idea.pk}")
    body = answer.json()
    assert body["state"] == "adopted"
    assert body["department"]["code"] == "transport"
    assert body["answer"] == "검토하겠습니다."
    decision = body["decision"]
    assert (decision["outcome"], decision["reasons"]) == ("adopted", "효과가 큽니다.")
    assert decision["meeting"]["title"] == "제3차 시민제안 심사회의"
    # One reviewer scored 4, 5, 3, 5.
    assert body["rubric"] == {
        "feasibility": "4.00",
        "effect": "5.00",
        "cost": "3.00",
        "originality": "5.00",
        "overall": "4.25",
        "reviewers": 1,
    }
    assert body["implementation"]["status"] == "in_progress"
    assert body["implementation"]["progress"] == 40
    assert body["implementation"]["updates"] == [
        {
            "on": timezone.localdate().isoformat(),
            "status": "in_progress",
            "progress": 40,
            "text": "설계 중입니다.",
            "link": "https://example.org/plan",
        }
    ]
    poll_url = body["poll_url"]
    assert poll_url and poll_url.startswith("/polls/")
    assert client.get(poll_url).status_code == 200
    assert [step["event"] for step in body["timeline"]] == [
        "submit",
        "rescue",
        "answer",
        "rescue",
        "start_review",
        "adopt",
    ]
    assert body["timeline"][2]["note"] == "검토하겠습니다."
    # The timeline and the whole answer name none of the people who acted.
    text = answer.content.decode()
    for person in (expert.user, office_manager, handler):
        assert person.email not in text
        assert str(person.public_name) not in text
    for step in body["timeline"]:
        assert set(step) == {"event", "event_label", "from_state", "to_state", "at", "note"}


def test_me_says_what_the_caller_may_do(author, theme):
    idea = post(author, theme)
    mine = as_user(author).get(f"{API}/{idea.pk}").json()["me"]
    assert (mine["author"], mine["following"], mine["supported"]) == (True, True, False)
    assert mine["support"] == {
        "allowed": False,
        "reason": "You cannot support your own idea.",
        "code": "own_idea",
    }
    assert mine["withdraw"]["allowed"] is True
    assert mine["rescue"]["code"] == "not_expert"
    voter = phone_voter()
    theirs = as_user(voter).get(f"{API}/{idea.pk}").json()["me"]
    assert (theirs["author"], theirs["support"]["allowed"]) == (False, True)
    assert theirs["withdraw"]["code"] == "not_author"
    unverified = as_user(factories.make_user()).get(f"{API}/{idea.pk}").json()["me"]
    assert unverified["support"]["allowed"] is False
    assert unverified["support"]["code"] == "verification_required"


# --- posting -------------------------------------------------------------------------------------


def idea_json(**values) -> dict:
    data = {
        "title": "자전거 도로 확충",
        "body": "한강까지 이어지는 자전거 도로를 만듭시다.",
        "theme": "transport",
    }
    data.update(values)
    return data


def test_posting_an_idea(author):
    client = as_user(author)
    answer = send(client, "/", idea_json(latitude=CITY_HALL[0], longitude=CITY_HALL[1]))
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    idea = Idea.objects.get()
    assert (body["id"], body["state"], body["theme"]["code"]) == (idea.pk, "open", "transport")
    assert body["district"]["code"] == JUNG_GU  # the point's district
    assert idea.author == author
    assert body["me"]["following"] is True
    assert client.get(f"{API}/{idea.pk}").json()["title"] == "자전거 도로 확충"
    named = send(client, "/", idea_json(title="다른 제안", district=JONGNO_GU))
    assert named.status_code == 201
    assert named.json()["district"]["code"] == JONGNO_GU
    assert named.json()["location"] is None


@pytest.mark.parametrize(
    ("values", "status", "field"),
    [
        ({"theme": "space-travel"}, 400, "theme"),
        ({"district": "99999"}, 400, "district"),
        ({"title": "   "}, 400, "title"),
        ({"title": "가" * 151}, 400, "title"),
        ({"body": ""}, 400, "body"),
        ({"body": "가" * 10_001}, 400, "body"),
        ({"latitude": 37.5}, 400, "latitude"),
        ({"latitude": 35.1796, "longitude": 129.0756}, 400, None),  # Busan: outside the city
        ({"latitude": 91, "longitude": 0}, 422, None),
        ({"title": "a\u0000b"}, 400, None),
        ({"theme": 7}, 422, None),
    ],
)
def test_a_bad_idea_is_refused_and_nothing_is_stored(author, values, status, field):
    before = snapshot()
    answer = send(as_user(author), "/", idea_json(**values))
    assert answer.status_code == status, answer.json()
    assert answer.json()["detail"]
    if field:
        assert answer.json()["field"] == field
    assert snapshot() == before


def test_posting_takes_a_signed_in_session_with_its_csrf_token(city, author):
    assert send(Client(), "/", idea_json()).status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)
    body = json.dumps(idea_json())
    refused = browser.post(f"{API}/", body, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    assert not Idea.objects.exists()
    browser.get("/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        f"{API}/", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_a_retried_post_with_its_idempotency_key_posts_once(author):
    client = as_user(author)
    headers = {"Idempotency-Key": "idea-1"}
    first = send(client, "/", idea_json(), headers=headers)
    again = send(client, "/", idea_json(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert Idea.objects.count() == 1
    other = send(client, "/", idea_json(title="다른 제안"), headers=headers)
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")


# --- supports, follows, withdrawal ---------------------------------------------------------------


def test_supports_up_to_the_threshold_move_the_idea_on(author, theme, settings_of):
    idea = post(author, theme)
    supporters(idea, settings_of.forward_supports - 2)
    first = send(as_user(phone_voter()), f"/{idea.pk}/support")
    assert first.status_code == 201, first.json()
    assert first.json() == {"supports": settings_of.forward_supports - 1, "state": "open"}
    last = send(as_user(phone_voter()), f"/{idea.pk}/support")
    assert last.json() == {"supports": settings_of.forward_supports, "state": "forwarded"}
    idea.refresh_from_db()
    assert (idea.state, idea.department.code) == ("forwarded", "transport")


def test_support_refusals_store_nothing(author, theme, climb):
    idea = post(author, theme)
    voter = phone_voter()
    assert send(as_user(voter), f"/{idea.pk}/support").status_code == 201
    refusals = [
        (Client(), 401, "not_authenticated"),
        (as_user(factories.make_user()), 403, "verification_required"),
        (as_user(author), 403, "own_idea"),
        (as_user(voter), 409, "already_supported"),
    ]
    for client, status, code in refusals:
        before = snapshot()
        answer = send(client, f"/{idea.pk}/support")
        assert (answer.status_code, answer.json()["code"]) == (status, code)
        assert snapshot() == before
    moved = climb("discussion")
    before = snapshot()
    late = send(as_user(phone_voter()), f"/{moved.pk}/support")
    assert (late.status_code, late.json()["code"]) == (409, "not_collecting")
    assert snapshot() == before


def test_following_and_unfollowing(author, theme):
    idea = post(author, theme)
    person = factories.make_user()
    client = as_user(person)
    answer = send(client, f"/{idea.pk}/follow")
    assert (answer.status_code, answer.json()) == (200, {"following": True})
    assert Follow.objects.filter(idea=idea, user=person).exists()
    assert send(client, f"/{idea.pk}/follow").json() == {"following": True}
    assert Follow.objects.filter(idea=idea, user=person).count() == 1
    stopped = send(client, f"/{idea.pk}/follow", method="delete")
    assert (stopped.status_code, stopped.json()) == (200, {"following": False})
    assert not Follow.objects.filter(idea=idea, user=person).exists()
    assert send(Client(), f"/{idea.pk}/follow").status_code == 401


def test_withdrawing_ones_own_open_idea(author, theme, climb):
    idea = post(author, theme)
    before = snapshot()
    other = send(as_user(factories.make_user()), f"/{idea.pk}/withdraw")
    assert (other.status_code, other.json()["code"]) == (403, "not_author")
    assert snapshot() == before
    answer = send(as_user(author), f"/{idea.pk}/withdraw")
    assert answer.status_code == 200
    assert answer.json()["state"] == "withdrawn"
    assert answer.json()["timeline"][-1]["event"] == "withdraw"
    moved = climb("forwarded")
    before = snapshot()
    late = send(as_user(author), f"/{moved.pk}/withdraw")
    assert (late.status_code, late.json()["code"]) == (409, "wrong_state")
    assert snapshot() == before


# --- similar ideas, themes, adopted, hall of fame ------------------------------------------------


def test_similar_ideas_while_writing(client, author, theme):
    bikes = post(author, theme, title="한강 자전거 도로 확충", body="한강 자전거 도로를 넓힙시다.")
    post(author, theme, title="경로당 와이파이 설치", body="어르신들이 인터넷을 쓰게 합시다.")
    found = client.get(f"{API}/similar", {"text": "한강 자전거 도로를 더 넓혀 주세요"}).json()
    assert [item["id"] for item in found] == [bikes.pk]
    assert set(found[0]) == {"id", "title", "state", "supports", "score", "url"}
    assert 0 < found[0]["score"] <= 1
    excluded = client.get(f"{API}/similar", {"text": "한강 자전거 도로", "exclude": bikes.pk})
    assert excluded.json() == []
    assert client.get(f"{API}/similar", {"text": ""}).json() == []
    too_long = client.get(f"{API}/similar", {"text": "가" * 10_001})
    assert (too_long.status_code, too_long.json()["field"]) == (400, "text")


def test_the_themes_in_the_profiles_order(client, city):
    themes = client.get(f"{API}/themes").json()
    assert [t["code"] for t in themes][:3] == ["welfare", "transport", "environment"]
    by_code = {t["code"]: t for t in themes}
    assert by_code["transport"]["department"]["code"] == "transport"
    assert by_code["welfare"]["department"] is None  # answered by the Oasis office
    assert by_code["welfare"]["name"] == "Welfare"


def test_adopted_ideas_with_their_counts_and_the_hall_of_fame(client, climb, author):
    author.display_name = "아이디어왕"
    author.save()
    adopted = climb("adopted")
    climb("review")  # not adopted yet: in neither list
    answer = client.get(f"{API}/adopted")
    assert answer.status_code == 200
    body = answer.json()
    assert [item["id"] for item in body["items"]] == [adopted.pk]
    assert (body["items"][0]["implementation"], body["items"][0]["progress"]) == ("planned", 0)
    assert body["has_next"] is False
    year = timezone.localdate().year
    assert body["counts"]["total"] == 1
    assert [(row["year"], row["count"]) for row in body["counts"]["by_year"]] in (
        [(year, 1)],
        [(timezone.now().year, 1)],
    )
    assert [(row["code"], row["count"]) for row in body["counts"]["by_theme"]] == [("transport", 1)]
    fame = client.get(f"{API}/hall-of-fame").json()
    assert [(entry["name"], entry["adopted"]) for entry in fame] == [("아이디어왕", 1)]
    assert author.email not in client.get(f"{API}/hall-of-fame").content.decode()


# --- experts -------------------------------------------------------------------------------------


def test_an_expert_sees_the_ideas_assigned_to_them(climb, expert, office_manager, as_expert):
    idea = climb("review")
    other_expert = make_expert(office_manager)
    answer = as_expert(expert).get(f"{API}/reviews")
    assert answer.status_code == 200, answer.json()
    (assigned,) = answer.json()
    assert (assigned["idea"]["id"], assigned["scores"], assigned["scored_at"]) == (
        idea.pk,
        None,
        None,
    )
    assert as_expert(other_expert).get(f"{API}/reviews").json() == []
    no_code = as_user(expert.user).get(f"{API}/reviews")
    assert (no_code.status_code, no_code.json()["code"]) == (403, "second_factor_required")
    citizen = as_user(factories.make_user()).get(f"{API}/reviews")
    assert (citizen.status_code, citizen.json()["code"]) == (403, "not_expert")
    assert Client().get(f"{API}/reviews").status_code == 401


def test_an_expert_scores_an_assigned_idea(climb, expert, as_expert):
    idea = climb("review")
    client = as_expert(expert)
    scores = {"feasibility": 4, "effect": 3, "cost": 2, "originality": 5, "opinion": "괜찮습니다."}
    answer = send(client, f"/{idea.pk}/review", scores)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["scores"] == {"feasibility": 4, "effect": 3, "cost": 2, "originality": 5}
    review = Review.objects.get(idea=idea, expert=expert)
    assert (review.feasibility, review.cost, review.opinion) == (4, 2, "괜찮습니다.")
    again = send(client, f"/{idea.pk}/review", {**scores, "cost": 4})
    assert again.json()["scores"]["cost"] == 4
    assert client.get(f"{API}/reviews").json()[0]["scores"]["cost"] == 4


def test_score_refusals_store_nothing(climb, expert, office_manager, author, theme, as_expert):
    idea = climb("review")
    good = {"feasibility": 4, "effect": 3, "cost": 2, "originality": 5}
    unassigned = make_expert(office_manager)
    cases = [
        (as_expert(unassigned), idea.pk, good, 404, "not_assigned"),
        (as_user(expert.user), idea.pk, good, 403, "second_factor_required"),
        (as_expert(expert), idea.pk, {**good, "effect": 6}, 400, "invalid"),
        (as_expert(expert), idea.pk, {**good, "cost": 0}, 400, "invalid"),
        (as_expert(expert), idea.pk, {**good, "cost": "3"}, 422, "invalid"),
        (as_expert(expert), idea.pk, {**good, "opinion": "가" * 5001}, 400, "invalid"),
        (as_expert(expert), post(author, theme).pk, good, 404, "not_assigned"),
    ]
    for client, idea_id, scores, status, code in cases:
        before = snapshot()
        answer = send(client, f"/{idea_id}/review", scores)
        assert (answer.status_code, answer.json()["code"]) == (status, code), scores
        assert snapshot() == before


def test_an_expert_rescues_an_idea(author, theme, expert, as_expert):
    idea = post(author, theme)
    before = snapshot()
    citizen = send(as_user(factories.make_user()), f"/{idea.pk}/rescue", {"reason": "좋아요"})
    assert (citizen.status_code, citizen.json()["code"]) == (403, "not_expert")
    empty = send(as_expert(expert), f"/{idea.pk}/rescue", {"reason": "  "})
    assert (empty.status_code, empty.json()["field"]) == (400, "reason")
    assert snapshot() == before
    answer = send(as_expert(expert), f"/{idea.pk}/rescue", {"reason": "시급한 문제입니다."})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["state"], body["department"]["code"]) == ("forwarded", "transport")
    assert body["timeline"][-1]["note"] == "시급한 문제입니다."
    assert expert.user.email not in answer.content.decode()
    again = send(as_expert(expert), f"/{idea.pk}/rescue", {"reason": "다시"})
    assert (again.status_code, again.json()["code"]) == (409, "wrong_state")


# --- the document --------------------------------------------------------------------------------


def test_every_ideas_operation_is_documented(client, city):
    document = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in document["paths"].items()
        if path.startswith("/api/v1/ideas/") and not path.startswith("/api/v1/ideas/contests")
        for method, operation in methods.items()
    ]
    assert len(operations) >= 28
    for path, method, operation in operations:
        assert operation.get("summary"), (method, path)
        assert len(operation.get("description", "")) > 40, (method, path)
