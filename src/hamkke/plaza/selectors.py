"""Reads of the Plaza's documents. `public_documents` is the one definition of what the public
may see, and every public surface (pages, search and its counts, API, feeds, sitemap, exports)
starts from it; `search` adds the full-text match, filters, facets, order and snippets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.core.city.selectors import current_city
from hamkke.core.days import day_end, day_start
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import Department
from hamkke.core.web import bounds
from hamkke.plaza import search_index, search_terms
from hamkke.plaza.models import (
    PUBLIC_CLASSES,
    ApproverLevel,
    Attachment,
    Category,
    Disclosure,
    Document,
    DocumentType,
    Meeting,
    Tag,
)
from hamkke.plaza.services import plaza_settings

# The largest key a table holds (a signed 64-bit integer): a larger one in an address is no
# document, and is answered so before it reaches the database (which would overflow).
MAX_PK = 2**63 - 1


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
    if not 0 < pk <= MAX_PK:
        raise NotFound(_("There is no public document here."), code="not_found")
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
        raise NotFound(_("There is no public document here."), code="not_found")
    return document


def public_attachment(pk: int) -> Attachment:
    """An attachment the public may download: of a public document, and not withheld."""
    if not 0 < pk <= MAX_PK:
        raise NotFound(_("There is no public file here."), code="not_found")
    attachment = (
        Attachment.objects.select_related("document")
        .filter(pk=pk, withheld=False, document__in=public_documents())
        .first()
    )
    if attachment is None:
        raise NotFound(_("There is no public file here."), code="not_found")
    return attachment


def newest(limit: int = 20) -> list[Document]:
    return list(public_documents().select_related("department", "category")[:limit])


def categories() -> list[Category]:
    return list(Category.objects.filter(city=current_city()).select_related("parent"))


def category_by_code(code: str) -> Category:
    category = (
        Category.objects.filter(city=current_city(), code=code).select_related("parent").first()
    )
    if category is None:
        raise NotFound(_("There is no such category."), code="not_found")
    return category


def department_by_code(code: str) -> Department:
    department = Department.objects.filter(city=current_city(), code=code).first()
    if department is None:
        raise NotFound(_("There is no such department."), code="not_found")
    return department


def in_category(category: Category) -> QuerySet[Document]:
    """Public documents of a category, newest first (a theme's include its topics')."""
    return _listed(SearchFilters(category=category.code).apply(public_documents()))


def of_department(department: Department) -> QuerySet[Document]:
    return _listed(public_documents().filter(department=department))


def _listed(documents: QuerySet[Document]) -> QuerySet[Document]:
    return documents.select_related("department", "category").order_by("-published_at", "-id")


def ground_names() -> dict[str, str]:
    """The profile's legal grounds by code, named in the active language."""
    english = (get_language() or "").startswith("en")
    return {
        ground.code: (ground.name_en if english and ground.name_en else ground.name)
        for ground in plaza_settings().legal_grounds
    }


@dataclass(frozen=True)
class Theme:
    """A top-level category with its topics, and how many public documents each holds."""

    category: Category
    count: int
    topics: list[tuple[Category, int]]


def browse() -> tuple[list[Theme], list[tuple[str, str, int]]]:
    """The home page's ways in: the category tree and the types, with their public counts."""
    documents = public_documents()
    counts = facet_counts(documents, facets=("category", "doc_type"))
    by_category = {code: n for code, _label, n in counts["category"]}
    rows = categories()
    themes = [
        Theme(
            category=theme,
            count=by_category.get(theme.code, 0),
            topics=[
                (topic, by_category.get(topic.code, 0))
                for topic in rows
                if topic.parent_id == theme.pk
            ],
        )
        for theme in rows
        if theme.parent_id is None
    ]
    return themes, counts["doc_type"]


def todays_meetings(now: datetime | None = None) -> list[Meeting]:
    """Public meetings (open or partly open) starting today in the city's time zone."""
    tz = ZoneInfo(current_city().time_zone)
    today = timezone.localtime(now or timezone.now(), tz).date()
    return list(
        Meeting.objects.filter(
            disclosure__in=PUBLIC_CLASSES,
            starts_at__gte=day_start(today, tz),
            starts_at__lt=day_start(today + timedelta(days=1), tz),
        )
        .select_related("committee")
        .order_by("starts_at", "id")
    )


def feed_documents(
    *, category: Category | None = None, department: Department | None = None, limit: int = 50
) -> list[Document]:
    """The newest public documents of a feed (all, a category's or a department's)."""
    if category is not None:
        documents = in_category(category)
    elif department is not None:
        documents = of_department(department)
    else:
        documents = _listed(public_documents())
    return list(documents[:limit])


def sitemap_documents() -> QuerySet[Document]:
    """Every public document in a stable order, for the sitemap's pages."""
    return public_documents().order_by("pk").only("pk", "updated_at")


# --- search --------------------------------------------------------------------------------------

