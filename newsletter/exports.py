"""Subscribers as CSV: the consent record, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

CSV_COLUMNS = [
    "email",
    "status",
    "signed_up_at",
    "source",
    "consent_version",
    "confirmed_at",
    "unsubscribed_at",
    "unsubscribe_method",
]


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def subscribers_csv_lines(*, subscribers: QuerySet) -> Iterator[str]:
    """A header line, then one line per subscriber in id order, streamed."""
    writer = csv.writer(_Echo())
    rows = subscribers.order_by("pk").values_list(*CSV_COLUMNS).iterator()
    return (
        writer.writerow([_csv_cell(value) for value in row])
        for row in [CSV_COLUMNS, *rows]
    )
