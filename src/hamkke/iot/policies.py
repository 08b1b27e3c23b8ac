"""Who may do what with the sensors: everyone reads the public status pages and NGSI-LD
entities; the keeping department's viewers read the device registry; its handlers provision,
rotate and revoke (with the second factor in a web session). Each returns a
core.policies.Decision."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.accounts.models import Role
from hamkke.accounts.seats import Seat, holds
from hamkke.core.errors import Conflict
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal, second_factor_confirmed
from hamkke.iot.models import Device

VIEW, MANAGE = "view", "manage"
LEAST_ROLE: dict[str, Role] = {VIEW: Role.VIEWER, MANAGE: Role.HANDLER}


def may_view_registry(seat: Seat, actor=None) -> Decision:
    return first_refusal(holds(seat, LEAST_ROLE[VIEW]), second_factor_confirmed(actor))


def may_manage(seat: Seat, actor=None) -> Decision:
    """Provision, rotate a secret, revoke: the handler's role and the second factor."""
    return first_refusal(holds(seat, LEAST_ROLE[MANAGE]), second_factor_confirmed(actor))


def device_active(device: Device) -> Decision:
    """A revoked device stays revoked: a new secret or a second revocation is refused."""
    if not device.is_active:
        return deny(
            _("This device is revoked: provision a new one instead."),
            code="revoked",
            error=Conflict,
        )
    return ALLOW


def may_rotate(seat: Seat, device: Device, actor=None) -> Decision:
    return first_refusal(device_active(device), may_manage(seat, actor))


def may_revoke(seat: Seat, device: Device, actor=None) -> Decision:
    return first_refusal(device_active(device), may_manage(seat, actor))


def is_public(device: Device) -> bool:
    return device.is_active
