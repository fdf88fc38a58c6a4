"""The newsletter's tables: subscribers, their mail events, editions and
deliveries. Their reads (the "which rows" rules) are in querysets.py."""

import secrets

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleQuerySet

from .querysets import EditionQuerySet, SubscriberQuerySet


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


class Edition(models.Model):
    """One issue of the weekly digest."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    # Sending has not started: editors may still change it (EditionQuerySet.editable).
    EDITABLE = [Status.DRAFT, Status.SCHEDULED]

    subject = models.CharField(
        max_length=150, help_text="The mail's subject line and the archive title."
    )
    intro = models.TextField(
        blank=True,
        help_text="Plain text above the articles. Blank lines separate paragraphs.",
    )
    status = models.CharField(
        max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    scheduled_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When to send. Set a time to schedule; clear it to keep a draft.",
    )
    period_start = models.DateTimeField(
        null=True, blank=True, help_text="Articles published after this are included."
    )
    period_end = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Articles published up to this are included. One edition per "
        "period end, so the weekly job never creates a week twice.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When sending began (recipients fixed)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_end"], name="newsletter_edition_unique_period"
            ),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("newsletter:edition", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def live_articles(self):
        """The edition's articles still published, in the editors' order."""
        return (
            self.edition_articles.filter(article__in=Article.objects.live())
            .select_related("article", "article__author")
            .order_by("position", "pk")
        )


class EditionArticle(models.Model):
    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="edition_articles"
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="edition_entries",
        # Pickers (the admin's title search) offer live articles only.
        limit_choices_to=ArticleQuerySet.live_q,
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "article"], name="newsletter_edition_article_once"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.article}"


class Delivery(models.Model):
    """One edition to one subscriber; the database allows only one per pair."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )

    class Failure(models.TextChoices):
        TEMPORARY = "temporary", "Temporary (not handed over; retried)"
        REFUSED = "refused", "Refused by the mail server (5xx; not retried)"
        UNKNOWN = "unknown", "Outcome unknown (may have gone out; not retried)"

    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    retryable = models.BooleanField(
        default=True,
        help_text="False once the mail must not be tried again: refused for good, "
        "out of tries, or its outcome is unknown (retrying could mail the "
        "subscriber twice).",
    )
    failure = models.CharField(
        max_length=9,
        choices=Failure,
        blank=True,
        help_text="Why the last try failed. Unknown: the mail server had the mail "
        "when the connection broke or the sender stopped, so it may have gone out.",
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the sender holding this delivery last renewed its claim "
        "(or last tried it). Another sender takes it over once the claim is older "
        "than NEWSLETTER_CLAIM_TIMEOUT seconds.",
    )
    claimed_by = models.CharField(max_length=100, blank=True)
    # Which articles this subscriber gets, fixed when sending starts (None:
    # the whole edition, as for rows made before topic preferences).
    variant = models.ForeignKey(
        "EditionVariant", null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "subscriber"], name="newsletter_delivery_once"
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "status"], name="newsletter_delivery_todo"),
            # The senders' claim queries read only the rows they may take, so
            # their cost per mail does not grow with the list. Keyed on id + 0,
            # which the claim orders by: only this index gives that order, so
            # the planner cannot walk the primary key instead, through every
            # row already sent (its statistics lag while a send is under way).
            models.Index(
                F("edition"),
                F("id") + 0,
                name="newsletter_delivery_claimable",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["edition", "claimed_at"],
                name="newsletter_delivery_retry",
                condition=Q(status="failed", retryable=True),
            ),
        ]

    def __str__(self):
        return f"{self.edition} → {self.subscriber}"

    @staticmethod
    def unknown_q(prefix: str = "") -> Q:
        """Failed with an unknown outcome: the mail may or may not have gone
        out, so it is never retried by itself (an editor may resend it)."""
        return Q(
            **{
                f"{prefix}status": Delivery.Status.FAILED,
                f"{prefix}failure": Delivery.Failure.UNKNOWN,
            }
        )


class NewsletterSettings(models.Model):
    """What editors set for the whole newsletter: one row (``load()``)."""

    welcome_subject = models.CharField(
        max_length=150,
        default="Welcome to the digest",
        help_text="Subject of the mail sent once an address is confirmed.",
    )
    welcome_text = models.TextField(
        default=(
            "Thank you for confirming. Every week we send the best new career "
            "advice from the site: one mail, a few articles, nothing else."
        ),
        help_text="The welcome mail's own words, in plain text. Blank lines "
        "separate paragraphs. When it comes, the latest edition and the "
        "preference page are added below it.",
    )
    reader_count_threshold = models.PositiveIntegerField(
        default=500,
        help_text="The sign-up page shows the number of readers (rounded) only "
        "once there are at least this many. 0 never shows it.",
    )

    class Meta:
        verbose_name = "newsletter settings"
        verbose_name_plural = "newsletter settings"

    def __str__(self):
        return "Newsletter settings"

    @classmethod
    def load(cls) -> "NewsletterSettings":
        """The one row, created with the defaults the first time it is read."""
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


# Appended, in a module of its own to keep this one short.
from .edition_variants import EditionVariant  # noqa: E402, F401
