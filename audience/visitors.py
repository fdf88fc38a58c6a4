"""Visitors per day, estimated without keeping anything that identifies a
person past the day (as Plausible does).

A visitor is a digest of (the day's salt, the client's address, its user
agent): the same browser on the same connection gives the same digest all
day, so it counts once. The salt is random, made for each day and shared by
every process through DaySalt; once the day is over the day's marks and its
salt are deleted (``close_days``), and without the salt no digest can be
recomputed from an address, so nothing is left to link to anybody.

SiteDay.visitors grows, at each flush, by the marks that batch added (a mark
already there is the same visitor again); ``close_days`` sets it to the
count of the day's marks once more before deleting them.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .models import DIGEST_LENGTH, DaySalt, SiteDay, VisitorMark

# A day is closed this long after its end, so that batches still held by
# processes at midnight (a few seconds' worth) are written first.
CLOSING_GRACE = timedelta(minutes=10)

# day -> salt, for this process (one query per process a day).
_salts: dict[date, bytes] = {}


def day_salt(day: date) -> bytes:
    """The salt of ``day``, made on first use and shared by every process."""
    salt = _salts.get(day)
    if salt is None:
        salt = _stored_salt(day).encode()
        _salts.clear()  # past days' salts go as soon as a new day starts
        _salts[day] = salt
    return salt


def _stored_salt(day: date) -> str:
    row = DaySalt.objects.filter(day=day).first()
    if row is not None:
        return row.salt
    try:
        with transaction.atomic():
            return DaySalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
    except IntegrityError:  # another process made it first
        return DaySalt.objects.get(day=day).salt


def visitor_digest(day: date, address: str, user_agent: str) -> str:
    """The visitor's mark for ``day``: DIGEST_LENGTH hex characters."""
    digest = hashlib.blake2b(
        f"{address}\n{user_agent}".encode(errors="replace"),
        key=day_salt(day),
        digest_size=DIGEST_LENGTH // 2,
    )
    return digest.hexdigest()


def open_since(now: datetime | None = None) -> date:
    """The first day still counted: yesterday until CLOSING_GRACE after
    midnight, then today. Marks of earlier days are no longer written."""
    now = timezone.localtime(now)
    return timezone.localdate(now - CLOSING_GRACE)


def close_days(*, now: datetime | None = None) -> int:
    """Freeze the visitors of every closed day into SiteDay and delete its
    marks and salt; returns how many days were closed."""
    first_open = open_since(now)
    closing = sorted(
        set(DaySalt.objects.filter(day__lt=first_open).values_list("day", flat=True))
        | set(
            VisitorMark.objects.filter(day__lt=first_open)
            .values_list("day", flat=True)
            .distinct()
        )
    )
    for day in closing:
        _close(day)
    return len(closing)


def _close(day: date) -> None:
    with transaction.atomic():
        marks = VisitorMark.objects.filter(day=day)
        visitors = marks.aggregate(n=Count("pk"))["n"]
        if visitors:
            SiteDay.objects.update_or_create(day=day, defaults={"visitors": visitors})
        marks.delete()
        DaySalt.objects.filter(day=day).delete()
