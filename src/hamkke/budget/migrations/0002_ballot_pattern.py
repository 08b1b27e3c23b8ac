"""The ballot pattern (ARCHITECTURE.md): the sealed queue of ballots (PendingBallot), choices keyed
by the pair (ballot, project) instead of a counting id, and the moment a pool's box was closed.

Ballots stored before this migration were written in their voters' transactions, in casting
order: they are rewritten here, every ballot and choice in a random order in this migration's
one transaction, so that their transaction ids and places no longer match the register's. On
PostgreSQL, VACUUM the budget tables afterwards (`hamkke budget close-boxes` does it) so that the
old row versions are gone, not only invisible."""

import random

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

import hamkke.core.ballots

CHUNK = 5_000


def _in_random_order(rows):
    rows = list(rows)
    random.SystemRandom().shuffle(rows)
    return rows


def mix_stored_ballots(apps, schema_editor):
    """Rewrite every stored ballot and choice in a random order (choices into the new table)."""
    Ballot = apps.get_model("budget", "Ballot")
    OldChoice = apps.get_model("budget", "BallotChoice")
    NewChoice = apps.get_model("budget", "MixedBallotChoice")
    Pool = apps.get_model("budget", "Pool")
    Cycle = apps.get_model("budget", "Cycle")
    ballots = list(Ballot.objects.values_list("id", "pool_id", "channel", "void_reasons", "void_marks"))
    choices = list(OldChoice.objects.values_list("ballot_id", "project_id"))
    OldChoice.objects.all().delete()
    Ballot.objects.all()._raw_delete(schema_editor.connection.alias)
    rows = _in_random_order(ballots)
    for start in range(0, len(rows), CHUNK):
        Ballot.objects.bulk_create(
            Ballot(id=i, pool_id=p, channel=c, void_reasons=v, void_marks=m)
            for i, p, c, v, m in rows[start : start + CHUNK]
        )
    rows = _in_random_order(choices)
    for start in range(0, len(rows), CHUNK):
        NewChoice.objects.bulk_create(
            NewChoice(ballot_id=b, project_id=p) for b, p in rows[start : start + CHUNK]
        )
    # Pools whose voting is over have just been mixed as one batch: their boxes are closed.
    now = timezone.now()
    ended = Cycle.objects.filter(scoring_from__lte=now).values_list("pk", flat=True)
    Pool.objects.filter(cycle__in=list(ended)).update(box_closed_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pool",
            name="box_closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="PendingBallot",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        default=hamkke.core.ballots.new_ballot_id,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("sealed", models.BinaryField()),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "Online"), ("paper", "Paper ballot at a booth")],
                        default="online",
                        max_length=8,
                    ),
                ),
                (
                    "pool",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="budget.pool",
                    ),
                ),
            ],
            options={"abstract": False},
        ),
        # A table cannot change its primary key to a pair in place: a new table takes the
        # choices, the old one goes, and the new one takes its name.
        migrations.CreateModel(
            name="MixedBallotChoice",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "ballot",
                        "project",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "ballot",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="budget.ballot",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="budget.project",
                    ),
                ),
            ],
        ),
        migrations.RunPython(mix_stored_ballots, migrations.RunPython.noop),
        migrations.DeleteModel(name="BallotChoice"),
        migrations.RenameModel(old_name="MixedBallotChoice", new_name="BallotChoice"),
        migrations.AlterField(
            model_name="ballotchoice",
            name="ballot",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="choices",
                to="budget.ballot",
            ),
        ),
    ]
