"""Who may do what with the alarms: the keeping department's viewers read them (desk and API),
its handlers acknowledge an active one; both with the second factor in a web session. The
public sees no alarm, only the complaint an illegal-parking alarm filed, as any complaint."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hamkke.accounts.seats import Seat
from hamkke.core.errors import Conflict
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.iot import policies as iot_policies
from hamkke.iot.alarms.models import Alarm, AlarmState


def may_view_alarms(seat: Seat, actor=None) -> Decision:
    return iot_policies.may_view_registry(seat, actor)


def is_active(alarm: Alarm) -> Decision:
    if alarm.state != AlarmState.ACTIVE:
        return deny(
            _("This alarm is %(state)s already; only an active alarm is acknowledged.")
            % {"state": AlarmState(alarm.state).label.lower()},
            code="not_active",
            error=Conflict,
        )
    return ALLOW


def may_acknowledge(seat: Seat, alarm: Alarm, actor=None) -> Decision:
    """The handler's role and the second factor, then an alarm still active."""
    return first_refusal(iot_policies.may_manage(seat, actor), is_active(alarm))
