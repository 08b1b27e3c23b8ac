"""CKAN's action API (version 3) over the Plaza's public datasets, so that harvesters written
for CKAN collect the city's data unchanged: the actions they call, their parameters as CKAN
validates them, and their answers in CKAN's shapes (a package, an organization, a group, a
licence, a search result with its facets). An adapter over the open-data selectors, as
Open311 is over the complaints: what is public is decided there.

Ids are stable UUID-shaped strings: a UUID5 of the kind of thing and the city, whose last
twelve hex digits are the row's primary key, so an id leads back to its row without a table
of ids. Moments are UTC without an offset, as CKAN writes them."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from hamkke.core.city.selectors import current_city
from hamkke.core.models import City, Department
from hamkke.core.web.bounds import moment_in_range
from hamkke.plaza.models import Category, Dataset, Document, Resource, Tag
from hamkke.plaza.opendata import selectors, solr

API_VERSION = 3
# The CKAN release whose action API this answers like (harvesters read it from status_show).
CKAN_VERSION = "2.10.0"
DEFAULT_ROWS = 10
MAX_ROWS = 1000  # CKAN's ckan.search.rows_max
MAX_START = 2**31 - 1  # Solr's largest start
DEFAULT_FACET_LIMIT = 50  # CKAN's search.facets.limit
DEFAULT_SORT = "score desc, metadata_modified desc"
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
SORT_FIELDS = frozenset(
    {"score", "metadata_modified", "metadata_created", "title_string", "name", "id"}
)
# Fields a q or fq may name. capacity, state, site_id and the types are what CKAN adds to its
# own filters: every public dataset is public, active and of this site.
QUERY_FIELDS = frozenset(
    {
        "organization",
        "owner_org",
        "tags",
        "res_format",
        "license_id",
        "groups",
        "name",
        "id",
        "title",
        "notes",
        "text",
        "metadata_modified",
        "metadata_created",
        "capacity",
        "state",
        "site_id",
        "dataset_type",
        "type",
        "entity_type",
    }
)


# --- errors --------------------------------------------------------------------------------------


class CkanError(Exception):
    """An answer CKAN gives with success false: its status, __type, message and, for a
    validation error, the messages per parameter."""

    def __init__(
        self, status: int, kind: str, message: str, fields: Mapping[str, list[str]] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.fields = dict(fields or {})

    def as_dict(self) -> dict:
        return {"__type": self.kind, "message": self.message, **self.fields}


def invalid(parameter: str, message: str) -> CkanError:
    """CKAN's ValidationError: 409, the messages keyed by the parameter."""
    return CkanError(409, "Validation Error", f"{parameter}: {message}", {parameter: [message]})


def not_found(message: str) -> CkanError:
    return CkanError(404, "Not Found Error", f"Not found: {message}")


def search_error(message: str) -> CkanError:
    return CkanError(409, "Search Error", f"Search error: {message}")


# Each status the site itself may answer under /api/3/action/, as CKAN names its kind.
KINDS_BY_STATUS = {
    400: "Integrity Error",  # CKAN's name for a request it cannot read
    403: "Authorization Error",
    404: "Not Found Error",
    409: "Validation Error",
    413: "Integrity Error",
    500: "Internal Server Error",
}


def envelope(help_url: str, result=None, error: CkanError | None = None) -> dict:
    if error is not None:
        return {"help": help_url, "success": False, "error": error.as_dict()}
    return {"help": help_url, "success": True, "result": result}


# --- ids -----------------------------------------------------------------------------------------

_NAMESPACE = uuid.UUID("6b1c7e3a-5d1f-4c1e-9a57-7c6f2d0e4a11")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-([0-9a-f]{12})$")


def _prefix(kind: str, city: City) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{city.slug}:{kind}"))[:24]


def ckan_id(kind: str, pk: int, city: City) -> str:
    """The stable id of a row: the same every time, different for every kind and city."""
    return f"{_prefix(kind, city)}{pk:012x}"


