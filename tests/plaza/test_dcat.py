"""The DCAT catalogues: /data.json validated against Project Open Data's own v1.1 JSON Schema
(a copy in tests/plaza/data/pod-v1.1, see SOURCE.md), every required field present for every
dataset; /catalog.jsonld read by a JSON-LD processor (pyld) as DCAT-AP's classes and typed
literals; and on both only public datasets, never a closed document."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema_rs
import pytest
from pyld import jsonld

from hamkke.core.models import Department
from hamkke.plaza.models import Disclosure
from tests.plaza.opendata_helpers import csv_upload, make_dataset

pytestmark = pytest.mark.django_db

POD_SCHEMAS = Path(__file__).parent / "data" / "pod-v1.1"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
# DCAT-US's required fields, federal codes aside.
POD_REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)


def _pod_schema(name: str) -> dict:
    schema = json.loads((POD_SCHEMAS / name).read_text())
    if name == "dataset.json":
        # US federal budget codes: a city has none (data.gov's non-federal schema drops them).
        schema["required"] = [
            f for f in schema["required"] if f not in ("bureauCode", "programCode")
        ]
    return schema


def pod_validator():
    def retrieve(uri: str) -> dict:
        return _pod_schema(uri.rsplit("/", 1)[-1].split("#")[0])

    return jsonschema_rs.Draft4Validator(
        _pod_schema("catalog.json"), retriever=retrieve, validate_formats=True
    )


@pytest.fixture
def catalogue(department, city, make_document):
    public_doc = make_document(title="공개된 통계 보고서")
    closed_doc = make_document(
        title="인사위원회 비공개 회의록", disclosure=Disclosure.CLOSED, legal_ground="art9-1-6"
    )
    budget = Department.objects.get(city=city, code="budget")
    return {
        "full": make_dataset(
            department,
            name="population",
            title="인구 통계",
            notes="자치구별 인구",
            tags=["인구"],
            category="statistics",
            license_id="cc-by-4",
            frequency="P1M",
            temporal_start=date(2021, 1, 1),
            temporal_end=date(2021, 12, 31),
            document_number=public_doc.number,
            resources=[
                {"name": "인구.csv", "description": "월별", "upload": csv_upload()},
                {"name": "API", "url": "https://data.seoul.go.kr/api/population"},
                {"name": "JSON", "url": "https://data.seoul.go.kr/population.json"},
            ],
        ),
        # No tags, no notes, no resources: still a valid DCAT-US entry.
        "bare": make_dataset(budget, name="bare", title="최소 데이터", license_id="kogl-2"),
        "closed_link": make_dataset(
            department,
            name="closed-link",
            title="닫힌 문서의 데이터",
            document_number=closed_doc.number,
        ),
        "irregular": make_dataset(
            budget, name="irregular", title="수시 갱신", frequency="irregular", category="budget"
        ),
        "private": make_dataset(
            department,
            name="hidden",
            title="숨은 데이터",
            is_public=False,
            resources=[{"name": "h.csv", "upload": csv_upload("h.csv")}],
        ),
        "public_doc": public_doc,
        "closed_doc": closed_doc,
    }


def data_json(client) -> dict:
    response = client.get("/data.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def catalog_jsonld(client) -> dict:
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return response.json()


# --- DCAT-US -------------------------------------------------------------------------------------


def test_data_json_is_valid_against_project_open_datas_schema(client, catalogue):
    catalog = data_json(client)

    errors = [f"{e.instance_path}: {e.message}" for e in pod_validator().iter_errors(catalog)]
    assert errors == []
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["@id"] == "http://testserver/data.json"


def test_the_schema_check_catches_what_is_wrong(client, catalogue):
    """The validator above is not asleep: a catalogue missing what DCAT-US requires fails."""
    catalog = data_json(client)
    del catalog["dataset"][0]["contactPoint"]
    catalog["dataset"][1]["distribution"] = [{"downloadURL": "https://example.org/x.csv"}]

    errors = list(pod_validator().iter_errors(catalog))
    assert any("contactPoint" in e.message for e in errors)
    assert ["dataset", 1, "distribution"] in [list(e.instance_path) for e in errors]


def test_every_dataset_has_every_required_field(client, catalogue):
    datasets = data_json(client)["dataset"]

    assert {d["title"] for d in datasets} == {
        "인구 통계",
        "최소 데이터",
        "닫힌 문서의 데이터",
        "수시 갱신",
    }
    for entry in datasets:
        for field in POD_REQUIRED:
            assert entry.get(field), (entry["title"], field)
        assert entry["accessLevel"] == "public"
        assert entry["keyword"] and all(entry["keyword"])
        assert entry["contactPoint"]["hasEmail"].startswith("mailto:")
        assert entry["publisher"]["@type"] == "org:Organization"
    by_title = {d["title"]: d for d in datasets}
    bare = by_title["최소 데이터"]
    assert bare["description"] == "최소 데이터"
    assert bare["keyword"] == ["예산담당관"]  # no tags, no category: its department
    assert bare["license"] == "https://www.kogl.or.kr/info/licenseType2.do"
    assert by_title["수시 갱신"]["accrualPeriodicity"] == "irregular"
    assert by_title["수시 갱신"]["keyword"] == ["예산·결산"]  # its category
    assert by_title["수시 갱신"]["theme"] == ["재정·경제", "예산·결산"]


def test_a_full_dataset_says_everything_it_has(client, catalogue):
    entry = next(d for d in data_json(client)["dataset"] if d["title"] == "인구 통계")
    package = client.get("/api/3/action/package_show", {"id": "population"}).json()["result"]

    assert entry["identifier"] == package["id"]
    assert entry["publisher"]["name"] == "정보기획관"
    assert entry["keyword"] == ["인구"]
    assert entry["temporal"] == "2021-01-01/2021-12-31"
    assert entry["accrualPeriodicity"] == "R/P1M"
    assert entry["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert entry["landingPage"] == "http://testserver/plaza/data/population/"
    upload, api, json_link = entry["distribution"]
    assert upload["downloadURL"] == package["resources"][0]["url"]
    assert (upload["mediaType"], upload["format"], upload["description"]) == (
        "text/csv",
        "CSV",
        "월별",
    )
    # A link whose media type is unknown is where the data is reached, not the data itself.
    assert api == {
        "@type": "dcat:Distribution",
        "title": "API",
        "accessURL": "https://data.seoul.go.kr/api/population",
    }
    assert json_link["downloadURL"] == "https://data.seoul.go.kr/population.json"
    assert json_link["mediaType"] == "application/json"


# --- DCAT-AP -------------------------------------------------------------------------------------


def _values(node: dict, key: str) -> list:
    return node.get(key, [])


def test_catalog_jsonld_expands_to_dcat_ap_classes_and_typed_literals(client, catalogue):
    document = catalog_jsonld(client)
    assert set(document["@context"]) >= {"dcat", "dct", "foaf", "vcard", "xsd"}

    expanded = jsonld.expand(document)

    (catalog,) = expanded
    assert catalog["@type"] == [f"{DCAT}Catalog"]
    assert _values(catalog, f"{DCT}title")[0]["@value"]
    assert _values(catalog, f"{DCT}publisher")[0]["http://xmlns.com/foaf/0.1/name"]
    datasets = _values(catalog, f"{DCAT}dataset")
    assert len(datasets) == 4
    for dataset in datasets:
        assert dataset["@type"] == [f"{DCAT}Dataset"]
        for key in ("identifier", "title", "description", "publisher", "issued", "modified"):
            assert _values(dataset, f"{DCT}{key}"), key
        assert _values(dataset, f"{DCAT}keyword")
        assert _values(dataset, f"{DCAT}contactPoint")
        for key in ("issued", "modified"):
            (stamp,) = _values(dataset, f"{DCT}{key}")
            assert stamp["@type"] == f"{XSD}dateTime"
        contact = _values(dataset, f"{DCAT}contactPoint")[0]
        assert _values(contact, f"{VCARD}hasEmail")[0]["@id"].startswith("mailto:")
    full = next(d for d in datasets if d["@id"] == "http://testserver/plaza/data/population/")
    assert _values(full, f"{DCT}license") == [
        {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    ]
    assert _values(full, f"{DCT}accrualPeriodicity") == [
        {"@id": "http://publications.europa.eu/resource/authority/frequency/MONTHLY"}
    ]
    (period,) = _values(full, f"{DCT}temporal")
    assert _values(period, f"{DCAT}startDate") == [{"@value": "2021-01-01", "@type": f"{XSD}date"}]
    assert [
        t["http://www.w3.org/2004/02/skos/core#prefLabel"][0]["@value"]
        for t in _values(full, f"{DCAT}theme")
    ] == ["통계"]
    distributions = _values(full, f"{DCAT}distribution")
    assert len(distributions) == 3
    for distribution in distributions:
        assert distribution["@type"] == [f"{DCAT}Distribution"]
        assert _values(distribution, f"{DCAT}accessURL")[0]["@id"].startswith("http")
    csv = next(
        d
        for d in distributions
        if _values(d, f"{DCAT}downloadURL") and _values(d, f"{DCAT}byteSize")
    )
    assert _values(csv, f"{DCT}format") == [
        {"@id": "http://publications.europa.eu/resource/authority/file-type/CSV"}
    ]
    assert _values(csv, f"{DCAT}mediaType") == [
        {"@id": "https://www.iana.org/assignments/media-types/text/csv"}
    ]
    (size,) = _values(csv, f"{DCAT}byteSize")
    assert size == {"@value": str(len(csv_upload().read())), "@type": f"{XSD}nonNegativeInteger"}


# --- what is public ------------------------------------------------------------------------------


def test_no_catalogue_holds_a_private_dataset(client, catalogue):
    for text in (
        client.get("/data.json").content.decode(),
        client.get("/catalog.jsonld").content.decode(),
    ):
        assert "숨은 데이터" not in text
        assert "/plaza/data/hidden/" not in text
        assert "h.csv" not in text


def test_a_closed_document_is_never_referenced_a_public_one_is(client, catalogue):
    """The public document's page is referenced; the closed one is never named."""
    public = f"http://testserver/plaza/documents/{catalogue['public_doc'].pk}/"
    closed = f"/plaza/documents/{catalogue['closed_doc'].pk}/"

    by_title = {d["title"]: d for d in data_json(client)["dataset"]}
    assert by_title["인구 통계"]["references"] == [public]
    assert "references" not in by_title["닫힌 문서의 데이터"]
    ap = {d["@id"]: d for d in catalog_jsonld(client)["dcat:dataset"]}
    assert ap["http://testserver/plaza/data/population/"]["dct:references"] == [{"@id": public}]
    assert "dct:references" not in ap["http://testserver/plaza/data/closed-link/"]
    for path in ("/data.json", "/catalog.jsonld"):
        text = client.get(path).content.decode()
        assert closed not in text
        assert catalogue["closed_doc"].title not in text


def test_an_empty_catalogue_is_still_valid(client, city):
    catalog = data_json(client)

    assert catalog["dataset"] == []
    assert list(pod_validator().iter_errors(catalog)) == []
    assert catalog_jsonld(client)["dcat:dataset"] == []


def test_the_catalogues_refuse_writes_in_json(client, city):
    response = client.post("/data.json")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
