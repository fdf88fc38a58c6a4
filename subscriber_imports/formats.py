"""The exports an editor brings, read into rows: which column is the
address, the status, the sign-up date, the opt-in and the tags.

Read from the exports themselves: Mailchimp's audience export (one file per
status: subscribed, unsubscribed with UNSUB_TIME..., cleaned with
CLEAN_TIME...; opt-in in OPTIN_TIME / CONFIRM_TIME; tags in TAGS as
``"a","b"``), Substack's subscriber export (email, active_subscription,
expiry, plan, email_disabled, created_at, ...), Ghost's members export (id,
email, name, note, subscribed_to_emails, complimentary_plan, created_at,
deleted_at, labels, ...), any CSV with an email column, and a plain file of
one address per line. Names are not kept: the digest never uses them.
"""

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone

from .encoding import ImportFileError, open_text

ADDRESS_COLUMNS = ("email address", "email", "e-mail", "email_address", "mail")
STATUS_WORDS = {
    "subscribed": "subscribed",
    "active": "subscribed",
    "confirmed": "subscribed",
    "pending": "pending",
    "unsubscribed": "unsubscribed",
    "cleaned": "cleaned",
    "bounced": "cleaned",
    "complained": "complained",
}
TRUE = {"true", "yes", "1", "y", "t"}
MAX_CELL = 1000  # characters kept of any cell (an address is at most 254)


@dataclass
class Row:
    """One data row: what the file says about one address."""

    line: int
    email: str
    # subscribed / pending / unsubscribed / cleaned / complained; "" unsaid.
    status: str = ""
    signed_up_at: datetime | None = None
    confirmed_at: datetime | None = None
    # The file's own opt-in record for this row, in words; "" none.
    consent: str = ""
    tags: list[str] = field(default_factory=list)


