"""Forms of the officials' desk: the queue's filters, the status change, assignment, bulk
actions, moderation and the statistics' filters. They parse; the policies say what to offer
and the services decide."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hamkke.accounts.models import User
from hamkke.complaints import selectors, workflow
from hamkke.complaints.models import Complaint, ResponseTemplate, Status
from hamkke.complaints.policies import DeskOffers
from hamkke.complaints.selectors import QUEUE_ANY_STATUS, QUEUE_OPEN, Assignee, DeskPlace, Filters
from hamkke.complaints.services import BULK_LIMIT, MAX_DESCRIPTION, MAX_PHOTOS, BulkAction
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import NotFound
from hamkke.core.models import City, Department
from hamkke.core.web.forms import ServiceForm

ALL_DEPARTMENTS = "all"
SORTS = [
    ("sla", _("Expected date (SLA), soonest first")),
    ("age", _("Age, oldest first")),
    ("newest", _("Newest first")),
    ("updated", _("Recently updated")),
]


def _category_choices(city: City) -> list[tuple[str, str]]:
    categories = selectors.categories_of(city)
    return [("", _("All categories"))] + [(c.code, c.display_name) for c in categories]


def _district_choices(city: City) -> list[tuple[str, str]]:
    districts = city_selectors.districts_of(city)
    return [("", _("All districts"))] + [(d.code, d.display_name) for d in districts]


class PeriodMixin:
    """Two optional dates, "from" and "to", both days included."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period comes before its start."))
        return cleaned


class QueueFilterForm(PeriodMixin, forms.Form):
    """The queue's filters, read from the query string (a GET form, so links keep them)."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    start = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[
            (Assignee.ANYONE.value, _("Anyone or nobody")),
            (Assignee.ME.value, _("Me")),
            (Assignee.NOBODY.value, _("Nobody yet")),
        ],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORTS)

    def __init__(self, data, *, city: City, places: list[DeskPlace], **kwargs):
        super().__init__(data, **kwargs)
        self.places = places
        departments = [(p.department.code, p.department.display_name) for p in places]
        self.fields["department"].choices = [
            (ALL_DEPARTMENTS, _("All my departments")),
            *departments,
        ]
        self.fields["status"].choices = [
            (QUEUE_OPEN, _("Open (any open status)")),
            (QUEUE_ANY_STATUS, _("Any status")),
            *Status.choices,
        ]
        self.fields["category"].choices = _category_choices(city)
        self.fields["district"].choices = _district_choices(city)

    def chosen_places(self) -> list[DeskPlace]:
        code = self.cleaned_data.get("department") or ALL_DEPARTMENTS
        if code == ALL_DEPARTMENTS:
            return self.places
        return [p for p in self.places if p.department.code == code]

    def filters(self) -> Filters:
        data = self.cleaned_data
        return selectors.queue_filters(
            status=data.get("status") or QUEUE_OPEN,
            category=data.get("category") or "",
            district=data.get("district") or "",
            start=data.get("start"),
            end=data.get("end"),
        )

    def chosen_sort(self) -> str:
        return self.cleaned_data.get("sort") or "sla"


class StatisticsFilterForm(PeriodMixin, forms.Form):
    start = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    district = forms.ChoiceField(label=_("District"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, data, *, city: City, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["district"].choices = _district_choices(city)
        self.fields["category"].choices = _category_choices(city)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return selectors.period_filters(
            category=data.get("category") or "",
            district=data.get("district") or "",
            start=data.get("start"),
            end=data.get("end"),
        )


# --- one report --------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by the photo service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class StatusForm(ServiceForm):
    """A move of the workflow: only what the policies offer this official now (`offers`) is
    in the form: the moves, and the fields a transfer and a duplicate need."""

    status = forms.ChoiceField(label=_("New status"))
    public_note = forms.CharField(
        label=_("Public answer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Everyone sees this, with the department's name (never yours). Needed to resolve, "
            "reject or reopen."
        ),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only officials see this."),
    )
    duplicate_of = forms.CharField(
        label=_("Duplicate of (tracking number)"),
        required=False,
        max_length=20,
        help_text=_("Only when the new status is “duplicate”."),
    )
    department = forms.ModelChoiceField(
        label=_("Transfer to"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
        help_text=_("Only when the new status is “transferred”."),
    )
    result_photos = MultiplePhotoField(
        label=_("Photos of the result (optional)"),
        required=False,
        help_text=_("Up to 5 photos; shown to everyone with the answer."),
    )

    def __init__(self, *args, complaint: Complaint, offers: DeskOffers, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value in offers.moves
        ]
        if not offers.mark_duplicate:
            del self.fields["duplicate_of"]
        if offers.transfer:
            self.fields["department"].queryset = selectors.transfer_departments(complaint)
        else:
            del self.fields["department"]

    def clean_duplicate_of(self) -> Complaint | None:
        number = self.cleaned_data.get("duplicate_of", "")
        if not number or self.data.get(self.add_prefix("status")) != Status.DUPLICATE:
            return None
        try:
            return selectors.complaint_by_number(number)
        except NotFound as exc:
            raise ValidationError(exc.message) from exc

    def clean_result_photos(self) -> list:
        photos = self.cleaned_data.get("result_photos") or []
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(_("At most %(max)d photos.") % {"max": MAX_PHOTOS})
        return photos

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "public_note": data["public_note"],
            "internal_note": data["internal_note"],
            "duplicate_of": data.get("duplicate_of"),
            "department": data.get("department"),
            "result_photos": data.get("result_photos") or [],
        }


def template_initial(
    templates: list[ResponseTemplate], template_id: str | None, moves: Collection[workflow.Move]
) -> dict:
    """The status form's starting values when an official picked a response template (the
    no-JavaScript way: ?template=<id>). Templates of other categories are ignored, and so is a
    template's status that is not among the `moves` offered."""
    chosen = next((t for t in templates if str(t.pk) == (template_id or "")), None)
    if chosen is None:
        return {}
    initial = {"public_note": chosen.body}
    if chosen.status and workflow.Move(chosen.status) in moves:
        initial["status"] = chosen.status
    return initial


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.public_name} ({user.email})"


