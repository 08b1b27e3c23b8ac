"""Every write of disclosure requests: filing, extending, answering (in words, or by publishing
the document asked for), withdrawing; the deadlines' warnings; forgetting a requester. Each is
one transaction that writes the request's public history (RequestEvent) and the audit log.

What the public may read of a request — its code, subject, department, states and answers — is
stored masked; who asked and the full text of the request are the requester's and the desk's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role, User
from hamkke.accounts.seats import seat_at
from hamkke.core import codes
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import Conflict, InvalidInput, NotAllowed
from hamkke.core.models import Department
from hamkke.core.notifications.services import notify
from hamkke.core.text import clean_text
from hamkke.plaza import masking, policies
from hamkke.plaza import services as plaza_services
from hamkke.plaza.disclosure import selectors
from hamkke.plaza.models import (
    OPEN_REQUEST_STATUSES,
    Disclosure,
    DisclosureRequest,
    Document,
    RequestEvent,
    RequestKind,
    RequestStatus,
)

CODE_LENGTH = 8
MAX_SUBJECT = 200
MAX_DESCRIPTION = 4000
MAX_ANSWER = 4000
MAX_NOTE = 1000
MAX_NUMBER = 64
# The department's handlers are warned this many days before the last day.
WARN_DAYS_BEFORE = 2

# How an official answers each kind of request (the statuses that close it).
ANSWERS = {
    RequestKind.DISCLOSURE: (
        RequestStatus.DISCLOSED,
        RequestStatus.PARTLY_DISCLOSED,
        RequestStatus.REFUSED,
    ),
    RequestKind.QUESTION: (RequestStatus.ANSWERED,),
}
# Answers that withhold something name the legal ground they withhold it on.
WITH_GROUND = (RequestStatus.PARTLY_DISCLOSED, RequestStatus.REFUSED)


# --- filing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestText:
    """What the requester typed, checked: the public subject (as typed; masked when stored) and
    the private description."""

    subject: str
    description: str


def check_text(*, subject: str, description: str) -> RequestText:
    subject = " ".join(clean_text(subject).split())
    description = clean_text(description)
    if not subject:
        raise InvalidInput(_("Say in a line what you ask for."), field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInput(
            _("The subject may be at most %(max)d characters.") % {"max": MAX_SUBJECT},
            field="subject",
        )
    if not description:
        raise InvalidInput(_("Describe what you ask for."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            _("The description is %(n)d characters long; at most %(max)d are allowed.")
            % {"n": len(description), "max": MAX_DESCRIPTION},
            field="description",
        )
    return RequestText(subject=subject, description=description)


@transaction.atomic
def file_request(
    *,
    actor: Actor | User,
    kind: str,
    subject: str,
    description: str,
    department: Department | None = None,
    document_number: str = "",
    now: datetime | None = None,
) -> DisclosureRequest:
    """File a request with a department. A question is about a public document (and goes to
    its department); a disclosure request may name the number of a document the person knows
    of. Whether a document that is not public has that number is never told: the request is
    filed alike, and linked to the document only for the desk."""
    who = Actor.of(actor)
    if who.user is None:
        raise NotAllowed(_("Log in to file a request."), code="not_authenticated")
    if kind not in RequestKind.values:
        raise InvalidInput(_("Choose a disclosure request or a question."), field="kind")
    text = check_text(subject=subject, description=description)
    number = clean_text(document_number)
    if len(number) > MAX_NUMBER:
        raise InvalidInput(
            _("A document number has at most %(max)d characters.") % {"max": MAX_NUMBER},
            field="document",
        )
    document = None
    if kind == RequestKind.QUESTION:
        document = selectors.public_document_numbered(number)
        department = document.department
    elif department is None:
        raise InvalidInput(_("Choose the department you ask."), field="department")
    elif department.city_id != current_city().pk:
        raise InvalidInput(_("That department is not one of this city's."), field="department")
    elif number:
        # For the desk only: nothing the requester sees depends on it.
        document = Document.objects.filter(number=number, department=department).first()
    now = now or timezone.now()
    description = text.description
    if number and kind == RequestKind.DISCLOSURE:
        description = _("Document number: %(number)s") % {"number": number} + "\n\n" + description
    request = _insert(
        kind=kind,
        requester=who.user,
        department=department,
        subject=masking.mask(text.subject).text,
        description=description,
        document=document,
        received_at=now,
        due_on=policies.request_due(
            selectors.city_day(now), days=plaza_services.plaza_settings().request_deadline_days
        ),
    )
    _event(request, RequestStatus.RECEIVED, now)
    record_audit(
        actor=who,
        action="plaza.request.filed",
        target=request,
        data={"kind": kind, "department": department.code},
    )
    return request


def _insert(**fields) -> DisclosureRequest:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return DisclosureRequest.objects.create(
                    code=codes.random_code(CODE_LENGTH), **fields
                )
        except IntegrityError:
            continue  # the code collided: draw another
    raise Conflict(_("Could not give the request a code; please try again."))


# --- the desk ------------------------------------------------------------------------------------


def _locked(request: DisclosureRequest) -> DisclosureRequest:
    return (
        DisclosureRequest.objects.select_for_update(of=("self",))
        .select_related("department", "requester")
        .get(pk=request.pk)
    )


def _public_text(text: str, *, field: str, limit: int, required: bool) -> str:
    text = clean_text(text)
    if required and not text:
        raise InvalidInput(_("Write the answer the requester and the public read."), field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("At most %(max)d characters.") % {"max": limit},
            field=field,
        )
    return masking.mask(text).text


@transaction.atomic
def extend_request(
    *, actor: Actor | User, request: DisclosureRequest, reason: str, now: datetime | None = None
) -> DisclosureRequest:
    """Extend the deadline once, by the profile's days, before it passes; the reason is public."""
    who = Actor.of(actor)
    request = _locked(request)
    now = now or timezone.now()
    days = plaza_services.plaza_settings().request_extension_days
    policies.may_extend_request(
        seat_at(who, request.department),
        request,
        extension_days=days,
        today=selectors.city_day(now),
    ).enforce()
    reason = _public_text(reason, field="reason", limit=MAX_NOTE, required=False)
    if not reason:
        raise InvalidInput(_("Say why the answer needs more time."), field="reason")
    before = request.due_on
    request.due_on = policies.request_due(request.due_on, days=days)
    request.extended = True
    request.status = RequestStatus.EXTENDED
    request.due_soon_notified = False  # the new deadline gets its own warning
    request.save(update_fields=["due_on", "extended", "status", "due_soon_notified"])
    _event(request, RequestStatus.EXTENDED, now, note=reason)
    record_audit(
        actor=who,
        action="plaza.request.extended",
        target=request,
        data={"from": before.isoformat(), "to": request.due_on.isoformat()},
    )
    _tell_requester(
        request, _("The deadline of your request %(code)s was extended") % {"code": request.code}
    )
    return request


