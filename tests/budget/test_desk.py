"""The participatory budgeting desk through the test client: who may open which screen (role in
the cycle's department, the second factor), creating a cycle and its pools, reviewing and routing
proposals, the paper-ballot booth against the register, the survey upload, the committee and a
member's scores, the tally and its publication, implementation updates, and the back office."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone, translation

from hamkke.accounts.models import Role
from hamkke.budget import ballots as ballot_rules
from hamkke.budget.models import (
    PHASE_STARTS,
    Area,
    Ballot,
    BallotChoice,
    CommitteeMember,
    CommitteeScore,
    Cycle,
    Participation,
    Pool,
    Project,
    ProjectStatus,
    ProjectUpdate,
    SurveyScore,
)
from hamkke.core.models import Department, Notification
from tests import factories
from tests.budget.conftest import (
    JONGNO,
    MAPO,
    make_cycle,
    make_resident,
    paper_ballot,
    phase_dates,
)
from tests.factories import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def sign_in(client, user) -> None:
    """Log in as an official: password, then the authenticator code."""
    log_in(client, user, secret=factories.activate_totp(user))


@pytest.fixture
def department(city):
    return Department.objects.get(city=city, code="budget")


@pytest.fixture
def transport(city):
    return Department.objects.get(city=city, code="transport")


@pytest.fixture
def manager_client(client, budget_manager):
    sign_in(client, budget_manager)
    return client


@pytest.fixture
def handler_client(client, budget_official):
    sign_in(client, budget_official)
    return client


def url(name: str, *args) -> str:
    return reverse(f"budget:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def proposal(cycle, *, pool="city", area="welfare", proposer=None, **fields) -> Project:
    """A citizen's proposal waiting for review."""
    number = Project.objects.count() + 100
    fields.setdefault("title", f"Proposal {number}")
    return Project.objects.create(
        cycle=cycle,
        pool=cycle.pools.get(code=pool),
        code=str(number),
        summary="Benches along the stream",
        area=Area.objects.get(city=cycle.city, code=area),
        proposer=proposer,
        requested_cost=250,
        reviewing_department=cycle.department,
        **fields,
    )


# --- who may open the desk ---------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, city):
    cycle = make_cycle(city)
    for address in (url("desk"), url("desk-cycle", cycle.slug), url("desk-paper", cycle.slug)):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_citizens_are_refused(client, city, citizen):
    cycle = make_cycle(city)
    client.force_login(citizen)
    assert client.get(url("desk")).status_code == 403
    assert client.get(url("desk-review", cycle.slug)).status_code == 403
    response = client.post(
        url("desk-paper-booth", cycle.slug, "city"), {"resident_id": "900101-1234567"}
    )
    assert response.status_code == 403
    assert not Participation.objects.exists()


def test_an_official_without_the_code_in_this_session_is_asked_for_it(client, city, budget_manager):
    cycle = make_cycle(city)
    factories.activate_totp(budget_manager)
    client.force_login(budget_manager)  # password only: the session never saw the code
    response = client.get(url("desk-results", cycle.slug))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:second-factor"))


def test_officials_of_other_departments_are_refused_the_cycle(client, city, transport):
    cycle = make_cycle(city)
    outsider = factories.make_user()
    factories.make_membership(user=outsider, department=transport, role=Role.MANAGER)
    sign_in(client, outsider)
    listing = client.get(url("desk"))
    assert listing.status_code == 200
    assert cycle.slug not in text(listing)
    assert "None of your departments" in text(listing)
    for name in ("desk-cycle", "desk-review", "desk-results", "desk-implementation"):
        assert client.get(url(name, cycle.slug)).status_code == 403, name


def test_a_handler_enters_ballots_but_cannot_publish_or_manage(
    handler_client, city, budget_official
):
    cycle = make_cycle(city, phase="results")
    for name in ("desk-results", "desk-survey", "desk-committee"):
        assert handler_client.get(url(name, cycle.slug)).status_code == 403, name
    response = handler_client.post(url("desk-publish", cycle.slug))
    assert response.status_code == 403
    cycle.refresh_from_db()
    assert cycle.results_published_at is None
    assert not Project.objects.filter(cycle=cycle, selected__isnull=False).exists()
    # The tabs offer a handler only the screens a handler may use.
    page = text(handler_client.get(url("desk-cycle", cycle.slug)))
    assert url("desk-paper", cycle.slug) in page
    assert url("desk-results", cycle.slug) not in page


