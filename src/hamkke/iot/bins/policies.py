"""Who may do what with the smart bins: everyone reads the bins' levels; the sensors' keeping
department's viewers read the trucks and the plans, its handlers change the trucks and make a
plan, with the second factor in a web session (the device registry's rules, iot.policies).
Each returns a core.policies.Decision."""

from __future__ import annotations

from hamkke.accounts.seats import Seat
from hamkke.core.policies import Decision
from hamkke.iot import policies as iot_policies


def may_view_desk(seat: Seat, actor=None) -> Decision:
    """The trucks, the plans, the crews' sheets."""
    return iot_policies.may_view_registry(seat, actor)


def may_plan(seat: Seat, actor=None) -> Decision:
    """Add, change or delete a truck; make the day's plan."""
    return iot_policies.may_manage(seat, actor)