def pk_of(kind: str, text: str, city: City) -> int | None:
    """The primary key an id of `kind` names, or None when it is no such id."""
    text = text.strip().lower()
    match = _ID.match(text)
    if match is None or not text.startswith(_prefix(kind, city)):
        return None
    return int(match.group(1), 16)


# --- reading parameters, as CKAN's validators do -------------------------------------------------


def _int(parameter: str, value, default: int | None) -> int | None:
    """CKAN's int_validator: a whole number, in ASCII digits when written as text; blank is the
    default."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise invalid(parameter, "Invalid integer")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,40}", value.strip()):
        number = int(value.strip())
    else:
        raise invalid(parameter, "Invalid integer")
    return number


def natural(
    parameter: str, value, default: int | None, *, most: int | None = MAX_START
) -> int | None:
    number = _int(parameter, value, default)
    if number is None:
        return None
    if number < 0:
        raise invalid(parameter, "Must be a natural number")
    if most is not None and number > most:
        raise invalid(parameter, f"Must be at most {most}")
    return number


def text(parameter: str, value, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise invalid(parameter, "Must be a string")
    return str(value)


def boolean(parameter: str, value, default: bool = False) -> bool:
    """CKAN's asbool."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("true", "yes", "on", "y", "t", "1"):
        return True
    if word in ("false", "no", "off", "n", "f", "0", ""):
        return False
    raise invalid(parameter, "Invalid boolean")


def string_list(parameter: str, value) -> list[str]:
    """CKAN's convert_to_json_if_string + list_of_strings: a JSON list given as text (or a
    repeated parameter, or a JSON body's list)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise invalid(parameter, "Could not parse as valid JSON") from exc
    if not isinstance(value, list):
        raise invalid(parameter, "Not a list")
    for item in value:
        if not isinstance(item, str):
            raise invalid(parameter, f"Not a string: {item}")
    return value


# --- the site ------------------------------------------------------------------------------------


@dataclass
class Site:
    """What every answer of one request shares: the site's address, the city and its
    licences, and the public documents the datasets on this page link to."""

    url: str  # "https://example.org", no slash at the end
    city: City = field(default_factory=current_city)
    licences: dict[str, selectors.LicenceInfo] = field(
        default_factory=lambda: {lic.code: lic for lic in selectors.licences()}
    )
    documents: dict[int, Document] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        return f"{self.url}{path}"

    def help_url(self, action: str) -> str:
        return help_url(self.url, action)

    def know_documents_of(self, datasets) -> None:
        self.documents.update(selectors.public_documents_of(datasets))

    def linked_document(self, dataset: Dataset) -> Document | None:
        """The dataset's document while it is public (know_documents_of first)."""
        return self.documents.get(dataset.document_id) if dataset.document_id else None

    def document_url(self, dataset: Dataset) -> str | None:
        document = self.linked_document(dataset)
        path = document.get_absolute_url() if document is not None else None
        return self.absolute(path) if path else None


def help_url(site_url: str, action: str) -> str:
    """Where CKAN's answers point for the action's description."""
    return f"{site_url}/api/{API_VERSION}/action/help_show?name={quote(action, safe='')}"


def moment(value: datetime | None) -> str | None:
    """CKAN's form: ISO 8601 in UTC, without an offset."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat()


# --- shapes --------------------------------------------------------------------------------------


def _group_dict(kind: str, row: Department | Category, site: Site, package_count) -> dict:
    """CKAN's organizations and groups share one shape (a department is an organization, a
    category a group)."""
    out = {
        "id": ckan_id(kind, row.pk, site.city),
        "name": row.code,
        "title": row.display_name,
        "display_name": row.display_name,
        "type": kind,
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "created": moment(site.city.loaded_at),
        "is_organization": kind == "organization",
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def organization_dict(department: Department, site: Site, *, package_count=None) -> dict:
    return _group_dict("organization", department, site, package_count)


def group_dict(category: Category, site: Site, *, package_count=None) -> dict:
    return _group_dict("group", category, site, package_count)


def tag_dict(tag: Tag, site: Site) -> dict:
    return {
        "id": ckan_id("tag", tag.pk, site.city),
        "name": tag.name,
        "display_name": tag.name,
        "state": "active",
        "vocabulary_id": None,
    }


def licence_dict(licence: selectors.LicenceInfo) -> dict:
    """A licence as CKAN's license_list gives it."""
    return {
        "id": licence.code,
        "title": licence.display_name,
        "url": licence.url,
        "status": "active",
        "maintainer": "",
        "family": "",
        "od_conformance": "not reviewed",
        "osd_conformance": "not reviewed",
        "domain_content": True,
        "domain_data": True,
        "domain_software": False,
        "is_generic": False,
        "is_okd_compliant": False,
        "is_osi_compliant": False,
    }