@transaction.atomic
def answer_request(
    *,
    actor: Actor | User,
    request: DisclosureRequest,
    status: str,
    answer: str,
    legal_ground: str = "",
    now: datetime | None = None,
) -> DisclosureRequest:
    """Answer in words: disclosed, partly disclosed or not disclosed (the last two on a legal
    ground of the profile) for a disclosure request; answered for a question. The answer is
    public (masked)."""
    who = Actor.of(actor)
    request = _locked(request)
    policies.may_answer_request(seat_at(who, request.department), request).enforce()
    allowed = ANSWERS[RequestKind(request.kind)]
    if status not in allowed:
        raise InvalidInput(
            _("Answer with one of: %(statuses)s.")
            % {"statuses": ", ".join(str(RequestStatus(s).label) for s in allowed)},
            field="status",
        )
    text = _public_text(answer, field="answer", limit=MAX_ANSWER, required=True)
    if status in WITH_GROUND:
        text = _with_ground(text, legal_ground)
    return _close(who, request, status=status, answer=text, now=now or timezone.now())


def _with_ground(text: str, code: str) -> str:
    """The answer and, after it, the legal ground it withholds on (in the city's language)."""
    grounds = {g.code: g for g in plaza_services.plaza_settings().legal_grounds}
    if not code:
        raise InvalidInput(
            _("Name the legal ground on which the information is withheld."), field="legal_ground"
        )
    if code not in grounds:
        raise InvalidInput(
            _("“%(ground)s” is not one of this city's legal grounds.") % {"ground": code},
            field="legal_ground",
        )
    with translation.override(current_city().default_language):
        label = _("Legal ground: %(ground)s") % {"ground": grounds[code].name}
    return f"{text}\n\n{label}"


@transaction.atomic
def answer_by_publishing(
    *,
    actor: Actor | User,
    request: DisclosureRequest,
    document_number: str,
    answer: str = "",
    disclosure: str = "",
    legal_ground: str = "",
    now: datetime | None = None,
) -> DisclosureRequest:
    """Answer a disclosure request by publishing a registered document of its department, so
    the answer links to it: a closed one is re-classified first (`disclosure` open or partly
    open, on `legal_ground`), then published through the Plaza's services, whose policies
    decide who may (a manager). A document public already is linked as it is."""
    who = Actor.of(actor)
    request = _locked(request)
    policies.may_answer_by_publishing(seat_at(who, request.department), request).enforce()
    number = clean_text(document_number)
    document = Document.objects.filter(number=number, department=request.department).first()
    if not number or document is None:
        raise InvalidInput(
            _("%(department)s has no registered document numbered “%(number)s”.")
            % {"department": request.department.display_name, "number": number},
            field="document",
        )
    if document.disclosure == Disclosure.CLOSED:
        if disclosure not in (Disclosure.OPEN, Disclosure.PARTIAL):
            raise InvalidInput(
                _("The document is closed: choose to open it wholly or in part."),
                field="disclosure",
            )
        document = plaza_services.change_disclosure(
            actor=who, document=document, disclosure=disclosure, legal_ground=legal_ground
        )
    if not policies.is_public(document):
        document = plaza_services.publish_document(actor=who, document=document)
    text = _public_text(answer, field="answer", limit=MAX_ANSWER, required=False)
    if not text:
        with translation.override(current_city().default_language):
            text = _("The document is published: %(title)s") % {"title": document.title}
    status = (
        RequestStatus.PARTLY_DISCLOSED
        if document.disclosure == Disclosure.PARTIAL
        else RequestStatus.DISCLOSED
    )
    if status == RequestStatus.PARTLY_DISCLOSED:
        text = _with_ground(text, document.legal_ground)
    request.document = document
    return _close(who, request, status=status, answer=text, now=now or timezone.now())


