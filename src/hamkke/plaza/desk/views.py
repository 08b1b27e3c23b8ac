"""The officials' pages of the Plaza's documents: their departments' documents by state,
registering one in two steps (the preview shows every masked item and withheld passage, the
save stores), and one document's whole view with the actions the policies offer. Thin: a form
parses, the policies say what to offer, a service acts, and a refusal is shown beside the
field or action it concerns (a page of another department's document: 403)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.audit import selectors as audit_selectors
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import DomainError, NotAllowed
from hamkke.core.policies import Decision
from hamkke.core.web import responses
from hamkke.core.web.forms import ServiceForm
from hamkke.plaza import files, policies, services
from hamkke.plaza.desk import selectors
from hamkke.plaza.desk.forms import (
    ApproveForm,
    AttachForm,
    DeskFilterForm,
    DocumentForm,
    ReclassifyForm,
    WithdrawForm,
)
from hamkke.plaza.desk.preview import preview_of
from hamkke.plaza.models import Document

PAGE_SIZE = 50
# The document's history, from the audit log, in words.
AUDIT_LABELS = {
    "plaza.document.registered": gettext_lazy("Registered"),
    "plaza.document.approved": gettext_lazy("Approved"),
    "plaza.document.published": gettext_lazy("Published by a manager"),
    "plaza.document.withdrawn": gettext_lazy("Withdrawn from the public"),
    "plaza.document.reclassified": gettext_lazy("Disclosure changed"),
    "plaza.attachment.added": gettext_lazy("File attached"),
    "plaza.decision.published": gettext_lazy("Published by the service that decided"),
    "plaza.decision.updated": gettext_lazy("Updated by the service that decided"),
}


# --- the list ------------------------------------------------------------------------------------


@official_required(role=Role.VIEWER)
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The documents of the official's departments, by state, filtered and paged; the
    counts per state; links to the Plaza's other desks."""
    places = selectors.desk_places(request.user, current_city())
    form = DeskFilterForm(request.GET, places=places, auto_id="filter-%s")
    form.is_valid()  # invalid fields show their error; the valid ones still filter
    department_ids = [place.department.pk for place in form.chosen_places()]
    documents = selectors.desk_documents(
        department_ids,
        state=form.value("state", selectors.ANY_STATE),
        doc_type=form.value("doc_type"),
        query=form.value("q"),
        sort=form.value("sort", "newest"),
    )
    page, query = responses.page_of(request, documents, PAGE_SIZE)
    filters = request.GET.copy()
    for name in ("state", "page"):
        filters.pop(name, None)
    context = {
        "form": form,
        "places": places,
        "page": page,
        "query": query,
        "rows": [_row(document) for document in page],
        "counts": [
            (state, label, count)
            for (state, label), count in zip(
                selectors.STATES, selectors.state_counts(department_ids).values(), strict=True
            )
        ],
        "state_query": filters.urlencode(),
        "chosen_state": form.value("state", selectors.ANY_STATE),
        "may_register": bool(_registering_places(request)),
    }
    return render(request, "plaza/desk/index.html", context)


def _row(document: Document) -> tuple[Document, str, str]:
    """A document of the list, its state and what its state says of its publication."""
    state = selectors.state_of(document)
    return document, selectors.STATE_LABELS[state], _publication(document, state)


def _publication(document: Document, state: str) -> str:
    def when(moment) -> str:
        return date_format(timezone.localtime(moment), "Y-m-d H:i")

    if state == "withdrawn":
        return _("withdrawn on %(date)s") % {"date": when(document.withdrawn_at)}
    if state == "published":
        return _("published on %(date)s") % {"date": when(document.published_at)}
    if state == "scheduled" and document.publish_at is not None:
        return _("due on %(date)s") % {"date": when(document.publish_at)}
    if state == "scheduled":
        return _("waits for a manager: below the level published by itself")
    return "—"


def _seat(request: HttpRequest, place: selectors.DeskPlace) -> Seat:
    return Seat(user=request.user, role=place.role, department=place.department)


def _registering_places(request: HttpRequest) -> list[selectors.DeskPlace]:
    """The departments where the official may register documents."""
    return [
        place
        for place in selectors.desk_places(request.user, current_city())
        if policies.may_register(_seat(request, place))
    ]


