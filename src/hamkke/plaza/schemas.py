"""Schemas of the Plaza's documents API (/api/v1/plaza/…): search with its filters and facets,
the public documents, their files and the categories. A document here is its public text only:
no schema has a field for a withheld passage, and a withheld file has no address."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from hamkke.core.web.api import MAX_PAGE_SIZE
from hamkke.plaza.models import ApproverLevel, DocumentType

LEVELS_TEXT = ", ".join(f"{value} {label}" for value, label in ApproverLevel.choices)


class PageIn(Schema):
    page: int = Field(1, ge=1, description="From 1; a page past the last answers the last")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class SearchIn(PageIn):
    """The search and its filters, as on the search page (/plaza/search/?q=…)."""

    q: str = Field(
        "",
        description="Words to find in titles, text and attachments (at most 200 characters; "
        "Korean is found inside words: 예산 finds 추경예산안). Empty: every document.",
    )
    type: str = Field("", description="A type: " + ", ".join(DocumentType.values))
    department: str = Field("", description="A department's code")
    category: str = Field(
        "", description="A category's code (GET /plaza/categories); a theme includes its topics"
    )
    level: int | None = Field(None, description=f"This approver's level and above: {LEVELS_TEXT}")
    disclosure: str = Field("", description="open or partial (partly open)")
    tag: str = Field("", max_length=64, description="A tag")
    since: date | None = Field(None, description="Published on or after this day")
    until: date | None = Field(None, description="Published on or before this day")
    sort: str = Field("relevance", description="relevance, newest or oldest")


class SearchHitOut(Schema):
    id: int
    title: str
    title_highlighted: str = Field(
        description="The title as HTML, escaped, with the query's matches in <mark>"
    )
    snippet: str = Field(
        description="A passage of the public text around the first match, as HTML: escaped, "
        "with the matches in <mark>"
    )
    doc_type: str
    doc_type_label: str
    department: str = Field(description="The department's code")
    department_name: str
    category: str | None = Field(description="The category's code")
    disclosure: str = Field(description="open or partial")
    published_at: datetime
    url: str = Field(description="The document's page")
    api_url: str = Field(description="The document in this API")


class FacetValueOut(Schema):
    value: str = Field(description="What the filter of the facet takes")
    label: str
    count: int = Field(description="Documents of the search the filter would keep")


class FacetsOut(Schema):
    type: list[FacetValueOut]
    department: list[FacetValueOut]
    category: list[FacetValueOut]
    level: list[FacetValueOut] = Field(description="Counts of this level and above")
    disclosure: list[FacetValueOut]


class SearchOut(Schema):
    count: int = Field(description="Public documents matching the search and its filters")
    page: int
    page_size: int
    pages: int
    results: list[SearchHitOut]
    facets: FacetsOut


class DocumentOut(Schema):
    """A public document: its public text (masked, withheld passages replaced by a marker)."""

    id: int
    number: str = Field(description="The registration number in the city's records")
    title: str
    summary: str
    body: str
    doc_type: str
    doc_type_label: str
    department: str = Field(description="The department's code")
    department_name: str
    approver_level: int = Field(description=LEVELS_TEXT)
    approver_level_label: str
    approver_title: str
    category: str | None = Field(description="The category's code")
    category_name: str | None
    tags: list[str]
    disclosure: str = Field(description="open or partial")
    legal_ground: str = Field(description="For a partly open document: the ground's code")
    legal_ground_name: str
    produced_on: date
    published_at: datetime
    updated_at: datetime
    view_count: int
    download_count: int
    source_url: str = Field(description="For a decision of another service: its page there")
    url: str = Field(description="The document's page")


class DocumentPageOut(Schema):
    count: int = Field(description="All public documents")
    page: int
    page_size: int
    pages: int
    items: list[DocumentOut]


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The file's original name")
    content_type: str
    size: int | None = Field(description="Bytes; none for a withheld file")
    pages: int | None
    withheld: bool
    legal_ground: str = Field(description="For a withheld file: the ground's code")
    legal_ground_name: str
    download_url: str | None = Field(description="None for a withheld file")
    view_url: str | None = Field(description="A PDF shown in the browser; None otherwise")
    download_count: int


class RelatedOut(Schema):
    id: int
    title: str
    doc_type: str
    published_at: datetime
    url: str
    api_url: str


class DocumentDetailOut(DocumentOut):
    attachments: list[AttachmentOut]
    related: list[RelatedOut] = Field(description="Related public documents")


class CategoryOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None = Field(description="The theme's code, for a topic")
    documents: int = Field(description="Public documents (a theme's include its topics')")
    url: str
