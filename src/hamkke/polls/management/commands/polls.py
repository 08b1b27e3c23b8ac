"""`hamkke polls …`: M-Voting on the command line, acting as the desk does.

- `codes SLUG --count N [--as EMAIL]` makes N one-time voting codes of a poll open to code
  holders and prints them, one a line and nothing else, to be printed on paper (they are shown
  this once: only their keyed hashes are kept).
- `close SLUG [--as EMAIL]` closes the poll (now, if it still runs) and publishes its ballot
  list, results and Plaza document, as the desk's button does; prints the chain head and the
  number of ballots.
With `--as`, as that official, who must hold the role the desk asks for in the poll's
department; without, as the site's operator, whose shell access already holds every key (the
audit log records the command line).
- `list` prints the city's polls: slug, status, turnout, title; tab-separated."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

ACTING = "The email address of the official acting (their role in the poll's department counts)"


class Command(BaseCommand):
    help = "M-Voting: voting codes, closing and publishing a poll, the list of polls."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        codes = verbs.add_parser(
            "codes",
            help="Make one-time voting codes and print them, one a line",
            description=(
                "Make COUNT one-time voting codes of a poll open to code holders and print "
                "them, one a line and nothing else. They are shown this once."
            ),
        )
        codes.add_argument("slug", help="The poll's slug")
        codes.add_argument("--count", type=int, required=True, help="How many codes")
        codes.add_argument(
            "--as",
            dest="acting",
            default="",
            metavar="EMAIL",
            help=ACTING + "; without it, the site's operator acts (the audit log says so)",
        )

        close = verbs.add_parser(
            "close",
            help="Close a poll and publish its ballots and results",
            description=(
                "Close the poll (at once, if it still runs), mix its ballot box, and publish "
                "the anonymous ballot list with its hash chain, the results and the Plaza "
                "document. Prints the chain head and the number of ballots."
            ),
        )
        close.add_argument("slug", help="The poll's slug")
        close.add_argument(
            "--as",
            dest="acting",
            default="",
            metavar="EMAIL",
            help=ACTING + "; without it, the site's operator acts (the audit log says so)",
        )
        verbs.add_parser("list", help="The city's polls: slug, status, turnout, title")

    def handle(self, *args, verb: str, **options) -> None:
        from hamkke.core.errors import DomainError

        try:
            getattr(self, f"handle_{verb}")(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def handle_codes(self, *, slug: str, count: int, acting: str, **_options) -> None:
        from hamkke.polls import services

        poll = self._poll(slug)
        actor = self._official(acting) if acting else None
        codes = services.make_codes(actor=actor, poll=poll, count=count)
        # Nothing but the codes on stdout: the output goes straight to the printer.
        self.stdout.write("\n".join(codes))

    def handle_close(self, *, slug: str, acting: str, **_options) -> None:
        from hamkke.polls import selectors, services

        poll = self._poll(slug)
        actor = self._official(acting) if acting else None
        closed = services.close_poll(actor=actor, poll=poll, operator=actor is None)
        ballots = selectors.results_of(closed).ballots
        self.stdout.write(f"Closed and published {closed.slug}: {ballots:,} ballots.")
        self.stdout.write(f"Chain head: {closed.chain_head}")
        self.stdout.write(f"Files: {closed.ballots_folder}/")

    def handle_list(self, **_options) -> None:
        from hamkke.polls import selectors

        for poll in selectors.polls_with_status():
            turnout = selectors.turnout(poll)
            self.stdout.write(f"{poll.slug}\t{poll.status().value}\t{turnout}\t{poll.title}")

    def _poll(self, slug: str):
        from hamkke.polls import selectors

        poll = selectors.poll_by_slug(slug, for_staff=True)
        if poll is None:
            raise CommandError(f"No poll {slug!r} in this city.")
        return poll

    def _official(self, email: str):
        from hamkke.accounts import selectors as account_selectors

        user = account_selectors.user_by_email(email, active_only=True)
        if user is None:
            raise CommandError(f"No active account with the email address {email!r}.")
        return user
