"""Newsletter mail composition: the digest, the confirmation mail, their headers."""

import binascii
import email.policy
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, make_msgid
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from reader.site_urls import site_parts, site_url

from . import tokens
from .clicks import click_url
from .models import Edition, EditionVariant, Subscriber

# Rendered once per batch, then replaced by each subscriber's own link.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
# The same for the link to the subscriber's preference page.
PREFERENCES_PLACEHOLDER = "%%PREFERENCES_URL%%"


def one_line(value: str) -> str:
    # Header values never carry line breaks (no header injection).
    return " ".join(value.split())


def message_id() -> str:
    """A fresh Message-ID on the site's own domain (from SITE_URL)."""
    return make_msgid(domain=site_parts().hostname or "localhost")


class VerbatimHeader(str):
    """A header written exactly as given: ASCII, folded at whitespace only.

    Python's email serialiser turns any header line longer than 78 characters
    that has nowhere to fold into an RFC 2047 encoded-word, which RFC 2369
    forbids in ``List-Unsubscribe`` and which mail programs then fail to read.
    A header object with a ``name`` and a ``fold()`` is stored and written
    as it is by the email package's modern policies (see
    ``EmailPolicy.header_store_parse``), whatever policy Django serialises with.
    """

    name: str

    def __new__(cls, name: str, value: str):
        if _LINE_BREAK.search(value) or not value.isascii():
            raise ValueError(f"{name} must be one line of ASCII: {value!r}")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __getnewargs__(self):  # copies and pickles (the locmem backend copies)
        return (self.name, str(self))

    def fold(self, *, policy) -> str:
        limit = policy.max_line_length or 998
        lines = [f"{self.name}:"]
        for word in self.split(" "):
            if len(lines[-1]) + 1 + len(word) > limit and lines[-1] != f"{self.name}:":
                lines.append("")
            lines[-1] += f" {word}"
        return policy.linesep.join(lines) + policy.linesep


def list_unsubscribe(unsubscribe_url: str, token: str) -> str:
    """The List-Unsubscribe value: the one-click https link, in angle brackets,
    then the unsubscribe address when there is one (RFC 2369 order: the mail
    program takes the first it can use)."""
    mailto = unsubscribe_mailto(token)
    if mailto is None:
        return f"<{unsubscribe_url}>"
    return f"<{unsubscribe_url}>, <{mailto}>"


def unsubscribe_mailto(token: str) -> str | None:
    """``mailto:`` the unsubscribe mailbox, the subscriber's token in both the
    sub-address and the subject (a server may change the address's case), or
    None without NEWSLETTER_UNSUBSCRIBE_MAILBOX (see newsletter/inbound.py)."""
    mailbox = settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX
    if not mailbox or not tokens.UNSUBSCRIBE_TOKEN.fullmatch(token):
        return None
    local, _, domain = mailbox.rpartition("@")
    if len(f"{local}+{token}") > 64:  # RFC 5321's limit for the local part
        return None
    return f"mailto:{local}+{token}@{domain}?subject=unsubscribe%20{token}"


def newsletter_headers(unsubscribe_url: str, token: str) -> dict[str, str]:
    """The headers every newsletter mail carries (RFC 2369, RFC 8058)."""
    return {
        "Message-ID": message_id(),
        "List-Unsubscribe": VerbatimHeader(
            "List-Unsubscribe", list_unsubscribe(unsubscribe_url, token)
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def preferences_url(token: str) -> str:
    """The absolute link to the preference page of the subscriber with ``token``."""
    return site_url(reverse("newsletter:preferences", kwargs={"token": token}))


def newsletter_message(
    *, subject: str, text: str, html: str, to: str, unsubscribe_url: str, token: str
) -> EmailMultiAlternatives:
    """A newsletter mail with the unsubscribe headers RFC 8058 asks for.

    ``text`` and ``html`` may contain UNSUBSCRIBE_PLACEHOLDER and
    PREFERENCES_PLACEHOLDER, replaced here by the subscriber's visible
    unsubscribe and preference links; ``token`` is the subscriber's
    unsubscribe token (for the mailto in List-Unsubscribe and those links).
    """
    links = _personal_links((text, html), unsubscribe_url, token)
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=_with_links(text, links),
        to=[to],
        headers=newsletter_headers(unsubscribe_url, token),
    )
    message.attach_alternative(_with_links(html, links), "text/html")
    return message


def _personal_links(bodies: tuple, unsubscribe_url: str, token: str) -> dict:
    """Each placeholder in ``bodies`` and the subscriber's link for it."""
    links = {UNSUBSCRIBE_PLACEHOLDER: unsubscribe_url}
    if any(PREFERENCES_PLACEHOLDER in body for body in bodies):
        links[PREFERENCES_PLACEHOLDER] = preferences_url(token)
    return links


def _with_links(body: str, links: dict) -> str:
    for placeholder, url in links.items():
        body = body.replace(placeholder, url)
    return body


def mail_context(**extra) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "preferences_url": PREFERENCES_PLACEHOLDER,
        **extra,
    }


