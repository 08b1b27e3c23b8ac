"""The platform's one map: every page with a map configures the same component (core/map.js)
through `{% map_attrs %}`, with the tile server of the settings and the city's outline, which the
API serves simplified for drawing; and the geometry that simplification rests on."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from shapely.geometry import MultiPoint, Polygon, shape

from hamkke.core import geo
from hamkke.core.city import selectors as city_selectors
from hamkke.core.models import District, DistrictBoundary
from tests import factories

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "hamkke"
TILES = "https://tiles.example.test/hamkke/{z}/{x}/{y}.png"
CREDIT = '&copy; <a href="https://tiles.example.test/credits">Example Tiles</a>'
OUTLINE = "/api/v1/city/outline.geojson"


class _Maps(HTMLParser):
    """The attributes of each element with data-map."""

    def __init__(self):
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "data-map" in values:
            self.found.append(values)


def maps_of(response) -> list[dict[str, str]]:
    parser = _Maps()
    parser.feed(response.content.decode())
    return parser.found


# --- the outline the maps draw ----------------------------------------------------------------


@pytest.fixture
def outline(client, city):
    response = client.get(OUTLINE)
    assert response.status_code == 200
    return response


def test_the_outline_is_the_city_then_each_district_with_its_names(outline, city):
    assert outline["Content-Type"] == "application/geo+json"
    assert "max-age" in outline["Cache-Control"] and "public" in outline["Cache-Control"]
    data = json.loads(outline.content)
    assert data["type"] == "FeatureCollection"
    first, *districts = data["features"]
    assert first["properties"] == {"kind": "city", "name": "서울특별시", "name_en": "Seoul"}
    assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {f["properties"]["kind"] for f in districts} == {"district"}
    # Seoul's 25 gu, each once, with its names in both languages.
    assert len(districts) == 25
    named = {f["properties"]["code"]: f["properties"] for f in districts}
    assert set(named) == set(District.objects.filter(city=city).values_list("code", flat=True))
    assert named["11110"]["name"] == "종로구" and named["11110"]["name_en"] == "Jongno-gu"
    assert named["11440"]["name"] == "마포구" and named["11440"]["area_km2"] > 20


def test_each_districts_outline_stays_within_metres_of_the_profiles(outline, city):
    districts = json.loads(outline.content)["features"][1:]
    original = dict(
        DistrictBoundary.objects.filter(district__city=city).values_list(
            "district__code", "geometry"
        )
    )
    for feature in districts:
        drawn = shape(feature["geometry"])
        source = shape(original[feature["properties"]["code"]])
        assert drawn.is_valid
        # No corner of the profile's outline is far from the drawn one: within the
        # simplification's tolerance, twice it where GEOS also drops a ring's first point.
        corners = MultiPoint(list(source.exterior.coords))
        farthest = max(drawn.exterior.distance(corner) for corner in corners.geoms)
        assert farthest <= 2 * geo.MAP_TOLERANCE_DEGREES
        assert abs(drawn.area - source.area) / source.area < 0.01


def test_each_name_is_placed_inside_its_own_district(outline, city):
    for feature in json.loads(outline.content)["features"][1:]:
        longitude, latitude = feature["properties"]["label"]
        found = city_selectors.district_at(city, latitude, longitude)
        assert found.code == feature["properties"]["code"]


def test_the_outline_is_smaller_than_the_profiles_boundaries(outline, city):
    source = sum(
        len(json.dumps(g)) for g in DistrictBoundary.objects.values_list("geometry", flat=True)
    )
    assert len(outline.content) < source * 0.6


def test_a_shape_loses_the_points_a_map_cannot_show_and_the_digits_it_need_not():
    # A square of side 0.01° with a point a metre off its bottom edge, and long decimals.
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [127.0, 37.5],
                [127.005, 37.5000091234],
                [127.01, 37.5],
                [127.01, 37.51],
                [127.0, 37.51],
                [127.0, 37.5],
            ]
        ],
    }
    drawn = geo.map_shape(square)
    assert drawn["type"] == "Polygon"
    ring = drawn["coordinates"][0]
    assert len(ring) == 5 and [127.005, 37.50001] not in ring
    assert all(len(repr(value).split(".")[1]) <= 5 for point in ring for value in point)


def test_a_name_is_placed_inside_a_crescent_where_its_centroid_is_not():
    crescent = Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 8), (8, 8), (8, 2), (0, 2), (0, 0)])
    assert not crescent.contains(crescent.centroid)
    longitude, latitude = geo.label_point(crescent.__geo_interface__)
    assert crescent.contains(shape({"type": "Point", "coordinates": (longitude, latitude)}))


# --- every page with a map ----------------------------------------------------------------------


def litter_in_jongno():
    """A report of litter at Jongno 3-ga (also the browser tests')."""
    from hamkke.complaints import services
    from hamkke.complaints.models import Category
    from tests.complaints.conftest import JONGNO

    return services.file_complaint(
        category=Category.objects.get(code="litter"),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="Rubbish by the crossing.",
    )


def _complaint_page(client, city):
    complaint = litter_in_jongno()
    return reverse("complaints:detail", args=[complaint.tracking_number]), "view"


def _budget_project_page(client, city):
    from hamkke.budget.models import Project
    from hamkke.core.models import Location
    from tests.budget.conftest import MAPO, make_cycle

    cycle = make_cycle(city, phase="voting")
    project = Project.objects.get(cycle=cycle, code="m2")
    project.location = Location.objects.create(
        latitude=37.5563, longitude=126.9236, district=District.objects.get(code=MAPO)
    )
    project.save()
    return reverse("budget:project", args=[cycle.slug, "m2"]), "view"


def _budget_propose_page(client, city):
    from tests.budget.conftest import make_cycle

    cycle = make_cycle(city, phase="proposals")
    client.force_login(factories.make_user())
    return reverse("budget:propose", args=[cycle.slug]), "pick"


def _idea_write_page(client, city):
    from tests.polls.conftest import phone_voter

    client.force_login(phone_voter())
    return reverse("ideas:new"), "pick"


def _idea_page(client, city):
    from hamkke.ideas.models import Theme
    from hamkke.ideas.services import post_idea
    from tests.polls.conftest import phone_voter

    idea = post_idea(
        actor=phone_voter(),
        title="마포에 그늘막을",
        body="버스 정류장마다 그늘막을 설치합니다.",
        theme=Theme.objects.get(city=city, code="transport"),
        point=(37.5563, 126.9236),
    )
    return reverse("ideas:idea", args=[idea.pk]), "view"


MAP_PAGES = {
    "complaints map": lambda client, city: ("/complaints/", "view"),
    "complaint form": lambda client, city: ("/complaints/new/", "pick"),
    "complaint": _complaint_page,
    "budget project": _budget_project_page,
    "budget proposal form": _budget_propose_page,
    "idea form": _idea_write_page,
    "idea": _idea_page,
}


@pytest.mark.parametrize("page", sorted(MAP_PAGES))
def test_every_map_page_configures_the_one_component_from_the_settings(
    client, city, settings, page
):
    settings.HAMKKE_MAP_TILES = TILES
    settings.HAMKKE_MAP_ATTRIBUTION = CREDIT
    path, mode = MAP_PAGES[page](client, city)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    (found,) = maps_of(response)
    assert found["data-map"] == mode
    assert found["data-tiles"] == TILES
    assert found["data-attribution"] == CREDIT
    assert found["data-outline-url"].startswith(OUTLINE + "?v=")
    assert found["data-center"] == f"{city.center_lat},{city.center_lon}"
    assert found["data-zoom"] == str(city.zoom)
    # The component's script, after Leaflet's, and no page's own copy of a map.
    assert html.index("leaflet-1.9.4/leaflet.js") < html.index("core/map.js")
    assert "core/map.css" in html
    assert "budget/map.js" not in html and "hamkke-map-tiles" not in html
    if mode == "pick":
        assert found["data-latitude"] == "id_latitude" and 'id="id_latitude"' in html
        assert found["data-status"] == "place-status" and 'id="place-status"' in html
        assert f'id="{found["data-messages"]}"' in html


def test_a_point_is_shown_where_it_is(client, city):
    path, _mode = _idea_page(client, city)
    (found,) = maps_of(client.get(path))
    assert found["data-point"] == "37.556300,126.923600"
    assert found["data-district"] == "11440"  # Mapo-gu, whose outline frames it without tiles


def test_the_reports_map_loads_the_filtered_reports_clustered(client, city):
    (found,) = maps_of(client.get("/complaints/", {"status": "resolved"}))
    assert found["data-points-url"].startswith(reverse("complaints:map-geojson") + "?")
    assert "status=resolved" in found["data-points-url"]
    assert "data-cluster" in found and found["data-kind"] == "complaints"


def test_the_report_form_offers_the_location_button_to_the_map(client, city):
    response = client.get("/complaints/new/")
    (found,) = maps_of(response)
    assert found["data-locate"] == "use-my-location"
    assert 'id="use-my-location"' in response.content.decode()


def test_without_a_tile_server_the_map_is_drawn_from_the_outline_alone(client, city, settings):
    settings.HAMKKE_MAP_TILES = ""
    (found,) = maps_of(client.get("/complaints/"))
    assert found["data-tiles"] == ""
    assert found["data-outline-url"].startswith(OUTLINE)


def test_the_outline_url_changes_when_the_profile_is_loaded_again(client, city):
    (before,) = maps_of(client.get("/complaints/"))
    factories.load_seoul()
    (after,) = maps_of(client.get("/complaints/"))
    assert before["data-outline-url"] != after["data-outline-url"]


def _templates_with_maps() -> list[Path]:
    return [
        path
        for path in PACKAGE_DIR.rglob("templates/**/*.html")
        if "{% map_attrs" in path.read_text(encoding="utf-8")
    ]


def test_every_template_with_a_map_loads_the_component_and_draws_no_map_of_its_own():
    templates = _templates_with_maps()
    assert len(templates) >= 7
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert 'include "core/includes/map_scripts.html"' in text, path
        assert 'include "core/includes/map_styles.html"' in text, path
    # One script draws maps: no other calls Leaflet's map or tile layer.
    scripts = [p for p in PACKAGE_DIR.rglob("static/**/*.js") if "vendor" not in p.parts]
    drawing = [p for p in scripts if re.search(r"L\.(map|tileLayer)\(", p.read_text("utf-8"))]
    assert [p.relative_to(PACKAGE_DIR).as_posix() for p in drawing] == ["core/static/core/map.js"]
    assert finders.find("core/map.js") and finders.find("core/map.css")