# --- cycles and pools --------------------------------------------------------------------------


def test_the_desk_lists_the_departments_cycles_with_their_numbers(
    manager_client, city, budget_official
):
    cycle = make_cycle(city)
    proposal(cycle)  # one waiting for review next to the 11 on the ballots
    _user, resident = make_resident(district_code=JONGNO)

    paper_ballot(
        actor=budget_official,
        pool=cycle.pools.get(code="jongno"),
        resident_id=resident,
        choices=["j1"],
    )
    member = factories.make_user()
    CommitteeMember.objects.create(cycle=cycle, user=member)
    response = manager_client.get(url("desk"))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r["cycle"] == cycle)
    assert row["phase"] == "voting"
    assert row["counts"]["to_review"] == 1
    assert row["counts"]["accepted"] == 11
    assert row["counts"]["ballots"] == 1
    assert (row["counts"]["members"], row["counts"]["scores_wanted"]) == (1, 11)
    assert url("desk-cycle", cycle.slug) in text(response)
    assert url("desk-new-cycle") in text(response)


def cycle_post(department, **changes) -> dict:
    dates = phase_dates("upcoming")
    data = {
        "slug": "pb-2027",
        "title": "2027 시민참여예산",
        "title_en": "2027 participatory budget",
        "description": "Seoul's budget, chosen by its residents.",
        "department": department.pk,
        **{
            field: timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")
            for field, moment in dates.items()
        },
        "weight_vote": 45,
        "weight_survey": 10,
        "weight_committee": 45,
        "rule": "greedy",
        "min_score": 0,
    }
    data.update(changes)
    return data


def test_a_manager_creates_a_cycle_and_adds_its_pools(manager_client, city, department):
    form = manager_client.get(url("desk-new-cycle"))
    assert form.status_code == 200
    response = manager_client.post(url("desk-new-cycle"), cycle_post(department))
    assert response.status_code == 302
    cycle = Cycle.objects.get(city=city, slug="pb-2027")
    assert response.url == url("desk-cycle", "pb-2027")
    assert cycle.department == department
    assert cycle.phase == "upcoming"
    assert cycle.proposals_from < cycle.review_from < cycle.voting_from < cycle.implementation_from
    assert (cycle.weight_vote, cycle.weight_survey, cycle.weight_committee) == (45, 10, 45)

    jongno = city.districts.get(code=JONGNO)
    added = manager_client.post(
        url("desk-add-pool", cycle.slug),
        {
            "code": "jongno",
            "name": "종로구",
            "name_en": "Jongno-gu",
            "district": jongno.pk,
            "budget": 500_000_000,
            "ballot_kind": "quota",
        },
    )
    assert added.status_code == 302
    pool = Pool.objects.get(cycle=cycle, code="jongno")
    assert (pool.district, pool.budget, pool.ballot_kind) == (jongno, 500_000_000, "quota")
    page = text(manager_client.get(url("desk-cycle", cycle.slug)))
    assert "Jongno-gu" in page and "500,000,000" in page


def test_a_cycle_with_phases_out_of_order_or_bad_weights_is_not_created(
    manager_client, city, department
):
    dates = phase_dates("upcoming")
    early = timezone.localtime(dates["proposals_from"]).strftime("%Y-%m-%dT%H:%M")
    response = manager_client.post(url("desk-new-cycle"), cycle_post(department, review_from=early))
    assert response.status_code == 400
    # Beside the field it concerns.
    assert re.search(
        r'id="id_review_from_error"[^>]*>.*?The Review phase must start after the Proposals',
        text(response),
        re.S,
    )
    response = manager_client.post(url("desk-new-cycle"), cycle_post(department, weight_vote=50))
    assert response.status_code == 400
    assert "the weights add up to 105, not 100" in text(response)
    response = manager_client.post(url("desk-new-cycle"), cycle_post(department, slug="new"))
    assert response.status_code == 400
    assert "is reserved" in text(response)
    assert not Cycle.objects.filter(city=city).exists()


