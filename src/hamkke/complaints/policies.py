"""Who may do what to a report, and when: the officials' desk actions by their role in the
report's department, and the citizens' own (file, follow, rate, reopen). Each answer is a
Decision: services enforce it; the pages, the desk, the APIs and the templates' flags ask the
same functions, so what is offered is what is allowed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hamkke.accounts.models import Role
from hamkke.accounts.seats import Seat, holds, seat_at  # noqa: F401 - the desk asks here
from hamkke.complaints import workflow
from hamkke.complaints.models import Complaint, Status
from hamkke.core.actors import Actor
from hamkke.core.errors import Conflict, InvalidInput, NotFound
from hamkke.core.models import Media
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal

if TYPE_CHECKING:
    from hamkke.complaints.selectors import DeskPlace


# --- officials ---------------------------------------------------------------------------------


def may_read(seat: Seat) -> Decision:
    """Open the report at the desk, private fields included: any role in its department."""
    return holds(seat, Role.VIEWER)


def may_handle(seat: Seat) -> Decision:
    """Work on the department's reports (change their status): handlers and above."""
    return holds(seat, Role.HANDLER)


def may_change_status(seat: Seat, complaint: Complaint, status: str) -> Decision:
    """Move the report to `status`: a handler of its department, and a move the workflow
    allows from where the report is now."""
    return first_refusal(may_handle(seat), _move_allowed(complaint, status))


def _move_allowed(complaint: Complaint, status: str) -> Decision:
    if workflow.can_move(complaint.status, status):
        return ALLOW
    return deny(
        _("A report that is %(current)s cannot become %(target)s.")
        % {"current": Status(complaint.status).label, "target": Status(status).label},
        error=Conflict,
    )


def moves_offered(seat: Seat, complaint: Complaint) -> frozenset[workflow.Move]:
    """The statuses this person may set now: none for a viewer or a closed report."""
    if not may_handle(seat):
        return frozenset()
    return workflow.allowed_moves(complaint.status)


def may_answer(seat: Seat, complaint: Complaint) -> Decision:
    """Take the report's next step with an answer to the public (the status form): a handler,
    while the workflow leaves a move to make."""
    handler = may_handle(seat)
    if handler and not workflow.allowed_moves(complaint.status):
        return deny(_("The report is closed: no further moves."), error=Conflict)
    return handler


def may_transfer(seat: Seat, complaint: Complaint) -> Decision:
    """Send the report to another department."""
    return may_change_status(seat, complaint, Status.TRANSFERRED)


def may_mark_duplicate(seat: Seat, complaint: Complaint) -> Decision:
    """Close the report as a duplicate of another."""
    return may_change_status(seat, complaint, Status.DUPLICATE)


def may_assign(seat: Seat) -> Decision:
    """Give the report to one of the department's handlers: managers."""
    return holds(seat, Role.MANAGER)


def may_moderate(seat: Seat) -> Decision:
    """Hide the report, edit its description and read what officials did to it: managers."""
    return holds(seat, Role.MANAGER)


def may_hide_media(seat: Seat, complaint: Complaint, media: Media | None = None) -> Decision:
    """Hide one of the report's photos (a face, a number plate) or show it again: managers, and
    only the report's own photos."""
    manager = may_moderate(seat)
    if manager and media is not None and not _belongs_to(media, complaint):
        return deny(_("That photo is not part of this report."), error=NotFound)
    return manager


def _belongs_to(media: Media, complaint: Complaint) -> bool:
    return media.target_id == str(complaint.pk) and media.target_type.model_class() is Complaint


def may_ban_reporter(seat: Seat, complaint: Complaint) -> Decision:
    """Ban the account that filed the report: managers, when there is an account not banned."""
    manager = may_moderate(seat)
    if not manager:
        return manager
    if complaint.reporter_id is None:
        return deny(
            _("This report was filed without an account: there is none to ban."),
            error=InvalidInput,
        )
    if complaint.reporter.banned_at is not None:
        return deny(_("This account is already banned."), code="already_banned", error=Conflict)
    return ALLOW


def may_unban_reporter(seat: Seat, complaint: Complaint) -> Decision:
    """Lift the ban on the account that filed the report: managers, when it is banned."""
    manager = may_moderate(seat)
    if not manager:
        return manager
    if complaint.reporter_id is None:
        return deny(_("This report was filed without an account."), error=InvalidInput)
    if complaint.reporter.banned_at is None:
        return deny(_("This account is not banned."), code="not_banned", error=Conflict)
    return ALLOW


