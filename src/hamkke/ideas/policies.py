"""Who may do what with an idea, and when: post, support (one verified person, once, not their
own unless the profile allows it), comment, follow, withdraw; the department's answer (by its
deadline; managers once escalated), experts' rescues and rubric scores (only on ideas assigned
to them), the Oasis office's review, decision, implementation and promotion; and contests'
entries, votes, jury scores and awards by phase. Every function returns a
core.policies.Decision; services enforce, pages and the API offer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from hamkke.accounts import policies as account_policies
from hamkke.accounts.models import Role, VerificationMethod
from hamkke.accounts.seats import Seat, holds
from hamkke.core import phases
from hamkke.core.actors import Actor
from hamkke.core.errors import Conflict, NotFound, NotSignedIn
from hamkke.core.policies import ALLOW, Decision, deny, first_refusal
from hamkke.ideas import pipeline
from hamkke.ideas.models import Contest, Expert, Idea, Review

# Supports and contest votes are one per person: a phone in the person's name proves it, as
# for M-Voting's supports.
SUPPORT_METHODS = (VerificationMethod.PHONE,)

# The least role each office or department action needs.
ANSWER, ESCALATED_ANSWER, REVIEW, DECIDE, TRACK, PROMOTE, CONTESTS, VIEW = (
    "answer",
    "escalated_answer",
    "review",
    "decide",
    "track",
    "promote",
    "contests",
    "view",
)
LEAST_ROLE: dict[str, Role] = {
    VIEW: Role.VIEWER,
    ANSWER: Role.HANDLER,
    TRACK: Role.HANDLER,
    ESCALATED_ANSWER: Role.MANAGER,
    REVIEW: Role.MANAGER,
    DECIDE: Role.MANAGER,
    PROMOTE: Role.MANAGER,
    CONTESTS: Role.MANAGER,
}

# Ideas no longer take comments once nothing more will happen to them for want of support or
# by a refusal (adopted ideas do: people discuss how they are carried out).
NO_COMMENTS = frozenset({pipeline.CLOSED, pipeline.WITHDRAWN, pipeline.NOT_ADOPTED})


def _when(moment: datetime) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT")


def is_visible(idea: Idea) -> bool:
    """Hidden by a moderator: not shown, not served, its thread answered as missing."""
    return idea.hidden_at is None


def idea_found(idea: Idea | None) -> Decision:
    if idea is None or not is_visible(idea):
        return deny(_("There is no such idea."), code="not_found", error=NotFound)
    return ALLOW


def takes_comments(idea: Idea) -> bool:
    return is_visible(idea) and idea.state not in NO_COMMENTS


def may_take_part(user: Any) -> Decision:
    if user is None or not user.is_authenticated:
        return deny(_("Log in to take part."), code="not_signed_in", error=NotSignedIn)
    if getattr(user, "banned_at", None) is not None:
        return deny(_("Your account may not take part."), code="banned")
    return ALLOW


def may_post(user: Any) -> Decision:
    """Any signed-in person may post an idea; supporting one takes a verified identity."""
    return may_take_part(user)


def is_author(idea: Idea, user: Any, coauthor_ids: frozenset[int] = frozenset()) -> bool:
    pk = getattr(user, "pk", None)
    return pk is not None and (idea.author_id == pk or pk in coauthor_ids)


def may_support(
    idea: Idea,
    user: Any,
    identity: Any,
    *,
    supported: bool,
    own_support: bool,
    coauthor_ids: frozenset[int] = frozenset(),
) -> Decision:
    return first_refusal(
        ALLOW
        if idea.state in pipeline.COLLECTING
        else deny(
            _("This idea no longer collects supports."), code="not_collecting", error=Conflict
        ),
        may_take_part(user),
        account_policies.verified(identity, methods=list(SUPPORT_METHODS), signed_in=True),
        deny(_("You already support this idea."), code="already_supported", error=Conflict)
        if supported
        else ALLOW,
        deny(_("You cannot support your own idea."), code="own_idea")
        if not own_support and is_author(idea, user, coauthor_ids)
        else ALLOW,
    )


def may_follow(user: Any) -> Decision:
    return may_take_part(user)


def may_withdraw(idea: Idea, user: Any) -> Decision:
    if getattr(user, "pk", None) is None or idea.author_id != user.pk:
        return deny(_("Only the idea's author can withdraw it."), code="not_author")
    return _move(idea, pipeline.WITHDRAW)


def _move(idea: Idea, event: str) -> Decision:
    """Whether the pipeline lets `event` move the idea from where it stands (no skipping, no
    going back)."""
    if pipeline.next_state(idea.state, event) is not None:
        return ALLOW
    return deny(
        _("An idea that is “%(state)s” cannot be moved that way.")
        % {"state": idea.get_state_display()},
        code="wrong_state",
        error=Conflict,
    )


# --- the department's answer ----------------------------------------------------------------


def may_answer(idea: Idea, seat: Seat, *, now: datetime | None = None) -> Decision:
    """A handler of the idea's department answers by the deadline; once the answer is overdue
    and escalated, a manager, by the new deadline. An answer after the deadline is refused."""
    moment = now or timezone.now()
    need = LEAST_ROLE[ESCALATED_ANSWER if idea.escalated_at else ANSWER]
    return first_refusal(
        _move(idea, pipeline.ANSWER),
        ALLOW
        if idea.department_id == seat.department.pk
        else deny(_("This idea is answered by another department."), code="other_department"),
        holds(seat, need),
        ALLOW
        if idea.answer_due is None or moment <= idea.answer_due
        else deny(
            _(
                "The answer was due by %(due)s. It is escalated to the department's managers, "
                "who get a new deadline."
            )
            % {"due": _when(idea.answer_due)},
            code="answer_overdue",
            error=Conflict,
        ),
    )


# --- experts ------------------------------------------------------------------------------------


def _second_factor(actor: Actor) -> Decision:
    if actor.second_factor is False:
        return deny(
            _(
                "Reviewers must be logged in with their authenticator code: log out and log in "
                "again with your password and code."
            ),
            code="second_factor_required",
        )
    return ALLOW


def acting_expert(actor: Actor, expert: Expert | None) -> Decision:
    """An appointed, active expert, with the second factor in a web session."""
    if expert is None or not expert.active:
        return deny(_("Only the Oasis's appointed experts may do this."), code="not_expert")
    return _second_factor(actor)


def may_rescue(idea: Idea, actor: Actor, expert: Expert | None) -> Decision:
    """An expert may move an idea on below the threshold: from open or closed to its department
    (a closed idea only if its department never answered it), from answered to discussion."""
    refusal = first_refusal(acting_expert(actor, expert), _move(idea, pipeline.RESCUE))
    if refusal and idea.state == pipeline.CLOSED and idea.answered_at is not None:
        return deny(
            _("This idea was already answered by its department; it cannot be rescued."),
            code="already_answered",
            error=Conflict,
        )
    return refusal


def may_score(review: Review | None, actor: Actor, idea: Idea) -> Decision:
    """Only the expert assigned to the idea scores it, while it is under review."""
    if review is None or review.expert.user_id != getattr(actor.user, "pk", None):
        return deny(
            _("This idea is not assigned to you for review."), code="not_assigned", error=NotFound
        )
    return first_refusal(
        acting_expert(actor, review.expert),
        ALLOW
        if idea.state == pipeline.REVIEW
        else deny(_("This idea is not under review."), code="not_in_review", error=Conflict),
    )


# --- the Oasis office -----------------------------------------------------------------------


def may_view_desk(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[VIEW])


def holds_office(seat: Seat, action: str) -> Decision:
    """The role `action` needs at the Oasis office (appointing experts, meetings)."""
    return holds(seat, LEAST_ROLE[action])


def may_start_review(idea: Idea, seat: Seat, *, now: datetime | None = None) -> Decision:
    """After the public discussion has run its time, the office's managers send the idea to
    the experts they assign."""
    moment = now or timezone.now()
    return first_refusal(
        holds(seat, LEAST_ROLE[REVIEW]),
        _move(idea, pipeline.START_REVIEW),
        ALLOW
        if idea.discussion_ends is None or moment >= idea.discussion_ends
        else deny(
            _("The public discussion runs until %(end)s.") % {"end": _when(idea.discussion_ends)},
            code="discussion_running",
            error=Conflict,
        ),
    )


def may_assign_reviewer(idea: Idea, seat: Seat) -> Decision:
    return first_refusal(
        holds(seat, LEAST_ROLE[REVIEW]),
        ALLOW
        if idea.state == pipeline.REVIEW
        else deny(_("This idea is not under review."), code="not_in_review", error=Conflict),
    )


def may_decide(idea: Idea, seat: Seat, *, waiting: int, scored: int) -> Decision:
    """At a review meeting, once every assigned expert has scored."""
    return first_refusal(
        holds(seat, LEAST_ROLE[DECIDE]),
        _move(idea, pipeline.ADOPT),
        ALLOW
        if scored and not waiting
        else deny(
            _("Waiting for %(count)s reviewers' scores.") % {"count": waiting or 1},
            code="scores_missing",
            error=Conflict,
        ),
    )


def may_track(idea: Idea, seat: Seat) -> Decision:
    """Implementation updates of an adopted idea, by its department or the office."""
    return first_refusal(
        holds(seat, LEAST_ROLE[TRACK]),
        ALLOW
        if idea.state in pipeline.TAKEN_UP
        else deny(
            _("Only adopted ideas have an implementation to track."),
            code="not_adopted",
            error=Conflict,
        ),
    )


def may_promote(idea: Idea, seat: Seat, *, into: str) -> Decision:
    """An adopted idea becomes a budget proposal or a poll, once each."""
    already = idea.budget_project_id if into == "budget" else idea.poll_id
    return first_refusal(
        holds(seat, LEAST_ROLE[PROMOTE]),
        ALLOW
        if idea.state in pipeline.TAKEN_UP
        else deny(
            _("Only adopted ideas can be carried into another service."),
            code="not_adopted",
            error=Conflict,
        ),
        deny(
            _("This idea has already been carried there."), code="already_promoted", error=Conflict
        )
        if already
        else ALLOW,
    )


# --- contests -------------------------------------------------------------------------------

SUBMIT, VOTE, SCORE = "submit", "vote", "score"
SUBMISSIONS = phases.PhaseSpec("submissions", allows={SUBMIT})
VOTING = phases.PhaseSpec("voting", allows={VOTE})
JURY = phases.PhaseSpec("jury", allows={SCORE})


def schedule_of(contest: Contest) -> phases.Schedule:
    return phases.Schedule.of(
        [
            (SUBMISSIONS, contest.submissions_open),
            (VOTING, contest.voting_opens),
            (JURY, contest.jury_opens),
        ],
        ends=contest.ends,
    )


def contest_phase(contest: Contest, *, now: datetime | None = None) -> str:
    """ "upcoming", "submissions", "voting", "jury" or "ended"."""
    return schedule_of(contest).current(now or timezone.now()).code


def _in_phase(contest: Contest, action: str, now: datetime | None) -> Decision:
    schedule = schedule_of(contest)
    moment = now or timezone.now()
    if schedule.allows(action, moment):
        return ALLOW
    messages = {
        SUBMIT: _("This contest takes entries only while submissions are open."),
        VOTE: _("The public vote of this contest is not open."),
        SCORE: _("The jury scores entries only in the jury phase."),
    }
    return deny(messages[action], code="wrong_phase", error=Conflict)


def may_enter(contest: Contest, user: Any, *, now: datetime | None = None) -> Decision:
    return first_refusal(may_take_part(user), _in_phase(contest, SUBMIT, now))


def may_vote_for(
    contest: Contest,
    idea: Idea,
    user: Any,
    identity: Any,
    *,
    used: int,
    voted_for_it: bool,
    now: datetime | None = None,
) -> Decision:
    return first_refusal(
        ALLOW
        if idea.contest_id == contest.pk and is_visible(idea) and idea.state != pipeline.WITHDRAWN
        else deny(_("This idea is not an entry of the contest."), code="not_entry", error=NotFound),
        _in_phase(contest, VOTE, now),
        may_take_part(user),
        account_policies.verified(identity, methods=list(SUPPORT_METHODS), signed_in=True),
        deny(_("You already voted for this entry."), code="already_voted", error=Conflict)
        if voted_for_it
        else ALLOW,
        deny(
            _("You have used your %(count)s votes in this contest.")
            % {"count": contest.votes_per_person},
            code="no_votes_left",
            error=Conflict,
        )
        if used >= contest.votes_per_person
        else ALLOW,
        deny(_("You cannot vote for your own entry."), code="own_idea")
        if idea.author_id == getattr(user, "pk", None)
        else ALLOW,
    )


def may_jury_score(
    contest: Contest, idea: Idea, actor: Actor, *, juror: bool, now: datetime | None = None
) -> Decision:
    return first_refusal(
        ALLOW if juror else deny(_("Only the contest's jurors score entries."), code="not_juror"),
        _second_factor(actor),
        ALLOW
        if idea.contest_id == contest.pk
        else deny(_("This idea is not an entry of the contest."), code="not_entry", error=NotFound),
        _in_phase(contest, SCORE, now),
    )


def may_manage_contests(seat: Seat) -> Decision:
    return holds(seat, LEAST_ROLE[CONTESTS])


def may_award(contest: Contest, seat: Seat, *, now: datetime | None = None) -> Decision:
    moment = now or timezone.now()
    return first_refusal(
        holds(seat, LEAST_ROLE[CONTESTS]),
        ALLOW
        if moment >= contest.ends
        else deny(
            _("Awards are given once the jury has finished, on %(end)s.")
            % {"end": _when(contest.ends)},
            code="jury_sitting",
            error=Conflict,
        ),
        deny(_("This contest's awards are already given."), code="already_awarded", error=Conflict)
        if contest.awarded_at
        else ALLOW,
    )


# --- contests' pages, desk and API (helper contests) ------------------------------------------


def may_judge(
    contest: Contest, actor: Actor, *, juror: bool, now: datetime | None = None
) -> Decision:
    """Whether the person may score the contest's entries now (may_jury_score without the
    entry): what the jury page asks before it offers its form."""
    return first_refusal(
        ALLOW if juror else deny(_("Only the contest's jurors score entries."), code="not_juror"),
        _second_factor(actor),
        _in_phase(contest, SCORE, now),
    )


# Phases whose vote counts are shown: from the public vote on (a count during submissions would
# favour the earliest entries).
VOTES_SHOWN = frozenset({VOTING.code, JURY.code, "ended"})


def votes_visible(contest: Contest, *, now: datetime | None = None) -> bool:
    return contest_phase(contest, now=now) in VOTES_SHOWN
