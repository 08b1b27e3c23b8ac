"""Schemas of the open-data JSON API (/api/v1/plaza/datasets)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class CodeNameOut(Schema):
    code: str
    name: str


class LicenceOut(Schema):
    id: str = Field(description="A licence code of the city's profile")
    title: str
    url: str = Field(description="Its page; empty where the Plaza shows no document pages")


class DocumentLinkOut(Schema):
    id: int
    title: str
    url: str = Field(description="Its page; empty where the Plaza shows no document pages")


class ResourceOut(Schema):
    id: int
    name: str
    description: str
    format: str
    media_type: str
    url: str = Field(description="The link as given, or where the uploaded file is served")
    uploaded: bool
    size: int | None = Field(description="Bytes of an uploaded file")
    created_at: datetime
    modified_at: datetime


class DatasetOut(Schema):
    name: str = Field(description="The dataset's name in addresses (CKAN's name)")
    ckan_id: str = Field(description="Its id in the CKAN action API (/api/3/action/)")
    title: str
    notes: str
    organization: CodeNameOut = Field(description="The department that publishes it")
    category: CodeNameOut | None
    licence: LicenceOut
    tags: list[str]
    frequency: str = Field(description="ISO 8601 period (P1M), “irregular” or empty")
    temporal_start: date | None
    temporal_end: date | None
    document: DocumentLinkOut | None = Field(
        description="The Plaza document it comes with, while that document is public"
    )
    resources: list[ResourceOut]
    url: str = Field(description="Its public page")
    created_at: datetime
    modified_at: datetime


class DatasetPageOut(Schema):
    count: int = Field(description="Datasets matching the filters")
    page: int
    page_size: int
    pages: int
    items: list[DatasetOut]


class DatasetFiltersIn(Schema):
    q: str = Field("", max_length=200, description="Words in the title, description or tags")
    organization: str = Field("", max_length=64, description="A department's code")
    category: str = Field(
        "", max_length=64, description="A category's code (a theme includes its topics)"
    )
    format: str = Field("", max_length=32, description="A resource format, e.g. CSV")
    licence: str = Field("", max_length=64, description="A licence code")
    tag: str = Field("", max_length=64)
