"""`hamkke city load NAME` loads a city profile (idempotent); `hamkke city list` names them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hamkke.core.profiles import ProfileError


class Command(BaseCommand):
    help = "Load or list city profiles."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        load = sub.add_parser("load", help="Load a profile from src/hamkke/cities/NAME or a folder")
        load.add_argument("name", help="A profile name (seoul, mumbai) or a path to a folder")
        sub.add_parser("list", help="List the profiles that can be loaded")

    def handle(self, *args, verb: str, **options):
        if verb == "list":
            for folder in sorted(Path(settings.HAMKKE_CITIES_DIR).iterdir()):
                if (folder / "profile.toml").exists():
                    self.stdout.write(folder.name)
            return
        from hamkke.core.city.services import load_city

        name = options["name"]
        folder = Path(name) if ("/" in name or Path(name).is_dir()) else None
        try:
            city = load_city(slug=folder.name if folder else name, folder=folder)
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {city.name_en or city.name}: {city.districts.count()} districts, "
                f"{city.departments.count()} departments, {city.area_km2:.1f} km²."
            )
        )
