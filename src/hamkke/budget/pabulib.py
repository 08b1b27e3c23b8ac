"""Read and write Pabulib `.pb` files, the open format of participatory budgeting elections.

Pure Python: nothing from Django. A file has three sections, each a `;`-separated table with a
header row: META (`key;value`), PROJECTS (`project_id;cost;…`) and VOTES (`voter_id;vote;…`). The
format is described at https://pabulib.org/format and in Faliszewski et al., "Participatory
Budgeting: Data, Tools, and Analysis" (IJCAI 2023).

Conventions, as in the files and in pabutools' reader:
- cells are stripped of surrounding spaces; section names are matched case-insensitively;
- a vote lists project ids separated by commas (`points` likewise, for cumulative and scoring
  votes);
- amounts (budget, costs, points) may be written `100000`, `100000.0` or `100000,0`, but must be
  whole numbers: money is counted in integer units, the unit of the Add1 completion of MES.

Every problem raises `PabulibError` naming the line (1-based) where it was found.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path

VOTE_TYPES = ("approval", "choose-1", "ordinal", "cumulative", "scoring")
POINTS_VOTE_TYPES = ("cumulative", "scoring")
SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A malformed `.pb` file; `line` is the 1-based line where the problem was found."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class Project:
    """One row of PROJECTS; `fields` holds the columns other than project_id, cost and name."""

    id: str
    cost: int
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ballot:
    """One row of VOTES: the projects voted for, in the file's order (the ranking, for ordinal
    votes); `points` only for cumulative and scoring votes; `fields` holds the other columns."""

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[int, ...] | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Instance:
    """A whole election: META as written, the budget and vote type read from it, projects by id
    (in file order), the ballots, and the column order of both tables (kept for writing back)."""

    meta: dict[str, str]
    budget: int
    vote_type: str
    projects: dict[str, Project]
    votes: tuple[Ballot, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost", "name")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def min_project_score_threshold(self) -> int | None:
        """META `min_project_score_threshold` (used by the greedy-threshold rule), if set."""
        text = self.meta.get("min_project_score_threshold", "").strip()
        if not text or text.lower() == "none":
            return None
        return parse_amount(text, what="min_project_score_threshold", negative=True)


def parse_amount(text: str, *, what: str, line: int | None = None, negative: bool = False) -> int:
    """A whole number written as in Pabulib files (`12`, `12.0`, `12,0`); anything else raises."""
    text = text.strip()
    if text.isdigit():  # the common case, kept fast: most files write plain integers
        return int(text)
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise PabulibError(f"{what} {text!r} is not a number", line) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise PabulibError(f"{what} {text!r} is not a whole number", line)
    if value < 0 and not negative:
        raise PabulibError(f"{what} {text!r} is negative", line)
    return int(value)


def read(path: str | Path) -> Instance:
    """Parse the `.pb` file at `path` (UTF-8, with or without a byte-order mark)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return parse(handle.read())


def parse(text: str) -> Instance:
    """Parse the text of a `.pb` file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream, delimiter=";")
    rows = _numbered_rows(reader)
    first = next(rows, None)
    if first is None:
        raise PabulibError("empty file: expected a META section", 1)
    line, row = first
    if _section_of(row) != "meta":
        raise PabulibError(f"expected the META section, found {';'.join(row)[:60]!r}", line)

    meta, meta_lines, marker = _read_meta(rows, line)
    budget_text = meta.get("budget")
    if budget_text is None:
        raise PabulibError("META has no budget", line)
    budget = parse_amount(budget_text, what="budget", line=meta_lines["budget"])
    vote_type = meta.get("vote_type")
    if vote_type is None:
        raise PabulibError("META has no vote_type", line)
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"unknown vote_type {vote_type!r} (known: {', '.join(VOTE_TYPES)})",
            meta_lines["vote_type"],
        )
    if marker is None or marker[1] != "projects":
        raise PabulibError("expected a PROJECTS section after META", _line_of(marker, reader))

    projects, project_columns, marker = _read_projects(rows, marker[0])
    if marker is None or marker[1] != "votes":
        raise PabulibError("expected a VOTES section after PROJECTS", _line_of(marker, reader))

    votes, vote_columns = _read_votes(rows, marker[0], projects, vote_type, reader, stream)
    return Instance(
        meta=meta,
        budget=budget,
        vote_type=vote_type,
        projects=projects,
        votes=votes,
        project_columns=project_columns,
        vote_columns=vote_columns,
    )


def _line_of(marker: tuple[int, str] | None, reader) -> int:
    return marker[0] if marker is not None else max(reader.line_num, 1)


def _numbered_rows(reader) -> Iterator[tuple[int, list[str]]]:
    """Non-blank rows with the line they end on (a quoted cell may span lines)."""
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        yield reader.line_num, row


def _section_of(row: list[str]) -> str | None:
    if all(not cell.strip() for cell in row[1:]):
        name = row[0].strip().lower()
        if name in SECTIONS:
            return name
    return None


def _header(
    rows: Iterator[tuple[int, list[str]]], section: str, line: int
) -> tuple[int, list[str]]:
    item = next(rows, None)
    if item is None or _section_of(item[1]) is not None:
        raise PabulibError(f"the {section.upper()} section has no header row", line)
    header_line, header = item
    header = [cell.strip() for cell in header]
    seen = set()
    for name in header:
        if not name:
            raise PabulibError(f"an empty column name in the {section.upper()} header", header_line)
        if name in seen:
            raise PabulibError(f"column {name!r} appears twice", header_line)
        seen.add(name)
    return header_line, header


def _read_meta(rows, line: int) -> tuple[dict[str, str], dict[str, int], tuple[int, str] | None]:
    """META as a dict, the line of each key (for later errors), and the next section's marker."""
    _header(rows, "meta", line)
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row_line, row in rows:
        section = _section_of(row)
        if section is not None:
            return meta, lines, (row_line, section)
        if len(row) != 2:
            raise PabulibError(f"a META row has {len(row)} cells, expected 2 (key;value)", row_line)
        key, value = row[0].strip(), row[1].strip()
        if not key:
            raise PabulibError("a META row has an empty key", row_line)
        if key in meta:
            raise PabulibError(f"META key {key!r} appears twice", row_line)
        meta[key] = value
        lines[key] = row_line
    return meta, lines, None


