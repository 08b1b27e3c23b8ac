"""Who may do what with a poll, and when: vote (by the poll's eligibility rule, once, while it
is open), propose and support polls, see results, and the officials' actions (create, approve,
close, hand out codes, record the decision). Every function returns a core.policies.Decision;
services enforce them, pages and the API offer what they allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from hamkke.accounts import policies as account_policies
from hamkke.accounts.models import Role, VerificationMethod
from hamkke.accounts.seats import Seat, holds
from hamkke.core.errors import Conflict, InvalidInput, NotFound, NotSignedIn
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.polls.models import Eligibility, Poll, State, Status

# How each eligibility rule knows a person. A phone in the person's name is what M-Voting
# checks; residence and age only the residents register proves. One method per rule, so one
# person has one key per poll (two accounts verified by different methods cannot both vote).
VERIFICATION: dict[str, tuple[VerificationMethod, ...]] = {
    Eligibility.VERIFIED: (VerificationMethod.PHONE,),
    Eligibility.DISTRICTS: (VerificationMethod.CENSUS,),
    Eligibility.AGE: (VerificationMethod.CENSUS,),
}

# A poll's box is mixed this long after it closes: longer than a ballot that passed the check
# before the close takes to commit (as the budget's BOX_CLOSES_AFTER).
BOX_CLOSES_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Voter:
    """What the eligibility rules read about the person (or code) trying to vote, gathered once
    by selectors.voter_of: `key` is what the register's unique constraint holds (None when the
    person cannot be known under the poll's rule)."""

    user: Any  # None: nobody signed in
    key: str | None
    district_id: int | None = None
    district_code: str = ""
    age: int | None = None
    code_given: bool = False
    code_valid: bool = False
    voted: bool = False


def _when(moment: datetime) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT")


def is_visible(poll: Poll) -> bool:
    """Whether the public may see the poll at all: a proposal waiting or approved, never a
    rejected one (its proposer and the officials still see it)."""
    return poll.state != State.REJECTED


def poll_open(poll: Poll, *, now: datetime | None = None) -> Decision:
    status = poll.status(now)
    if status == Status.OPEN:
        return ALLOW
    if status == Status.UPCOMING:
        return deny(
            _("This poll opens on %(when)s.") % {"when": _when(poll.opens_at)},
            code="not_open_yet",
            error=Conflict,
        )
    if status == Status.CLOSED:
        return deny(
            _("This poll closed on %(when)s.") % {"when": _when(poll.closes_at)},
            code="poll_closed",
            error=Conflict,
        )
    return deny(_("This poll is not open for voting."), code="not_open", error=Conflict)


def already_voted(poll: Poll) -> Decision:
    return deny(
        _("You have already voted in this poll; a ballot once cast is final."),
        code="already_voted",
        error=Conflict,
    )


def _age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_of(birth: date | None, *, now: datetime | None = None) -> int | None:
    """Full years on the local day of `now`."""
    if birth is None:
        return None
    return _age_on(birth, localtime(now or timezone.now()).date())


def eligible(poll: Poll, voter: Voter) -> Decision:
    """Whether the poll's rule admits this voter, whatever its dates and an earlier ballot (the
    API's `me.eligible`; may_vote adds the dates and the one ballot)."""
    rule = poll.eligibility
    if rule == Eligibility.CODES:
        if not voter.code_given:
            return deny(
                _("This poll is for holders of a voting code: enter the code you were given."),
                code="code_required",
                error=InvalidInput,
            )
        if not voter.code_valid:
            return deny(
                _(
                    "That is not a voting code of this poll. Check it against the paper you were "
                    "given."
                ),
                code="wrong_code",
                error=InvalidInput,
            )
        return ALLOW
    if voter.user is None:
        return deny(_("Log in to vote in this poll."), code="not_signed_in", error=NotSignedIn)
    if voter.user.banned_at is not None:
        return deny(_("Your account may not take part."), code="banned")
    if rule == Eligibility.SIGNED_IN:
        return ALLOW
    if voter.key is None:
        return account_policies.verified(None, methods=list(VERIFICATION[rule]), signed_in=True)
    if rule == Eligibility.DISTRICTS:
        allowed = {d.code: d for d in poll.districts.all()}
        if voter.district_code not in allowed:
            names = ", ".join(d.display_name for d in allowed.values())
            return deny(
                _("This poll is for residents of %(districts)s.") % {"districts": names},
                code="not_in_district",
            )
    if rule == Eligibility.AGE and (voter.age is None or not _age_in_range(poll, voter.age)):
        return deny(_age_rule_text(poll), code="not_in_age_range")
    return ALLOW


