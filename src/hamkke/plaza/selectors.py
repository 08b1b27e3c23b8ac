"""Reads of the Plaza's documents. `public_documents` is the one definition of what the public
may see, and every public surface (pages, search and its counts, API, feeds, sitemap, exports)
starts from it; `search` adds the full-text match, filters, facets, order and snippets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hamkke.core.city.selectors import current_city
from hamkke.core.days import day_end, day_start
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import Department
from hamkke.plaza import search_index, search_terms
from hamkke.plaza.models import (
    PUBLIC_CLASSES,
    Attachment,
    Category,
    Document,
    Tag,
)


def public_documents() -> QuerySet[Document]:
    """Published, not withdrawn, not closed: what anyone may see (withheld parts are not in
    these rows at all)."""
    return Document.objects.filter(
        published_at__isnull=False,
        withdrawn_at__isnull=True,
        disclosure__in=PUBLIC_CLASSES,
    )


def public_document(pk: int) -> Document:
    """One public document with what its page shows; NotFound for anything else (closed,
    unpublished, withdrawn or missing look the same)."""
    document = (
        public_documents()
        .select_related("department", "category", "category__parent")
        .prefetch_related(
            "tags",
            Prefetch(
                "related",
                queryset=public_documents().only("pk", "title", "doc_type", "published_at"),
            ),
            "attachments",
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise NotFound("There is no public document here.", code="not_found")
    return document


def public_attachment(pk: int) -> Attachment:
    """An attachment the public may download: of a public document, and not withheld."""
    attachment = (
        Attachment.objects.select_related("document")
        .filter(pk=pk, withheld=False, document__in=public_documents())
        .first()
    )
    if attachment is None:
        raise NotFound("There is no public file here.", code="not_found")
    return attachment


def newest(limit: int = 20) -> list[Document]:
    return list(public_documents().select_related("department", "category")[:limit])


def categories() -> list[Category]:
    return list(Category.objects.filter(city=current_city()).select_related("parent"))


# --- search --------------------------------------------------------------------------------------

SORTS = ("relevance", "newest", "oldest")
FACETS = ("doc_type", "department", "category", "approver_level", "disclosure", "year")


@dataclass(frozen=True)
class SearchFilters:
    doc_type: str = ""
    department: str = ""  # a department code
    category: str = ""  # a category code (a theme includes its topics)
    approver_level: int | None = None  # this level and above
    disclosure: str = ""
    tag: str = ""
    since: date | None = None
    until: date | None = None

    def apply(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        if self.doc_type:
            documents = documents.filter(doc_type=self.doc_type)
        if self.department:
            documents = documents.filter(department__code=self.department)
        if self.category:
            documents = documents.filter(
                category__in=Category.objects.filter(city=current_city()).filter(code=self.category)
                | Category.objects.filter(city=current_city(), parent__code=self.category)
            )
        if self.approver_level:
            documents = documents.filter(approver_level__gte=self.approver_level)
        if self.disclosure:
            documents = documents.filter(disclosure=self.disclosure)
        if self.tag:
            documents = documents.filter(tags__name=self.tag)
        if self.since:
            documents = documents.filter(published_at__gte=day_start(self.since))
        if self.until:
            documents = documents.filter(published_at__lte=day_end(self.until))
        return documents


@dataclass
class Hit:
    document: Document
    snippet: SafeString
    title: SafeString


@dataclass
class SearchPage:
    query: str
    count: int
    page: int
    page_size: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))


def check_query(text: str) -> search_terms.Query:
    if len(text) > search_terms.MAX_QUERY_CHARS:
        raise InvalidInput(
            f"A search may be at most {search_terms.MAX_QUERY_CHARS} characters long.",
            field="q",
        )
    return search_terms.parse(text)


def search(
    text: str,
    *,
    filters: SearchFilters = SearchFilters(),
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    with_facets: bool = True,
) -> SearchPage:
    """Public documents matching `text` (all of them for an empty query), filtered, in the order
    asked, one page of them with highlighted snippets, and the facet counts of the whole match."""
    query = check_query(text)
    if sort not in SORTS:
        raise InvalidInput("Sort by relevance, newest or oldest.", field="sort")
    documents = filters.apply(public_documents())
    offset = (page - 1) * page_size
    if query:
        match_sql, match_params = search_index.matching_sql(query)
        matched = documents.filter(
            pk__in=RawSQL(f"SELECT document_id FROM ({match_sql}) h", match_params)
        )
        count = matched.count()
        if sort == "relevance":
            ids = _by_relevance(match_sql, match_params, matched, offset, page_size)
        else:
            ids = list(_ordered(matched, sort).values_list("pk", flat=True)[offset:][:page_size])
    else:
        matched = documents
        count = matched.count()
        ids = list(_ordered(matched, sort).values_list("pk", flat=True)[offset:][:page_size])
    rows = Document.objects.select_related("department", "category").in_bulk(ids)
    hits = [_hit(rows[pk], query) for pk in ids if pk in rows]
    facets = facet_counts(matched) if with_facets else {}
    return SearchPage(text, count, page, page_size, hits, facets)


def _ordered(documents: QuerySet[Document], sort: str) -> QuerySet[Document]:
    if sort == "oldest":
        return documents.order_by("published_at", "id")
    return documents.order_by("-published_at", "-id")


def _by_relevance(
    match_sql: str, match_params: list, matched: QuerySet[Document], offset: int, limit: int
) -> list[int]:
    """Ids of one page of the match, best first: the index's scores joined to the filtered
    documents in the database (ties by newest)."""
    filtered_sql, filtered_params = matched.values("pk").query.sql_with_params()
    sql = (
        f"SELECT h.document_id FROM ({match_sql}) h "
        f"JOIN plaza_document d ON d.id = h.document_id "
        f"WHERE h.document_id IN ({filtered_sql}) "
        "ORDER BY h.score, d.published_at DESC, d.id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*match_params, *filtered_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def facet_counts(documents: QuerySet[Document]) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) per facet over the whole match, biggest first."""
    from hamkke.plaza.models import ApproverLevel, Disclosure, DocumentType

    out: dict[str, list[tuple[str, str, int]]] = {}
    by_type = documents.order_by().values_list("doc_type").annotate(n=Count("pk"))
    out["doc_type"] = _labelled(by_type, dict(DocumentType.choices))
    departments = {d.pk: d for d in Department.objects.filter(city=current_city())}
    by_department = documents.order_by().values_list("department_id").annotate(n=Count("pk"))
    out["department"] = _coded(by_department, departments)
    category_rows = {c.pk: c for c in Category.objects.filter(city=current_city())}
    by_category = documents.order_by().values_list("category_id").annotate(n=Count("pk"))
    out["category"] = _coded(by_category, category_rows)
    by_level = documents.order_by().values_list("approver_level").annotate(n=Count("pk"))
    out["approver_level"] = _labelled(by_level, dict(ApproverLevel.choices))
    by_disclosure = documents.order_by().values_list("disclosure").annotate(n=Count("pk"))
    out["disclosure"] = _labelled(by_disclosure, dict(Disclosure.choices))
    return out


