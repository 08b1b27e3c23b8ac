"""Placing points in the city: known landmarks fall in their districts; outside is an error."""

from __future__ import annotations

import pytest
from django.utils import translation

from hamkke.core.city.services import locate
from hamkke.core.errors import InvalidInput, OutsideCity
from hamkke.core.models import Location

pytestmark = pytest.mark.django_db

# Landmarks and the gu they are in (public knowledge, not computed by Hamkke).
LANDMARKS = [
    ("Seoul City Hall", 37.5663, 126.9779, "중구"),
    ("Gyeongbokgung", 37.5796, 126.9770, "종로구"),
    ("Bukchon Hanok Village", 37.5826, 126.9831, "종로구"),
    ("COEX", 37.5116, 127.0595, "강남구"),
    ("Lotte World Tower", 37.5126, 127.1025, "송파구"),
    ("Hongik University", 37.5509, 126.9250, "마포구"),
]


@pytest.mark.parametrize(("place", "lat", "lon", "gu"), LANDMARKS)
def test_landmarks_fall_in_their_district(city, place, lat, lon, gu):
    location = locate(latitude=lat, longitude=lon, address=place)
    assert location.district.name == gu
    assert location.address == place
    assert len(location.h3_cell) == 15


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(35.1796, 129.0756), (37.4563, 126.7052), (0.0, 0.0)],  # Busan, Incheon
)
def test_points_outside_seoul_are_refused_and_nothing_is_stored(city, lat, lon):
    with translation.override("en"), pytest.raises(OutsideCity) as error:
        locate(latitude=lat, longitude=lon)
    assert "outside" in error.value.message
    assert Location.objects.count() == 0


@pytest.mark.parametrize(("lat", "lon"), [("north", 126.9), (91, 126.9), (37.5, 181)])
def test_malformed_points_are_refused(city, lat, lon):
    with pytest.raises(InvalidInput):
        locate(latitude=lat, longitude=lon)


def test_locate_api_answers_district_and_400_outside(client, city):
    inside = client.get("/api/v1/locate", {"latitude": 37.5826, "longitude": 126.9831})
    assert inside.status_code == 200
    assert inside.json()["district"]["name_en"] == "Jongno-gu"
    outside = client.get("/api/v1/locate", {"latitude": 35.1796, "longitude": 129.0756})
    assert outside.status_code == 400
    assert outside.json()["code"] == "outside_city"
    assert "밖" in outside.json()["detail"]  # said in the city's language: "outside"
    assert Location.objects.count() == 0


def test_locate_api_explains_a_missing_parameter(client, city):
    response = client.get("/api/v1/locate", {"latitude": 37.5})
    assert response.status_code == 422
    assert "longitude" in response.json()["detail"]


def test_apps_choose_the_language_of_api_messages(client, city):
    english = client.get(
        "/api/v1/locate",
        {"latitude": 35.1796, "longitude": 129.0756},
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8",
    )
    assert "outside" in english.json()["detail"]
    assert english["Content-Language"] == "en"
