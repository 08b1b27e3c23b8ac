"""The Oasis of 10 Million Imagination: citizens' ideas under the profile's themes, supports
(one per verified person, by a unique constraint), follows, the pipeline's log of transitions,
the department's written answer, experts and their rubric scores, review meetings and their
decisions, implementation updates of adopted ideas; and themed contests with public votes,
jury scores and award tiers. The states and moves are pipeline.py's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.ideas import pipeline


class State(models.TextChoices):
    OPEN = pipeline.OPEN, pgettext_lazy("idea state", "Open for support")
    FORWARDED = pipeline.FORWARDED, _("With the department")
    ANSWERED = pipeline.ANSWERED, _("Answered by the department")
    DISCUSSION = pipeline.DISCUSSION, _("In public discussion")
    REVIEW = pipeline.REVIEW, _("Under expert review")
    ADOPTED = pipeline.ADOPTED, pgettext_lazy("idea state", "Adopted")
    PARTLY_ADOPTED = pipeline.PARTLY_ADOPTED, _("Adopted in part")
    NOT_ADOPTED = pipeline.NOT_ADOPTED, _("Not adopted")
    CLOSED = pipeline.CLOSED, pgettext_lazy("idea state", "Closed")
    WITHDRAWN = pipeline.WITHDRAWN, _("Withdrawn")


class Event(models.TextChoices):
    SUBMIT = "submit", _("Posted")
    THRESHOLD = pipeline.THRESHOLD, _("Reached the supports needed")
    RESCUE = pipeline.RESCUE, _("Moved on by an expert")
    EXPIRE = pipeline.EXPIRE, _("Did not gather the supports in time")
    ANSWER = pipeline.ANSWER, _("Answered by the department")
    ESCALATE = pipeline.ESCALATE, _("Answer overdue: escalated to the managers")
    START_REVIEW = pipeline.START_REVIEW, _("Sent to expert review")
    ADOPT = pipeline.ADOPT, pgettext_lazy("idea event", "Adopted")
    ADOPT_IN_PART = pipeline.ADOPT_IN_PART, _("Adopted in part")
    REJECT = pipeline.REJECT, _("Not adopted")
    WITHDRAW = pipeline.WITHDRAW, _("Withdrawn by the author")


class Implementation(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DROPPED = "dropped", _("Dropped")


class Theme(models.Model):
    """A theme of the profile's `[[ideas.themes]]`, as a row (loaded with the city)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="ideas_theme_code_unique")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Contest(models.Model):
    """A themed contest: ideas are entered while submissions are open, the public votes, then
    the jury scores; the ranking combines the jury's mean score and the public vote by the
    contest's weights (percentages adding up to 100)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="contests"
    )
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    submissions_open = models.DateTimeField()
    voting_opens = models.DateTimeField()
    jury_opens = models.DateTimeField()
    ends = models.DateTimeField()
    jury_weight = models.PositiveSmallIntegerField(default=70)
    public_weight = models.PositiveSmallIntegerField(default=30)
    votes_per_person = models.PositiveSmallIntegerField(default=3)
    currency = models.CharField(max_length=3, default="KRW")
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submissions_open"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="ideas_contest_slug_unique"),
            models.CheckConstraint(
                condition=Q(jury_weight__lte=100) & Q(public_weight__lte=100),
                name="ideas_contest_weights_percent",
            ),
            models.CheckConstraint(
                condition=Q(submissions_open__lt=models.F("voting_opens"))
                & Q(voting_opens__lt=models.F("jury_opens"))
                & Q(jury_opens__lt=models.F("ends")),
                name="ideas_contest_phases_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AwardTier(models.Model):
    """A prize of a contest ("Grand prize", 10,000,000 won, one winner), in rank order."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    prize_amount = models.PositiveBigIntegerField(default=0)
    winners = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["contest", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="ideas_tier_order_unique"),
            models.CheckConstraint(condition=Q(winners__gte=1), name="ideas_tier_has_winners"),
        ]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    """A citizen's idea. Its state moves only through services.transition (pipeline.MOVES);
    `supports` counts its Support rows (kept by the service that writes them, in the same
    transaction) so lists sort by it with an index."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("idea"))
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="ideas")
    district = models.ForeignKey(
        "core.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_ideas"
    )
    contest = models.ForeignKey(
        Contest, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    state_since = models.DateTimeField(default=timezone.now)
    supports = models.PositiveIntegerField(default=0)
    # The department that answers it (the theme's, else the Oasis office), set when forwarded.
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The deadlines of the current stage (pipeline.deadline_after).
    supports_due = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    discussion_ends = models.DateTimeField(null=True, blank=True)
    review_due = models.DateTimeField(null=True, blank=True)
    # The department's written answer.
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The review meeting's decision.
    meeting = models.ForeignKey(
        "ReviewMeeting", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Implementation of an adopted idea.
    implementation = models.CharField(
        max_length=12, choices=Implementation.choices, blank=True, default=""
    )
    progress = models.PositiveSmallIntegerField(default=0)
    # What it became: a budget proposal, a poll (links both ways: they keep a link back).
    budget_project = models.ForeignKey(
        "budget.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poll = models.ForeignKey(
        "polls.Poll", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Hidden by a moderator: not served at all.
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The three sorts of the list, each as the index reads it.
            models.Index(fields=["-supports", "-id"], name="ideas_by_supports"),
            models.Index(fields=["-created_at", "-id"], name="ideas_newest"),
            models.Index(fields=["supports_due", "id"], name="ideas_closing"),
            models.Index(fields=["state", "-supports", "-id"], name="ideas_state_supports"),
            models.Index(fields=["theme", "-supports", "-id"], name="ideas_theme_supports"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="ideas_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.title


class IdeaShingle(models.Model):
    """One shingle of an idea's title and text (similarity.shingles): the index the similar-idea
    suggestion looks candidates up in."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    shingle = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shingle", "idea"], name="ideas_shingle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.shingle}"