def _age_in_range(poll: Poll, age: int) -> bool:
    return (poll.age_min is None or age >= poll.age_min) and (
        poll.age_max is None or age <= poll.age_max
    )


def _age_rule_text(poll: Poll) -> str:
    if poll.age_min is not None and poll.age_max is not None:
        return _("This poll is for residents aged %(low)d to %(high)d.") % {
            "low": poll.age_min,
            "high": poll.age_max,
        }
    if poll.age_min is not None:
        return _("This poll is for residents aged %(low)d or over.") % {"low": poll.age_min}
    return _("This poll is for residents aged %(high)d or under.") % {"high": poll.age_max}


def eligibility_text(poll: Poll) -> str:
    """Who may vote, in one sentence for the poll's page."""
    rule = poll.eligibility
    if rule == Eligibility.SIGNED_IN:
        return _("Everyone with an account may vote, once.")
    if rule == Eligibility.VERIFIED:
        return _("Everyone verified by a mobile phone in their name may vote, once.")
    if rule == Eligibility.DISTRICTS:
        names = ", ".join(d.display_name for d in poll.districts.all())
        return _(
            "Residents of %(districts)s, verified against the residents register, may vote."
        ) % {"districts": names}
    if rule == Eligibility.AGE:
        return _age_rule_text(poll) + " " + _("Verified against the residents register.")
    return _("Holders of a one-time voting code may vote, without an account.")


def may_vote(poll: Poll, voter: Voter, *, now: datetime | None = None) -> Decision:
    """A ballot in `poll` by `voter`: while it is open, by its eligibility rule, once (unless
    the poll lets voters change their ballot). What cannot change comes first."""
    return first_refusal(
        poll_open(poll, now=now),
        eligible(poll, voter),
        already_voted(poll) if voter.voted and not poll.revote else ALLOW,
    )


def results_visible(poll: Poll, *, now: datetime | None = None) -> Decision:
    """Results while the poll runs only when it says so; always once it has closed."""
    status = poll.status(now)
    if status == Status.CLOSED or (status == Status.OPEN and poll.results_live):
        return ALLOW
    if status == Status.OPEN:
        return deny(
            _("The results of this poll are shown after it closes on %(when)s.")
            % {"when": _when(poll.closes_at)},
            code="results_after_close",
            error=Conflict,
        )
    return deny(_("This poll has no results yet."), code="no_results", error=Conflict)


def ballots_published(poll: Poll) -> Decision:
    if poll.published_at is not None:
        return ALLOW
    return deny(
        _("The ballot list is published when the poll has closed and its box is sealed."),
        code="not_published",
        error=Conflict,
    )


# --- citizens' proposals -------------------------------------------------------------------------


def may_propose(user: Any, identity: Any) -> Decision:
    """Proposing a poll takes a person verified by phone, as supporting one does."""
    if user is None:
        return deny(_("Log in to propose a poll."), code="not_signed_in", error=NotSignedIn)
    if user.banned_at is not None:
        return deny(_("Your account may not take part."), code="banned")
    return account_policies.verified(
        identity, methods=list(VERIFICATION[Eligibility.VERIFIED]), signed_in=True
    )


def may_support(poll: Poll, user: Any, identity: Any, *, supported: bool) -> Decision:
    return first_refusal(
        ALLOW
        if poll.state == State.PROPOSED
        else deny(_("Only proposed polls collect supports."), code="not_proposed", error=Conflict),
        may_propose(user, identity),
        deny(_("You already support this poll."), code="already_supported", error=Conflict)
        if supported
        else ALLOW,
        deny(_("You cannot support your own proposal."), code="own_proposal")
        if user is not None and poll.proposer_id == getattr(user, "pk", None)
        else ALLOW,
    )


