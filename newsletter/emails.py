"""Newsletter mail composition: the digest, the confirmation mail, their headers."""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from . import tokens
from .models import Edition, Subscriber

# Rendered once per batch, then replaced by each subscriber's own link.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def one_line(value: str) -> str:
    # Header values never carry line breaks (no header injection).
    return " ".join(value.split())


def newsletter_message(
    *, subject: str, text: str, html: str, to: str, unsubscribe_url: str
) -> EmailMultiAlternatives:
    """A newsletter mail with the unsubscribe headers RFC 8058 asks for.

    ``text`` and ``html`` may contain UNSUBSCRIBE_PLACEHOLDER, replaced here by
    the subscriber's visible unsubscribe link.
    """
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url), "text/html"
    )
    return message


def mail_context(**extra) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        **extra,
    }


def confirmation_message(
    *, subscriber: Subscriber, issued_at: datetime
) -> EmailMultiAlternatives:
    token = tokens.make_confirmation_token(subscriber, issued_at=issued_at)
    context = mail_context(
        confirm_url=absolute_url(
            reverse("newsletter:confirm", kwargs={"token": token})
        ),
        valid_days=max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    )
    return newsletter_message(
        subject=f"Confirm your subscription to the {settings.SITE_NAME} digest",
        text=render_to_string("newsletter/email/confirmation.txt", context),
        html=render_to_string("newsletter/email/confirmation.html", context),
        to=subscriber.email,
        unsubscribe_url=absolute_url(subscriber.get_unsubscribe_path()),
    )


def edition_render(*, edition: Edition) -> tuple[str, str]:
    """The digest's text and HTML, with UNSUBSCRIBE_PLACEHOLDER for the link."""
    entries = [
        {
            "title": entry.article.title,
            "excerpt": entry.article.summary,
            "url": absolute_url(entry.article.get_absolute_url()),
            "author": entry.article.author.name,
        }
        for entry in edition.live_articles()
    ]
    context = mail_context(
        edition=edition,
        subject=one_line(edition.subject),
        entries=entries,
        browser_url=absolute_url(edition.get_absolute_url()),
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
        unsubscribe_url=absolute_url(subscriber.get_unsubscribe_path()),
    )
