"""The part of Solr's query language CKAN's `package_search` passes through and harvesters use,
read into plain data (pure Python: no Django). `q` and `fq` are clauses joined by AND (CKAN
sets q.op=AND); OR joins neighbours into one alternative; `+` and `-` (or NOT) mark a clause
required or excluded; a value is a word, a "quoted phrase", `*`, a group (a OR b) or a range
[a TO b] / {a TO b}. `sort` is "field direction" pairs separated by commas.

What cannot be read raises SolrSyntaxError with a message for the person who wrote it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Past this many characters a q or fq is refused: harvesters send a few clauses.
MAX_QUERY_CHARS = 2000
MAX_CLAUSES = 50


class SolrSyntaxError(ValueError):
    """A q, fq or sort this reader cannot read."""


@dataclass(frozen=True)
class Range:
    low: str  # "*" for open
    high: str
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class Clause:
    """`field:value`; field "" is free text (a word or a phrase to find anywhere)."""

    field: str
    values: tuple[str | Range, ...]  # several: a group (a OR b), any of them matches
    negated: bool = False


# A query: every group must hold; a group holds when any of its clauses does.
Query = tuple[tuple[Clause, ...], ...]

_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*):(.*)$", re.S)


def parse(text: str, *, fields: frozenset[str]) -> Query:
    """`text` as groups of clauses. Field names outside `fields` are refused, so a typo is told
    rather than silently matching nothing; "*:*" and an empty text are everything."""
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise SolrSyntaxError(f"a query may be at most {MAX_QUERY_CHARS} characters long")
    if text in ("", "*:*", "*"):
        return ()
    groups: list[list[Clause]] = []
    joined = False  # the previous token was OR
    negate_next = False
    for token in _tokens(text):
        upper = token if token.startswith(('"', "(", "[", "{")) else token.upper()
        if upper in ("AND", "&&"):
            continue
        if upper in ("OR", "||"):
            if not groups or joined:
                raise SolrSyntaxError("OR must stand between two clauses")
            joined = True
            continue
        if upper == "NOT":
            negate_next = True
            continue
        clause = _clause(token, fields, negate_next)
        negate_next = False
        if clause is None:
            joined = False
            continue
        if joined:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        joined = False
        if sum(len(group) for group in groups) > MAX_CLAUSES:
            raise SolrSyntaxError(f"a query may hold at most {MAX_CLAUSES} clauses")
    if joined or negate_next:
        raise SolrSyntaxError("the query ends with an operator")
    return tuple(tuple(group) for group in groups)


def _tokens(text: str) -> list[str]:
    """Split at whitespace outside quotes, brackets and parentheses."""
    tokens: list[str] = []
    current: list[str] = []
    closing: list[str] = []
    in_quotes = False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if in_quotes:
            current.append(char)
            in_quotes = char != '"'
        elif char == '"':
            current.append(char)
            in_quotes = True
        elif char in "([{":
            closing.append({"(": ")", "[": "]", "{": "}"}[char])
            current.append(char)
        elif char in ")]}":
            # Solr lets [a TO b} mix its ends: either bracket closes a range.
            range_end = closing and closing[-1] in "]}" and char in "]}"
            if not closing or (closing[-1] != char and not range_end):
                raise SolrSyntaxError(f"unbalanced {char!r}")
            closing.pop()
            current.append(char)
        elif char.isspace() and not closing:
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
        i += 1
    if in_quotes:
        raise SolrSyntaxError("a quotation mark is not closed")
    if closing:
        raise SolrSyntaxError(f"{closing[-1]!r} is missing")
    if current:
        tokens.append("".join(current))
    return tokens


def _clause(token: str, fields: frozenset[str], negated: bool) -> Clause | None:
    if token[:1] in "+-" and len(token) > 1:
        negated = negated or token[0] == "-"
        token = token[1:]
    elif token in ("+", "-"):
        return None
    match = _FIELD.match(token)
    if match is None or match.group(1) == "" or token.startswith(('"', "(")):
        values = _values(token)
        return Clause("", values, negated) if values else None
    field, raw = match.group(1), match.group(2)
    if field not in fields:
        raise SolrSyntaxError(
            f"unknown field {field!r}; the fields are {', '.join(sorted(fields))}"
        )
    if raw == "":
        raise SolrSyntaxError(f"{field}: needs a value")
    values = _values(raw)
    if not values:
        raise SolrSyntaxError(f"{field}: needs a value")
    return Clause(field, values, negated)


def _values(raw: str) -> tuple[str | Range, ...]:
    if raw.startswith("(") and raw.endswith(")"):
        inner = raw[1:-1]
        values: list[str | Range] = []
        for token in _tokens(inner):
            if token.upper() in ("OR", "||"):
                continue
            if token.upper() in ("AND", "&&", "NOT"):
                raise SolrSyntaxError("only OR may join the values of a group")
            values.extend(_values(token))
        return tuple(values)
    if raw[:1] in "[{" and raw[-1:] in "]}":
        return (_range(raw),)
    return (_unquoted(raw),) if _unquoted(raw) else ()


def _range(raw: str) -> Range:
    parts = raw[1:-1].split()
    if len(parts) != 3 or parts[1].upper() != "TO":
        raise SolrSyntaxError(f"a range is written [low TO high], not {raw!r}")
    return Range(
        low=_unquoted(parts[0]),
        high=_unquoted(parts[2]),
        include_low=raw[0] == "[",
        include_high=raw[-1] == "]",
    )


def _unquoted(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return re.sub(r"\\(.)", r"\1", raw).strip()


# --- sort ----------------------------------------------------------------------------------------


def parse_sort(text: str, *, fields: frozenset[str]) -> tuple[tuple[str, bool], ...]:
    """ "field asc|desc, …" as (field, descending) pairs; Solr needs the direction."""
    pairs: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise SolrSyntaxError(f"sort by “field asc” or “field desc”, not {part.strip()!r}")
        if words[0] not in fields:
            raise SolrSyntaxError(
                f"cannot sort by {words[0]!r}; sort by {', '.join(sorted(fields))}"
            )
        pairs.append((words[0], words[1].lower() == "desc"))
    if not pairs:
        raise SolrSyntaxError("sort names no field")
    return tuple(pairs)
