"""`hamkke iot …`: the sensors on the command line.

- `device create --kind KIND --lat LAT --lon LON [--ref REF] [--name NAME] [--model MODEL]
  [--lot LOT] [--json]` provisions a device and the asset it watches; prints its `id`,
  `secret` (shown this once) and `entity` (the asset's NGSI-LD id), with --json as one JSON object.
- `device rotate ID` prints a new secret (the old one stops at once); `device revoke ID`.
- `import FILE --secrets SECRETS.csv [--dry-run]` provisions the devices of a CSV file
  (kind, ref, name, lat, lon, model, department) through the import job and writes their
  secrets, once, to SECRETS.csv (created, mode 0600; it must not exist).
- `ingest [--batch N] [--flush SECONDS] [--seconds S]` runs an MQTT ingest worker (MQTT_URL);
  start several: the shared subscription splits the messages between them.
- `mosquitto --passwords FILE --acl FILE` writes Mosquitto's password file and ACL: every
  active device (username = its id, its secret's `$7$` hash) may write only its own topic;
  the ingest worker (MQTT_URL's user, with its password hashed) reads them all.
- `prune` rolls up, then deletes, the raw readings past `[iot] retention_days`.
- `parking release` releases the reservations whose car has not come within `[iot]
  parking_grace_minutes` (the periodic task does it every minute); `parking lot --name N
  --lat LAT --lon LON [--ref REF] [--json]` adds a parking lot (its spots are parking
  devices' assets provisioned with `lot`).
- `evaluate [--json]` runs the alarms' rules once (as Celery beat does every minute): prints
  the alarms raised and cleared and the complaints filed; running it again changes nothing.
- `bins plan [--date YYYY-MM-DD] [--seconds S] [--json]` makes the day's bin collection plan
  (today by default) and prints its routes and the bins left over.
- `simulate [--minutes N] [--speed X] [--http] [--url URL]` plays the city's sensors (the
  Bukchon demo's), a day compressed into minutes: over MQTT when MQTT_URL is set, over HTTPS to
  a running site with --http or --url, else straight into the database (iot/pages/simulate.py).
  It gives every device a new secret at its start and keeps them in memory."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "IoT: provision devices, run the MQTT ingest worker, write Mosquitto's files, prune."

    def add_arguments(self, parser: CommandParser) -> None:
        from hamkke.iot.readings import KINDS

        verbs = parser.add_subparsers(dest="verb", required=True)
        device = verbs.add_parser("device", help="Provision, rotate or revoke a device")
        actions = device.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Provision a device and its asset")
        create.add_argument("--kind", required=True, choices=KINDS)
        create.add_argument("--lat", required=True)
        create.add_argument("--lon", required=True)
        create.add_argument("--ref", default="")
        create.add_argument("--name", default="")
        create.add_argument("--model", default="")
        create.add_argument("--lot", default="", help="A parking spot's lot (its reference)")
        create.add_argument("--json", action="store_true", dest="as_json")
        for name in ("rotate", "revoke"):
            one = actions.add_parser(name, help=f"{name.capitalize()} a device's secret")
            one.add_argument("device_id", type=int)
            one.add_argument("--json", action="store_true", dest="as_json")
        load = verbs.add_parser("import", help="Provision the devices of a CSV file")
        load.add_argument("file", type=Path)
        load.add_argument("--secrets", type=Path, required=True)
        load.add_argument("--dry-run", action="store_true")
        run = verbs.add_parser("ingest", help="Run an MQTT ingest worker")
        run.add_argument("--batch", type=int, default=500)
        run.add_argument("--flush", type=float, default=1.0)
        run.add_argument("--seconds", type=float, default=None, help="Stop after this long")
        files = verbs.add_parser("mosquitto", help="Write Mosquitto's password file and ACL")
        files.add_argument("--passwords", type=Path, required=True)
        files.add_argument("--acl", type=Path, required=True)
        verbs.add_parser("prune", help="Roll up and delete readings past the retention")
        parking = verbs.add_parser("parking", help="Parking sharing")
        parking_actions = parking.add_subparsers(dest="action", required=True)
        parking_actions.add_parser("release", help="Release the no-shows past the grace period")
        lot = parking_actions.add_parser("lot", help="Add a parking lot (OffStreetParking)")
        lot.add_argument("--name", required=True)
        lot.add_argument("--lat", required=True)
        lot.add_argument("--lon", required=True)
        lot.add_argument("--ref", default="")
        lot.add_argument("--json", action="store_true", dest="as_json")
        evaluate = verbs.add_parser("evaluate", help="Run the alarms' rules once")
        evaluate.add_argument("--json", action="store_true", dest="as_json")
        # Smart bins (iot/bins): the day's collection plan.
        bins = verbs.add_parser("bins", help="Smart bins: the day's collection plan")
        bins_actions = bins.add_subparsers(dest="action", required=True)
        plan = bins_actions.add_parser("plan", help="Make a day's collection plan")
        plan.add_argument("--date", default=None, help="YYYY-MM-DD; today by default")
        plan.add_argument("--seconds", type=float, default=None, help="The search's time limit")
        plan.add_argument("--json", action="store_true", dest="as_json")
        simulate = verbs.add_parser("simulate", help="Play the sensors, a day in minutes")
        simulate.add_argument("--minutes", type=float, default=10.0, help="Real minutes to run")
        simulate.add_argument(
            "--speed",
            type=float,
            default=144.0,
            help="Simulated seconds per second (144: a day in ten minutes)",
        )
        simulate.add_argument("--http", action="store_true", help="Send over HTTPS (--url)")
        simulate.add_argument("--url", default="", help="The site (http://127.0.0.1:8000)")

    def handle(self, *args, verb: str, **options) -> None:
        from hamkke.core.errors import DomainError

        try:
            getattr(self, f"handle_{verb}")(**options)
        except DomainError as error:
            raise CommandError(error.message) from error

    # --- devices ------------------------------------------------------------------------------

    def handle_device(self, *, action: str, as_json: bool = False, **options) -> None:
        from hamkke.core.city.selectors import current_city
        from hamkke.iot import services
        from hamkke.iot.models import Device

        if action == "create":
            made = services.provision_device(
                kind=options["kind"],
                latitude=options["lat"],
                longitude=options["lon"],
                ref=options["ref"],
                name=options["name"],
                model_name=options["model"],
                lot=services.lot_by_ref(current_city(), options["lot"]) if options["lot"] else None,
            )
            self._print(
                {"id": made.device.pk, "secret": made.secret, "entity": made.entity}, as_json
            )
            return
        device = Device.objects.filter(pk=options["device_id"]).select_related("asset").first()
        if device is None:
            raise CommandError(f"There is no device {options['device_id']}.")
        if action == "rotate":
            secret = services.rotate_secret(device=device)
            self._print(
                {"id": device.pk, "secret": secret, "entity": device.asset.entity_id}, as_json
            )
        else:
            services.revoke(device=device)
            self._print({"id": device.pk, "status": "revoked"}, as_json)

    def _print(self, fields: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(fields))
        else:
            for name, value in fields.items():
                self.stdout.write(f"{name}: {value}")

    def handle_import(self, *, file: Path, secrets: Path, dry_run: bool, **_options) -> None:
        from hamkke.core.imports.terminal import import_file
        from hamkke.iot.importing import collected_secrets, kept_secrets

        try:
            out = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as error:
            raise CommandError(f"{secrets}: {error.strerror} (it must not exist yet)") from error
        collector: list = []
        token = collected_secrets.set(collector)
        try:
            status = import_file(
                "iot",
                file,
                options={},
                dry_run=dry_run,
                report=None,
                out=self.stdout,
                err=sys.stderr,
            )
        finally:
            collected_secrets.reset(token)
            collector = kept_secrets(collector)
            with os.fdopen(out, "w", newline="", encoding="utf-8") as stream:
                writer = csv.writer(stream)
                writer.writerow(["id", "ref", "secret", "entity"])
                writer.writerows(collector)
        self.stdout.write(f"{len(collector)} secrets written to {secrets}.")
        if status:
            raise SystemExit(status)

    # --- MQTT -----------------------------------------------------------------------------------

    def handle_ingest(self, *, batch: int, flush: float, seconds: float | None, **_options) -> None:
        from hamkke.core.city.selectors import current_city
        from hamkke.iot.mqtt import IngestWorker

        if not settings.MQTT_URL:
            raise CommandError("Set MQTT_URL (like mqtt://127.0.0.1:1883) to run the worker.")
        worker = IngestWorker(
            url=settings.MQTT_URL, city=current_city(), batch_size=batch, flush_seconds=flush
        )
        self.stdout.write(
            f"Subscribing to {worker.topic} at {urlparse(settings.MQTT_URL).hostname}."
        )
        try:
            totals = worker.run(seconds=seconds)
        except KeyboardInterrupt:
            return
        except ConnectionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{totals.received} received, {totals.accepted} accepted, {totals.refused} refused "
            f"in {totals.batches} batches."
        )

    def handle_mosquitto(self, *, passwords: Path, acl: Path, **_options) -> None:
        from hamkke.core.city.selectors import current_city
        from hamkke.iot import mosquitto
        from hamkke.iot.models import Device, DeviceStatus

        city = current_city()
        devices = list(
            Device.objects.filter(city=city, status=DeviceStatus.ACTIVE)
            .order_by("pk")
            .values_list("pk", "mqtt_hash")
        )
        entries = [(str(pk), encoded) for pk, encoded in devices]
        workers = []
        parts = urlparse(settings.MQTT_URL or "")
        if parts.username:
            workers.append(unquote(parts.username))
            if parts.password:
                entries.insert(0, (workers[0], mosquitto.password_hash(unquote(parts.password))))
        else:
            workers.append("hamkke-ingest")
        self._write(passwords, mosquitto.password_file(entries))
        self._write(acl, mosquitto.acl_file(city.slug, [pk for pk, _h in devices], workers))
        self.stdout.write(
            f"{len(devices)} devices written to {passwords} and {acl}; "
            f"ingest worker user: {workers[0]}. Reload Mosquitto (SIGHUP) to apply."
        )

    def _write(self, path: Path, text: str) -> None:
        # Written beside, then moved over: Mosquitto never reads half a file.
        partial = path.with_name(f".{path.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(partial, path)

    def handle_prune(self, **_options) -> None:
        from hamkke.iot import services

        written, deleted = services.prune()
        self.stdout.write(f"{written} roll-ups written, {deleted} readings deleted.")

    # --- parking sharing ----------------------------------------------------------------------

    def handle_parking(self, *, action: str, as_json: bool = False, **options) -> None:
        from hamkke.iot.parking import services

        if action == "release":
            released = services.release_no_shows()
            self.stdout.write(f"{released} no-show reservations released.")
            return
        lot = services.create_lot(
            name=options["name"],
            latitude=options["lat"],
            longitude=options["lon"],
            ref=options["ref"],
        )
        self._print({"id": lot.pk, "entity": lot.entity_id}, as_json)

    # --- alarms (iot/alarms) --------------------------------------------------------------------

    def handle_evaluate(self, *, as_json: bool = False, **_options) -> None:
        from hamkke.core.city.selectors import current_city
        from hamkke.iot.alarms import selectors, services

        city = current_city()
        done = services.evaluate(city=city)
        summary = {
            "raised": dict(done.raised),
            "cleared": dict(done.cleared),
            "complaints": done.complaints,
            "open": selectors.open_counts(city),
        }
        if as_json:
            self.stdout.write(json.dumps(summary, sort_keys=True))
            return
        self.stdout.write(
            f"{sum(done.raised.values())} alarms raised, {sum(done.cleared.values())} cleared, "
            f"{done.complaints} complaints filed; open: "
            + (", ".join(f"{k} {n}" for k, n in sorted(summary["open"].items())) or "none")
        )

    def handle_bins(self, *, action: str, as_json: bool = False, **options) -> None:
        import datetime

        from django.core.serializers.json import DjangoJSONEncoder
        from django.utils import timezone

        from hamkke.core.city.selectors import current_city
        from hamkke.iot.bins import selectors, services

        try:
            day = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(f"--date: {options['date']!r} is not YYYY-MM-DD") from error
        seconds = options["seconds"]
        if seconds is not None and not 0 < seconds <= 300:
            raise CommandError("--seconds: from more than 0 to 300")
        services.make_plan(day=day, seconds=seconds)
        document = selectors.plan_document(selectors.plan_of(current_city(), day))
        if as_json:
            self.stdout.write(json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False))
            return
        self.stdout.write(f"Collection plan of {day.isoformat()}: {len(document['routes'])} routes")
        for route in document["routes"]:
            refs = " → ".join(stop["ref"] for stop in route["stops"])
            self.stdout.write(
                f"  route {route['number']} ({route['truck_name']}, {route['load_litres']}/"
                f"{route['capacity_litres']} L, {route['length_m']:.0f} m): depot → {refs} → depot"
            )
        for item in document["left_over"]:
            self.stdout.write(f"  left over: {item['ref']} — {item['why']}")

    # --- the simulator (iot/pages) ------------------------------------------------------------

    def handle_simulate(
        self, *, minutes: float, speed: float, http: bool, url: str, **_options
    ) -> None:
        from collections import Counter

        from hamkke.core.city.selectors import current_city
        from hamkke.iot.pages import simulate

        if not (0 < minutes <= 24 * 60) or not (0 < speed <= 100_000):
            raise CommandError("--minutes: 0 to 1440; --speed: 0 to 100000.")
        city = current_city()
        simulator = simulate.Simulator(city=city, send=lambda batch: Counter())
        if not simulator.devices:
            raise CommandError("No active device: run `hamkke demo` or provision some first.")
        if http or url:
            url = url or "http://127.0.0.1:8000"
            sender = simulate.HttpSender(url, simulate.new_secrets(simulator.devices))
            where = f"over HTTPS to {url}"
        elif settings.MQTT_URL:
            secrets = simulate.new_secrets(simulator.devices)
            sender = simulate.MqttSender(settings.MQTT_URL, city, secrets)
            where = (
                f"over MQTT to {urlparse(settings.MQTT_URL).hostname}, each device with a new "
                "secret (a broker that checks passwords needs `hamkke iot mosquitto` and a "
                "reload now)"
            )
        else:
            sender = simulate.DirectSender(city)
            where = "straight into the database (no MQTT_URL, no --url)"
        simulator.send = sender
        self.stdout.write(
            f"Simulating {len(simulator.devices)} devices for {minutes:g} minutes at "
            f"{speed:g}x {where}."
        )
        try:
            totals = simulator.run(seconds=minutes * 60)
        except KeyboardInterrupt:
            totals = simulator.totals
        finally:
            sender.close()
        outcomes = ", ".join(f"{n} {reason}" for reason, n in sorted(totals.outcomes.items()))
        self.stdout.write(
            f"{totals.sent} readings sent in {totals.ticks} ticks ({outcomes or 'none'}); "
            f"{totals.simulated.total_seconds() / 3600:.1f} simulated hours."
        )