SORTS = ("relevance", "newest", "oldest")
FACETS = ("doc_type", "department", "category", "approver_level", "disclosure")
# The name of each filter in the search page's address and in the API, and the field it sets;
# a facet (named by its field) is a link setting its parameter.
PARAMETERS = {
    "type": "doc_type",
    "department": "department",
    "category": "category",
    "level": "approver_level",
    "disclosure": "disclosure",
    "tag": "tag",
    "since": "since",
    "until": "until",
}
PARAMETER_OF = {field: name for name, field in PARAMETERS.items()}


@dataclass(frozen=True)
class SearchFilters:
    doc_type: str = ""
    department: str = ""  # a department code
    category: str = ""  # a category code (a theme includes its topics)
    approver_level: int | None = None  # this level and above
    disclosure: str = ""  # open or partial: the public classes
    tag: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_parameters(cls, params: Mapping[str, Any]) -> SearchFilters:
        """The filters given by their parameters' names (type, level, …): the page's form's
        cleaned data or the API's query."""
        return cls(
            **{
                field: params[name]
                for name, field in PARAMETERS.items()
                if params.get(name) not in (None, "")
            }
        )

    def check(self) -> None:
        """Refuse, naming the parameter, a value no public document could have: the pages and
        the API answer it 400 with this message rather than an empty list."""
        if self.doc_type and self.doc_type not in DocumentType.values:
            raise InvalidInput(_("There is no such type of document."), field="type")
        if self.disclosure and self.disclosure not in PUBLIC_CLASSES:
            raise InvalidInput(_("Choose open or partly open documents."), field="disclosure")
        if self.approver_level is not None and self.approver_level not in ApproverLevel.values:
            raise InvalidInput(_("There is no such approver's level."), field="level")
        for name, day in (("since", self.since), ("until", self.until)):
            if day is not None and not bounds.day_in_range(day):
                raise InvalidInput(
                    _("Give a day between %(range)s.") % {"range": bounds.DAYS_TEXT}, field=name
                )
        city = current_city()
        if (
            self.department
            and not Department.objects.filter(city=city, code=self.department).exists()
        ):
            raise InvalidInput(_("There is no such department."), field="department")
        if self.category and not Category.objects.filter(city=city, code=self.category).exists():
            raise InvalidInput(_("There is no such category."), field="category")

    def apply(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        if self.doc_type:
            documents = documents.filter(doc_type=self.doc_type)
        if self.department:
            documents = documents.filter(department__code=self.department)
        if self.category:
            documents = documents.filter(
                Q(category__code=self.category) | Q(category__parent__code=self.category),
                category__city=current_city(),
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
            _("A search may be at most %(n)s characters long.")
            % {"n": search_terms.MAX_QUERY_CHARS},
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
    asked, one page of them with highlighted snippets, and the facet counts of the whole match.
    A page past the last is the last (as on every list)."""
    query = check_query(text)
    if sort not in SORTS:
        raise InvalidInput(_("Sort by relevance, newest or oldest."), field="sort")
    filters.check()
    documents = filters.apply(public_documents())
    if query:
        match_sql, match_params = search_index.matching_sql(query)
        matched = documents.filter(
            pk__in=RawSQL(f"SELECT document_id FROM ({match_sql}) h", match_params)
        )
    else:
        matched = documents
    count = matched.count()
    page = max(1, min(page, -(-count // page_size)))
    offset = (page - 1) * page_size
    if query and sort == "relevance":
        ids = _by_relevance(match_sql, match_params, matched, offset, page_size)
    else:
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


def facet_counts(
    documents: QuerySet[Document], facets: tuple[str, ...] = FACETS
) -> dict[str, list[tuple[str, str, int]]]:
    """(value, label, count) per facet over the whole match, biggest first. Each count is what
    the facet's filter would find: a theme counts its topics' documents too, and a level the
    levels above it (its filter is "this level and above")."""
    out: dict[str, list[tuple[str, str, int]]] = {}
    city = current_city()
    if "doc_type" in facets:
        out["doc_type"] = _labelled(_grouped(documents, "doc_type"), dict(DocumentType.choices))
    if "department" in facets:
        departments = {d.pk: d for d in Department.objects.filter(city=city)}
        out["department"] = _coded(_grouped(documents, "department_id"), departments)
    if "category" in facets:
        rows = {c.pk: c for c in Category.objects.filter(city=city)}
        own = dict(_grouped(documents, "category_id"))
        total = dict(own)
        for pk, n in own.items():
            parent = rows[pk].parent_id if pk in rows else None
            if parent is not None:
                total[parent] = total.get(parent, 0) + n
        out["category"] = _coded(total.items(), rows)
    if "approver_level" in facets:
        exact = dict(_grouped(documents, "approver_level"))
        at_least = [
            (level, sum(n for other, n in exact.items() if other >= level))
            for level in ApproverLevel.values
            if level in exact
        ]
        out["approver_level"] = [
            (str(level), str(ApproverLevel(level).label), n) for level, n in at_least
        ]
    if "disclosure" in facets:
        out["disclosure"] = _labelled(_grouped(documents, "disclosure"), dict(Disclosure.choices))
    return out


def _grouped(documents: QuerySet[Document], column: str) -> list[tuple]:
    return list(documents.order_by().values_list(column).annotate(n=Count("pk")))


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
