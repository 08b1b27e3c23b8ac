"""CKAN's action API at /api/3/action/ as a harvester sees it: CKAN's envelope and package shape
(keys and types), package_search's q, fq, rows, start, sort and facets, the other actions
harvesters call, CKAN's error shapes (404 Not Found Error, 409 Validation Error, …), POST with
a JSON body, and no private dataset on any of them. Expected values come from the datasets
each test makes, not from the code under test."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.core.models import Department
from hamkke.plaza.models import Disclosure
from hamkke.plaza.opendata import services
from tests.plaza.opendata_helpers import csv_upload, handler_of, make_dataset

pytestmark = pytest.mark.django_db

ACTION = "/api/3/action/"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")  # CKAN's: UTC, no offset


@pytest.fixture
def budget(city):
    return Department.objects.get(city=city, code="budget")


@pytest.fixture
def catalogue(department, budget, make_document):
    """Four public datasets in two departments, and a private one."""
    public_doc = make_document(title="인구 통계 연보 공개 문서")
    closed_doc = make_document(
        title="비공개 인사 문서", disclosure=Disclosure.CLOSED, legal_ground="art9-1-6"
    )
    population = make_dataset(
        department,
        name="seoul-population",
        title="서울시 인구 통계",
        notes="자치구별 주민등록 인구",
        tags=["인구", "통계"],
        category="statistics",
        license_id="kogl-1",
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2020, 12, 31),
        frequency="P1Y",
        document_number=public_doc.number,
        resources=[
            {"name": "인구.csv", "upload": csv_upload()},
            {"name": "API", "url": "https://data.seoul.go.kr/api/population.json"},
        ],
    )
    wifi = make_dataset(
        department,
        name="public-wifi",
        title="공공 와이파이 위치",
        notes="인구 밀집 지역의 와이파이",
        tags=["와이파이"],
        license_id="cc-by-4",
        document_number=closed_doc.number,
        resources=[{"name": "wifi", "url": "https://example.org/wifi.xml"}],
    )
    budget_2027 = make_dataset(
        budget,
        name="budget-2027",
        title="2027년 예산 현황",
        tags=["예산", "통계"],
        category="budget",  # a topic of the theme "finance"
        license_id="kogl-2",
        resources=[{"name": "예산.csv", "upload": csv_upload("budget.csv")}],
    )
    contracts = make_dataset(
        budget, name="contracts", title="계약 현황", category="contracts", license_id="kogl-1"
    )
    private = make_dataset(
        department,
        name="private-draft",
        title="비공개 초안 데이터",
        tags=["비밀태그"],
        license_id="kogl-1",
        is_public=False,
        resources=[{"name": "draft.csv", "upload": csv_upload("draft.csv")}],
    )
    return {
        "population": population,
        "wifi": wifi,
        "budget": budget_2027,
        "contracts": contracts,
        "private": private,
        "public_doc": public_doc,
        "closed_doc": closed_doc,
    }


def call(client, action: str, method: str = "get", **params):
    if method == "post":
        response = client.post(
            ACTION + action, data=json.dumps(params), content_type="application/json"
        )
    else:
        response = client.get(ACTION + action, params)
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return response, response.json()


def ok(client, action: str, **params):
    response, body = call(client, action, **params)
    assert response.status_code == 200, body
    assert body["success"] is True
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    return body["result"]


def names(result: dict) -> list[str]:
    return [package["name"] for package in result["results"]]


PUBLIC = {"seoul-population", "public-wifi", "budget-2027", "contracts"}


# --- the envelope and the package ----------------------------------------------------------------


def test_package_search_answers_in_ckans_envelope_with_ckans_package_shape(client, catalogue):
    response, body = call(client, "package_search", rows=100)

    assert response.status_code == 200
    assert set(body) == {"help", "success", "result"}
    result = body["result"]
    assert set(result) == {"count", "sort", "facets", "results", "search_facets"}
    assert result["count"] == 4
    assert set(names(result)) == PUBLIC
    package = next(p for p in result["results"] if p["name"] == "seoul-population")
    expected_types = {
        "id": str,
        "name": str,
        "title": str,
        "notes": str,
        "license_id": str,
        "license_title": str,
        "license_url": str,
        "organization": dict,
        "owner_org": str,
        "tags": list,
        "groups": list,
        "resources": list,
        "metadata_created": str,
        "metadata_modified": str,
        "num_resources": int,
        "num_tags": int,
        "state": str,
        "private": bool,
        "type": str,
        "url": str,
        "extras": list,
    }
    for key, kind in expected_types.items():
        assert isinstance(package[key], kind), key
    assert UUID.match(package["id"])
    assert (package["title"], package["notes"]) == ("서울시 인구 통계", "자치구별 주민등록 인구")
    assert package["license_id"] == "kogl-1"
    assert package["license_title"] == "공공누리 제1유형 (출처표시)"
    assert package["license_url"] == "https://www.kogl.or.kr/info/licenseType1.do"
    assert (package["state"], package["private"], package["type"]) == ("active", False, "dataset")
    assert MOMENT.match(package["metadata_created"]) and MOMENT.match(package["metadata_modified"])
    assert package["url"].endswith("/plaza/data/seoul-population/")
    organization = package["organization"]
    assert organization["name"] == "information-planning"
    assert organization["title"] == "정보기획관"
    assert organization["is_organization"] is True
    assert UUID.match(organization["id"]) and organization["id"] == package["owner_org"]
    assert sorted((t["name"], t["display_name"]) for t in package["tags"]) == [
        ("인구", "인구"),
        ("통계", "통계"),
    ]
    assert package["num_tags"] == 2
    assert [g["name"] for g in package["groups"]] == ["statistics"]
    assert package["num_resources"] == len(package["resources"]) == 2
    upload, link = package["resources"]
    for resource in (upload, link):
        assert set(resource) >= {
            "id",
            "name",
            "description",
            "format",
            "url",
            "mimetype",
            "size",
            "created",
            "last_modified",
            "package_id",
        }
        assert UUID.match(resource["id"]) and resource["package_id"] == package["id"]
        assert MOMENT.match(resource["created"]) and MOMENT.match(resource["last_modified"])
    assert (upload["name"], upload["format"], upload["mimetype"]) == ("인구.csv", "CSV", "text/csv")
    assert upload["size"] == len(csv_upload().read())
    assert upload["url"].startswith("http://testserver/plaza/data/seoul-population/resources/")
    assert (link["url"], link["format"], link["size"]) == (
        "https://data.seoul.go.kr/api/population.json",
        "JSON",
        None,
    )
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["frequency"] == "P1Y"
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2020-01-01", "2020-12-31")


def test_an_uploaded_resources_url_downloads_the_file(client, catalogue):
    package = ok(client, "package_show", id="seoul-population")

    response = client.get(package["resources"][0]["url"].removeprefix("http://testserver"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == csv_upload().read()


def test_package_show_finds_a_dataset_by_name_and_by_id_alike(client, catalogue):
    by_name = ok(client, "package_show", id="budget-2027")
    by_id = ok(client, "package_show", id=by_name["id"])

    assert by_id == by_name
    assert by_name["organization"]["name"] == "budget"
    # The theme above the category is a group too, as harvesters filter by either.
    assert [g["name"] for g in by_name["groups"]] == ["budget", "finance"]


def test_ids_stay_the_same_from_one_answer_to_the_next(client, catalogue):
    first = {p["name"]: p["id"] for p in ok(client, "package_search", rows=10)["results"]}
    services.update_dataset(
        actor=handler_of(catalogue["wifi"].department),
        dataset=catalogue["wifi"],
        fields=services.DatasetFields(
            name="public-wifi",
            title="공공 와이파이 위치 (갱신)",
            department=catalogue["wifi"].department,
            license_id="cc-by-4",
        ),
    )
    second = {p["name"]: p["id"] for p in ok(client, "package_search", rows=10)["results"]}

    assert first == second
    assert len(set(first.values())) == 4


# --- q and fq ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("organization:budget", {"budget-2027", "contracts"}),
        ("tags:통계", {"seoul-population", "budget-2027"}),
        ("res_format:CSV", {"seoul-population", "budget-2027"}),
        ("license_id:cc-by-4", {"public-wifi"}),
        ("groups:finance", {"budget-2027", "contracts"}),  # the theme holds its topics
        ("groups:contracts", {"contracts"}),
        ("organization:budget tags:통계", {"budget-2027"}),
        ("license_id:kogl-2 OR license_id:cc-by-4", {"budget-2027", "public-wifi"}),
        ("-organization:budget", {"seoul-population", "public-wifi"}),
        ("organization:(budget OR information-planning)", PUBLIC),
        ('name:"contracts"', {"contracts"}),
        ("+capacity:public +state:active", PUBLIC),
        ("metadata_modified:[2000-01-01T00:00:00Z TO *]", PUBLIC),
        ("metadata_modified:[NOW TO *]", set()),
        ("organization:nobody", set()),
    ],
)
def test_fq_filters_as_ckan_does(client, catalogue, fq, expected):
    result = ok(client, "package_search", fq=fq, rows=100)

    assert set(names(result)) == expected
    assert result["count"] == len(expected)


def test_the_ckan_harvesters_query_works(client, catalogue):
    """ckanext-harvest asks for what changed since its last run, by id, a page at a time."""
    since = (timezone.now() - timezone.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    params = {"fq": f"metadata_modified:[{since}Z TO *]", "rows": "2", "sort": "id asc"}

    pages, start = [], 0
    while True:
        result = ok(client, "package_search", start=str(start), **params)
        if not result["results"]:
            break
        pages.append(names(result))
        start += 2

    assert [len(page) for page in pages] == [2, 2]
    assert {name for page in pages for name in page} == PUBLIC
    ids = [ok(client, "package_show", id=name)["id"] for page in pages for name in page]
    assert ids == sorted(ids)


def test_q_finds_words_inside_korean_words_in_titles_notes_and_tags(client, catalogue):
    assert set(names(ok(client, "package_search", q="인구"))) == {
        "seoul-population",  # title and tag
        "public-wifi",  # in the description only
    }
    assert set(names(ok(client, "package_search", q="예산"))) == {"budget-2027"}
    assert set(names(ok(client, "package_search", q="tags:와이파이"))) == {"public-wifi"}
    assert ok(client, "package_search", q="*:*")["count"] == 4


def test_score_puts_a_title_match_before_a_match_in_the_description(client, catalogue):
    result = ok(client, "package_search", q="인구", sort="score desc")

    assert names(result) == ["seoul-population", "public-wifi"]


# --- rows, start, sort ---------------------------------------------------------------------------


def test_rows_and_start_page_through_every_dataset_once(client, catalogue):
    seen = [
        names(ok(client, "package_search", rows=1, start=start, sort="name asc"))
        for start in range(5)
    ]

    assert seen == [["budget-2027"], ["contracts"], ["public-wifi"], ["seoul-population"], []]


def test_rows_defaults_to_ten_and_more_than_a_thousand_is_cut_to_a_thousand(
    client, department, catalogue
):
    official = handler_of(department)
    for i in range(11):
        make_dataset(department, official=official, name=f"extra-{i:02d}", title=f"추가 {i}")

    assert len(ok(client, "package_search")["results"]) == 10
    result = ok(client, "package_search", rows=5000)
    assert result["count"] == 15
    assert len(result["results"]) == 15
    assert ok(client, "package_search", rows=0)["results"] == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "title_string asc",
            ["2027년 예산 현황", "계약 현황", "공공 와이파이 위치", "서울시 인구 통계"],
        ),
        (
            "title_string desc",
            ["서울시 인구 통계", "공공 와이파이 위치", "계약 현황", "2027년 예산 현황"],
        ),
        ("name desc", ["서울시 인구 통계", "공공 와이파이 위치", "계약 현황", "2027년 예산 현황"]),
    ],
)
def test_sort_orders_by_the_field_asked(client, catalogue, sort, expected):
    result = ok(client, "package_search", sort=sort)

    assert [p["title"] for p in result["results"]] == expected
    assert result["sort"] == sort


def test_metadata_modified_desc_puts_the_last_changed_first(client, catalogue):
    dataset = catalogue["contracts"]
    services.add_resource(
        actor=handler_of(dataset.department),
        dataset=dataset,
        fields=services.ResourceFields(name="계약.csv", upload=csv_upload("c.csv")),
    )

    result = ok(client, "package_search", sort="metadata_modified desc")

    assert names(result)[0] == "contracts"
    stamps = [p["metadata_modified"] for p in result["results"]]
    assert stamps == sorted(stamps, reverse=True)


# --- facets --------------------------------------------------------------------------------------


def test_facets_count_the_whole_match_in_both_of_ckans_forms(client, catalogue):
    result = ok(
        client,
        "package_search",
        rows=1,
        **{"facet.field": json.dumps(["organization", "tags", "res_format", "license_id"])},
    )

    assert result["facets"]["organization"] == {"information-planning": 2, "budget": 2}
    assert result["facets"]["tags"] == {"통계": 2, "인구": 1, "와이파이": 1, "예산": 1}
    assert result["facets"]["res_format"] == {"CSV": 2, "JSON": 1, "XML": 1}
    assert result["facets"]["license_id"] == {"kogl-1": 2, "kogl-2": 1, "cc-by-4": 1}
    organizations = result["search_facets"]["organization"]
    assert organizations["title"] == "organization"
    assert sorted(
        (item["name"], item["display_name"], item["count"]) for item in organizations["items"]
    ) == [("budget", "예산담당관", 2), ("information-planning", "정보기획관", 2)]
    licences = {
        item["name"]: item["display_name"]
        for item in result["search_facets"]["license_id"]["items"]
    }
    assert licences["cc-by-4"] == "CC BY 4.0"
    assert "비밀태그" not in result["facets"]["tags"]  # the private dataset's


def test_facet_limit_keeps_the_biggest_counts(client, catalogue):
    result = ok(client, "package_search", **{"facet.field": '["tags"]', "facet.limit": "1"})

    assert result["facets"]["tags"] == {"통계": 2}


def test_without_facet_fields_there_are_no_facets(client, catalogue):
    result = ok(client, "package_search")

    assert (result["facets"], result["search_facets"]) == ({}, {})


# --- the other actions ---------------------------------------------------------------------------


def test_package_list_names_the_public_datasets(client, catalogue):
    assert ok(client, "package_list") == sorted(PUBLIC)
    assert ok(client, "package_list", limit=2, offset=1) == sorted(PUBLIC)[1:3]


def test_organizations_groups_tags_and_licences(client, catalogue):
    organizations = ok(client, "organization_list", all_fields="true", sort="package_count desc")
    assert {o["name"]: o["package_count"] for o in organizations[:2]} == {
        "information-planning": 2,
        "budget": 2,
    }
    assert "budget" in ok(client, "organization_list")
    shown = ok(client, "organization_show", id="budget", include_datasets="true")
    assert shown["package_count"] == 2
    assert {p["name"] for p in shown["packages"]} == {"budget-2027", "contracts"}
    by_id = ok(client, "organization_show", id=shown["id"])
    assert by_id["name"] == "budget"
    finance = ok(client, "group_show", id="finance")
    assert finance["package_count"] == 2
    assert "statistics" in ok(client, "group_list")
    assert ok(client, "tag_list") == sorted(["인구", "통계", "와이파이", "예산"])
    assert ok(client, "tag_list", query="인") == ["인구"]
    assert [lic["id"] for lic in ok(client, "license_list")] == ["kogl-1", "kogl-2", "cc-by-4"]
    status = ok(client, "status_show")
    assert status["site_title"] == "서울특별시"
    assert re.match(r"^\d+\.\d+", status["ckan_version"])
    assert "fq" in ok(client, "help_show", name="package_search")


def test_current_package_list_with_resources_gives_whole_packages(client, catalogue):
    packages = ok(client, "current_package_list_with_resources", limit=10)

    assert {p["name"] for p in packages} == PUBLIC
    assert all("resources" in p for p in packages)


# --- a private dataset and a closed document -----------------------------------------------------


def test_a_private_dataset_is_on_no_action(client, catalogue):
    dataset = catalogue["private"]
    # Its id, as it was while public: made public, read, made private again.
    official = handler_of(dataset.department)
    fields = services.DatasetFields(
        name=dataset.name,
        title=dataset.title,
        department=dataset.department,
        license_id="kogl-1",
        tags=["비밀태그"],
    )
    services.update_dataset(actor=official, dataset=dataset, fields=fields)
    known_id = ok(client, "package_show", id=dataset.name)["id"]
    fields.is_public = False
    services.update_dataset(actor=official, dataset=dataset, fields=fields)

    for reference in (dataset.name, known_id):
        response, body = call(client, "package_show", id=reference)
        assert response.status_code == 404
        assert body["success"] is False
        assert body["error"]["__type"] == "Not Found Error"
    everything = [
        ok(client, "package_search", rows=1000, q="비공개"),
        ok(client, "package_search", rows=1000, **{"facet.field": '["tags"]'}),
        ok(client, "package_search", fq=f"id:{known_id}"),
        ok(client, "package_list"),
        ok(client, "current_package_list_with_resources"),
        ok(client, "tag_list"),
        ok(client, "organization_show", id="information-planning", include_datasets="true"),
    ]
    text = json.dumps(everything, ensure_ascii=False)
    for secret in (dataset.name, dataset.title, "비밀태그", known_id, "draft.csv"):
        assert secret not in text
    assert everything[-1]["package_count"] == 2


def test_a_closed_document_is_never_named_a_public_one_is(client, catalogue):
    packages = {
        p["name"]: {e["key"]: e["value"] for e in p["extras"]}
        for p in ok(client, "package_search", rows=100)["results"]
    }

    assert packages["seoul-population"]["plaza_document_title"] == "인구 통계 연보 공개 문서"
    assert "plaza_document_title" not in packages["public-wifi"]
    text = json.dumps(ok(client, "package_show", id="public-wifi"), ensure_ascii=False)
    assert catalogue["closed_doc"].title not in text
    assert catalogue["closed_doc"].number not in text


# --- errors in CKAN's shape ----------------------------------------------------------------------


def test_an_unknown_id_is_ckans_not_found_error(client, catalogue):
    response, body = call(client, "package_show", id="no-such-dataset")

    assert response.status_code == 404
    assert body["success"] is False
    assert body["help"].endswith("help_show?name=package_show")
    assert body["error"]["__type"] == "Not Found Error"
    assert body["error"]["message"].startswith("Not found")


@pytest.mark.parametrize(
    ("params", "parameter", "message"),
    [
        ({"rows": "-1"}, "rows", "Must be a natural number"),
        ({"rows": "abc"}, "rows", "Invalid integer"),
        ({"rows": "١٢"}, "rows", "Invalid integer"),
        ({"rows": "²"}, "rows", "Invalid integer"),
        ({"start": str(10**30)}, "start", None),
        ({"start": "-5"}, "start", "Must be a natural number"),
        ({"facet.field": "tags"}, "facet.field", "Could not parse as valid JSON"),
        ({"facet.field": '{"a": 1}'}, "facet.field", "Not a list"),
        ({"facet.field": "[1]"}, "facet.field", "Not a string: 1"),
        ({"facet.field": '["maintainer"]'}, "facet.field", None),
        ({"facet.limit": "many"}, "facet.limit", "Invalid integer"),
    ],
)
def test_bad_parameters_are_ckans_validation_error(client, catalogue, params, parameter, message):
    response, body = call(client, "package_search", **params)

    assert response.status_code == 409
    assert body["success"] is False
    error = body["error"]
    assert error["__type"] == "Validation Error"
    assert isinstance(error[parameter], list) and error[parameter]
    if message is not None:
        assert error[parameter] == [message]


def test_package_show_without_an_id_is_a_validation_error(client, catalogue):
    response, body = call(client, "package_show")

    assert response.status_code == 409
    assert body["error"]["id"] == ["Missing value"]


@pytest.mark.parametrize(
    "fq",
    [
        "nosuchfield:1",
        "organization:",
        "(unbalanced",
        '"open quote',
        "metadata_modified:[yesterday TO *]",
        "metadata_modified:[0001-01-01T00:00:00Z TO *]",
        "organization:budget OR",
    ],
)
def test_a_filter_that_cannot_be_read_is_ckans_search_error(client, catalogue, fq):
    response, body = call(client, "package_search", fq=fq)

    assert response.status_code == 409
    assert body["error"]["__type"] == "Search Error"
    assert body["error"]["message"]


def test_an_unknown_sort_is_ckans_search_query_error(client, catalogue):
    response, body = call(client, "package_search", sort="popularity desc")

    assert response.status_code == 400
    assert body["error"]["__type"] == "Search Query Error"


def test_a_nul_character_is_refused_in_ckans_envelope(client, catalogue):
    response, body = call(client, "package_search", q="인구\x00")

    assert response.status_code == 400
    assert body["success"] is False
    assert body["error"]["__type"]
    assert "NUL" in body["error"]["message"]


def test_unknown_actions_and_paths_answer_in_ckans_envelope(client, catalogue):
    response, body = call(client, "package_create")
    assert response.status_code == 400
    assert body["success"] is False
    assert "Action name not known: package_create" in body["error"]["message"]

    response, body = call(client, "package_show/extra/parts")
    assert response.status_code == 404
    assert body["success"] is False
    assert body["error"]["__type"] == "Not Found Error"

    response = client.put(ACTION + "package_search")
    assert response.status_code == 405
    assert response.json()["success"] is False


def test_a_body_over_the_cap_is_refused_in_ckans_envelope(client, catalogue, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        ACTION + "package_search",
        data=json.dumps({"q": "x" * 5000}),
        content_type="application/json",
    )

    assert response.status_code == 413
    body = response.json()
    assert body["success"] is False
    assert body["help"].endswith("help_show?name=package_search")


# --- POST, as CKAN clients send it ---------------------------------------------------------------


def test_a_json_post_works_without_a_csrf_token(catalogue):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        ACTION + "package_search",
        data=json.dumps(
            {"fq": "organization:budget", "rows": 1, "sort": "name asc", "facet.field": ["tags"]}
        ),
        content_type="application/json",
    )

    assert response.status_code == 200
    result = response.json()["result"]
    assert (result["count"], names(result)) == (2, ["budget-2027"])
    assert result["facets"]["tags"] == {"예산": 1, "통계": 1}


def test_a_json_post_that_is_not_an_object_is_refused(client, catalogue):
    response = client.post(ACTION + "package_show", data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_a_signed_in_session_cannot_reach_a_private_dataset_either(client, catalogue):
    """include_private is accepted and changes nothing: even the department's official reads
    only public datasets here."""
    from tests.factories import log_in_official

    log_in_official(client, handler_of(catalogue["private"].department))

    result = ok(client, "package_search", include_private="true", rows=100)

    assert set(names(result)) == PUBLIC


# --- a CKAN client this project did not write ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("get_only", [False, True])
def test_ckanapi_reads_the_city_as_it_reads_any_ckan(live_server, catalogue, get_only):
    """ckanapi (PyPI), the CKAN project's own client, over real HTTP: POST with a JSON body by
    default, GET with get_only; CKAN's errors come back as its exceptions."""
    from ckanapi import NotFound, RemoteCKAN, ValidationError

    with RemoteCKAN(live_server.url, get_only=get_only) as remote:  # it calls /api/action/
        found = remote.action.package_search(
            fq="organization:budget", sort="name asc", rows=10, **{"facet.field": '["tags"]'}
        )
        assert found["count"] == 2
        assert [p["name"] for p in found["results"]] == ["budget-2027", "contracts"]
        assert found["facets"]["tags"] == {"예산": 1, "통계": 1}
        package = remote.action.package_show(id="seoul-population")
        assert package["title"] == "서울시 인구 통계"
        assert [r["format"] for r in package["resources"]] == ["CSV", "JSON"]
        assert sorted(remote.action.package_list()) == sorted(PUBLIC)
        assert "budget" in remote.action.organization_list()
        with pytest.raises(NotFound):
            remote.action.package_show(id="private-draft")
        with pytest.raises(ValidationError) as refused:
            remote.action.package_search(rows=-1)
        assert refused.value.error_dict["rows"] == ["Must be a natural number"]
