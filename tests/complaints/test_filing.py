"""complaints.filing: the one step the report form, the JSON API and Open311 file through, and
that each entry point words its refusals in its own format."""

from __future__ import annotations

import pytest
from django.utils import translation

from hamkke.complaints import filing, services
from hamkke.complaints.models import Channel, Complaint
from hamkke.core.actors import Actor
from hamkke.core.errors import InvalidInput, NotAllowed
from tests.complaints.conftest import BUSAN, JONGNO

pytestmark = pytest.mark.django_db

CONTACT = services.Contact(name="홍길동", email="anon@example.org", phone="010-1234-5678")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def file(actor=None, **fields):
    fields.setdefault("category", "litter")
    fields.setdefault("latitude", JONGNO[0])
    fields.setdefault("longitude", JONGNO[1])
    fields.setdefault("description", "골목에 쓰레기가 쌓여 있습니다.")
    return filing.file_report(actor=actor, **fields)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"category": ""}, "category", "Choose what kind of problem it is."),
        ({"category": "moon-dust"}, "category", "No category with code moon-dust"),
        ({"latitude": None}, "location", "latitude and longitude"),
        ({"latitude": BUSAN[0], "longitude": BUSAN[1]}, "location", "outside"),
    ],
)
def test_refusals_name_the_field_they_concern(city, fields, field, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        file(**fields)
    assert refused.value.field == field
    assert not Complaint.objects.exists()


def test_the_category_is_looked_up_by_code_and_the_rest_goes_to_the_service(city):
    complaint = file(answers={}, address="종로3가역", contact=CONTACT)
    assert complaint.category.code == "litter"
    assert complaint.location.address == "종로3가역"
    assert complaint.contact_email == "anon@example.org"
    assert complaint.reporter is None and complaint.channel == Channel.WEB


def test_contact_details_are_kept_only_without_an_account(city, citizen):
    complaint = file(Actor(user=citizen, address="10.0.0.1"), contact=CONTACT)
    assert complaint.reporter == citizen
    contact = (complaint.contact_name, complaint.contact_email, complaint.contact_phone)
    assert contact == ("", "", "")


def test_a_banned_account_is_refused(city, citizen):
    citizen.banned_at = citizen.date_joined
    citizen.save()
    with pytest.raises(NotAllowed, match="may not file"):
        file(citizen)


def test_open311_files_for_the_app_not_for_a_signed_in_session(client, city, citizen):
    _client, key = services.create_api_client(name="Session app")
    client.force_login(citizen)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "litter",
            "lat": JONGNO[0],
            "long": JONGNO[1],
            "description": "쓰레기",
            "email": "app-user@example.org",
        },
    )
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert complaint.reporter is None and complaint.channel == Channel.OPEN311
    assert complaint.contact_email == "app-user@example.org"


def test_open311_words_the_filing_steps_refusals_in_its_own_terms(client, city):
    _client, key = services.create_api_client(name="Wording app")

    def refusal(**fields) -> tuple[int, str]:
        data = {"api_key": key, "service_code": "litter", "description": "x"}
        data.update(lat=JONGNO[0], long=JONGNO[1])
        data.update(fields)
        response = client.post("/open311/v2/requests.json", data, HTTP_ACCEPT_LANGUAGE="en")
        return response.status_code, response.json()[0]["description"]

    assert refusal(service_code="") == (400, "service_code is required")
    # GeoReport v2's errors table: an unknown service_code is 404 (issue #9, point 7).
    assert refusal(service_code="moon-dust") == (404, "service_code 'moon-dust' not found")
    assert refusal(lat="") == (400, "a location is required: lat and long")
    # A point given but outside the city keeps the filing step's own words.
    status, description = refusal(lat=BUSAN[0], long=BUSAN[1])
    assert status == 400 and "outside" in description
    # Out of range is the point's fault, not a missing one.
    status, description = refusal(lat=200)
    assert status == 400 and "between -90 and 90" in description
    assert not Complaint.objects.exists()
