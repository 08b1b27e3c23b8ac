"""Forms of disclosure requests: filing one, the public list's filters, and the desk's answer,
extension, publication and queue. They parse; the policies say what to offer and the services
decide (a refusal is shown beside the field it names)."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hamkke.core.models import Department
from hamkke.core.web.forms import ServiceForm
from hamkke.plaza.disclosure import services
from hamkke.plaza.models import Disclosure, DisclosureRequest, RequestKind, RequestStatus
from hamkke.plaza.profile import LegalGround


def _department_choices(departments: list[Department], blank) -> list[tuple[str, str]]:
    return [("", blank)] + [(d.code, d.display_name) for d in departments]


class RequestForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=RequestKind.choices,
        initial=RequestKind.DISCLOSURE,
        widget=forms.RadioSelect,
    )
    department = forms.ChoiceField(
        label=_("Department"),
        required=False,
        help_text=_(
            "The department that holds the information. A question goes to the department of "
            "its document."
        ),
    )
    document = forms.CharField(
        label=_("Document registration number"),
        required=False,
        max_length=services.MAX_NUMBER,
        help_text=_("Required for a question about a document; optional for a disclosure request."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=services.MAX_SUBJECT,
        help_text=_("Public: shown on the list of requests (personal data is masked)."),
    )
    description = forms.CharField(
        label=_("Your request"),
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Seen only by you and the department's officials."),
    )

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(
            departments, _("Choose a department")
        )


class FilterForm(forms.Form):
    """The public list's filters, read from the query string."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *RequestStatus.choices]
        self.fields["department"].choices = _department_choices(departments, _("All departments"))

    def chosen(self) -> dict[str, str]:
        """The valid filters (an invalid one is left out and shown beside its field)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("status", "department")}


# --- the desk ------------------------------------------------------------------------------------


def _ground_choices(grounds: list[LegalGround]) -> list[tuple[str, str]]:
    english = (get_language() or "").startswith("en")
    return [("", _("No ground (disclosed wholly)"))] + [
        (g.code, g.name_en if english and g.name_en else g.name) for g in grounds
    ]


class AnswerForm(ServiceForm):
    status = forms.ChoiceField(label=_("Answer"), widget=forms.RadioSelect)
    answer = forms.CharField(
        label=_("The answer"),
        max_length=services.MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Public: the requester and everyone read it (personal data is masked)."),
    )
    legal_ground = forms.ChoiceField(
        label=_("Legal ground for what is withheld"),
        required=False,
        help_text=_("Needed when the information is disclosed only in part or not at all."),
    )

    def __init__(self, *args, request: DisclosureRequest, grounds: list[LegalGround], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (status, RequestStatus(status).label)
            for status in services.ANSWERS[RequestKind(request.kind)]
        ]
        self.fields["legal_ground"].choices = _ground_choices(grounds)


class ExtendForm(ServiceForm):
    reason = forms.CharField(
        label=_("Why the answer needs more time"),
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public: shown in the request's history."),
    )


class PublishForm(ServiceForm):
    document = forms.CharField(
        label=_("Registration number of the document to publish"),
        max_length=services.MAX_NUMBER,
    )
    disclosure = forms.ChoiceField(
        label=_("If the document is closed, open it"),
        required=False,
        choices=[
            ("", _("It is not closed")),
            (Disclosure.OPEN, _("Wholly")),
            (Disclosure.PARTIAL, _("In part (withheld passages stay withheld)")),
        ],
    )
    legal_ground = forms.ChoiceField(label=_("Legal ground, when opened in part"), required=False)
    answer = forms.CharField(
        label=_("The answer (optional)"),
        required=False,
        max_length=services.MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Public. Without one, the answer names the published document."),
    )

    def __init__(self, *args, grounds: list[LegalGround], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_ground"].choices = _ground_choices(grounds)


class QueueForm(forms.Form):
    """The desk's queue: which department, and waiting or done requests."""

    department = forms.ChoiceField(label=_("Department"), required=False)
    done = forms.BooleanField(label=_("Show answered and withdrawn requests"), required=False)

    def __init__(self, *args, departments: list[Department], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _department_choices(
            departments, _("All my departments")
        )

    def chosen(self, departments: list[Department]) -> tuple[list[int], bool]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        code = data.get("department") or ""
        ids = [d.pk for d in departments if not code or d.code == code]
        return ids, bool(data.get("done"))
