"""The participatory budgeting API (/api/v1/budget): cycles, projects and their filters, proposing,
one's standing, the ballot check, casting (and its refusals), receipts, the results before and
after publication, committee scores, the OpenAPI schema, no personal data in public answers, and
two ballots of one person racing each other."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hamkke.budget import services
from hamkke.budget.models import (
    Ballot,
    BallotChoice,
    CommitteeScore,
    Participation,
    Project,
    ProjectStatus,
    ProjectUpdate,
)
from hamkke.core.models import Location
from tests import factories
from tests.budget.conftest import (
    JONGNO,
    MAPO,
    make_cycle,
    make_resident,
    make_voter,
    paper_ballot,
    set_phase,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/budget"
BUSAN = (35.1796, 129.0756)
GWANGHWAMUN = (37.5759, 126.9768)  # Jongno-gu
HONGDAE = (37.5509, 126.9250)  # Mapo-gu


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def ballot_url(cycle, pool: str) -> str:
    return f"{API}/cycles/{cycle.slug}/pools/{pool}/ballots"


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for item in value for k in all_keys(item)}
    return set()


# --- cycles ------------------------------------------------------------------------------------


def test_cycles_list_their_phases(client, city, cycle):
    upcoming = make_cycle(city, phase="upcoming")
    body = client.get(f"{API}/cycles").json()
    by_slug = {c["slug"]: c for c in body}
    assert set(by_slug) == {cycle.slug, upcoming.slug}
    voting = by_slug[cycle.slug]
    assert voting["title"] == "2026 participatory budget"  # the English title, in English
    assert voting["phase"] == "voting" and voting["phase_label"] == "Voting"
    assert [p["phase"] for p in voting["phases"]] == [
        "proposals",
        "review",
        "voting",
        "scoring",
        "results",
        "implementation",
    ]
    assert voting["results_published_at"] is None
    assert by_slug[upcoming.slug]["phase"] == "upcoming"


def test_a_cycle_with_its_pools_weights_and_areas(client, city, cycle):
    body = client.get(f"{API}/cycles/{cycle.slug}").json()
    assert body["phase"] == "voting"
    starts = {p["phase"]: datetime.fromisoformat(p["starts_at"]) for p in body["phases"]}
    # JSON carries milliseconds.
    assert abs(starts["voting"] - cycle.voting_from) < timedelta(milliseconds=1)
    assert abs(starts["results"] - cycle.results_from) < timedelta(milliseconds=1)
    assert body["weights"] == {"vote": 45, "survey": 10, "committee": 45}
    assert body["rule"] == "greedy"
    pools = {p["code"]: p for p in body["pools"]}
    assert pools["city"]["district"] is None
    assert pools["city"]["ballot_kind"] == "approval" and pools["city"]["max_choices"] == 2
    assert pools["jongno"]["district"]["code"] == JONGNO
    assert pools["jongno"]["district"]["name"] == "Jongno-gu"
    assert pools["jongno"]["ballot_kind"] == "quota"
    assert pools["mapo"]["budget"] == 1000
    assert pools["mapo"]["min_spend_percent"] == 50 and pools["mapo"]["min_spend"] == 500
    area_codes = [a["code"] for a in body["areas"]]
    assert {"welfare", "environment", "transport", "culture", "safety"} <= set(area_codes)


def test_an_unknown_cycle_is_404(client, city):
    response = client.get(f"{API}/cycles/no-such-year")
    assert response.status_code == 404
    assert response.json() == {"detail": "No budget cycle 'no-such-year'.", "code": "not_found"}


# --- projects ----------------------------------------------------------------------------------


def test_the_project_list_filters_and_pages(client, city, cycle, pools):
    url = f"{API}/cycles/{cycle.slug}/projects"
    everything = client.get(url).json()
    assert everything["count"] == 11
    city_pool = client.get(url, {"pool": "city"}).json()
    assert sorted(p["code"] for p in city_pool["items"]) == ["c1", "c2", "c3", "c4"]
    welfare = client.get(url, {"area": "welfare"}).json()
    assert sorted(p["code"] for p in welfare["items"]) == ["c1", "j1", "j2", "m1"]
    both = client.get(url, {"pool": "jongno", "area": "welfare"}).json()
    assert sorted(p["code"] for p in both["items"]) == ["j1", "j2"]

    paged = client.get(url, {"page_size": 4, "page": 3}).json()
    assert (paged["count"], paged["pages"], paged["page"]) == (11, 3, 3)
    assert len(paged["items"]) == 3
    first_pages = [client.get(url, {"page_size": 4, "page": n}).json()["items"] for n in (1, 2)]
    codes = [p["code"] for page in [*first_pages, paged["items"]] for p in page]
    assert sorted(codes) == sorted(p.code for p in Project.objects.filter(cycle=cycle))

    item = next(p for p in everything["items"] if p["code"] == "m2")
    assert item["pool"] == "mapo" and item["pool_name"] == "Mapo-gu"
    assert item["area"]["code"] == "transport"
    assert item["district"]["code"] == MAPO
    assert item["cost"] == 300 and item["status"] == "accepted"
    assert item["status_label"] == "On the ballot"
    assert item["results"] is None
    assert item["url"] == f"/budget/{cycle.slug}/projects/m2/"


def test_statuses_filter_and_withdrawn_proposals_are_never_listed(client, city, cycle, pools):
    url = f"{API}/cycles/{cycle.slug}/projects"
    proposer = factories.make_user(email="proposer.private@example.org", display_name="박제안")
    for code, status in (("p1", "proposed"), ("p2", "rejected"), ("p3", "withdrawn")):
        Project.objects.create(
            cycle=cycle,
            pool=pools["city"],
            code=code,
            title=f"Idea {code}",
            summary="Something for the city",
            area=pools["city"].projects.first().area,
            proposer=proposer,
            status=status,
            review_reasons="Not the city's to do." if status == "rejected" else "",
        )
    assert client.get(url).json()["count"] == 13
    rejected = client.get(url, {"status": "rejected"}).json()["items"]
    assert [(p["code"], p["review_reasons"]) for p in rejected] == [("p2", "Not the city's to do.")]
    open_ones = client.get(url, {"status": ["proposed", "rejected"]}).json()["items"]
    assert sorted(p["code"] for p in open_ones) == ["p1", "p2"]
    assert open_ones[0]["proposer_name"] == "박제안"
    assert "proposer.private@example.org" not in json.dumps(client.get(url).json())

    withdrawn = client.get(url, {"status": "withdrawn"})
    assert withdrawn.status_code == 400
    assert withdrawn.json()["detail"] == (
        "Unknown status withdrawn; use one of: proposed, accepted, rejected."
    )
    assert client.get(f"{url}/p3").status_code == 404


def test_the_project_list_costs_the_same_queries_for_2_or_11_projects(client, city, cycle):
    url = f"{API}/cycles/{cycle.slug}/projects"
    client.get(url)  # the city is remembered after the first request

    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            items = client.get(url, {"page_size": page_size}).json()["items"]
        assert len(items) == page_size
        return len(captured)

    assert queries(2) == queries(11)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"pool": "busan"}, "No pool “busan” in this cycle."),
        ({"area": "space"}, "No project area “space”; use one of: "),
        ({"status": "done"}, "Unknown status done"),
    ],
)
def test_bad_filters_answer_400(client, city, cycle, query, message):
    response = client.get(f"{API}/cycles/{cycle.slug}/projects", query)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(message)


def test_one_project_with_its_place_review_and_updates(client, city, cycle, pools):
    project = Project.objects.get(cycle=cycle, code="j3")
    project.location = Location.objects.create(
        latitude=GWANGHWAMUN[0],
        longitude=GWANGHWAMUN[1],
        h3_cell="x",
        h3_area="y",
        district=project.district,
        address="세종대로 172",
    )
    project.description = "Lights on the hill path."
    project.save()
    ProjectUpdate.objects.create(project=project, implementation="planning", note="Designing.")

    body = client.get(f"{API}/cycles/{cycle.slug}/projects/j3").json()
    assert body["code"] == "j3" and body["description"] == "Lights on the hill path."
    assert body["location"] == {
        "latitude": GWANGHWAMUN[0],
        "longitude": GWANGHWAMUN[1],
        "address": "세종대로 172",
    }
    assert body["reviewing_department"] == project.reviewing_department.name_en
    assert [
        (u["implementation"], u["implementation_label"], u["note"]) for u in body["updates"]
    ] == [("planning", "Planning", "Designing.")]
    assert body["results"] is None
    missing = client.get(f"{API}/cycles/{cycle.slug}/projects/zz9")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No project 'zz9' in this cycle."


# --- proposing ---------------------------------------------------------------------------------


def proposal(**fields):
    data = {
        "pool": "jongno",
        "area": "environment",
        "title": "Shade trees on Ihwa-dong steps",
        "summary": "Plant twenty trees along the steps.",
        "description": "The steps are hot in summer.",
        "requested_cost": 80,
    }
    data.update(fields)
    return data


def test_proposing_a_project(client, city):
    cycle = make_cycle(city, phase="proposals")
    url = f"{API}/cycles/{cycle.slug}/projects"
    assert post(client, url, proposal()).status_code == 401
    citizen = factories.make_user(email="idea.person@example.org", display_name="이화 주민")
    client.force_login(citizen)
    response = post(client, url, proposal(latitude=GWANGHWAMUN[0], longitude=GWANGHWAMUN[1]))
    assert response.status_code == 201
    body = response.json()
    project = Project.objects.get(proposer=citizen)
    assert body["code"] == project.code == str(project.pk)
    assert body["status"] == "proposed" and body["cost"] is None
    assert body["requested_cost"] == 80
    assert body["district"]["code"] == JONGNO
    assert body["location"]["latitude"] == GWANGHWAMUN[0]
    assert body["proposer_name"] == "이화 주민"
    assert "idea.person@example.org" not in response.content.decode()
    assert project.title == "Shade trees on Ihwa-dong steps"
    assert project.location.district.code == JONGNO


def test_a_session_must_send_its_csrf_token(city):
    cycle = make_cycle(city, phase="proposals")
    url = f"{API}/cycles/{cycle.slug}/projects"
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(factories.make_user())
    refused = browser.post(url, proposal(), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Project.objects.filter(status=ProjectStatus.PROPOSED).exists()

    browser.get("/")  # sets the CSRF cookie, as a page of the site would
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        url, proposal(), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


@pytest.mark.parametrize(
    ("fields", "status", "code", "message"),
    [
        ({"area": "space"}, 400, "invalid", "No project area “space”"),
        ({"pool": "busan"}, 400, "invalid", "No pool “busan” in this cycle."),
        ({"district": MAPO}, 400, "invalid", "A project of the Jongno-gu pool must be in"),
        (
            {"latitude": HONGDAE[0], "longitude": HONGDAE[1]},
            400,
            "invalid",
            "A project of the Jongno-gu pool must be in",
        ),
        ({"latitude": BUSAN[0], "longitude": BUSAN[1]}, 400, "outside_city", ""),
        ({"latitude": GWANGHWAMUN[0]}, 400, "invalid", "Give both latitude and longitude"),
        ({"title": "   "}, 400, "invalid", "This field is required."),
        ({"requested_cost": 301}, 400, "invalid", "The cost must be above zero"),
    ],
    ids=[
        "area",
        "pool",
        "other-district",
        "point-in-other-district",
        "outside",
        "half-point",
        "blank-title",
        "over-budget",
    ],
)
def test_refused_proposals_leave_nothing(client, city, fields, status, code, message):
    cycle = make_cycle(city, phase="proposals")
    client.force_login(factories.make_user())
    response = post(client, f"{API}/cycles/{cycle.slug}/projects", proposal(**fields))
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["detail"].startswith(message)
    assert not Project.objects.filter(status=ProjectStatus.PROPOSED).exists()
    assert not Location.objects.exists()


def test_proposals_close_with_their_phase(client, city, cycle):
    client.force_login(factories.make_user())
    response = post(client, f"{API}/cycles/{cycle.slug}/projects", proposal())
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_phase"
    assert "“Voting” phase" in response.json()["detail"]


# --- standing and ballots ----------------------------------------------------------------------


def test_my_standing_per_pool(client, city, cycle, pools, jongno_voter):
    url = f"{API}/cycles/{cycle.slug}/me"
    assert client.get(url).status_code == 401
    Project.objects.create(
        cycle=cycle,
        pool=pools["jongno"],
        code="mine",
        title="My idea",
        summary="s",
        area=pools["jongno"].projects.first().area,
        proposer=jongno_voter,
        status=ProjectStatus.WITHDRAWN,
    )
    client.force_login(jongno_voter)
    before = client.get(url).json()
    assert before["verified"] is True and before["district"]["code"] == JONGNO
    assert before["committee_member"] is False
    assert {p["pool"]: (p["eligible"], p["voted"]) for p in before["pools"]} == {
        "city": (True, False),
        "jongno": (True, False),
        "mapo": (False, False),
    }
    assert [(p["code"], p["status"]) for p in before["proposals"]] == [("mine", "withdrawn")]

    assert post(client, ballot_url(cycle, "jongno"), {"choices": ["j1"]}).status_code == 201
    after = client.get(url).json()
    assert {p["pool"]: p["voted"] for p in after["pools"]} == {
        "city": False,
        "jongno": True,
        "mapo": False,
    }

    client.force_login(factories.make_user())
    stranger = client.get(url).json()
    assert stranger["verified"] is False and stranger["district"] is None
    assert not any(p["eligible"] for p in stranger["pools"])


@pytest.mark.parametrize(
    ("pool", "choices", "problems"),
    [
        ("city", ["c1", "c2"], []),
        ("city", ["c1", "c2", "c3"], ["You chose 3 projects; this ballot allows at most 2."]),
        (
            "jongno",
            ["j1", "j2", "j3"],
            [
                "One project per area: you chose j1, j2 in Welfare. A ballot with two in one area "
                "is void as a whole."
            ],
        ),
        ("jongno", ["j1", "j4", "j3"], []),
        ("mapo", ["m3"], ["Your choices cost 250; spend at least 500."]),
        ("mapo", ["m1", "m2", "m3"], ["Your choices cost 1,150, more than the budget of 1,000."]),
        ("mapo", [], ["Choose at least one project."]),
        ("mapo", ["m1", "c1"], ["These are not projects on the Mapo-gu ballot: c1."]),
    ],
)
def test_the_ballot_check_says_what_would_make_it_void(
    client, city, cycle, pool, choices, problems
):
    url = f"{API}/cycles/{cycle.slug}/pools/{pool}/ballot/check"
    body = post(client, url, {"choices": choices}).json()
    assert body == {"valid": not problems, "problems": problems}
    assert not Ballot.objects.exists()


def test_the_ballot_check_of_an_unknown_pool_is_404(client, city, cycle):
    response = post(client, f"{API}/cycles/{cycle.slug}/pools/busan/ballot/check", {"choices": []})
    assert response.status_code == 404
    assert response.json()["detail"] == "No pool 'busan' in this cycle."


def test_casting_a_ballot_gives_a_receipt(client, city, cycle, pools, jongno_voter):
    client.force_login(jongno_voter)
    response = post(client, ballot_url(cycle, "city"), {"choices": [" c2", "c4"]})
    assert response.status_code == 201
    body = response.json()
    ballot = Ballot.objects.get()
    assert len(body["receipt"].replace("-", "")) == 13
    assert body["pool"] == "city"
    assert body["receipt_url"] == f"{API}/cycles/{cycle.slug}/receipts/{body['receipt']}"
    assert sorted(ballot.choices.values_list("project__code", flat=True)) == ["c2", "c4"]
    register = Participation.objects.get()
    assert (register.pool, register.user, register.channel) == (
        pools["city"],
        jongno_voter,
        "online",
    )
    # The register says who voted, never what: no column of it leads to the ballot.
    assert not any(f.related_model is Ballot for f in Participation._meta.get_fields())

    again = post(client, ballot_url(cycle, "city"), {"choices": ["c1"]})
    assert again.status_code == 409
    assert again.json() == {
        "detail": "This person has already voted in the Citywide pool; a ballot is final.",
        "code": "already_voted",
    }
    assert Ballot.objects.count() == 1 and BallotChoice.objects.count() == 2


def test_ballot_refusals(client, city, cycle, jongno_voter):
    url = ballot_url(cycle, "jongno")
    assert post(client, url, {"choices": ["j1"]}).status_code == 401

    client.force_login(factories.make_user())
    unverified = post(client, url, {"choices": ["j1"]})
    assert unverified.status_code == 403
    assert unverified.json()["code"] == "verification_required"
    assert "verify your" in unverified.json()["detail"].lower()

    client.force_login(jongno_voter)
    other = post(client, ballot_url(cycle, "mapo"), {"choices": ["m1"]})
    assert other.status_code == 403
    assert other.json() == {
        "detail": "Only residents of Mapo-gu vote in this pool.",
        "code": "other_district",
    }

    void = post(client, url, {"choices": ["j1", "j2"]})
    assert void.status_code == 400
    assert void.json()["code"] == "void_ballot"
    assert void.json()["detail"].startswith("One project per area: you chose j1, j2 in Welfare.")

    missing = post(client, ballot_url(cycle, "busan"), {"choices": ["j1"]})
    assert missing.status_code == 404

    set_phase(cycle, "scoring")
    late = post(client, url, {"choices": ["j1"]})
    assert late.status_code == 409
    assert late.json()["code"] == "wrong_phase"
    assert not Ballot.objects.exists() and not Participation.objects.exists()


def test_a_ballot_session_must_send_its_csrf_token(city, cycle, jongno_voter):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(jongno_voter)
    refused = browser.post(ballot_url(cycle, "city"), {"choices": ["c1"]}, "application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert not Ballot.objects.exists()


def test_a_receipt_finds_its_ballot(client, city, cycle, pools, mapo_voter, budget_official):
    client.force_login(mapo_voter)
    receipt = post(client, ballot_url(cycle, "mapo"), {"choices": ["m2", "m3"]}).json()["receipt"]
    client.logout()
    body = client.get(f"{API}/cycles/{cycle.slug}/receipts/{receipt}").json()
    assert body["receipt"] == receipt
    assert body["pool"]["code"] == "mapo" and body["pool"]["name"] == "Mapo-gu"
    assert [c["code"] for c in body["choices"]] == ["m2", "m3"]
    assert body["void"] is False and body["void_reasons"] == []
    # People copy codes by hand: lower case and no dashes still find it.
    relaxed = receipt.replace("-", "").lower()
    assert client.get(f"{API}/cycles/{cycle.slug}/receipts/{relaxed}").status_code == 200

    _user, resident_id = make_resident(district_code=MAPO)
    paper = paper_ballot(
        actor=budget_official,
        pool=pools["mapo"],
        resident_id=resident_id,
        choices=["m1", "m2", "m3"],
    )
    void = client.get(f"{API}/cycles/{cycle.slug}/receipts/{paper.receipt}").json()
    assert void["void"] is True and void["void_reasons"] == ["over_budget"]
    assert void["choices"] == [] and void["void_marks"] == ["m1", "m2", "m3"]

    other_cycle = make_cycle(city)
    elsewhere = client.get(f"{API}/cycles/{other_cycle.slug}/receipts/{receipt}")
    assert elsewhere.status_code == 404
    assert "Check the code on your receipt" in elsewhere.json()["detail"]
    assert client.get(f"{API}/cycles/{cycle.slug}/receipts/not-a-code").status_code == 404


# --- the committee -----------------------------------------------------------------------------


def test_committee_scores(client, city, budget_manager):
    cycle = make_cycle(city, phase="scoring")
    member = factories.make_user(display_name="위원")
    services.appoint_committee_member(actor=budget_manager, cycle=cycle, member=member)
    url = f"{API}/cycles/{cycle.slug}/projects/c1/committee-score"
    assert post(client, url, {"score": 70}).status_code == 401

    client.force_login(factories.make_user())
    outsider = post(client, url, {"score": 70})
    assert outsider.status_code == 403
    assert outsider.json()["detail"] == "Only members of this cycle's committee score projects."

    client.force_login(member)
    assert client.get(f"{API}/cycles/{cycle.slug}/me").json()["committee_member"] is True
    too_high = post(client, url, {"score": 101})
    assert too_high.status_code == 400
    assert too_high.json()["detail"] == "A score is a whole number from 0 to 100."
    given = post(client, url, {"score": 70})
    assert given.status_code == 201
    assert given.json()["project"] == "c1" and given.json()["score"] == 70
    again = post(client, url, {"score": 90})
    assert again.status_code == 409
    assert again.json()["code"] == "already_scored"
    assert list(CommitteeScore.objects.values_list("project__code", "score")) == [("c1", 70)]

    set_phase(cycle, "results")
    late = post(client, f"{API}/cycles/{cycle.slug}/projects/c2/committee-score", {"score": 50})
    assert late.status_code == 409 and late.json()["code"] == "wrong_phase"
    unknown = post(client, f"{API}/cycles/{cycle.slug}/projects/zz/committee-score", {"score": 5})
    assert unknown.status_code == 404


# --- results -----------------------------------------------------------------------------------


def published_cycle(client, city, cycle, pools, manager, official):
    """Ballots, survey and committee scores worked out by hand in test_the_published_results:
    city pool ballots {c1,c2} {c2,c3} {c2} and a void paper one; Jongno {j1,j3}; Mapo {m1}."""
    a = make_voter(JONGNO, email="voter.a@example.org")
    b = make_voter(MAPO, email="voter.b@example.org")
    c = make_voter(JONGNO, email="voter.c@example.org")
    make_resident(district_code=JONGNO)  # in the register, does not vote
    receipts = {}
    for person, pool, choices in (
        (a, "city", ["c1", "c2"]),
        (b, "city", ["c2", "c3"]),
        (c, "city", ["c2"]),
        (a, "jongno", ["j1", "j3"]),
        (b, "mapo", ["m1"]),
    ):
        client.force_login(person)
        response = post(client, ballot_url(cycle, pool), {"choices": choices})
        assert response.status_code == 201, response.content
        receipts[(person.email, pool)] = response.json()["receipt"]
    _user, resident_id = make_resident(district_code=MAPO)
    paper_ballot(
        actor=official, pool=pools["city"], resident_id=resident_id, choices=["c1", "c2", "c3"]
    )
    client.logout()

    set_phase(cycle, "scoring")
    services.import_survey(
        actor=manager, cycle=cycle, data=b"project,score\nc1,10\nc2,20\nc3,5\nc4,0\n"
    )
    first = factories.make_user(email="member.one@example.org")
    second = factories.make_user(email="member.two@example.org")
    for member in (first, second):
        services.appoint_committee_member(actor=manager, cycle=cycle, member=member)
    projects = {p.code: p for p in Project.objects.filter(cycle=cycle)}
    for member, scores in ((first, {"c1": 80, "c2": 40, "c3": 60, "c4": 20}), (second, {"c1": 60})):
        for code, score in scores.items():
            services.score_project(actor=member, project=projects[code], score=score)
    set_phase(cycle, "results")
    return receipts


def test_the_published_results(client, city, cycle, pools, budget_manager, budget_official):
    published_cycle(client, city, cycle, pools, budget_manager, budget_official)
    url = f"{API}/cycles/{cycle.slug}/results"
    early = client.get(url)
    assert early.status_code == 409
    assert early.json()["code"] == "results_not_published"
    assert early.json()["detail"].startswith("The results of this cycle are not published yet")

    services.publish_results(actor=budget_manager, cycle=cycle)
    body = client.get(url).json()
    assert body["participants"] == 4
    by_pool = {p["code"]: p for p in body["pools"]}

    # Worked by hand (scoring.py's normalisation: each channel over its best project; weights
    # 45/10/45). Votes c1 1, c2 3, c3 1, c4 0; survey 10, 20, 5, 0 (best 20); committee means
    # 70, 40, 60, 20 (best 70).
    #   c1 = 45·1/3 + 10·1/2 + 45·1     = 65
    #   c2 = 45·1   + 10·1   + 45·4/7   = 565/7
    #   c3 = 45·1/3 + 10·1/4 + 45·6/7   = 785/14
    #   c4 = 0      + 0      + 45·2/7   = 90/7
    # Greedy on 1,000: c2 (500), c1 (300), c3 (400) does not fit, c4 (200) fits: 1,000 spent.
    city_pool = by_pool["city"]
    rows = {p["code"]: p for p in city_pool["projects"]}
    assert [p["code"] for p in city_pool["projects"]] == ["c2", "c1", "c3", "c4"]
    expected = {
        "c1": (1, 10, 70, Fraction(65), 2, True),
        "c2": (3, 20, 40, Fraction(565, 7), 1, True),
        "c3": (1, 5, 60, Fraction(785, 14), 3, False),
        "c4": (0, 0, 20, Fraction(90, 7), 4, True),
    }
    for code, (votes, survey, committee, score, rank, selected) in expected.items():
        row = rows[code]
        assert (row["votes"], row["survey"], row["committee"]) == (votes, survey, committee)
        assert Fraction(row["score_exact"]) == score
        assert row["score"] == pytest.approx(float(score), abs=1e-4)
        assert (row["rank"], row["selected"]) == (rank, selected)
    assert (city_pool["ballots"], city_pool["void"]) == (4, 1)
    assert (city_pool["spent"], city_pool["left"]) == (1000, 0)
    # Jongno: j1 and j3 one vote each (45 points), j2 and j4 none; 100 + 120 fit in 300, then
    # j2 (150) and j4 (90) do not.
    jongno = {p["code"]: p for p in by_pool["jongno"]["projects"]}
    assert {c for c, p in jongno.items() if p["selected"]} == {"j1", "j3"}
    assert by_pool["jongno"]["spent"] == 220 and by_pool["jongno"]["ballots"] == 1
    # Mapo: m1 (45 points, 600) first; m2 and m3 have 0 and tie, m2 first by id: 300 more
    # fits the 1,000, m3's 250 then does not.
    assert {p["code"] for p in by_pool["mapo"]["projects"] if p["selected"]} == {"m1", "m2"}
    assert by_pool["mapo"]["spent"] == 900

    turnout = {t["district"]["code"]: t for t in body["turnout"]}
    assert (turnout[JONGNO]["voters"], turnout[JONGNO]["residents"]) == (2, 3)
    assert turnout[JONGNO]["percent"] == pytest.approx(66.67)
    assert (turnout[MAPO]["voters"], turnout[MAPO]["residents"]) == (2, 2)
    assert len(turnout) == city.districts.count()

    # The published file is the one the URL names, with the digest and chain head announced.
    pool = pools["city"]
    pool.refresh_from_db()
    assert city_pool["ballots_file_url"] == f"http://testserver/media/{pool.ballots_file}"
    assert body["manifest_url"].endswith(f"/budget/seoul/{cycle.slug}/manifest.json")
    with default_storage.open(pool.ballots_file) as handle:
        data = handle.read()
    assert city_pool["ballots_sha256"] == hashlib.sha256(data).hexdigest()
    assert city_pool["chain_head"] == chain_head_by_hand(cycle, pool)

    project = client.get(f"{API}/cycles/{cycle.slug}/projects/c2").json()
    assert project["results"] == {
        "votes": 3,
        "score": pytest.approx(80.7143, abs=1e-4),
        "rank": 1,
        "selected": True,
    }


def chain_head_by_hand(cycle, pool) -> str:
    """publication.py's documented chain, recomputed from the database: h_0 over the city, cycle
    and pool; then each ballot in receipt (id) order with its sorted choices or void marks."""

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    from hamkke.budget.ballots import receipt_of

    head = sha(f"hamkke-ballots|seoul|{cycle.slug}|{pool.code}")
    for ballot in Ballot.objects.filter(pool=pool).order_by("id"):
        marks = list(ballot.choices.values_list("project__code", flat=True))
        marks = marks or [m for m in ballot.void_marks.split(",") if m]
        head = sha(f"{head}|{receipt_of(ballot.pk)}|{','.join(sorted(marks))}")
    return head


def test_no_public_answer_holds_personal_data(
    client, city, cycle, pools, budget_manager, budget_official
):
    proposer = factories.make_user(email="proposer.secret@example.org", display_name="")
    Project.objects.filter(cycle=cycle, code="c1").update(proposer=proposer)
    receipts = published_cycle(client, city, cycle, pools, budget_manager, budget_official)
    services.publish_results(actor=budget_manager, cycle=cycle)
    slug = cycle.slug
    answers = [
        client.get(f"{API}/cycles"),
        client.get(f"{API}/cycles/{slug}"),
        client.get(f"{API}/cycles/{slug}/projects"),
        client.get(f"{API}/cycles/{slug}/projects/c1"),
        client.get(f"{API}/cycles/{slug}/results"),
        *(client.get(f"{API}/cycles/{slug}/receipts/{r}") for r in receipts.values()),
    ]
    assert all(a.status_code == 200 for a in answers)
    text = "\n".join(a.content.decode() for a in answers)
    assert "@" not in text
    assert "proposer.secret" not in text and "voter.a" not in text
    keys = set().union(*(all_keys(a.json()) for a in answers))
    assert not keys & {"email", "user", "proposer", "identity_key", "user_id", "entered_by"}
    project = client.get(f"{API}/cycles/{slug}/projects/c1").json()
    assert project["proposer_name"] == "Citizen"  # public_name, since no display name was set


def test_the_openapi_schema_lists_the_budget_paths(client, city):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/budget/cycles", "get"),
        ("/api/v1/budget/cycles/{slug}", "get"),
        ("/api/v1/budget/cycles/{slug}/projects", "get"),
        ("/api/v1/budget/cycles/{slug}/projects", "post"),
        ("/api/v1/budget/cycles/{slug}/projects/{code}", "get"),
        ("/api/v1/budget/cycles/{slug}/me", "get"),
        ("/api/v1/budget/cycles/{slug}/pools/{code}/ballot/check", "post"),
        ("/api/v1/budget/cycles/{slug}/pools/{code}/ballots", "post"),
        ("/api/v1/budget/cycles/{slug}/receipts/{receipt}", "get"),
        ("/api/v1/budget/cycles/{slug}/results", "get"),
        ("/api/v1/budget/cycles/{slug}/projects/{code}/committee-score", "post"),
    ):
        assert method in paths[path], (path, method)
    cast = paths["/api/v1/budget/cycles/{slug}/pools/{code}/ballots"]["post"]
    assert "201" in cast["responses"]
    assert cast["tags"] == ["budget"]


# --- the race of double ballots ----------------------------------------------------------------


def cast_in_thread(browser, cycle, answers: list, index: int) -> None:
    try:
        answers[index] = browser.post(
            ballot_url(cycle, "city"), {"choices": ["c1"]}, "application/json"
        )
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.django_db(transaction=True)
def test_two_ballots_of_one_person_at_once(city, monkeypatch):
    """Two sessions of the same verified person cast at the same instant: a barrier holds both
    requests after every check and just before the write, so both really race for the register
    (on PostgreSQL the second insert waits on the unique index, then fails). Exactly one 201 and
    one 409; one Participation and one Ballot. Three rounds, three people."""
    cycle = make_cycle(city)
    barrier = threading.Barrier(2, timeout=15)
    checked, record = services.ballot_problems, services._record_ballot
    # SQLite's in-memory test database cannot make a writer wait for another (it fails with
    # "table is locked" where a file database waits), so there the writes take turns; both
    # requests have still passed every check before either writes.
    one_writer = threading.Lock() if connection.vendor == "sqlite" else None

    def checked_then_wait(**kwargs):
        problems = checked(**kwargs)
        barrier.wait()
        return problems

    def record_in_turn(**kwargs):
        if one_writer is None:
            return record(**kwargs)
        with one_writer:
            return record(**kwargs)

    monkeypatch.setattr(services, "ballot_problems", checked_then_wait)
    monkeypatch.setattr(services, "_record_ballot", record_in_turn)

    for _round in range(3):
        barrier.reset()
        person = make_voter(JONGNO)
        clients = [Client(), Client()]
        for browser in clients:
            browser.force_login(person)
        answers: list = [None, None]
        threads = [
            threading.Thread(target=cast_in_thread, args=(browser, cycle, answers, index))
            for index, browser in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [201, 409], [a.content for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json()["code"] == "already_voted"
        identity = person.identities.get()
        assert Participation.objects.filter(identity_key=identity.identity_key).count() == 1

    assert Participation.objects.count() == 3
    assert Ballot.objects.count() == 3
    assert BallotChoice.objects.count() == 3
