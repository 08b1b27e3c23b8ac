"""City profiles: both shipped profiles validate; broken ones are refused naming file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from hamkke.core.city.services import load_city
from hamkke.core.models import City, Department, District
from hamkke.core.profiles import ProfileError, read_profile

CITIES = Path(settings.HAMKKE_CITIES_DIR)


@pytest.fixture
def seoul_copy(tmp_path) -> Path:
    folder = tmp_path / "seoul"
    shutil.copytree(CITIES / "seoul", folder)
    return folder


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "profile.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in profile"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_seoul_profile_has_the_25_gu_and_the_official_area():
    loaded = read_profile(CITIES / "seoul")
    assert len(loaded.districts) == 25
    names = {d.name for d in loaded.districts}
    assert {"종로구", "강남구", "송파구", "마포구"} <= names
    # Seoul's official area is 605.2 km²; the simplified boundaries must stay within 1%.
    assert loaded.area_km2 == pytest.approx(605.2, rel=0.01)


def test_mumbai_profile_is_english_and_marked_approximate():
    loaded = read_profile(CITIES / "mumbai")
    assert loaded.profile.city.default_language == "en"
    assert loaded.profile.districts.approximate is True
    assert len(loaded.districts) == 24  # Greater Mumbai's 24 administrative wards


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    first = load_city(slug="seoul")
    counts = (District.objects.count(), Department.objects.count())
    second = load_city(slug="seoul")
    assert first.pk == second.pk
    assert City.objects.count() == 1
    assert (District.objects.count(), Department.objects.count()) == counts
    # 25 gu offices on top of the profile's own departments.
    own = len(read_profile(CITIES / "seoul").profile.departments)
    assert counts == (25, own + 25)


@pytest.mark.django_db
def test_reloading_updates_in_place(seoul_copy):
    load_city(slug="seoul", folder=seoul_copy)
    _edit(seoul_copy, 'name_en = "Road Management Division"', 'name_en = "Roads Division"')
    load_city(slug="seoul", folder=seoul_copy)
    assert Department.objects.get(code="road-management").name_en == "Roads Division"
    assert Department.objects.filter(code="road-management").count() == 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('time_zone = "Asia/Seoul"', 'time_zone = "Asia/Atlantis"', "city.time_zone"),
        ('default_language = "ko"', 'default_language = "tlh"', "city.default_language"),
        ('route = "transport"', 'route = "no-such-department"', "complaints.categories[2].route"),
        ("sla_days = 7", "sla_days = 0", "complaints.categories[0].sla_days"),
        ('group = "roads"', 'group = "nowhere"', "complaints.categories[0].group"),
        ("zoom = 11", "zoom = 40", "city.map.zoom"),
        (
            '[[departments]]\ncode = "transport"',
            '[[departments]]\ncode = "Bad Code!"',
            "departments[0].code",
        ),
        ('slug = "seoul"', 'slug = "seoul"\nmayor = "unknown field"', "city.mayor"),
        ("latitude = 37.5663", 'latitude = "37.5663"', "landmarks[0].latitude"),
        ("longitude = 126.9779", "longitude = 226.9779", "landmarks[0].longitude"),
        ('code = "coex"', 'code = "city-hall"', "landmarks: code 'city-hall' appears twice"),
        ('kind = "palace"', 'kind = "Royal Palace"', "landmarks[2].kind"),
    ],
)
def test_a_broken_field_is_named_with_its_file(seoul_copy, old, new, expected):
    _edit(seoul_copy, old, new)
    with pytest.raises(ProfileError) as error:
        read_profile(seoul_copy)
    message = str(error.value)
    assert str(seoul_copy / "profile.toml") in message
    assert expected in message


def test_not_toml_is_refused(seoul_copy):
    (seoul_copy / "profile.toml").write_text("[city\nname = ", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML"):
        read_profile(seoul_copy)


def test_a_missing_districts_file_is_named(seoul_copy):
    (seoul_copy / "districts.geojson").unlink()
    with pytest.raises(ProfileError, match=r"districts\.geojson: no such file"):
        read_profile(seoul_copy)


def test_a_district_without_its_code_property_is_named(seoul_copy):
    path = seoul_copy / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["features"][3]["properties"]["SIG_CD"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"features\[3\]\.properties: needs 'SIG_CD'"):
        read_profile(seoul_copy)


def test_a_self_crossing_polygon_is_refused(seoul_copy):
    path = seoul_copy / "districts.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[127.0, 37.5], [127.1, 37.6], [127.1, 37.5], [127.0, 37.6], [127.0, 37.5]]
        ],
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProfileError, match=r"features\[0\]\.geometry: invalid polygon"):
        read_profile(seoul_copy)


def test_map_centre_outside_the_city_is_refused(seoul_copy):
    _edit(seoul_copy, "center = [37.5665, 126.9780]", "center = [35.1796, 129.0756]")  # Busan
    with pytest.raises(ProfileError, match=r"city\.map\.center"):
        read_profile(seoul_copy)


@pytest.mark.django_db
def test_a_broken_profile_leaves_the_database_as_it_was(seoul_copy):
    load_city(slug="seoul")
    before = Department.objects.get(code="transport").name
    _edit(seoul_copy, 'name = "도시교통실"', 'name = "바뀐 이름"')
    _edit(seoul_copy, "sla_days = 7", "sla_days = -1")
    with pytest.raises(ProfileError):
        load_city(slug="seoul", folder=seoul_copy)
    assert Department.objects.get(code="transport").name == before


def test_a_route_for_an_unknown_district_is_named(seoul_copy):
    _edit(seoul_copy, 'district = "11110"', 'district = "99999"')
    with pytest.raises(ProfileError, match=r"complaints\.routes\[0\]\.district: unknown district"):
        read_profile(seoul_copy)


def test_a_place_outside_the_city_is_refused_by_its_index(seoul_copy):
    _edit(
        seoul_copy,
        "latitude = 37.5663\nlongitude = 126.9779",
        "latitude = 35.1796\nlongitude = 129.0756",
    )
    with pytest.raises(ProfileError) as error:
        read_profile(seoul_copy)
    message = str(error.value)
    assert str(seoul_copy / "profile.toml") in message
    assert "landmarks[0]: 'city-hall' at (35.1796, 129.0756) is not in any" in message


@pytest.mark.parametrize("slug", ["seoul", "mumbai"])
def test_the_shipped_landmarks_have_unique_names_in_both_languages(slug):
    places = read_profile(CITIES / slug).profile.landmarks
    assert len(places) >= 12
    assert all(place.name and place.name_en for place in places)
    assert len({place.name for place in places}) == len(places)
