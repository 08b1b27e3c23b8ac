"""The reader of Solr's q, fq and sort (opendata/solr.py, pure Python) on what harvesters send
and on anything at all; and package_search fed arbitrary parameters never answers 5xx nor
leaves CKAN's envelope."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamkke.plaza.opendata import solr
from hamkke.plaza.opendata.ckan import QUERY_FIELDS, SORT_FIELDS
from hamkke.plaza.opendata.solr import Clause, Range, SolrSyntaxError

FIELDS = frozenset({"organization", "tags", "metadata_modified", "name"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("*:*", ()),
        ("organization:budget", ((Clause("organization", ("budget",)),),)),
        (
            "organization:a OR organization:b tags:x",
            (
                (Clause("organization", ("a",)), Clause("organization", ("b",))),
                (Clause("tags", ("x",)),),
            ),
        ),
        ("-organization:a", ((Clause("organization", ("a",), negated=True),),)),
        ("NOT tags:x", ((Clause("tags", ("x",), negated=True),),)),
        ("+name:x AND +tags:y", ((Clause("name", ("x",)),), (Clause("tags", ("y",)),))),
        ('tags:"두 단어"', ((Clause("tags", ("두 단어",)),),)),
        ("organization:(a OR b)", ((Clause("organization", ("a", "b")),),)),
        (
            "metadata_modified:[2024-01-01T00:00:00Z TO *]",
            ((Clause("metadata_modified", (Range("2024-01-01T00:00:00Z", "*"),)),),),
        ),
        (
            "metadata_modified:{NOW-7DAYS TO NOW]",
            (
                (
                    Clause(
                        "metadata_modified",
                        (Range("NOW-7DAYS", "NOW", include_low=False, include_high=True),),
                    ),
                ),
            ),
        ),
        ("예산 통계", ((Clause("", ("예산",)),), (Clause("", ("통계",)),))),
    ],
)
def test_what_harvesters_send_is_read_as_solr_means_it(text, expected):
    assert solr.parse(text, fields=FIELDS) == expected


@pytest.mark.parametrize(
    "text",
    [
        "unknown:1",
        "tags:",
        "(a",
        "a)",
        '"a',
        "OR tags:x",
        "tags:x OR",
        "tags:x NOT",
        "metadata_modified:[a b]",
        "organization:(a AND b)",
        "x" * (solr.MAX_QUERY_CHARS + 1),
        " ".join(["tags:x"] * (solr.MAX_CLAUSES + 1)),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_reason(text):
    with pytest.raises(SolrSyntaxError) as refused:
        solr.parse(text, fields=FIELDS)
    assert str(refused.value)


@given(st.text(max_size=300))
@settings(max_examples=500, deadline=None)
def test_any_text_is_read_or_refused_never_crashes(text):
    try:
        query = solr.parse(text, fields=QUERY_FIELDS)
    except SolrSyntaxError:
        return
    for group in query:
        assert group
        for clause in group:
            assert clause.field == "" or clause.field in QUERY_FIELDS
            assert clause.values


@given(st.text(max_size=100))
@settings(max_examples=300, deadline=None)
def test_any_sort_is_read_or_refused_never_crashes(text):
    try:
        pairs = solr.parse_sort(text, fields=SORT_FIELDS)
    except SolrSyntaxError:
        return
    assert pairs and all(name in SORT_FIELDS for name, _descending in pairs)


PARAMETERS = st.fixed_dictionaries(
    {},
    optional={
        "q": st.text(max_size=60),
        "fq": st.text(max_size=60)
        | st.sampled_from(["organization:budget", "metadata_modified:[* TO NOW]", "tags:(a OR b)"]),
        "rows": st.text(max_size=25) | st.integers().map(str),
        "start": st.text(max_size=25) | st.integers().map(str),
        "sort": st.text(max_size=30) | st.sampled_from(["score desc", "name asc, id desc"]),
        "facet.field": st.text(max_size=30) | st.lists(st.text(max_size=10)).map(json.dumps),
        "facet.limit": st.text(max_size=10),
    },
)


@pytest.mark.django_db
@given(params=PARAMETERS)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_package_search_answers_anything_in_ckans_envelope(client, city, params):
    response = client.get("/api/3/action/package_search", params)

    assert response.status_code in (200, 400, 409), response.content[:500]
    body = response.json()
    assert body["success"] is (response.status_code == 200)
    assert "help" in body
    if response.status_code != 200:
        assert body["error"]["__type"] and body["error"]["message"]