class AssignForm(ServiceForm):
    handler = HandlerChoiceField(
        label=_("Handler"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Nobody (unassigned)"),
    )

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = selectors.handler_accounts([department.pk])


class BulkForm(ServiceForm):
    """Bulk actions from the queue: the ticked reports, the action and what it needs."""

    tracking_numbers = forms.MultipleChoiceField(label=_("Reports"), choices=[])
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BulkAction.ACCEPT.value, _("Accept")),
            (BulkAction.ASSIGN.value, _("Assign to a handler")),
            (BulkAction.TRANSFER.value, _("Transfer to a department")),
            (BulkAction.CLOSE.value, _("Close")),
        ],
    )
    handler = HandlerChoiceField(
        label=_("Handler (to assign)"),
        required=False,
        queryset=User.objects.none(),
        empty_label=_("Choose a handler"),
    )
    department = forms.ModelChoiceField(
        label=_("Department (to transfer to)"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
    )
    public_note = forms.CharField(
        label=_("Public note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, city: City, department_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = selectors.handler_accounts(department_ids)
        self.fields["department"].queryset = selectors.city_departments(city)
        # Any number the official ticks is a choice; the service looks each one up and
        # reports the ones it cannot act on.
        numbers = self.data.getlist("tracking_numbers") if self.is_bound else []
        self.fields["tracking_numbers"].choices = [(n, n) for n in numbers[:BULK_LIMIT]]

    def clean_tracking_numbers(self) -> list[str]:
        numbers = self.cleaned_data["tracking_numbers"]
        if len(self.data.getlist("tracking_numbers")) > BULK_LIMIT:
            raise ValidationError(_("At most %(max)d reports at a time.") % {"max": BULK_LIMIT})
        return numbers


# --- moderation --------------------------------------------------------------------------------


class ModerationAction:
    EDIT = "edit"
    HIDE = "hide"
    UNHIDE = "unhide"
    HIDE_PHOTO = "hide_photo"
    SHOW_PHOTO = "show_photo"
    BAN = "ban"
    UNBAN = "unban"


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("Reason (kept in the moderation log)"),
        max_length=300,
        widget=forms.TextInput(),
    )


class EditDescriptionForm(ReasonForm):
    description = forms.CharField(
        label=_("Description, as the public will see it"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    field_order = ["description", "reason"]


class PhotoForm(ReasonForm):
    media = forms.IntegerField(widget=forms.HiddenInput)


class BanForm(ReasonForm):
    reason = forms.CharField(
        label=_("Reason for the ban (kept on the account and in the log)"),
        max_length=300,
        widget=forms.TextInput(),
    )


class UnbanForm(ServiceForm):
    """Nothing to fill in: the button is the decision."""


MODERATION_FORMS: dict[str, type[forms.Form]] = {
    ModerationAction.EDIT: EditDescriptionForm,
    ModerationAction.HIDE: ReasonForm,
    ModerationAction.UNHIDE: ReasonForm,
    ModerationAction.HIDE_PHOTO: PhotoForm,
    ModerationAction.SHOW_PHOTO: PhotoForm,
    ModerationAction.BAN: BanForm,
    ModerationAction.UNBAN: UnbanForm,
}
