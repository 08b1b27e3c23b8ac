"""`hamkke plaza …`: the Information Communication Plaza on the command line.

- `import METADATA.csv --files DIR [--dry-run] [--report rejected.csv]` registers the documents
  a document management system exported (see plaza/importing.py for the columns): a progress
  line on a terminal, a summary at the end, the rejected rows with their reasons in the report.
  Exit status 0 when no row was rejected, 1 otherwise (or when the file cannot be read)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Information Communication Plaza: bulk import of documents."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser(
            "import",
            help="Register the documents of a CSV file of metadata and a folder of files",
            description=(
                "Register each row of a CSV file of metadata (UTF-8 or CP949) as a document, "
                "with its attachments from --files, each row in a transaction of its own. Rows "
                "imported before are skipped, so a run can be repeated; a rejected row leaves "
                "nothing behind and is listed with its reason."
            ),
        )
        load.add_argument("metadata", type=Path, help="The CSV file of metadata")
        load.add_argument(
            "--files",
            type=Path,
            required=True,
            help="The folder the attachment names of the file are relative to",
        )
        load.add_argument(
            "--dry-run", action="store_true", help="Check every row and file; store nothing"
        )
        load.add_argument(
            "--report",
            type=Path,
            default=None,
            help="Write the rejected rows, with a reason column, to this CSV file",
        )

    def handle(self, *args, verb: str, **options) -> None:
        getattr(self, f"handle_{verb.replace('-', '_')}")(**options)

    def handle_import(
        self, *, metadata: Path, files: Path, dry_run: bool, report: Path | None, **_options
    ) -> None:
        from hamkke.core.errors import DomainError
        from hamkke.plaza import importing

        try:
            rows = importing.read_metadata(metadata)
            if not files.is_dir():
                self._fail(f"{files}: not a folder")
            self.stdout.write(
                f"{metadata}: {importing.ENCODINGS[rows.encoding]} text, {len(rows.rows):,} row(s)."
            )
            interactive = sys.stderr.isatty()
            update, close = (
                importing.progress_display(len(rows.rows), sys.stderr)
                if interactive
                else (None, lambda: None)
            )
            try:
                done = importing.import_metadata(
                    rows, files=files, dry_run=dry_run, progress=update
                )
            finally:
                close()
        except DomainError as exc:
            self._fail(f"{metadata}: {exc.message}")
        for line in importing.rejected_lines(done):
            self.stderr.write(line)
        if report is not None:
            try:
                with report.open("w", encoding="utf-8-sig", newline="") as out:
                    written = importing.write_report(done, rows, out)
            except OSError as exc:
                self._fail(f"{report}: {exc.strerror or exc}")
            self.stdout.write(f"Rejected rows: {written:,} written to {report}.")
        self.stdout.write(importing.summary(done))
        if done.rejected:
            raise SystemExit(1)

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        raise SystemExit(1)
