"""Subscribers and the mail events (bounces, complaints) reported for them."""

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from ..querysets import SubscriberQuerySet


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class Subscriber(models.Model):
    """An address that asked for the digest, with the record of its consent."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        # Bounced for good or complained: never mailed again (newsletter/bounces.py).
        SUPPRESSED = "suppressed", "Suppressed (bounced or complained)"

    class SuppressionReason(models.TextChoices):
        HARD_BOUNCE = "hard-bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        SOFT_BOUNCES = "soft-bounces", "Soft bounces in a row"

    class UnsubscribeMethod(models.TextChoices):
        ONE_CLICK = "one-click", "One-click (mail program)"
        PAGE = "page", "Unsubscribe page"
        ADMIN = "admin", "Editor in the admin"
        MAIL = "mail", "Mail to the unsubscribe address"

    email = models.EmailField(
        max_length=254,
        help_text="Normalised: spaces trimmed, domain lower-case and IDNA-encoded. "
        "Unique whatever the case.",
    )
    status = models.CharField(
        max_length=12, choices=Status, default=Status.PENDING, db_index=True
    )
    token = models.CharField(
        max_length=64,
        unique=True,
        default=new_unsubscribe_token,
        editable=False,
        help_text="Random secret in this subscriber's unsubscribe links. Stored, "
        "not signed, so links keep working after a SECRET_KEY change.",
    )
    signed_up_at = models.DateTimeField(
        "signed up", default=timezone.now, help_text="When the latest sign-up came."
    )
    source = models.CharField(
        "sign-up page",
        max_length=300,
        blank=True,
        help_text="Path of the page whose form was used for the latest sign-up.",
    )
    consent_version = models.CharField(
        max_length=20,
        help_text="Version of the consent text shown with the form (see "
        "newsletter/consent.py).",
    )
    confirmed_at = models.DateTimeField(
        "confirmed",
        null=True,
        blank=True,
        help_text="When the address owner confirmed by the link in the mail.",
    )
    unsubscribed_at = models.DateTimeField(
        "unsubscribed", null=True, blank=True, help_text="Latest unsubscription."
    )
    unsubscribe_method = models.CharField(
        max_length=12, choices=UnsubscribeMethod, blank=True
    )
    suppressed_at = models.DateTimeField(
        "suppressed", null=True, blank=True, editable=False
    )
    suppression_reason = models.CharField(
        max_length=12, choices=SuppressionReason, blank=True, editable=False
    )
    suppression_source = models.CharField(
        max_length=40,
        blank=True,
        editable=False,
        help_text="The mail service (or smtp) that reported it.",
    )
    soft_bounces = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="Soft bounces since the last delivered mail.",
    )
    # Throttle for confirmation mails: one per 10 minutes, three per day.
    last_confirmation_sent_at = models.DateTimeField(
        "last confirmation mail", null=True, blank=True, editable=False
    )
    confirmations_sent_on = models.DateField(null=True, blank=True, editable=False)
    confirmations_sent_count = models.PositiveSmallIntegerField(
        default=0,
        editable=False,
        help_text="Confirmation mails sent on the day in confirmations_sent_on.",
    )
    topics = models.ManyToManyField(
        "taggit.Tag",
        blank=True,
        related_name="newsletter_subscribers",
        verbose_name="chosen topics",
        help_text="The topics whose articles this subscriber gets. None chosen: "
        "every topic (the default).",
    )
    paused_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="No edition is sent to this subscriber before this moment "
        "(chosen on their preference page).",
    )
    source_import = models.ForeignKey(
        "subscriber_imports.SubscriberImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="subscribers",
        verbose_name="imported by",
        help_text="The CSV import this address came from (none: the sign-up form).",
    )
    # The confirmation (its confirmed_at) the welcome mail went out for.
    welcome_sent_for = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_up_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="newsletter_subscriber_email_ci_unique"
            ),
        ]

    def __str__(self):
        return self.email

    def get_unsubscribe_path(self) -> str:
        return reverse("newsletter:unsubscribe", kwargs={"token": self.token})


class MailEvent(models.Model):
    """A bounce or complaint reported for a subscriber: their mail history.

    One row per provider event: a replayed event (same source and event id)
    is recognised and changes nothing.
    """

    class Kind(models.TextChoices):
        HARD_BOUNCE = "hard-bounce", "Hard bounce"
        SOFT_BOUNCE = "soft-bounce", "Soft bounce"
        COMPLAINT = "complaint", "Spam complaint"
        DELIVERED = "delivered", "Delivered"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="mail_events"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    source = models.CharField(max_length=40, help_text="Mail service, or smtp.")
    event_id = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event_id"],
                condition=~Q(event_id=""),
                name="newsletter_mailevent_once_per_provider_event",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.source})"
