"""A citizen reports a problem from a phone-sized Chromium: the category, the place on the map
(map tiles are blocked, as they are offline), a photo whose GPS the server reads, the open report
nearby offered to follow, the receipt and the public page with its history. And the same form
without JavaScript, in two steps."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hamkke.complaints import services
from hamkke.complaints.models import Category, Complaint
from hamkke.core.models import Media
from tests import factories
from tests.complaints.conftest import JONGNO
from tests.core.image_files import gps_exif, image_bytes
from tests.e2e.accessibility import assert_page_basics
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e

# Seoul's bounding box, roughly: a point set by tapping the map must fall in it.
SEOUL_LAT, SEOUL_LON = (37.41, 37.72), (126.76, 127.19)
RECEIVED = ("접수", "received")


def block_tiles(page) -> None:
    page.route(re.compile(r"https://tile\.openstreetmap\.org/.*"), lambda route: route.abort())


def test_a_citizen_reports_from_a_phone(site, phone_page, tmp_path, screenshot):
    page = phone_page
    block_tiles(page)
    litter = Category.objects.get(code="litter")
    existing = services.file_complaint(
        category=litter,
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="Rubbish bags left by the crossing for days.",
    )
    # A phone photo taken at Seoul City Hall (Jung-gu), with its GPS in the EXIF.
    photo = tmp_path / "IMG_2041.jpg"
    photo.write_bytes(image_bytes(size=(320, 240), exif=gps_exif()))

    page.goto(f"{site}/complaints/new/")
    assert_page_basics(page)
    # With JavaScript the form is one page: no step-one button, the details are shown.
    expect(page.locator("#report-details")).to_be_visible()
    expect(page.locator("button[value=choose]")).to_have_count(0)
    expect(page.locator("#report-map")).to_be_visible()

    page.locator("#id_category").select_option("litter")
    page.locator("#report-map").click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    assert SEOUL_LAT[0] < latitude < SEOUL_LAT[1]
    assert SEOUL_LON[0] < longitude < SEOUL_LON[1]
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)

    # Typing the coordinates moves the pin; the open report a few metres away is offered.
    page.locator("#id_latitude").fill(str(JONGNO[0] + 0.0002))
    page.locator("#id_longitude").fill(str(JONGNO[1]))
    page.locator("#id_longitude").press("Tab")
    nearby = page.locator("#nearby")
    expect(nearby).to_contain_text(existing.tracking_number)
    expect(nearby.locator(f"a[href='/complaints/{existing.tracking_number}/']")).to_be_visible()

    page.locator("#id_photos").set_input_files(str(photo))
    # The place is already set, so the photo's place (in Jung-gu) is offered, not imposed.
    expect(page.locator("#photo-status")).to_contain_text("중구")
    expect(page.locator("#photo-status button")).to_be_visible()
    assert page.locator("#id_latitude").input_value() == str(JONGNO[0] + 0.0002)

    page.locator("#id_description").fill("Another pile of rubbish next to the first one.")
    screenshot(page, "complaints-form-phone")
    page.locator("button[name=step][value=file]").click()

    page.wait_for_url(re.compile(r".*/complaints/\d{6}-[0-9A-Z]{5}/receipt/$"))
    number = page.locator("#tracking-number").inner_text().strip()
    complaint = Complaint.objects.get(tracking_number=number)
    assert complaint.pk != existing.pk
    assert complaint.description == "Another pile of rubbish next to the first one."
    assert complaint.location.latitude == pytest.approx(JONGNO[0] + 0.0002)
    assert Media.objects.filter(target_id=str(complaint.pk), kind="photo").count() == 1
    assert_page_basics(page)
    screenshot(page, "complaints-receipt-phone")

    page.locator(f"a[href='/complaints/{number}/']").first.click()
    page.wait_for_url(f"{site}/complaints/{number}/")
    first_step = page.locator(".timeline .status").first
    expect(first_step).to_be_visible()
    assert first_step.inner_text().strip() in RECEIVED
    expect(page.locator(".photos img")).to_have_count(1)
    assert_page_basics(page)
    screenshot(page, "complaints-detail-phone")


def test_the_form_works_without_javascript_in_two_steps(site, browser, tmp_path):
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        photo = tmp_path / "pothole.jpg"
        photo.write_bytes(image_bytes(size=(200, 150)))
        page.goto(f"{site}/complaints/new/")
        expect(page.locator("#report-details")).to_be_hidden()
        expect(page.locator("#report-map")).to_be_hidden()
        page.locator("#id_category").select_option("road-damage")
        page.locator("#id_latitude").fill(str(JONGNO[0]))
        page.locator("#id_longitude").fill(str(JONGNO[1]))
        # Enter in a field would do the same: an unseen copy of this button comes first.
        page.locator(".step-next button[value=choose]").click()

        page.wait_for_load_state()
        expect(page.locator("#report-details")).to_be_visible()
        assert_page_basics(page)
        page.locator("#id_answer_pothole_size").select_option("large")
        page.locator("#id_description").fill("A pothole in the bus lane.")
        page.locator("#id_photos").set_input_files(str(photo))
        page.locator("button[name=step][value=file]").click()

        page.wait_for_url(re.compile(r".*/receipt/$"))
        number = page.locator("#tracking-number").inner_text().strip()
        complaint = Complaint.objects.get(tracking_number=number)
        assert complaint.answers == {"pothole_size": "large"}
        assert complaint.category.code == "road-damage"
    finally:
        context.close()


def test_the_public_map_clusters_the_reports_and_the_list_links_them(site, phone_page, screenshot):
    page = phone_page
    block_tiles(page)
    litter = Category.objects.get(code="litter")
    numbers = [
        services.file_complaint(
            category=litter,
            latitude=JONGNO[0] + i * 0.0001,
            longitude=JONGNO[1],
            description=f"Pile number {i}",
        ).tracking_number
        for i in range(3)
    ]

    page.goto(f"{site}/complaints/")
    assert_page_basics(page)
    reports_map = page.locator("#complaints-map")
    expect(reports_map).to_be_visible()
    expect(reports_map).to_have_attribute("data-features", "3")
    # Three reports metres apart make one cluster of 3, whatever zoom the map fits them at.
    expect(page.locator(".marker-cluster")).to_have_count(1)
    expect(page.locator(".marker-cluster")).to_have_text("3")
    for number in numbers:
        expect(page.locator(f".report-list a[href='/complaints/{number}/']")).to_have_count(1)
    screenshot(page, "complaints-map-phone")


def test_questions_follow_the_category_and_a_photo_sets_an_empty_place(site, phone_page, tmp_path):
    page = phone_page
    block_tiles(page)
    photo = tmp_path / "IMG_2042.jpg"
    photo.write_bytes(image_bytes(size=(320, 240), exif=gps_exif()))

    page.goto(f"{site}/complaints/new/")
    page.locator("#id_category").select_option("road-damage")
    question = page.locator("#id_answer_pothole_size")
    expect(question).to_be_visible()
    expect(question.locator("option[value=large]")).to_have_count(1)
    page.locator("#id_category").select_option("litter")
    expect(question).to_have_count(0)

    # No place yet: the photo's GPS (Seoul City Hall, 37°33'59.4"N 126°58'40.68"E) sets it.
    page.locator("#id_photos").set_input_files(str(photo))
    expect(page.locator("#id_latitude")).to_have_value("37.566500")
    expect(page.locator("#id_longitude")).to_have_value("126.977967")
    expect(page.locator("#photo-status")).to_contain_text("중구")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    assert not Media.objects.exists()  # reading the place stored nothing


def test_a_signed_in_citizen_follows_a_nearby_report_instead(site, phone_page):
    page = phone_page
    block_tiles(page)
    factories.make_user(email="minji@example.org")
    existing = services.file_complaint(
        category=Category.objects.get(code="litter"),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="Rubbish bags left by the crossing for days.",
    )
    page.goto(f"{site}/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    form.locator("input[name=login]").fill("minji@example.org")
    form.locator("input[type=password]").fill(factories.PASSWORD)
    form.locator("input[type=password]").press("Enter")
    page.wait_for_url(f"{site}/me/")

    page.goto(f"{site}/complaints/new/")
    page.locator("#id_category").select_option("litter")
    page.locator("#id_latitude").fill(str(JONGNO[0]))
    page.locator("#id_longitude").fill(str(JONGNO[1] + 0.0002))
    page.locator("#id_longitude").press("Tab")
    follow = page.locator(
        f"#nearby button[formaction='/complaints/{existing.tracking_number}/follow/']"
    )
    expect(follow).to_be_visible()
    follow.click()

    page.wait_for_url(f"{site}/complaints/{existing.tracking_number}/")
    existing.refresh_from_db()
    assert existing.followers_count == 1
    assert Complaint.objects.count() == 1  # followed, not filed again


def test_the_address_finds_places_that_set_the_pin(site, phone_page, screenshot):
    page = phone_page
    block_tiles(page)
    page.goto(f"{site}/complaints/new/")
    page.locator("#id_category").select_option("litter")
    page.locator("#id_address").fill("강남")
    page.locator("#id_address").press("Enter")  # searches; it does not send the report
    choices = page.locator("#place-results button.place-choice")
    expect(choices).to_have_count(3)
    expect(choices.first).to_contain_text("강남역")
    assert not Complaint.objects.exists()
    screenshot(page, "complaints-find-place-phone")

    choices.first.click()
    expect(page.locator("#id_latitude")).to_have_value("37.497900")
    expect(page.locator("#id_longitude")).to_have_value("127.027600")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#place-results")).to_contain_text("강남역")
    expect(page.locator("#place-results button")).to_have_count(0)

    page.locator("#id_address").fill("Atlantis")
    page.locator("#find-place").click()
    expect(page.locator("#place-results")).to_contain_text("Atlantis")
    expect(page.locator("#place-results button")).to_have_count(0)
    assert_page_basics(page)


def test_the_address_finds_places_without_javascript(site, browser):
    context = browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{site}/complaints/new/")
        page.locator("#id_category").select_option("litter")
        page.locator("#id_address").fill("Seoul Station")
        page.locator("#find-place").click()
        page.wait_for_load_state()
        choice = page.locator("#place-results button[name=place]")
        expect(choice).to_have_count(1)
        assert_page_basics(page)
        choice.click()

        page.wait_for_load_state()
        expect(page.locator("#report-details")).to_be_visible()
        expect(page.locator("#id_latitude")).to_have_value("37.5547")
        expect(page.locator("#nearby")).to_contain_text("용산구")
        page.locator("#id_description").fill("Broken glass by exit 1.")
        page.locator("button[name=step][value=file]").click()
        page.wait_for_url(re.compile(r".*/receipt/$"))
        assert Complaint.objects.get().location.district.name == "용산구"
    finally:
        context.close()