def confirmation_message(
    *, subscriber: Subscriber, issued_at: datetime
) -> EmailMultiAlternatives:
    token = tokens.make_confirmation_token(subscriber, issued_at=issued_at)
    context = mail_context(
        confirm_url=site_url(reverse("newsletter:confirm", kwargs={"token": token})),
        valid_days=max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    )
    return newsletter_message(
        subject=f"Confirm your subscription to the {settings.SITE_NAME} digest",
        text=render_to_string("newsletter/email/confirmation.txt", context),
        html=render_to_string("newsletter/email/confirmation.html", context),
        to=subscriber.email,
        unsubscribe_url=site_url(subscriber.get_unsubscribe_path()),
        token=subscriber.token,
    )


def edition_render(
    *, edition: Edition, article_ids: list[int] | None = None
) -> tuple[str, str]:
    """The digest's text and HTML, with UNSUBSCRIBE_PLACEHOLDER for the link:
    the edition's live articles, or only those of ``article_ids`` (a
    variant's share, newsletter/audience.py). Article links go through the
    site to be counted (newsletter/clicks.py), the same for every subscriber."""
    live = edition.live_articles()
    if article_ids is not None:
        live = live.filter(article_id__in=article_ids)
    entries = [
        {
            "title": entry.article.title,
            # One line in the plain text part, whatever the editor typed.
            "excerpt": Truncator(one_line(entry.article.summary)).chars(200),
            # Through the site, to count the click (the same link for all).
            "url": click_url(edition_id=edition.pk, article_id=entry.article_id),
            "author": entry.article.author.name,
        }
        for entry in live
    ]
    context = mail_context(
        edition=edition,
        subject=one_line(edition.subject),
        entries=entries,
        browser_url=site_url(edition.get_absolute_url()),
    )
    return (
        render_to_string("newsletter/email/digest.txt", context),
        render_to_string("newsletter/email/digest.html", context),
    )


