"""Every write of the Plaza's open data: a department's officials create and edit its datasets
and add or remove their resources (an uploaded file checked by its content, or a link to an
http(s) address). Each is one transaction with its audit entry; a stored file whose record
failed is removed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.accounts.seats import seat_at
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.models import Department
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import day_in_range
from hamkke.plaza import policies
from hamkke.plaza.models import Dataset, Document, Resource, Tag
from hamkke.plaza.opendata import files
from hamkke.plaza.profile import PlazaSection
from hamkke.plaza.selectors import public_documents
from hamkke.plaza.services import category_for_input as plaza_category
from hamkke.plaza.services import files_removed_on_failure, plaza_settings

# CKAN's rule for a package name: lower-case letters, digits, "-" and "_", 2 to 100 long.
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,99}$")
# Words the dataset pages use themselves (/plaza/data/desk/).
RESERVED_NAMES = frozenset({"desk", "new"})
# An ISO 8601 duration (P1M, P1Y, PT6H): how often a dataset is refreshed.
FREQUENCY = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
IRREGULAR = "irregular"
MAX_NOTES = 20_000
MAX_TAGS = 30
URL_SCHEMES = ("http", "https")


@dataclass
class DatasetFields:
    """What the desk form (and any later entry point) parses a dataset into."""

    name: str
    title: str
    department: Department
    notes: str = ""
    category: str = ""  # a category code of the profile
    license_id: str = ""  # a licence code of the profile; blank: the default licence
    tags: Sequence[str] = ()
    frequency: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    document_number: str = ""  # a Plaza document's registration number
    is_public: bool = True


@dataclass(frozen=True)
class ResourceFields:
    name: str
    description: str = ""
    format: str = ""  # blank: recognised from the file, or guessed from the link
    url: str = ""
    upload: UploadedFile | None = None


# --- datasets ------------------------------------------------------------------------------------


@transaction.atomic
def create_dataset(*, actor: Actor | User, fields: DatasetFields) -> Dataset:
    """A new dataset of a department whose official the actor is (a handler or above)."""
    actor = Actor.of(actor)
    policies.may_manage_datasets(seat_at(actor, fields.department)).enforce()
    values = _checked(fields, plaza_settings())
    dataset = Dataset(department=fields.department)
    _save(dataset, values)
    record_audit(
        actor=actor,
        action="plaza.dataset.created",
        target=dataset,
        data={"name": dataset.name, "public": dataset.is_public},
    )
    return dataset


@transaction.atomic
def update_dataset(*, actor: Actor | User, dataset: Dataset, fields: DatasetFields) -> Dataset:
    """Change a dataset's description; moving it to another department needs the role in
    both."""
    actor = Actor.of(actor)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    policies.may_manage_datasets(seat_at(actor, dataset.department)).enforce()
    if fields.department.pk != dataset.department_id:
        policies.may_manage_datasets(seat_at(actor, fields.department)).enforce()
    values = _checked(fields, plaza_settings())
    before = {"name": dataset.name, "public": dataset.is_public}
    dataset.department = fields.department
    _save(dataset, values)
    record_audit(
        actor=actor,
        action="plaza.dataset.updated",
        target=dataset,
        data={"before": before, "name": dataset.name, "public": dataset.is_public},
    )
    return dataset


def _save(dataset: Dataset, values: dict) -> None:
    """Write the checked values and the tags; a name another dataset holds is a Conflict (also
    when that dataset was saved a moment ago, by the database's unique index)."""
    taken = Conflict(
        _("A dataset named “%(name)s” exists already.") % {"name": values["name"]},
        code="duplicate_name",
    )
    if Dataset.objects.filter(name=values["name"]).exclude(pk=dataset.pk).exists():
        raise taken
    for key, value in values.items():
        if key != "tags":
            setattr(dataset, key, value)
    try:
        with transaction.atomic():
            dataset.save()
    except IntegrityError as exc:
        raise taken from exc
    dataset.tags.set(values["tags"])


def _checked(fields: DatasetFields, section: PlazaSection) -> dict:
    """The fields as stored, or the first refusal naming its field."""
    name = clean_text(fields.name).lower()
    if not NAME.match(name) or name in RESERVED_NAMES:
        raise InvalidInput(
            _(
                "A dataset's name is 2 to 100 lower-case letters, digits, “-” or “_”, "
                "starting with a letter or digit (and not “desk” or “new”)."
            ),
            field="name",
        )
    title = clean_text(fields.title)
    if not title:
        raise InvalidInput(_("Give the dataset a title."), field="title")
    if len(title) > 300:
        raise InvalidInput(_("A title may be at most 300 characters."), field="title")
    notes = clean_text(fields.notes)
    if len(notes) > MAX_NOTES:
        raise InvalidInput(
            _("A description may be at most %(n)s characters.") % {"n": f"{MAX_NOTES:,}"},
            field="notes",
        )
    return {
        "name": name,
        "title": title,
        "notes": notes,
        "category": plaza_category(clean_text(fields.category)),
        "license_id": _licence(fields.license_id, section),
        "tags": _tags(fields.tags),
        "frequency": _frequency(fields.frequency),
        **_temporal(fields.temporal_start, fields.temporal_end),
        "document": _document(fields.document_number, fields.department),
        "is_public": bool(fields.is_public),
    }


def _licence(code: str, section: PlazaSection) -> str:
    code = clean_text(code) or section.default_licence
    codes = [lic.code for lic in section.licences]
    if code not in codes:
        raise InvalidInput(
            _("Choose one of this city's licences: %(codes)s.")
            % {"codes": ", ".join(codes) or "—"},
            field="license_id",
        )
    return code


def _tags(names: Sequence[str]) -> list[Tag]:
    cleaned: list[str] = []
    for raw in names:
        name = clean_text(raw)
        if len(name) > 64:
            raise InvalidInput(
                _("A tag may be at most 64 characters: “%(tag)s…”.") % {"tag": name[:20]},
                field="tags",
            )
        if name and name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(
            _("A dataset may have at most %(n)s tags.") % {"n": MAX_TAGS}, field="tags"
        )
    Tag.objects.bulk_create([Tag(name=n) for n in cleaned], ignore_conflicts=True)
    return list(Tag.objects.filter(name__in=cleaned))


def _frequency(text: str) -> str:
    text = clean_text(text)
    if text.lower() == IRREGULAR:
        return IRREGULAR
    if text and (len(text) > 32 or not FREQUENCY.match(text.upper())):
        raise InvalidInput(
            _(
                "Write how often the data is refreshed as an ISO 8601 duration (P1D daily, "
                "P1M monthly, P1Y yearly) or “irregular”."
            ),
            field="frequency",
        )
    return text.upper()


def _temporal(start: date | None, end: date | None) -> dict:
    """Both ends or neither (DCAT-US writes the coverage as start/end)."""
    if (start is None) != (end is None):
        raise InvalidInput(
            _("Give both the first and the last day the data covers, or neither."),
            field="temporal_start" if start is None else "temporal_end",
        )
    for field, day in (("temporal_start", start), ("temporal_end", end)):
        if day is not None and not day_in_range(day):
            raise InvalidInput(_("The coverage must lie between 1900 and 2999."), field=field)
    if start is not None and end is not None and end < start:
        raise InvalidInput(
            _("The last day covered cannot come before the first."), field="temporal_end"
        )
    return {"temporal_start": start, "temporal_end": end}


def _document(number: str, department: Department) -> Document | None:
    """The Plaza document the dataset comes with: a public one, or any of the department's own
    (the public surfaces show the link only while the document is public). Another
    department's closed document is not found, so the answer tells nothing of it."""
    number = clean_text(number)
    if not number:
        return None
    document = (
        Document.objects.filter(number=number)
        .filter(Q(department=department) | Q(pk__in=public_documents().values("pk")))
        .first()
    )
    if document is None:
        raise InvalidInput(
            _("No document is numbered %(number)s.") % {"number": number}, field="document"
        )
    return document


# --- resources -----------------------------------------------------------------------------------


@transaction.atomic
def add_resource(*, actor: Actor | User, dataset: Dataset, fields: ResourceFields) -> Resource:
    """A file (checked by its content) or a link (http or https only) added to a dataset."""
    actor = Actor.of(actor)
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    policies.may_manage_datasets(seat_at(actor, dataset.department)).enforce()
    name = clean_text(fields.name)
    if len(name) > 300:
        raise InvalidInput(_("A name may be at most 300 characters."), field="name")
    description = clean_text(fields.description)[:MAX_NOTES]
    given_format = clean_text(fields.format)[:32]
    url = clean_text(fields.url)
    if (fields.upload is None) == (not url):
        raise InvalidInput(_("Upload a file or give a link, one of the two."), field="file")
    resource = Resource(
        dataset=dataset,
        order=dataset.resources.count(),
        description=description,
    )
    with files_removed_on_failure() as written:
        if fields.upload is not None:
            checked = files.check_data_file(fields.upload)
            resource.name = name or checked.name
            resource.format = checked.format
            resource.media_type = checked.media_type
            resource.size = checked.size
            fields.upload.seek(0)
            stored = f"{uuid.uuid4().hex}.{checked.extension}"
            resource.file.save(stored, ContentFile(fields.upload.read()), save=False)
            written.append((resource.file.storage, resource.file.name))
        else:
            _check_link(url)
            guessed_format, media_type = files.format_of_link(url)
            resource.name = name or url.rsplit("/", 1)[-1][:300] or url[:300]
            resource.url = url
            resource.format = (given_format or guessed_format).upper()[:32]
            resource.media_type = media_type if resource.format == guessed_format else ""
        resource.save()
        _touch(dataset)
        record_audit(
            actor=actor,
            action="plaza.dataset.resource_added",
            target=dataset,
            data={
                "resource": resource.pk,
                "name": resource.name,
                "format": resource.format,
                "link": resource.url,
            },
        )
    return resource


def _check_link(url: str) -> None:
    try:
        if len(url) > 500:
            raise ValidationError("too long")
        URLValidator(schemes=URL_SCHEMES)(url)
    except ValidationError as exc:
        raise InvalidInput(
            _("Give a full http:// or https:// address (at most 500 characters)."), field="url"
        ) from exc


@transaction.atomic
def remove_resource(*, actor: Actor | User, resource: Resource) -> None:
    """Take a resource off its dataset; an uploaded file is deleted once the removal commits."""
    actor = Actor.of(actor)
    dataset = Dataset.objects.select_for_update().get(pk=resource.dataset_id)
    policies.may_manage_datasets(seat_at(actor, dataset.department)).enforce()
    resource = Resource.objects.get(pk=resource.pk)
    stored = (resource.file.storage, resource.file.name) if resource.file else None
    record_audit(
        actor=actor,
        action="plaza.dataset.resource_removed",
        target=dataset,
        data={"resource": resource.pk, "name": resource.name},
    )
    resource.delete()
    _touch(dataset)
    if stored is not None:
        storage, name = stored
        transaction.on_commit(lambda: storage.delete(name))


def _touch(dataset: Dataset) -> None:
    """A change of its resources is a change of the dataset (CKAN's metadata_modified)."""
    Dataset.objects.filter(pk=dataset.pk).update(modified_at=timezone.now())
