"""The officials' open-data desk: the datasets of the departments they handle, a new dataset,
a dataset's description and its resources. Handlers and above, signed in with their second
factor (official_required); the services check the role in the dataset's own department."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import selectors as account_selectors
from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.models import Department
from hamkke.core.web.responses import carry_out, found_or_404
from hamkke.plaza.models import Dataset
from hamkke.plaza.opendata import ckan, files, selectors, services
from hamkke.plaza.opendata.forms import DatasetForm, ResourceForm


def _departments(request: HttpRequest) -> list[Department]:
    """The departments in which the official may manage datasets (handler or above)."""
    roles = account_selectors.roles_by_department(request.user, city=current_city())
    handled = [pk for pk, role in roles.items() if role >= Role.HANDLER]
    return list(Department.objects.filter(pk__in=handled).order_by("name"))


def _dataset(request: HttpRequest, name: str) -> tuple[Dataset, list[Department]]:
    departments = _departments(request)
    dataset = found_or_404(selectors.desk_dataset, name, [d.pk for d in departments])
    return dataset, departments


@official_required(role=Role.HANDLER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    departments = _departments(request)
    return render(
        request,
        "plaza/data/desk/index.html",
        {
            "datasets": selectors.desk_datasets(d.pk for d in departments),
            "departments": departments,
        },
    )


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    departments = _departments(request)
    if not departments:
        raise NotAllowed(_("Handlers of a department publish its datasets."), code="role_required")
    if request.method != "POST":
        form = DatasetForm(departments=departments)
    else:
        form = DatasetForm(request.POST, departments=departments)
        if form.submit(
            lambda: services.create_dataset(actor=request.actor, fields=form.service_fields()),
            reraise=(NotAllowed,),
        ):
            messages.success(
                request,
                _("The dataset “%(title)s” is created. Now add its files or links.")
                % {"title": form.result.title},
            )
            return redirect("plaza:dataset-edit", form.result.name)
    return render(request, "plaza/data/desk/new.html", {"form": form}, status=form.status_code)


def _edit_page(
    request: HttpRequest,
    dataset: Dataset,
    *,
    form: DatasetForm,
    resource_form: ResourceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "plaza/data/desk/edit.html",
        {
            "dataset": dataset,
            "form": form,
            "resource_form": resource_form or ResourceForm(auto_id="resource-%s"),
            "resources": list(dataset.resources.all()),
            "accepted": files.accepted_names(),
            "ckan_id": ckan.ckan_id("dataset", dataset.pk, current_city()),
        },
        status=status,
    )


@official_required(role=Role.HANDLER)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, name: str) -> HttpResponse:
    dataset, departments = _dataset(request, name)
    if request.method != "POST":
        form = DatasetForm(initial=DatasetForm.initial_of(dataset), departments=departments)
        return _edit_page(request, dataset, form=form)
    form = DatasetForm(request.POST, departments=departments)
    if form.submit(
        lambda: services.update_dataset(
            actor=request.actor, dataset=dataset, fields=form.service_fields()
        ),
        reraise=(NotAllowed,),
    ):
        messages.success(request, _("The dataset is saved."))
        return redirect("plaza:dataset-edit", form.result.name)
    return _edit_page(request, dataset, form=form, status=form.status_code)


@official_required(role=Role.HANDLER)
@require_POST
def add_resource(request: HttpRequest, name: str) -> HttpResponse:
    dataset, departments = _dataset(request, name)
    resource_form = ResourceForm(request.POST, request.FILES, auto_id="resource-%s")
    if resource_form.submit(
        lambda: services.add_resource(
            actor=request.actor, dataset=dataset, fields=resource_form.service_fields()
        ),
        reraise=(NotAllowed,),
    ):
        messages.success(request, _("“%(name)s” is added.") % {"name": resource_form.result.name})
        return redirect("plaza:dataset-edit", dataset.name)
    form = DatasetForm(initial=DatasetForm.initial_of(dataset), departments=departments)
    return _edit_page(
        request, dataset, form=form, resource_form=resource_form, status=resource_form.status_code
    )


@official_required(role=Role.HANDLER)
@require_POST
def remove_resource(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    dataset, _handled = _dataset(request, name)
    resource = next((r for r in dataset.resources.all() if r.pk == pk), None)
    if resource is None:
        raise Http404(_("This dataset has no such resource."))
    carry_out(
        request,
        lambda: services.remove_resource(actor=request.actor, resource=resource),
        _("“%(name)s” is removed.") % {"name": resource.name},
        reraise=(NotAllowed,),
    )
    return redirect("plaza:dataset-edit", dataset.name)