def test_a_pool_with_a_taken_code_or_after_voting_started_is_refused(manager_client, city):
    cycle = make_cycle(city, phase="proposals")
    taken = manager_client.post(
        url("desk-add-pool", cycle.slug),
        {"code": "city", "name": "Again", "budget": 100, "ballot_kind": "approval"},
    )
    assert taken.status_code == 409
    assert "The cycle has a pool “city” already." in text(taken)
    voting = make_cycle(city, phase="voting")
    late = manager_client.post(
        url("desk-add-pool", voting.slug),
        {"code": "late", "name": "Late", "budget": 100, "ballot_kind": "approval"},
    )
    assert late.status_code == 409
    assert "Pools are fixed once voting has started." in text(late)
    assert not Pool.objects.filter(code__in=["late"]).exists()
    assert cycle.pools.count() == 3


# --- review ------------------------------------------------------------------------------------


def test_the_queue_shows_proposals_waiting_and_filters_by_status(handler_client, city):
    cycle = make_cycle(city, phase="review")
    waiting = proposal(cycle, title="Shade trees for the playground")
    response = handler_client.get(url("desk-review", cycle.slug))
    assert response.status_code == 200
    assert [p.code for p in response.context["page"].object_list] == [waiting.code]
    accepted = handler_client.get(url("desk-review", cycle.slug), {"status": "accepted"})
    codes = [p.code for p in accepted.context["page"].object_list]
    assert len(codes) == 11 and waiting.code not in codes
    jongno = handler_client.get(
        url("desk-review", cycle.slug), {"status": "accepted", "pool": "jongno"}
    )
    assert sorted(p.code for p in jongno.context["page"].object_list) == ["j1", "j2", "j3", "j4"]


def test_accepting_without_a_cost_is_refused_inline(handler_client, city, citizen):
    cycle = make_cycle(city, phase="review")
    project = proposal(cycle, proposer=citizen)
    response = handler_client.post(
        url("desk-decide", cycle.slug, project.code), {"decision": "accept", "reasons": ""}
    )
    assert response.status_code == 400
    assert "Give the estimated cost of the project." in text(response)
    project.refresh_from_db()
    assert (project.status, project.cost, project.reviewed_at) == ("proposed", None, None)


