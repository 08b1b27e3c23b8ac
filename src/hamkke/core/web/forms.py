"""The one way every app's form sends its data to a service and shows a domain error inline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django import forms

from hamkke.core.errors import DomainError


class DomainErrorsInline:
    """Mix into any form: `form.add_domain_error(exc)` puts a service's refusal beside the field
    it names, or at the top of the form when it names none (or one the form lacks); and
    `form.submit(service)` is the whole round of a form sent to a service (see there)."""

    # A service names the field it refuses in its own words; a form whose field for it is
    # called otherwise maps the service's name to its own here.
    domain_error_fields: ClassVar[Mapping[str, str]] = {}
    # The page's status after `submit`: 200 for a form not sent, 400 for invalid input, or the
    # refusal's own (409 for a clash, 429 for too many attempts …).
    status_code: int = 200
    # After `submit`: what the service returned, or the DomainError that refused it.
    result: Any = None
    refusal: DomainError | None = None

    def domain_error_field(self, exc: DomainError) -> str | None:
        """The form's field a refusal belongs beside; None for the top of the form."""
        field = self.domain_error_fields.get(exc.field, exc.field)
        return field if field in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(self.domain_error_field(exc), exc.message)

    def submit(
        self,
        service: Callable[[], Any],
        *,
        reraise: tuple[type[DomainError], ...] = (),
    ) -> bool:
        """Validate the form and, when valid, call `service` (which reads `cleaned_data`). True
        when the service did it (its return value in `self.result`); False otherwise, with the
        reason on the form (a refusal beside its field, in `self.refusal` too) and the page's
        status in `self.status_code`. The refusals in `reraise` are not the form's to show: at
        the desk a missing role (NotAllowed) goes on to the 403 page."""
        self.status_code = 400
        if not self.is_valid():
            return False
        try:
            self.result = service()
        except reraise:
            raise
        except DomainError as exc:
            self.add_domain_error(exc)
            self.status_code, self.refusal = exc.status, exc
            return False
        return True


def coordinate_field(label) -> forms.FloatField:
    """A latitude or a longitude, typed or set by the map's script; optional, as a form may
    also take the place from an address."""
    return forms.FloatField(
        label=label,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class ServiceForm(DomainErrorsInline, forms.Form):
    """A plain form whose data goes to a service."""
