"""`hamkke budget …`: Pabulib elections on the command line.

- `outcome FILE.pb --rule RULE` prints the projects a rule selects in a Pabulib file, as a JSON
  list of ids sorted as strings. Needs no database, so anyone can check a real election.
- `import FILE.pb [--slug S] [--district CODE] [--phase P] [--rule R]` loads the election as a
  cycle of the current city (see importing.py) and prints what our rules select in it.
- `export CYCLE [--pool CODE] [-o FILE]` writes a finished cycle's pool as a Pabulib file.
- `close-boxes` closes the ballot box of every pool whose voting is over: its ballots are
  rewritten as one shuffled batch, then the ballot tables are vacuumed (the ballot pattern,
  ARCHITECTURE.md); what the periodic task `hamkke.budget.tasks.close_ballot_boxes` does."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from hamkke.budget import pabulib, rules

# The phases `import` may put a cycle in (see importing.IMPORT_PHASES; kept here as plain strings
# so that `outcome` imports no models).
IMPORT_PHASES = ("voting", "scoring", "results", "implementation")


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

        load = verbs.add_parser(
            "import",
            help="Load a Pabulib election as a cycle of the current city",
            description=(
                "Load a Pabulib .pb file as a cycle of the current city: one pool with the "
                "file's budget, its projects, its ballots (points and rankings reduced to "
                "approvals) against a register of made-up identities, in one transaction. "
                "Prints the cycle and the projects our rules select, as a JSON list."
            ),
        )
        load.add_argument("file", type=Path, help="A Pabulib .pb file")
        load.add_argument("--slug", default="", help="The cycle's slug (default: pabulib-<file>)")
        load.add_argument(
            "--district", default="", help="A district code: the pool is that district's"
        )
        load.add_argument(
            "--phase",
            choices=IMPORT_PHASES,
            default="results",
            help="The phase the cycle is in (default: results)",
        )
        load.add_argument(
            "--rule",
            choices=rules.RULES,
            default="",
            help="The selection rule (default: the file's META rule, else greedy)",
        )
        export = verbs.add_parser(
            "export",
            help="Write a finished cycle's pool as a Pabulib .pb file",
            description=(
                "Write one pool of a cycle in its results or implementation phase as a Pabulib "
                ".pb file: projects with cost, area, votes and selection; the valid ballots as "
                "approval votes whose voter ids are the receipt codes."
            ),
        )
        export.add_argument("cycle", help="The cycle's slug")
        export.add_argument("--pool", default="", help="The pool's code (needed if several)")
        export.add_argument(
            "-o", "--output", type=Path, default=None, help="The file to write (default: stdout)"
        )

        verbs.add_parser(
            "close-boxes",
            help="Mix the ballots of every pool whose voting is over into one shuffled batch",
            description=(
                "Close the ballot box of every pool whose voting ended (a few minutes ago or "
                "more): its ballots, the batches written while people voted and those still "
                "sealed in the box, are rewritten as one batch in a random order; then, on "
                "PostgreSQL, the ballot tables are vacuumed. Safe to run again."
            ),
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

    def handle_import(
        self, *, file: Path, slug: str, district: str, phase: str, rule: str, **_options
    ) -> None:
        from hamkke.budget import importing, selectors
        from hamkke.core.city.selectors import current_city
        from hamkke.core.errors import DomainError

        text = self._read_text(file)
        try:
            instance = pabulib.parse(text)
            city = current_city()
            where = None
            if district:
                where = city.districts.filter(code=district).first()
                if where is None:
                    self._fail(f"{file}: no district {district!r} in {city.name_en or city.name}")
            imported = importing.import_instance(
                city=city,
                instance=instance,
                source=file.stem,
                text=text,
                slug=slug,
                district=where,
                phase=phase,
                rule=rule,
            )
        except pabulib.PabulibError as exc:
            self._fail_at(file, exc)
        except DomainError as exc:
            self._fail(f"{file}: {exc.message}")
        cycle, pool = imported.cycle, imported.pool
        counted = next(t for t in selectors.tally(cycle) if t.pool.pk == pool.pk)
        selected = sorted(t.project.code for t in counted.projects if t.selected)
        place = pool.district.name_en or pool.district.name if pool.district else "citywide"
        file_rule = f" (the file's: {imported.file_rule})" if imported.file_rule else ""
        lines = [
            f"Imported {file.name} as cycle {cycle.slug} ({cycle.phase.value} phase).",
            f"Pool {pool.code} ({place}): budget {pool.budget:,}; {imported.projects} projects; "
            f"{imported.ballots:,} ballots ({counted.void:,} void); "
            f"{imported.with_district:,} voters placed in a district.",
            f"Rule {cycle.rule}{file_rule}, min score {cycle.min_score}; weights "
            f"{cycle.weight_vote}/{cycle.weight_survey}/{cycle.weight_committee}.",
            *(f"Note: {note}" for note in imported.notes),
            f"Selected by our rules ({counted.spent:,} of {pool.budget:,} spent):",
            json.dumps(selected, ensure_ascii=False),
        ]
        for line in lines:
            self.stdout.write(line)

    def handle_export(self, *, cycle: str, pool: str, output: Path | None, **_options) -> None:
        from hamkke.budget import importing, selectors
        from hamkke.core.city.selectors import current_city
        from hamkke.core.errors import DomainError

        try:
            found = selectors.cycle_by_slug(current_city(), cycle)
            chosen = selectors.pool_by_code(found, pool) if pool else None
            text = importing.export_pool(cycle=found, pool=chosen)
        except DomainError as exc:
            self._fail(f"{cycle}: {exc.message}")
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            self._fail(f"{output}: {exc.strerror or exc}")
        written = pabulib.parse(text)
        self.stdout.write(
            f"Wrote {output}: pool {written.meta['subunit']} of {found.slug}, "
            f"{len(written.projects)} projects, {len(written.votes):,} valid ballots."
        )

    def handle_close_boxes(self, **_options) -> None:
        from hamkke.budget import services

        mixed = services.close_ballot_boxes()
        self.stdout.write(f"Closed the ballot boxes: {mixed:,} ballots mixed.")

    def _read_text(self, file: Path) -> str:
        try:
            return file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            self._fail(f"{file}: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            self._fail(f"{file}: not UTF-8 text ({exc.reason})")
        raise AssertionError("unreachable")

    def _fail_at(self, file: Path, exc: pabulib.PabulibError) -> None:
        where = f"{file}:{exc.line}" if exc.line is not None else str(file)
        self._fail(f"{where}: {exc.message}")

    def _fail(self, message: str) -> None:
        # "FILE:LINE: message", as compilers write it, and exit status 1.
        self.stderr.write(message)
        raise SystemExit(1)
