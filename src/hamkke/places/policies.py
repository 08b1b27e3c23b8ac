"""Who may do what with the places registries: everyone reads the public map; the keeping
department's handlers edit, import and record lending (with the second factor, checked by the
desk's decorators); its managers confirm an import with rejected rows. Each returns a
core.policies.Decision."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.accounts.models import Role
from hamkke.accounts.seats import Seat, holds
from hamkke.core.errors import NotFound
from hamkke.core.policies import ALLOW, Decision, deny
from hamkke.places.models import Place, Status

EDIT, IMPORT, VIEW = "edit", "import", "view"
LEAST_ROLE: dict[str, Role] = {VIEW: Role.VIEWER, EDIT: Role.HANDLER, IMPORT: Role.HANDLER}


def is_public(place: Place) -> bool:
    """Out-of-service places stay in the registry but leave the public map."""
    return place.status != Status.CLOSED


def place_found(place: Place | None) -> Decision:
    if place is None or not is_public(place):
        return deny(_("There is no such place."), code="not_found", error=NotFound)
    return ALLOW


def may_view_desk(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[VIEW])


def may_edit(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[EDIT])


def may_import(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[IMPORT])
