"""Who may do what on the Plaza, and what the public may see: officials register, approve,
publish and withdraw their department's documents and answer its requests by their role there;
citizens read what is public and ask for what is not. Services enforce these Decisions; pages,
the desk, the API and the admin ask the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from hamkke.accounts.models import Role
from hamkke.accounts.seats import Seat, holds
from hamkke.core.errors import Conflict, InvalidInput, NotFound
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.plaza.models import (
    OPEN_REQUEST_STATUSES,
    PUBLIC_CLASSES,
    Disclosure,
    DisclosureRequest,
    Document,
    Meeting,
    RequestKind,
)

# --- the public ----------------------------------------------------------------------------------


def is_public(document: Document) -> bool:
    """Published, not withdrawn, and not closed: the one rule every public surface applies (the
    selectors apply it as a query, `selectors.public_documents`)."""
    return (
        document.published_at is not None
        and document.withdrawn_at is None
        and document.disclosure in PUBLIC_CLASSES
    )


def may_view(document: Document, seat: Seat | None = None) -> Decision:
    """Read the document: anyone when it is public; its department's officials always (they
    see the withheld passages too). Refused as not found, so nothing tells a closed document
    exists."""
    if is_public(document):
        return ALLOW
    if seat is not None and holds(seat, Role.VIEWER):
        return ALLOW
    return deny(_("There is no public document here."), code="not_found", error=NotFound)


def meeting_is_public(meeting: Meeting) -> bool:
    return meeting.disclosure in PUBLIC_CLASSES


# --- officials -----------------------------------------------------------------------------------


def may_register(seat: Seat) -> Decision:
    """Register a document of the department (from the DMS or by hand): handlers and above."""
    return holds(seat, Role.HANDLER)


def may_approve(seat: Seat, document: Document) -> Decision:
    return first_refusal(holds(seat, Role.HANDLER), _not_yet(document.approved_at is None))


def may_publish(seat: Seat, document: Document) -> Decision:
    """Publish now, before the schedule or below the level published by itself: a manager, for
    an approved document that is not closed and not public yet."""
    return first_refusal(
        holds(seat, Role.MANAGER),
        _approved(document),
        _not_closed(document),
        _not_yet(document.published_at is None or document.withdrawn_at is not None),
    )


def may_withdraw(seat: Seat, document: Document) -> Decision:
    """Take a published document down (a mistake, a court order): a manager."""
    if document.published_at is None or document.withdrawn_at is not None:
        return deny(_("The document is not public."), code="not_public", error=Conflict)
    return holds(seat, Role.MANAGER)


def may_change_disclosure(seat: Seat) -> Decision:
    """Re-classify (close an open document, open a closed one): a manager."""
    return holds(seat, Role.MANAGER)


def may_read_at_desk(seat: Seat) -> Decision:
    """The desk's whole view of a document, withheld passages and files included: the
    officials of its department, whatever their role."""
    return holds(seat, Role.VIEWER)


@dataclass(frozen=True)
class DeskOffers:
    """What the desk offers an official on one document: each a Decision, so the page shows a
    refusal's reason where it hides a form."""

    approve: Decision
    publish: Decision
    withdraw: Decision
    reclassify: Decision
    attach: Decision

    def allowed(self) -> list[str]:
        return [
            name
            for name in ("approve", "publish", "withdraw", "reclassify", "attach")
            if getattr(self, name)
        ]


def desk_offers(seat: Seat, document: Document) -> DeskOffers:
    return DeskOffers(
        approve=may_approve(seat, document),
        publish=may_publish(seat, document),
        withdraw=may_withdraw(seat, document),
        reclassify=may_change_disclosure(seat),
        attach=may_register(seat),
    )


def may_manage_meetings(seat: Seat) -> Decision:
    return holds(seat, Role.HANDLER)


def may_manage_datasets(seat: Seat) -> Decision:
    return holds(seat, Role.HANDLER)


def may_read_request(seat: Seat) -> Decision:
    """A request's private part (who asked, their text) at the desk: its department's handlers."""
    return holds(seat, Role.HANDLER)


