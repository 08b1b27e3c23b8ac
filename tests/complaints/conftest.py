"""Fixtures for the complaint tests: Seoul's categories, officials in departments, photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hamkke.accounts.models import Role
from hamkke.complaints.models import Category
from hamkke.core.models import Department
from tests import factories

# Places in Seoul and the gu they lie in (public knowledge).
JONGNO = (37.5704, 126.9920)  # Jongno 3-ga
BUKCHON = (37.5826, 126.9831)  # Bukchon, Jongno-gu
MAPO = (37.5509, 126.9250)  # Hongik University, Mapo-gu
BUSAN = (35.1796, 129.0756)


@pytest.fixture
def category(city):
    return Category.objects.get(city=city, code="litter")


@pytest.fixture
def make_official(city):
    def make(department_code: str, role: Role = Role.HANDLER, email: str | None = None):
        department = Department.objects.get(city=city, code=department_code)
        return factories.make_official(role=role, department=department, email=email)

    return make


def jpeg(size=(64, 48), color=(200, 30, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