def _read_projects(rows, line: int) -> tuple[dict[str, Project], tuple[str, ...], tuple | None]:
    header_line, header = _header(rows, "projects", line)
    for required in ("project_id", "cost"):
        if required not in header:
            raise PabulibError(f"the PROJECTS header has no {required} column", header_line)
    id_at, cost_at = header.index("project_id"), header.index("cost")
    name_at = header.index("name") if "name" in header else None
    others = [(i, name) for i, name in enumerate(header) if i not in (id_at, cost_at, name_at)]
    width = len(header)
    projects: dict[str, Project] = {}
    for row_line, row in rows:
        section = _section_of(row)
        if section is not None:
            return projects, tuple(header), (row_line, section)
        if len(row) != width:
            raise PabulibError(
                f"a PROJECTS row has {len(row)} cells, the header has {width}", row_line
            )
        project_id = row[id_at].strip()
        if not project_id:
            raise PabulibError("a project has an empty project_id", row_line)
        if "," in project_id:
            raise PabulibError(f"project id {project_id!r} contains a comma", row_line)
        if project_id in projects:
            raise PabulibError(f"project {project_id!r} is listed twice", row_line)
        cost = parse_amount(row[cost_at], what=f"the cost of project {project_id}", line=row_line)
        projects[project_id] = Project(
            id=project_id,
            cost=cost,
            name=row[name_at].strip() if name_at is not None else "",
            fields={name: row[i].strip() for i, name in others},
        )
    return projects, tuple(header), None


def _read_votes(rows, line: int, projects: dict[str, Project], vote_type: str, reader, stream):
    header_line, header = _header(rows, "votes", line)
    for required in ("voter_id", "vote"):
        if required not in header:
            raise PabulibError(f"the VOTES header has no {required} column", header_line)
    with_points = vote_type in POINTS_VOTE_TYPES
    if with_points and "points" not in header:
        raise PabulibError(f"{vote_type} votes need a points column", header_line)
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if with_points else None
    used = {id_at, vote_at, points_at}
    other_names = tuple(name for i, name in enumerate(header) if i not in used)
    other_at = [i for i in range(len(header)) if i not in used]
    others = itemgetter(*other_at) if len(other_at) > 1 else None
    width = len(header)
    votes: list[Ballot] = []
    voters: set[str] = set()
    known = set(projects)
    strip = str.strip

    # VOTES is most of a file (up to ~65,000 rows): without quotes in it, plain splitting is
    # several times faster than the csv module and reads the same cells.
    rest = stream.read()
    first_line = reader.line_num + 1
    if '"' in rest:
        numbered = list(_numbered_rows(csv.reader(io.StringIO(rest, newline=""), delimiter=";")))
        table = [row for _line, row in numbered]
        lines = [first_line - 1 + row_line for row_line, _row in numbered]
    else:
        if "\r" in rest:
            rest = rest.replace("\r\n", "\n").replace("\r", "\n")
        table = [text.split(";") for text in rest.split("\n")]
        lines = None
    # No cell starts or ends with a space (the usual case): then no cell needs stripping.
    padded = rest[:1].isspace() or any(gap in rest for gap in ("; ", " ;", " \n", "\n ", "\t"))

    for index, row in enumerate(table):
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            here = lines[index] if lines else first_line + index
            if _section_of(row) is not None:
                raise PabulibError(f"unexpected section {row[0].strip()!r} after VOTES", here)
            raise PabulibError(f"a VOTES row has {len(row)} cells, the header has {width}", here)
        voter_id = row[id_at].strip() if padded else row[id_at]
        if not voter_id or voter_id in voters:
            here = lines[index] if lines else first_line + index
            if not voter_id:
                raise PabulibError("a vote has an empty voter_id", here)
            raise PabulibError(f"voter {voter_id!r} is listed twice", here)
        voters.add(voter_id)
        vote = _split_ids(row[vote_at])
        chosen = set(vote)
        if len(chosen) != len(vote) or not chosen <= known:
            _vote_error(voter_id, vote, known, lines[index] if lines else first_line + index)
        points = None
        if points_at is not None:
            points = _points(
                row[points_at], vote, voter_id, lines[index] if lines else first_line + index
            )
        if not other_at:
            fields = {}
        elif padded:
            fields = dict(zip(other_names, [strip(row[i]) for i in other_at], strict=True))
        elif others is not None:
            fields = dict(zip(other_names, others(row), strict=True))
        else:
            fields = {other_names[0]: row[other_at[0]]}
        votes.append(Ballot(voter_id, vote, points, fields))
    return tuple(votes), tuple(header)


