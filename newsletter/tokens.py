"""Signed, expiring confirmation links, and the look-up of unsubscribe links.

Every token from a URL is checked for its shape before anything else: a
tampered one (a NUL byte, an odd character, a megabyte of text) is simply
unknown, and never reaches the database (PostgreSQL refuses NUL in text).

A link carries the subscriber's id and the moment it was issued, signed with
SECRET_KEY (old keys in SECRET_KEY_FALLBACKS still verify). The issue time lets
a link from before an unsubscription be refused: reusing an old mail must not
re-subscribe anyone.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from django.conf import settings
from django.core import signing

from .models import Subscriber

SALT = "newsletter.confirm"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Unsubscribe tokens are secrets.token_urlsafe() text (Subscriber.token).
UNSUBSCRIBE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Confirmation tokens are django.core.signing output: base64 parts and colons.
CONFIRMATION_TOKEN = re.compile(r"[A-Za-z0-9_:-]{1,200}")


class LinkState(Enum):
    INVALID = "invalid"  # tampered, truncated or for nobody we know
    EXPIRED = "expired"
    STALE = "stale"  # issued before the subscriber's latest unsubscription
    SUPPRESSED = "suppressed"  # mail to the address bounced for good or complained
    ALREADY_CONFIRMED = "already-confirmed"
    READY = "ready"  # confirmable (SubscriberQuerySet.confirmable_q): POST confirms


@dataclass(frozen=True)
class ConfirmationLink:
    state: LinkState
    subscriber: Subscriber | None = None
    issued_at: datetime | None = None


def make_confirmation_token(subscriber: Subscriber, *, issued_at: datetime) -> str:
    micros = (issued_at - EPOCH) // MICROSECOND
    return signing.dumps({"s": subscriber.pk, "t": micros}, salt=SALT)


def read_confirmation_token(token: str) -> ConfirmationLink:
    """What a confirmation link stands for now. Changes nothing."""
    if not CONFIRMATION_TOKEN.fullmatch(token):
        return ConfirmationLink(LinkState.INVALID)
    try:
        payload = signing.loads(
            token, salt=SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE
        )
        subscriber_id, micros = int(payload["s"]), int(payload["t"])
        issued_at = EPOCH + micros * MICROSECOND
    except signing.SignatureExpired:
        return ConfirmationLink(LinkState.EXPIRED)
    except (signing.BadSignature, TypeError, KeyError, ValueError, OverflowError):
        return ConfirmationLink(LinkState.INVALID)
    subscriber = (
        Subscriber.objects.filter(pk=subscriber_id)
        .annotate(may_confirm=Subscriber.objects.confirmable_q(issued_at))
        .first()
    )
    if subscriber is None:
        return ConfirmationLink(LinkState.INVALID)
    return ConfirmationLink(_state(subscriber), subscriber, issued_at)


def _state(subscriber: Subscriber) -> LinkState:
    """READY exactly when subscriber_confirm would confirm (the same rule);
    otherwise why not."""
    if subscriber.may_confirm:
        return LinkState.READY
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return LinkState.ALREADY_CONFIRMED
    if subscriber.status == Subscriber.Status.SUPPRESSED:
        return LinkState.SUPPRESSED
    return LinkState.STALE  # unsubscribed, or since the link was issued


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link names, or None for an unknown link."""
    if not UNSUBSCRIBE_TOKEN.fullmatch(token):
        return None
    return Subscriber.objects.filter(token=token).first()