@dataclass(frozen=True)
class DeskOffers:
    """What the desk offers one person on one report, each a Decision (truthy when allowed):
    the flags the report page and its template show forms by."""

    handle: Decision
    answer: Decision
    moves: frozenset[workflow.Move]
    transfer: Decision
    mark_duplicate: Decision
    assign: Decision
    moderate: Decision
    hide_media: Decision
    ban: Decision
    unban: Decision


def desk_offers(seat: Seat, complaint: Complaint) -> DeskOffers:
    return DeskOffers(
        handle=may_handle(seat),
        answer=may_answer(seat, complaint),
        moves=moves_offered(seat, complaint),
        transfer=may_transfer(seat, complaint),
        mark_duplicate=may_mark_duplicate(seat, complaint),
        assign=may_assign(seat),
        moderate=may_moderate(seat),
        hide_media=may_hide_media(seat, complaint),
        ban=may_ban_reporter(seat, complaint),
        unban=may_unban_reporter(seat, complaint),
    )


# --- the queue ---------------------------------------------------------------------------------


def may_use_desk(places: Sequence[DeskPlace]) -> Decision:
    """Open the reports desk of this city: a place in one of its departments."""
    if places:
        return ALLOW
    return deny(_("You work in no department of this city."), code="role_required")


def may_see_queue(places: Sequence[DeskPlace], department_code: str) -> Decision:
    """Read one department's queue: a place in it."""
    if any(place.department.code == department_code for place in places):
        return ALLOW
    return deny(
        _("You do not work in the department %(code)s.") % {"code": department_code},
        code="role_required",
    )


def may_act_in_bulk(places: Sequence[DeskPlace]) -> Decision:
    """Tick reports in the queue for a bulk action: a handler (or above) in one of the
    departments shown; each report is then decided on its own by the service."""
    if any(place.role >= Role.HANDLER for place in places):
        return ALLOW
    return deny(
        _("This needs the role “%(role)s” in a department; you do not hold it.")
        % {"role": Role.HANDLER.label},
        code="role_required",
    )


# --- citizens ----------------------------------------------------------------------------------


def is_reporter(actor: Actor | Any | None, complaint: Complaint) -> bool:
    user = Actor.of(actor).user
    return user is not None and complaint.reporter_id == user.pk


def may_file(reporter: Any | None) -> Decision:
    """File a report: anyone, with or without an account, but a banned account."""
    if reporter is not None and reporter.banned_at:
        return deny(_("This account may not file reports."))
    return ALLOW


def may_follow(actor: Actor | Any | None, complaint: Complaint) -> Decision:
    """Follow a report ("me too"): an open, public report, not one's own. Anonymous visitors
    are offered to log in first; the service needs a person."""
    if not complaint.is_open or complaint.hidden:
        return deny(_("Only open reports can be followed."), error=InvalidInput)
    if is_reporter(actor, complaint):
        return deny(_("This is your own report; you already get its news."), error=Conflict)
    return ALLOW


def may_rate(actor: Actor | Any | None, complaint: Complaint) -> Decision:
    """Rate the city's answer: its reporter, once there is an answer."""
    if not is_reporter(actor, complaint):
        return deny(_("Only the person who reported it can rate the answer."))
    if complaint.status not in workflow.RATEABLE:
        return deny(_("The report has no answer to rate yet."), error=Conflict)
    return ALLOW


def may_reopen(
    actor: Actor | Any | None, complaint: Complaint, *, now: datetime, reopen_days: int
) -> Decision:
    """Reopen, or ask for a further answer: its reporter, within `reopen_days` of the answer
    (the city profile's window)."""
    if not is_reporter(actor, complaint):
        return deny(_("Only the person who reported it can reopen it."))
    if not workflow.reporter_may_reopen(complaint.status, complaint.resolved_at, now, reopen_days):
        return deny(
            _("This report can be reopened only within %(days)d days of its answer.")
            % {"days": reopen_days},
            error=Conflict,
        )
    return ALLOW


@dataclass(frozen=True)
class ReportOffers:
    """What a report's public page offers the person reading it."""

    is_reporter: bool
    follow: Decision
    rate: Decision
    reopen: Decision


def report_offers(
    actor: Actor | Any | None, complaint: Complaint, *, now: datetime, reopen_days: int
) -> ReportOffers:
    return ReportOffers(
        is_reporter=is_reporter(actor, complaint),
        follow=may_follow(actor, complaint),
        rate=may_rate(actor, complaint),
        reopen=may_reopen(actor, complaint, now=now, reopen_days=reopen_days),
    )
