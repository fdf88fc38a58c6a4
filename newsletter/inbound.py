"""Unsubscribing by mail: the ``mailto:`` in List-Unsubscribe (RFC 2369).

With NEWSLETTER_UNSUBSCRIBE_MAILBOX set (say unsubscribe@careerhub.example),
each mail offers ``mailto:unsubscribe+TOKEN@careerhub.example?subject=
unsubscribe%20TOKEN``, TOKEN being the subscriber's unsubscribe token (the
secret in their unsubscribe link). The mail service hands mail for that
mailbox to anymail's inbound webhook, which checks it as the tracking webhook
does (webhooks.py) and sends the ``inbound`` signal handled here.

A mail to the mailbox names its subscriber by the token in the sub-address,
or else in the subject (a mail server may change an address's case). A known
token unsubscribes at once; an unknown one, a mail for another address, or a
subscriber already gone changes nothing, so a resent webhook is harmless.
"""

import logging
import re

from django.conf import settings

from . import tokens
from .models import Subscriber
from .subscribers import subscriber_unsubscribe

logger = logging.getLogger(__name__)

SUBJECT_TOKEN = re.compile(r"\bunsubscribe\s+([A-Za-z0-9_-]+)", re.IGNORECASE)


def unsubscribe_tokens(message, mailbox: str) -> list[str]:
    """The tokens a mail to ``mailbox`` names, sub-addresses first; [] if it
    is not addressed to the mailbox."""
    local, _, domain = mailbox.lower().rpartition("@")
    recipients = [message.envelope_recipient or ""] + [
        address.addr_spec for address in [*message.to, *message.cc]
    ]
    found = []
    addressed = False
    for recipient in recipients:
        recipient_local, _, recipient_domain = recipient.rpartition("@")
        base, plus, tag = recipient_local.partition("+")
        if base.lower() != local or recipient_domain.lower() != domain:
            continue
        addressed = True
        if plus and tag not in found:
            found.append(tag)
    if not addressed:
        return []
    subject = SUBJECT_TOKEN.search(message.subject or "")
    if subject and subject.group(1) not in found:
        found.append(subject.group(1))
    return found


def on_inbound_mail(sender, event, esp_name, **kwargs) -> None:
    """anymail's ``inbound`` signal: one mail received by the mail service."""
    mailbox = settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX
    if not mailbox:
        return
    for token in unsubscribe_tokens(event.message, mailbox):
        subscriber = tokens.subscriber_for_unsubscribe_token(token)
        if subscriber is not None:
            changed = subscriber_unsubscribe(
                subscriber=subscriber, method=Subscriber.UnsubscribeMethod.MAIL
            )
            logger.info(
                "Unsubscribe mail via %s for subscriber %s (%s)",
                esp_name,
                subscriber.pk,
                "unsubscribed" if changed else "no change",
            )
            return
    logger.info("Unsubscribe mail via %s names no subscriber", esp_name)
