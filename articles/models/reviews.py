"""A draft's review, step by step: submitted, sent back with a note,
published. Each step is one row, mailed once (``mailed_at``), and linked to
the version of the text it was about, so notes stay with the versions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .article import Article

NOTE_MAX_LENGTH = 2000


class ReviewStep(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="review_steps"
    )
    kind = models.CharField(max_length=12, choices=Kind)
    note = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="What the editor asks the writer to change (sent back only).",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_steps",
        help_text="The version of the text this step was about.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set in the transaction that sends its mail: a retried task sends none.
    mailed_at = models.DateTimeField(null=True, blank=True)
    mail_outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article_id}"
