"""`hamkke plaza import`: a DMS export (CSV of metadata plus files) registered row by row, rows
imported before skipped, bad rows rejected with a reason and nothing left of them, the report
of rejected rows, the dry run, the encodings Korean offices save in, and the progress line."""

from __future__ import annotations

import csv
import io
import sys
import types
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from hamkke.plaza import importing, selectors
from hamkke.plaza.demo import sample_pdf
from hamkke.plaza.models import Attachment, Disclosure, Document, Tag, WithheldPassage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = list(importing.COLUMNS)


def _approved() -> str:
    return (timezone.now() - timedelta(days=2)).isoformat()


def row(**cells) -> dict[str, str]:
    """A valid row; cells override."""
    values = {
        "number": "DMS-2026-0001",
        "doc_type": "approval",
        "department": "budget",
        "approver_level": "director",
        "approver_title": "예산담당관",
        "category": "budget",
        "title": "2027년 추경예산안 편성 계획",
        "summary": "추가경정예산안의 편성 방향",
        "body": "세출 예산을 조정합니다.",
        "disclosure": "open",
        "legal_ground": "",
        "produced_on": "2026-11-02",
        "approved_at": _approved(),
        "tags": "예산|추경",
        "related": "",
        "attachments": "",
    }
    values.update(cells)
    return values


@pytest.fixture
def files(tmp_path) -> Path:
    folder = tmp_path / "files"
    (folder / "sub").mkdir(parents=True)
    (folder / "plan.pdf").write_bytes(sample_pdf(["세출예산 조정 명세서", "도시철도 지원금"]))
    (folder / "sub" / "annex.txt").write_text("붙임 설명: 빗물펌프장 정비", encoding="utf-8")
    (folder / "prices.pdf").write_bytes(sample_pdf(["업체별 단가 산출 내역"]))
    (folder / "fake.pdf").write_text("this is a text file, not a PDF", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("outside the folder", encoding="utf-8")
    return folder


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", header=None) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        columns = header or HEADER
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(column, "") for column in columns])
    return path


