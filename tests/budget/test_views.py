"""The citizens' and the public's pages of participatory budgeting: the cycle in each phase, the
projects and a project's page (never the proposer's email), the proposal form with its refusals
inline and nothing left behind, the voter's hub, the ballot's confirmation step (void ballots
explained, nothing stored), casting with its receipt, the receipt lookup, and the results before
and after publication."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from hamkke.budget import selectors, services
from hamkke.budget.models import (
    PHASE_STARTS,
    Ballot,
    Cycle,
    Participation,
    Project,
    ProjectStatus,
)
from hamkke.core import ballots as ballot_pattern
from hamkke.core.models import Comment, District, Location
from tests import factories
from tests.budget.conftest import JONGNO, MAPO, make_cycle, make_voter, set_phase

pytestmark = pytest.mark.django_db

# Places in Seoul and the gu they lie in (public knowledge).
MAPO_POINT = (37.5509, 126.9250)  # Hongik University, Mapo-gu
JONGNO_POINT = (37.5704, 126.9920)  # Jongno 3-ga
BUSAN_POINT = (35.1796, 129.0756)


@pytest.fixture(autouse=True)
def _in_english(english):
    """Every test here asserts the English source messages (tests/conftest.py's `english`)."""


def url(name: str, cycle: Cycle, *args) -> str:
    return reverse(f"budget:{name}", args=[cycle.slug, *args])


def text_of(response) -> str:
    return response.content.decode()


class _Tables(HTMLParser):
    """The rows of the tables with a given class, as lists of cell texts."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class = css_class
        self.depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and self.css_class in (dict(attrs).get("class") or "").split():
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, css_class: str) -> list[list[str]]:
    parser = _Tables(css_class)
    parser.feed(text_of(response))
    return [row for row in parser.rows if row]


# --- the cycle ----------------------------------------------------------------------------------


def test_the_index_shows_the_current_cycle_its_timeline_and_pools(client, city):
    cycle = make_cycle(city, phase="proposals")
    page = client.get(reverse("budget:index"))
    html = text_of(page)
    assert page.status_code == 200
    assert "2026 participatory budget" in html
    assert "Now: Proposals" in html
    # The timeline marks the proposals phase as now, with its dates.
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Proposals" in current
    # Dates are shown in the city's time zone.
    seoul = ZoneInfo(city.time_zone)
    assert timezone.localtime(cycle.proposals_from, seoul).strftime("%Y-%m-%d") in current
    assert timezone.localtime(cycle.review_from, seoul).strftime("%Y-%m-%d") in current
    assert html.count('class="phase phase-next"') == 5
    # What one can do now: propose.
    assert f'href="{url("propose", cycle)}"' in html
    # The three pools with their money and ballot kind.
    for name in ("Citywide", "Jongno-gu", "Mapo-gu"):
        assert name in html
    assert "One project per area" in html and "Spend the budget" in html
    assert "Pick at most 2 projects" in html
    assert "In all, 2,300 to spend." in html


@pytest.mark.parametrize(
    ("phase", "expected", "action"),
    [
        ("upcoming", "Proposals open on", None),
        ("proposals", "Propose a project for your district", "propose"),
        ("review", "reviewing the proposals", "projects"),
        ("voting", "Voting is open until", "vote"),
        ("scoring", "The committee is scoring the projects", None),
        ("results", "will be published here soon", None),
    ],
)
def test_the_cycle_page_says_what_one_can_do_in_each_phase(client, city, phase, expected, action):
    cycle = make_cycle(city, phase=phase)
    html = text_of(client.get(url("cycle", cycle)))
    assert expected in html
    now_section = html.split('id="now-title"')[1].split("</section>")[0]
    if action:
        assert f'href="{url(action, cycle)}' in now_section
    assert f'href="{url("vote", cycle)}"' not in now_section or phase == "voting"
    assert f'href="{url("results", cycle)}"' not in now_section


def test_older_cycles_are_listed_apart(client, city):
    old = make_cycle(city, phase="implementation")
    for _phase, field in PHASE_STARTS:
        setattr(old, field, getattr(old, field) - timedelta(days=365))
    old.title_en = "2025 participatory budget"
    old.save()
    current = make_cycle(city, phase="proposals")
    html = text_of(client.get(reverse("budget:index")))
    assert html.index("2026 participatory budget") < html.index("Other cycles")
    others = html.split("Other cycles")[1]
    assert f'href="{url("cycle", old)}"' in others
    assert f'href="{url("cycle", current)}"' not in others


def test_no_cycle_yet(client, city):
    page = client.get(reverse("budget:index"))
    assert page.status_code == 200
    assert "No participatory budget cycle has been announced yet." in text_of(page)


# --- projects -----------------------------------------------------------------------------------


def _proposal(cycle, *, code, pool="mapo", status=ProjectStatus.PROPOSED, proposer=None, **fields):
    pool = cycle.pools.get(code=pool)
    area = pool.projects.first().area
    return Project.objects.create(
        cycle=cycle,
        pool=pool,
        code=code,
        title=fields.pop("title", f"Proposal {code}"),
        summary=fields.pop("summary", f"What {code} would do"),
        area=area,
        district=pool.district,
        status=status,
        proposer=proposer,
        **fields,
    )


def test_the_list_filters_by_pool_area_and_status(client, cycle):
    _proposal(cycle, code="p1")
    _proposal(
        cycle, code="r1", status=ProjectStatus.REJECTED, review_reasons="The land is private."
    )
    _proposal(cycle, code="w1", status=ProjectStatus.WITHDRAWN, title="Taken back")
    everything = text_of(client.get(url("projects", cycle)))
    assert "13 projects" in everything  # 11 on the ballots, one proposed, one rejected
    assert "Taken back" not in everything
    assert "Why not:" in everything and "The land is private." in everything

    mapo = client.get(url("projects", cycle), {"pool": "mapo"})
    html = text_of(mapo)
    assert "5 projects" in html
    assert "Project m1" in html and "Project c1" not in html

    rejected = text_of(client.get(url("projects", cycle), {"status": "rejected"}))
    assert "1 project" in rejected and "Proposal r1" in rejected and "Project m1" not in rejected

    welfare = text_of(client.get(url("projects", cycle), {"area": "welfare", "pool": "jongno"}))
    assert "Project j1" in welfare and "Project j2" in welfare and "Project j3" not in welfare

    on_ballot = text_of(client.get(url("projects", cycle), {"status": "accepted"}))
    assert "11 projects" in on_ballot and "Proposal p1" not in on_ballot

    bad = client.get(url("projects", cycle), {"status": "nonsense"})
    assert bad.status_code == 200
    assert "Some filters could not be read" in text_of(bad)


def test_a_project_page_shows_its_facts_and_never_the_proposers_email(client, city, cycle):
    proposer = factories.make_user(email="proposer@example.org", display_name="박제안")
    place = Location.objects.create(
        latitude=MAPO_POINT[0],
        longitude=MAPO_POINT[1],
        district=District.objects.get(code=MAPO),
        address="Behind Hongik University",
    )
    project = Project.objects.get(cycle=cycle, code="m2")
    project.proposer = proposer
    project.location = place
    project.description = "A protected bike lane along the main road."
    project.review_reasons = "Feasible with the road office."
    project.save()

    page = client.get(url("project", cycle, "m2"))
    html = text_of(page)
    assert page.status_code == 200
    assert "Project m2" in html and "What m2 does" in html
    assert "300" in html and "Mapo-gu" in html and "Transport" in html
    assert "A protected bike lane along the main road." in html
    assert "Feasible with the road office." in html
    assert 'data-point="37.550900,126.925000"' in html
    assert "Behind Hongik University" in html
    assert "by 박제안" in html
    assert "proposer@example.org" not in html
    # Voting is on: no tally yet.
    assert "Final score" not in html
    # Nor in the list or the results.
    for listing in (url("projects", cycle), url("results", cycle)):
        assert "proposer@example.org" not in text_of(client.get(listing))


def test_a_rejected_project_shows_the_reasons_and_a_withdrawn_one_is_gone(client, cycle):
    _proposal(
        cycle,
        code="r1",
        status=ProjectStatus.REJECTED,
        review_reasons="Already planned.",
        reviewed_at=timezone.now(),
    )
    _proposal(cycle, code="w1", status=ProjectStatus.WITHDRAWN)
    html = text_of(client.get(url("project", cycle, "r1")))
    assert "Found not feasible" in html and "Already planned." in html
    assert client.get(url("project", cycle, "w1")).status_code == 404
    assert client.get(url("project", cycle, "nope")).status_code == 404


def test_people_comment_on_a_project(client, cycle, citizen):
    page = url("project", cycle, "m1")
    assert "Log in to comment." in text_of(client.get(page))
    client.force_login(citizen)
    project = Project.objects.get(cycle=cycle, code="m1")
    sent = client.post(
        reverse("core:comment-thread", args=["budget.project", project.pk]),
        {"body": "A park would be better here.", "next": page},
    )
    assert sent.status_code == 302
    assert sent["Location"].startswith(page)
    assert Comment.objects.get().body == "A park would be better here."
    html = text_of(client.get(page))
    assert "A park would be better here." in html and "김시민" in html
    assert "citizen@example.org" not in html


# --- proposing ----------------------------------------------------------------------------------


@pytest.fixture
def open_cycle(city):
    return make_cycle(city, phase="proposals")


def proposal_data(**fields):
    data = {
        "title": "Shade trees on the school road",
        "summary": "Plant twenty trees along the road to Mangwon primary school.",
        "description": "Children walk there in the sun.",
        "area": "environment",
        "pool": "mapo",
        "district": "",
        "requested_cost": "400",
        "latitude": str(MAPO_POINT[0]),
        "longitude": str(MAPO_POINT[1]),
        "address": "Mangwon-ro",
    }
    data.update(fields)
    return data


def test_a_citizen_proposes_sees_it_among_their_proposals_and_withdraws_it(
    client, open_cycle, citizen
):
    client.force_login(citizen)
    form = client.get(url("propose", open_cycle))
    assert form.status_code == 200
    assert 'name="title"' in text_of(form) and 'id="proposal-map"' in text_of(form)

    sent = client.post(url("propose", open_cycle), proposal_data())
    project = Project.objects.get(cycle=open_cycle, proposer=citizen)
    assert sent.status_code == 302
    assert sent["Location"] == url("project", open_cycle, project.code)
    assert project.status == ProjectStatus.PROPOSED
    assert project.title == "Shade trees on the school road"
    assert project.pool.code == "mapo" and project.area.code == "environment"
    assert project.requested_cost == 400
    assert project.district.code == MAPO
    assert project.location.district.code == MAPO
    assert project.location.address == "Mangwon-ro"

    page = text_of(client.get(sent["Location"]))
    assert "Shade trees on the school road" in page and "Not reviewed yet" in page

    mine = text_of(client.get(url("propose", open_cycle)))
    assert "My proposals" in mine
    assert f'action="{url("withdraw", open_cycle, project.code)}"' in mine

    withdrawn = client.post(url("withdraw", open_cycle, project.code))
    assert withdrawn.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.WITHDRAWN
    mine = text_of(client.get(url("propose", open_cycle)))
    assert "Withdrawn" in mine
    assert f'action="{url("withdraw", open_cycle, project.code)}"' not in mine


def test_a_proposal_without_a_title_is_refused_inline_and_nothing_is_stored(
    client, open_cycle, citizen
):
    client.force_login(citizen)
    before = Project.objects.count()
    sent = client.post(url("propose", open_cycle), proposal_data(title="  "))
    html = text_of(sent)
    assert sent.status_code == 400
    assert "Give your proposal a title." in html
    # The error sits with the title field, and what was typed is kept.
    title_field = html.split('<div class="field field-error"><label for="id_title"')[1]
    assert "Give your proposal a title." in title_field.split('id="id_title">')[0]
    assert "Plant twenty trees along the road" in html
    assert Project.objects.count() == before
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"latitude": BUSAN_POINT[0], "longitude": BUSAN_POINT[1]}, "latitude", "outside"),
        (
            {"latitude": JONGNO_POINT[0], "longitude": JONGNO_POINT[1]},
            "district",
            "must be in Mapo-gu",
        ),
        ({"longitude": ""}, "latitude", "Give both the latitude and the longitude"),
        ({"requested_cost": "5000"}, "requested_cost", "within the pool's budget"),
        ({"area": "moon-base"}, "area", "Select a valid choice"),
    ],
)
def test_bad_proposals_are_explained_by_their_field_and_leave_nothing(
    client, open_cycle, citizen, fields, field, message
):
    client.force_login(citizen)
    before = Project.objects.count()
    sent = client.post(url("propose", open_cycle), proposal_data(**fields))
    assert sent.status_code == 400
    assert message in " ".join(sent.context["form"].errors[field])
    assert Project.objects.count() == before
    # A point stored for a refused proposal would be a leftover.
    assert not Location.objects.exists()


def test_a_citywide_proposal_may_name_a_district_without_a_point(client, open_cycle, citizen):
    client.force_login(citizen)
    sent = client.post(
        url("propose", open_cycle),
        proposal_data(pool="city", district=JONGNO, latitude="", longitude="", requested_cost=""),
    )
    assert sent.status_code == 302
    project = Project.objects.get(proposer=citizen)
    assert project.pool.code == "city" and project.district.code == JONGNO
    assert project.location is None and project.requested_cost is None


@pytest.mark.parametrize(("phase", "said"), [("upcoming", "not open yet"), ("review", "closed")])
def test_outside_the_proposals_phase_proposing_is_refused(client, city, citizen, phase, said):
    cycle = make_cycle(city, phase=phase)
    client.force_login(citizen)
    page = client.get(url("propose", cycle))
    assert page.status_code == 200
    assert f"Proposals are {said}" in text_of(page)
    assert 'name="title"' not in text_of(page)
    before = Project.objects.count()
    sent = client.post(url("propose", cycle), proposal_data())
    assert sent.status_code == 409
    assert Project.objects.count() == before
    assert not Location.objects.exists()


def test_proposing_needs_an_account(client, open_cycle):
    page = client.get(url("propose", open_cycle))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_login"))


def test_only_the_proposer_withdraws(client, open_cycle, citizen):
    project = _proposal(open_cycle, code="p9", proposer=citizen)
    client.force_login(factories.make_user())
    client.post(url("withdraw", open_cycle, project.code))
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED


def test_proposals_are_rate_limited(client, open_cycle, citizen):
    client.force_login(citizen)
    statuses = [
        client.post(url("propose", open_cycle), proposal_data(title="")).status_code
        for _attempt in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


# --- the voter's hub ----------------------------------------------------------------------------


def test_the_hub_asks_a_visitor_to_log_in(client, cycle):
    page = client.get(url("vote", cycle))
    html = text_of(page)
    assert page.status_code == 200
    assert f'href="{reverse("account_login")}?next=' in html
    assert f'href="{url("ballot", cycle, "city")}"' not in html


def test_the_hub_tells_an_unverified_person_how_to_verify(client, cycle, citizen):
    client.force_login(citizen)
    html = text_of(client.get(url("vote", cycle)))
    assert f'href="{reverse("accounts:verify-census")}"' in html
    assert "Verify with the residents register" in html
    assert f'href="{url("ballot", cycle, "mapo")}"' not in html


def test_the_hub_shows_where_a_resident_votes_and_has_voted(client, cycle, pools, mapo_voter):
    services.cast_ballot(actor=mapo_voter, pool=pools["city"], choices=["c1"])
    client.force_login(mapo_voter)
    html = text_of(client.get(url("vote", cycle)))
    assert "You are verified as a resident of Mapo-gu." in html
    cards = {
        name: html.split(f"<h3>{name}</h3>")[1].split("</li>")[0]
        for name in ("Citywide", "Jongno-gu", "Mapo-gu")
    }
    assert "You have voted in this budget." in cards["Citywide"]
    assert f'href="{url("ballot", cycle, "mapo")}"' in cards["Mapo-gu"]
    assert "Only residents of Jongno-gu vote here." in cards["Jongno-gu"]


# --- the ballot ---------------------------------------------------------------------------------


def test_the_ballot_lists_the_pools_projects_by_area_with_their_costs(client, cycle, mapo_voter):
    client.force_login(mapo_voter)
    page = client.get(url("ballot", cycle, "mapo"))
    html = text_of(page)
    assert page.status_code == 200
    for code, cost in (("m1", 600), ("m2", 300), ("m3", 250)):
        assert f'value="{code}"' in html
        assert f'data-cost="{cost}"' in html
    assert 'value="c1"' not in html
    assert 'data-kind="knapsack"' in html and 'data-budget="1000"' in html
    assert 'data-min-spend="500"' in html
    # Grouped by area, in the profile's order: welfare, then transport, then culture.
    assert html.index("<legend>Welfare</legend>") < html.index("<legend>Transport</legend>")
    assert html.index("<legend>Transport</legend>") < html.index("<legend>Culture and tourism")
    assert 'name="step" value="confirm"' in html
    assert not Participation.objects.exists()


def test_the_confirm_step_explains_a_void_quota_ballot_and_stores_nothing(
    client, cycle, jongno_voter
):
    client.force_login(jongno_voter)
    page = client.post(url("ballot", cycle, "jongno"), {"step": "confirm", "choices": ["j1", "j2"]})
    html = text_of(page)
    assert page.status_code == 200
    assert "void as a whole" in html
    assert "j1, j2" in html and "Welfare" in html
    assert 'value="cast"' not in html
    assert 'value="edit"' in html
    assert not Ballot.objects.exists()
    assert not Participation.objects.exists()

    # "Change my choices" brings the ballot back with both still ticked.
    again = text_of(
        client.post(url("ballot", cycle, "jongno"), {"step": "edit", "choices": ["j1", "j2"]})
    )
    assert 'value="j1"' in again and 'value="j2"' in again
    assert again.count(" checked>") == 2


def test_a_valid_ballot_is_confirmed_then_cast_and_the_receipt_finds_it(
    client, cycle, pools, mapo_voter
):
    client.force_login(mapo_voter)
    confirm = client.post(
        url("ballot", cycle, "mapo"), {"step": "confirm", "choices": ["m2", "m3"]}
    )
    html = text_of(confirm)
    assert confirm.status_code == 200
    assert 'id="ballot-total">550<' in html
    assert "A ballot is final once cast" in html
    assert 'value="cast"' in html
    assert not Ballot.objects.exists()

    cast = client.post(url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m2", "m3"]})
    html = text_of(cast)
    assert cast.status_code == 201
    assert Participation.objects.count() == 1
    assert Ballot.objects.count() == 1
    participation = Participation.objects.get()
    assert participation.pool == pools["mapo"] and participation.user == mapo_voter
    receipt = cast.context["receipt"]
    assert f'id="receipt-code">{receipt}<' in html
    found = selectors.ballot_by_receipt(cycle, receipt)
    assert found.pool == pools["mapo"]
    assert sorted(p.code for p in found.choices) == ["m2", "m3"]
    assert f"{url('receipt', cycle)}?code={receipt}" in html

    # Back again: the ballot is final, so the page says so instead of showing it.
    again = client.get(url("ballot", cycle, "mapo"))
    assert again.status_code == 200
    assert "You have already voted in Mapo-gu" in text_of(again)
    assert 'name="choices"' not in text_of(again)
    twice = client.post(url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m1"]})
    assert twice.status_code == 409
    assert Ballot.objects.count() == 1 and Participation.objects.count() == 1


def test_casting_a_void_ballot_directly_is_refused_and_stores_nothing(client, cycle, mapo_voter):
    client.force_login(mapo_voter)
    sent = client.post(
        url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m1", "m2", "m3"]}
    )
    assert sent.status_code == 400
    assert "more than the budget of 1,000" in text_of(sent)
    assert 'value="cast"' not in text_of(sent)
    too_little = client.post(url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m3"]})
    assert too_little.status_code == 400
    assert "spend at least 500" in text_of(too_little)
    assert not Ballot.objects.exists() and not Participation.objects.exists()


def test_an_unverified_person_is_told_how_to_verify(client, cycle, citizen):
    client.force_login(citizen)
    page = client.get(url("ballot", cycle, "mapo"))
    assert page.status_code == 403
    assert f'href="{reverse("accounts:verify-census")}"' in text_of(page)
    sent = client.post(url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m2", "m3"]})
    assert sent.status_code == 403
    assert not Ballot.objects.exists()


def test_a_resident_of_another_district_is_refused(client, cycle, jongno_voter):
    client.force_login(jongno_voter)
    page = client.get(url("ballot", cycle, "mapo"))
    assert page.status_code == 403
    assert "Only residents of Mapo-gu vote in this budget." in text_of(page)
    assert 'name="choices"' not in text_of(page)
    sent = client.post(url("ballot", cycle, "mapo"), {"step": "cast", "choices": ["m2", "m3"]})
    assert sent.status_code == 403
    assert not Ballot.objects.exists() and not Participation.objects.exists()


def test_outside_voting_the_ballot_says_when_and_refuses(client, city, mapo_voter):
    early = make_cycle(city, phase="review")
    client.force_login(mapo_voter)
    page = text_of(client.get(url("ballot", early, "mapo")))
    assert "Voting has not started" in page and 'name="choices"' not in page
    late = make_cycle(city, phase="scoring")
    assert "Voting closed on" in text_of(client.get(url("ballot", late, "mapo")))
    sent = client.post(url("ballot", late, "mapo"), {"step": "cast", "choices": ["m2", "m3"]})
    assert sent.status_code == 409
    assert not Ballot.objects.exists()


def test_the_ballot_needs_an_account_and_a_real_pool(client, cycle, mapo_voter):
    page = client.get(url("ballot", cycle, "mapo"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_login"))
    client.force_login(mapo_voter)
    assert client.get(url("ballot", cycle, "nowhere")).status_code == 404


def _identity_reads(captured) -> int:
    return sum("accounts_verifiedidentity" in q["sql"] for q in captured.captured_queries)


def test_the_ballot_page_reads_the_voter_once_in_a_bounded_number_of_queries(
    client, cycle, pools, mapo_voter, django_assert_max_num_queries, settings
):
    """Like the API's project list, the ballot costs a fixed number of queries, and the voter's
    identity is read once per request, whichever step."""
    # Batches of the production size: this ballot stays sealed in the box (no flush counted).
    settings.HAMKKE_BALLOT_BATCH = ballot_pattern.DEFAULT_BATCH
    client.force_login(mapo_voter)
    address = url("ballot", cycle, "mapo")
    client.get(address)  # the city is remembered after the first request

    # Showing the ballot: the session and the user (2); the cycle and the pool (2); the voter's
    # identity and whether they voted in this pool, for policies.may_vote (2); the ballot's
    # projects (1); what base.html asks for every signed-in person: unread notifications and
    # whether they are an official, a moderator (3). 10.
    with django_assert_max_num_queries(10) as captured:
        page = client.get(address)
    assert page.status_code == 200
    assert _identity_reads(captured) == 1

    # Casting: the same 4 to find the pool; cast_ballot reads the identity and the register
    # (2) and the ballot's projects for its rule (1, cached during voting afterwards); storing
    # the register's row and the sealed ballot in their own transaction (savepoint, 2 inserts,
    # release) and asking whether the box holds a full batch (1): 5; the chosen projects for
    # the receipt (1); base.html's 3. 16.
    with django_assert_max_num_queries(16) as captured:
        cast = client.post(address, {"step": "cast", "choices": ["m2", "m3"]})
    assert cast.status_code == 201
    assert _identity_reads(captured) == 1
    assert Participation.objects.filter(pool=pools["mapo"]).count() == 1


def test_a_banned_resident_is_refused_before_the_ballot(client, cycle, mapo_voter):
    """The page asks policies.may_vote, the service's own rule: the ballot is not offered to an
    account that may not take part (cast_ballot would refuse it)."""
    mapo_voter.banned_at = timezone.now()
    mapo_voter.save(update_fields=["banned_at"])
    client.force_login(mapo_voter)
    page = client.get(url("ballot", cycle, "mapo"))
    assert page.status_code == 403
    assert "Your account may not take part." in text_of(page)
    assert 'name="choices"' not in text_of(page)


def test_proposing_records_the_address_in_the_audit_log(client, open_cycle, citizen):
    from hamkke.core.models import AuditEntry

    client.force_login(citizen)
    pool = open_cycle.pools.get(code="city")
    client.post(
        url("propose", open_cycle),
        {"title": "Benches", "summary": "Benches by the stream", "area": "welfare", "pool": "city"},
        REMOTE_ADDR="203.0.113.9",
    )
    project = Project.objects.get(pool=pool, title="Benches")
    entry = AuditEntry.objects.get(action="budget.proposed", target_id=str(project.pk))
    assert entry.actor == citizen
    assert entry.ip_address == "203.0.113.9"


# --- receipts -----------------------------------------------------------------------------------


def test_a_receipt_shows_its_ballot_and_an_unknown_one_is_404(client, cycle, pools, jongno_voter):
    cast = services.cast_ballot(actor=jongno_voter, pool=pools["jongno"], choices=["j1", "j3"])
    # Anyone with the code may look, typed in lower case without dashes.
    typed = cast.receipt.replace("-", "").lower()
    page = client.get(url("receipt", cycle), {"code": typed})
    html = text_of(page)
    assert page.status_code == 200
    assert f"Ballot {cast.receipt}" in html
    assert "Jongno-gu" in html and "Project j1" in html and "Project j3" in html
    assert "Project j2" not in html

    other = cast.receipt[:-1] + ("0" if cast.receipt[-1] != "0" else "1")
    missing = client.get(url("receipt", cycle), {"code": other})
    assert missing.status_code == 404
    assert "No such receipt" in text_of(missing)
    assert 'name="code"' in text_of(missing)
    assert client.get(url("receipt", cycle), {"code": "not a code"}).status_code == 404
    empty = client.get(url("receipt", cycle), {"code": ""})
    assert empty.status_code == 400 and "Type the code on your receipt." in text_of(empty)


def test_a_receipt_of_another_cycle_is_not_found_here(client, city, cycle, pools, mapo_voter):
    cast = services.cast_ballot(actor=mapo_voter, pool=pools["mapo"], choices=["m2", "m3"])
    other = make_cycle(city, phase="voting")
    assert client.get(url("receipt", other), {"code": cast.receipt}).status_code == 404


# --- results ------------------------------------------------------------------------------------


def test_no_running_totals_while_people_vote(client, cycle, pools, mapo_voter):
    services.cast_ballot(actor=mapo_voter, pool=pools["mapo"], choices=["m2", "m3"])
    html = text_of(client.get(url("results", cycle)))
    assert "No running totals are shown while people vote" in html
    assert "1 resident has voted so far." in html
    assert "<table" not in html and "Final score" not in html
    project = text_of(client.get(url("project", cycle, "m2")))
    assert "Votes" not in project


def test_the_published_results_show_every_project_and_the_files(
    client, city, cycle, pools, budget_manager, settings
):
    # Three Mapo residents: m2 and m3 get two votes each, m1 one; no survey nor committee.
    for choices in (["m2", "m3"], ["m2", "m3"], ["m1"]):
        services.cast_ballot(actor=make_voter(MAPO), pool=pools["mapo"], choices=choices)
    set_phase(cycle, "results")
    before = text_of(client.get(url("results", cycle)))
    assert "will be published here soon" in before and "<table" not in before

    services.publish_results(actor=budget_manager, cycle=cycle)
    page = client.get(url("results", cycle))
    html = text_of(page)
    assert page.status_code == 200
    assert "3 residents voted." in html

    mapo = html.split('id="pool-mapo-title"')[1].split("</section>")[0]
    rows = [row for row in table_rows(page, "results-table") if "#m" in row[1]]
    # Rank, project, selected, score, votes, survey, committee, cost. Votes weigh 45 points: the
    # leaders (2 votes) get 45, m1 (1 vote) half; greedy takes m2 and m3 (550) and m1 (600) no
    # longer fits in the 450 left. Ties go to the smaller id.
    assert [(r[0], r[1].split("#")[-1], r[3], r[4], r[7]) for r in rows] == [
        ("1", "m2", "45.00", "2", "300"),
        ("2", "m3", "45.00", "2", "250"),
        ("3", "m1", "22.50", "1", "600"),
    ]
    assert ["✓" in r[2] for r in rows] == [True, True, False]
    assert "550" in mapo.split("Spent on the selected projects")[1].split("</dd>")[0]
    assert "450" in mapo.split("<dt>Left</dt>")[1].split("</dd>")[0]
    # The published file of each pool, its checksum and chain head; the manifest; the recount.
    pools["mapo"].refresh_from_db()
    assert default_storage.exists(pools["mapo"].ballots_file)
    assert f'href="{default_storage.url(pools["mapo"].ballots_file)}"' in mapo
    assert pools["mapo"].ballots_sha256 in mapo and pools["mapo"].chain_head in mapo
    manifest = pools["mapo"].ballots_file.rsplit("/", 1)[0] + "/manifest.json"
    assert default_storage.exists(manifest)
    assert f'href="{default_storage.url(manifest)}"' in html
    assert "python -m hamkke.budget.recount" in html
    # The weights in plain words, and a chart of each pool's scores.
    assert "Votes, 45 points:" in html and "Committee, 45 points:" in html
    assert 'id="chart-data-mapo"' in html
    # Turnout: the three voters, all of Mapo's residents in the register.
    turnout = {row[0]: row[1:] for row in table_rows(page, "turnout-table")}
    assert turnout["Mapo-gu"] == ["3", "3", "100.0%"]
    assert turnout["Jongno-gu"][0] == "0"
    # The selected projects with their progress.
    selected = html.split('id="selected-title"')[1]
    assert "Project m2" in selected and "Project m3" in selected and "Project m1" not in selected

    # Each project's page shows its own result.
    project = text_of(client.get(url("project", cycle, "m1")))
    assert "22.50 points of 100" in project and "3 in Mapo-gu" in project


def test_a_selected_projects_page_shows_its_implementation_updates(
    client, cycle, pools, budget_manager, mapo_voter
):
    services.cast_ballot(actor=mapo_voter, pool=pools["mapo"], choices=["m2", "m3"])
    set_phase(cycle, "implementation")
    services.publish_results(actor=budget_manager, cycle=cycle)
    project = Project.objects.get(cycle=cycle, code="m2")
    services.record_implementation(
        actor=budget_manager, project=project, implementation="planning", note="Design tender."
    )
    services.record_implementation(
        actor=budget_manager, project=project, implementation="in_progress", note="Works began."
    )
    html = text_of(client.get(url("project", cycle, "m2")))
    steps = html.split('class="timeline"')[1].split("</ol>")[0]
    assert steps.index("Design tender.") < steps.index("Works began.")
    assert "Current status: <span" in html and "In progress" in html
    results = text_of(client.get(url("results", cycle)))
    assert "In progress" in results.split('id="selected-title"')[1]
