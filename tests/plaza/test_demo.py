"""The Plaza's demo data: every type and department, closed documents off every public list and
out of the index, the index exactly what publishing writes, searchable Korean, meetings today
with videos, datasets, requests; no personal data; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hamkke.core.models import Department
from hamkke.plaza import demo, masking, selectors, services
from hamkke.plaza.models import (
    Dataset,
    Disclosure,
    DisclosureRequest,
    Document,
    DocumentType,
    Meeting,
    MeetingStatus,
    SearchChunk,
    WithheldPassage,
)

pytestmark = pytest.mark.django_db

COUNT = 400


@pytest.fixture
def seeded(city):
    lines = list(demo.seed(documents=COUNT))
    return lines


def _chunks(document: Document) -> list[tuple[int, str, str]]:
    return list(
        SearchChunk.objects.filter(document=document)
        .order_by("part")
        .values_list("part", "title_terms", "terms")
    )


def test_every_type_and_every_department_has_documents(seeded, city):
    demo_documents = Document.objects.filter(number__startswith=demo.NUMBER_PREFIX)
    types = set(demo_documents.values_list("doc_type", flat=True))
    assert types == set(DocumentType.values)
    departments = set(demo_documents.values_list("department__code", flat=True))
    assert departments == set(Department.objects.filter(city=city).values_list("code", flat=True))
    # The district offices (25 of Seoul's 35 departments) among them.
    assert Department.objects.filter(code__in=departments, district__isnull=False).count() == 25
    # The bulk documents plus those with files and the records of the meetings held.
    assert demo_documents.count() >= COUNT
    assert seeded[0].startswith(f"Plaza: {demo_documents.count():,} demo documents")


def test_closed_documents_are_not_public_and_not_indexed(seeded):
    closed = Document.objects.filter(
        number__startswith=demo.NUMBER_PREFIX, disclosure=Disclosure.CLOSED
    )
    assert closed.exists()
    assert all(document.legal_ground for document in closed)
    assert not selectors.public_documents().filter(pk__in=closed).exists()
    assert not SearchChunk.objects.filter(document__in=closed).exists()
    some = closed.first()
    found = {hit.document.pk for hit in selectors.search(some.title, page_size=100).hits}
    assert some.pk not in found


def test_partly_open_documents_keep_their_passage_apart(seeded):
    partial = Document.objects.filter(
        number__startswith=demo.NUMBER_PREFIX, disclosure=Disclosure.PARTIAL
    )
    assert partial.exists()
    for document in partial:
        passages = list(WithheldPassage.objects.filter(document=document))
        if not passages:  # partly open by a withheld attachment
            assert document.attachments.filter(withheld=True).exists()
            continue
        assert "[Withheld:" in document.body or "[비공개:" in document.body
        for passage in passages:
            assert passage.text not in document.body
    # The passages' words are found nowhere.
    assert selectors.search("산출내역과").count == 0
    assert selectors.search("조치 내역은").count == 0


def test_some_are_approved_today_and_published_tomorrow(seeded):
    now = timezone.now()
    due = Document.objects.filter(
        number__startswith=demo.NUMBER_PREFIX, published_at__isnull=True, publish_at__gt=now
    )
    assert due.exists()
    assert not SearchChunk.objects.filter(document__in=due).exists()
    assert all(timezone.localdate(d.approved_at) == timezone.localdate(now) for d in due)


def test_the_index_is_what_publishing_writes(seeded):
    public = list(selectors.public_documents().filter(number__startswith=demo.NUMBER_PREFIX)[::37])
    assert len(public) > 5
    written = {document.pk: _chunks(document) for document in public}
    assert all(written.values())
    for document in public:
        services.reindex(document)
    assert {document.pk: _chunks(document) for document in public} == written


def test_search_finds_budget_documents_as_a_scan_does(seeded):
    public = selectors.public_documents().filter(number__startswith=demo.NUMBER_PREFIX)
    expected = set()
    for document in public.prefetch_related("attachments"):
        texts = [document.title, document.summary, document.body]
        texts += [a.text for a in document.attachments.all() if not a.withheld]
        if any("예산" in text for text in texts):
            expected.add(document.pk)
    page = selectors.search("예산", page_size=COUNT * 2)
    assert expected
    assert {hit.document.pk for hit in page.hits} == expected
    assert page.count == len(expected)


def test_demo_text_holds_no_personal_data(seeded):
    documents = Document.objects.filter(number__startswith=demo.NUMBER_PREFIX)
    assert not documents.exclude(masked_count=0).exists()
    for title, summary, body in documents.values_list("title", "summary", "body"):
        assert masking.find_personal_data(f"{title}\n{summary}\n{body}") == []
    for passage in WithheldPassage.objects.values_list("text", flat=True):
        assert masking.find_personal_data(passage) == []


def test_meetings_of_the_last_months_and_today_with_videos(seeded):
    today = timezone.localdate()
    meetings = Meeting.objects.all()
    assert meetings.filter(starts_at__date__lt=today).count() >= 30
    todays = [m for m in meetings if timezone.localdate(m.starts_at) == today]
    assert len(todays) >= 2
    held = meetings.filter(status=MeetingStatus.HELD, disclosure=Disclosure.OPEN)
    assert held.exists()
    for meeting in held:
        offsets = [item.video_offset_seconds for item in meeting.agenda.all()]
        assert offsets[0] == 0 and offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
        video = meeting.videos.get()
        assert video.url.startswith("https://") and video.duration_seconds > offsets[-1]
        assert meeting.attendees.filter(is_chair=True).count() == 1
        assert meeting.record is not None and meeting.committee.name in meeting.record.title
    assert meetings.filter(disclosure=Disclosure.CLOSED).exclude(legal_ground="").exists()
    assert meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gt=timezone.now()).exists()


def test_datasets_and_requests(seeded):
    datasets = Dataset.objects.all()
    assert datasets.count() >= 5
    for dataset in datasets:
        assert dataset.license_id and dataset.resources.exists()
        assert all(r.url.startswith("https://") for r in dataset.resources.all())
    requests = DisclosureRequest.objects.all()
    assert set(requests.values_list("status", flat=True)) >= {"received", "extended", "refused"}
    for request in requests:
        steps = list(request.events.values_list("status", flat=True))
        assert steps[0] == "received"
        assert steps[-1] == request.status or request.status in ("received", "extended")


def test_a_second_run_adds_nothing(seeded):
    counts = (Document.objects.count(), Meeting.objects.count(), SearchChunk.objects.count())
    assert list(demo.seed(documents=COUNT)) == ["Plaza: demo documents already there."]
    assert (Document.objects.count(), Meeting.objects.count(), SearchChunk.objects.count()) == (
        counts
    )