def run_import(*args) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `hamkke plaza import ARGS`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("plaza", "import", *map(str, args), stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, out.getvalue(), err.getvalue()


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as report:
        return list(csv.DictReader(report))


def test_rows_become_public_documents_with_their_files(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [
            row(attachments="plan.pdf|sub/annex.txt"),
            row(
                number="DMS-2026-0002",
                doc_type="contract",
                title="하수관로 정비공사 계약 결과",
                category="contracts",
                disclosure="partial",
                legal_ground="art9-1-7",
                body="계약을 체결하였습니다. [[withheld:art9-1-7]]단가 구성표[[/withheld]]",
                attachments="plan.pdf|!prices.pdf",
                related="DMS-2026-0001",
                tags="계약",
            ),
            row(
                number="DMS-2026-0003",
                title="감사 결과 (비공개)",
                disclosure="closed",
                legal_ground="art9-1-4",
                approved_at="",
            ),
        ],
    )
    status, out, err = run_import(metadata, "--files", files)
    assert status == 0, err
    assert "Imported 3, skipped 0 (already imported), rejected 0" in out

    first = Document.objects.get(number="DMS-2026-0001")
    assert (first.department.code, first.approver_level, first.category.code) == (
        "budget",
        3,
        "budget",
    )
    assert first.published_at is not None  # approved two days ago: published the next day
    assert sorted(first.tags.values_list("name", flat=True)) == ["예산", "추경"]
    assert [(a.original_name, a.text_status) for a in first.attachments.all()] == [
        ("plan.pdf", "extracted"),
        ("annex.txt", "extracted"),
    ]
    # The text of the PDF and of the text file is searched.
    assert [h.document.pk for h in selectors.search("빗물펌프장").hits] == [first.pk]
    found = {h.document.number for h in selectors.search("도시철도").hits}
    assert found == {"DMS-2026-0001", "DMS-2026-0002"}  # plan.pdf is attached to both

    partial = Document.objects.get(number="DMS-2026-0002")
    assert partial.disclosure == Disclosure.PARTIAL
    assert "단가 구성표" not in partial.body
    assert list(
        WithheldPassage.objects.filter(document=partial).values_list("text", flat=True)
    ) == ["단가 구성표"]
    withheld = partial.attachments.get(original_name="prices.pdf")
    assert (withheld.withheld, withheld.legal_ground) == (True, "art9-1-7")
    assert selectors.search("단가").count == 0  # neither the passage nor the withheld file
    assert list(partial.related.values_list("number", flat=True)) == ["DMS-2026-0001"]

    closed = Document.objects.get(number="DMS-2026-0003")
    assert (closed.disclosure, closed.published_at) == (Disclosure.CLOSED, None)
    assert not selectors.public_documents().filter(pk=closed.pk).exists()
    assert len(stored_files()) == 4


def test_a_second_run_skips_every_row_and_stores_nothing_more(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [row(attachments="plan.pdf"), row(number="DMS-2026-0002", title="두 번째 문서")],
    )
    assert run_import(metadata, "--files", files)[0] == 0
    before = (Document.objects.count(), Attachment.objects.count(), stored_files())

    status, out, _err = run_import(metadata, "--files", files)

    assert status == 0
    assert "Imported 0, skipped 2 (already imported), rejected 0" in out
    assert (Document.objects.count(), Attachment.objects.count(), stored_files()) == before


BAD_ROWS = [
    ("BAD-FILE", {"attachments": "missing.pdf"}, "“missing.pdf” is not in the files folder"),
    ("BAD-DEPT", {"department": "no-such-office"}, "“no-such-office” is not a department"),
    ("BAD-TYPE", {"doc_type": ""}, "no document type"),
    ("BAD-TYPE2", {"doc_type": "memo"}, "“memo” is not a document type"),
    ("BAD-LEVEL", {"approver_level": "king"}, "“king” is not an approver's level"),
    ("BAD-DATE", {"produced_on": "2026-13-01"}, "not a day of the calendar"),
    ("BAD-DATE2", {"produced_on": "2026/11/02"}, "not a date written YYYY-MM-DD"),
    ("BAD-9999", {"produced_on": "9999-12-31"}, "not between 1900 and 2999"),
    ("BAD-0001", {"produced_on": "0001-01-01"}, "not between 1900 and 2999"),
    ("BAD-DIGITS", {"produced_on": "２０２６-11-02"}, "in digits 0–9"),
    ("BAD-ARABIC", {"produced_on": "٢٠٢٦-١١-٠٢"}, "in digits 0–9"),
    ("BAD-APPROVED", {"approved_at": "9999-12-31T23:59:59+09:00"}, "approved_at"),
    ("BAD-APPROVED2", {"approved_at": "0001-01-01T00:00:00"}, "not between 1900 and 2999"),
    ("BAD-APPROVED3", {"approved_at": "yesterday"}, "not an ISO 8601 moment"),
    ("BAD-PDF", {"attachments": "plan.pdf|fake.pdf"}, "named as a PDF file but its content"),
    ("BAD-TITLE", {"title": "가" * 5000}, "at most 300 characters"),
    ("BAD-NUL", {"summary": "요약\x00본문"}, "NUL"),
    ("BAD-CATEGORY", {"category": "astrology"}, "“astrology” is not one of the Plaza's"),
    ("BAD-CLOSED", {"disclosure": "closed"}, "legal_ground"),
    ("BAD-WITHHELD", {"attachments": "!plan.pdf"}, "Only a partly open document withholds"),
    ("BAD-OUTSIDE", {"attachments": "../outside.txt"}, "outside the files folder"),
    ("BAD-RELATED", {"related": "NOWHERE-1"}, "No document is numbered NOWHERE-1"),
    ("DMS-2026-0001", {"title": "다른 문서의 제목"}, "registered already for a different document"),
]


def test_bad_rows_are_rejected_with_a_reason_and_leave_nothing(city, files, tmp_path):
    rows = [row(attachments="plan.pdf")]
    rows += [
        row(number=number, **{"title": f"문서 {number}"} | cells) for number, cells, _ in BAD_ROWS
    ]
    rows.append(row(number="", title="번호 없는 문서"))
    metadata = write_csv(tmp_path / "meta.csv", rows)
    report = tmp_path / "rejected.csv"

    status, out, err = run_import(metadata, "--files", files, "--report", report)

    assert status == 1
    assert f"Imported 1, skipped 0 (already imported), rejected {len(BAD_ROWS) + 1}" in out
    assert Document.objects.count() == 1
    assert Document.objects.get().title == "2027년 추경예산안 편성 계획"
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 1  # the good row's PDF; BAD-PDF's plan.pdf was removed again
    assert not Tag.objects.exclude(name__in=["예산", "추경"]).exists()
    rejected = read_report(report)
    assert list(rejected[0])[:3] == ["reason", "line", "number"]
    reasons = {r["number"]: r["reason"] for r in rejected}
    for number, _cells, expected in BAD_ROWS:
        assert expected in reasons[number], (number, reasons[number])
    assert "no registration number" in reasons[""]
    # The lines are those of the file (the header is line 1, the good row line 2).
    assert [r["line"] for r in rejected][:2] == ["3", "4"]
    assert "line 3 (BAD-FILE): attachments" in err or "line 3 (BAD-FILE):" in err


def test_the_report_can_be_fixed_and_imported_again(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [
            row(number="A-1", related="A-2"),
            row(number="A-2", title="관련 문서", attachments="later.pdf"),
        ],
    )
    report = tmp_path / "rejected.csv"
    status, out, _err = run_import(metadata, "--files", files, "--report", report)
    assert status == 1
    assert list(Document.objects.values_list("number", flat=True)) == ["A-1"]
    assert "1 link to a rejected row is left out" in out
    # The rejected row carries the link A-1 asked for.
    assert [(r["number"], r["related"]) for r in read_report(report)] == [("A-2", "A-1")]

    (files / "later.pdf").write_bytes(sample_pdf(["나중에 도착한 파일"]))
    status, out, _err = run_import(report, "--files", files)

    assert status == 0, out
    assert "Imported 1" in out
    # A-1 asked for A-2, which came in the second run: both are linked now.
    assert list(Document.objects.get(number="A-1").related.values_list("number", flat=True)) == [
        "A-2"
    ]
    # And a run of the whole file again makes no second link and no document.
    assert run_import(metadata, "--files", files)[0] == 0
    assert Document.objects.get(number="A-2").related.count() == 1


def test_related_rows_later_in_the_file_are_linked_both_ways(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [
            row(number="R-1", related="R-2|R-3"),
            row(number="R-2", title="둘째"),
            row(number="R-3", title="셋째", related="R-1"),
        ],
    )
    assert run_import(metadata, "--files", files)[0] == 0
    first = Document.objects.get(number="R-1")
    assert sorted(first.related.values_list("number", flat=True)) == ["R-2", "R-3"]
    assert list(Document.objects.get(number="R-2").related.values_list("number", flat=True)) == [
        "R-1"
    ]


def test_the_same_number_twice_in_a_file(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [row(number="D-1"), row(number="D-1"), row(number="D-1", title="전혀 다른 문서")],
    )
    report = tmp_path / "rejected.csv"
    status, out, _err = run_import(metadata, "--files", files, "--report", report)
    assert status == 1
    assert "Imported 1, skipped 1 (already imported), rejected 1" in out
    assert [r["line"] for r in read_report(report)] == ["4"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "utf-8"])
