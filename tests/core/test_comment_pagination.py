"""Comment threads a page at a time: the API's `page`/`page_size` as every list of the API, the
thread's page (the last page by default, so a comment just posted is in view) with links to the
others, and embedded threads that link to the thread's page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hamkke.core.comments import selectors as comment_selectors
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def long_thread(commented_district, author, settings):
    """Sixty comments, numbered in the order they were written (by a fast writer)."""
    settings.HAMKKE_COMMENTS_PER_MINUTE = 100
    for number in range(1, 61):
        factories.make_comment(target=commented_district, author=author, body=f"Comment {number}")
    return commented_district


def api(district, **params):
    return f"/api/v1/threads/core.district/{district.pk}/comments", params


def bodies(items) -> list[str]:
    return [item["body"] for item in items]


def test_the_api_answers_a_page_as_every_list(client, long_thread):
    response = client.get(*api(long_thread, page=2, page_size=25))

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (60, 2, 25, 3)
    assert bodies(body["items"]) == [f"Comment {n}" for n in range(26, 51)]


def test_the_api_defaults_to_the_first_twenty(client, long_thread):
    body = client.get(*api(long_thread)).json()

    assert (body["page"], body["page_size"], body["pages"]) == (1, 20, 3)
    assert bodies(body["items"]) == [f"Comment {n}" for n in range(1, 21)]


def test_the_api_caps_the_page_size_and_answers_a_page_past_the_last_with_the_last(
    client, long_thread
):
    capped = client.get(*api(long_thread, page_size=1000)).json()
    past = client.get(*api(long_thread, page=99, page_size=50)).json()

    assert capped["page_size"] == 100 and len(capped["items"]) == 60
    assert past["page"] == 2
    assert bodies(past["items"]) == [f"Comment {n}" for n in range(51, 61)]


def test_the_api_reads_a_page_in_a_fixed_number_of_queries(
    client, long_thread, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        assert len(client.get(*api(long_thread, page_size=100)).json()["items"]) == 60


def test_the_thread_page_shows_the_last_page_with_a_link_to_the_earlier(client, long_thread):
    url = reverse("core:comment-thread", args=["core.district", long_thread.pk])

    html = client.get(url).content.decode()

    shown = re.findall(r"Comment (\d+)</div>", html)
    assert shown == [str(n) for n in range(51, 61)]
    assert "60 comments" in html
    assert "Page 2 of 2" in html
    assert f'href="{url}?page=1#comments" rel="prev"' in html


def test_the_thread_pages_earlier_page(client, long_thread):
    url = reverse("core:comment-thread", args=["core.district", long_thread.pk])

    html = client.get(url, {"page": 1}).content.decode()

    shown = re.findall(r"Comment (\d+)</div>", html)
    assert shown == [str(n) for n in range(1, 51)]
    assert f'href="{url}?page=2#comments" rel="next"' in html


@pytest.mark.parametrize("page", ["²", "abc", "-1"])
def test_a_page_that_is_not_a_page_is_answered_not_refused(client, long_thread, page):
    url = reverse("core:comment-thread", args=["core.district", long_thread.pk])
    response = client.get(url, {"page": page})
    assert response.status_code == 200
    assert re.findall(r"Comment (\d+)</div>", response.content.decode())


def test_a_short_thread_has_no_page_links(client, commented_district, author):
    factories.make_comment(target=commented_district, author=author, body="Only one")
    url = reverse("core:comment-thread", args=["core.district", commented_district.pk])

    html = client.get(url).content.decode()

    assert "Only one" in html
    assert "Earlier comments" not in html and "Page 1 of" not in html


def test_the_selector_pages_the_thread(long_thread, author):
    last = comment_selectors.comment_thread(long_thread, viewer=author)
    first = comment_selectors.comment_thread(long_thread, viewer=author, page=1, per_page=20)

    assert (last.count, last.page, last.pages, len(last.comments)) == (60, 2, 2, 10)
    assert (last.previous_page, last.next_page) == (1, None)
    assert (first.page, first.pages, first.previous_page, first.next_page) == (1, 3, None, 2)
    assert [c.body for c in first.comments] == [f"Comment {n}" for n in range(1, 21)]
