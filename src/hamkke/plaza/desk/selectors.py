"""Reads of the officials' desk: the departments an official works in, their documents in each
state of a document's life (drafts, approved awaiting publication, published, withdrawn,
closed), and one document with everything the public does not see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import City, Department
from hamkke.plaza.models import Disclosure, Document


@dataclass(frozen=True)
class DeskPlace:
    """A department the official works in, and their role there."""

    department: Department
    role: Role


def desk_places(user, city: City) -> list[DeskPlace]:
    """The official's departments in `city`, by name, with their role in each."""
    roles = account_selectors.roles_by_department(user, city=city)
    departments = Department.objects.filter(pk__in=roles).order_by("name")
    return [DeskPlace(department=d, role=roles[d.pk]) for d in departments]


def department_by_code(city: City, code: str) -> Department:
    """The city's department a request names by its code; InvalidInput on "department"."""
    department = Department.objects.filter(city=city, code=code).first() if code else None
    if department is None:
        raise InvalidInput(
            _("Choose the department issuing the document (by its code)."), field="department"
        )
    return department


# --- a document's life ---------------------------------------------------------------------------

# A context, as "Withdrawn" or "Closed" of a proposal or a poll reads otherwise in Korean.
STATES = (
    ("draft", pgettext_lazy("plaza document", "Drafts (not approved)")),
    ("scheduled", pgettext_lazy("plaza document", "Approved, awaiting publication")),
    ("published", pgettext_lazy("plaza document", "Published")),
    ("withdrawn", pgettext_lazy("plaza document", "Withdrawn")),
    ("closed", pgettext_lazy("plaza document", "Closed")),
)
STATE_LABELS = dict(STATES)
ANY_STATE = "all"

_NOT_CLOSED = ~Q(disclosure=Disclosure.CLOSED)
# Each document is in exactly one state; `state_of` says the same of one row.
STATE_FILTERS = {
    "draft": _NOT_CLOSED
    & Q(approved_at__isnull=True, published_at__isnull=True, withdrawn_at__isnull=True),
    "scheduled": _NOT_CLOSED
    & Q(approved_at__isnull=False, published_at__isnull=True, withdrawn_at__isnull=True),
    "published": _NOT_CLOSED & Q(published_at__isnull=False, withdrawn_at__isnull=True),
    "withdrawn": _NOT_CLOSED & Q(withdrawn_at__isnull=False),
    "closed": Q(disclosure=Disclosure.CLOSED),
}


def state_of(document: Document) -> str:
    if document.disclosure == Disclosure.CLOSED:
        return "closed"
    if document.withdrawn_at is not None:
        return "withdrawn"
    if document.published_at is not None:
        return "published"
    if document.approved_at is not None:
        return "scheduled"
    return "draft"


def state_counts(department_ids: list[int]) -> dict[str, int]:
    """How many of the departments' documents are in each state (one query)."""
    counts = Document.objects.filter(department_id__in=department_ids).aggregate(
        **{state: Count("pk", filter=condition) for state, condition in STATE_FILTERS.items()}
    )
    return {state: counts[state] or 0 for state, _label in STATES}


SORTS = (
    ("newest", _("Registered, newest first")),
    ("oldest", _("Registered, oldest first")),
    ("publication", _("Publication, soonest first")),
)


def desk_documents(
    department_ids: list[int],
    *,
    state: str = ANY_STATE,
    doc_type: str = "",
    query: str = "",
    sort: str = "newest",
) -> QuerySet[Document]:
    """The departments' documents in `state`, of `doc_type`, whose number or title contains
    `query`, in the order asked."""
    documents = Document.objects.filter(department_id__in=department_ids).select_related(
        "department", "category"
    )
    if state in STATE_FILTERS:
        documents = documents.filter(STATE_FILTERS[state])
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    query = query.strip()
    if query:
        documents = documents.filter(Q(number__icontains=query) | Q(title__icontains=query))
    if sort == "oldest":
        return documents.order_by("created_at", "id")
    if sort == "publication":
        return documents.order_by(F("publish_at").asc(nulls_last=True), "-created_at", "-id")
    return documents.order_by("-created_at", "-id")


def desk_document(pk: int) -> Document:
    """One document with all it holds, the withheld passages and files included (for its
    department's officials only: the caller checks the seat). NotFound when there is none."""
    document = (
        Document.objects.select_related("department", "category", "registered_by")
        .prefetch_related(
            "withheld",
            "attachments",
            "tags",
            Prefetch("related", queryset=Document.objects.only("pk", "number", "title")),
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise NotFound(_("There is no document here."), code="not_found")
    return document
