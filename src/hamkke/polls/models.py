"""M-Voting: polls posed by the city or proposed by citizens, their questions and options, who
may vote, the register of who voted (one ballot per person or code, by a unique constraint), the
anonymous ballots kept apart from it (the ballot pattern, core/ballots.py), the group counts that
breakdowns read, and what the city decided from a poll."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hamkke.core import ballots as ballot_pattern
from hamkke.core.receipts import receipt_of


class Origin(models.TextChoices):
    CITY = "city", _("Posed by the city")
    CITIZEN = "citizen", _("Proposed by a citizen")


class State(models.TextChoices):
    """Where a poll stands in its approval; whether it is open follows from its dates."""

    PROPOSED = "proposed", _("Proposed, waiting for approval or supports")
    APPROVED = "approved", pgettext_lazy("poll proposal", "Approved")
    REJECTED = "rejected", _("Not approved")


class Status(models.TextChoices):
    """What people see (and the API's `status`): the state and the dates together."""

    PROPOSED = "proposed", _("Proposed")
    REJECTED = "rejected", _("Not approved")
    UPCOMING = "upcoming", _("Opens soon")
    OPEN = "open", pgettext_lazy("poll status", "Open")
    CLOSED = "closed", _("Closed")


class Eligibility(models.TextChoices):
    SIGNED_IN = "signed_in", _("Everyone signed in")
    VERIFIED = "verified", _("People verified by phone")
    DISTRICTS = "districts", _("Residents of some districts")
    AGE = "age", _("Residents of an age range")
    CODES = "codes", _("Holders of a one-time voting code")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class Poll(models.Model):
    """A poll. Open from `opens_at` to `closes_at` once approved; its results are shown while it
    runs when `results_live`, else only after it closes. The published ballot list's hash chain
    head and the city's decision are kept here once they exist."""

    city = models.ForeignKey("core.City", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80, allow_unicode=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "core.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The department that answers for the poll and decides from its result",
    )
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.CITY)
    state = models.CharField(max_length=10, choices=State.choices, default=State.APPROVED)
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    results_live = models.BooleanField(_("results shown while the poll is open"), default=False)
    # The page this poll came from in another service (an adopted citizens' idea).
    origin_url = models.CharField(max_length=300, blank=True)
    revote = models.BooleanField(
        _("voters may change their ballot while it is open"), default=False
    )

    eligibility = models.CharField(
        max_length=10, choices=Eligibility.choices, default=Eligibility.VERIFIED
    )
    districts = models.ManyToManyField("core.District", blank=True, related_name="+")
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)

    # The ballot box: closed (mixed as one batch) after the poll closes, then published.
    box_closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    ballots_folder = models.CharField(max_length=300, blank=True)
    chain_head = models.CharField(max_length=64, blank=True)

    # What the city decided from the result.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    decision = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="polls_poll_slug_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="polls_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_max__gte=models.F("age_min")),
                name="polls_age_range_ordered",
            ),
        ]
        indexes = [models.Index(fields=["city", "state", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("polls:poll", args=[self.slug])

    def status(self, now=None) -> Status:
        if self.state == State.PROPOSED:
            return Status.PROPOSED
        if self.state == State.REJECTED:
            return Status.REJECTED
        moment = now or timezone.now()
        if moment < self.opens_at:
            return Status.UPCOMING
        if moment < self.closes_at:
            return Status.OPEN
        return Status.CLOSED


class Kind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    RANKING = "ranking", _("Ranking")
    SCALE = "scale", _("Scale of 1 to 5")


class Question(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Several choices: at most this many (empty: any number)"
    )
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["poll", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "order"], name="polls_question_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """An answer a question offers; a scale question's five options are the values 1 to 5."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("option"), max_length=200)
    image = models.ForeignKey(
        "core.Media", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["question", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="polls_option_order_unique")
        ]

    def __str__(self) -> str:
        return self.text


class Support(models.Model):
    """A verified person's support of a citizen's proposed poll: one per person, by the
    constraint. Enough of them open the poll without an official (the profile's threshold)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="supports")
    identity_key = models.CharField(max_length=70)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "identity_key"], name="polls_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.created_at:%Y-%m-%d}"


class VotingCode(models.Model):
    """A one-time code of a poll open to code holders: only its keyed hash is kept (the code is
    shown once, when made). Whether it was used is the register's business, not this row's:
    nothing here changes when someone votes."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="codes")
    code_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "code_key"], name="polls_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.code_key[:8]}…"


class Participation(models.Model):
    """The register: this person (or this code) has voted in this poll. Who and when, never
    what. The unique constraint makes a second ballot impossible, even from many requests at
    the same instant. Where re-voting is allowed, `sealed` holds the current ballot's id sealed
    with the server's key (never readable from the database alone), so a new ballot can replace
    it; otherwise it is empty."""

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="participations", db_index=False
    )
    identity_key = models.CharField(max_length=70)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    sealed = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "identity_key"], name="polls_one_ballot_per_voter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.cast_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def box(poll_id: int) -> str:
        return f"polls.register:{poll_id}"


class PendingBallot(ballot_pattern.SealedBallot):
    """A ballot waiting in its poll's box, sealed, written in the voter's transaction with the
    register row; services.flush_ballots writes boxes out in shuffled batches."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")

    @staticmethod
    def box(poll_id: int) -> str:
        return f"polls.poll:{poll_id}"


class Ballot(models.Model):
    """An anonymous ballot: a random id (its receipt), its poll and, once the poll's list is
    published, its link in the hash chain. Written only in shuffled batches."""

    id = models.BigIntegerField(
        primary_key=True, default=ballot_pattern.new_ballot_id, editable=False
    )
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    chain = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["poll", "id"], name="polls_ballot_poll_id")]

    def __str__(self) -> str:
        return receipt_of(self.pk)


class Answer(models.Model):
    """An option a ballot chose, with its place in a ranking (0 first; 0 for other kinds). The
    key is the pair: no counting id numbers the answers in the order they were written."""

    pk = models.CompositePrimaryKey("ballot", "option")
    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.ballot_id} → {self.option_id}"


class Dimension(models.TextChoices):
    DISTRICT = "district", _("District")
    AGE = "age", _("Age band")


class GroupCount(models.Model):
    """How many ballots from one group (a district, an age band) a poll received, and for each
    option how many chose it (`option` empty: the group's voters). Added up batch by batch as
    the box is written out, never in a voter's own transaction; the ballots themselves carry no
    group. Pages show a group only when it has at least the profile's minimum of voters."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    group = models.CharField(max_length=32)
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    votes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "dimension", "group", "option"],
                condition=Q(option__isnull=False),
                name="polls_group_option_count_unique",
            ),
            models.UniqueConstraint(
                fields=["poll", "dimension", "group"],
                condition=Q(option__isnull=True),
                name="polls_group_voters_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id} · {self.dimension} {self.group} · {self.votes}"