def dataset_url(dataset: Dataset) -> str:
    return reverse("plaza:dataset", args=[dataset.name])


def resource_url(resource: Resource, dataset: Dataset, site: Site) -> str:
    """Where a resource is fetched: the link as given, or the address that serves the file."""
    if resource.url:
        return resource.url
    return site.absolute(reverse("plaza:dataset-resource", args=[dataset.name, resource.pk]))


def resource_dict(resource: Resource, dataset: Dataset, position: int, site: Site) -> dict:
    return {
        "id": ckan_id("resource", resource.pk, site.city),
        "package_id": ckan_id("dataset", dataset.pk, site.city),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "url": resource_url(resource, dataset, site),
        "url_type": "upload" if resource.file else None,
        "mimetype": resource.media_type or None,
        "mimetype_inner": None,
        "size": resource.size,
        "hash": "",
        "created": moment(resource.created_at),
        "last_modified": moment(resource.modified_at),
        "metadata_modified": moment(resource.modified_at),
        "position": position,
        "resource_type": None,
        "state": "active",
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": False,
    }


def groups_of(dataset: Dataset) -> list[Category]:
    """A dataset's CKAN groups: its category and the theme above it."""
    category = dataset.category
    if category is None:
        return []
    return [category, category.parent] if category.parent_id else [category]


