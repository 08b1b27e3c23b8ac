"""Real elections in and out: load a Pabulib `.pb` election as a cycle of the city (one pool, its
projects, its ballots against a register of made-up identities), and write a finished cycle's
pool back out as a `.pb` file that any Pabulib tool reads.

What an imported cycle is made of, and why:
- one pool with the file's budget, citywide or for one district; an approval ballot without a
  limit, so every ballot of the file is valid on it;
- one accepted project per PROJECTS row: code = project_id, title = name, cost = cost. Its area is
  the first of the row's `category` values that names one of the city's areas (by code, Korean
  or English name, any case); otherwise the city's first area. Areas are never created: they come
  from the city profile, and a cycle of made-up areas would not fit the city's pages;
- one anonymous ballot per VOTES row. Approval and choose-1 votes are stored as they are;
  cumulative and scoring votes as the projects given points, ordinal votes as the projects ranked
  (points and ranks are reduced to approvals: our ballots hold no more). A vote that supports no
  project is stored as a blank ballot, void as blank ballots are here;
- one entry of the register per voter, whose identity_key is a keyed hash of
  "pabulib:<file>:<voter_id>" — Pabulib's voters are anonymous, and no real person of the city
  is ever matched. Its district is the voter's `district` or `neighborhood` cell where that names
  a district of the city, else the pool's district (everyone voting in a district pool lives
  there), else none;
- the rule from META `rule` (see RULES_OF_PABULIB; greedy when unknown), weights 100/0/0 (Pabulib
  has no survey or committee), and phase dates from `date_begin`/`date_end` when they put the
  cycle in the asked phase (results, by default), else dates around today.

All of it is written in one transaction with bulk inserts, so a 60,000-voter file loads in seconds
and a bad file leaves nothing behind."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hamkke.budget import pabulib, policies, scoring
from hamkke.budget.ballots import receipt_of
from hamkke.budget.models import (
    PHASE_STARTS,
    Area,
    Ballot,
    BallotChoice,
    BallotKind,
    Channel,
    Cycle,
    Participation,
    Phase,
    Pool,
    Project,
    ProjectStatus,
    new_ballot_id,
)
from hamkke.core import ballots as ballot_pattern
from hamkke.core.audit.services import record_audit
from hamkke.core.days import day_start
from hamkke.core.errors import Conflict, InvalidInput, NotFound
from hamkke.core.models import City, Department, District

# Pabulib's META `rule` values (as pabulib.org writes them) and the rule of ours that computes the
# same outcome. "add1-comparison" (Wieliczka) compares the Add1 outcome with another by a vote of
# the ballots; we have no such step and take the Add1 outcome.
RULES_OF_PABULIB = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1-comparison": "mes-add1",
    "equalshares/add1-greedy": "mes-add1-greedy",
    "equalshares/greedy": "mes-add1-greedy",
}
DEFAULT_RULE = "greedy"
# The phases an imported cycle may be in: its ballots exist, so voting has begun.
IMPORT_PHASES = (Phase.VOTING, Phase.SCORING, Phase.RESULTS, Phase.IMPLEMENTATION)
CHUNK = 10_000
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class ImportedCycle:
    """What an import stored, and what a person should know about it (`notes`)."""

    cycle: Cycle
    pool: Pool
    projects: int
    ballots: int
    blank: int
    with_district: int
    rule: str
    file_rule: str
    notes: list[str] = field(default_factory=list)


# --- import ------------------------------------------------------------------------------------


def identity_key_of(source: str, voter_id: str) -> str:
    """The register key of a Pabulib voter: keyed like the residents register's keys, so it can
    never be computed without the server's secret nor equal a real resident's key."""
    return identity_keys(source)(voter_id)


def identity_keys(source: str) -> Callable[[str], str]:
    """identity_key_of for many voters of one file."""
    return register_keys("pabulib", source)


def register_keys(kind: str, source: str) -> Callable[[str], str]:
    """Register keys of made-up voters of one `kind` ("pabulib", "demo") and `source` (a file, a
    cycle): keyed like real ones, so they match nobody. The keyed hash of the common prefix is
    computed once and copied for each voter (HMAC is a stream: the same digest, a fraction of
    the time)."""
    prefix = salted_hmac(f"hamkke.budget.{kind}", f"{kind}:{source}:", algorithm="sha256")

    def key_of(voter_id: str) -> str:
        digest = prefix.copy()
        digest.update(voter_id.encode("utf-8"))
        return digest.hexdigest()

    return key_of


def default_slug(source: str) -> str:
    """`pabulib-<file name>`, as a slug of at most 64 characters."""
    return slugify(f"pabulib-{source}".replace("_", "-"))[:64].strip("-")


def support_of(ballot: pabulib.Ballot, vote_type: str) -> tuple[str, ...]:
    """The projects a vote supports: all it names, except those given no points."""
    if vote_type in pabulib.POINTS_VOTE_TYPES:
        return tuple(
            pid for pid, point in zip(ballot.vote, ballot.points or (), strict=True) if point > 0
        )
    return ballot.vote


def import_instance(
    *,
    city: City,
    instance: pabulib.Instance,
    source: str,
    text: str = "",
    slug: str = "",
    district: District | None = None,
    phase: str = Phase.RESULTS,
    rule: str = "",
    now: datetime | None = None,
) -> ImportedCycle:
    """Store the election `instance` (read from the file named `source`, whose `text` gives the
    line numbers of errors) as a new cycle of `city` in `phase`. All or nothing."""
    now = now or timezone.now()
    slug = slug or default_slug(source)
    if not _SLUG.match(slug) or len(slug) > 64:
        raise InvalidInput(
            _("“%(slug)s” cannot name a cycle: use letters, digits and hyphens (at most 64).")
            % {"slug": slug},
            field="slug",
        )
    if phase not in IMPORT_PHASES:
        raise InvalidInput(
            _("An imported cycle has its ballots, so it is in one of these phases: %(phases)s.")
            % {"phases": ", ".join(IMPORT_PHASES)},
            field="phase",
        )
    if district is not None and district.city_id != city.pk:
        raise InvalidInput(_("That district is not in this city."), field="district")
    if instance.budget <= 0:
        raise pabulib.PabulibError("the budget must be above zero", _meta_line(text, "budget"))
    file_rule = instance.meta.get("rule", "").strip()
    notes: list[str] = []
    rule, min_score = _rule_of(instance, file_rule, rule, notes)
    if instance.vote_type in pabulib.POINTS_VOTE_TYPES:
        notes.append(
            _(
                "The votes gave %(type)s points: each ballot is stored as the projects it gave "
                "points to (the points themselves are reduced to approvals)."
            )
            % {"type": instance.vote_type}
        )
    elif instance.vote_type == "ordinal":
        notes.append(
            _(
                "The votes were rankings: each ballot is stored as the projects it ranked (the "
                "ranks are reduced to approvals)."
            )
        )
    dates, from_file = _dates(instance.meta, Phase(phase), now)
    if not from_file:
        notes.append(
            _(
                "The file's dates do not put the cycle in the %(phase)s phase today: the phases "
                "are dated around today instead."
            )
            % {"phase": Phase(phase).label}
        )
    department = budget_department(city)
    if department is None:
        raise NotFound(_("The city has no department to run the cycle."), code="no_department")
    areas = list(Area.objects.filter(city=city).order_by("order", "code"))
    if not areas:
        raise InvalidInput(
            _("The city has no project areas: load its profile first (`hamkke city load`)."),
            code="no_areas",
        )
    _check_projects(instance, text)
    with transaction.atomic():
        if Cycle.objects.filter(city=city, slug=slug).exists():
            raise Conflict(
                _("A cycle named “%(slug)s” exists already: choose another with --slug.")
                % {"slug": slug},
                field="slug",
            )
        cycle, pool = _store_cycle(
            city=city,
            instance=instance,
            source=source,
            slug=slug,
            district=district,
            department=department,
            dates=dates,
            rule=rule,
            min_score=min_score,
        )
        codes = _store_projects(cycle, pool, instance, areas, department, now)
        ballots, blank, with_district = _store_ballots(
            pool, instance, source, codes, district, cast_at=dates["voting_from"]
        )
        record_audit(
            actor=None,
            action="budget.pabulib_imported",
            target=cycle,
            data={"file": source, "ballots": ballots, "projects": len(codes)},
        )
    if blank:
        notes.append(
            ngettext(
                "%(count)d ballot supported no project: stored as a blank ballot, which is void.",
                "%(count)d ballots supported no project: stored as blank ballots, which are void.",
                blank,
            )
            % {"count": blank}
        )
    return ImportedCycle(
        cycle=cycle,
        pool=pool,
        projects=len(codes),
        ballots=ballots,
        blank=blank,
        with_district=with_district,
        rule=rule,
        file_rule=file_rule,
        notes=notes,
    )


def _rule_of(
    instance: pabulib.Instance, file_rule: str, asked: str, notes: list[str]
) -> tuple[str, int]:
    """Our rule and minimum score (points out of 100) for the file's META rule."""
    if asked:
        if asked not in scoring.SCORE_RULES + scoring.BALLOT_RULES:
            raise InvalidInput(_("Unknown selection rule “%(rule)s”.") % {"rule": asked})
        rule = asked
    else:
        rule = RULES_OF_PABULIB.get(file_rule.lower(), DEFAULT_RULE)
        if file_rule.lower() not in RULES_OF_PABULIB:
            notes.append(
                _("The file's rule “%(rule)s” is not one of ours: greedy is used.")
                % {"rule": file_rule or "-"}
            )
        elif file_rule.lower().endswith("-comparison"):
            notes.append(
                _(
                    "The file's rule ends by comparing the Add1 outcome with another by a vote of "
                    "the ballots; our rules have no such step: the Add1 outcome is used."
                )
            )
    if rule != "greedy-threshold":
        return rule, 0
    threshold = instance.min_project_score_threshold
    if threshold is None:
        return rule, 0
    min_score = _min_score_for(instance, threshold)
    if min_score is None:
        notes.append(
            _(
                "The file's minimum of %(threshold)s cannot be written as points out of 100 of "
                "approvals: plain greedy is used."
            )
            % {"threshold": threshold}
        )
        return "greedy", 0
    return rule, min_score


