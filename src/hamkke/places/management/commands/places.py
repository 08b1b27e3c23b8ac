"""`hamkke places …`: the Places registries on the command line.

- `import FILE [--layer LAYER] [--dry-run] [--report rejected.csv]` imports Seoul's open-data
  WiFi file, or a CSV or GeoJSON file of one layer as the desk exports it (places/importing.py),
  through the same checked job as the desk: rows already in (by their number) are updated.
  Exit status 0 when no row was rejected, 1 otherwise.
- `export LAYER [--format csv|geojson] [--output FILE]` writes every row of a layer (in service
  or not) in the columns the importer reads; to standard output without --output.
- `coverage` recomputes the WiFi coverage and prints it, for the city and each district."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Places: import and export the registries, recompute the WiFi coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        from hamkke.places.exporting import FORMATS
        from hamkke.places.importing import AUTO
        from hamkke.places.models import Layer

        verbs = parser.add_subparsers(dest="verb", required=True)
        load = verbs.add_parser("import", help="Import a registry file (CSV or GeoJSON)")
        load.add_argument("file", type=Path)
        load.add_argument("--layer", default=AUTO, choices=[AUTO, *Layer.values])
        load.add_argument("--dry-run", action="store_true", help="Check every row; store nothing")
        load.add_argument(
            "--report", type=Path, default=None, help="Write the rejected rows to this CSV file"
        )
        dump = verbs.add_parser("export", help="Write every row of a layer")
        dump.add_argument("layer", choices=Layer.values)
        dump.add_argument("--format", dest="file_format", default="csv", choices=FORMATS)
        dump.add_argument("--output", type=Path, default=None)
        verbs.add_parser("coverage", help="Recompute the WiFi coverage and print it")

    def handle(self, *args, verb: str, **options) -> None:
        getattr(self, f"handle_{verb}")(**options)

    def handle_import(
        self, *, file: Path, layer: str, dry_run: bool, report: Path | None, **_options
    ) -> None:
        from hamkke.core.imports.terminal import import_file

        status = import_file(
            "places",
            file,
            options={"layer": layer},
            dry_run=dry_run,
            report=report,
            out=self.stdout,
            err=sys.stderr,
        )
        if status:
            raise SystemExit(status)

    def handle_export(self, *, layer: str, file_format: str, output: Path | None, **_options):
        from hamkke.places import exporting

        pieces = exporting.as_csv(layer) if file_format == "csv" else exporting.as_geojson(layer)
        if output is None:
            for piece in pieces:
                self.stdout.write(piece, ending="")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                for piece in pieces:
                    out.write(piece)
        except OSError as error:
            self.stderr.write(f"{output}: {error.strerror or error}")
            raise SystemExit(1) from error
        self.stdout.write(f"{layer}: written to {output}.")

    def handle_coverage(self, **_options) -> None:
        from hamkke.places import services

        snapshot = services.recompute_coverage()
        self.stdout.write(
            f"{snapshot.share:.2%} of {snapshot.area_km2:,.2f} km² covered "
            f"({snapshot.covered_km2:,.2f} km²) by {snapshot.access_points:,} access points."
        )
        for district in snapshot.districts:
            self.stdout.write(
                f"{district['code']}\t{district['share']:.2%}\t{district['covered_km2']:.2f} km²"
            )