def package_dict(dataset: Dataset, site: Site) -> dict:
    """A dataset as CKAN's package_show gives it (`dataset` from selectors.with_details)."""
    licence = site.licences.get(dataset.license_id)
    tags = list(dataset.tags.all())
    resources = list(dataset.resources.all())
    department = dataset.department
    organization = organization_dict(department, site)
    return {
        "id": ckan_id("dataset", dataset.pk, site.city),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "type": "dataset",
        "state": "active",
        "private": False,
        "url": site.absolute(dataset_url(dataset)),
        "version": None,
        "author": department.display_name,
        "author_email": department.email or None,
        "maintainer": department.display_name,
        "maintainer_email": department.email or None,
        "license_id": dataset.license_id,
        "license_title": licence.display_name if licence else dataset.license_id,
        "license_url": licence.url if licence and licence.url else None,
        "metadata_created": moment(dataset.created_at),
        "metadata_modified": moment(dataset.modified_at),
        "owner_org": organization["id"],
        "organization": organization,
        "groups": [group_dict(category, site) for category in groups_of(dataset)],
        "tags": [tag_dict(tag, site) for tag in tags],
        "num_tags": len(tags),
        "resources": [
            resource_dict(resource, dataset, i, site) for i, resource in enumerate(resources)
        ],
        "num_resources": len(resources),
        "extras": _extras(dataset, site),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _extras(dataset: Dataset, site: Site) -> list[dict]:
    """What a CKAN package has no field for, as CKAN's extras (key and text value)."""
    extras = []
    if dataset.frequency:
        extras.append({"key": "frequency", "value": dataset.frequency})
    if dataset.temporal_start and dataset.temporal_end:
        extras.append({"key": "temporal_start", "value": dataset.temporal_start.isoformat()})
        extras.append({"key": "temporal_end", "value": dataset.temporal_end.isoformat()})
    document = site.linked_document(dataset)
    if document is not None:
        extras.append({"key": "plaza_document_title", "value": document.title})
        if url := site.document_url(dataset):
            extras.append({"key": "plaza_document", "value": url})
    return extras


# --- package_search ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    fq: tuple[str, ...] = ()
    rows: int = DEFAULT_ROWS
    start: int = 0
    sort: str = DEFAULT_SORT
    facet: bool = True
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = DEFAULT_FACET_LIMIT
    facet_mincount: int = 1
    fl: tuple[str, ...] = ()

    @classmethod
    def read(cls, data: Mapping) -> SearchRequest:
        """The parameters as CKAN's default_package_search_schema reads them: rows at most
        1000 (more is cut to 1000, as CKAN does), start a natural number, facet.field a JSON
        list of strings. include_private, include_drafts and the like are accepted and change
        nothing: the public never sees a private dataset here."""
        fq = [text("fq", data.get("fq"))] if data.get("fq") is not None else []
        fq += string_list("fq_list", data.get("fq_list"))
        rows = natural("rows", data.get("rows"), DEFAULT_ROWS, most=None)
        fields = tuple(string_list("facet.field", data.get("facet.field")))
        unknown = [name for name in fields if name not in FACET_FIELDS]
        if unknown:
            raise invalid(
                "facet.field",
                f"Cannot facet on {', '.join(unknown)}; facet on {', '.join(FACET_FIELDS)}",
            )
        fl = data.get("fl")
        if isinstance(fl, str):
            fl = fl.replace(",", " ").split()
        return cls(
            q=text("q", data.get("q")),
            fq=tuple(fq),
            rows=min(rows, MAX_ROWS),
            start=natural("start", data.get("start"), 0),
            sort=text("sort", data.get("sort")) or DEFAULT_SORT,
            facet=boolean("facet", data.get("facet"), True),
            facet_fields=fields,
            facet_limit=_int("facet.limit", data.get("facet.limit"), DEFAULT_FACET_LIMIT),
            facet_mincount=natural("facet.mincount", data.get("facet.mincount"), 1),
            fl=tuple(string_list("fl", fl)) if fl is not None else (),
        )


def package_search(data: Mapping, site: Site) -> dict:
    """Searches the public datasets with Solr's parameters as CKAN passes them on: q (words
    found in the title, description, name or tags; or field:value clauses), fq (filters:
    organization:NAME, tags:NAME, res_format:FMT, license_id:ID, groups:NAME, name:, id:,
    metadata_modified:[2024-01-01T00:00:00Z TO *], with OR, NOT and -), rows (default 10,
    at most 1000), start, sort ("metadata_modified desc", "title_string asc", "score desc",
    "name asc", "id asc", comma-separated), facet.field (a JSON list of organization, groups,
    tags, res_format, license_id) and facet.limit (default 50, negative for all)."""
    request = SearchRequest.read(data)
    try:
        query = solr.parse(request.q, fields=QUERY_FIELDS)
        filters = tuple(group for fq in request.fq for group in solr.parse(fq, fields=QUERY_FIELDS))
    except solr.SolrSyntaxError as exc:
        raise search_error(str(exc)) from exc
    try:
        order = solr.parse_sort(request.sort, fields=SORT_FIELDS)
    except solr.SolrSyntaxError as exc:
        raise CkanError(
            400, "Search Query Error", f'Search Query is invalid: "Invalid "sort" parameter": {exc}'
        ) from exc
    matched = _apply(_apply(selectors.public_datasets(), query, site), filters, site)
    count = matched.count()
    words = [
        value
        for group in query
        for clause in group
        if clause.field in ("", "text") and not clause.negated
        for value in clause.values
        if isinstance(value, str) and value != "*"
    ]
    ordered = _ordered(matched, order, words)
    page = list(selectors.with_details(ordered)[request.start : request.start + request.rows])
    site.know_documents_of(page)
    results = [package_dict(dataset, site) for dataset in page]
    if request.fl:
        results = [{name: result.get(name) for name in request.fl} for result in results]
    facets = _facets(matched, request, site) if request.facet and request.facet_fields else {}
    return {
        "count": count,
        "sort": request.sort,
        "facets": {
            name: {value: n for value, _label, n in items} for name, items in facets.items()
        },
        "results": results,
        "search_facets": {
            name: {
                "title": name,
                "items": sorted(
                    (
                        {"name": value, "display_name": label, "count": n}
                        for value, label, n in items
                    ),
                    # CKAN orders the items by display name, last first, once counted.
                    key=lambda item: item["display_name"],
                    reverse=True,
                ),
            }
            for name, items in facets.items()
        },
    }


def _apply(datasets: QuerySet[Dataset], query: solr.Query, site: Site) -> QuerySet[Dataset]:
    for group in query:
        alternatives = [_clause_q(clause, site) for clause in group]
        either = alternatives[0]
        for alternative in alternatives[1:]:
            either |= alternative
        datasets = datasets.filter(either)
    return datasets


EVERYTHING = Q(pk__isnull=False)
NOTHING = Q(pk__in=[])


def _clause_q(clause: solr.Clause, site: Site) -> Q:
    alternatives = [_value_q(clause.field, value, site) for value in clause.values]
    either = alternatives[0]
    for alternative in alternatives[1:]:
        either |= alternative
    return ~either if clause.negated else either


def _value_q(name: str, value: str | solr.Range, site: Site) -> Q:
    if name in ("metadata_modified", "metadata_created"):
        return _moment_q("modified_at" if name == "metadata_modified" else "created_at", value)
    if isinstance(value, solr.Range):
        raise search_error(f"{name or 'text'} takes a value, not a range")
    if value == "*":
        return EVERYTHING
    if name in ("", "text"):
        return selectors.text_match(value)  # a word, or a "quoted phrase" as it stands
    matchers: dict[str, Callable[[str], Q]] = {
        "organization": lambda v: Q(department__code=v),
        "owner_org": lambda v: Q(department_id=pk_of("organization", v, site.city) or 0),
        "tags": lambda v: Q(Exists(Tag.objects.filter(datasets=OuterRef("pk"), name=v))),
        "res_format": lambda v: Q(
            Exists(Resource.objects.filter(dataset=OuterRef("pk"), format__iexact=v))
        ),
        "license_id": lambda v: Q(license_id=v),
        "groups": lambda v: Q(category__code=v) | Q(category__parent__code=v),
        "name": lambda v: Q(name=v),
        "id": lambda v: Q(pk=pk_of("dataset", v, site.city) or 0),
        "title": lambda v: Q(title__icontains=v),
        "notes": lambda v: Q(notes__icontains=v),
        "capacity": lambda v: EVERYTHING if v == "public" else NOTHING,
        "state": lambda v: EVERYTHING if v == "active" else NOTHING,
        "site_id": lambda v: EVERYTHING,
        "dataset_type": lambda v: EVERYTHING if v == "dataset" else NOTHING,
        "type": lambda v: EVERYTHING if v == "dataset" else NOTHING,
        "entity_type": lambda v: EVERYTHING if v == "package" else NOTHING,
    }
    return matchers[name](value)


_NOW = re.compile(r"^NOW(?:([+-])(\d{1,6})(SECONDS?|MINUTES?|HOURS?|DAYS?))?(?:/DAYS?)?$")


def _moment_q(column: str, value: str | solr.Range) -> Q:
    if not isinstance(value, solr.Range):
        if value == "*":
            return EVERYTHING
        raise search_error(f"give {column.replace('_at', '')} as a range: [low TO high]")
    q = EVERYTHING
    if value.low != "*":
        lookup = "gte" if value.include_low else "gt"
        q &= Q(**{f"{column}__{lookup}": _parse_moment(value.low)})
    if value.high != "*":
        lookup = "lte" if value.include_high else "lt"
        q &= Q(**{f"{column}__{lookup}": _parse_moment(value.high)})
    return q


def _parse_moment(raw: str) -> datetime:
    """A Solr date: 2024-01-15T09:00:00Z (fractions and an offset allowed; a bare day is its
    start), or NOW with an offset in whole units (NOW-7DAYS)."""
    now = _NOW.match(raw.upper())
    if now:
        found = timezone.now()
        if now.group(1):
            unit = now.group(3).rstrip("S").lower() + "s"
            step = timedelta(**{unit: int(now.group(2))})
            found = found + step if now.group(1) == "+" else found - step
        return found
    try:
        found = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise search_error(f"{raw!r} is not a date like 2024-01-15T09:00:00Z") from exc
    if found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    if not moment_in_range(found):
        raise search_error(f"{raw!r} is outside 1900 to 2999")
    return found


def _ordered(datasets: QuerySet[Dataset], order, words: list[str]) -> QuerySet[Dataset]:
    columns = {
        "metadata_modified": "modified_at",
        "metadata_created": "created_at",
        "title_string": "title",
        "name": "name",
        "id": "pk",
    }
    keys: list[str] = []
    for name, descending in order:
        if name == "score":
            if not words:
                continue  # everything scores alike without words to score
            datasets = datasets.annotate(score=_score(words))
            column = "score"
        else:
            column = columns[name]
        keys.append(f"-{column}" if descending else column)
    return datasets.order_by(*keys, "pk")


def _score(words: list[str]):
    """How well a dataset matches the words: a title match counts most, then a tag, then the
    name and the description."""
    total = Value(0)
    for word in words:
        tagged = Tag.objects.filter(datasets=OuterRef("pk"), name__icontains=word)
        for weight, condition in (
            (4, Q(title__icontains=word)),
            (2, Q(Exists(tagged))),
            (1, Q(name__icontains=word) | Q(notes__icontains=word)),
        ):
            total = total + Case(
                When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField()
            )
    return total


def _facets(
    matched: QuerySet[Dataset], request: SearchRequest, site: Site
) -> dict[str, list[tuple[str, str, int]]]:
    """(name, display name, count) per asked field, the biggest counts first, cut at
    facet.limit (a negative limit keeps all)."""
    ids = matched.order_by().values("pk")
    out: dict[str, list[tuple[str, str, int]]] = {}
    for name in request.facet_fields:
        counts = _facet_counts(name, ids, site)
        counts = [row for row in counts if row[2] >= max(request.facet_mincount, 1)]
        counts.sort(key=lambda row: (-row[2], row[0]))
        if request.facet_limit >= 0:
            counts = counts[: request.facet_limit]
        out[name] = counts
    return out


def _facet_counts(name: str, ids, site: Site) -> list[tuple[str, str, int]]:
    datasets = Dataset.objects.filter(pk__in=ids).order_by()
    if name == "organization":
        departments = {d.code: d for d in Department.objects.filter(city=site.city)}
        rows = datasets.values_list("department__code").annotate(n=Count("pk"))
        return [(code, departments[code].display_name, n) for code, n in rows]
    if name == "groups":
        categories = {c.pk: c for c in Category.objects.filter(city=site.city)}
        counts: dict[int, int] = {}
        for column in ("category", "category__parent"):
            for pk, n in (
                datasets.exclude(**{f"{column}__isnull": True})
                .values_list(column)
                .annotate(n=Count("pk"))
            ):
                counts[pk] = counts.get(pk, 0) + n
        return [
            (categories[pk].code, categories[pk].display_name, n)
            for pk, n in counts.items()
            if pk in categories
        ]
    if name == "tags":
        rows = (
            Tag.objects.filter(datasets__in=ids)
            .values_list("name")
            .annotate(n=Count("datasets", distinct=True))
        )
        return [(tag, tag, n) for tag, n in rows]
    if name == "res_format":
        rows = (
            Resource.objects.filter(dataset__in=ids)
            .exclude(format="")
            .values_list(Upper("format"))
            .annotate(n=Count("dataset", distinct=True))
            .order_by()
        )
        return [(fmt, fmt, n) for fmt, n in rows]
    licences = site.licences
    rows = datasets.values_list("license_id").annotate(n=Count("pk"))
    return [
        (code, licences[code].display_name if code in licences else code, n) for code, n in rows
    ]


# --- the other actions harvesters call -----------------------------------------------------------


def _required(data: Mapping, parameter: str) -> str:
    value = text(parameter, data.get(parameter)).strip()
    if not value:
        raise invalid(parameter, "Missing value")
    return value


def _dataset_by_name_or_id(reference: str, site: Site) -> Dataset:
    pk = pk_of("dataset", reference, site.city)
    found = selectors.with_details(selectors.public_datasets())
    found = found.filter(pk=pk) if pk is not None else found.filter(name=reference)
    dataset = found.first()
    if dataset is None:
        raise not_found("Dataset not found")
    return dataset


def package_show(data: Mapping, site: Site) -> dict:
    """One public dataset by its name or id (parameter id)."""
    dataset = _dataset_by_name_or_id(_required(data, "id"), site)
    site.know_documents_of([dataset])
    return package_dict(dataset, site)


def _page(data: Mapping) -> tuple[int, int | None]:
    offset = natural("offset", data.get("offset"), 0)
    limit = natural("limit", data.get("limit"), None)
    return offset, limit


def _sliced(items, offset: int, limit: int | None):
    return items[offset : offset + limit] if limit is not None else items[offset:]


def package_list(data: Mapping, site: Site) -> list[str]:
    """The names of the public datasets, in order (limit and offset page them)."""
    offset, limit = _page(data)
    names = selectors.public_datasets().order_by("name").values_list("name", flat=True)
    return list(_sliced(names, offset, limit))


def current_package_list_with_resources(data: Mapping, site: Site) -> list[dict]:
    """The public datasets with their resources, most recently modified first (limit, offset;
    at most 1000 at a time)."""
    offset, limit = _page(data)
    limit = min(limit if limit is not None else MAX_ROWS, MAX_ROWS)
    datasets = selectors.with_details(selectors.public_datasets()).order_by("-modified_at", "pk")
    page = list(datasets[offset : offset + limit])
    site.know_documents_of(page)
    return [package_dict(dataset, site) for dataset in page]


def _group_list(data: Mapping, rows: list[tuple[str, str, dict]], names_key: str) -> list:
    """CKAN's group_list and organization_list: names, or whole dicts with all_fields; sort by
    name (default), title or package_count; q a part of the name or title."""
    wanted = string_list(names_key, data.get(names_key)) if data.get(names_key) else []
    q = text("q", data.get("q")).strip().lower()
    if wanted:
        rows = [row for row in rows if row[0] in wanted]
    if q:
        rows = [row for row in rows if q in row[0].lower() or q in row[1].lower()]
    sort = text("sort", data.get("sort")) or "name asc"
    words = sort.split()
    key = words[0] if words else "name"
    keys = {
        "name": lambda row: row[0],
        "title": lambda row: row[1].lower(),
        "package_count": lambda row: row[2]["package_count"],
        "packages": lambda row: row[2]["package_count"],
    }
    if key not in keys or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
        raise invalid("sort", "Sort by name, title or package_count, asc or desc")
    descending = (len(words) == 2 and words[1] == "desc") or (
        len(words) == 1 and key in ("package_count", "packages")
    )
    rows = sorted(rows, key=keys[key], reverse=descending)
    offset, limit = _page(data)
    rows = _sliced(rows, offset, limit)
    if boolean("all_fields", data.get("all_fields")):
        return [row[2] for row in rows]
    return [row[0] for row in rows]


def _package_counts(column: str) -> dict[int, int]:
    rows = selectors.public_datasets().order_by().values_list(column).annotate(n=Count("pk"))
    return {pk: n for pk, n in rows if pk is not None}


def organization_list(data: Mapping, site: Site) -> list:
    """The city's departments, as CKAN's organizations (all_fields, sort, q, limit, offset)."""
    counts = _package_counts("department")
    rows = [
        (d.code, d.display_name, organization_dict(d, site, package_count=counts.get(d.pk, 0)))
        for d in Department.objects.filter(city=site.city)
    ]
    return _group_list(data, rows, "organizations")


def organization_show(data: Mapping, site: Site) -> dict:
    """One department by its code or id; include_datasets adds its public datasets (up to
    1000)."""
    return _show(
        data,
        site,
        kind="organization",
        rows=Department.objects.filter(city=site.city),
        datasets_of=lambda department: Q(department=department),
    )


def _show(data: Mapping, site: Site, *, kind: str, rows: QuerySet, datasets_of) -> dict:
    """organization_show and group_show: the row by its code or id, its public datasets'
    count, and with include_datasets the datasets themselves."""
    reference = _required(data, "id")
    pk = pk_of(kind, reference, site.city)
    row = (rows.filter(pk=pk) if pk is not None else rows.filter(code=reference)).first()
    if row is None:
        raise not_found(f"{kind.capitalize()} not found")
    datasets = selectors.public_datasets().filter(datasets_of(row))
    out = _group_dict(kind, row, site, datasets.count())
    out.update({"users": [], "extras": [], "tags": [], "groups": [], "num_followers": 0})
    if boolean("include_datasets", data.get("include_datasets")):
        page = list(selectors.with_details(datasets).order_by("name")[:MAX_ROWS])
        site.know_documents_of(page)
        out["packages"] = [package_dict(dataset, site) for dataset in page]
    return out


def _category_counts() -> dict[int, int]:
    counts = _package_counts("category")
    for pk, n in _package_counts("category__parent").items():
        counts[pk] = counts.get(pk, 0) + n
    return counts


def group_list(data: Mapping, site: Site) -> list:
    """The profile's categories, as CKAN's groups (all_fields, sort, q, limit, offset)."""
    counts = _category_counts()
    rows = [
        (c.code, c.display_name, group_dict(c, site, package_count=counts.get(c.pk, 0)))
        for c in Category.objects.filter(city=site.city)
    ]
    return _group_list(data, rows, "groups")


def group_show(data: Mapping, site: Site) -> dict:
    """One category by its code or id; include_datasets adds its public datasets."""
    return _show(
        data,
        site,
        kind="group",
        rows=Category.objects.filter(city=site.city),
        datasets_of=lambda category: Q(category=category) | Q(category__parent=category),
    )


def tag_list(data: Mapping, site: Site) -> list:
    """The tags of public datasets (query: a part of the name; all_fields for dicts)."""
    query = text("query", data.get("query")).strip()
    tags = Tag.objects.filter(Exists(selectors.public_datasets().filter(tags=OuterRef("pk"))))
    if query:
        tags = tags.filter(name__icontains=query)
    if text("vocabulary_id", data.get("vocabulary_id")):
        return []  # the Plaza's tags are free tags, of no vocabulary
    tags = tags.order_by("name")
    if boolean("all_fields", data.get("all_fields")):
        return [tag_dict(tag, site) for tag in tags]
    return list(tags.values_list("name", flat=True))


def license_list(data: Mapping, site: Site) -> list[dict]:
    """The licences of the city's profile."""
    return [licence_dict(licence) for licence in site.licences.values()]


def status_show(data: Mapping, site: Site) -> dict:
    """What this site is; ckan_version is the CKAN release whose action API it answers like."""
    return {
        "site_title": site.city.display_name,
        "site_description": "",
        "site_url": site.url,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": site.city.default_language,
        "extensions": ["hamkke-plaza"],
    }


def help_show(data: Mapping, site: Site) -> str:
    """What an action does (parameter name)."""
    name = _required(data, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise not_found("Action function not found")
    return " ".join((action.__doc__ or "").split())


ACTIONS: dict[str, Callable[[Mapping, Site], object]] = {
    action.__name__: action
    for action in (
        package_search,
        package_show,
        package_list,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        group_list,
        group_show,
        tag_list,
        license_list,
        status_show,
        help_show,
    )
}