def _min_score_for(instance: pabulib.Instance, threshold: int) -> int | None:
    """A minimum score in whole points out of 100 that keeps exactly the projects with at least
    `threshold` approvals (our vote channel is approvals ÷ the most approvals × 100), or None
    when there is none — always for points and ranks, whose threshold is not in approvals."""
    if instance.vote_type not in ("approval", "choose-1"):
        return None
    approvals = dict.fromkeys(instance.projects, 0)
    for ballot in instance.votes:
        for pid in ballot.vote:
            approvals[pid] += 1
    top = max(approvals.values(), default=0)
    if top == 0:
        return 0 if threshold <= 0 else None
    above = [Fraction(100 * n, top) for n in approvals.values() if n >= threshold]
    below = [Fraction(100 * n, top) for n in approvals.values() if n < threshold]
    least = int(max(below)) + 1 if below else 0  # the least whole point above every loser
    if least > 100 or (above and least > min(above)):
        return None
    return least


def budget_department(city: City) -> Department | None:
    """The department that runs cycles made without the desk (imported, the demo's): the city's
    budget department, else its first citywide one."""
    department = Department.objects.filter(city=city, code="budget").first()
    return department or (
        Department.objects.filter(city=city, district__isnull=True).order_by("code").first()
    )


def _pabulib_date(text: str, *, end: bool) -> date | None:
    """`31.03.2024`, `2024-03-31` or `2024` (a whole year: its first or last day)."""
    text = (text or "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    if text.isdigit() and len(text) == 4:
        return date(int(text), 12, 31) if end else date(int(text), 1, 1)
    return None


def _dates(meta: dict[str, str], phase: Phase, now: datetime) -> tuple[dict[str, datetime], bool]:
    """Phase dates from the file's vote dates when they put the cycle in `phase` now (voting from
    date_begin to the end of date_end, scoring for a day, results the day after); else dates
    around `now` (the asked phase began a day ago, each phase lasts ten days). The flag says
    which."""
    begin = _pabulib_date(meta.get("date_begin", ""), end=False)
    end = _pabulib_date(meta.get("date_end", ""), end=True)
    if begin is not None and end is not None and begin <= end:
        tz = timezone.get_current_timezone()
        voting = day_start(begin, tz)
        scoring_from = day_start(end + timedelta(days=1), tz)
        results = scoring_from + timedelta(days=1)
        dates = {
            "proposals_from": voting - timedelta(days=60),
            "review_from": voting - timedelta(days=30),
            "voting_from": voting,
            "scoring_from": scoring_from,
            "results_from": results,
            # Implementation starts later, or (when asked for) already has, a week after results.
            "implementation_from": max(results, now) + timedelta(days=365)
            if phase == Phase.RESULTS
            else results + timedelta(days=7),
        }
        cycle = Cycle(**dates)
        if cycle.phase_at(now) == phase:
            return dates, True
    order = [Phase.UPCOMING] + [p for p, _field in PHASE_STARTS]
    position = order.index(phase)
    dates = {
        name: now - timedelta(days=1) + timedelta(days=10 * (index - position))
        for index, (_phase, name) in enumerate(PHASE_STARTS, start=1)
    }
    return dates, False


def _store_cycle(
    *,
    city: City,
    instance: pabulib.Instance,
    source: str,
    slug: str,
    district: District | None,
    department: Department,
    dates: dict[str, datetime],
    rule: str,
    min_score: int,
) -> tuple[Cycle, Pool]:
    meta = instance.meta
    title = (meta.get("description") or source)[:200]
    facts = ", ".join(
        f"{key} {meta[key]}" for key in ("country", "unit", "subunit", "instance") if meta.get(key)
    )
    cycle = Cycle.objects.create(
        city=city,
        slug=slug,
        title=title,
        title_en=title,
        description=_(
            "Imported from the Pabulib file %(file)s (%(facts)s; pabulib.org, the open library of "
            "participatory budgeting elections). Votes: %(type)s."
        )
        % {"file": source, "facts": facts, "type": instance.vote_type},
        department=department,
        weight_vote=100,
        weight_survey=0,
        weight_committee=0,
        rule=rule,
        min_score=min_score,
        **dates,
    )
    name = meta.get("subunit") or meta.get("district") or meta.get("unit") or title
    pool = Pool.objects.create(
        cycle=cycle,
        code=slugify(district.code) if district is not None else "citywide",
        name=name[:200],
        name_en=name[:200],
        district=district,
        budget=instance.budget,
        ballot_kind=BallotKind.APPROVAL,
        max_choices=None,
    )
    return cycle, pool


def _check_projects(instance: pabulib.Instance, text: str) -> None:
    """What the parser accepts but a project here cannot hold, named by line."""
    for pid in instance.projects:
        if len(pid) > 32:
            raise pabulib.PabulibError(
                f"project id {pid[:40]!r} is longer than 32 characters",
                _project_line(text, pid),
            )


def _area_of(project: pabulib.Project, areas: list[Area]) -> Area:
    names = {}
    for area in areas:
        for name in (area.code, area.name, area.name_en):
            if name:
                names.setdefault(name.strip().casefold(), area)
    for category in project.fields.get("category", "").split(","):
        area = names.get(category.strip().casefold())
        if area is not None:
            return area
    return areas[0]


def _store_projects(
    cycle: Cycle,
    pool: Pool,
    instance: pabulib.Instance,
    areas: list[Area],
    department: Department,
    now: datetime,
) -> dict[str, int]:
    rows = []
    for project in instance.projects.values():
        name = project.name or _("Project %(id)s") % {"id": project.id}
        description = project.fields.get("description", "")
        title = name if len(name) <= 200 else name[:199] + "…"
        summary = description or name
        rows.append(
            Project(
                cycle=cycle,
                pool=pool,
                code=project.id,
                title=title,
                summary=summary if len(summary) <= 500 else summary[:499] + "…",
                description=description if len(name) <= 200 else f"{name}\n\n{description}".strip(),
                area=_area_of(project, areas),
                district=pool.district,
                status=ProjectStatus.ACCEPTED,
                cost=project.cost,
                requested_cost=project.cost,
                reviewing_department=department,
                reviewed_at=now,
            )
        )
    Project.objects.bulk_create(rows, batch_size=CHUNK)
    return dict(cycle.projects.values_list("code", "pk"))


def _district_names(city: City) -> dict[str, District]:
    found: dict[str, District] = {}
    for district in District.objects.filter(city=city):
        for name in (district.code, district.name, district.name_en):
            if name:
                found.setdefault(name.strip().casefold(), district)
    return found


def _store_ballots(
    pool: Pool,
    instance: pabulib.Instance,
    source: str,
    codes: dict[str, int],
    district: District | None,
    *,
    cast_at: datetime,
) -> tuple[int, int, int]:
    """The file's voters in the register and their ballots; returns (ballots, blank, voters
    placed in a district)."""
    districts = _district_names(pool.cycle.city)
    fallback = district.pk if district is not None else None
    counts = {"blank": 0, "placed": 0}
    key_of = identity_keys(source)

    def rows() -> Iterator[BallotRow]:
        for vote in instance.votes:
            where = vote.fields.get("district") or vote.fields.get("neighborhood") or ""
            home = districts.get(where.strip().casefold())
            home_id = home.pk if home is not None else fallback
            support = support_of(vote, instance.vote_type)
            counts["blank"] += not support
            counts["placed"] += home_id is not None
            yield BallotRow(
                identity_key=key_of(vote.voter_id),
                district_id=home_id,
                choices=tuple(codes[pid] for pid in support),
                cast_at=cast_at,
                void_reasons="" if support else "empty",
            )

    stored = store_ballots(pool=pool, rows=rows())
    return stored, counts["blank"], counts["placed"]


@dataclass(frozen=True)
class BallotRow:
    """One voter to load: their register entry and their ballot (project pks; none and a void
    reason for a blank ballot)."""

    identity_key: str
    district_id: int | None
    choices: tuple[int, ...]
    cast_at: datetime
    void_reasons: str = ""
    channel: str = Channel.ONLINE


@transaction.atomic
def store_ballots(*, pool: Pool, rows: Iterable[BallotRow], chunk: int = CHUNK) -> int:
    """Load many ballots at once — an imported election, the demo's — with their entries in the
    register: the same rows cast_ballot writes, without its checks (the caller vouches for the
    ballots), `chunk` rows a statement. Ballot ids are random as for any ballot
    (models.new_ballot_id), so their order says nothing of the order of `rows`.

    Plain executemany, not bulk_create: building and compiling 10^5–10^6 model instances takes
    most of a minute, the same rows through one prepared statement a few seconds. Each table's
    rows go in key order, so its indexes grow along one path instead of at random pages (several
    times faster on SQLite; the keys are random, so the order tells nothing)."""
    participation = ballot_pattern.BulkInsert(
        Participation,
        ("pool", "identity_key", "user", "district", "channel", "entered_by", "cast_at"),
    )
    ballot = ballot_pattern.BulkInsert(
        Ballot, ("id", "pool", "channel", "void_reasons", "void_marks")
    )
    choice = ballot_pattern.BulkInsert(BallotChoice, ("ballot", "project"))
    moments: dict[datetime, object] = {}
    registered, cast, chosen = [], [], []
    used: set[int] = set()
    for row in rows:
        when = moments.get(row.cast_at)
        if when is None:
            when = moments[row.cast_at] = participation.adapt("cast_at", row.cast_at)
        registered.append(
            (pool.pk, row.identity_key, None, row.district_id, row.channel, None, when)
        )
        ballot_id = new_ballot_id()
        while ballot_id in used:  # 62 random bits: practically never
            ballot_id = new_ballot_id()
        used.add(ballot_id)
        cast.append((ballot_id, pool.pk, row.channel, row.void_reasons, ""))
        chosen.extend((ballot_id, project) for project in row.choices)
    registered.sort(key=itemgetter(1))
    cast.sort()
    chosen.sort()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's foreign keys are checked at commit; queueing a check for each of 10^5
            # rows costs more than making it as the row goes in (a third of the time). For
            # this transaction only, and back to Django's default after.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        participation.run(cursor, registered, chunk)
        ballot.run(cursor, cast, chunk)
        choice.run(cursor, chosen, chunk)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # All of it went in as one batch in key order: a closed box already, when voting is over
    # (services.close_ballot_box would only rewrite it the same way).
    if policies.ballot_box_closes(pool.cycle):
        Pool.objects.filter(pk=pool.pk).update(box_closed_at=timezone.now())
    return len(cast)


def _rows_of(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, section, cells) of every row of a `.pb` text, for naming lines in errors."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    section = ""
    for row in reader:
        if not row:
            continue
        if all(not cell.strip() for cell in row[1:]) and row[0].strip().lower() in pabulib.SECTIONS:
            section = row[0].strip().lower()
            continue
        yield reader.line_num, section, row


def _meta_line(text: str, key: str) -> int | None:
    for line, section, row in _rows_of(text):
        if section == "meta" and row[0].strip() == key:
            return line
    return None


def _project_line(text: str, project_id: str) -> int | None:
    header: list[str] | None = None
    for line, section, row in _rows_of(text):
        if section != "projects":
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        at = header.index("project_id")
        if at < len(row) and row[at].strip() == project_id:
            return line
    return None


# --- export ------------------------------------------------------------------------------------


def export_pool(*, cycle: Cycle, pool: Pool | None = None, now: datetime | None = None) -> str:
    """The `.pb` text of one pool of a cycle whose results are due: its projects on the ballot
    with cost, area (`category`), votes and whether our rules select them, and its valid ballots
    as approval votes whose voter ids are the receipt codes, in receipt order. Void ballots count
    for nothing here and are left out (META num_void_ballots says how many)."""
    from hamkke.budget import selectors, services

    # Exported ballots leave the city: only once results are due are they no secret.
    moment = now or timezone.now()
    if not policies.ballots_disclosed(cycle, now=moment):
        phase = cycle.phase_at(moment)
        raise Conflict(
            _(
                "Only a cycle in its results or implementation phase is exported (this one is in "
                "its “%(phase)s” phase): its ballots are secret until then."
            )
            % {"phase": phase.label},
            code="wrong_phase",
        )
    pools = {p.code: p for p in selectors.pools_of(cycle)}
    if pool is None:
        if len(pools) != 1:
            raise InvalidInput(
                _("The cycle has several pools: name one (%(codes)s).")
                % {"codes": ", ".join(pools)},
                field="pool",
            )
        pool = next(iter(pools.values()))
    elif pool.cycle_id != cycle.pk:
        raise NotFound(_("No such pool in this cycle."))
    # Every ballot out of the box and mixed first, if the periodic task has not done it yet.
    services.close_ballot_boxes(cycle=cycle, now=moment)
    result = next(t for t in selectors.tally(cycle) if t.pool.pk == pool.pk)
    by_pk = {t.project.pk: t for t in result.projects}
    projects = {}
    for project in selectors.ballot_projects(pool):
        counted = by_pk[project.pk]
        projects[project.code] = pabulib.Project(
            id=project.code,
            cost=project.cost,
            name=_one_line(project.title),
            fields={
                "category": project.area.code,
                "votes": str(counted.votes),
                "selected": "1" if counted.selected else "0",
            },
        )
    votes = tuple(
        pabulib.Ballot(voter_id=receipt_of(ballot_id), vote=choice)
        for ballot_id, choice in _valid_ballots(pool)
    )
    meta = {
        "description": _one_line(f"{cycle.title}: {pool.display_name}"),
        "unit": cycle.city.name_en or cycle.city.name,
        "instance": cycle.slug,
        "subunit": pool.code,
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "num_void_ballots": str(result.void),
        "budget": str(pool.budget),
        "vote_type": "approval",
        "rule": cycle.rule,
        "date_begin": _pabulib_day(cycle.voting_from),
        "date_end": _pabulib_day(cycle.scoring_from - timedelta(seconds=1)),
        "language": cycle.city.default_language,
    }
    if pool.district is not None:
        meta["district"] = pool.district.name
    meta = {key: value for key, value in meta.items() if value}
    return pabulib.write(
        pabulib.Instance(
            meta=meta,
            budget=pool.budget,
            vote_type="approval",
            projects=projects,
            votes=votes,
            project_columns=("project_id", "cost", "name", "category", "votes", "selected"),
            vote_columns=("voter_id", "vote"),
        )
    )


def _valid_ballots(pool: Pool) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(ballot id, chosen codes sorted as strings) of the pool's valid ballots, in id order."""
    rows = (
        BallotChoice.objects.filter(ballot__pool=pool, ballot__void_reasons="")
        .order_by("ballot_id")
        .values_list("ballot_id", "project__code")
    )
    current, chosen = None, []
    for ballot_id, code in rows.iterator(chunk_size=20_000):
        if ballot_id != current:
            if current is not None:
                yield current, tuple(sorted(chosen))
            current, chosen = ballot_id, []
        chosen.append(code)
    if current is not None:
        yield current, tuple(sorted(chosen))


def _pabulib_day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y")


def _one_line(text: str) -> str:
    # A name or description cell holds no line breaks or semicolons a reader could trip on.
    return " ".join(text.split())
