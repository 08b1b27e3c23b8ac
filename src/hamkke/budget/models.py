"""Participatory budgeting: cycles with dated phases, budget pools, project areas from the city
profile, projects from proposal to implementation, the register of who voted (one ballot per
person per pool), the anonymous ballots, and the survey and committee channels of the score.

Money is a whole number of the city's currency unit (won in Seoul): no fractions, no floats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hamkke.budget import rules
from hamkke.core import ballots as ballot_pattern
from hamkke.core.models import BilingualName


class Area(BilingualName):
    """A project area (theme) from the profile's `[[budget.areas]]`; on a per-area quota ballot
    each voter picks at most one project per area, as Seoul's ballots do."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=64)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="budget_area_code_unique")
        ]


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Not started")
    PROPOSALS = "proposals", _("Proposals")
    REVIEW = "review", _("Review")
    VOTING = "voting", _("Voting")
    SCORING = "scoring", _("Scoring")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")


# The phases in order, each starting at the cycle's date field of the same position.
PHASE_STARTS = (
    (Phase.PROPOSALS, "proposals_from"),
    (Phase.REVIEW, "review_from"),
    (Phase.VOTING, "voting_from"),
    (Phase.SCORING, "scoring_from"),
    (Phase.RESULTS, "results_from"),
    (Phase.IMPLEMENTATION, "implementation_from"),
)


class Cycle(models.Model):
    """One year's participatory budget. What people can do follows from the phase, which follows
    from the dates; the weights of the three channels of the score are set per cycle."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=64)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "core.Department",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Runs the cycle: its handlers enter paper ballots, its managers publish results",
    )
    proposals_from = models.DateTimeField()
    review_from = models.DateTimeField()
    voting_from = models.DateTimeField()
    scoring_from = models.DateTimeField()
    results_from = models.DateTimeField()
    implementation_from = models.DateTimeField()
    weight_vote = models.PositiveSmallIntegerField(default=45)
    weight_survey = models.PositiveSmallIntegerField(default=10)
    weight_committee = models.PositiveSmallIntegerField(default=45)
    rule = models.CharField(max_length=32, choices=[(r, r) for r in rules.RULES], default="greedy")
    min_score = models.PositiveSmallIntegerField(
        default=0, help_text="Points out of 100 a project needs under the greedy-threshold rule"
    )
    results_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-voting_from", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="budget_cycle_slug_unique"),
            models.CheckConstraint(
                condition=Q(weight_vote__lte=100)
                & Q(weight_survey__lte=100)
                & Q(weight_committee__lte=100),
                name="budget_weights_are_percentages",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.title_en:
            return self.title_en
        return self.title

    def phase_at(self, moment) -> Phase:
        # What each phase allows is policy (policies.py builds the cycle's schedule); imported
        # here, late, because policies reads these models.
        from hamkke.budget.policies import phase_at

        return phase_at(self, moment)

    @property
    def phase(self) -> Phase:
        return self.phase_at(timezone.now())

    def phase_dates(self) -> list[tuple[Phase, object]]:
        return [(phase, getattr(self, field)) for phase, field in PHASE_STARTS]


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: pick at most a number of projects")
    QUOTA = "quota", _("One project per area")
    KNAPSACK = "knapsack", _("Spend the budget")


class Pool(BilingualName):
    """Money to spend: citywide (no district) or one district's, with its own ballot."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="pools")
    code = models.SlugField(max_length=64)
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    budget = models.BigIntegerField(help_text="Whole currency units")
    ballot_kind = models.CharField(max_length=16, choices=BallotKind.choices)
    max_choices = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Approval ballots: the most projects one may pick"
    )
    min_spend_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Knapsack ballots: the least share of the budget a ballot spends"
    )
    # Filled when results are published (see services.publish_results).
    ballots_file = models.CharField(max_length=300, blank=True)
    ballots_sha256 = models.CharField(max_length=64, blank=True)
    chain_head = models.CharField(max_length=64, blank=True)
    # When voting had closed and every ballot of the pool was rewritten as one shuffled batch
    # (services.close_ballot_box); a property of the box, not of any ballot.
    box_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "district__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="budget_pool_code_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="budget_pool_money_positive"),
            models.CheckConstraint(
                condition=Q(min_spend_percent__lte=100), name="budget_pool_min_spend_percent"
            ),
        ]


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("On the ballot")
    REJECTED = "rejected", _("Not feasible")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Implementation(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PLANNING = "planning", _("Planning")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    """A proposal, then (after the department's review) a project on the ballot with its cost."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="projects")
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="projects")
    code = models.CharField(
        max_length=32, help_text="The public id on ballots and in the published files"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="projects")
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_proposals",
    )
    requested_cost = models.BigIntegerField(null=True, blank=True)
    # The page this proposal came from in another service (an adopted citizens' idea).
    origin_url = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    reviewing_department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost = models.BigIntegerField(null=True, blank=True, help_text="The department's estimate")
    review_reasons = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The tally, filled when results are published.
    votes = models.PositiveIntegerField(null=True, blank=True)
    final_score = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    selected = models.BooleanField(null=True, blank=True)
    implementation = models.CharField(
        max_length=16, choices=Implementation.choices, default=Implementation.NOT_STARTED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pool", "area__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="budget_project_code_unique"),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="budget_project_cost_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(cost__isnull=False),
                name="budget_accepted_project_has_cost",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "status"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"


class ProjectUpdate(models.Model):
    """A dated step of a selected project's implementation, shown on its public page."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    implementation = models.CharField(max_length=16, choices=Implementation.choices)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.implementation} · {self.created_at:%Y-%m-%d}"


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot at a booth")


class Participation(models.Model):
    """The register: this person has voted in this pool. It says who and when, never what; the
    ballot itself is stored apart with no link back (see Ballot). The unique constraint is what
    makes a second ballot impossible, even from two requests at the same instant."""

    # Indexed by the unique constraint, which starts with the pool.
    pool = models.ForeignKey(
        Pool, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    identity_key = models.CharField(
        max_length=64, help_text="The keyed hash of the resident, as in the residents register"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "identity_key"], name="one_ballot_per_person_per_pool"
            )
        ]
        indexes = [models.Index(fields=["pool", "district"])]

    def __str__(self) -> str:
        return f"{self.pool_id} · {self.channel} · {self.cast_at:%Y-%m-%d %H:%M}"


