"""Bulk provisioning of sensors from a CSV file through core/imports (the same checked job as
every registry): columns kind, ref, name, lat, lon, model, department (a department's code;
empty: the profile's `[iot] department`) and lot (for a parking spot, its lot's reference).
Each row is saved by services.provision_device, so a file and the command refuse the same
things in the same words.

The plain secrets. A device's secret exists in the clear only when it is made, and is never
stored. The simplest safe way to hand a file's secrets over is the command that runs the
import: `hamkke iot import FILE --secrets SECRETS.csv` collects each committed row's secret
(after its batch commits: a row taken back, or the check's rolled-back run, leaves none) and
writes them once to a file it creates (mode 0600). An import started anywhere else (the desk,
the API) has nobody to hand them to, so its rows are refused with a message naming the
command; nothing is provisioned without its secret reaching somebody."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hamkke.accounts.models import Role
from hamkke.accounts.seats import holds, seat_at
from hamkke.core.actors import Actor
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.imports.engine import FileRow, Problem, Reading
from hamkke.core.imports.tabular import read_csv
from hamkke.core.models import City, Department, ImportJob
from hamkke.core.policies import Decision, deny
from hamkke.iot import policies, services

COLUMNS = ("kind", "ref", "name", "lat", "lon", "model", "department")
# The secrets of the rows committed, while a command collects them: (id, ref, secret, entity).
collected_secrets: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "iot_collected_secrets", default=None
)


def kept_secrets(collected: list) -> list:
    """The collected (id, ref, secret, entity) whose device is stored with that secret."""
    from hamkke.iot.models import Device

    stored = dict(
        Device.objects.filter(pk__in=[entry[0] for entry in collected]).values_list(
            "pk", "secret_hash"
        )
    )
    return [
        entry
        for entry in collected
        if entry[0] in stored and stored[entry[0]] == services.secret_hash(entry[2])
    ]


class DevicesImporter:
    label = gettext_lazy("Sensors")
    options = ()
    formats = gettext_lazy(
        "A CSV file with the columns kind, ref, name, lat, lon, model, department."
    )

    def clean_options(self, raw: Mapping[str, Any], *, city: City) -> dict:
        return {}

    def read(self, data: bytes, *, file_name: str, options: dict, city: City) -> Reading:
        table = read_csv(data)
        problems = [Problem(p.line, "", p.field, p.message, p.cells) for p in table.problems]
        missing = [name for name in ("kind", "lat", "lon") if name not in table.columns]
        if missing and not table.problems:
            problems.append(
                Problem(1, "", missing[0], _("The file needs the columns kind, lat and lon."))
            )
            return Reading(rows=[], problems=problems, columns=table.columns)
        rows = [FileRow(row.line, row.cells.get("ref", ""), row.cells) for row in table.rows]
        return Reading(rows=rows, problems=problems, columns=table.columns)

    def save(self, row: FileRow, *, options: dict, city: City) -> bool:
        collector = collected_secrets.get()
        if collector is None:
            raise Conflict(
                _(
                    "The secrets of new sensors are shown once, to whoever provisions them: "
                    "run `hamkke iot import FILE --secrets SECRETS.csv`."
                ),
                code="secrets_need_command",
            )
        cells = row.cells
        department = None
        if cells.get("department"):
            department = Department.objects.filter(city=city, code=cells["department"]).first()
            if department is None:
                raise InvalidInput(_("Unknown department code."), field="department")
        made = services.provision_device(
            kind=cells.get("kind", ""),
            latitude=cells.get("lat"),
            longitude=cells.get("lon"),
            city=city,
            ref=cells.get("ref", ""),
            name=cells.get("name", ""),
            model_name=cells.get("model", ""),
            department=department,
            lot=services.lot_by_ref(city, cells["lot"]) if cells.get("lot") else None,
        )
        collector.append((made.device.pk, made.device.asset.ref, made.secret, made.entity))
        return True

    def finished(self, *, city: City) -> None:
        return None

    def _seat(self, actor: Actor, city: City):
        keeper = services.keeper_of(city)
        return None if keeper is None else seat_at(actor, keeper)

    def may_import(self, actor: Actor, *, city: City) -> Decision:
        seat = self._seat(actor, city)
        if seat is None:
            return deny(_("No department keeps the sensors."), code="no_department")
        return policies.may_manage(seat, actor)

    def may_confirm(self, actor: Actor, job: ImportJob) -> Decision:
        seat = self._seat(actor, job.city)
        if seat is None:
            return deny(_("No department keeps the sensors."), code="no_department")
        if job.rejected:
            return holds(seat, Role.MANAGER)
        return policies.may_manage(seat, actor)
