"""`hamkke serve`: the production WSGI server (gunicorn), never Django's development server."""

from __future__ import annotations

import multiprocessing
import os

from django.core.management.base import BaseCommand


def run_gunicorn(*, bind: str, workers: int, threads: int, wsgi: str = "hamkke.wsgi") -> None:
    """Run gunicorn in this process until it is stopped."""
    from gunicorn.app.base import BaseApplication

    class HamkkeServer(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", os.environ.get("HAMKKE_ACCESS_LOG") or None)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 20)
            self.cfg.set("forwarded_allow_ips", os.environ.get("HAMKKE_FORWARDED_ALLOW_IPS", ""))

        def load(self):
            from importlib import import_module

            return import_module(wsgi).application

    HamkkeServer().run()


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn (WSGI), workers and threads from options or the environment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HAMKKE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("HAMKKE_WORKERS", multiprocessing.cpu_count() * 2 + 1)),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("HAMKKE_THREADS", 4)))

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        self.stdout.write(f"Hamkke serving on http://{host}:{port} ({workers} workers)")
        run_gunicorn(bind=f"{host}:{port}", workers=workers, threads=threads)