def _points(cell: str, vote: tuple[str, ...], voter_id: str, line: int) -> tuple[int, ...]:
    texts = _split_ids(cell)
    if len(texts) != len(vote):
        raise PabulibError(
            f"voter {voter_id} has {len(texts)} points for {len(vote)} projects", line
        )
    return tuple(
        int(text) if text.isdigit() else parse_amount(text, what="points", line=line, negative=True)
        for text in texts
    )


def _vote_error(voter_id: str, vote: tuple[str, ...], known: set[str], line: int):
    for project_id in vote:
        if project_id not in known:
            raise PabulibError(f"voter {voter_id} votes for unknown project {project_id!r}", line)
    raise PabulibError(f"voter {voter_id} names a project twice", line)


def _split_ids(cell: str) -> tuple[str, ...]:
    parts = cell.split(",")
    if "" not in parts and " " not in cell and "\t" not in cell:
        return tuple(parts)  # the common case: no spaces, no empty pieces
    # Empty pieces are skipped as pabutools does: an empty vote is an empty ballot.
    return tuple(piece for piece in (part.strip() for part in parts) if piece)


def write(instance: Instance) -> str:
    """The `.pb` text of `instance`; `parse(write(instance)) == instance` for any instance whose
    ids and keys are not section names, contain no commas (project ids) and whose cells carry no
    surrounding spaces (the reader strips them)."""
    _check_writable(instance)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(instance.meta)
    if _amount_or_none(meta.get("budget")) != instance.budget:
        meta["budget"] = str(instance.budget)
    meta["vote_type"] = instance.vote_type
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    writer.writerow(["PROJECTS"])
    writer.writerow(instance.project_columns)
    for project in instance.projects.values():
        cells = {"project_id": project.id, "cost": str(project.cost), "name": project.name}
        writer.writerow(
            [
                cells[c] if c in cells else project.fields.get(c, "")
                for c in instance.project_columns
            ]
        )

    writer.writerow(["VOTES"])
    writer.writerow(instance.vote_columns)
    for ballot in instance.votes:
        cells = {"voter_id": ballot.voter_id, "vote": ",".join(ballot.vote)}
        if ballot.points is not None:
            cells["points"] = ",".join(str(point) for point in ballot.points)
        writer.writerow(
            [cells[c] if c in cells else ballot.fields.get(c, "") for c in instance.vote_columns]
        )
    return out.getvalue()


def _amount_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return parse_amount(text, what="budget")
    except PabulibError:
        return None


def _check_writable(instance: Instance) -> None:
    if instance.vote_type not in VOTE_TYPES:
        raise ValueError(f"unknown vote_type {instance.vote_type!r}")
    for required in ("project_id", "cost"):
        if required not in instance.project_columns:
            raise ValueError(f"project_columns lack {required!r}")
    for required in ("voter_id", "vote"):
        if required not in instance.vote_columns:
            raise ValueError(f"vote_columns lack {required!r}")
    names = [*instance.meta, *instance.projects, *(b.voter_id for b in instance.votes)]
    for name in names:
        if name.strip().lower() in SECTIONS:
            raise ValueError(f"{name!r} would be read as a section name")
    for project_id in instance.projects:
        if "," in project_id or not project_id.strip():
            raise ValueError(f"project id {project_id!r} cannot be written in a vote")
    # Python's csv writer, ending lines with "\n", leaves a lone "\r" unquoted, and the reader
    # would take it for a line break: refuse rather than write a file that reads back wrong.
    texts = [
        *instance.meta.values(),
        *(p.name for p in instance.projects.values()),
        *(value for p in instance.projects.values() for value in p.fields.values()),
        *(value for b in instance.votes for value in b.fields.values()),
    ]
    for text in texts:
        if "\r" in text:
            raise ValueError(f"{text!r}: a carriage return cannot be written in a .pb cell")
