"""One edition to one subscriber: the rows the exactly-once sending works on."""

from django.db import models
from django.db.models import F, Q

from .edition import Edition
from .subscriber import Subscriber


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