def parse_time(value: str) -> datetime | None:
    """The exports' dates ("2024-03-01 10:20:30", ISO with Z); None if odd."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):  # Mailchimp writes UTC without saying so
        moment = moment.replace(tzinfo=UTC)
    return moment


def is_true(value: str) -> bool:
    return value.strip().lower() in TRUE


def split_tags(value: str) -> list[str]:
    """Mailchimp's ``"Careers","CVs"``, Ghost's ``Careers, CVs``."""
    return [tag for tag in next(csv.reader([value], skipinitialspace=True), []) if tag]


class Columns:
    """A header row: the cell of a row by column name, whatever its case."""

    def __init__(self, header: list[str]):
        self.index = {}
        for position, name in enumerate(header):
            self.index.setdefault(name.strip().lower(), position)

    def has(self, *names: str) -> bool:
        return any(name in self.index for name in names)

    def get(self, row: list[str], *names: str) -> str:
        for name in names:
            position = self.index.get(name)
            if position is not None and position < len(row):
                return row[position][:MAX_CELL]
        return ""


def mailchimp(cols: Columns, cells: list[str], line: int) -> Row:
    if cols.has("clean_time"):
        status = "cleaned"
    elif cols.has("unsub_time"):
        status = "unsubscribed"
    else:
        status = "subscribed"
    optin = parse_time(cols.get(cells, "optin_time"))
    confirm = parse_time(cols.get(cells, "confirm_time"))
    proof = [
        f"{name} {moment:%Y-%m-%d %H:%M}"
        for name, moment in (("opted in", optin), ("confirmed", confirm))
        if moment
    ]
    return Row(
        line,
        cols.get(cells, "email address"),
        status,
        signed_up_at=optin or confirm,
        confirmed_at=confirm or optin,
        consent=f"Mailchimp: {', '.join(proof)}"
        if status == "subscribed" and proof
        else "",
        tags=split_tags(cols.get(cells, "tags")),
    )


def substack(cols: Columns, cells: list[str], line: int) -> Row:
    active = is_true(cols.get(cells, "active_subscription"))
    disabled = is_true(cols.get(cells, "email_disabled"))
    subscribed = active and not disabled
    created = parse_time(cols.get(cells, "created_at"))
    return Row(
        line,
        cols.get(cells, "email"),
        "subscribed" if subscribed else "unsubscribed",
        signed_up_at=created,
        confirmed_at=created,
        consent="Substack: active subscription" if subscribed else "",
    )


def ghost(cols: Columns, cells: list[str], line: int) -> Row:
    subscribed = (
        is_true(cols.get(cells, "subscribed_to_emails"))
        and not cols.get(cells, "deleted_at").strip()
    )
    created = parse_time(cols.get(cells, "created_at"))
    return Row(
        line,
        cols.get(cells, "email"),
        "subscribed" if subscribed else "unsubscribed",
        signed_up_at=created,
        confirmed_at=created,
        consent="Ghost: subscribed to emails" if subscribed else "",
        tags=split_tags(cols.get(cells, "labels")),
    )


def generic(cols: Columns, cells: list[str], line: int) -> Row:
    """Any CSV with an address column, and what it says of status and consent."""
    status = STATUS_WORDS.get(cols.get(cells, "status").strip().lower(), "")
    optin = cols.get(cells, "consent", "opt_in", "optin", "opted_in").strip()
    optin_time = parse_time(optin)
    given = bool(optin_time) or is_true(optin)
    created = parse_time(
        cols.get(cells, "created_at", "signed_up_at", "subscribed_at", "date")
    )
    return Row(
        line,
        cols.get(cells, *ADDRESS_COLUMNS),
        status,
        signed_up_at=created,
        confirmed_at=optin_time or created,
        consent=f"File: opt-in {optin}"[:200]
        if given and status != "unsubscribed"
        else "",
        tags=split_tags(cols.get(cells, "tags", "topics", "labels")),
    )


def plain(cells: list[str], line: int) -> Row:
    return Row(line, cells[0][:MAX_CELL] if cells else "")


def choose_format(header: list[str]):
    """(name, reader) for a header row; None for a file without one."""
    cols = Columns(header)
    if cols.has("email address") and cols.has("optin_time", "leid", "member_rating"):
        return "Mailchimp", cols, mailchimp
    if cols.has("email") and cols.has("active_subscription"):
        return "Substack", cols, substack
    if cols.has("email") and cols.has("subscribed_to_emails"):
        return "Ghost", cols, ghost
    if cols.has(*ADDRESS_COLUMNS):
        return "CSV", cols, generic
    if len(header) == 1 and "@" in header[0]:
        return None
    raise ImportFileError(
        "No address column: the first line should name one (“Email Address”, "
        "“email”), or the file should hold one address per line."
    )


def delimiter(first_line: str) -> str:
    """``;`` (spreadsheets in much of Europe), tab or ``,``: the one the
    header uses most, outside quotes."""
    outside = first_line.split('"')[::2]
    counts = {sep: sum(part.count(sep) for part in outside) for sep in ",;\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class ImportFile:
    """An open import: its format, then its rows, streamed."""

    def __init__(self, binary):
        self.text = open_text(binary)
        try:
            first = self.text.readline()
        except UnicodeDecodeError as error:
            raise ImportFileError(_not_text(error)) from None
        lines = _text_lines(itertools.chain([first], self.text))
        self.reader = csv.reader(lines, delimiter=delimiter(first))
        header = self._next() or []
        chosen = choose_format(header)
        if chosen is None:
            self.format, self._pending = "Plain list", [header]
            self._read = lambda cells, line: plain(cells, line)
        else:
            self.format, cols, reader = chosen
            self._pending = []
            self._read = lambda cells, line: reader(cols, cells, line)

    def _next(self) -> list[str] | None:
        try:
            return next(self.reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise ImportFileError(
                f"Line {self.reader.line_num}: this is not a CSV file ({error})."
            ) from None
        except UnicodeDecodeError as error:
            raise ImportFileError(_not_text(error)) from None

    def rows(self) -> Iterator[Row]:
        """Every data row that has any cell filled, numbered from 1."""
        number = 0
        while True:
            cells = self._pending.pop() if self._pending else self._next()
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue
            number += 1
            yield self._read(cells, number)

    def close(self):
        self.text.close()


def _text_lines(lines: Iterator[str]) -> Iterator[str]:
    """The lines, refusing a NUL character (Python's csv module reads them
    since 3.11; a text export never has one)."""
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise ImportFileError(
                f"Line {number}: this is a binary file, not a CSV (it contains "
                "NUL bytes)."
            )
        yield line


def _not_text(error: UnicodeDecodeError) -> str:
    return (
        f"The file is not text in one encoding ({error.reason} at byte "
        f"{error.start}); save it as CSV UTF-8."
    )
