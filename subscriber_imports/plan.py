"""What each row of an import becomes: the consent rules, written once for
the dry run and the import.

- An address that fails the sign-up form's rule (forms.normalise_email) is
  invalid; one seen earlier in the file, in any spelling, is a duplicate.
- An address already known is left exactly as it is: confirmed and pending
  ones stay, and unsubscribed or suppressed ones are never subscribed again
  (matched case-insensitively on the normalised address, as sign-up does).
- A new address the file marks unsubscribed is recorded unsubscribed;
  cleaned (bounced) or complained, suppressed: never mailed.
- Any other new address is confirmed only with a consent basis: the file's
  own opt-in for that row, or the editor's statement of where the list came
  from. Without one it is pending and gets a confirmation mail.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower

from newsletter.forms import normalise_email
from newsletter.models import Subscriber

from .formats import Row

# The consent version of imported subscribers (not a text of consent.py: no
# form can claim it); their consent record is in ``source``.
IMPORT_CONSENT_VERSION = "import"
SAMPLE_ROWS = 5


class Outcome(StrEnum):
    NEW_CONFIRMED = "new_confirmed", "New, confirmed (consent on record)"
    NEW_PENDING = "new_pending", "New, pending: gets a confirmation mail"
    SUBSCRIBED = "subscribed", "Already on the list: left as it is"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed: recorded, never mailed"
    SUPPRESSED = "suppressed", "Suppressed (bounced or complained): never mailed"
    INVALID = "invalid", "Not a valid address: skipped"
    DUPLICATE = "duplicate", "Twice in the file: the first one counts"

    def __new__(cls, value, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


# Outcomes that write a new subscriber.
CREATES = {
    Outcome.NEW_CONFIRMED,
    Outcome.NEW_PENDING,
    Outcome.UNSUBSCRIBED,
    Outcome.SUPPRESSED,
}
KNOWN = {
    Subscriber.Status.CONFIRMED: Outcome.SUBSCRIBED,
    Subscriber.Status.PENDING: Outcome.SUBSCRIBED,
    Subscriber.Status.UNSUBSCRIBED: Outcome.UNSUBSCRIBED,
    Subscriber.Status.SUPPRESSED: Outcome.SUPPRESSED,
}
FILE_SAYS = {
    "unsubscribed": Outcome.UNSUBSCRIBED,
    "cleaned": Outcome.SUPPRESSED,
    "complained": Outcome.SUPPRESSED,
}


@dataclass
class Decision:
    row: Row
    address: str  # normalised; "" when invalid
    outcome: Outcome
    is_new: bool = False  # a new subscriber is written for it


def address_of(row: Row) -> str:
    """The normalised address, or "" if the sign-up form would refuse it."""
    try:
        return normalise_email(row.email)
    except ValidationError:
        return ""


def remember(seen: set[int], address: str) -> bool:
    """True the first time an address (in any case) is met in the file.

    Kept as hashes, not strings, so memory stays small for big files."""
    key = hash(address.lower())
    if key in seen:
        return False
    seen.add(key)
    return True


def known_statuses(addresses: list[str]) -> dict[str, str]:
    """Status of the already known ones, by lower-cased address (one query,
    on PostgreSQL through the unique index on LOWER(email))."""
    lowered = sorted({address.lower() for address in addresses if address})
    if not lowered:
        return {}
    return dict(
        Subscriber.objects.annotate(address=Lower("email"))
        .filter(address__in=lowered)
        .values_list("address", "status")
    )


def new_outcome(row: Row, *, statement: bool) -> Outcome:
    said = FILE_SAYS.get(row.status)
    if said:
        return said
    if row.status != "pending" and (row.consent or statement):
        return Outcome.NEW_CONFIRMED
    return Outcome.NEW_PENDING


def decide(rows: list[Row], *, seen: set[int], statement: bool) -> list[Decision]:
    """The outcome of each row of one chunk, in file order."""
    addresses = [address_of(row) for row in rows]
    known = known_statuses(addresses)
    decisions = []
    for row, address in zip(rows, addresses, strict=True):
        if not address:
            decisions.append(Decision(row, "", Outcome.INVALID))
        elif not remember(seen, address):
            decisions.append(Decision(row, address, Outcome.DUPLICATE))
        elif address.lower() in known:
            decisions.append(Decision(row, address, KNOWN[known[address.lower()]]))
        else:
            outcome = new_outcome(row, statement=statement)
            decisions.append(Decision(row, address, outcome, is_new=True))
    return decisions


def skip(rows: list[Row], *, seen: set[int]) -> None:
    """Rows imported by an earlier run: only remembered, for duplicates."""
    for row in rows:
        address = address_of(row)
        if address:
            remember(seen, address)


class Tally:
    """Counts per outcome, the first rows of each, and the tags not matched."""

    def __init__(self, counts=None, samples=None):
        self.counts = {outcome.value: 0 for outcome in Outcome} | {
            "tags_unknown": 0,
            "tags_matched": 0,
        }
        self.counts.update(counts or {})
        self.samples = {outcome.value: [] for outcome in Outcome} | (samples or {})

    def add(self, decision: Decision) -> None:
        key = decision.outcome.value
        self.counts[key] += 1
        if len(self.samples[key]) < SAMPLE_ROWS:
            self.samples[key].append(
                {"row": decision.row.line, "email": decision.row.email[:120]}
            )

    @property
    def new(self) -> int:
        return self.counts[Outcome.NEW_CONFIRMED] + self.counts[Outcome.NEW_PENDING]
