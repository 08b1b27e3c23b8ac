"""`hamkke complaints apikey create APP-NAME` issues an Open311 key (printed once);
`hamkke complaints apikey list|revoke`; `hamkke complaints escalate` flags overdue reports."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hamkke.core.errors import DomainError


class Command(BaseCommand):
    help = "Smart Complaint Report: API keys for apps and SLA escalation."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        apikey = verbs.add_parser("apikey", help="API keys of apps that file through Open311")
        actions = apikey.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a key; it is printed once")
        create.add_argument("name", help="The app's name, e.g. 'Seoul Smart App'")
        actions.add_parser("list", help="List the apps and their key prefixes")
        revoke = actions.add_parser("revoke", help="Stop an app's key from working")
        revoke.add_argument("name")
        verbs.add_parser("escalate", help="Flag overdue reports and tell their managers")

    def handle(self, *args, verb: str, **options):
        from hamkke.complaints import selectors, services

        if verb == "escalate":
            count = services.escalate_overdue()
            self.stdout.write(f"Escalated {count} overdue report(s).")
            return
        action = options["action"]
        if action == "create":
            try:
                client, key = services.create_api_client(name=options["name"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"API key for {client.name} (shown once, keep it safe):")
            self.stdout.write(key)
        elif action == "list":
            for client in selectors.api_clients():
                state = "active" if client.active else "revoked"
                self.stdout.write(f"{client.name}\t{client.key_prefix}…\t{state}")
        elif action == "revoke":
            client = selectors.api_client_by_name(options["name"])
            if client is None:
                raise CommandError(f"No app named {options['name']!r}.")
            services.set_api_client_active(client=client, active=False)
            self.stdout.write(f"Revoked the key of {options['name']}.")
