"""Setting a report's place by its address on the form without JavaScript: an address alone
that matches one place is taken (and said), several are offered, none is an error beside the
field; the "Find" button and ?find= list the places as buttons that set the point."""

from __future__ import annotations

import re

import pytest

from hamkke.complaints.models import Complaint
from tests.complaints.conftest import MAPO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = "/complaints/new/"
GYEONGBOKGUNG = (37.5796, 126.977)


def step_one(**fields) -> dict:
    data = {"step": "choose", "category": "litter", "latitude": "", "longitude": ""}
    data.update(fields)
    return data


def place_buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" name="place" value="([^"]+)"', html)


def default_button(html: str) -> tuple[str, str]:
    """The report form's first submit button: the one Enter in a field presses."""
    form = html.split('id="report-form"', 1)[1]
    return re.search(r'<button type="submit" name="(\w+)" value="(\w*)"', form).groups()


def test_an_address_matching_one_place_sets_the_point_and_says_so(client, city):
    page = client.post(NEW, step_one(address="경복궁"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="choose"' not in html  # step two
    assert "The place was set from the address: Gyeongbokgung Palace, in Jongno-gu." in html
    assert "The place is in Jongno-gu." in html
    assert 'name="latitude" value="37.5796"' in html
    assert 'name="longitude" value="126.977"' in html

    sent = client.post(
        NEW,
        {
            "step": "file",
            "category": "litter",
            "latitude": "37.5796",
            "longitude": "126.977",
            "address": "경복궁",
            "description": "Rubbish bags by the palace wall.",
        },
    )
    assert sent.status_code == 302
    complaint = Complaint.objects.get()
    location = complaint.location
    assert (location.latitude, location.longitude) == GYEONGBOKGUNG
    assert location.district.name_en == "Jongno-gu"
    assert location.address == "경복궁"


def test_an_address_matching_nothing_is_an_error_beside_the_field(client, city):
    page = client.post(NEW, step_one(address="Atlantis Street 12"))
    html = page.content.decode()
    assert page.status_code == 400
    assert 'value="choose"' in html  # still step one
    assert "No place called “Atlantis Street 12” was found." in html
    field = html.split('id="id_address"')[0].rsplit('<div class="field', 1)[1]
    assert field.startswith(" field-error")
    # One message, about the address; not a second one asking for coordinates.
    assert "Set the place: tap the map" not in html
    assert not Complaint.objects.exists()


def test_an_address_matching_several_places_asks_which(client, city):
    page = client.post(NEW, step_one(address="강남"))
    html = page.content.decode()
    assert page.status_code == 400
    assert "Several places match “강남”: choose one below." in html
    choices = place_buttons(html)
    assert len(choices) == 3  # Gangnam Station, Gangnam-gu and its office
    assert "Gangnam Station" in html

    picked = client.post(NEW, {**step_one(address="강남"), "place": choices[0]})
    html = picked.content.decode()
    assert picked.status_code == 200
    assert 'value="choose"' not in html  # step two, at the picked place
    assert f'name="latitude" value="{float(choices[0].split(",")[0])}"' in html
    assert "The place is in Seocho-gu." in html  # Gangnam Station, as the outlines draw it


def test_coordinates_win_over_an_address_that_is_only_a_hint(client, city):
    page = client.post(
        NEW, step_one(latitude=MAPO[0], longitude=MAPO[1], address="in front of exit 3")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "The place is in Mapo-gu." in html
    assert "The place was set from the address" not in html


def test_find_lists_places_as_buttons_without_javascript(client, city):
    page = client.get(NEW, {"find": "gyeongbokgung", "category": "litter"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="choose"' in html  # step one, with the category kept
    assert '<option value="litter" selected>' in html
    assert "Places found for “gyeongbokgung”" in html
    assert place_buttons(html) == ["37.579600,126.977000"]
    assert 'name="address" value="gyeongbokgung"' in html

    # The Find button sends the form (with its CSRF token, so by POST) naming the address.
    pressed = client.post(NEW, {**step_one(address="Seoul Station"), "find": ""})
    html = pressed.content.decode()
    assert pressed.status_code == 200
    assert "Places found for “Seoul Station”" in html
    assert place_buttons(html)[0] == "37.554700,126.970600"

    nothing = client.post(NEW, {**step_one(address="Atlantis"), "find": ""})
    assert "No place called “Atlantis” was found." in nothing.content.decode()
    empty = client.post(NEW, {**step_one(address=""), "find": ""})
    assert empty.status_code == 400
    assert "Type an address or the name of a place" in empty.content.decode()
    assert not Complaint.objects.exists()


def test_find_never_takes_enter_from_next_or_send(client, city):
    html = client.get(NEW).content.decode()
    assert default_button(html) == ("step", "choose")  # not "Find"
    assert 'id="find-place"' in html
    # On step two, "Find" is the script's only (a plain button): Enter still sends the report.
    second = client.post(NEW, step_one(latitude=MAPO[0], longitude=MAPO[1])).content.decode()
    assert default_button(second) == ("step", "file")
    assert '<button type="button" name="find"' in second


def test_the_form_shares_the_searches_allowance_with_the_api(client, city):
    for _ in range(60):
        client.get("/api/v1/geocode", {"q": "서울역"})
    page = client.post(NEW, step_one(address="경복궁"))
    assert page.status_code == 400
    assert "Too many requests from you" in page.content.decode()