# --- officials ---------------------------------------------------------------------------------

# The least role each desk action needs in the poll's department.
CREATE, APPROVE, CLOSE, CODES, DECIDE, VIEW = (
    "create",
    "approve",
    "close",
    "codes",
    "decide",
    "view",
)
LEAST_ROLE: dict[str, Role] = {
    CREATE: Role.HANDLER,
    CODES: Role.HANDLER,
    VIEW: Role.VIEWER,
    APPROVE: Role.MANAGER,
    CLOSE: Role.MANAGER,
    DECIDE: Role.MANAGER,
}


def may_create(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[CREATE])


def may_view_desk(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[VIEW])


def may_review_proposal(poll: Poll, seat: Seat) -> Decision:
    """Approve or reject a citizen's proposal, as a manager of the department taking it on."""
    return first_refusal(
        holds(seat, LEAST_ROLE[APPROVE]),
        ALLOW
        if poll.state == State.PROPOSED
        else deny(_("This poll is not waiting for approval."), code="not_proposed", error=Conflict),
    )


def may_change(poll: Poll, seat: Seat, *, now: datetime | None = None) -> Decision:
    """Questions, options and settings change only before anyone can have voted."""
    status = poll.status(now)
    return first_refusal(
        holds(seat, LEAST_ROLE[CREATE]),
        ALLOW
        if status in (Status.PROPOSED, Status.UPCOMING)
        else deny(
            _("A poll cannot change once it has opened: people may have voted on it."),
            code="poll_started",
            error=Conflict,
        ),
    )


def may_make_codes(poll: Poll, seat: Seat, *, now: datetime | None = None) -> Decision:
    return first_refusal(holds(seat, LEAST_ROLE[CODES]), codes_possible(poll, now=now))


def codes_possible(poll: Poll, *, now: datetime | None = None) -> Decision:
    """Codes are made for a code poll that has not closed."""
    return first_refusal(
        ALLOW
        if poll.eligibility == Eligibility.CODES
        else deny(_("This poll does not take voting codes."), code="no_codes", error=Conflict),
        ALLOW
        if poll.status(now) != Status.CLOSED
        else deny(_("This poll has closed."), code="poll_closed", error=Conflict),
    )


def closable(poll: Poll, *, now: datetime | None = None) -> Decision:
    """A running poll may be closed now (its closing time moves to now), and one that has
    closed sealed and published, once."""
    return first_refusal(
        ALLOW
        if poll.state == State.APPROVED and poll.status(now) in (Status.OPEN, Status.CLOSED)
        else deny(_("Only an open or closed poll can be closed."), code="not_open", error=Conflict),
        ALLOW
        if poll.published_at is None
        else deny(
            _("This poll is closed and published already."), code="published", error=Conflict
        ),
    )


def may_close(poll: Poll, seat: Seat, *, now: datetime | None = None) -> Decision:
    """An official closing a poll: a manager of its department."""
    return first_refusal(holds(seat, LEAST_ROLE[CLOSE]), closable(poll, now=now))


def may_decide(poll: Poll, seat: Seat, *, now: datetime | None = None) -> Decision:
    """What the city decided from a poll is recorded once its result is final."""
    return first_refusal(
        holds(seat, LEAST_ROLE[DECIDE]),
        ALLOW
        if poll.published_at is not None
        else deny(
            _("Record the decision once the poll is closed and its result published."),
            code="not_published",
            error=Conflict,
        ),
    )


def poll_found(poll: Poll | None) -> Decision:
    if poll is not None and is_visible(poll):
        return ALLOW
    return deny(_("There is no such poll."), code="not_found", error=NotFound)


def takes_comments(poll: Poll) -> bool:
    """People may discuss a poll they can see, before and after it runs."""
    return is_visible(poll)