class Support(models.Model):
    """A verified person's support: one per person and idea, by the constraint (`identity_key`
    is the verified identity's, so two accounts of one person count once)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="support_rows")
    identity_key = models.CharField(max_length=70)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "identity_key"], name="ideas_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.created_at:%Y-%m-%d}"


class Follow(models.Model):
    """A person told of an idea's changes (authors and supporters follow by default)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="ideas_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"


class Transition(models.Model):
    """One step of an idea's timeline: the move (or an escalation), who made it (None for the
    scheduled check) and why. Written by services.transition only."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="transitions")
    event = models.CharField(max_length=16, choices=Event.choices)
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Shown on the public timeline: the answer's summary, the rescue's or decision's reasons.
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["idea", "at"])]

    def __str__(self) -> str:
        return f"{self.idea_id}: {self.from_state} → {self.to_state}"


class Expert(models.Model):
    """A person the Oasis office appointed to review ideas (and who may rescue one)."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas_expert_seats"
    )
    field = models.CharField(_("field of expertise"), max_length=200, blank=True)
    active = models.BooleanField(default=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["city", "user"], name="ideas_expert_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.field})"


class Review(models.Model):
    """An expert assigned to an idea under review, and their rubric scores once given (each
    1 to 5; all four or none, by the constraint)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reviews")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="reviews")
    assigned_at = models.DateTimeField(default=timezone.now)
    feasibility = models.PositiveSmallIntegerField(null=True, blank=True)
    effect = models.PositiveSmallIntegerField(null=True, blank=True)
    cost = models.PositiveSmallIntegerField(null=True, blank=True)
    originality = models.PositiveSmallIntegerField(null=True, blank=True)
    opinion = models.TextField(blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "expert"], name="ideas_review_once"),
            models.CheckConstraint(
                condition=(
                    Q(
                        scored_at__isnull=True,
                        feasibility__isnull=True,
                        effect__isnull=True,
                        cost__isnull=True,
                        originality__isnull=True,
                    )
                    | Q(
                        scored_at__isnull=False,
                        feasibility__range=(1, 5),
                        effect__range=(1, 5),
                        cost__range=(1, 5),
                        originality__range=(1, 5),
                    )
                ),
                name="ideas_review_scored_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.expert_id}"


class ReviewMeeting(models.Model):
    """A review meeting of the Oasis office, where ideas under review are decided."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField()
    minutes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} · {self.title}"


class ImplementationUpdate(models.Model):
    """A dated step of an adopted idea's implementation, with its progress and a link to what
    it became (a page, a project, a document)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    status = models.CharField(max_length=12, choices=Implementation.choices)
    progress = models.PositiveSmallIntegerField()
    text = models.TextField()
    link = models.URLField(max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="ideas_update_percent")
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.on} · {self.progress}%"


class ContestVote(models.Model):
    """A verified person's public vote for a contest entry: once per entry by the constraint,
    and at most the contest's votes_per_person across its entries (the service counts, under a
    lock on the contest)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="votes")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="contest_votes")
    identity_key = models.CharField(max_length=70)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "identity_key", "idea"], name="ideas_contest_vote_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contest_id} · {self.idea_id}"


class Juror(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="ideas_juror_once")]

    def __str__(self) -> str:
        return f"{self.contest_id} · {self.user_id}"


class JuryScore(models.Model):
    """A juror's score of an entry, 0 to 100; a juror may change it while the jury sits."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="scores")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="jury_scores")
    score = models.PositiveSmallIntegerField()
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["juror", "idea"], name="ideas_jury_score_once"),
            models.CheckConstraint(condition=Q(score__lte=100), name="ideas_jury_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id} → {self.idea_id}: {self.score}"


class Award(models.Model):
    """A prize given when the contest's results are published: the entry's rank, combined
    score and tier. The certificate is drawn from this row."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="awards")
    tier = models.ForeignKey(AwardTier, on_delete=models.PROTECT, related_name="awards")
    rank = models.PositiveSmallIntegerField()
    jury_score = models.DecimalField(max_digits=6, decimal_places=2)
    public_score = models.DecimalField(max_digits=6, decimal_places=2)
    score = models.DecimalField(max_digits=6, decimal_places=2)
    # The certificate's number, printed on it and checked at /ideas/contests/certificates/<code>/.
    certificate = models.CharField(max_length=24, unique=True)

    class Meta:
        ordering = ["contest", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "idea"], name="ideas_award_once"),
            models.UniqueConstraint(fields=["contest", "rank"], name="ideas_award_rank_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contest_id} · {self.rank}"
