"""Datasets for the open-data tests, made through the services as the desk makes them."""

from __future__ import annotations

import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from hamkke.accounts.models import Role
from hamkke.plaza.opendata import services
from tests.factories import make_official

_names = itertools.count(1)

CSV = "구,인구\n종로구,141223\n중구,121312\n".encode()


def handler_of(department):
    return make_official(role=Role.HANDLER, department=department)


def make_dataset(department, *, official=None, resources=(), **fields):
    """A dataset of `department` made by one of its handlers; `resources` are ResourceFields
    (or dicts of their fields) added after it."""
    official = official or handler_of(department)
    values = {"name": f"dataset-{next(_names)}", "title": "데이터", "department": department}
    values.update(fields)
    dataset = services.create_dataset(actor=official, fields=services.DatasetFields(**values))
    for resource in resources:
        if isinstance(resource, dict):
            resource = services.ResourceFields(**resource)
        services.add_resource(actor=official, dataset=dataset, fields=resource)
    dataset.refresh_from_db()
    return dataset


def csv_upload(name: str = "population.csv", content: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")