def digest_message(
    *, edition: Edition, text: str, html: str, subscriber: Subscriber
) -> EmailMultiAlternatives:
    return newsletter_message(
        subject=edition.subject,
        text=text,
        html=html,
        to=subscriber.email,
        unsubscribe_url=site_url(subscriber.get_unsubscribe_path()),
        token=subscriber.token,
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """What one digest mail needs to know about its subscriber."""

    delivery_id: int
    email: str
    token: str
    attempts: int = 0
    variant_id: int | None = None  # which articles (EditionVariant); None: all


class DigestMail:
    """An edition rendered once, then addressed to each recipient cheaply.

    Rendering the templates and, above all, serialising a MIME message with
    Python's email package cost milliseconds per mail. The digest differs
    between recipients only in its To, Date and Message-ID headers and the
    unsubscribe link, so both are done once per edition: ``message()`` gives
    an EmailMessage for any mail backend, and ``as_bytes()`` the finished SMTP
    bytes from a skeleton serialised once, its two bodies quoted-printable
    encoded per mail (binascii, in C) with the recipient's link in place.
    """

    def __init__(self, *, edition: Edition, variant: EditionVariant | None = None):
        """``variant``: render only its articles (one DigestMail per variant)."""
        self.subject = one_line(edition.subject)
        self.text, self.html = edition_render(
            edition=edition, article_ids=variant.articles if variant else None
        )
        marker = uuid.uuid4().hex
        self._token_marker = f"token{marker}"
        self._unsubscribe_url = site_url(
            reverse("newsletter:unsubscribe", kwargs={"token": self._token_marker})
        )
        self._text_marker = f"text{marker}".encode()
        self._html_marker = f"html{marker}".encode()
        self._skeleton = self._serialise_skeleton()

    def unsubscribe_url(self, recipient: Recipient) -> str:
        return self._unsubscribe_url.replace(self._token_marker, recipient.token)

    @cached_property
    def _preferences_url(self) -> str | None:
        """The preference link with the token marker (reversed once), or None
        if the bodies have no preference link."""
        if not any(PREFERENCES_PLACEHOLDER in body for body in (self.text, self.html)):
            return None
        return preferences_url(self._token_marker)

    def links(self, recipient: Recipient) -> dict:
        """The recipient's own link for each placeholder in the bodies."""
        links = {UNSUBSCRIBE_PLACEHOLDER: self.unsubscribe_url(recipient)}
        if self._preferences_url:
            links[PREFERENCES_PLACEHOLDER] = self._preferences_url.replace(
                self._token_marker, recipient.token
            )
        return links

    def message(self, recipient: Recipient) -> EmailMultiAlternatives:
        return newsletter_message(
            subject=self.subject,
            text=self.text,
            html=self.html,
            to=recipient.email,
            unsubscribe_url=self.unsubscribe_url(recipient),
            token=recipient.token,
        )

    def as_bytes(self, recipient: Recipient, *, address: str) -> bytes:
        """The mail for SMTP; ``address`` is the recipient's ASCII addr-spec."""
        links = self.links(recipient)
        url = links[UNSUBSCRIBE_PLACEHOLDER]
        if _LINE_BREAK.search(address) or _LINE_BREAK.search("".join(links.values())):
            raise ValueError(f"Line break in the address or link of {address!r}")
        headers = (
            f"To: {address}\r\n"
            f"Date: {format_datetime(timezone.now())}\r\n"
            f"Message-ID: {message_id()}\r\n"
        ).encode("ascii") + VerbatimHeader(
            "List-Unsubscribe", list_unsubscribe(url, recipient.token)
        ).fold(policy=email.policy.SMTP).encode("ascii")
        return headers + self._skeleton.replace(
            self._text_marker, _quoted_printable(self.text, links)
        ).replace(self._html_marker, _quoted_printable(self.html, links))

    def _serialise_skeleton(self) -> bytes:
        """The mail without its per-recipient headers, bodies as markers."""
        message = newsletter_message(
            subject=self.subject,
            text="text",
            html="html",
            to="skeleton@example.invalid",
            unsubscribe_url="https://example.invalid/",
            token="",
        ).message(policy=email.policy.SMTP)
        for name in ("To", "Date", "Message-ID", "List-Unsubscribe"):
            del message[name]
        text_part, html_part = message.iter_parts()
        for part, subtype, marker in (
            (text_part, "plain", self._text_marker),
            (html_part, "html", self._html_marker),
        ):
            part.set_content(marker.decode(), subtype=subtype, cte="quoted-printable")
            del part["MIME-Version"]  # only the top level carries it
        skeleton = message.as_bytes()
        for marker in (self._text_marker, self._html_marker):
            # The body is the marker and a line break; the encoded body
            # brings its own.
            skeleton = skeleton.replace(marker + b"\r\n", marker, 1)
        return skeleton


_LINE_BREAK = re.compile(r"[\r\n]")


def _quoted_printable(body: str, links: dict) -> bytes:
    data = _with_links(body, links).replace("\r\n", "\n")
    if not data.endswith("\n"):
        data += "\n"
    encoded = binascii.b2a_qp(data.encode("utf-8"), istext=True)
    return encoded.replace(b"\n", b"\r\n")