def test_accepting_with_a_cost_and_another_area_puts_it_on_the_ballot(
    handler_client, city, citizen
):
    cycle = make_cycle(city, phase="review")
    project = proposal(cycle, proposer=citizen, area="welfare")
    response = handler_client.post(
        url("desk-decide", cycle.slug, project.code),
        {"decision": "accept", "cost": 280, "area": Area.objects.get(code="environment").pk},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED
    assert project.cost == 280
    assert project.area.code == "environment"
    assert Notification.objects.filter(recipient=citizen, kind="budget.project").exists()
    page = text(handler_client.get(response.url))
    assert f"Project {project.code} is on the ballot at 280." in page


def test_rejecting_needs_reasons(handler_client, city):
    cycle = make_cycle(city, phase="proposals")
    project = proposal(cycle)
    response = handler_client.post(
        url("desk-decide", cycle.slug, project.code), {"decision": "reject", "reasons": " "}
    )
    assert response.status_code == 400
    assert "This field is required." in text(response)
    project.refresh_from_db()
    assert project.status == "proposed"
    response = handler_client.post(
        url("desk-decide", cycle.slug, project.code),
        {"decision": "reject", "reasons": "The land belongs to the national railway."},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "rejected"
    assert project.review_reasons == "The land belongs to the national railway."


def test_a_manager_routes_a_proposal_whose_new_department_reviews_it(
    client, city, budget_manager, transport
):
    cycle = make_cycle(city, phase="review")
    project = proposal(cycle, area="transport")
    sign_in(client, budget_manager)
    response = client.post(
        url("desk-route", cycle.slug, project.code), {"department": transport.pk}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.reviewing_department == transport
    # The budget department no longer decides on it: no decision form on its page.
    page = client.get(url("desk-project", cycle.slug, project.code))
    assert page.context["review_form"] is None
    client.post(reverse("account_logout"))

    engineer = factories.make_user()
    factories.make_membership(user=engineer, department=transport, role=Role.HANDLER)
    sign_in(client, engineer)
    listing = client.get(url("desk"))
    assert cycle.slug in text(listing)
    queue = client.get(url("desk-review", cycle.slug), {"status": "any"})
    assert [p.code for p in queue.context["page"].object_list] == [project.code]
    other = proposal(cycle)  # still the budget department's: not the engineer's to see
    assert client.get(url("desk-project", cycle.slug, other.code)).status_code == 403
    decided = client.post(
        url("desk-decide", cycle.slug, project.code), {"decision": "accept", "cost": 400}
    )
    assert decided.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.cost) == ("accepted", 400)


def test_a_handler_cannot_route(handler_client, city, transport):
    cycle = make_cycle(city, phase="review")
    project = proposal(cycle)
    response = handler_client.post(
        url("desk-route", cycle.slug, project.code), {"department": transport.pk}
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.reviewing_department == cycle.department


# --- paper ballots -----------------------------------------------------------------------------


def booth(cycle, pool="jongno") -> str:
    return url("desk-paper-booth", cycle.slug, pool)


def box(cycle, pool="jongno") -> str:
    return url("desk-paper-box", cycle.slug, pool)


def test_a_paper_ballot_is_stored_and_its_receipt_shown_once(handler_client, city, budget_official):
    cycle = make_cycle(city)
    _user, resident = make_resident(district_code=JONGNO)
    page = handler_client.get(booth(cycle))
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="resident_id"[^>]*autofocus', text(page))
    handed = handler_client.post(booth(cycle), {"resident_id": resident})
    assert handed.status_code == 302
    response = handler_client.post(box(cycle), {"choices": ["j1", "j3"]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(pool__cycle=cycle)
    assert ballot.channel == "paper" and ballot.void_reasons == ""
    chosen = set(BallotChoice.objects.filter(ballot=ballot).values_list("project__code", flat=True))
    assert chosen == {"j1", "j3"}
    registered = Participation.objects.get(pool__cycle=cycle)
    assert (registered.channel, registered.entered_by, registered.user) == (
        "paper",
        budget_official,
        None,
    )
    after = text(handler_client.get(response.url))
    assert "Ballot stored" in after
    assert ballot_rules.receipt_of(ballot.pk) in after
    assert resident not in after  # the next person starts with an empty form
    again = text(handler_client.get(box(cycle)))
    assert ballot_rules.receipt_of(ballot.pk) not in again


def test_the_booth_sees_who_votes_and_the_box_sees_the_marks_never_both(handler_client, city):
    """The booth's page asks for the ID card's number and offers no marks; the box's page
    takes the marks and asks for no one; nothing the booth stored shows on the box's page."""
    cycle = make_cycle(city)
    _user, resident = make_resident(district_code=JONGNO)
    at_booth = text(handler_client.get(booth(cycle)))
    assert 'name="resident_id"' in at_booth and 'name="choices"' not in at_booth
    at_box = text(handler_client.get(box(cycle)))
    assert 'name="choices"' in at_box and 'name="resident_id"' not in at_box
    handed = handler_client.post(booth(cycle), {"resident_id": resident, "choices": ["j1"]})
    assert handed.status_code == 302
    assert not Ballot.objects.exists()  # marks sent to the booth are not a ballot
    assert "Registered: hand over a ballot paper" in text(handler_client.get(handed.url))
    entered = handler_client.post(box(cycle), {"choices": ["j3"]})
    after = text(handler_client.get(entered.url))
    assert resident not in after and "Ballot stored" in after
    assert Participation.objects.get().channel == "paper"
    assert sorted(BallotChoice.objects.values_list("project__code", flat=True)) == ["j3"]
    # A second paper with no second voter is refused: it did not come from the booth.
    extra = handler_client.post(box(cycle), {"choices": ["j1"]})
    assert extra.status_code == 409
    assert "More papers than voters" in text(extra)
    assert Ballot.objects.count() == 1


def test_a_second_paper_ballot_of_the_same_resident_is_refused(handler_client, city):
    cycle = make_cycle(city)
    _user, resident = make_resident(district_code=JONGNO)
    first = handler_client.post(booth(cycle), {"resident_id": resident})
    assert first.status_code == 302
    assert handler_client.post(box(cycle), {"choices": ["j1"]}).status_code == 302
    second = handler_client.post(booth(cycle), {"resident_id": resident})
    assert second.status_code == 409
    assert "Already voted" in text(second)
    assert Participation.objects.filter(pool__cycle=cycle).count() == 1
    assert Ballot.objects.filter(pool__cycle=cycle).count() == 1
    assert not BallotChoice.objects.filter(project__code="j2", project__cycle=cycle).exists()


def test_residents_not_in_the_register_or_of_another_district_are_told_apart(handler_client, city):
    cycle = make_cycle(city)
    _user, mapo_resident = make_resident(district_code=MAPO)
    unknown = handler_client.post(
        booth(cycle), {"resident_id": "850505-1999999", "choices": ["j1"]}
    )
    assert unknown.status_code == 404
    assert "Not in the residents register" in text(unknown)
    elsewhere = handler_client.post(booth(cycle), {"resident_id": mapo_resident, "choices": ["j1"]})
    assert elsewhere.status_code == 403
    assert "Lives in another district" in text(elsewhere)
    assert "Only residents of" in text(elsewhere)
    malformed = handler_client.post(booth(cycle), {"resident_id": "12#", "choices": ["j1"]})
    assert malformed.status_code == 400
    assert "resident registration number" in text(malformed)
    assert not Participation.objects.filter(pool__cycle=cycle).exists()
    # The Mapo resident votes in the Mapo pool all the same.
    mapo = handler_client.post(
        booth(cycle, "mapo"), {"resident_id": mapo_resident, "choices": ["m1"]}
    )
    assert mapo.status_code == 302


def test_a_paper_ballot_breaking_the_rule_is_stored_void(handler_client, city):
    cycle = make_cycle(city)
    _user, resident = make_resident(district_code=JONGNO)
    # j1 and j2 are both welfare projects: one per area on Jongno's ballot.
    assert handler_client.post(booth(cycle), {"resident_id": resident}).status_code == 302
    response = handler_client.post(box(cycle), {"choices": ["j1", "j2"]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(pool__cycle=cycle)
    assert ballot.void_reasons == "area_twice"
    assert not BallotChoice.objects.filter(ballot=ballot).exists()
    page = text(handler_client.get(response.url))
    assert "Stored as a VOID ballot" in page
    assert "One project per area" in page
    assert ballot_rules.receipt_of(ballot.pk) in page


def test_an_unmarked_ballot_needs_confirming(handler_client, city):
    cycle = make_cycle(city)
    _user, resident = make_resident(district_code=JONGNO)
    slip = handler_client.post(box(cycle), {})
    assert slip.status_code == 400
    assert "confirm that the paper has no mark" in text(slip)
    assert not Participation.objects.exists()
    assert handler_client.post(booth(cycle), {"resident_id": resident}).status_code == 302
    confirmed = handler_client.post(box(cycle), {"blank": "on"})
    assert confirmed.status_code == 302
    assert Ballot.objects.get(pool__cycle=cycle).void_reasons == "empty"


def test_paper_ballots_only_while_voting(handler_client, city):
    cycle = make_cycle(city, phase="scoring")
    _user, resident = make_resident(district_code=JONGNO)
    page = handler_client.get(booth(cycle))
    assert "Voting is not open" in text(page)
    assert 'name="resident_id"' not in text(page)
    late = handler_client.post(booth(cycle), {"resident_id": resident, "choices": ["j1"]})
    assert late.status_code == 409
    assert not Participation.objects.exists()


# --- survey ------------------------------------------------------------------------------------


def upload(client, cycle, content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = SimpleUploadedFile("survey.csv", content.encode(), content_type="text/csv")
    return client.post(url("desk-survey", cycle.slug), {"file": data})


def test_a_manager_imports_the_survey(manager_client, city):
    cycle = make_cycle(city, phase="scoring")
    response = upload(manager_client, cycle, "project,score\nc1,61.5\nj1,20\n")
    assert response.status_code == 302
    scores = dict(
        SurveyScore.objects.filter(project__cycle=cycle).values_list("project__code", "score")
    )
    assert {code: str(score) for code, score in scores.items()} == {
        "c1": "61.500",
        "j1": "20.000",
    }
    page = manager_client.get(response.url)
    assert "The survey scores of 2 projects are imported." in text(page)
    assert re.search(r"c1 · Project c1.*?61\.5", text(page), re.S)


def test_a_survey_naming_an_unknown_project_imports_nothing(manager_client, city):
    cycle = make_cycle(city, phase="voting")
    assert upload(manager_client, cycle, "project,score\nm1,7\n").status_code == 302
    response = upload(manager_client, cycle, "project,score\nc1,50\nzz9,10\nc2,oops\n")
    assert response.status_code == 400
    page = text(response)
    assert "Nothing was imported" in page
    assert "line 3: no project “zz9”" in page
    assert "line 4:" in page
    # The scores imported before stay as they were.
    stored = SurveyScore.objects.filter(project__cycle=cycle)
    assert [(s.project.code, int(s.score)) for s in stored] == [("m1", 7)]


# --- committee ---------------------------------------------------------------------------------


def test_a_manager_appoints_members_by_email(manager_client, city):
    cycle = make_cycle(city, phase="scoring")
    expert = factories.make_user(email="expert@university.example.org", display_name="박교수")
    response = manager_client.post(
        url("desk-committee", cycle.slug), {"email": "Expert@University.example.org"}
    )
    assert response.status_code == 302
    assert CommitteeMember.objects.filter(cycle=cycle, user=expert).exists()
    unknown = manager_client.post(url("desk-committee", cycle.slug), {"email": "no@one.org"})
    assert unknown.status_code == 400
    assert "No account uses that email" in text(unknown)
    again = manager_client.post(url("desk-committee", cycle.slug), {"email": expert.email})
    assert again.status_code == 409
    assert "is on the committee already" in text(again)
    assert CommitteeMember.objects.filter(cycle=cycle).count() == 1
    page = manager_client.get(url("desk-committee", cycle.slug))
    assert [m.user for m in page.context["members"]] == [expert]
    assert url("committee-score", cycle.slug) in text(page)


def test_a_member_scores_each_project_once(client, city):
    cycle = make_cycle(city, phase="scoring")
    expert = factories.make_user(display_name="박교수")
    CommitteeMember.objects.create(cycle=cycle, user=expert)
    client.force_login(expert)  # not an official: no role, no second factor
    screen = client.get(url("committee-score", cycle.slug))
    assert screen.status_code == 200
    assert "What c1 does" in text(screen) and "300" in text(screen)
    response = client.post(url("committee-score", cycle.slug), {"project": "c1", "score": 80})
    assert response.status_code == 302
    again = client.post(url("committee-score", cycle.slug), {"project": "c1", "score": 10})
    assert again.status_code == 409
    assert "You have scored this project already" in text(again)
    scores = CommitteeScore.objects.filter(member__user=expert)
    assert list(scores.values_list("project__code", "score")) == [("c1", 80)]
    page = text(client.get(url("committee-score", cycle.slug)))
    assert "Your score: 80" in page
    assert 'id="score-c1-score"' not in page and 'id="score-c2-score"' in page
    too_high = client.post(url("committee-score", cycle.slug), {"project": "c2", "score": 101})
    assert too_high.status_code == 400
    assert not scores.filter(project__code="c2").exists()


def test_only_members_open_the_scoring_screen(client, city, citizen):
    cycle = make_cycle(city, phase="scoring")
    anonymous = client.get(url("committee-score", cycle.slug))
    assert anonymous.status_code == 302
    client.force_login(citizen)
    assert client.get(url("committee-score", cycle.slug)).status_code == 403
    response = client.post(url("committee-score", cycle.slug), {"project": "c1", "score": 90})
    assert response.status_code == 403
    assert not CommitteeScore.objects.exists()


# --- results -----------------------------------------------------------------------------------


def vote_on_paper(official, cycle, pool: str, district: str, choices: list[str]) -> None:

    _user, resident = make_resident(district_code=district)
    paper_ballot(
        actor=official, pool=cycle.pools.get(code=pool), resident_id=resident, choices=choices
    )


def test_the_tally_preview_and_publishing(manager_client, city, budget_manager):
    cycle = make_cycle(city, phase="voting")
    vote_on_paper(budget_manager, cycle, "city", JONGNO, ["c1", "c2"])
    vote_on_paper(budget_manager, cycle, "city", MAPO, ["c2"])
    vote_on_paper(budget_manager, cycle, "city", MAPO, ["c2", "c4"])
    preview = manager_client.get(url("desk-results", cycle.slug))
    assert preview.status_code == 200
    city_tally = next(t for t in preview.context["tallies"] if t.pool.code == "city")
    votes = {row.project.code: row.votes for row in city_tally.projects}
    assert votes == {"c1": 1, "c2": 3, "c3": 0, "c4": 1}
    assert city_tally.ballots == 3
    assert preview.context["paper"] == 3 and preview.context["voters"] == 3
    assert "Publish the results" not in text(preview)
    refused = manager_client.post(url("desk-publish", cycle.slug), follow=True)
    assert "This cannot be done now" in text(refused)
    cycle.refresh_from_db()
    assert cycle.results_published_at is None

    Cycle.objects.filter(pk=cycle.pk).update(**phase_dates("results"))
    ready = manager_client.get(url("desk-results", cycle.slug))
    assert "Publish the results" in text(ready)
    published = manager_client.post(url("desk-publish", cycle.slug), follow=True)
    page = text(published)
    assert "The results are published" in page
    cycle.refresh_from_db()
    assert cycle.results_published_at is not None
    c2 = Project.objects.get(cycle=cycle, code="c2")
    assert (c2.votes, c2.rank, c2.selected) == (3, 1, True)
    assert f'href="/budget/{cycle.slug}/results/"' in page
    twice = manager_client.post(url("desk-publish", cycle.slug), follow=True)
    assert "published already" in text(twice)


# --- implementation ----------------------------------------------------------------------------


def test_updates_of_a_selected_project(handler_client, city):
    cycle = make_cycle(city, phase="implementation")
    Project.objects.filter(cycle=cycle, code="c2").update(selected=True, rank=1)
    Project.objects.filter(cycle=cycle).exclude(code="c2").update(selected=False)
    Cycle.objects.filter(pk=cycle.pk).update(results_published_at=timezone.now())
    page = handler_client.get(url("desk-implementation", cycle.slug))
    assert [project.code for project, _form in page.context["rows"]] == ["c2"]
    response = handler_client.post(
        url("desk-implementation-update", cycle.slug, "c2"),
        {"implementation": "in_progress", "note": "Contract signed with the builder."},
    )
    assert response.status_code == 302
    c2 = Project.objects.get(cycle=cycle, code="c2")
    assert c2.implementation == "in_progress"
    update = ProjectUpdate.objects.get(project=c2)
    assert update.note == "Contract signed with the builder."
    bad = handler_client.post(
        url("desk-implementation-update", cycle.slug, "c2"), {"implementation": "finished-ish"}
    )
    assert bad.status_code == 400
    assert "Select a valid choice" in text(bad)
    not_selected = handler_client.post(
        url("desk-implementation-update", cycle.slug, "c1"), {"implementation": "planning"}
    )
    assert not_selected.status_code == 409
    assert "Only selected projects are implemented." in text(not_selected)
    assert ProjectUpdate.objects.filter(project__cycle=cycle).count() == 1


# --- back office -------------------------------------------------------------------------------


def test_back_office_never_links_the_register_and_the_ballots(client, city, budget_official):
    cycle = make_cycle(city)
    vote_on_paper(budget_official, cycle, "jongno", JONGNO, ["j1"])
    registered = Participation.objects.get()
    ballot = Ballot.objects.get()
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)

    register = text(client.get("/admin/budget/participation/"))
    assert registered.identity_key not in register
    assert ballot_rules.receipt_of(ballot.pk) not in register
    one = client.get(f"/admin/budget/participation/{registered.pk}/change/")
    assert one.status_code == 200
    assert registered.identity_key not in text(one)
    assert ballot_rules.receipt_of(ballot.pk) not in text(one)
    assert 'name="_save"' not in text(one)

    ballots = text(client.get("/admin/budget/ballot/"))
    assert ballot_rules.receipt_of(ballot.pk) in ballots
    assert registered.identity_key not in ballots
    found = client.get("/admin/budget/ballot/", {"q": ballot_rules.receipt_of(ballot.pk).lower()})
    assert ballot_rules.receipt_of(ballot.pk) in text(found)
    detail = text(client.get(f"/admin/budget/ballot/{ballot.pk}/change/"))
    assert "j1" in detail and budget_official.email not in detail

    assert client.get("/admin/budget/cycle/").status_code == 200
    assert client.get(f"/admin/budget/cycle/{cycle.pk}/change/").status_code == 200
    assert client.get("/admin/budget/project/", {"status": "accepted"}).status_code == 200


def test_back_office_refuses_weights_that_do_not_add_up(client, city):
    cycle = make_cycle(city, phase="proposals")
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    change = f"/admin/budget/cycle/{cycle.pk}/change/"
    form = client.get(change)
    assert form.status_code == 200
    data = {
        "title": cycle.title,
        "title_en": cycle.title_en,
        "description": "",
        "department": cycle.department_id,
        "weight_vote": 60,
        "weight_survey": 10,
        "weight_committee": 45,
        "rule": "greedy",
        "min_score": 0,
        "pools-TOTAL_FORMS": 0,
        "pools-INITIAL_FORMS": 0,
    }
    for _phase, field in PHASE_STARTS:
        moment = timezone.localtime(getattr(cycle, field))
        data[f"{field}_0"] = moment.strftime("%Y-%m-%d")
        data[f"{field}_1"] = moment.strftime("%H:%M:%S")
    response = client.post(change, data)
    assert response.status_code == 200
    assert "the weights add up to 115, not 100" in text(response)
    cycle.refresh_from_db()
    assert cycle.weight_vote == 45


def _cycle_change_data(cycle, **fields) -> dict:
    data = {
        "title": cycle.title,
        "title_en": cycle.title_en,
        "description": "",
        "department": cycle.department_id,
        "weight_vote": cycle.weight_vote,
        "weight_survey": cycle.weight_survey,
        "weight_committee": cycle.weight_committee,
        "rule": cycle.rule,
        "min_score": cycle.min_score,
        "pools-TOTAL_FORMS": 0,
        "pools-INITIAL_FORMS": 0,
    }
    for _phase, field in PHASE_STARTS:
        moment = timezone.localtime(getattr(cycle, field))
        data[f"{field}_0"] = moment.strftime("%Y-%m-%d")
        data[f"{field}_1"] = moment.strftime("%H:%M:%S")
    data.update(fields)
    return data


def test_back_office_corrections_go_through_services_and_the_audit_log(client, city):
    from hamkke.core.models import AuditEntry

    cycle = make_cycle(city, phase="review")
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    change = f"/admin/budget/cycle/{cycle.pk}/change/"
    pools = list(cycle.pools.order_by("pk"))
    data = _cycle_change_data(cycle, weight_vote=50, weight_survey=5)
    data.update({"pools-TOTAL_FORMS": len(pools) + 1, "pools-INITIAL_FORMS": len(pools)})
    for index, pool in enumerate(pools):
        for field in ("code", "name", "name_en", "budget", "ballot_kind"):
            data[f"pools-{index}-{field}"] = getattr(pool, field)
        data[f"pools-{index}-id"] = pool.pk
        data[f"pools-{index}-cycle"] = cycle.pk
        data[f"pools-{index}-district"] = pool.district_id or ""
        data[f"pools-{index}-max_choices"] = pool.max_choices or ""
        data[f"pools-{index}-min_spend_percent"] = pool.min_spend_percent
    data["pools-0-budget"] = 1200  # the citywide pool grows
    new = len(pools)
    data.update(
        {
            f"pools-{new}-code": "youth",
            f"pools-{new}-name": "청년",
            f"pools-{new}-budget": 500,
            f"pools-{new}-ballot_kind": "approval",
            f"pools-{new}-cycle": cycle.pk,
            f"pools-{new}-min_spend_percent": 0,
        }
    )
    response = client.post(change, data, REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302, text(response)[:3000]

    cycle.refresh_from_db()
    assert (cycle.weight_vote, cycle.weight_survey) == (50, 5)
    corrected = AuditEntry.objects.get(action="budget.cycle_corrected")
    assert corrected.data == {"weight_vote": 50, "weight_survey": 5}
    assert corrected.actor == staff and corrected.ip_address == "198.51.100.4"
    assert cycle.pools.get(code="city").budget == 1200
    assert AuditEntry.objects.get(action="budget.pool_corrected").data == {"budget": 1200}
    added = AuditEntry.objects.get(action="budget.pool_added")
    assert added.target_id == str(cycle.pools.get(code="youth").pk)

    project = cycle.projects.get(code="c1")
    project_change = f"/admin/budget/project/{project.pk}/change/"
    fields = {"title": "Project c1, without the phone number", "summary": project.summary}
    inline = {"updates-TOTAL_FORMS": 0, "updates-INITIAL_FORMS": 0}
    saved = client.post(project_change, {**fields, "description": "", **inline})
    assert saved.status_code == 302, text(saved)[:3000]
    project.refresh_from_db()
    assert project.title == "Project c1, without the phone number"
    entry = AuditEntry.objects.get(action="budget.project_corrected")
    # Which fields changed, never their words: a correction often removes personal data.
    assert entry.data == {"fields": ["title"]}


def test_back_office_pools_are_fixed_once_voting_starts(client, city):
    cycle = make_cycle(city, phase="voting")
    staff = factories.make_user(is_staff=True, is_superuser=True)
    sign_in(client, staff)
    page = text(client.get(f"/admin/budget/cycle/{cycle.pk}/change/"))
    assert 'name="pools-0-budget"' not in page
