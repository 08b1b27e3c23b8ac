"""The fault drill's work on the site's database (bench/faults.py runs these in a Django process):
setting up what the load needs, then the checks that every acknowledged write is stored whole,
that nothing is half-written and that nothing is doubled.

The ballot checks are one function, `check_ballots`, written against the public behaviour of
budget (201 and a receipt; the receipt lookup; the tally; the register and the ballots of a pool
counted as they are stored today), so that a change in how ballots are stored changes one place."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

# Every report the drill files carries its own marker in its description, so a report stored
# twice, or stored without an answer, can be told apart from the others.
MARKER_TEXT = "결함 훈련 신고 {marker} (fault drill)"
MARKER_RE = re.compile(r"결함 훈련 신고 (FD\d{6}) \(fault drill\)")
# How many examples of each kind of problem the figures quote.
EXAMPLES = 5


def _fresh_connection() -> None:
    """This process outlives the PostgreSQL restart: drop a connection that died with it."""
    from django.db import connection

    connection.close()


# --- set-up -------------------------------------------------------------------------------------


def prepare(voters: int) -> dict:
    """A cycle in its voting phase (bench/budget_ballots.py's: a citywide approval pool of twelve
    projects), `voters` census-verified voters each with a signed-in session, and an Open311 key.
    Returns what the load needs."""
    from bench.budget_ballots import API_POOL, CYCLE, MAX_CHOICES, _create_cycle, _create_voters
    from hamkke.budget.models import Project
    from hamkke.complaints import services as complaint_services

    _fresh_connection()
    _create_cycle()
    made = _create_voters(0, voters)
    _client, key = complaint_services.create_api_client(name="Fault drill")
    projects = list(
        Project.objects.filter(cycle__slug=CYCLE, pool__code=API_POOL)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return {
        "voters": made,
        "api_key": key,
        "cycle": CYCLE,
        "pool": API_POOL,
        "projects": projects,
        "max_choices": MAX_CHOICES,
    }


def unsent_emails() -> int:
    """Notifications whose email the Celery worker has not sent yet."""
    from hamkke.core.models import Notification

    _fresh_connection()
    return Notification.objects.filter(emailed=False).exclude(recipient__email="").count()


# --- the checks ---------------------------------------------------------------------------------


def audit(*, filings: list[dict], votes: list[dict], cycle: str, pool: str, mail_dir: str) -> dict:
    """Every check, on the database and the media storage as the drill left them."""
    _fresh_connection()
    return {
        "reports": check_reports(filings),
        "ballots": check_ballots(cycle=cycle, pool=pool, votes=votes),
        "emails": check_emails(filings, Path(mail_dir)),
        "half_written": half_written(),
        "orphan_files": len(orphan_files()),
    }


def _photo_problems(media: list, sent: dict) -> list[str]:
    from django.core.files.storage import default_storage

    photos = [m for m in media if m.kind == "photo"]
    if len(photos) != 1:
        return [f"{len(photos)} photos, 1 sent"]
    photo = photos[0]
    problems = []
    if (photo.width, photo.height) != (sent["width"], sent["height"]):
        problems.append(
            f"photo {photo.width}x{photo.height}, {sent['width']}x{sent['height']} sent"
        )
    for field in (photo.file, photo.thumbnail):
        if not field or not default_storage.exists(field.name):
            problems.append(f"file {field.name or '(none)'} missing")
    return problems


def check_reports(filings: list[dict]) -> dict:
    """Each filing answered 201 names a report that is stored whole: its marker, number,
    category, place, district, department, first event, reporter and photo (the one sent, with
    its files). A marker stored twice is a doubled report; one stored without a 201 is counted
    apart (the answer was lost, not the report)."""
    from hamkke.complaints.models import Complaint, Status
    from hamkke.complaints.selectors import media_of

    stored: dict[str, list[Complaint]] = defaultdict(list)
    drill = (
        Complaint.objects.filter(description__contains="(fault drill)")
        .select_related("category", "location")
        .prefetch_related("events")
    )
    for complaint in drill:
        found = MARKER_RE.search(complaint.description)
        if found:
            stored[found.group(1)].append(complaint)

    acknowledged = [f for f in filings if f.get("tracking_number")]
    # (marker, what is wrong) of each acknowledged filing not stored whole
    lost: list[tuple[str, str]] = []
    for filing in acknowledged:
        rows = stored.get(filing["marker"], [])
        if not rows:
            lost.append((filing["marker"], f"{filing['tracking_number']}: not stored"))
            continue
        # The copy the 201 named; a second copy of the same marker is counted as doubled.
        complaint = next(
            (c for c in rows if c.tracking_number == filing["tracking_number"]), rows[0]
        )
        problems = []
        if complaint.tracking_number != filing["tracking_number"]:
            problems.append(f"number {complaint.tracking_number}")
        if complaint.category.code != filing["category"]:
            problems.append(f"category {complaint.category.code}")
        if (
            abs(complaint.location.latitude - filing["latitude"]) > 1e-6
            or abs(complaint.location.longitude - filing["longitude"]) > 1e-6
        ):
            problems.append("place moved")
        if complaint.district_id is None or complaint.department_id is None:
            problems.append("no district or department")
        if not any(event.status == Status.RECEIVED for event in complaint.events.all()):
            problems.append("no received event")
        if complaint.reporter_id != filing.get("user"):
            problems.append(f"reporter {complaint.reporter_id}, {filing.get('user')} sent")
        problems += _photo_problems(media_of(complaint, include_hidden=True), filing)
        if problems:
            lost.append((filing["marker"], f"{filing['tracking_number']}: {', '.join(problems)}"))

    kind_of = {f["marker"]: f["kind"] for f in filings}
    figures = {
        kind: {"stored": 0, "lost": 0, "doubled": 0, "stored_unacknowledged": 0}
        for kind in sorted(set(kind_of.values()))
    }
    acknowledged_markers = {f["marker"] for f in acknowledged}
    for marker, rows in stored.items():
        if marker not in kind_of:
            continue  # counted as "unknown" below
        kind = figures[kind_of[marker]]
        kind["stored"] += len(rows)
        kind["doubled"] += len(rows) - 1
        kind["stored_unacknowledged"] += marker not in acknowledged_markers
    for marker, _problem in lost:
        figures[kind_of[marker]]["lost"] += 1
    return {
        "by_kind": figures,
        "lost": len(lost),
        "lost_examples": [problem for _marker, problem in lost[:EXAMPLES]],
        "doubled": sum(len(rows) - 1 for rows in stored.values()),
        "doubled_examples": [m for m, rows in stored.items() if len(rows) > 1][:EXAMPLES],
        "unknown": len(set(stored) - set(kind_of)),
    }


def check_ballots(*, cycle: str, pool: str, votes: list[dict]) -> dict:
    """Every ballot answered 201 is found by its receipt, in its pool, with the choices sent, and
    its voter is in the register; nobody is in a pool's register twice and the pool holds one
    ballot per registered voter; the tally counts as many ballots as are stored, and each
    project's votes equal both the choices stored and the choices the registered voters sent.

    `votes` are the load's voters: identity key, choices sent and, when answered 201, the
    receipt. This is the one place that knows how ballots are stored."""
    from django.db.models import Count

    from hamkke.budget import selectors
    from hamkke.budget.models import Ballot, BallotChoice, Participation
    from hamkke.core.city.selectors import current_city
    from hamkke.core.errors import NotFound

    the_cycle = selectors.cycle_by_slug(current_city(), cycle)
    the_pool = selectors.pool_by_code(the_cycle, pool)
    # Ballots wait sealed in the pool's box until a batch is full (the ballot pattern): write
    # out what is left, as the close does, so every accepted ballot is in the ballot table.
    from hamkke.budget import services as budget_services

    budget_services.flush_ballots(pool=the_pool, minimum=1)

    register = Counter(
        dict(
            Participation.objects.filter(pool=the_pool)
            .values_list("identity_key")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    ballots = Ballot.objects.filter(pool=the_pool)
    stored_ballots = ballots.count()
    registered = sum(register.values())

    acknowledged = [v for v in votes if v.get("receipt")]
    lost: list[str] = []
    for vote in acknowledged:
        try:
            found = selectors.ballot_by_receipt(the_cycle, vote["receipt"])
        except NotFound:
            lost.append(f"{vote['receipt']}: no ballot")
            continue
        codes = sorted(project.code for project in found.choices)
        if found.pool.pk != the_pool.pk or codes != sorted(vote["choices"]):
            lost.append(f"{vote['receipt']}: pool {found.pool.code}, choices {codes}")
        if vote["identity"] not in register:
            lost.append(f"{vote['receipt']}: voter not in the register")
    receipts = Counter(v["receipt"] for v in acknowledged)

    # The tally against the count: what the tally says, what the tables hold, what was sent.
    tallied = next(t for t in selectors.tally(the_cycle) if t.pool.pk == the_pool.pk)
    tally_votes = {row.project.code: row.votes for row in tallied.projects}
    stored_choices = dict(
        BallotChoice.objects.filter(ballot__pool=the_pool)
        .values_list("project__code")
        .annotate(n=Count("ballot"))
        .order_by()
    )
    sent_choices: Counter[str] = Counter()
    by_identity = {v["identity"]: v for v in votes}
    for identity in register:
        if identity in by_identity:
            sent_choices.update(by_identity[identity]["choices"])
    codes = sorted(set(tally_votes) | set(stored_choices) | set(sent_choices))
    mismatched = [
        f"{code}: tally {tally_votes.get(code, 0)}, stored {stored_choices.get(code, 0)}, "
        f"sent {sent_choices.get(code, 0)}"
        for code in codes
        if not tally_votes.get(code, 0) == stored_choices.get(code, 0) == sent_choices.get(code, 0)
    ]
    empty = ballots.filter(void_reasons="").annotate(n=Count("choices")).filter(n=0).count()
    strangers = sorted(set(register) - set(by_identity))
    return {
        "sent": len(votes),
        "acknowledged": len(acknowledged),
        "stored": stored_ballots,
        "registered": registered,
        "lost": len(lost),
        "lost_examples": lost[:EXAMPLES],
        # A second register row, a ballot beyond one per registered voter, a receipt given twice.
        "doubled": sum(n - 1 for n in register.values())
        + max(stored_ballots - len(register), 0)
        + sum(n - 1 for n in receipts.values()),
        "stored_unacknowledged": len(set(register) - {v["identity"] for v in acknowledged}),
        "tally_ballots": tallied.ballots,
        "tally_equals_count": tallied.ballots == stored_ballots == registered and not mismatched,
        "tally_mismatches": mismatched[:EXAMPLES],
        "projects": len(codes),
        "half_written": abs(stored_ballots - registered) + empty + len(strangers),
    }


def check_emails(filings: list[dict], mail_dir: Path) -> dict:
    """The confirmations of the reports filed signed in: every notification stored (for a report
    answered 201 or not) has its email sent once by the Celery worker (the file backend keeps
    every message sent), and every report answered 201 has its notification."""
    from hamkke.core.models import Notification

    acknowledged = {
        f["tracking_number"] for f in filings if f.get("tracking_number") and f.get("user")
    }
    drill_numbers = set(_drill_tracking_numbers())
    notifications = Counter(
        Notification.objects.filter(body__in=drill_numbers)
        .values_list("body", flat=True)
        .iterator()
    )
    sent: Counter[str] = Counter()
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.is_dir() else ():
        # The file backend separates the messages of one connection with a line of dashes.
        for message in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
            sent.update({number for number in notifications if number in message})
    unsent = sorted(set(notifications) - set(sent))
    return {
        "due": len(notifications),
        "acknowledged_without_notification": len(acknowledged - set(notifications)),
        "sent": len(set(sent)),
        "unsent": len(unsent),
        "unsent_examples": unsent[:EXAMPLES],
        "twice": sum(n - 1 for n in sent.values() if n > 1),
        "notified_twice": sum(n - 1 for n in notifications.values() if n > 1),
    }


def _drill_tracking_numbers() -> list[str]:
    from hamkke.complaints.models import Complaint

    return list(
        Complaint.objects.filter(description__contains="(fault drill)").values_list(
            "tracking_number", flat=True
        )
    )


def half_written() -> dict[str, int]:
    """What a write cut short could leave behind, counted over the whole (scratch) database:
    reports without their first event or with missing photo files, places no report or project
    uses, uploads attached to nothing or to a report that does not exist."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.storage import default_storage

    from hamkke.budget.models import Project
    from hamkke.complaints.models import Complaint, Status
    from hamkke.core.models import Location, Media

    complaint_type = ContentType.objects.get_for_model(Complaint)
    complaint_ids = {str(pk) for pk in Complaint.objects.values_list("pk", flat=True)}
    attached = Media.objects.filter(target_type=complaint_type)
    missing_files = sum(
        1
        for media in attached.iterator()
        for field in (media.file, media.thumbnail)
        if field and not default_storage.exists(field.name)
    )
    return {
        "reports without their received event": Complaint.objects.exclude(
            events__status=Status.RECEIVED
        ).count(),
        "report photos whose files are missing": missing_files,
        "places used by nothing": Location.objects.exclude(
            pk__in=Complaint.objects.values("location_id")
        )
        .exclude(pk__in=Project.objects.filter(location__isnull=False).values("location_id"))
        .count(),
        "uploads attached to nothing": Media.objects.filter(target_type__isnull=True).count(),
        "uploads of missing reports": sum(
            1
            for target in attached.values_list("target_id", flat=True)
            if target not in complaint_ids
        ),
    }


def orphan_files() -> list[str]:
    """Upload files no Media row names: what a request killed after storing its photo leaves.
    Not data (nothing refers to them); core's periodic sweep deletes them after six hours."""
    from django.core.files.storage import default_storage

    from hamkke.core.models import Media

    named = set()
    for file, thumbnail in Media.objects.values_list("file", "thumbnail").iterator():
        named.update(filter(None, (file, thumbnail)))
    root = Path(default_storage.location)
    found = []
    for folder in ("media", "thumbs"):
        for path in (root / folder).rglob("*") if (root / folder).is_dir() else ():
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in named:
                found.append(name)
    return found
