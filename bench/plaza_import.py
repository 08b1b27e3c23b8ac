"""Bulk import throughput of the Plaza: documents per second through `hamkke plaza import
METADATA.csv --files DIR` — the real command: the CSV read, every row checked and registered in
a transaction of its own through `services.register_document` (masking, withheld passages,
attachments checked by their content, PDF text extracted with pypdf, files stored, tags,
audit, approval, publication, search index) — against plain ORM bulk inserts of the same rows
in the same run (`bulk_create` of the documents and their attachment rows, the files written to
storage; nothing checked, extracted or indexed).

The rows are believable Korean documents (the demo's templates, `plaza.demo.Writer`) of every
type from every department, approved days ago (so published and indexed at once), a few partly
open or closed; 30 % carry a small generated PDF (`plaza.demo.sample_pdf`, its text searched)
and 10 % a text file. Each round imports a new CSV of fresh numbers, then the baseline inserts
the same rows under other numbers; rounds alternate and each figure is the median. Every row
must be imported (none rejected, every PDF's text extracted), or the benchmark fails.

`--quick`: 2 rounds of 300 rows instead of 3 of 2,000. SQLite by default; `BENCH_DATABASE_URL`
(or `DATABASE_URL`) naming a PostgreSQL server runs it in a scratch database
`hamkke_bench_plaza_import` there, created and dropped."""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from datetime import timedelta
from pathlib import Path

from bench.plaza_search import site_worker
from bench.runner import Result
from bench.server import progress

SCRATCH_NAME = "hamkke_bench_plaza_import"
PDF_SHARE, TEXT_SHARE = 0.3, 0.1
PARTIAL_SHARE, CLOSED_SHARE = 0.05, 0.03


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _write_rows(folder: str, prefix: str, count: int, seed: int) -> dict:
    """A metadata CSV of `count` rows and their files in `folder`; returns what it holds."""
    from django.utils import timezone

    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import Department
    from hamkke.plaza import demo
    from hamkke.plaza.importing import COLUMNS
    from hamkke.plaza.profile import LEVELS

    rng = random.Random(seed)
    city = current_city()
    departments = list(Department.objects.filter(city=city).order_by("code"))
    districts = list(city.districts.values_list("name", flat=True))
    writer = demo.Writer(rng, districts, ["art9-1-5"])
    types = list(demo.TYPE_WEIGHTS)
    root = Path(folder)
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    pdfs = texts = 0
    path = root / f"{prefix}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        table = csv.writer(out)
        table.writerow(COLUMNS)
        for n in range(count):
            department = departments[n % len(departments)]
            doc_type = types[n % len(types)]
            day = timezone.localdate(now) - timedelta(days=rng.randint(2, 700))
            title, summary, body = writer.text(doc_type, department, day)
            attachments = []
            roll = rng.random()
            if roll < PDF_SHARE:
                name = f"{prefix}-{n:06d}.pdf"
                (files / name).write_bytes(demo.sample_pdf([title, summary, body[:120]]))
                attachments.append(name)
                pdfs += 1
            elif roll < PDF_SHARE + TEXT_SHARE:
                name = f"{prefix}-{n:06d}.txt"
                (files / name).write_text(f"{title}\n{body}", encoding="utf-8")
                attachments.append(name)
                texts += 1
            disclosure, ground = "open", ""
            roll = rng.random()
            if roll < CLOSED_SHARE:
                disclosure, ground = "closed", "art9-1-5"
            elif roll < CLOSED_SHARE + PARTIAL_SHARE:
                passage, ground = writer.withheld(doc_type)
                disclosure = "partial"
                body += f" [[withheld:{ground}]]{passage}[[/withheld]]"
            category = demo.TYPE_CATEGORY.get(doc_type) or demo.DEPARTMENT_CATEGORY.get(
                department.code, "administration"
            )
            approved = timezone.localtime(now - timedelta(days=rng.randint(1, 30)))
            table.writerow(
                [
                    f"{prefix}-{n:06d}",
                    doc_type,
                    department.code,
                    LEVELS[rng.randint(1, 5)],
                    department.name,
                    category,
                    title,
                    summary,
                    body,
                    disclosure,
                    ground,
                    day.isoformat(),
                    approved.isoformat(timespec="seconds"),
                    "|".join(rng.sample(demo.TAGS, 2)),
                    "",
                    "|".join(attachments),
                ]
            )
    return {"csv": str(path), "files": str(files), "pdfs": pdfs, "texts": texts, "rows": count}