def test_korean_excel_encodings(city, files, tmp_path, encoding):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [row(title="서울시 청년 주거 지원 계획", tags="청년|주거")],
        encoding=encoding,
    )
    status, out, _err = run_import(metadata, "--files", files)
    assert status == 0
    assert f"{'CP949' if encoding == 'cp949' else 'UTF-8'} text, 1 row(s)." in out
    document = Document.objects.get()
    assert document.title == "서울시 청년 주거 지원 계획"
    assert sorted(document.tags.values_list("name", flat=True)) == ["주거", "청년"]


def test_columns_in_another_order_with_spaces_and_capitals(city, files, tmp_path):
    header = [" Title ", "NUMBER", "doc_type", "department", "approver_level", "produced_on", "x"]
    metadata = tmp_path / "meta.csv"
    metadata.write_text(
        ",".join(header) + "\n" + "예산 보고,H-1,budget,budget,division_head,2026-10-01,?\n",
        encoding="utf-8",
    )
    status, _out, err = run_import(metadata, "--files", files)
    assert status == 0, err
    document = Document.objects.get(number="H-1")
    # Not approved (no approved_at column): registered, not published.
    assert (document.title, document.approved_at, document.published_at) == (
        "예산 보고",
        None,
        None,
    )


def test_dry_run_checks_every_row_and_stores_nothing(city, files, tmp_path):
    metadata = write_csv(
        tmp_path / "meta.csv",
        [
            row(attachments="plan.pdf", related="DRY-2"),
            row(number="DRY-2", title="둘째", attachments="fake.pdf"),
            row(number="DRY-3", title="셋째", body="[[withheld:nonsense]]x[[/withheld]]"),
            row(number="DRY-4", title="넷째", related="DMS-2026-0001"),
        ],
    )
    report = tmp_path / "rejected.csv"

    status, out, _err = run_import(metadata, "--files", files, "--dry-run", "--report", report)

    assert status == 1
    assert "Dry run, nothing stored: 2 rows would be imported, 0 skipped" in out
    assert "2 rejected" in out
    assert not Document.objects.exists()
    assert stored_files() == []
    reasons = {r["number"]: r["reason"] for r in read_report(report)}
    assert set(reasons) == {"DRY-2", "DRY-3"}
    assert "named as a PDF file" in reasons["DRY-2"]
    assert "“nonsense”" in reasons["DRY-3"]


