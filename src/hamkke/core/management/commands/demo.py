"""`hamkke demo`: migrate, load the city profile, seed demo data, then serve."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from hamkke.core.management.commands.serve import run_gunicorn


class Command(BaseCommand):
    help = "Set up the embedded demo (SQLite, local media) with demo data and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Set up and seed, then stop")

    def handle(self, *args, port: int, host: str, no_serve: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("city", "load", settings.HAMKKE_CITY)
        from hamkke.core.demo import seed_demo

        for line in seed_demo():
            self.stdout.write(line)
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"Hamkke demo: http://{host}:{port}/"))
        # Two workers keep the demo light; the WSGI server is the production one.
        run_gunicorn(bind=f"{host}:{port}", workers=2, threads=4)
