"""`hamkke ideas …`: the Oasis on the command line.

- `check` runs the periodic check now (thresholds reached, support periods run out, answers
  overdue) and prints how many ideas each event moved, one `event<TAB>count` a line.
- `list [--state S]` prints the city's ideas (hidden ones too): id, state, supports, title;
  tab-separated.
- `expert EMAIL [--field F]` appoints (or re-appoints) the account with that address as an
  expert, as the site's operator, whose shell access already holds every key (the audit log
  records the appointment with no person acting)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hamkke.ideas import pipeline
from hamkke.ideas.models import State

# The events the periodic check fires, in the order an idea meets them.
CHECKED_EVENTS = (pipeline.THRESHOLD, pipeline.EXPIRE, pipeline.ESCALATE)


class Command(BaseCommand):
    help = "The Oasis: run the periodic check, list ideas, appoint an expert."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        verbs.add_parser(
            "check",
            help="Move on every idea that is due, and print how many each event moved",
            description=(
                "Run the periodic check now: ideas that reached their supports move on, those "
                "whose period ran out close, overdue answers are escalated. Prints one "
                "EVENT<TAB>COUNT a line."
            ),
        )
        listing = verbs.add_parser("list", help="The city's ideas: id, state, supports, title")
        listing.add_argument("--state", choices=State.values, default="", help="Only this state")
        expert = verbs.add_parser(
            "expert",
            help="Appoint an expert, as the site's operator",
            description=(
                "Appoint the account with this email address as an expert of the Oasis (or "
                "make a retired expert active again), as the site's operator."
            ),
        )
        expert.add_argument("email", help="The email address of the expert's account")
        expert.add_argument("--field", default="", help="The field of expertise")

    def handle(self, *args, verb: str, **options) -> None:
        from hamkke.core.errors import DomainError

        try:
            getattr(self, f"handle_{verb}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def handle_check(self, **_options) -> None:
        from hamkke.ideas import services

        fired = services.check_due_ideas()
        for event in CHECKED_EVENTS:
            self.stdout.write(f"{event}\t{fired.get(event, 0)}")

    def handle_list(self, *, state: str, **_options) -> None:
        from hamkke.ideas import selectors

        for idea in selectors.ideas_for_operator(state):
            self.stdout.write(f"{idea.pk}\t{idea.state}\t{idea.supports}\t{idea.title}")

    def handle_expert(self, *, email: str, field: str, **_options) -> None:
        from hamkke.accounts import selectors as account_selectors
        from hamkke.ideas import services

        user = account_selectors.user_by_email(email, active_only=True)
        if user is None:
            raise CommandError(f"No active account with the email address {email!r}.")
        expert = services.appoint_expert_as_operator(user=user, field=field)
        self.stdout.write(
            f"{expert.user.email} is an expert of the Oasis"
            + (f" ({expert.field})." if expert.field else ".")
        )