def _import(batch: dict) -> dict:
    """The command, timed; what it imported."""
    from django.core.management import call_command

    from hamkke.plaza.models import Attachment, Document, TextStatus

    out, err = io.StringIO(), io.StringIO()
    before = Document.objects.count()
    start = time.perf_counter()
    try:
        call_command(
            "plaza", "import", batch["csv"], "--files", batch["files"], stdout=out, stderr=err
        )
    except SystemExit as exit:
        raise RuntimeError(f"the import exited with {exit.code}: {err.getvalue()[:2000]}") from exit
    seconds = time.perf_counter() - start
    imported = Document.objects.count() - before
    prefix = Path(batch["csv"]).stem
    extracted = Attachment.objects.filter(
        document__number__startswith=prefix, text_status=TextStatus.EXTRACTED
    ).count()
    return {"seconds": seconds, "imported": imported, "extracted": extracted, "out": out.getvalue()}


def _insert(batch: dict, prefix: str) -> dict:
    """The same rows as plain ORM bulk inserts (other numbers): documents, attachment rows and
    their files; nothing checked, extracted or indexed."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import Department
    from hamkke.plaza.models import Attachment, Document
    from hamkke.plaza.profile import LEVELS

    start = time.perf_counter()
    departments = {d.code: d for d in Department.objects.filter(city=current_city())}
    files = Path(batch["files"])
    with open(batch["csv"], encoding="utf-8-sig", newline="") as source:
        rows = list(csv.DictReader(source))
    documents, attachments = [], []
    with transaction.atomic():
        for row in rows:
            approved = parse_datetime(row["approved_at"])
            document = Document(
                number=prefix + row["number"],
                doc_type=row["doc_type"],
                department=departments[row["department"]],
                approver_level=LEVELS.index(row["approver_level"]) + 1,
                approver_title=row["approver_title"],
                title=row["title"],
                summary=row["summary"],
                body=row["body"],
                disclosure=row["disclosure"],
                legal_ground=row["legal_ground"],
                produced_on=row["produced_on"],
                approved_at=approved,
                published_at=None if row["disclosure"] == "closed" else timezone.now(),
            )
            documents.append(document)
            for name in filter(None, row["attachments"].split("|")):
                data = (files / name).read_bytes()
                attachment = Attachment(
                    document=document,
                    original_name=name,
                    content_type="application/pdf" if name.endswith(".pdf") else "text/plain",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    text_status="unsupported",
                )
                attachment.file.name = default_storage.save(
                    f"plaza/bench/{name}", ContentFile(data)
                )
                attachments.append(attachment)
        Document.objects.bulk_create(documents, batch_size=500)
        for attachment in attachments:
            attachment.document_id = attachment.document.pk
        Attachment.objects.bulk_create(attachments, batch_size=500)
    return {"seconds": time.perf_counter() - start, "inserted": len(documents)}


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool) -> Result:
    rows, rounds, warm = (300, 2, 40) if quick else (2_000, 3, 100)
    with site_worker(SCRATCH_NAME) as (worker, data_dir, database):
        work = str(data_dir / "import")
        batches = [
            worker.submit(_write_rows, work, f"R{n}", warm if n == 0 else rows, n).result(
                timeout=600
            )
            for n in range(rounds + 1)
        ]
        # Warm-up: the first rows of both (imports, caches, the first query plans).
        worker.submit(_import, batches[0]).result(timeout=600)
        worker.submit(_insert, batches[0], "ORM-").result(timeout=600)
        imports, inserts = [], []
        for number, batch in enumerate(batches[1:], start=1):
            progress(f"round {number} of {rounds}: importing {rows:,} rows …")
            imports.append(worker.submit(_import, batch).result(timeout=3600))
            inserts.append(worker.submit(_insert, batch, "ORM-").result(timeout=3600))
    for batch, done in zip(batches[1:], imports, strict=True):
        if done["imported"] != batch["rows"] or done["extracted"] != batch["pdfs"] + batch["texts"]:
            raise RuntimeError(
                f"{done['imported']} of {batch['rows']} rows imported, {done['extracted']} of "
                f"{batch['pdfs'] + batch['texts']} files' text extracted: {done['out'][-500:]}"
            )
    rate = statistics.median(d["imported"] / d["seconds"] for d in imports)
    plain = statistics.median(d["inserted"] / d["seconds"] for d in inserts)
    files = sum(b["pdfs"] for b in batches[1:]), sum(b["texts"] for b in batches[1:])
    notes = (
        f"{database}, one process; {rounds} rounds of {rows:,} rows"
        f"{' (quick)' if quick else ''} with {files[0]:,} PDFs and {files[1]:,} text files in all; "
        f"import {[round(d['imported'] / d['seconds'], 1) for d in imports]} documents/s, ORM "
        f"bulk inserts {[round(d['inserted'] / d['seconds'], 1) for d in inserts]}; the "
        f"command's summary: {imports[-1]['out'].strip().splitlines()[-1]}"
    )
    return Result(name="plaza_import", value=rate, baseline=plain, unit="documents/s", notes=notes)
