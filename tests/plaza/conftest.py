"""Plaza fixtures: documents registered through the service, as the desk and the import do."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hamkke.core.models import Department

_numbers = itertools.count(1)


@pytest.fixture
def department(city):
    return Department.objects.get(city=city, code="information-planning")


@pytest.fixture
def make_document(city, department):
    """Register a document (approved a day ago, so it is published now unless closed); fields
    override the defaults."""
    from hamkke.plaza import services
    from hamkke.plaza.models import ApproverLevel, DocumentType

    def make(**fields):
        defaults = {
            "number": f"TEST-{next(_numbers):06d}",
            "doc_type": DocumentType.APPROVAL,
            "department": department,
            "approver_level": ApproverLevel.DIRECTOR,
            "title": "문서",
            "produced_on": date(2026, 11, 2),
            "approved_at": timezone.now() - timedelta(days=2),
        }
        defaults.update(fields)
        return services.register_document(
            actor=None, fields=services.DocumentFields(**defaults), by_system=True
        )

    return make


@pytest.fixture
def other_department(city):
    """A department of Seoul other than `department`."""
    return Department.objects.get(city=city, code="transport")


@pytest.fixture
def logged_in(client):
    """Log the test client in as a new official of a department with a role, password and
    authenticator code, as officials log in; returns the official."""
    from tests import factories

    def make(department, role):
        user = factories.make_official(role=role, department=department)
        factories.log_in_official(client, user)
        return user

    return make
