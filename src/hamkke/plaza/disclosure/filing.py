"""The one step from a request as an entry point read it to a filed request: the request form and
the JSON API each parse their own format, then hand codes and text to `file_request`, which
looks the department up by its code and lets services.file_request do the rest. Also the
filing allowance the form and the API share."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.core import ratelimit
from hamkke.core.actors import Actor
from hamkke.plaza.disclosure import selectors, services
from hamkke.plaza.models import DisclosureRequest, RequestKind


def file_request(
    *,
    actor: Actor,
    kind: str,
    department: str,
    subject: str,
    description: str,
    document: str = "",
) -> DisclosureRequest:
    """File what an entry point read: `department` is a department's code (a question takes
    its document's, whatever is sent), `document` a document's registration number."""
    return services.file_request(
        actor=actor,
        kind=kind,
        department=None
        if kind == RequestKind.QUESTION or not department.strip()
        else selectors.department_named(department),
        document_number=document,
        subject=subject,
        description=description,
    )


def _filing_refused() -> str:
    return (
        _("You have filed many requests in a short time. Please wait and try again later.")
        + ratelimit.urgent_help()
    )


# A person files a few requests a day; a script, many a minute. Every attempt counts, refused
# ones too; the form and the API draw on the same allowance.
FILING = ratelimit.Limit(
    "plaza.request", per_person="10/h", per_address="60/h", message=_filing_refused
)
