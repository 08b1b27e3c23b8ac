"""OParl 1.1 at /oparl/v1/: the objects a council information tool walks from the System to
the city's Body, its committees, meetings with their agenda items, papers and files; lists paged
and filtered as the spec says; errors in the spec's error object; every answer valid against the
spec's own JSON schemas (tests/plaza/data/oparl, CC BY-SA 4.0). A closed meeting, a paper the
public may not read and a withheld file are nowhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hamkke.plaza.models import Attendee, Committee, Disclosure, MeetingStatus
from hamkke.plaza.services import AttachmentUpload
from tests.plaza import test_meetings as shared
from tests.plaza.test_meetings import GROUND, SEOUL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The meetings' fixtures, shared with the public pages' tests.
committee = shared.committee
make_meeting = shared.make_meeting
closed_paper = shared.closed_paper

BASE = "http://testserver/oparl/v1/"
SCHEMAS = Path(__file__).parent / "data" / "oparl"
ERROR = "https://schema.oparl.org/1.1/Error"


# --- the spec's schemas ------------------------------------------------------------------------


def _embedded(node, depth: int = 0):
    """A schema with the objects it embeds by the spec's `"schema": "X.json"` put in place."""
    if isinstance(node, list):
        return [_embedded(child, depth) for child in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "object" and isinstance(node.get("schema"), str) and depth < 3:
        return _embedded(json.loads((SCHEMAS / node["schema"]).read_text()), depth + 1)
    return {key: _embedded(value, depth) for key, value in node.items()}


def assert_valid(obj: dict, name: str) -> None:
    schema = _embedded(json.loads((SCHEMAS / f"{name}.json").read_text()))
    validator = jsonschema_rs.validator_for(
        schema, validate_formats=True, ignore_unknown_formats=True
    )
    problems = [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(obj)]
    assert not problems, f"{name}: {problems}"


def get(client, path: str, **params):
    response = client.get(path if path.startswith("http") else BASE + path, params)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def assert_error(response, status: int) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["type"] == ERROR and body["message"]
    return body


# --- data ----------------------------------------------------------------------------------------


@pytest.fixture
def paper(make_document):
    """A public document with a public file and a withheld one."""
    return make_document(
        title="2027년 예산안 설명자료",
        number="SEOUL-PAPER-1",
        disclosure=Disclosure.PARTIAL,
        legal_ground=GROUND,
        attachments=[
            AttachmentUpload(file=SimpleUploadedFile("설명자료.txt", "예산안 설명".encode())),
            AttachmentUpload(
                file=SimpleUploadedFile("개인별 명단.txt", "비공개 명단".encode()),
                withheld=True,
                legal_ground=GROUND,
            ),
        ],
    )


@pytest.fixture
def council(make_meeting, paper, closed_paper, department):
    """An open meeting with a public and a closed paper on its agenda, and a closed meeting
    whose paper is public too."""
    start = datetime(2026, 11, 20, 14, tzinfo=SEOUL)
    held = make_meeting(
        title="제5차 기획경제위원회",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        place="서울시청 본관 3층",
        status=MeetingStatus.HELD,
        agenda=[("예산안 심사", 0, paper), ("인사 안건", 600, closed_paper)],
    )
    Attendee.objects.create(meeting=held, role_title="위원장", is_chair=True)
    secret = make_meeting(
        title="비밀 인사위원회",
        starts_at=start + timedelta(days=1),
        disclosure=Disclosure.CLOSED,
        agenda=[("비밀 안건", None, None)],
    )
    return held, secret


# --- walking from the System ---------------------------------------------------------------------


def test_a_client_walks_from_the_system_to_the_meetings(client, council, committee, city):
    held, _secret = council
    system = get(client, "system").json()
    assert_valid(system, "System")
    assert system["id"] == BASE + "system"
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    assert get(client, "").json() == system

    bodies = get(client, system["body"]).json()
    assert bodies["pagination"]["totalElements"] == 1
    body = bodies["data"][0]
    assert_valid(body, "Body")
    assert body["id"] == BASE + f"body/{city.slug}"
    assert get(client, body["id"]).json() == body
    assert body["legislativeTerm"] == []

    organizations = get(client, body["organization"]).json()
    assert [o["id"] for o in organizations["data"]] == [BASE + f"organization/{committee.pk}"]
    organization = get(client, organizations["data"][0]["id"]).json()
    assert_valid(organization, "Organization")
    assert organization["name"] == "기획경제위원회"
    assert organization["body"] == body["id"]

    for listing in (body["meeting"], organization["meeting"]):
        meetings = get(client, listing).json()
        assert [m["id"] for m in meetings["data"]] == [BASE + f"meeting/{held.pk}"]
        assert_valid(meetings["data"][0], "Meeting")
        assert "비밀" not in json.dumps(meetings, ensure_ascii=False)

    assert get(client, body["person"]).json()["data"] == []


def test_a_meeting_with_its_agenda(client, council, committee, paper):
    held, _secret = council
    meeting = get(client, f"meeting/{held.pk}").json()
    assert_valid(meeting, "Meeting")
    assert meeting["type"] == "https://schema.oparl.org/1.1/Meeting"
    assert meeting["name"] == "제5차 기획경제위원회"
    assert meeting["start"] == "2026-11-20T14:00:00+09:00"
    assert meeting["end"] == "2026-11-20T16:00:00+09:00"
    assert meeting["meetingState"] == "durchgeführt" and "cancelled" not in meeting
    assert meeting["organization"] == [BASE + f"organization/{committee.pk}"]
    assert meeting["location"]["description"] == "서울시청 본관 3층"
    assert_valid(get(client, meeting["location"]["id"]).json(), "Location")
    assert meeting["web"] == f"http://testserver/plaza/meetings/{held.pk}/"
    first, second = meeting["agendaItem"]
    assert (first["order"], first["name"], first["public"]) == (1, "예산안 심사", True)
    assert first["meeting"] == meeting["id"]
    # The public paper's public file is there; its withheld file and the closed paper are not.
    assert [f["name"] for f in first["auxiliaryFile"]] == ["설명자료.txt"]
    assert second["name"] == "인사 안건" and "auxiliaryFile" not in second
    assert "명단" not in json.dumps(meeting, ensure_ascii=False)
    assert "비공개 인사 자료" not in json.dumps(meeting, ensure_ascii=False)
    item = get(client, first["id"]).json()
    assert_valid(item, "AgendaItem")
    assert item == first
    listing = f"body/{held.committee.city.slug}/meeting"
    without = get(client, listing, omit_internal="true").json()["data"][0]
    assert "agendaItem" not in without and without["name"] == meeting["name"]


def test_a_cancelled_meeting_says_so(client, make_meeting):
    cancelled = make_meeting(status=MeetingStatus.CANCELLED)
    meeting = get(client, f"meeting/{cancelled.pk}").json()
    assert meeting["cancelled"] is True
    assert_valid(meeting, "Meeting")


def test_papers_and_files(client, council, paper, closed_paper, city):
    papers = get(client, f"body/{city.slug}/paper").json()
    assert [p["id"] for p in papers["data"]] == [BASE + f"paper/{paper.pk}"]
    shown = get(client, f"paper/{paper.pk}").json()
    assert_valid(shown, "Paper")
    assert (shown["name"], shown["reference"]) == ("2027년 예산안 설명자료", "SEOUL-PAPER-1")
    assert shown["date"] == "2026-11-02"
    main = shown["mainFile"]
    assert_valid(main, "File")
    assert "auxiliaryFile" not in shown  # the withheld file is not listed
    assert get(client, main["id"]).json() == main
    assert main["paper"] == [shown["id"]]

    access = client.get(main["accessUrl"])
    assert access.status_code == 200
    assert b"".join(access.streaming_content) == "예산안 설명".encode()
    assert "attachment" not in access.get("Content-Disposition", "")
    download = client.get(main["downloadUrl"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename" in download["Content-Disposition"]
    paper.refresh_from_db()
    assert paper.download_count == 1


def test_nothing_closed_or_withheld_is_found(client, council, paper, closed_paper):
    held, secret = council
    withheld = paper.attachments.get(withheld=True)
    for path in (
        f"meeting/{secret.pk}",
        f"agendaItem/{secret.agenda.get().pk}",
        f"location/{secret.pk}",
        f"paper/{closed_paper.pk}",
        f"file/{withheld.pk}",
        f"file/{withheld.pk}/access",
        f"file/{withheld.pk}/download",
        f"meeting/{2**63}",
        f"file/{10**30}",
        "meeting/0",
    ):
        body = assert_error(client.get(BASE + path), 404)
        assert "비밀" not in body["message"]
    assert get(client, f"meeting/{held.pk}").status_code == 200  # the open one is found


def test_a_paper_named_only_by_a_closed_meeting_is_not_listed(
    client, make_meeting, make_document, city
):
    only_secret = make_document(title="비공개 회의 자료(문서는 공개)")
    make_meeting(disclosure=Disclosure.CLOSED, agenda=[("비밀", None, only_secret)])
    assert get(client, f"body/{city.slug}/paper").json()["data"] == []
    assert_error(client.get(BASE + f"paper/{only_secret.pk}"), 404)


# --- lists ---------------------------------------------------------------------------------------


def test_lists_are_paged_and_keep_their_filters(client, make_meeting, city):
    for day in range(5):
        make_meeting(starts_at=datetime(2025, 5, day + 1, 10, tzinfo=SEOUL))
    first = get(client, f"body/{city.slug}/meeting", limit="2", omit_internal="true").json()
    assert first["pagination"] == {
        "totalElements": 5,
        "elementsPerPage": 2,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert "prev" not in first["links"]
    assert "limit=2" in first["links"]["next"] and "page=2" in first["links"]["next"]
    assert "omit_internal=true" in first["links"]["next"]
    last = get(client, first["links"]["last"]).json()
    assert len(last["data"]) == 1 and "next" not in last["links"]
    ids = [m["id"] for m in first["data"]]
    ids += [m["id"] for m in get(client, first["links"]["next"]).json()["data"]]
    ids += [m["id"] for m in last["data"]]
    assert len(set(ids)) == 5
    beyond = get(client, f"body/{city.slug}/meeting", page="9").json()
    assert beyond["data"] == [] and beyond["pagination"]["currentPage"] == 9


def test_lists_filter_by_creation_and_change(client, make_meeting, city):
    old = make_meeting(title="오래된 회의")
    new = make_meeting(title="새 회의")
    type(old).objects.filter(pk=old.pk).update(
        created_at=datetime(2020, 1, 1, tzinfo=SEOUL), updated_at=datetime(2020, 1, 2, tzinfo=SEOUL)
    )
    since = get(
        client, f"body/{city.slug}/meeting", modified_since="2024-01-01T00:00:00+09:00"
    ).json()
    assert [m["id"] for m in since["data"]] == [BASE + f"meeting/{new.pk}"]
    until = get(
        client, f"body/{city.slug}/meeting", created_until="2021-01-01T00:00:00+09:00"
    ).json()
    assert [m["id"] for m in until["data"]] == [BASE + f"meeting/{old.pk}"]
    # A "+" left unencoded arrives as a space and is still read as the offset.
    spaced = client.get(
        BASE + f"body/{city.slug}/meeting?created_until=2021-01-01T00:00:00+09:00"
    ).json()
    assert [m["id"] for m in spaced["data"]] == [BASE + f"meeting/{old.pk}"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "²"},
        {"page": "0"},
        {"page": "١٢"},
        {"limit": "-1"},
        {"page": "9" * 40},
        {"created_since": "9999-12-31T23:59:59+09:00"},
        {"created_since": "0001-01-01T00:00:00+00:00"},
        {"modified_since": "2024-01-01"},
        {"modified_until": "2024-13-01T00:00:00+09:00"},
        {"modified_until": "yesterday"},
        {"omit_internal": "yes"},
    ],
)
def test_bad_list_parameters_are_refused_in_the_specs_error_format(client, city, params):
    body = assert_error(get(client, f"body/{city.slug}/meeting", **params), 400)
    assert next(iter(params)) in body["message"]


def test_errors_are_the_specs_error_objects(client, city):
    assert_error(get(client, "nothing/here"), 404)
    assert_error(get(client, "body/atlantis"), 404)
    assert_error(get(client, "body/atlantis/meeting"), 404)
    assert_error(get(client, "organization/999999"), 404)
    response = client.post(BASE + "system")
    assert_error(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_the_organization_list_filters_too(client, city, department):
    Committee.objects.create(city=city, department=department, name="예전 위원회")
    Committee.objects.filter(name="예전 위원회").update(
        created_at=datetime(2019, 1, 1, tzinfo=SEOUL)
    )
    Committee.objects.create(city=city, department=department, name="새 위원회")
    listed = get(
        client, f"body/{city.slug}/organization", created_since="2020-01-01T00:00:00+09:00"
    ).json()
    assert [o["name"] for o in listed["data"]] == ["새 위원회"]
    for organization in listed["data"]:
        assert_valid(organization, "Organization")