def _coded(rows, by_pk: dict) -> list[tuple[str, str, int]]:
    """Counts per foreign key as (code, name, count): the code is what a filter takes."""
    return sorted(
        ((by_pk[pk].code, by_pk[pk].display_name, n) for pk, n in rows if pk in by_pk),
        key=lambda row: -row[2],
    )


def _labelled(rows, labels: dict) -> list[tuple[str, str, int]]:
    return sorted(
        ((str(value), str(labels.get(value, value)), n) for value, n in rows),
        key=lambda row: -row[2],
    )


# --- snippets ------------------------------------------------------------------------------------

SNIPPET_CHARS = 160


def highlighted(text: str, query: search_terms.Query) -> SafeString:
    """`text` escaped, with the query's runs in <mark>."""
    out, last = [], 0
    for start, end in search_terms.spans(text, query):
        out.append(escape(text[last:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text: str, query: search_terms.Query, width: int = SNIPPET_CHARS) -> SafeString:
    """A window of the public text around the first match (or its start), highlighted."""
    found = search_terms.spans(text, query) if query else []
    start = max(0, found[0][0] - width // 3) if found else 0
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return mark_safe(prefix + highlighted(window, query) + suffix)


def _hit(document: Document, query: search_terms.Query) -> Hit:
    text = " ".join(part for part in (document.summary, document.body) if part)
    return Hit(
        document=document,
        snippet=snippet(text, query),
        title=highlighted(document.title, query),
    )


# --- small lists ---------------------------------------------------------------------------------


def public_tags(limit: int = 30) -> list[tuple[str, int]]:
    return list(
        Tag.objects.filter(documents__in=public_documents())
        .annotate(n=Count("documents"))
        .order_by("-n", "name")
        .values_list("name", "n")[:limit]
    )


def published_between(start: datetime, end: datetime) -> QuerySet[Document]:
    return public_documents().filter(published_at__gte=start, published_at__lt=end)


def public_decision(source_key: str) -> Document | None:
    """The public document another service published for a decision (its `source_key`, see
    services.decision_source), or None: how the service's page links to it."""
    return public_documents().filter(source_key=source_key).first()