def new_ballot_id() -> int:
    """A random 62-bit id: ballots carry no sequence number or time that could be matched with
    the order of the register."""
    return ballot_pattern.new_ballot_id()


class PendingBallot(ballot_pattern.SealedBallot):
    """A ballot waiting in its pool's box (the ballot pattern, core/ballots.py): sealed, so its
    choices and its receipt are unreadable without the server's key, and written in the voter's
    own transaction with their register row, so a ballot once accepted survives any crash. Its
    key is random and not the ballot's id. services.flush_ballots writes the box out to Ballot
    in shuffled batches; services.close_ballot_box mixes the pool's ballots after voting."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="+")
    # In the clear only to count a pool's paper ballots; the register row says as much.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)

    def __str__(self) -> str:
        return f"{self.pool_id} · sealed"

    @staticmethod
    def box(pool_id: int) -> str:
        """The name a pool's ballots are sealed for: a sealed ballot opens in its own box only."""
        return f"budget.pool:{pool_id}"


class Ballot(models.Model):
    """An anonymous ballot. Its id, written as a receipt code (see ballots.receipt_of), is given
    to the voter so they can find their ballot in the published file. Rows are only ever written
    in shuffled batches, from the sealed queue (PendingBallot), never in a voter's transaction:
    no transaction id, physical place or key order matches the register's."""

    id = models.BigIntegerField(primary_key=True, default=new_ballot_id, editable=False)
    # Indexed with the id below: a pool's ballots in receipt order.
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    # A paper ballot that breaks the pool's rule is void as a whole: it is kept (the person did
    # vote) with its marks as written, but it has no choice rows, so no tally can count it.
    void_reasons = models.CharField(max_length=100, blank=True)
    void_marks = models.CharField(max_length=2000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pool", "id"])]

    def __str__(self) -> str:
        from hamkke.budget.ballots import receipt_of

        return receipt_of(self.pk)


class BallotChoice(models.Model):
    """A project a ballot chooses. The key is the pair itself: no counting id that would number
    the choices in the order they were written."""

    pk = models.CompositePrimaryKey("ballot", "project")
    # The primary key's index starts with the ballot, and the foreign key's own index serves
    # the tally's count by project: no more indexes, so that writing a batch stays cheap.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="choices", db_index=False
    )
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.ballot_id} → {self.project_id}"


class SurveyScore(models.Model):
    """A project's result in the citizens' survey, imported from a CSV."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="survey")
    score = models.DecimalField(max_digits=9, decimal_places=3)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0), name="budget_survey_score_positive")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.score}"


class CommitteeMember(models.Model):
    """A member of the cycle's participatory budget committee, who scores projects."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "user"], name="committee_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.user_id}"


class CommitteeScore(models.Model):
    """One member's score of one project, 0–100; given once."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="scores")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="committee_scores")
    score = models.PositiveSmallIntegerField()
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "project"], name="committee_scores_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="committee_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.project_id}: {self.score}"