def may_answer_request(seat: Seat, request: DisclosureRequest) -> Decision:
    if request.status not in OPEN_REQUEST_STATUSES:
        return deny(
            _("This request has been answered already."), code="request_closed", error=Conflict
        )
    return holds(seat, Role.HANDLER)


def may_extend_request(
    seat: Seat, request: DisclosureRequest, *, extension_days: int, today: date
) -> Decision:
    """The deadline may be extended once, by the profile's days, while the request is open and
    its deadline has not passed (`today` is the city's day)."""
    if extension_days <= 0:
        return deny(_("This city's rules allow no extension."), code="no_extension")
    if request.extended:
        return deny(
            _("The deadline was extended once already."), code="extended_already", error=Conflict
        )
    if request.status in OPEN_REQUEST_STATUSES and today > request.due_on:
        return deny(
            _("The deadline has passed: it can no longer be extended; answer the request."),
            code="deadline_passed",
            error=Conflict,
        )
    return may_answer_request(seat, request)


def may_answer_by_publishing(seat: Seat, request: DisclosureRequest) -> Decision:
    """Answer a disclosure request by publishing the document: publishing is a manager's."""
    if request.kind != RequestKind.DISCLOSURE:
        return deny(
            _("A question is answered in words; link the document in the answer."),
            code="question",
            error=InvalidInput,
        )
    return first_refusal(may_answer_request(seat, request), holds(seat, Role.MANAGER))


def may_withdraw_request(user, request: DisclosureRequest) -> Decision:
    """The person who filed it, while it waits for its answer."""
    if user is None or request.requester_id is None or request.requester_id != user.pk:
        return deny(_("Only the person who filed this request may withdraw it."), code="forbidden")
    if request.status not in OPEN_REQUEST_STATUSES:
        return deny(
            _("This request has been answered already."), code="request_closed", error=Conflict
        )
    return ALLOW


def request_is_overdue(request: DisclosureRequest, *, today: date) -> bool:
    """Still waiting for its answer after its last day."""
    return request.status in OPEN_REQUEST_STATUSES and today > request.due_on


def check_disclosure(disclosure: str, legal_ground: str, grounds: set[str]) -> None:
    """A class of the list, and a legal ground of the profile's whenever not open."""
    if disclosure not in Disclosure.values:
        raise InvalidInput(_("Choose open, partly open or closed."), field="disclosure")
    if disclosure == Disclosure.OPEN:
        return
    if not legal_ground:
        raise InvalidInput(
            _("A document not wholly open needs the legal ground it is withheld on."),
            field="legal_ground",
        )
    if legal_ground not in grounds:
        raise InvalidInput(
            _("“%(ground)s” is not one of this city's legal grounds.") % {"ground": legal_ground},
            field="legal_ground",
        )


def publish_moment(
    *, approved_at: datetime, level: int, from_level: int, delay: str, next_day_start: datetime
) -> datetime | None:
    """When an approved document becomes public by itself: the start of the next day (or at
    once, by the profile); never, below the level the city publishes from (it waits for a
    manager or a request)."""
    if level < from_level:
        return None
    if delay == "at_once":
        return approved_at
    return next_day_start


def request_due(received_on: date, *, days: int) -> date:
    """The last day of a request's answer: `days` after the day it was received (the city's
    day); an extension counts its days from the deadline it extends."""
    return received_on + timedelta(days=days)


def _approved(document: Document) -> Decision:
    if document.approved_at is None:
        return deny(
            _("The document has not been approved yet."), code="not_approved", error=Conflict
        )
    return ALLOW


def _not_closed(document: Document) -> Decision:
    if document.disclosure == Disclosure.CLOSED:
        return deny(_("A closed document is never published."), code="closed", error=Conflict)
    return ALLOW


def _not_yet(condition: bool) -> Decision:
    if condition:
        return ALLOW
    return deny(_("That has been done already."), code="done_already", error=Conflict)


def document_takes_comments(document: Document) -> bool:
    """Comments on a public document only (a closed or withdrawn one shows none and takes none)."""
    return is_public(document)