def test_an_unreadable_file_is_refused_whole(city, files, tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"number,title\n\xff\xfe\xfa\x80\x81\n")
    status, _out, err = run_import(garbage, "--files", files)
    assert status == 1
    assert "neither UTF-8 nor CP949" in err

    headless = write_csv(tmp_path / "headless.csv", [], header=["number", "title"])
    status, _out, err = run_import(headless, "--files", files)
    assert status == 1
    assert "no column doc_type, department, approver_level, produced_on" in err

    status, _out, err = run_import(tmp_path / "absent.csv", "--files", files)
    assert status == 1 and "absent.csv" in err

    metadata = write_csv(tmp_path / "meta.csv", [row()])
    status, _out, err = run_import(metadata, "--files", tmp_path / "no-folder")
    assert status == 1 and "not a folder" in err
    assert not Document.objects.exists()


def test_a_long_body_is_one_cell(city, files, tmp_path):
    body = "본문입니다. " * 40_000  # 280,000 characters, above csv's default limit per cell
    metadata = write_csv(tmp_path / "meta.csv", [row(body=body), row(number="L-2")])
    status, _out, err = run_import(metadata, "--files", files)
    assert status == 0, err
    assert Document.objects.get(number="DMS-2026-0001").body == body.strip()
    assert Document.objects.filter(number="L-2").exists()


def test_a_broken_quote_rejects_the_rest_and_keeps_what_came_before(city, files, tmp_path):
    metadata = write_csv(tmp_path / "meta.csv", [row()])
    with metadata.open("a", encoding="utf-8") as out:
        out.write('Q-2,approval,budget,director,,,"unterminated title\n')
    status, out, err = run_import(metadata, "--files", files)
    assert status == 1
    assert "Imported 1, skipped 0 (already imported), rejected 1" in out
    assert "line 3" in err


def test_the_progress_line_is_redrawn_in_place_and_throttled():
    stream = io.StringIO()
    clock = iter([0.0, 0.1, 0.3, 0.4, 0.45])
    line = importing.ProgressLine(5, stream, interval=0.25, clock=lambda: next(clock))
    report = importing.ImportReport()
    for seconds, outcome in zip((0.5, 1.0, 1.5, 2.0, 2.5), "IIRII", strict=True):
        kind = importing.Outcome.IMPORTED if outcome == "I" else importing.Outcome.REJECTED
        report.add(importing.RowResult(importing.Row(2, {}), kind))
        report.seconds = seconds
        line(report)
    line.close()
    drawn = stream.getvalue()
    # Drawn at 0.0 (the first row), not at 0.1 (too soon), at 0.3, not at 0.4, and at the end.
    assert drawn.split("\r")[1:] == [
        "1/5 rows (20%) · 2.0 documents/s · 0 rejected",
        "3/5 rows (60%) · 1.3 documents/s · 1 rejected",
        "5/5 rows (100%) · 1.6 documents/s · 1 rejected\n",
    ]


def test_tqdm_draws_the_bar_when_it_is_installed(monkeypatch):
    """tqdm is used only if installed: a stand-in module records what the bar is told."""
    calls = []

    class Bar:
        def __init__(self, **options):
            calls.append(("open", options["total"], options["unit"]))
            self.n = 0

        def update(self, n):
            self.n += n
            calls.append(("update", n))

        def set_postfix(self, **values):
            calls.append(("postfix", values["rejected"]))

        def close(self):
            calls.append(("close",))

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=Bar))
    update, close = importing.progress_display(2, io.StringIO())
    report = importing.ImportReport()
    report.add(importing.RowResult(importing.Row(2, {}), importing.Outcome.REJECTED, "x"))
    update(report)
    report.add(importing.RowResult(importing.Row(3, {}), importing.Outcome.IMPORTED))
    update(report)
    close()
    assert calls == [
        ("open", 2, "row"),
        ("update", 1),
        ("postfix", 1),
        ("update", 1),
        ("postfix", 1),
        ("close",),
    ]


def test_without_tqdm_the_progress_line_is_used(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    update, _close = importing.progress_display(1, io.StringIO())
    assert isinstance(update, importing.ProgressLine)