# --- registering ---------------------------------------------------------------------------------


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def new_document(request: HttpRequest) -> HttpResponse:
    """Step one ("preview", text fields only): the fields checked and the text shown as the
    public will read it, every masked item and withheld passage marked. Step two ("save",
    the same text and the files): registered, unless the text changed since its preview,
    which is then shown again."""
    places = _registering_places(request)
    if not places:
        raise NotAllowed(
            _("You hold no handler's role in a department of this city: you cannot register.")
        )
    if request.method == "GET":
        form = DocumentForm(places=places, initial={"produced_on": timezone.localdate()})
        return _new_page(request, form)
    saving = request.POST.get("step") == "save"
    form = DocumentForm(request.POST, request.FILES if saving else None, places=places)
    if not form.is_valid():
        return _new_page(request, form, status=400)
    try:
        prepared = services.preview_document(
            actor=request.actor, fields=form.document_fields(with_files=False)
        )
    except NotAllowed:
        raise  # a department the form did not offer: the 403 page
    except DomainError as exc:
        form.add_domain_error(exc)
        return _new_page(request, form, status=exc.status)
    preview = preview_of(prepared)
    if not saving:
        return _new_page(request, form, preview=preview)
    if not form.was_previewed():
        messages.warning(
            request,
            _(
                "The text changed since its preview: check the masking below, choose the files "
                "again and save."
            ),
        )
        return _new_page(request, form, preview=preview)
    saved = form.submit(
        lambda: services.register_document(
            actor=request.actor, fields=form.document_fields(with_files=True)
        ),
        reraise=(NotAllowed,),
    )
    if not saved:
        return _new_page(request, form, preview=preview, status=form.status_code)
    document = form.result
    messages.success(
        request,
        _("Document %(number)s is registered.") % {"number": document.number},
    )
    return redirect("plaza:desk-document", document.pk)


def _new_page(
    request: HttpRequest, form: DocumentForm, *, preview=None, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "preview": preview,
        "digest": form.digest() if preview is not None else "",
    }
    return render(request, "plaza/desk/new.html", context, status=status)


# --- one document --------------------------------------------------------------------------------


def _document_for(request: HttpRequest, pk: int) -> tuple[Document, Seat]:
    """The document and the official's seat in its department; 404 when there is none, 403
    for an official of another department."""
    document = responses.found_or_404(selectors.desk_document, pk)
    seat = seat_at(request.actor, document.department)
    policies.may_read_at_desk(seat).enforce()
    return document, seat


@dataclass(frozen=True)
class _Action:
    """An action's panel on the document's page: its form when offered, else the reason."""

    name: str
    title: str
    offer: Decision
    forms: dict
    button: str
    files: bool = False

    @property
    def form(self) -> ServiceForm:
        return self.forms[self.name]

    @property
    def url_name(self) -> str:
        return f"plaza:desk-{self.name}"


