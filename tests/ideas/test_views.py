"""The Oasis's citizens' pages: the list with its sorts, filters and pages (a bounded number of
queries, the same with more ideas); writing an idea, with the similar ideas confirmed before
saving, co-authors by email and photos; an idea with its supports, the Support button offered
or the reason not, supporting twice refused, following and withdrawing; a hidden idea missing;
the answer, decision, scores and implementation; the adopted ideas and the hall of fame; the
experts' review and rescue. Nobody's email address on a public page."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hamkke.ideas import services
from hamkke.ideas.models import Follow, Idea, Support, Theme
from tests import factories
from tests.ideas.conftest import (
    in_review,
    meeting,
    post,
    scored,
    supporters,
)
from tests.polls.conftest import phone_voter
from tests.polls.test_views import page_text

pytestmark = pytest.mark.django_db

ISLAND = "한강에 떠 있는 섬을 만들자"


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def logged_in(client, user):
    client.force_login(user)
    return client


def idea_url(idea) -> str:
    return reverse("ideas:idea", args=[idea.pk])


def other_theme(city, code="welfare"):
    return Theme.objects.get(city=city, code=code)


def form_data(theme, **fields) -> dict[str, str]:
    data = {
        "title": "버스 정류장에 그늘막을 설치하자",
        "body": "여름에 버스를 기다리는 시민들이 더위를 피할 수 있도록 그늘막을 설치합니다.",
        "theme": theme.code,
    }
    data.update(fields)
    return data


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the list ----------------------------------------------------------------------------------


def test_the_index_shows_each_idea_with_theme_state_supports_and_days_left(
    client, author, theme, city
):
    idea = post(author, theme)
    supporters(idea, 3)
    older = post(author, other_theme(city), title="노인 복지관에 탁구대를", body="탁구대 두 대.")
    Idea.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    response = client.get(reverse("ideas:index"))
    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    assert ISLAND in text
    # Seoul sends an idea to its department at 50 supports, within 30 days of posting.
    assert "3 of 50 supports" in text
    assert "30 days left" in text
    assert "Transport" in text and "Welfare" in text
    assert "Open for support" in text
    assert html.index(ISLAND) < html.index("노인 복지관에 탁구대를")
    assert f'href="{idea_url(idea)}"' in html
    assert reverse("ideas:adopted") in html and reverse("ideas:hall-of-fame") in html
    assert reverse("ideas:new") in html


def test_the_index_sorts_by_supports_and_closing_and_filters_by_theme(client, author, theme, city):
    popular = post(author, other_theme(city), title="가장 인기 있는 제안", body="공감 많이.")
    supporters(popular, 2)
    closing = post(author, theme, title="곧 마감되는 제안", body="마감 임박.")
    Idea.objects.filter(pk=closing.pk).update(supports_due=timezone.now() + timedelta(days=2))
    post(author, theme, title="가장 새로운 제안", body="새 제안.")

    def titles(**params):
        text = page_text(client.get(reverse("ideas:index"), params))
        found = [
            t for t in ("가장 인기 있는 제안", "곧 마감되는 제안", "가장 새로운 제안") if t in text
        ]
        return sorted(found, key=text.index)

    assert titles()[0] == "가장 새로운 제안"
    assert titles(sort="supports")[0] == "가장 인기 있는 제안"
    assert titles(sort="closing")[0] == "곧 마감되는 제안"
    # Newest first within the theme; the popular idea is under another theme.
    assert titles(theme="transport") == ["가장 새로운 제안", "곧 마감되는 제안"]
    assert titles(theme="transport", sort="closing")[0] == "곧 마감되는 제안"
    # An unknown filter is left out and said so; the rest still applies.
    response = client.get(reverse("ideas:index"), {"theme": "nowhere", "state": "adopted"})
    text = page_text(response)
    assert "Some filters could not be read and were left out" in text
    assert "No idea matches these filters." in text


def test_the_index_pages_twenty_ideas_at_a_time(client, author, theme):
    for n in range(21):
        # A person posts ten ideas a day at most (services.post_idea): one author each.
        post(factories.make_user(), theme, title=f"제안 번호 {n:02d}", body="본문.")
    first = page_text(client.get(reverse("ideas:index")))
    assert "제안 번호 20" in first and "제안 번호 01" in first
    assert "제안 번호 00" not in first
    second = client.get(reverse("ideas:index"), {"page": "2", "theme": "transport"})
    text = page_text(second)
    assert "제안 번호 00" in text and "제안 번호 01" not in text
    assert "page=1" in second.content.decode() and "theme=transport" in second.content.decode()


def test_the_index_costs_the_same_queries_with_more_ideas(client, author, theme, city):
    post(author, theme)
    client.get(reverse("ideas:index"))  # the city is remembered after the first request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("ideas:index"), {"sort": "supports"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(15):
        theme_of_it = other_theme(city) if n % 2 else theme
        post(factories.make_user(), theme_of_it, title=f"또 다른 제안 {n}", body="x")
    assert queries() == few
    # The themes, the districts and the page of ideas (one query, with theme and district).
    assert few <= 4


# --- writing an idea ---------------------------------------------------------------------------


def test_writing_needs_an_account(client, city):
    response = client.get(reverse("ideas:new"))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_a_citizen_posts_an_idea_with_a_coauthor_and_a_photo(client, author, theme):
    friend = factories.make_user(email="friend@example.org", display_name="박친구")
    photo = SimpleUploadedFile("shade.png", png_bytes(), content_type="image/png")
    data = form_data(theme, coauthors="Friend@Example.org", photos=photo)
    response = logged_in(client, author).post(reverse("ideas:new"), data)
    assert response.status_code == 302
    idea = Idea.objects.get(title="버스 정류장에 그늘막을 설치하자")
    assert response.url == idea_url(idea)
    assert idea.author == author and list(idea.coauthors.all()) == [friend]
    assert idea.theme == theme and idea.state == "open"
    page = client.get(response.url)
    text = page_text(page)
    assert "Your idea is posted." in text
    assert "박친구" in text
    assert "friend@example.org" not in page.content.decode().lower()
    assert 'alt="Photo 1 of the idea"' in page.content.decode()


def test_a_refused_idea_keeps_none_of_its_photos(client, author, theme, settings):
    from pathlib import Path

    from hamkke.core.models import Media

    photo = SimpleUploadedFile("shade.png", png_bytes(), content_type="image/png")
    # The service counts the text after trimming: one character too many, after the photo
    # was stored.
    data = form_data(theme, body="가" * (services.BODY_LIMIT + 1), photos=photo)
    response = logged_in(client, author).post(reverse("ideas:new"), data)
    assert response.status_code == 400
    assert "Keep this under 10,000 characters" in page_text(response)
    assert "Your photos were not kept: attach them again before posting." in page_text(response)
    assert not Idea.objects.filter(title=data["title"]).exists()
    assert not Media.objects.exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []


def test_a_file_that_is_no_photo_is_refused_beside_the_photos(client, author, theme):
    fake = SimpleUploadedFile("shade.png", b"not a picture at all", content_type="image/png")
    response = logged_in(client, author).post(reverse("ideas:new"), form_data(theme, photos=fake))
    assert response.status_code == 400
    html = response.content.decode()
    photos_field = html[html.index('for="id_photos"') : html.index('id="id_photos"')]
    assert "errorlist" in photos_field
    assert not Idea.objects.exists()


def test_an_unknown_coauthor_is_refused_by_name_and_nothing_is_posted(client, author, theme):
    data = form_data(theme, coauthors="nobody@example.org")
    response = logged_in(client, author).post(reverse("ideas:new"), data)
    assert response.status_code == 400
    assert "No account uses “nobody@example.org”." in page_text(response)
    assert not Idea.objects.filter(title=data["title"]).exists()


def test_a_similar_idea_is_shown_for_confirmation_before_posting(client, author, theme):
    existing = post(author, theme)
    writer = phone_voter()
    data = form_data(
        theme, title="한강에 떠 있는 섬 공연장", body="한강에 인공 섬을 띄워 공연장을."
    )
    response = logged_in(client, writer).post(reverse("ideas:new"), data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Is your idea already here?" in text
    assert ISLAND in text
    html = response.content.decode()
    assert f'name="seen" value="{existing.pk}"' in html
    assert 'name="confirm" value="1"' in html
    # What was written is kept in the form; nothing is saved yet.
    assert "한강에 떠 있는 섬 공연장" in html
    assert Idea.objects.filter(author=writer).count() == 0

    response = client.post(reverse("ideas:new"), {**data, "seen": str(existing.pk), "confirm": "1"})
    assert response.status_code == 302
    assert Idea.objects.filter(author=writer, title="한강에 떠 있는 섬 공연장").count() == 1


def test_similar_ideas_already_shown_by_the_script_do_not_stop_the_post(client, author, theme):
    existing = post(author, theme)
    writer = phone_voter()
    data = form_data(
        theme, title="한강에 떠 있는 섬 공연장", body="한강에 인공 섬을 띄워 공연장을."
    )
    response = logged_in(client, writer).post(
        reverse("ideas:new"), {**data, "seen": f"{existing.pk}"}
    )
    assert response.status_code == 302
    assert Idea.objects.filter(author=writer).count() == 1


def test_the_similar_fragment_lists_ideas_like_the_text(client, author, theme):
    idea = post(author, theme)
    hidden = post(author, theme, title="한강에 떠 있는 섬 두 번째", body="한강 섬.")
    Idea.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    response = client.get(reverse("ideas:similar"), {"text": "한강에 떠 있는 섬"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-idea="{idea.pk}"' in html and ISLAND in html
    assert "두 번째" not in html
    assert "<html" not in html  # a fragment, not a page
    unrelated = client.get(reverse("ideas:similar"), {"text": "주차장 요금 인하"})
    assert "data-idea" not in unrelated.content.decode()
    assert client.get(reverse("ideas:similar"), {"text": " "}).content.strip() == b""


# --- an idea ---------------------------------------------------------------------------------


def test_the_idea_page_shows_the_idea_and_offers_support_to_a_verified_citizen(
    client, author, theme
):
    author.display_name = "김제안"
    author.save(update_fields=["display_name"])
    idea = post(author, theme)
    supporters(idea, 2)
    response = logged_in(client, phone_voter()).get(idea_url(idea))
    assert response.status_code == 200
    text = page_text(response)
    html = response.content.decode()
    assert ISLAND in text and "한강에 인공 섬을 띄워 공연장으로 씁니다." in text
    assert "Proposed by 김제안" in text
    assert "2 of 50 supports" in text
    assert "Transport" in text and "Open for support" in text
    assert f'action="{reverse("ideas:support", args=[idea.pk])}"' in html
    assert "Posted" in text  # the timeline's first step
    assert "Follow this idea" in text


@pytest.mark.parametrize(
    ("who", "reason", "link"),
    [
        ("nobody", "Log in to take part.", "account_login"),
        ("unverified", "This needs a verified identity.", "accounts:verify-phone"),
        ("author", "You cannot support your own idea.", None),
    ],
)
def test_the_support_button_is_not_offered_and_the_reason_is_said(
    client, author, theme, who, reason, link
):
    idea = post(author, theme)
    if who == "unverified":
        logged_in(client, factories.make_user())
    elif who == "author":
        logged_in(client, author)
    response = client.get(idea_url(idea))
    html = response.content.decode()
    assert reverse("ideas:support", args=[idea.pk]) not in html
    assert reason in page_text(response)
    if link:
        assert reverse(link) in html


def test_supporting_counts_once_and_a_second_time_is_refused_with_a_message(client, author, theme):
    idea = post(author, theme)
    supporter = phone_voter()
    logged_in(client, supporter)
    response = client.post(reverse("ideas:support", args=[idea.pk]), follow=True)
    text = page_text(response)
    assert "Thank you: your support is counted." in text
    assert "1 of 50 supports" in text
    assert "You support this idea." in text
    assert reverse("ideas:support", args=[idea.pk]) not in response.content.decode()
    response = client.post(reverse("ideas:support", args=[idea.pk]), follow=True)
    assert "You already support this idea." in page_text(response)
    assert Support.objects.filter(idea=idea).count() == 1
    idea.refresh_from_db()
    assert idea.supports == 1
    # Supporters follow the idea.
    assert Follow.objects.filter(idea=idea, user=supporter).exists()


def test_following_and_unfollowing(client, author, theme):
    idea = post(author, theme)
    reader = factories.make_user()
    logged_in(client, reader)
    response = client.post(reverse("ideas:follow", args=[idea.pk]), {"follow": "1"}, follow=True)
    assert "You follow this idea" in page_text(response)
    assert "Stop following" in page_text(response)
    assert Follow.objects.filter(idea=idea, user=reader).exists()
    response = client.post(reverse("ideas:follow", args=[idea.pk]), {"follow": "0"}, follow=True)
    assert "You no longer follow this idea." in page_text(response)
    assert not Follow.objects.filter(idea=idea, user=reader).exists()


def test_the_author_withdraws_an_open_idea_and_its_comments_close(client, author, theme):
    idea = post(author, theme)
    other = factories.make_user()
    assert "Withdraw my idea" not in page_text(logged_in(client, other).get(idea_url(idea)))
    assert "Withdraw my idea" in page_text(logged_in(client, author).get(idea_url(idea)))
    response = client.post(reverse("ideas:withdraw", args=[idea.pk]), follow=True)
    text = page_text(response)
    assert "Your idea is withdrawn." in text
    assert "Withdrawn" in text
    assert "Comments are closed." in text
    assert "Withdraw my idea" not in text
    idea.refresh_from_db()
    assert idea.state == "withdrawn"
    # Someone else's withdrawal is refused by the service with its reason.
    second = post(author, theme, title="두 번째 제안", body="두 번째.")
    response = logged_in(client, other).post(
        reverse("ideas:withdraw", args=[second.pk]), follow=True
    )
    assert "Only the idea's author can withdraw it." in page_text(response)
    second.refresh_from_db()
    assert second.state == "open"


def test_a_hidden_idea_is_missing(client, author, theme):
    idea = post(author, theme)
    Idea.objects.filter(pk=idea.pk).update(hidden_at=timezone.now())
    assert client.get(idea_url(idea)).status_code == 404
    logged_in(client, phone_voter())
    assert client.post(reverse("ideas:support", args=[idea.pk])).status_code == 404
    assert not Support.objects.filter(idea=idea).exists()
    assert ISLAND not in page_text(client.get(reverse("ideas:index")))


def test_a_decided_idea_shows_answer_decision_scores_and_progress(
    client, author, theme, expert, settings_of, handler, office_manager
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    scored(idea, expert, feasibility=4, effect=5, cost=3, originality=2)
    held = meeting(office_manager)
    services.decide_idea(
        actor=office_manager,
        idea=idea,
        outcome="adopted",
        reasons="시범 사업으로 추진합니다.",
        meeting=held,
    )
    services.record_progress(
        actor=handler,
        idea=idea,
        on=date(2025, 5, 1),
        status="in_progress",
        progress=40,
        text="설계를 시작했습니다.",
        link="https://example.org/plan",
    )
    response = client.get(idea_url(idea))
    text = page_text(response)
    assert "검토하겠습니다." in text  # the department's answer
    assert "시범 사업으로 추진합니다." in text
    assert "제3차 시민제안 심사회의" in text
    assert "Adopted" in text
    # One reviewer: the means are their scores; overall (4+5+3+2)/4.
    assert "4.00 5.00 3.00 2.00 3.50" in text
    assert "40% done" in text and "설계를 시작했습니다." in text
    assert 'href="https://example.org/plan"' in response.content.decode()
    assert "중요한 제안입니다." in text  # the rescue's reasons on the timeline
    assert "Moved on by an expert" in text


# --- adopted ideas and the hall of fame ------------------------------------------------------


def adopt(idea, *, year: int, state: str = "adopted", progress: int = 0):
    decided = timezone.make_aware(timezone.datetime(year, 6, 1, 12))
    Idea.objects.filter(pk=idea.pk).update(state=state, decided_at=decided, progress=progress)


def test_the_adopted_page_counts_per_year_and_theme(client, author, theme, city):
    first = post(author, theme, title="채택된 첫 제안", body="1")
    second = post(author, other_theme(city), title="일부 채택된 제안", body="2")
    third = post(author, theme, title="또 채택된 제안", body="3")
    post(author, theme, title="아직 열린 제안", body="4")
    adopt(first, year=2023, progress=100)
    adopt(second, year=2024, state="partly_adopted", progress=30)
    adopt(third, year=2024)
    response = client.get(reverse("ideas:adopted"))
    text = page_text(response)
    assert "3 citizens' ideas adopted by the city" in text
    assert "2023 1" in text and "2024 2" in text
    assert "Transport 2" in text and "Welfare 1" in text
    assert "채택된 첫 제안" in text and "일부 채택된 제안" in text
    assert "Adopted in part" in text and "30% done" in text and "100% done" in text
    assert "아직 열린 제안" not in text


def test_the_hall_of_fame_names_proposers_by_their_public_names(client, author, theme):
    author.display_name = "김제안"
    author.save(update_fields=["display_name"])
    other = phone_voter(display_name="이아이디어")
    for n in range(2):
        adopt(post(author, theme, title=f"김의 제안 {n}", body="x"), year=2024)
    adopt(post(other, theme, title="이의 제안", body="y"), year=2023)
    nameless = phone_voter()
    adopt(post(nameless, theme, title="이름 없는 제안", body="z"), year=2022)
    response = client.get(reverse("ideas:hall-of-fame"))
    text = page_text(response)
    assert "1 김제안 2" in text
    assert "2 이아이디어 1" in text
    assert "3 Citizen 1" in text
    assert "@example.org" not in response.content.decode()


def test_no_public_page_shows_anybodys_email(client, author, theme):
    friend = factories.make_user(email="coauthor@example.org")
    idea = services.post_idea(
        actor=author, title=ISLAND, body="한강 섬", theme=theme, coauthors=[friend]
    )
    supporters(idea, 1)
    factories.make_comment(target=idea, author=factories.make_user(email="talker@example.org"))
    adopted = post(author, theme, title="채택 제안", body="x")
    adopt(adopted, year=2024)
    emails = [author.email, "coauthor@example.org", "talker@example.org"]
    pages = [
        reverse("ideas:index"),
        idea_url(idea),
        idea_url(adopted),
        reverse("ideas:adopted"),
        reverse("ideas:hall-of-fame"),
        f"{reverse('ideas:similar')}?text=한강에 떠 있는 섬",
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        html = response.content.decode().lower()
        assert "@example.org" not in html, address
        assert all(email.lower() not in html for email in emails), address
    assert "1 comment" in page_text(client.get(idea_url(idea)))


# --- experts ----------------------------------------------------------------------------------


def test_an_assigned_expert_scores_the_idea_on_the_review_page(
    client, author, theme, expert, settings_of, handler, office_manager
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    factories.log_in_official(client, expert.user)
    response = client.get(reverse("ideas:reviews"))
    assert ISLAND in page_text(response) and "Waiting for your scores" in page_text(response)
    response = client.get(reverse("ideas:review", args=[idea.pk]))
    assert response.status_code == 200
    assert 'id="rubric-form"' in response.content.decode()
    data = {"feasibility": "4", "effect": "5", "cost": "2", "originality": "3", "opinion": "좋음"}
    response = client.post(reverse("ideas:review", args=[idea.pk]), data)
    assert response.status_code == 302
    review = idea.reviews.get()
    assert (review.feasibility, review.effect, review.cost, review.originality) == (4, 5, 2, 3)
    # A score out of range is refused beside its item and changes nothing.
    response = client.post(reverse("ideas:review", args=[idea.pk]), {**data, "effect": "9"})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.effect == 5
    text = page_text(client.get(reverse("ideas:reviews")))
    assert "Scored on" in text


def test_the_review_page_refuses_others_and_an_expert_without_the_second_factor(
    client, author, theme, expert, settings_of, handler, office_manager
):
    idea = in_review(author, theme, expert, settings_of, handler, office_manager)
    response = logged_in(client, factories.make_user()).get(reverse("ideas:review", args=[idea.pk]))
    assert response.status_code == 403
    assert "Only the Oasis's appointed experts may do this." in page_text(response)
    assert 'id="rubric-form"' not in response.content.decode()
    factories.log_in(client, expert.user)  # a password only
    response = client.get(reverse("ideas:review", args=[idea.pk]))
    assert "Reviewers must be logged in with their authenticator code" in page_text(response)
    assert 'id="rubric-form"' not in response.content.decode()
    data = {"feasibility": "4", "effect": "5", "cost": "2", "originality": "3"}
    response = client.post(reverse("ideas:review", args=[idea.pk]), data)
    assert response.status_code == 403
    assert "authenticator code" in page_text(response)
    assert idea.reviews.get().scored_at is None


def test_an_expert_rescues_an_open_idea(client, author, theme, expert):
    idea = post(author, theme)
    factories.log_in_official(client, expert.user)
    page = client.get(idea_url(idea))
    assert reverse("ideas:review", args=[idea.pk]) in page.content.decode()
    response = client.get(reverse("ideas:review", args=[idea.pk]))
    assert 'id="rescue-form"' in response.content.decode()
    response = client.post(reverse("ideas:rescue", args=[idea.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the idea should move on." in page_text(response)
    response = client.post(
        reverse("ideas:rescue", args=[idea.pk]), {"reason": "시급한 문제입니다."}, follow=True
    )
    text = page_text(response)
    assert "The idea moves on" in text
    assert "시급한 문제입니다." in text
    idea.refresh_from_db()
    assert idea.state == "forwarded"
    # A citizen sees no review link.
    logged_in(client, phone_voter())
    assert (
        reverse("ideas:review", args=[idea.pk]) not in client.get(idea_url(idea)).content.decode()
    )
