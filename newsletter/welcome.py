"""The welcome mail, sent once an address is confirmed: what to expect and
when, the editors' own words (NewsletterSettings, edited in the admin), the
latest edition and the subscriber's preference page."""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reader.site_urls import site_url

from .editions import next_digest_at
from .emails import mail_context, newsletter_message, one_line
from .models import Edition, NewsletterSettings, Subscriber


def welcome_message(
    *, subscriber: Subscriber, now: datetime | None = None
) -> EmailMultiAlternatives:
    words = NewsletterSettings.load()
    latest = Edition.objects.archived().order_by("-started_at", "-pk").first()
    context = mail_context(
        subject=one_line(words.welcome_subject),
        welcome_text=words.welcome_text,
        next_digest=timezone.localtime(next_digest_at(now or timezone.now())),
        time_zone=settings.TIME_ZONE,
        latest=latest,
        latest_url=site_url(latest.get_absolute_url()) if latest else "",
        archive_url=site_url(reverse("newsletter:editions")),
    )
    return newsletter_message(
        subject=words.welcome_subject,
        text=render_to_string("newsletter/email/welcome.txt", context),
        html=render_to_string("newsletter/email/welcome.html", context),
        to=subscriber.email,
        unsubscribe_url=site_url(subscriber.get_unsubscribe_path()),
        token=subscriber.token,
    )


def subscriber_send_welcome(*, subscriber: Subscriber) -> bool:
    """Mail the welcome for the subscriber's current confirmation, once; True
    if it went out.

    The confirmation is taken by one conditional UPDATE (``welcome_sent_for``
    becomes ``confirmed_at``), so a retried task or a second worker finds it
    taken and sends nothing. A subscriber no longer confirmed gets none. A
    mail that fails gives the confirmation back and raises, so the task is
    retried.
    """
    due = Subscriber.objects.filter(
        pk=subscriber.pk,
        status=Subscriber.Status.CONFIRMED,
        confirmed_at__isnull=False,
    ).filter(Q(welcome_sent_for__isnull=True) | ~Q(welcome_sent_for=F("confirmed_at")))
    # Kept to give the confirmation back if the mail fails; None: not due.
    previous = due.values_list("welcome_sent_for").first()
    if previous is None or not due.update(welcome_sent_for=F("confirmed_at")):
        return False
    subscriber.refresh_from_db()
    try:
        welcome_message(subscriber=subscriber).send()
    except Exception:
        Subscriber.objects.filter(
            pk=subscriber.pk, welcome_sent_for=F("confirmed_at")
        ).update(welcome_sent_for=previous[0])
        raise
    return True
