"""The desk's CSV files: the statistics page's figures, and one row per report of a period
(no personal data). Streamed, with a byte-order mark for spreadsheet programs, and text that a
spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from hamkke.complaints import selectors
from hamkke.complaints.selectors import DeskStatistics, Filters, Tally
from hamkke.core.models import City

STATS_COLUMNS = [
    "dimension",
    "key",
    "label",
    "reports",
    "open",
    "overdue",
    "resolved",
    "resolved_within_sla",
    "share_within_sla",
    "median_days_to_resolve",
]

REPORT_COLUMNS = [
    "tracking_number",
    "category",
    "district",
    "department",
    "channel",
    "status",
    "created_at",
    "expected_at",
    "resolved_at",
    "days_to_resolve",
    "resolved_within_sla",
    "hidden",
]


class _Echo:
    """A file whose write returns the line, for streaming csv.writer's output."""

    def write(self, value: str) -> str:
        return value


def _spreadsheet_safe(value) -> object:
    # A cell starting with = + - @ is a formula to spreadsheet programs; names come from
    # profiles and people, so such text is prefixed with an apostrophe.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # the byte-order mark makes spreadsheet programs read UTF-8 (Korean)
        for row in rows:
            yield writer.writerow([_spreadsheet_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def today() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def statistics_rows(numbers: DeskStatistics) -> list[list]:
    """The statistics page's aggregates, one row per category, district, status and month,
    after a total row with the median."""

    def row(dimension: str, tally: Tally, median="") -> list:
        share = tally.share_within_sla
        return [
            dimension,
            tally.key,
            tally.label,
            tally.total,
            tally.open,
            tally.overdue,
            tally.resolved,
            tally.within_sla,
            "" if share is None else share,
            median,
        ]

    median = numbers.median_days_to_resolve
    return [
        STATS_COLUMNS,
        row("total", numbers.overall, "" if median is None else median),
        *(row("category", t) for t in numbers.by_category),
        *(row("district", t) for t in numbers.by_district),
        *(row("status", t) for t in numbers.by_status),
        *(row("month", t) for t in numbers.by_month),
    ]


def report_rows(city: City, filters: Filters) -> Iterator[list]:
    """One row per report of the filtered period, read as it is written."""
    yield REPORT_COLUMNS
    for report in selectors.report_rows(city, filters):
        number, category, district, department, channel, state = report[:6]
        created, expected, resolved, hidden = report[6:]
        days = round((resolved - created).total_seconds() / 86400, 2) if resolved else ""
        within = "" if resolved is None else int(resolved <= expected)
        yield [
            number,
            category,
            district,
            department,
            channel,
            state,
            timezone.localtime(created).isoformat(),
            timezone.localtime(expected).isoformat(),
            timezone.localtime(resolved).isoformat() if resolved else "",
            days,
            within,
            int(hidden),
        ]