def _document_page(
    request: HttpRequest,
    document: Document,
    seat: Seat,
    *,
    failed: tuple[str, ServiceForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The whole document and a form per action offered; the form that failed keeps its
    input and its error."""
    offers = policies.desk_offers(seat, document)
    forms = {
        "approve": ApproveForm(auto_id="approve-%s"),
        "publish": ServiceForm(auto_id="publish-%s"),
        "withdraw": WithdrawForm(auto_id="withdraw-%s"),
        "reclassify": ReclassifyForm(
            auto_id="reclassify-%s",
            initial={"disclosure": document.disclosure, "legal_ground": document.legal_ground},
        ),
        "attach": AttachForm(auto_id="attach-%s"),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    every_action = [
        _Action("approve", _("Approve"), offers.approve, forms, _("Approve the document")),
        _Action("publish", _("Publish now"), offers.publish, forms, _("Publish now")),
        _Action("withdraw", _("Withdraw"), offers.withdraw, forms, _("Withdraw from the public")),
        _Action(
            "reclassify", _("Disclosure"), offers.reclassify, forms, _("Change the disclosure")
        ),
        _Action("attach", _("Attach a file"), offers.attach, forms, _("Attach"), files=True),
    ]
    # Only what may be done now is shown; what the role does not allow is said once.
    refusals = dict.fromkeys(
        action.offer.reason for action in every_action if action.offer.code == "role_required"
    )
    grounds = {g.code: g.display_name for g in services.plaza_settings().legal_grounds}
    context = {
        "document": document,
        "state": selectors.state_of(document),
        "state_label": selectors.STATE_LABELS[selectors.state_of(document)],
        "is_public": policies.is_public(document),
        "publication": _publication(document, selectors.state_of(document)),
        "actions": [action for action in every_action if action.offer],
        "refusals": list(refusals),
        "ground_name": grounds.get(document.legal_ground, document.legal_ground),
        "passages": [
            (p, grounds.get(p.legal_ground, p.legal_ground)) for p in document.withheld.all()
        ],
        "attachments": [
            (a, grounds.get(a.legal_ground, a.legal_ground)) for a in document.attachments.all()
        ],
        "audit": [
            (entry, AUDIT_LABELS.get(entry.action, entry.action))
            for entry in audit_selectors.audit_trail(document, limit=50)
        ],
    }
    return render(request, "plaza/desk/document.html", context, status=status)


def _act(
    request: HttpRequest, pk: int, action: str, form: ServiceForm, service, success: str
) -> HttpResponse:
    """One action on the document through its service: back to the page with `success`, or
    the page again with the refusal beside the action's form."""
    document, seat = _document_for(request, pk)
    # A missing role is the 403 page (the action was not offered); a clash with the document's
    # state or a refused field is shown beside the action's form.
    if form.submit(lambda: service(document), reraise=(NotAllowed,)):
        messages.success(request, success)
        return redirect(f"{reverse('plaza:desk-document', args=[document.pk])}#{action}")
    return _document_page(request, document, seat, failed=(action, form), status=form.status_code)


@official_required(role=Role.VIEWER)
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one document, the withheld passages and files included, for the
    officials of its department; the actions their role allows."""
    return _document_page(request, *_document_for(request, pk))


@official_required(role=Role.HANDLER)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST, auto_id="approve-%s")
    return _act(
        request,
        pk,
        "approve",
        form,
        lambda document: services.approve_document(
            actor=request.actor,
            document=document,
            approved_at=form.cleaned_data.get("approved_at"),
        ),
        _("The document is approved."),
    )


@official_required(role=Role.MANAGER)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "publish",
        ServiceForm(request.POST, auto_id="publish-%s"),
        lambda document: services.publish_document(actor=request.actor, document=document),
        _("The document is published."),
    )


@official_required(role=Role.MANAGER)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    form = WithdrawForm(request.POST, auto_id="withdraw-%s")
    return _act(
        request,
        pk,
        "withdraw",
        form,
        lambda document: services.withdraw_document(
            actor=request.actor, document=document, reason=form.cleaned_data["reason"]
        ),
        _("The document is withdrawn from the public."),
    )


@official_required(role=Role.MANAGER)
@require_POST
def reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReclassifyForm(request.POST, auto_id="reclassify-%s")
    return _act(
        request,
        pk,
        "reclassify",
        form,
        lambda document: services.change_disclosure(
            actor=request.actor,
            document=document,
            disclosure=form.cleaned_data["disclosure"],
            legal_ground=form.cleaned_data["legal_ground"],
        ),
        _("The document's disclosure is changed."),
    )


@official_required(role=Role.HANDLER)
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    form = AttachForm(request.POST, request.FILES, auto_id="attach-%s")
    return _act(
        request,
        pk,
        "attach",
        form,
        lambda document: services.attach_file(
            actor=request.actor, document=document, upload=form.upload()
        ),
        _("The file is attached."),
    )


@official_required(role=Role.VIEWER)
@require_GET
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """The original file, withheld ones included, for the officials of the document's
    department (the public downloads from the public page, withheld files never)."""
    document, _seat = _document_for(request, pk)
    found = next((a for a in document.attachments.all() if a.pk == attachment_id), None)
    if found is None:
        raise Http404(_("There is no such file."))
    return responses.found_or_404(
        files.stored_file_response, found, download=True, cache_control="private, no-store"
    )
