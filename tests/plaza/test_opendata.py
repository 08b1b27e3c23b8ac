"""The Plaza's open data through its services, the officials' desk, the public pages, the files
and the JSON API: what a dataset may be, files recognised by their content, links by their
scheme, who may change what, and a private dataset or a closed document on no public page."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hamkke.accounts.models import Role
from hamkke.core.errors import Conflict, InvalidInput, InvalidUpload, NotAllowed
from hamkke.core.models import AuditEntry, Department
from hamkke.plaza.models import Dataset, Disclosure, Resource
from hamkke.plaza.opendata import services
from tests import factories
from tests.plaza.opendata_helpers import CSV, csv_upload, handler_of, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def budget(city):
    return Department.objects.get(city=city, code="budget")


@pytest.fixture
def handler(department):
    return handler_of(department)


def fields(department, **values) -> services.DatasetFields:
    defaults = {"name": "population", "title": "인구 통계", "department": department}
    defaults.update(values)
    return services.DatasetFields(**defaults)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("roads.shp", b"\x00\x00\x27\x0a")
    return buffer.getvalue()


def stored_files() -> list[str]:
    root = django_settings.MEDIA_ROOT
    return (
        [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.exists() else []
    )


# --- datasets ------------------------------------------------------------------------------------


def test_a_handler_creates_a_dataset_of_their_department_with_an_audit_entry(department, handler):
    dataset = services.create_dataset(
        actor=handler,
        fields=fields(
            department,
            name="Seoul-Population",
            notes="자치구별",
            category="statistics",
            tags=["인구", " 통계 ", "인구"],
            frequency="p1m",
            temporal_start=date(2020, 1, 1),
            temporal_end=date(2020, 12, 31),
        ),
    )

    dataset.refresh_from_db()
    assert dataset.name == "seoul-population"
    assert dataset.license_id == "kogl-1"  # the profile's default licence
    assert dataset.frequency == "P1M"
    assert sorted(tag.name for tag in dataset.tags.all()) == ["인구", "통계"]
    assert dataset.category.code == "statistics"
    entry = AuditEntry.objects.get(action="plaza.dataset.created")
    assert (entry.actor, entry.target_id) == (handler, str(dataset.pk))


@pytest.mark.parametrize(
    "name", ["x", "desk", "new", "공공데이터", "has space", "-start", "a" * 101, "dots.in"]
)
def test_a_name_must_be_a_ckan_name(department, handler, name):
    with pytest.raises(InvalidInput) as refused:
        services.create_dataset(actor=handler, fields=fields(department, name=name))
    assert refused.value.field == "name"


def test_a_name_is_taken_once(department, handler):
    services.create_dataset(actor=handler, fields=fields(department))

    with pytest.raises(Conflict):
        services.create_dataset(actor=handler, fields=fields(department, title="다른 제목"))
    assert Dataset.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "가" * 301}, "title"),
        ({"license_id": "gpl-3"}, "license_id"),
        ({"category": "no-such-category"}, "category"),
        ({"frequency": "monthly"}, "frequency"),
        ({"frequency": "P"}, "frequency"),
        ({"frequency": "PT"}, "frequency"),
        ({"temporal_start": date(2020, 1, 1)}, "temporal_end"),
        ({"temporal_end": date(2020, 1, 1)}, "temporal_start"),
        ({"temporal_start": date(2021, 1, 1), "temporal_end": date(2020, 1, 1)}, "temporal_end"),
        ({"temporal_start": date(1, 1, 1), "temporal_end": date(2020, 1, 1)}, "temporal_start"),
        ({"temporal_start": date(2020, 1, 1), "temporal_end": date(9999, 12, 31)}, "temporal_end"),
        ({"document_number": "NO-SUCH-DOC"}, "document"),
        ({"tags": [f"태그{i}" for i in range(31)]}, "tags"),
        ({"tags": ["가" * 65]}, "tags"),
    ],
)
def test_what_no_dataset_may_be_is_refused_by_field(department, handler, values, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_dataset(actor=handler, fields=fields(department, **values))

    assert refused.value.field == field
    assert not Dataset.objects.exists()


def test_a_dataset_links_a_public_document_or_one_of_its_own_departments(
    department, budget, handler, make_document
):
    theirs_closed = make_document(
        department=budget, title="닫힘", disclosure=Disclosure.CLOSED, legal_ground="art9-1-6"
    )
    theirs_public = make_document(department=budget, title="공개")
    ours_closed = make_document(
        title="우리 닫힘", disclosure=Disclosure.CLOSED, legal_ground="art9-1-6"
    )

    with pytest.raises(InvalidInput) as refused:
        services.create_dataset(
            actor=handler, fields=fields(department, document_number=theirs_closed.number)
        )
    assert refused.value.field == "document"
    assert "No document is numbered" in refused.value.message
    for number, name in ((theirs_public.number, "a-public"), (ours_closed.number, "our-own")):
        dataset = services.create_dataset(
            actor=handler, fields=fields(department, name=name, document_number=number)
        )
        assert dataset.document.number == number


def test_only_handlers_of_the_department_manage_its_datasets(department, budget, handler):
    viewer = factories.make_official(role=Role.VIEWER, department=department)
    with pytest.raises(NotAllowed):
        services.create_dataset(actor=viewer, fields=fields(department))
    with pytest.raises(NotAllowed):
        services.create_dataset(actor=handler_of(budget), fields=fields(department))
    dataset = services.create_dataset(actor=handler, fields=fields(department))
    # Moving it to a department where the handler holds no role is refused too.
    with pytest.raises(NotAllowed):
        services.update_dataset(actor=handler, dataset=dataset, fields=fields(budget))
    with pytest.raises(NotAllowed):
        services.add_resource(
            actor=handler_of(budget),
            dataset=dataset,
            fields=services.ResourceFields(name="x", url="https://example.org/x.csv"),
        )
    assert Dataset.objects.get().department == department


# --- resources -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "format", "media_type"),
    [
        ("인구.csv", CSV, "CSV", "text/csv"),
        ("data.json", b'{"rows": [1, 2]}', "JSON", "application/json"),
        (
            "gu.geojson",
            b'{"type": "FeatureCollection", "features": []}',
            "GeoJSON",
            "application/geo+json",
        ),
        ("data.xml", b"<?xml version='1.0'?><rows><row>1</row></rows>", "XML", "application/xml"),
        ("data.tsv", "구\t인구\n종로구\t1\n".encode(), "TSV", "text/tab-separated-values"),
        (
            "통계.xlsx",
            xlsx(),
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("roads.zip", plain_zip(), "ZIP", "application/zip"),
        (
            "report.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            "PDF",
            "application/pdf",
        ),
    ],
)
def test_files_are_recognised_by_their_content(
    department, handler, name, content, format, media_type
):
    dataset = make_dataset(department, official=handler)

    resource = services.add_resource(
        actor=handler,
        dataset=dataset,
        fields=services.ResourceFields(name="", upload=upload(name, content)),
    )

    assert (resource.name, resource.format, resource.media_type) == (name, format, media_type)
    assert resource.size == len(content)
    with resource.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a picture named as a table
        ("data.json", b"{'not': json}"),
        ("gu.geojson", b"[1, 2, 3]"),
        ("data.xml", b"<rows><row>1</rows>"),
        ("data.zip", b"PK\x03\x04 but not an archive"),
        ("report.pdf", b"just some text pretending"),
        ("data.xlsx", plain_zip()),
        ("data.csv", b""),
        ("setup.exe", b"MZ\x90\x00"),
        ("no-extension", CSV),
    ],
)
def test_a_file_whose_content_is_not_what_it_claims_is_refused_and_nothing_is_kept(
    department, handler, name, content
):
    dataset = make_dataset(department, official=handler)

    with pytest.raises(InvalidUpload):
        services.add_resource(
            actor=handler,
            dataset=dataset,
            fields=services.ResourceFields(name="x", upload=upload(name, content)),
        )

    assert not Resource.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://data.seoul.go.kr/x.csv",
        "javascript:alert(1)",
        "data.seoul.go.kr/x.csv",
        "file:///etc/passwd",
        "https://" + "a" * 500 + ".org/",
    ],
)
def test_a_link_must_be_http_or_https(department, handler, url):
    dataset = make_dataset(department, official=handler)

    with pytest.raises(InvalidInput) as refused:
        services.add_resource(
            actor=handler, dataset=dataset, fields=services.ResourceFields(name="x", url=url)
        )
    assert refused.value.field == "url"


def test_a_links_format_is_guessed_from_its_ending_unless_given(department, handler):
    dataset = make_dataset(department, official=handler)
    add = lambda **values: services.add_resource(  # noqa: E731
        actor=handler, dataset=dataset, fields=services.ResourceFields(**values)
    )

    guessed = add(name="", url="https://data.seoul.go.kr/files/population.csv")
    given = add(name="OpenAPI", url="https://data.seoul.go.kr/api/population", format="api")

    assert (guessed.name, guessed.format, guessed.media_type) == (
        "population.csv",
        "CSV",
        "text/csv",
    )
    assert (given.format, given.media_type) == ("API", "")


def test_a_resource_is_a_file_or_a_link_not_both_nor_neither(department, handler):
    dataset = make_dataset(department, official=handler)
    for values in ({"upload": csv_upload(), "url": "https://example.org/x.csv"}, {}):
        with pytest.raises(InvalidInput):
            services.add_resource(
                actor=handler, dataset=dataset, fields=services.ResourceFields(name="x", **values)
            )
    assert not Resource.objects.exists()


def test_removing_a_resource_deletes_its_file_once_committed(
    department, handler, django_capture_on_commit_callbacks
):
    dataset = make_dataset(
        department, official=handler, resources=[{"name": "a", "upload": csv_upload()}]
    )
    resource = dataset.resources.get()
    assert len(stored_files()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_resource(actor=handler, resource=resource)

    assert not Resource.objects.exists()
    assert stored_files() == []
    assert AuditEntry.objects.filter(action="plaza.dataset.resource_removed").count() == 1


# --- the desk ------------------------------------------------------------------------------------


@pytest.fixture
def logged_in(client):
    def make(department, role=Role.HANDLER):
        user = factories.make_official(role=role, department=department)
        factories.log_in_official(client, user)
        return user

    return make


def test_the_desk_asks_for_a_login_a_role_and_the_second_factor(client, department, citizen):
    desk = reverse("plaza:datasets-desk")
    response = client.get(desk)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))

    client.force_login(citizen)
    assert client.get(desk).status_code == 403

    official = factories.make_official(role=Role.HANDLER, department=department)
    factories.activate_totp(official)
    client.force_login(official)  # password only: this session never saw the code
    response = client.get(desk)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second-factor"))


def test_a_viewer_cannot_use_the_dataset_desk(client, department, logged_in):
    logged_in(department, Role.VIEWER)

    assert client.get(reverse("plaza:datasets-desk")).status_code == 403
    assert client.post(reverse("plaza:dataset-new"), {"name": "x"}).status_code == 403


def test_a_handler_creates_edits_and_fills_a_dataset_at_the_desk(client, department, logged_in):
    logged_in(department)

    response = client.post(
        reverse("plaza:dataset-new"),
        {
            "department": department.code,
            "name": "bus-stops",
            "title": "버스 정류장",
            "licence": "cc-by-4",
            "tags": "교통, 버스",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("plaza:dataset-edit", args=["bus-stops"])
    dataset = Dataset.objects.get(name="bus-stops")
    assert (dataset.license_id, dataset.is_public) == ("cc-by-4", True)

    response = client.post(
        reverse("plaza:dataset-add-resource", args=["bus-stops"]),
        {"name": "정류장.csv", "file": csv_upload("stops.csv")},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("plaza:dataset-add-resource", args=["bus-stops"]),
        {"name": "사진", "file": upload("stops.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)},
    )
    assert response.status_code == 400
    assert "content is not one" in response.content.decode()
    response = client.post(
        reverse("plaza:dataset-edit", args=["bus-stops"]),
        {
            "department": department.code,
            "name": "bus-stops",
            "title": "버스 정류장 위치",
            "licence": "cc-by-4",
            "frequency": "yearly",
        },
    )
    assert response.status_code == 400
    assert "ISO 8601" in response.content.decode()
    assert Dataset.objects.get(name="bus-stops").title == "버스 정류장"

    page = client.get(reverse("plaza:datasets-desk")).content.decode()
    assert "버스 정류장" in page
    resource = dataset.resources.get()
    response = client.post(
        reverse("plaza:dataset-remove-resource", args=["bus-stops", resource.pk])
    )
    assert response.status_code == 302
    assert not dataset.resources.exists()


def test_a_handler_sees_and_touches_only_their_departments_datasets(
    client, department, budget, logged_in
):
    theirs = make_dataset(budget, name="budget-data", title="예산 데이터")
    mine = make_dataset(department, name="mine", title="우리 데이터")
    logged_in(department)

    page = client.get(reverse("plaza:datasets-desk")).content.decode()
    assert mine.title in page and theirs.title not in page
    assert client.get(reverse("plaza:dataset-edit", args=["budget-data"])).status_code == 404
    response = client.post(
        reverse("plaza:dataset-add-resource", args=["budget-data"]),
        {"url": "https://example.org/x.csv"},
    )
    assert response.status_code == 404
    assert not theirs.resources.exists()
    # Their department is not one the form offers.
    response = client.post(
        reverse("plaza:dataset-new"),
        {"department": "budget", "name": "sneaky", "title": "x", "licence": "kogl-1"},
    )
    assert response.status_code == 400
    assert not Dataset.objects.filter(name="sneaky").exists()


def test_desk_forms_need_the_csrf_token(client, department, logged_in):
    logged_in(department)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same signed-in session, without the form's token

    response = strict.post(
        reverse("plaza:dataset-new"),
        {"department": department.code, "name": "csrf", "title": "x", "licence": "kogl-1"},
    )

    assert response.status_code == 403
    assert not Dataset.objects.filter(name="csrf").exists()


# --- public pages --------------------------------------------------------------------------------


@pytest.fixture
def published(department, budget, make_document):
    public_doc = make_document(title="인구 통계 연보")
    closed_doc = make_document(
        department=budget,
        title="인사 심의 비공개 기록",
        disclosure=Disclosure.CLOSED,
        legal_ground="art9-1-6",
    )
    return {
        "population": make_dataset(
            department,
            name="population",
            title="서울시주민등록인구",
            notes="자치구별 인구 통계",
            tags=["인구"],
            category="statistics",
            license_id="cc-by-4",
            temporal_start=date(2020, 1, 1),
            temporal_end=date(2020, 12, 31),
            document_number=public_doc.number,
            resources=[
                {"name": "인구.csv", "upload": csv_upload()},
                {"name": "OpenAPI", "url": "https://data.seoul.go.kr/api/population"},
            ],
        ),
        "budget": make_dataset(
            budget,
            name="budget",
            title="예산 현황",
            category="budget",
            license_id="kogl-2",
            document_number=closed_doc.number,
            resources=[{"name": "b.json", "upload": upload("b.json", b"[]")}],
        ),
        "private": make_dataset(
            department,
            name="hidden",
            title="숨은 데이터",
            tags=["숨김"],
            is_public=False,
            resources=[{"name": "h.csv", "upload": csv_upload("h.csv")}],
        ),
        "public_doc": public_doc,
        "closed_doc": closed_doc,
    }


def titles(response) -> list[str]:
    return [dataset.title for dataset in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"서울시주민등록인구", "예산 현황"}),
        ({"q": "등록인구"}, {"서울시주민등록인구"}),  # inside a Korean word
        ({"q": "자치구 통계"}, {"서울시주민등록인구"}),
        ({"organization": "budget"}, {"예산 현황"}),
        ({"category": "finance"}, {"예산 현황"}),  # a theme holds its topics
        ({"format": "JSON"}, {"예산 현황"}),
        ({"licence": "cc-by-4"}, {"서울시주민등록인구"}),
        ({"tag": "인구"}, {"서울시주민등록인구"}),
        ({"q": "숨은"}, set()),
        ({"tag": "숨김"}, set()),
    ],
)
def test_the_list_searches_and_filters_public_datasets(client, published, query, expected):
    response = client.get(reverse("plaza:datasets"), query)

    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_a_filter_that_cannot_be_read_is_said_and_left_out(client, published):
    response = client.get(reverse("plaza:datasets"), {"organization": "nobody", "q": "예산"})

    assert response.status_code == 200
    assert titles(response) == ["예산 현황"]
    assert "could not be read" in response.content.decode()


def test_the_list_is_paged(client, department, published):
    official = handler_of(department)
    for i in range(25):
        make_dataset(department, official=official, name=f"extra-{i:02d}", title=f"추가 {i}")

    first = client.get(reverse("plaza:datasets"))
    second = client.get(reverse("plaza:datasets"), {"page": "2"})
    odd = client.get(reverse("plaza:datasets"), {"page": "²"})

    assert len(titles(first)) == 20 and len(titles(second)) == 7
    assert not set(titles(first)) & set(titles(second))
    assert odd.status_code == 200 and titles(odd) == titles(first)


def test_a_dataset_page_shows_its_resources_licence_department_and_coverage(client, published):
    response = client.get(reverse("plaza:dataset", args=["population"]))

    assert response.status_code == 200
    page = response.content.decode()
    dataset = published["population"]
    upload_resource, _link = dataset.resources.all()
    assert reverse("plaza:dataset-resource", args=["population", upload_resource.pk]) in page
    assert 'href="https://data.seoul.go.kr/api/population"' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "Information Planning Division" in page
    assert "2020-01-01" in page and "2020-12-31" in page
    assert "인구 통계 연보" in page  # its public document


def test_a_closed_document_is_never_named_on_the_page_or_in_the_api(client, published):
    page = client.get(reverse("plaza:dataset", args=["budget"])).content.decode()
    api = client.get("/api/v1/plaza/datasets/budget").json()
    listing = client.get("/api/v1/plaza/datasets").content.decode()

    assert "인사 심의 비공개 기록" not in page
    assert api["document"] is None
    assert "인사 심의 비공개 기록" not in listing
    assert client.get("/api/v1/plaza/datasets/population").json()["document"]["title"] == (
        "인구 통계 연보"
    )


def test_a_private_dataset_is_a_404_everywhere(client, published):
    resource = published["private"].resources.get()
    for url in (
        reverse("plaza:dataset", args=["hidden"]),
        reverse("plaza:dataset-resource", args=["hidden", resource.pk]),
        "/api/v1/plaza/datasets/hidden",
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("plaza:datasets"), "/api/v1/plaza/datasets?page_size=100"):
        text = client.get(url).content.decode()
        assert "숨은 데이터" not in text and "/plaza/data/hidden/" not in text
        assert "h.csv" not in text


def test_a_file_is_served_as_a_download_the_browser_never_sniffs(client, published):
    resource = published["population"].resources.first()

    response = client.get(reverse("plaza:dataset-resource", args=["population", resource.pk]))

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "text/csv"
    assert b"".join(response.streaming_content) == CSV


def test_only_a_datasets_own_uploaded_files_are_served(client, published):
    link = published["population"].resources.get(url__startswith="https://")
    other = published["budget"].resources.get()

    for name, pk in (("population", link.pk), ("population", other.pk), ("population", 10**25)):
        response = client.get(reverse("plaza:dataset-resource", args=[name, pk]))
        assert response.status_code in (400, 404)
    assert client.get(reverse("plaza:dataset", args=["no-such"])).status_code == 404


# --- the JSON API --------------------------------------------------------------------------------


def test_the_json_api_lists_and_shows_public_datasets(client, published):
    listing = client.get("/api/v1/plaza/datasets", {"licence": "cc-by-4"}).json()
    detail = client.get("/api/v1/plaza/datasets/population").json()

    assert (listing["count"], listing["page"], listing["pages"]) == (1, 1, 1)
    assert [item["name"] for item in listing["items"]] == ["population"]
    assert detail == listing["items"][0]
    assert detail["organization"] == {
        "code": "information-planning",
        "name": "Information Planning Division",  # the page's language, English here
    }
    assert detail["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert detail["tags"] == ["인구"]
    assert (detail["temporal_start"], detail["temporal_end"]) == ("2020-01-01", "2020-12-31")
    assert [(r["name"], r["format"], r["uploaded"]) for r in detail["resources"]] == [
        ("인구.csv", "CSV", True),
        ("OpenAPI", "", False),
    ]
    assert client.get("/api/v1/plaza/datasets", {"q": "예산"}).json()["count"] == 1
    assert client.get("/api/v1/plaza/datasets", {"page_size": 1000}).json()["page_size"] == 100


def test_the_json_api_answers_a_missing_dataset_in_its_error_format(client, published):
    response = client.get("/api/v1/plaza/datasets/hidden")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
