"""The `hamkke` command: loading profiles and setting up the demo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from hamkke.core.models import City

pytestmark = pytest.mark.django_db


def test_city_load_reports_what_it_loaded(capsys):
    call_command("city", "load", "mumbai")
    out = capsys.readouterr().out
    assert "Mumbai" in out and "24 districts" in out
    assert City.objects.get(slug="mumbai").default_language == "en"


def test_city_load_unknown_name_lists_the_known_ones():
    with pytest.raises(CommandError) as error:
        call_command("city", "load", "atlantis")
    assert "atlantis" in str(error.value)
    assert "seoul" in str(error.value) and "mumbai" in str(error.value)


def test_city_load_broken_profile_names_file_and_field(tmp_path):
    folder = tmp_path / "seoul"
    shutil.copytree(Path(settings.HAMKKE_CITIES_DIR) / "seoul", folder)
    toml = folder / "profile.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("zoom = 11", "zoom = 99"), "utf-8")
    before = list(City.objects.values("slug", "profile", "loaded_at"))  # Seoul, loaded per run
    with pytest.raises(CommandError) as error:
        call_command("city", "load", str(folder))
    assert "profile.toml" in str(error.value) and "city.map.zoom" in str(error.value)
    assert list(City.objects.values("slug", "profile", "loaded_at")) == before


def test_city_list_names_both_profiles(capsys):
    call_command("city", "list")
    assert capsys.readouterr().out.split() == ["mumbai", "seoul"]


def test_demo_without_serving_sets_up_the_city(capsys, monkeypatch):
    from hamkke.budget import demo as budget_demo
    from hamkke.plaza import demo as plaza_demo

    monkeypatch.setattr(budget_demo, "DEMO_BALLOTS", 2_000)  # the full 100,000 take seconds
    monkeypatch.setattr(plaza_demo, "DEMO_DOCUMENTS", 300)  # the full 30,000 take seconds
    call_command("demo", "--no-serve")
    assert City.objects.filter(slug=settings.HAMKKE_CITY).exists()
    assert "Seoul" in capsys.readouterr().out
