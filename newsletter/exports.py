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


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading quote defuses formulas."""
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def subscribers_csv_lines(*, subscribers: QuerySet) -> Iterator[str]:
    """A header line, then one line per subscriber in id order, streamed."""
    writer = csv.writer(_Echo())
    rows = subscribers.order_by("pk").values_list(*CSV_COLUMNS).iterator()
    return (
        writer.writerow([csv_cell(value) for value in row])
        for row in [CSV_COLUMNS, *rows]
    )
