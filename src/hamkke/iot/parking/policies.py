"""Who may do what with shared parking: everyone sees the lots and the shared windows; a
verified resident claims a spot and, once it is confirmed theirs, shares it; a verified citizen
reserves and cancels their own reservations; the keeping department's handlers (with the second
factor) register holders, confirm claims and add lots. Each returns a core.policies.Decision."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.accounts import policies as account_policies
from hamkke.accounts.models import VerificationMethod
from hamkke.accounts.seats import Seat
from hamkke.core.errors import Conflict, NotAllowed, NotSignedIn
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.iot import policies as iot_policies
from hamkke.iot.parking.models import ReservationStatus

# One real person per account: a phone in their name or the residents register.
METHODS = (VerificationMethod.PHONE, VerificationMethod.CENSUS)


def signed_in(user) -> Decision:
    if user is None or not user.is_authenticated:
        return deny(_("Log in first."), code="not_signed_in", error=NotSignedIn)
    return ALLOW


def verified(user, identity) -> Decision:
    """Signed in, with a verified identity; the refusal says how to get one."""
    return first_refusal(
        signed_in(user),
        account_policies.verified(identity, methods=list(METHODS), signed_in=True),
    )


def may_share(user, identity, holder) -> Decision:
    """The spot's confirmed holder, verified."""
    if holder is None or user is None or holder.user_id != getattr(user, "pk", None):
        return deny(_("Only the spot's holder may share it."), code="not_holder", error=NotAllowed)
    if not holder.is_confirmed:
        return deny(
            _("The city has not confirmed this spot as yours yet."),
            code="holder_unconfirmed",
            error=Conflict,
        )
    return verified(user, identity)


def may_cancel(user, reservation) -> Decision:
    """The citizen's own reservation, before they arrived."""
    if user is None or reservation.citizen_id != getattr(user, "pk", None):
        return deny(_("This is not your reservation."), code="not_yours", error=NotAllowed)
    if reservation.status != ReservationStatus.RESERVED:
        return deny(
            _("This reservation is %(status)s: it can no longer be cancelled.")
            % {"status": reservation.get_status_display().lower()},
            code="not_cancellable",
            error=Conflict,
        )
    return ALLOW


def may_manage(seat: Seat, actor=None) -> Decision:
    """Register holders, confirm claims, add lots: the sensors' handlers (iot.policies)."""
    return iot_policies.may_manage(seat, actor)


def may_view_desk(seat: Seat, actor=None) -> Decision:
    return iot_policies.may_view_registry(seat, actor)
