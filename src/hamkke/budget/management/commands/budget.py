"""`hamkke budget outcome FILE.pb --rule RULE` prints the projects a rule selects in a Pabulib file,
as a JSON list of ids sorted as strings. Needs no database, so anyone can check a real election."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from hamkke.budget import pabulib, rules


class Command(BaseCommand):
    help = "Participatory budgeting: compute election outcomes from Pabulib files."
    # Verbs such as `outcome` read files only: no system checks, no database.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        outcome = verbs.add_parser(
            "outcome",
            help="Print the ids of the projects a rule selects, as a JSON list",
            description=(
                "Read a Pabulib .pb file and print the ids of the projects the rule selects, "
                "sorted as strings, as a JSON list. Rules: " + ", ".join(rules.RULES) + "."
            ),
        )
        outcome.add_argument("file", type=Path, help="A Pabulib .pb file")
        outcome.add_argument(
            "--rule",
            choices=rules.RULES,
            default="greedy",
            help="The selection rule (default: greedy)",
        )

    def handle(self, *args, verb: str, **options) -> None:
        getattr(self, f"handle_{verb.replace('-', '_')}")(**options)

    def handle_outcome(self, *, file: Path, rule: str, **_options) -> None:
        try:
            instance = pabulib.read(file)
        except OSError as exc:
            self._fail(f"{file}: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            self._fail(f"{file}: not UTF-8 text ({exc.reason})")
        except pabulib.PabulibError as exc:
            where = f"{file}:{exc.line}" if exc.line is not None else str(file)
            self._fail(f"{where}: {exc.message}")
        selected = rules.select_projects(instance, rule)
        self.stdout.write(json.dumps(selected, ensure_ascii=False))

    def _fail(self, message: str) -> None:
        # "FILE:LINE: message", as compilers write it, and exit status 1.
        self.stderr.write(message)
        raise SystemExit(1)
