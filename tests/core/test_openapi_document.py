"""The OpenAPI document at /api/v1/openapi.json says what the API truly answers: each
operation's own schema (two apps' `MeOut`, two `PlaceOut`s, once described one operation's
answer with the other's fields), and every error status the site may give it in {detail, code}."""

from __future__ import annotations

import pytest

from hamkke.core.web.openapi import _renamed, qualified_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").json()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def answer(document: dict, path: str, method: str = "get", status: str = "200") -> dict:
    content = document["paths"][path][method]["responses"][status]["content"]
    return resolve(document, content["application/json"]["schema"])


def test_each_operation_is_described_by_its_own_schema(document):
    me = answer(document, "/api/v1/accounts/me")
    cycle_me = answer(document, "/api/v1/budget/cycles/{slug}/me")
    places = answer(document, "/api/v1/geocode")

    # Fields each operation answers (accounts/schemas.py, budget/schemas.py, core/city/api.py).
    assert {"email", "display_name", "second_factor"} <= set(me["properties"])
    assert {"verified", "pools", "proposals"} <= set(cycle_me["properties"])
    assert {"name", "kind", "district"} <= set(resolve(document, places["items"])["properties"])


def test_a_shared_class_name_is_qualified_by_its_app(document):
    schemas = document["components"]["schemas"]
    assert {"AccountsMeOut", "BudgetMeOut", "CityPlaceOut", "BudgetPlaceOut"} <= set(schemas)
    assert "MeOut" not in schemas and "PlaceOut" not in schemas
    # Names no other model has are left as they were.
    assert "ComplaintDetailOut" in schemas


def test_every_reference_resolves(document):
    def refs(value):
        if isinstance(value, dict):
            if isinstance(value.get("$ref"), str):
                yield value["$ref"]
            for child in value.values():
                yield from refs(child)
        elif isinstance(value, list):
            for child in value:
                yield from refs(child)

    names = set(document["components"]["schemas"])
    missing = {ref for ref in refs(document) if ref.rsplit("/", 1)[1] not in names}
    assert not missing


def test_every_operation_lists_the_errors_it_may_answer(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"400", "404", "413", "422", "429"} <= statuses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"401", "403", "409"} <= statuses, (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= statuses, (method, path)
            assert not {s for s in statuses if s.startswith("5")}, (method, path)
    error = answer(document, "/api/v1/complaints", "post", "413")
    assert error["required"] == ["detail", "code"]


def test_the_comment_thread_is_documented_as_a_page(document):
    page = answer(document, "/api/v1/threads/{target_type}/{target_id}/comments")
    assert {"count", "page", "page_size", "pages", "items"} <= set(page["properties"])
    parameters = document["paths"]["/api/v1/threads/{target_type}/{target_id}/comments"]["get"]
    assert {"page", "page_size"} <= {p["name"] for p in parameters["parameters"]}


def test_qualified_names_and_renaming():
    class MeOut:
        pass

    MeOut.__module__ = "hamkke.budget.schemas"
    assert qualified_name(MeOut) == "BudgetMeOut"
    MeOut.__module__ = "hamkke.core.city.api"
    assert qualified_name(MeOut) == "CityMeOut"
    renamed = _renamed(
        {
            "$defs": {"MeOut-Output": {"type": "object"}, "Other": {"type": "string"}},
            "properties": {"a": {"$ref": "#/components/schemas/MeOut-Output"}},
        },
        {"MeOut": "BudgetMeOut"},
    )
    assert set(renamed["$defs"]) == {"BudgetMeOut-Output", "Other"}
    assert renamed["properties"]["a"]["$ref"] == "#/components/schemas/BudgetMeOut-Output"