def _close(
    who: Actor, request: DisclosureRequest, *, status: str, answer: str, now: datetime
) -> DisclosureRequest:
    request.status = status
    request.answer = answer
    request.answered_at = now
    request.save(update_fields=["status", "answer", "answered_at", "document"])
    _event(request, status, now, note=answer)
    record_audit(
        actor=who,
        action="plaza.request.answered",
        target=request,
        data={"status": status, "document": request.document_id},
    )
    _tell_requester(request, _("Your request %(code)s was answered") % {"code": request.code})
    return request


# --- the requester -------------------------------------------------------------------------------


@transaction.atomic
def withdraw_request(
    *, actor: Actor | User, request: DisclosureRequest, now: datetime | None = None
) -> DisclosureRequest:
    """The requester takes back a request still waiting for its answer."""
    who = Actor.of(actor)
    request = _locked(request)
    policies.may_withdraw_request(who.user, request).enforce()
    now = now or timezone.now()
    request.status = RequestStatus.WITHDRAWN
    request.save(update_fields=["status"])
    _event(request, RequestStatus.WITHDRAWN, now)
    record_audit(actor=who, action="plaza.request.withdrawn", target=request)
    return request


def forget_requester(user: User) -> None:
    """On account deletion: the person's requests stay (their history is public) without who
    asked and without the private text of the request."""
    DisclosureRequest.objects.filter(requester=user).update(requester=None, description="")


# --- deadlines -----------------------------------------------------------------------------------


def warn_of_deadlines(*, now: datetime | None = None) -> int:
    """The hourly task: tell a department's handlers once when a request's deadline is
    WARN_DAYS_BEFORE days off, and its managers once when it has passed unanswered. Each
    request in its own transaction, claimed by its flag so two workers never both tell.
    Returns how many notices were sent."""
    now = now or timezone.now()
    today = selectors.city_day(now)
    sent = 0
    for request in selectors.nearing_deadline(today, days=WARN_DAYS_BEFORE):
        with transaction.atomic():
            claimed = DisclosureRequest.objects.filter(
                pk=request.pk, due_soon_notified=False, status__in=OPEN_REQUEST_STATUSES
            ).update(due_soon_notified=True)
            if claimed:
                sent += _tell_department(request, least=Role.HANDLER, kind="due")
    for request in selectors.overdue_unescalated(today):
        with transaction.atomic():
            claimed = DisclosureRequest.objects.filter(
                pk=request.pk, overdue_notified=False, status__in=OPEN_REQUEST_STATUSES
            ).update(overdue_notified=True, due_soon_notified=True)
            if not claimed:
                continue
            sent += _tell_department(request, least=Role.MANAGER, kind="overdue")
            record_audit(
                actor=None,
                action="plaza.request.escalated",
                target=request,
                data={"due_on": request.due_on.isoformat()},
            )
    return sent


def _tell_department(request: DisclosureRequest, *, least: Role, kind: str) -> int:
    if kind == "overdue":
        title = _("Overdue disclosure request %(code)s") % {"code": request.code}
    else:
        title = _("Disclosure request %(code)s is due soon") % {"code": request.code}
    body = _("%(subject)s — to be answered by %(date)s.") % {
        "subject": request.subject,
        "date": request.due_on.isoformat(),
    }
    told = 0
    for official in account_selectors.officials_of([request.department_id], least=least):
        if notify(
            recipient=official,
            kind="plaza.request_due",
            title=title,
            body=body,
            url=selectors.desk_url(request),
        ):
            told += 1
    return told


# --- history and notices -------------------------------------------------------------------------


def _event(request: DisclosureRequest, status: str, at: datetime, *, note: str = "") -> None:
    RequestEvent.objects.create(request=request, status=status, note=note, at=at)


def _tell_requester(request: DisclosureRequest, title: str) -> None:
    if request.requester_id is None:
        return
    notify(
        recipient=request.requester,
        kind="plaza.request",
        title=title,
        body=request.subject,
        url=selectors.public_url(request),
    )
